"""A whole pandoc document -> :class:`Article`: the body through the AST reader, then the metadata.

pandoc's metadata (``meta`` in its JSON AST, pandoc-types API 1.23: ``MetaMap``, ``MetaList``,
``MetaBool``, ``MetaString``, ``MetaInlines``, ``MetaBlocks``) holds whatever the source document
said about itself: a YAML front matter, a docx's core properties, an EPUB's OPF. Keys with a model
field map onto it (title, subtitle, authors, date, language, abstract, keywords and subjects,
identifiers, rights, CSL references); everything else goes to ``Article.extra`` verbatim as plain
JSON. Keys are read through the metadata vocabulary (:mod:`converter.model.vocabulary`); dates
become ISO 8601 (:func:`~converter.model.vocabulary.normalize_date`) from the common ways documents
write them.
"""

from __future__ import annotations

import re
from typing import Any

from ..model import (
    Article,
    Contributor,
    Heading,
    Provenance,
    Reference,
    Rights,
    Text,
    block_text,
    inline_text,
)
from ..model.vocabulary import field_for, identifier, language_tag, normalize_date, normalize_key
from .media import MediaFile
from .nodes import Json
from .read_ast import AstReader


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
    """The document's metadata onto the model, keys as the metadata vocabulary names them."""
    article = state.article
    extra: dict[str, Any] = {}
    has_abstract = any(normalize_key(k) == "abstract" for k in meta)
    for key, value in meta.items():
        plain = meta_value(value)
        field = field_for(key)
        if field == "title" and isinstance(plain, list):  # several titles (EPUB): title, rest
            titles = [t for t in plain if isinstance(t, str) and t]
            if titles:
                article.title = titles[0]
                article.subtitle = article.subtitle or ": ".join(titles[1:]) or None
        elif field == "title" and isinstance(plain, str) and plain:
            article.title = plain
        elif field == "subtitle" and isinstance(plain, str) and plain:
            article.subtitle = plain
        elif field == "authors":
            for item in _as_list(value):
                contributor, leftover = _contributor(state, item)
                if contributor:
                    article.contributors.append(contributor)
                if leftover:
                    extra.setdefault(key, []).append(leftover)
        elif field == "published" and isinstance(plain, str):
            date = normalize_date(plain)
            if date and "published" not in article.dates:
                article.dates["published"] = date
            else:
                extra[key] = plain
        elif field == "language" and isinstance(plain, str):
            if language_tag(plain) and not article.language:
                article.language = language_tag(plain)
            else:
                extra[key] = plain
        elif field == "abstract" and (normalize_key(key) == "abstract" or not has_abstract):
            article.abstract = state.meta_blocks(value, "meta")
        elif field == "keywords" or normalize_key(key) == "subjects":
            name = "keywords" if normalize_key(key) == "keywords" else "subjects"
            words = _strings(value, split=name == "keywords")
            if words:
                article.subjects.setdefault(name, []).extend(words)
        elif field == "identifier":
            article.identifiers.extend(identifier(text) for text in _strings(value))
        elif field in ("rights", "license") and isinstance(plain, str) and plain:
            rights = article.rights or Rights()
            if field == "license" and plain.startswith(("http://", "https://")):
                rights.license_url = plain
            elif rights.statement:
                rights.statement += " " + plain
            else:
                rights.statement = plain
            article.rights = rights
        elif key.lower() == "references" and value["t"] == "MetaList":
            article.references.extend(r for r in map(_reference, value["c"]) if r)
            extra[key] = plain
        else:
            extra[key] = plain
    article.extra.update(extra)
