"""Markdown reader: CommonMark, GFM and pandoc Markdown with a YAML front matter.

Parsing is pandoc's (pandoc 3.9's ``markdown`` reader, a superset of CommonMark's syntax; one
sandboxed process per document through :mod:`converter.pandoc.run`); the body is mapped onto the
model by :class:`converter.pandoc.read_ast.AstReader`, the mapping every pandoc-based reader shares
(it also reads the dialect's divs and spans and the inline HTML and HTML tables the writer
uses). It reads everything :mod:`converter.writers.markdown` writes back to the same article
(docs/markdown.md lists the dialect), and ordinary Markdown files as people write them. What this
module adds is what is particular to our Markdown files: the pandoc options and the front matter.

Reading options that differ from pandoc's defaults, each because it would change the text:
no implicit figures (a lone image stays an image in its paragraph, as CommonMark has it), no
automatic heading ids, no LaTeX macro expansion in math, tabs kept, and no abbreviation list
(pandoc would glue "Mr." to the next word with a no-break space).

The front matter is parsed twice: by PyYAML (exact strings, numbers and nesting for the plain
metadata fields) and by pandoc (Markdown-valued fields: title, subtitle, abstract, notes,
acknowledgements, contributor bios, reference texts). Keys named after model fields map onto them;
pandoc's ``author``, ``date``, ``lang`` and ``keywords`` fill the model when its own keys are
absent; any other key goes to ``extra`` verbatim, and so does an entry the model has no field for
inside a known one (with an ``unknown-field`` diagnostic).
"""

from __future__ import annotations

import dataclasses
import json
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from .._version import __version__
from ..errors import InputError
from ..formats.data import loads_yaml
from ..model import (
    SCHEMA_VERSION,
    Article,
    Block,
    Contributor,
    Discarded,
    Heading,
    Identifier,
    MediaResource,
    Paragraph,
    Provenance,
    Reference,
    Rights,
    SourcePublication,
    Text,
    block_text,
    inline_text,
    normalize_inlines,
)
from ..model.vocabulary import language_tag
from ..options import ReadOptions, parse_partial_date
from ..pandoc.nodes import ast_text
from ..pandoc.read_ast import AstReader
from ..pandoc.run import run_pandoc
from .decode import decode_text

Json = Any

#: pandoc's markdown reader, with the text-changing conveniences turned off (module docstring)
PANDOC_FORMAT = "markdown-implicit_figures-auto_identifiers-latex_macros"
PANDOC_ARGS = ("--abbreviations=/dev/null", "--preserve-tabs", "-f", PANDOC_FORMAT, "-t", "json")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_SNIFF = re.compile(rb"\A(?:\xef\xbb\xbf)?---[ \t]*\r?\n|^#{1,6}[ \t]+\S|^```|^~~~|\]\([^)\s]+\)",
                    re.MULTILINE)
#: front-matter keys that pandoc reads as Markdown and the model keeps as blocks
_BLOCK_FIELDS = ("abstract", "notes", "acknowledgements")
#: model fields taken from the front matter as plain data
_PLAIN_FIELDS = ("id", "article_type", "source_publication", "dates", "identifiers", "subjects",
                 "rights", "image_credits", "media", "discarded")
#: the model class of each front-matter field that holds mappings
_SHAPES: dict[str, type] = {
    "contributors": Contributor, "source_publication": SourcePublication,
    "identifiers": Identifier, "rights": Rights, "references": Reference,
    "media": MediaResource, "discarded": Discarded,
}


class MarkdownReader:
    """Reader ``markdown``: see the module docstring."""

    name = "markdown"
    version = __version__

    def sniff(self, data: bytes, file_name: str | None) -> bool:
        """A YAML front matter, an ATX heading, a code fence or an inline link."""
        return bool(_SNIFF.search(data[:65536]))

    def read(self, data: bytes, options: ReadOptions) -> Article:
        decoded = decode_text(data)
        text = decoded.text
        front = _front_matter(text)
        with tempfile.TemporaryDirectory(prefix="converter-md-") as workdir:
            result = run_pandoc(PANDOC_ARGS, text.encode("utf-8"),
                                timeout=options.pandoc_timeout, workdir=Path(workdir),
                                error=InputError, action="read the Markdown")
        try:
            document = json.loads(result.output)
        except ValueError as exc:
            raise InputError(f"pandoc gave unreadable JSON: {exc}") from exc
        article = Article(title="", provenance=Provenance(format="markdown",
                                                          encoding=decoded.encoding))
        if decoded.legacy:
            article.diagnose("warning", "legacy-encoding",
                             f"not UTF-8; decoded as {decoded.encoding}")
        for warning in result.warnings:
            article.diagnose("warning", "pandoc", warning)
        state = AstReader(article)
        article.body = state.blocks(document.get("blocks", []), "body")
        _read_metadata(state, front, document.get("meta", {}))
        state.finish()
        if not article.title:
            _title_fallback(article, options.file_name)
        return article


# --------------------------------------------------------------------------- front matter


def _front_matter(text: str) -> dict[str, Any]:
    """The leading YAML block as data (PyYAML: exact strings), or {}."""
    match = _FRONT_MATTER.match(text)
    if not match or not match.group(1):
        return {}
    try:
        data = loads_yaml(match.group(1), first_line=2)
    except ValueError as exc:
        raise InputError(f"front matter: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("front matter is not a YAML mapping (key: value lines)")
    return data


def _read_metadata(state: AstReader, front: dict[str, Any], meta: dict[str, Json]) -> None:
    """Fill the article's metadata from the front matter (see the module docstring)."""
    article = state.article
    used = {"schema_version", "provenance", "title", "subtitle", "lang", "language",
            "author", "date", "keywords", "contributors", "references", "extra",
            *_BLOCK_FIELDS, *_PLAIN_FIELDS}
    version = front.get("schema_version")
    if isinstance(version, str) and version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        article.diagnose("warning", "schema-version", f"front matter says schema_version "
                         f"{version}; read as {SCHEMA_VERSION}")
    article.title = _meta_text(meta.get("title"))
    if "subtitle" in meta:
        article.subtitle = _meta_text(meta["subtitle"])
    language = front.get("lang", front.get("language"))
    if language_tag(language):
        article.language = language_tag(language)
    elif language is not None:
        article.extra["lang"] = language
    for key in _BLOCK_FIELDS:
        if key in meta:
            setattr(article, key, state.meta_blocks(meta[key], key))
    for key in _PLAIN_FIELDS:
        if key in front:
            value = _load(key, front[key])
            if key == "discarded":  # before what the body's raw markup added
                value = [*value, *article.discarded]
            setattr(article, key, value)
    article.contributors = _contributors(state, front, meta)
    if "dates" not in front and ("date" in front or "date" in meta):
        date = front["date"] if "date" in front else _meta_text(meta["date"])
        if isinstance(date, str) and parse_partial_date(date) is not None:
            article.dates = {"published": date}
        else:
            article.extra["date"] = date
    if "subjects" not in front and "keywords" in front:
        keywords = front["keywords"]
        if isinstance(keywords, str):
            keywords = [k.strip() for k in keywords.split(",")]
        if isinstance(keywords, list):
            article.subjects = {"keywords": [str(k) for k in keywords if str(k).strip()]}
    article.references = _references(state, front, meta)
    extra = front.get("extra")
    if isinstance(extra, dict):
        article.extra.update(extra)
    elif extra is not None:
        article.extra["extra"] = extra
    for key, value in front.items():
        if key not in used:
            article.extra[key] = value
        for path, unknown in _unknown_fields(key, value):
            article.extra[path] = unknown
            article.diagnose("warning", "unknown-field",
                             f"front matter {path}: the model has no such field; kept in extra")


def _contributors(state: AstReader, front: dict[str, Any], meta: dict[str, Json]
                  ) -> list[Contributor]:
    raw = front.get("contributors")
    if isinstance(raw, list):
        bios = _meta_list(meta.get("contributors"))
        fields = []
        for i, item in enumerate(raw):
            if not isinstance(item, dict) or not item.get("name"):
                raise InputError(f"front matter contributors[{i}]: wants a mapping with a name")
            fields.append({k: v for k, v in item.items() if k != "bio"})
        out = _load("contributors", fields)
        for i, contributor in enumerate(out):
            bio = _meta_map(bios[i] if i < len(bios) else None).get("bio")
            if bio is not None:
                contributor.bio = state.meta_blocks(bio, f"contributors[{i}].bio")
        return cast(list[Contributor], out)
    if raw is not None:
        state.article.extra["contributors"] = raw
    authors = meta.get("author")
    out = []
    for entry in _meta_list(authors) if authors is not None else []:
        fields_of = _meta_map(entry)
        name = _meta_text(fields_of["name"]) if "name" in fields_of else _meta_text(entry)
        if not name.strip():
            continue
        contributor = Contributor(name=name.strip())
        for key in ("affiliation", "affiliations"):
            if key in fields_of:
                contributor.affiliations = [_meta_text(a) for a in _meta_list(fields_of[key])]
        if "email" in fields_of:
            contributor.email = _meta_text(fields_of["email"])
        out.append(contributor)
    return out


def _references(state: AstReader, front: dict[str, Any], meta: dict[str, Json]
                ) -> list[Reference]:
    raw = front.get("references")
    if not isinstance(raw, list):
        if raw is not None:
            state.article.extra["references"] = raw
        return []
    contents = _meta_list(meta.get("references"))
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise InputError(f"front matter references[{i}]: wants a mapping")
        reference = Reference(id=_optional_str(item.get("id")),
                              label=_optional_str(item.get("label")))
        content = _meta_map(contents[i] if i < len(contents) else None).get("content")
        if content is not None:
            blocks = state.meta_blocks(content, f"references[{i}]")
            if len(blocks) == 1 and isinstance(blocks[0], Paragraph):
                reference.content = blocks[0].content
            elif blocks:
                state.article.diagnose("warning", "reference-blocks", "a reference holds "
                                       "several blocks; kept as one line", f"references[{i}]")
                reference.content = normalize_inlines(
                    [Text(" ".join(_block_lines(blocks)))])
        out.append(reference)
    return out


def _load(key: str, value: Any) -> Any:
    """A model field from its JSON form, through the model's own ``from_dict``."""
    try:
        return getattr(Article.from_dict({"title": "-", key: value}), key)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"front matter {key} does not fit the model: "
                         f"{type(exc).__name__}: {exc}") from exc


def _unknown_fields(key: str, value: Any) -> Iterable[tuple[str, Any]]:
    """(path, value) of the entries in a front-matter field that the model has no place for."""
    cls = _SHAPES.get(key)
    if cls is None:
        return
    names = {f.name for f in dataclasses.fields(cls)}
    if isinstance(value, list):
        items: Iterable[tuple[str, Any]] = ((f"{key}[{i}]", v) for i, v in enumerate(value))
    else:
        items = [(key, value)] if key in ("source_publication", "rights") else []
    for where, item in items:
        if isinstance(item, dict):
            yield from ((f"{where}.{name}", v) for name, v in item.items() if name not in names)


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _block_lines(blocks: list[Block]) -> list[str]:
    return block_text(blocks).split("\n")


def _meta_list(value: Json) -> list[Json]:
    if isinstance(value, dict) and value.get("t") == "MetaList":
        return cast(list[Json], value["c"])
    return [] if value is None else [value]


def _meta_map(value: Json) -> dict[str, Json]:
    if isinstance(value, dict) and value.get("t") == "MetaMap":
        return cast(dict[str, Json], value["c"])
    return {}


def _meta_text(value: Json) -> str:
    """The exact text of a metadata value (no whitespace folding: titles keep their spaces)."""
    if not isinstance(value, dict):
        return ""
    kind, content = value.get("t"), value.get("c")
    if kind == "MetaInlines":
        return ast_text(content or [])
    if kind == "MetaBlocks":
        return "\n\n".join(ast_text(b.get("c", [])) for b in content or []
                           if b.get("t") in ("Para", "Plain"))
    if kind == "MetaString":
        return str(content)
    if kind == "MetaBool":
        return "true" if content else "false"
    if kind == "MetaList":
        return ", ".join(_meta_text(v) for v in content or [])
    return ""


def _title_fallback(article: Article, file_name: str | None) -> None:
    """No title in the front matter: a leading level-1 heading, else the file name."""
    first = article.body[0] if article.body else None
    if isinstance(first, Heading) and first.level == 1 and inline_text(first.content).strip():
        article.title = inline_text(first.content).strip()
        article.body.pop(0)
        return
    stem = Path(file_name).stem if file_name else ""
    article.title = stem or "Untitled"
    article.diagnose("warning", "title-fallback",
                     f"no title in the front matter or a leading heading; using {article.title!r}")


__all__ = ["MarkdownReader"]
