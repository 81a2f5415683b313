"""Markdown reader: CommonMark, GFM and pandoc Markdown with a YAML front matter.

Parsing is pandoc's (pandoc 3.9's ``markdown`` reader, a superset of CommonMark's syntax; one
sandboxed process per document through :mod:`converter.pandoc_run`), and this module maps
pandoc's JSON AST (pandoc-types 1.23) onto the model. It reads everything
:mod:`converter.writers.markdown` writes back to the same article (docs/markdown.md lists the
dialect), and ordinary Markdown files as people write them.

Reading options that differ from pandoc's defaults, each because it would change the text:
no implicit figures (a lone image stays an image in its paragraph, as CommonMark has it), no
automatic heading ids, no LaTeX macro expansion in math, tabs kept, and no abbreviation list
(pandoc would glue "Mr." to the next word with a no-break space).

The front matter is parsed twice: by PyYAML (exact strings, numbers and nesting for the plain
metadata fields) and by pandoc (Markdown-valued fields: title, subtitle, abstract, notes,
acknowledgements, contributor bios, reference texts). Keys named after model fields map onto them;
pandoc's ``author``, ``date``, ``lang`` and ``keywords`` fill the model when its own keys are
absent; any other key goes to ``extra`` verbatim.
"""

from __future__ import annotations

import dataclasses
import datetime
import html
import json
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote

import yaml

from .. import __version__
from ..errors import InputError
from ..model import (
    SCHEMA_VERSION,
    Article,
    Block,
    BlockQuote,
    BulletList,
    Citation,
    Code,
    CodeBlock,
    ColumnSpec,
    Contributor,
    DefinitionItem,
    DefinitionList,
    Discarded,
    Emphasis,
    Figure,
    Heading,
    HorizontalRule,
    Identifier,
    Image,
    Inline,
    LineBlock,
    LineBreak,
    Link,
    Math,
    MediaResource,
    Note,
    OrderedList,
    Paragraph,
    Provenance,
    Quoted,
    Reference,
    Rights,
    SmallCaps,
    SourcePublication,
    Speech,
    Strikeout,
    Strong,
    Subscript,
    Superscript,
    Table,
    TableCell,
    TableRow,
    Text,
    Underline,
    inline_text,
    normalize_inlines,
)
from ..options import ReadOptions, parse_partial_date
from ..pandoc_run import run_pandoc
from ..writers.markdown import (
    CAPTION_CLASS,
    CITATION_CLASS,
    CITES_ATTR,
    FIGURE_CLASS,
    LANGUAGE_ATTR,
    MATH_CLASS,
    ORDERED_LIST_CLASS,
    SEPARATOR,
    SINGLE_QUOTE_CLASS,
    SPEAKER_ATTR,
    SPEAKER_ROLE_ATTR,
    SPEECH_CLASS,
    START_ATTR,
    STYLE_ATTR,
    URL_ATTR,
    WIDTH_ATTR,
)
from .decode import decode_text

Json = Any

#: pandoc's markdown reader, with the text-changing conveniences turned off (module docstring)
PANDOC_FORMAT = "markdown-implicit_figures-auto_identifiers-latex_macros"
PANDOC_ARGS = ("--abbreviations=/dev/null", "--preserve-tabs", "-f", PANDOC_FORMAT, "-t", "json")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_LIST_STYLES = {"LowerAlpha": "lower-alpha", "UpperAlpha": "upper-alpha",
                "LowerRoman": "lower-roman", "UpperRoman": "upper-roman"}
_ALIGN = {"AlignLeft": "left", "AlignCenter": "center", "AlignRight": "right"}
#: inline HTML tags that carry model formatting, by tag name
_INLINE_TAGS: dict[str, type[Inline]] = {
    "em": Emphasis, "i": Emphasis, "strong": Strong, "b": Strong, "sup": Superscript,
    "sub": Subscript, "del": Strikeout, "s": Strikeout, "strike": Strikeout, "u": Underline,
    "ins": Underline, "q": Quoted, "code": Code,
}
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)\s*(/?)>")
_HTML_ATTR = re.compile(
    r"([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))")
_TEXT_ALIGN = re.compile(r"text-align:\s*(left|center|right)")
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
        state = _State(article)
        article.body = state.blocks(document.get("blocks", []), "body")
        _read_metadata(state, front, document.get("meta", {}))
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
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"front matter is not valid YAML{where}: {problem}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("front matter is not a YAML mapping (key: value lines)")
    return {str(k): _plain(v) for k, v in data.items()}


def _plain(value: Any) -> Any:
    """YAML data as JSON data (dates as ISO text, keys as strings)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) and value != value:  # NaN has no JSON form
        return None
    return value


def _read_metadata(state: _State, front: dict[str, Any], meta: dict[str, Json]) -> None:
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
    if isinstance(language, str) and re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", language):
        article.language = language
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


def _contributors(state: _State, front: dict[str, Any], meta: dict[str, Json]
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


def _references(state: _State, front: dict[str, Any], meta: dict[str, Json]) -> list[Reference]:
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
    from ..model import block_text

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
        return _plain_text(content or [])
    if kind == "MetaBlocks":
        return "\n\n".join(_plain_text(b.get("c", [])) for b in content or []
                           if b.get("t") in ("Para", "Plain"))
    if kind == "MetaString":
        return str(content)
    if kind == "MetaBool":
        return "true" if content else "false"
    if kind == "MetaList":
        return ", ".join(_meta_text(v) for v in content or [])
    return ""


def _plain_text(nodes: Iterable[Json]) -> str:
    """Pandoc inlines as their text, spaces exactly as written."""
    out: list[str] = []
    for node in nodes:
        kind, content = node.get("t"), node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak"):
            out.append(" ")
        elif kind == "LineBreak":
            out.append("\n")
        elif kind in ("Code", "Math"):
            out.append(content[1])
        elif kind == "Quoted":
            mark = '"' if content[0]["t"] == "DoubleQuote" else "'"
            out.append(mark + _plain_text(content[1]) + mark)
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript",
                      "SmallCaps"):
            out.append(_plain_text(content))
        elif kind in ("Span", "Link", "Image", "Cite"):
            out.append(_plain_text(content[1]))
    return "".join(out)


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


# --------------------------------------------------------------------------- the AST


@dataclass
class _Frame:
    """An open inline HTML element, collecting what pandoc read inside it."""

    tag: str
    attrs: dict[str, str]
    raw: str
    content: list[Inline] = field(default_factory=list)


@dataclass
class _TableFrame:
    """A ``<table>`` being rebuilt from pandoc's raw HTML pieces and the blocks between them."""

    table: Table
    section: str = "body"
    row: TableRow | None = None
    #: whether <thead>/<tbody>/<tfoot> were given (if not, leading rows of <th> are the head)
    sections_given: bool = False
    row_all_th: bool = True


@dataclass
class _Collector:
    """A cell or caption of an open table: blocks go here until its end tag."""

    kind: str  # "cell" or "caption"
    blocks: list[Block] = field(default_factory=list)
    cell: TableCell | None = None


class _State:
    """Maps pandoc's AST onto the model for one document."""

    def __init__(self, article: Article) -> None:
        self.article = article

    def discard(self, text: str, reason: str, place: str) -> None:
        self.article.discarded.append(Discarded(text=text, reason=reason, place=place))

    # ----------------------------------------------------------------- blocks

    def blocks(self, nodes: Iterable[Json], place: str) -> list[Block]:
        out: list[Block] = []
        stack: list[_TableFrame | _Collector] = []

        def sink() -> list[Block]:
            for item in reversed(stack):
                if isinstance(item, _Collector):
                    return item.blocks
            return out

        for node in nodes:
            if node.get("t") == "RawBlock" and _raw_format(node) == "html":
                self.raw_html_block(node["c"][1], stack, sink, place)
                continue
            sink().extend(self.block(node, place))
        while stack:  # an unclosed table: keep what it holds
            self.close_html(stack, sink, place, stack[-1])
        return out

    def raw_html_block(self, raw: str, stack: list[_TableFrame | _Collector],
                       sink: Any, place: str) -> None:
        if raw.strip() == SEPARATOR:
            return
        position = 0
        for match in _TAG.finditer(raw):
            self.html_text(raw[position:match.start()], stack, sink, place)
            position = match.end()
            closing, name = bool(match.group(1)), match.group(2).lower()
            attrs = _html_attributes(match.group(3))
            if not self.table_tag(name, closing, attrs, stack, sink, place):
                self.html_text(match.group(0), stack, sink, place)
        self.html_text(raw[position:], stack, sink, place)

    def html_text(self, text: str, stack: list[_TableFrame | _Collector], sink: Any,
                  place: str) -> None:
        if not text.strip():
            return
        if stack and isinstance(stack[-1], _Collector):
            stack[-1].blocks.append(Paragraph(normalize_inlines([Text(html.unescape(text))])))
        elif re.fullmatch(r"\s*<!--.*-->\s*", text, re.DOTALL):
            self.discard(text.strip(), "HTML comment", place)
        else:
            self.discard(text.strip(), "raw HTML", place)

    def table_tag(self, name: str, closing: bool, attrs: dict[str, str],
                  stack: list[_TableFrame | _Collector], sink: Any, place: str) -> bool:
        """Apply one tag of an HTML table; False if it is no table tag here."""
        frame = next((f for f in reversed(stack) if isinstance(f, _TableFrame)), None)
        if name == "table":
            if not closing:
                stack.append(_TableFrame(Table(id=attrs.get("id") or None)))
            elif frame is not None:
                while stack and stack[-1] is not frame:
                    self.close_html(stack, sink, place, stack[-1])
                self.close_html(stack, sink, place, frame)
            return closing is False or frame is not None
        if frame is None or (stack[-1] is not frame and name not in ("td", "th", "caption")):
            return False
        table = frame.table
        if name == "caption":
            if not closing:
                stack.append(_Collector("caption"))
            elif isinstance(stack[-1], _Collector) and stack[-1].kind == "caption":
                table.caption = stack[-1].blocks
                stack.pop()
        elif name in ("thead", "tbody", "tfoot"):
            frame.sections_given = True
            frame.section = {"thead": "head", "tfoot": "foot"}.get(name, "body") if not (
                closing) else "body"
        elif name == "colgroup":
            pass
        elif name == "col" and not closing:
            width = attrs.get(WIDTH_ATTR)
            table.columns.append(ColumnSpec(_align(attrs), _width(width)))
        elif name == "tr":
            if not closing:
                frame.row, frame.row_all_th = TableRow(), True
                getattr(table, frame.section).append(frame.row)
            else:
                if (frame.row is not None and frame.row.cells and not frame.sections_given
                        and frame.row_all_th and table.body == [frame.row]):
                    table.head.append(table.body.pop())
                frame.row = None
        elif name in ("td", "th"):
            if not closing:
                cell = TableCell(colspan=_span(attrs.get("colspan")),
                                 rowspan=_span(attrs.get("rowspan")), align=_align(attrs))
                if frame.row is None:
                    frame.row = TableRow()
                    getattr(table, frame.section).append(frame.row)
                frame.row.cells.append(cell)
                frame.row_all_th &= name == "th"
                stack.append(_Collector("cell", cell=cell))
            elif isinstance(stack[-1], _Collector) and stack[-1].cell is not None:
                stack[-1].cell.blocks = stack[-1].blocks
                stack.pop()
        else:
            return False
        return True

    def close_html(self, stack: list[_TableFrame | _Collector], sink: Any, place: str,
                   item: _TableFrame | _Collector) -> None:
        stack.remove(item)
        if isinstance(item, _TableFrame):
            sink().append(item.table)
        elif item.cell is not None:
            item.cell.blocks = item.blocks
        else:
            sink().extend(item.blocks)

    def block(self, node: Json, place: str) -> list[Block]:
        kind, c = node.get("t"), node.get("c")
        if kind in ("Para", "Plain"):
            return [Paragraph(self.line(c, place))]
        if kind == "Header":
            return [Heading(level=c[0], content=self.line(c[2], place), id=c[1][0] or None)]
        if kind == "BulletList":
            return [BulletList(items=[self.blocks(item, place) for item in c])]
        if kind == "OrderedList":
            start, style = c[0][0], c[0][1]["t"]
            return [OrderedList(items=[self.blocks(item, place) for item in c[1]], start=start,
                                style=_LIST_STYLES.get(style, "decimal"))]  # type: ignore[arg-type]
        if kind == "DefinitionList":
            return [DefinitionList(items=[DefinitionItem(
                term=self.line(term, place),
                definitions=[self.blocks(d, place) for d in definitions])
                for term, definitions in c])]
        if kind == "BlockQuote":
            return [BlockQuote(blocks=self.blocks(c, place))]
        if kind == "CodeBlock":
            (_ident, classes, pairs), text = c
            language = classes[0] if classes else dict(pairs).get(LANGUAGE_ATTR)
            return [CodeBlock(text=text, language=language or None)]
        if kind == "HorizontalRule":
            return [HorizontalRule()]
        if kind == "LineBlock":
            return [LineBlock(lines=[self.line(line, place) for line in c])]
        if kind == "Table":
            return [self.table(c, place)]
        if kind == "Figure":
            (ident, _classes, _pairs), caption, content = c
            return [Figure(content=self.blocks(content, place),
                           caption=self.blocks(caption[1], place), id=ident or None)]
        if kind == "Div":
            return self.div(c, place)
        if kind == "RawBlock":
            self.discard(c[1], f"raw {c[0]} markup", place)
            return []
        return []  # Null

    def div(self, c: Json, place: str) -> list[Block]:
        (ident, classes, pairs), children = c
        attrs = dict(pairs)
        if SPEECH_CLASS in classes and attrs.get(SPEAKER_ATTR):
            speaker = attrs[SPEAKER_ATTR]
            blocks = self.blocks(_strip_label(children, speaker), place)
            return [Speech(speaker=speaker, blocks=blocks,
                           speaker_role=attrs.get(SPEAKER_ROLE_ATTR))]
        if FIGURE_CLASS in classes:
            caption: list[Block] = []
            if children and children[-1].get("t") == "Div" and children[-1]["c"][0] == [
                    "", [CAPTION_CLASS], []]:
                caption = self.blocks(children[-1]["c"][1], place)
                children = children[:-1]
            return [Figure(content=self.blocks(children, place), caption=caption,
                           id=ident or None)]
        inner = self.blocks(children, place)
        if ORDERED_LIST_CLASS in classes and len(inner) == 1 and isinstance(
                inner[0], OrderedList):
            start, style = attrs.get(START_ATTR, "1"), attrs.get(STYLE_ATTR, "decimal")
            if re.fullmatch(r"-?[0-9]+", start):
                inner[0].start = int(start)
            if style in ("decimal", *_LIST_STYLES.values()):
                inner[0].style = style
        return inner

    def table(self, c: Json, place: str) -> Table:
        (ident, _classes, _pairs), caption, colspecs, head, bodies, foot = c

        def rows(raw_rows: Json) -> list[TableRow]:
            return [TableRow(cells=[TableCell(
                blocks=self.blocks(cell[4], place), rowspan=cell[2], colspan=cell[3],
                align=_ALIGN.get(cell[1]["t"])) for cell in row[1]])  # type: ignore[arg-type]
                for row in raw_rows]

        columns = [ColumnSpec(_ALIGN.get(align["t"]),  # type: ignore[arg-type]
                              width["c"] if width["t"] == "ColWidth" else None)
                   for align, width in colspecs]
        if all(col.align is None and col.width is None for col in columns):
            columns = []
        body: list[TableRow] = []
        for table_body in bodies:
            body += rows(table_body[2]) + rows(table_body[3])
        return Table(body=body, head=rows(head[1]), foot=rows(foot[1]), columns=columns,
                     caption=self.blocks(caption[1], place), id=ident or None)

    def meta_blocks(self, value: Json, place: str) -> list[Block]:
        kind = value.get("t") if isinstance(value, dict) else None
        if kind == "MetaBlocks":
            return self.blocks(value["c"], place)
        if kind == "MetaInlines":
            line = self.line(value["c"], place)
            return [Paragraph(line)] if line else []
        if kind == "MetaString":
            return [Paragraph(normalize_inlines([Text(value["c"])]))] if value["c"] else []
        if kind == "MetaList":
            return [block for item in value["c"] for block in self.meta_blocks(item, place)]
        return []

    # ----------------------------------------------------------------- inlines

    def line(self, nodes: Iterable[Json], place: str) -> list[Inline]:
        """A block's inlines in the canonical form."""
        return normalize_inlines(self.inlines(nodes, place))

    def inlines(self, nodes: Iterable[Json], place: str) -> list[Inline]:
        """Pandoc inlines, inline HTML elements paired up into model formatting."""
        root: list[Inline] = []
        frames: list[_Frame] = []
        for node in nodes:
            target = frames[-1].content if frames else root
            if node.get("t") == "RawInline" and _raw_format(node) == "html":
                self.raw_html_inline(node["c"][1], frames, root, place)
                continue
            target.extend(self.inline(node, place))
        while frames:  # unclosed elements: their content stays, the tag goes to discarded
            frame = frames.pop()
            self.discard(frame.raw, "unclosed HTML element", place)
            (frames[-1].content if frames else root).extend(frame.content)
        return root

    def raw_html_inline(self, raw: str, frames: list[_Frame], root: list[Inline],
                        place: str) -> None:
        match = _TAG.fullmatch(raw.strip())
        target = frames[-1].content if frames else root
        if match is None:
            self.discard(raw, "HTML comment" if raw.startswith("<!--") else "raw HTML", place)
            return
        closing, name = bool(match.group(1)), match.group(2).lower()
        if name == "br":
            target.append(LineBreak())
        elif not closing and (name in _INLINE_TAGS or name == "span") and not match.group(4):
            frames.append(_Frame(name, _html_attributes(match.group(3)), raw))
        elif closing and frames and frames[-1].tag == name:
            frame = frames.pop()
            (frames[-1].content if frames else root).extend(_element(frame))
        elif closing and any(f.tag == name for f in frames):
            while frames[-1].tag != name:  # close what was left open inside
                inner = frames.pop()
                self.discard(inner.raw, "unclosed HTML element", place)
                frames[-1].content.extend(inner.content)
            frame = frames.pop()
            (frames[-1].content if frames else root).extend(_element(frame))
        else:
            self.discard(raw, "raw HTML", place)

    def inline(self, node: Json, place: str) -> list[Inline]:
        kind, c = node.get("t"), node.get("c")
        if kind == "Str":
            return [Text(c)]
        if kind in ("Space", "SoftBreak"):
            return [Text(" ")]
        if kind == "LineBreak":
            return [LineBreak()]
        simple = _SIMPLE.get(kind)
        if simple is not None:
            return [simple(content=self.inlines(c, place))]  # type: ignore[call-arg]
        if kind == "Code":
            return [Code(text=c[1])]
        if kind == "Math":
            return [Math(text=c[1], display=c[0]["t"] == "DisplayMath")]
        if kind == "Quoted":
            return [Quoted(quote="single" if c[0]["t"] == "SingleQuote" else "double",
                           content=self.inlines(c[1], place))]
        if kind in ("Link", "Image"):
            url = dict(c[0][2]).get(URL_ATTR, c[2][0])
            cls = Link if kind == "Link" else Image
            return [cls(url=url, content=self.inlines(c[1], place), title=c[2][1] or None)]
        if kind == "Note":
            return [Note(blocks=self.blocks(c, place))]
        if kind == "Cite":
            return [Citation(keys=[citation["citationId"] for citation in c[0]],
                             content=self.inlines(c[1], place))]
        if kind == "Span":
            return self.span(c, place)
        if kind == "RawInline":
            self.discard(c[1], f"raw {c[0]['c'] if isinstance(c[0], dict) else c[0]} markup",
                         place)
            return []
        return []

    def span(self, c: Json, place: str) -> list[Inline]:
        (_ident, classes, pairs), children = c
        content = self.inlines(children, place)
        attrs = dict(pairs)
        if CITATION_CLASS in classes and CITES_ATTR in attrs:
            keys = [unquote(k) if k != "%" else "" for k in attrs[CITES_ATTR].split()]
            return [Citation(keys=keys, content=content)]
        if MATH_CLASS in classes:
            return [Math(text=inline_text(content), display="display" in classes)]
        return content  # the span's own attributes have no place in the model


_SIMPLE: dict[str, type[Inline]] = {
    "Emph": Emphasis, "Strong": Strong, "Superscript": Superscript, "Subscript": Subscript,
    "SmallCaps": SmallCaps, "Strikeout": Strikeout, "Underline": Underline,
}


def _element(frame: _Frame) -> list[Inline]:
    """The model nodes for a closed inline HTML element (a plain span is just its content)."""
    classes = frame.attrs.get("class", "").split()
    if frame.tag == "span":
        if MATH_CLASS in classes:
            return [Math(text=inline_text(frame.content), display="display" in classes)]
        if "smallcaps" in classes:
            return [SmallCaps(content=frame.content)]
        return frame.content
    cls = _INLINE_TAGS[frame.tag]
    if cls is Code:
        return [Code(text=inline_text(frame.content))]
    if cls is Quoted:
        single = SINGLE_QUOTE_CLASS in classes
        return [Quoted(quote="single" if single else "double", content=frame.content)]
    return [cls(content=frame.content)]  # type: ignore[call-arg]


def _strip_label(children: list[Json], speaker: str) -> list[Json]:
    """The speech turn's blocks without the ``**Speaker:**`` label the writer put first."""
    if not children or children[0].get("t") not in ("Para", "Plain"):
        return children
    first = children[0]["c"]
    if not first or first[0].get("t") != "Strong" or _plain_text(first[0]["c"]) != speaker + ":":
        return children
    rest = first[1:]
    if rest and rest[0].get("t") in ("Space", "SoftBreak"):
        rest = rest[1:]
    return [{"t": children[0]["t"], "c": rest}, *children[1:]]


def _raw_format(node: Json) -> str:
    fmt = node["c"][0]
    return str(fmt["c"] if isinstance(fmt, dict) else fmt).lower()


def _html_attributes(text: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(next(g for g in m.groups()[1:] if g is not None))
            for m in _HTML_ATTR.finditer(text)}


def _align(attrs: dict[str, str]) -> Any:
    match = _TEXT_ALIGN.search(attrs.get("style", "")) or _TEXT_ALIGN.search(
        "text-align:" + attrs.get("align", ""))
    return match.group(1) if match else None


def _span(value: str | None) -> int:
    return int(value) if value and value.isdigit() and int(value) >= 1 else 1


def _width(value: str | None) -> float | None:
    try:
        width = float(value) if value is not None else -1.0
    except ValueError:
        return None
    return width if width >= 0 else None


__all__ = ["MarkdownReader"]
