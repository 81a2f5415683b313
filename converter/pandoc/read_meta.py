"""A whole pandoc document -> :class:`Article`: the body through the AST reader, then the metadata.

pandoc's metadata (``meta`` in its JSON AST, pandoc-types API 1.23: ``MetaMap``, ``MetaList``,
``MetaBool``, ``MetaString``, ``MetaInlines``, ``MetaBlocks``) holds whatever the source document
said about itself: a YAML front matter, a docx's core properties, an EPUB's OPF. Keys with a model
field map onto it (title, subtitle, authors, date, language, abstract, keywords and subjects,
identifiers, rights, CSL references); everything else goes to ``Article.extra`` verbatim as plain
JSON. Dates become ISO 8601 (:func:`normalize_date`) from the common ways documents write them.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ..model import (
    Article,
    Contributor,
    Heading,
    Identifier,
    Provenance,
    Reference,
    Rights,
    Text,
    block_text,
    inline_text,
)
from .media import MediaFile
from .nodes import Json
from .read_ast import AstReader

_DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %Y", "%Y/%m/%d",
                 "%Y.%m.%d", "%d.%m.%Y")


def article_from_pandoc(document: Json, media: dict[str, MediaFile] | None = None,
                        fallback_title: str | None = None, title: str | None = None) -> Article:
    """Map a pandoc JSON document to an :class:`Article`.

    ``media`` maps image URLs as pandoc printed them (paths in its ``--extract-media`` folder) to
    the extracted files; they become ``Article.media``/``resources`` under ``media/<sha1>.<ext>``,
    as do images in ``data:`` URIs. ``fallback_title`` is used when the document names none and
    has no heading; ``title``, when given, wins over the document's own.
    """
    article = Article(title="-", provenance=Provenance())
    reader = AstReader(article, media)
    reader.check_version(document)
    meta = document.get("meta", {})
    article.body = reader.blocks(document.get("blocks", []), "body")
    _read_meta(reader, meta)
    if title and title.strip():
        article.title = " ".join(title.split())
    elif not article.title.strip() or article.title == "-":
        article.title = _derive_title(article, fallback_title)
    reader.finish()
    return article


def _derive_title(article: Article, fallback: str | None) -> str:
    for block in article.body:
        if isinstance(block, Heading) and inline_text(block.content).strip():
            title = " ".join(inline_text(block.content).split())
            article.diagnose("info", "title-from-heading",
                             f"no title in the metadata; using the first heading {title!r}")
            return title
    title = (fallback or "").strip() or "Untitled"
    article.diagnose("warning", "no-title",
                     f"no title in the metadata and no heading; using {title!r}")
    return title


def meta_value(value: Json) -> Any:
    """A pandoc ``MetaValue`` as plain JSON: strings, booleans, lists and objects."""
    tag, content = value["t"], value.get("c")
    if tag == "MetaString":
        return content
    if tag == "MetaBool":
        return bool(content)
    if tag == "MetaList":
        return [meta_value(v) for v in content]
    if tag == "MetaMap":
        return {k: meta_value(v) for k, v in content.items()}
    if tag == "MetaInlines":
        return _plain_inlines(content)
    if tag == "MetaBlocks":
        return _plain_blocks(content)
    return None


def _plain_inlines(nodes: Json) -> str:
    return " ".join(inline_text(AstReader(Article(title="-")).inlines(nodes, "meta")).split())


def _plain_blocks(nodes: Json) -> str:
    return block_text(AstReader(Article(title="-")).blocks(nodes, "meta")).strip()


def _as_list(value: Json) -> list[Json]:
    return list(value["c"]) if value["t"] == "MetaList" else [value]


def _strings(value: Json, split: bool = False) -> list[str]:
    out: list[str] = []
    for item in _as_list(value):
        plain = meta_value(item)
        texts = plain if isinstance(plain, list) else [plain]
        for text in texts:
            if isinstance(text, str):
                parts = re.split(r"[;,]", text) if split else [text]
                out.extend(p.strip() for p in parts if p.strip())
    return out


def normalize_date(text: str) -> str | None:
    """An ISO 8601 date for the schema, from the common ways documents write one."""
    value = text.strip()
    if _DATE_RE.match(value):
        return value
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is not None:
        return parsed.isoformat() if parsed.tzinfo else parsed.date().isoformat() if (
            parsed.time() == datetime.min.time()) else parsed.isoformat(timespec="seconds")
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed.strftime("%Y-%m" if "%d" not in fmt else "%Y-%m-%d")
    return None


def _contributor(state: AstReader, value: Json) -> tuple[Contributor | None, dict[str, Any]]:
    """An author entry (a name, or a map with name/affiliation/email/orcid) and what is left."""
    if value["t"] != "MetaMap":
        name = meta_value(value)
        return (Contributor(name=name) if isinstance(name, str) and name.strip() else None), {}
    fields = {k: meta_value(v) for k, v in value["c"].items()}
    name = fields.pop("name", None) or fields.pop("literal", None)
    given = fields.pop("given", None) or fields.pop("given-names", None)
    family = fields.pop("family", None) or fields.pop("surname", None)
    if not name:
        name = " ".join(p for p in (given, family) if isinstance(p, str) and p)
    if not isinstance(name, str) or not name.strip():
        return None, fields
    affiliations = fields.pop("affiliation", None) or fields.pop("affiliations", None) or []
    contributor = Contributor(
        name=name.strip(),
        given_names=given if isinstance(given, str) and given else None,
        surname=family if isinstance(family, str) and family else None,
        affiliations=[a for a in (affiliations if isinstance(affiliations, list)
                                  else [affiliations]) if isinstance(a, str) and a],
        email=fields.pop("email", None) or None,
        orcid=fields.pop("orcid", None) or None,
        role=fields.pop("role", None) or None,
    )
    return contributor, fields


def _reference(item: Json) -> Reference | None:
    """A CSL item of a ``references`` list as a reference: id plus a plain-text rendering."""
    if item["t"] != "MetaMap":
        return None
    csl = {k: meta_value(v) for k, v in item["c"].items()}
    names = [a.get("family") or a.get("literal") or "" for a in csl.get("author", [])
             if isinstance(a, dict)]
    issued = csl.get("issued")
    year = None
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        year = str(parts[0][0]) if parts and parts[0] else issued.get("literal")
    elif isinstance(issued, str):
        year = issued[:4]
    pieces = [", ".join(n for n in names if n), f"({year})" if year else "",
              str(csl.get("title") or ""), str(csl.get("container-title") or "")]
    text = ". ".join(p.strip().rstrip(".") for p in pieces if p and p.strip())
    ident = csl.get("id")
    return Reference([Text(text + ".")] if text else [], str(ident) if ident else None)


def _read_meta(state: AstReader, meta: dict[str, Json]) -> None:
    article = state.article
    extra: dict[str, Any] = {}
    for key, value in meta.items():
        plain = meta_value(value)
        lowered = key.lower()
        if lowered == "title" and isinstance(plain, list):  # several titles (EPUB): title, rest
            titles = [t for t in plain if isinstance(t, str) and t]
            if titles:
                article.title = titles[0]
                article.subtitle = article.subtitle or ": ".join(titles[1:]) or None
        elif lowered == "title" and isinstance(plain, str) and plain:
            article.title = plain
        elif lowered == "subtitle" and isinstance(plain, str) and plain:
            article.subtitle = plain
        elif lowered in ("author", "authors", "creator"):
            for item in _as_list(value):
                contributor, leftover = _contributor(state, item)
                if contributor:
                    article.contributors.append(contributor)
                if leftover:
                    extra.setdefault(key, []).append(leftover)
        elif lowered in ("date", "dcterms.date") and isinstance(plain, str):
            date = normalize_date(plain)
            if date and "published" not in article.dates:
                article.dates["published"] = date
            else:
                extra[key] = plain
        elif lowered in ("lang", "language") and isinstance(plain, str):
            if _LANG_RE.match(plain.strip()) and not article.language:
                article.language = plain.strip()
            else:
                extra[key] = plain
        elif lowered == "abstract" or (lowered == "description" and "abstract" not in meta):
            article.abstract = state.meta_blocks(value, "meta")
        elif lowered in ("keywords", "subject", "subjects"):
            name = "keywords" if lowered == "keywords" else "subjects"
            words = _strings(value, split=lowered == "keywords")
            if words:
                article.subjects.setdefault(name, []).extend(words)
        elif lowered == "identifier":
            for text in _strings(value):
                scheme = ("doi" if text.startswith("10.") else "uuid" if "uuid" in text.lower()
                          else "isbn" if "isbn" in text.lower() else "uri" if ":" in text
                          else "other")
                article.identifiers.append(Identifier(scheme, text))
        elif lowered in ("rights", "copyright", "license") and isinstance(plain, str) and plain:
            rights = article.rights or Rights()
            if lowered == "license" and plain.startswith(("http://", "https://")):
                rights.license_url = plain
            elif rights.statement:
                rights.statement += " " + plain
            else:
                rights.statement = plain
            article.rights = rights
        elif lowered == "references" and value["t"] == "MetaList":
            article.references.extend(r for r in map(_reference, value["c"]) if r)
            extra[key] = plain
        else:
            extra[key] = plain
    article.extra.update(extra)
