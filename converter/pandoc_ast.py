"""Pandoc's JSON AST <-> the canonical model, both directions (pandoc-types API 1.23, pandoc 3.9).

The AST is specified by the Haskell package pandoc-types (``Text.Pandoc.Definition``); its JSON
form is what ``pandoc -t json`` prints. The model's body vocabulary was drawn from it, so most
nodes map one to one; docs/pandoc.md has the whole table. :class:`AstReader` is the one AST ->
model mapping: the pandoc and HTML readers use it through :func:`article_from_pandoc` (which also
reads pandoc's metadata), the Markdown reader directly (its front matter is its own). The rules
that are not one to one:

* ``Str``/``Space``/``SoftBreak`` runs become one merged ``Text`` (spaces and soft breaks as " ");
  writing splits text at each space again, so model -> AST -> model is exact.
* ``Plain`` and ``Para`` both become ``Paragraph``; a list item, cell or definition holding one
  paragraph is written back as ``Plain`` (a tight list), anything else as ``Para``.
* ``Div`` and ``Span`` are unwrapped. What their attributes mean is kept: a ``Div`` with class
  ``speech`` and a ``speaker`` attribute is a :class:`Speech` (written back the same way, with a
  bold speaker label; the reader drops that label); a ``Div.figure`` (with a last
  ``Div.caption``) is a figure; a ``Div.ordered-list`` sets its list's start and style; a
  ``Div``'s id moves onto the heading, table or figure it starts; spans with class
  ``smallcaps``/``underline`` become those nodes, ``Span.citation`` with ``data-cites`` a
  citation, ``Span.math`` math; a ``url`` attribute on a link or image is its exact URL. These
  are the attribute spellings of our Markdown dialect (:mod:`converter.formats.markdown`).
* Raw HTML is read as HTML as far as the model can say it: inline tags with a model meaning
  (``<em>``, ``<b>``, ``<sup>``, ``<q>``, ``<code>``, ``<br>``, ``<span class=...>``, ...) are
  paired up into that formatting, a ``<table>`` spread over raw HTML pieces with blocks between
  them (how Markdown holds an HTML table) is rebuilt as a table; the tags left over and HTML
  comments go to ``Article.discarded`` (their text stays in the body).
* Other ``RawBlock``/``RawInline`` cannot be rendered by other writers: their text goes to
  ``Article.discarded`` with one diagnostic per format.
* Model content with no AST node of its own (notes, acknowledgements, references, image credits)
  is written as extra body sections so that no writer built on pandoc drops it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast
from urllib.parse import unquote_to_bytes

from .formats.markdown import (
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
    unquote_key,
)
from .model import (
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
    block_text,
    inline_text,
    normalize_inlines,
)
from .pandoc.run import PANDOC_API_VERSION

Json = Any
Align = Literal["left", "center", "right"]
ListStyle = Literal["decimal", "lower-alpha", "upper-alpha", "lower-roman", "upper-roman"]

_ALIGN_IN: dict[str, Align | None] = {
    "AlignLeft": "left", "AlignCenter": "center", "AlignRight": "right", "AlignDefault": None,
}
_ALIGN_OUT = {v: k for k, v in _ALIGN_IN.items()}
_STYLE_IN: dict[str, ListStyle] = {
    "LowerAlpha": "lower-alpha", "UpperAlpha": "upper-alpha", "LowerRoman": "lower-roman",
    "UpperRoman": "upper-roman",
}
_STYLE_OUT = {v: k for k, v in _STYLE_IN.items()} | {"decimal": "Decimal"}
_WRAPPERS_IN: dict[str, Callable[[list[Inline]], Inline]] = {
    "Emph": Emphasis, "Strong": Strong, "Superscript": Superscript, "Subscript": Subscript,
    "SmallCaps": SmallCaps, "Strikeout": Strikeout, "Underline": Underline,
}
_WRAPPERS_OUT: dict[type[Inline], str] = {
    Emphasis: "Emph", Strong: "Strong", Superscript: "Superscript", Subscript: "Subscript",
    SmallCaps: "SmallCaps", Strikeout: "Strikeout", Underline: "Underline",
}
_SPAN_CLASSES: dict[str, Callable[[list[Inline]], Inline]] = {
    "smallcaps": SmallCaps, "small-caps": SmallCaps, "underline": Underline, "ul": Underline,
}
#: inline HTML tags that carry model formatting, by tag name
_INLINE_TAGS: dict[str, type[Inline]] = {
    "em": Emphasis, "i": Emphasis, "strong": Strong, "b": Strong, "sup": Superscript,
    "sub": Subscript, "del": Strikeout, "s": Strikeout, "strike": Strikeout, "u": Underline,
    "ins": Underline, "q": Quoted, "code": Code,
}
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)\s*(/?)>")
_HTML_ATTR = re.compile(
    r"([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))")
_TABLE_TAG = re.compile(r"<table[\s>/]", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*-->", re.DOTALL)
_TEXT_ALIGN = re.compile(r"text-align:\s*(left|center|right)")
_EMPTY_ATTR: Json = ["", [], []]
_DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %Y", "%Y/%m/%d",
                 "%Y.%m.%d", "%d.%m.%Y")
#: image types by file extension; anything else is sniffed or application/octet-stream
MEDIA_TYPES = {
    "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
    "svg": "image/svg+xml", "webp": "image/webp", "tif": "image/tiff", "tiff": "image/tiff",
    "bmp": "image/bmp", "emf": "image/emf", "wmf": "image/wmf", "ico": "image/vnd.microsoft.icon",
    "avif": "image/avif", "mp3": "audio/mpeg", "mp4": "video/mp4", "webm": "video/webm",
    "pdf": "application/pdf", "css": "text/css", "ttf": "font/ttf", "otf": "font/otf",
    "woff": "font/woff", "woff2": "font/woff2",
}
_EXTENSIONS = {v: k for k, v in reversed(MEDIA_TYPES.items())} | {"image/jpeg": "jpg"}
_MAGIC = ((b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF8", "gif"), (b"%PDF", "pdf"),
          (b"BM", "bmp"), (b"II*\x00", "tif"), (b"MM\x00*", "tif"))


# =========================================================================== media


@dataclass(frozen=True)
class MediaFile:
    """One resource a reader found (extracted by pandoc or decoded from a data: URI)."""

    data: bytes
    extension: str

    @property
    def path(self) -> str:
        """The collision-free path in the article: ``media/<sha1>.<ext>``."""
        return f"media/{hashlib.sha1(self.data).hexdigest()}.{self.extension}"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES.get(self.extension, "application/octet-stream")


def media_file(name: str, data: bytes) -> MediaFile:
    """A resource named ``name``; the extension comes from the name, else from the bytes."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
    if not re.fullmatch(r"[a-z0-9]{1,8}", extension):
        extension = sniff_extension(data)
    return MediaFile(data, extension)


def sniff_extension(data: bytes) -> str:
    for magic, extension in _MAGIC:
        if data.startswith(magic):
            return extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if b"<svg" in data[:1024]:
        return "svg"
    return "bin"


def decode_data_uri(url: str) -> MediaFile | None:
    """The bytes of a ``data:`` URI (RFC 2397), or None when it is malformed."""
    header, sep, payload = url[5:].partition(",")
    if not sep:
        return None
    media_type = header.split(";", 1)[0].strip().lower()
    try:
        data = (base64.b64decode(payload, validate=False) if header.endswith(";base64")
                else unquote_to_bytes(payload))
    except (binascii.Error, ValueError):
        return None
    extension = _EXTENSIONS.get(media_type) or sniff_extension(data)
    return MediaFile(data, extension)


# =========================================================================== pandoc -> model


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


def _attr(node: Json) -> tuple[str, list[str], dict[str, str]]:
    ident, classes, pairs = node
    return ident, list(classes), {k: v for k, v in pairs}


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


_Open = list[_TableFrame | _Collector]


class AstReader:
    """Maps pandoc AST nodes onto the model for one article (the one mapping every reader uses).

    ``media`` maps image URLs to files the reader holds (see :func:`article_from_pandoc`).
    Raw markup goes to ``Article.discarded``; :meth:`finish` adds the diagnostics and the media
    found on the way.
    """

    def __init__(self, article: Article, media: dict[str, MediaFile] | None = None) -> None:
        self.article = article
        self.media = dict(media or {})
        self.used_media: dict[str, MediaResource] = {}
        self.raw: dict[str, int] = {}  # raw fragments whose text is lost, by format
        self.clamped = 0

    def check_version(self, document: Json) -> None:
        version = tuple(document.get("pandoc-api-version", ()))
        if version[:2] != PANDOC_API_VERSION[:2]:
            self.article.diagnose("warning", "pandoc-api-version",
                                  f"pandoc AST version {version} differs from the expected "
                                  f"{PANDOC_API_VERSION}; some nodes may be misread")

    def finish(self) -> None:
        """Diagnostics for what was set aside; the media the images use (after any present)."""
        article = self.article
        for fmt, count in self.raw.items():
            article.diagnose("warning", "raw-markup",
                             f"{count} raw {fmt} fragment(s) cannot be converted; "
                             "kept in 'discarded'")
        if self.clamped:
            article.diagnose("info", "heading-level",
                             f"{self.clamped} heading(s) deeper than level 6 set to level 6")
        present = {m.path for m in article.media}
        article.media.extend(m for m in self.used_media.values() if m.path not in present)
        for resource in self.used_media.values():
            article.resources[resource.path] = next(
                m.data for m in self.media.values() if m.path == resource.path)

    def discard(self, text: str, reason: str, place: str) -> None:
        self.article.discarded.append(Discarded(text, reason, place))

    def raw_markup(self, content: Json, place: str) -> None:
        """A ``RawBlock``/``RawInline`` no other writer can render: discarded, counted."""
        fmt, text = content
        fmt = str(fmt["c"] if isinstance(fmt, dict) else fmt)
        if not text.strip():
            return
        self.raw[fmt] = self.raw.get(fmt, 0) + 1
        self.discard(text, f"raw {fmt} markup", place)

    # ----------------------------------------------------------------- blocks

    def blocks(self, nodes: Iterable[Json], place: str) -> list[Block]:
        """Blocks; raw HTML ``<table>`` pieces and the blocks between them become a table."""
        out: list[Block] = []
        stack: _Open = []

        def sink() -> list[Block]:
            for item in reversed(stack):
                if isinstance(item, _Collector):
                    return item.blocks
            return out

        for index, node in enumerate(nodes):
            where = f"{place}[{index}]"
            if node.get("t") == "RawBlock" and _raw_format(node) == "html":
                self.raw_html_block(node["c"][1], stack, sink, where)
                continue
            sink().extend(self.block(node, where))
        while stack:  # an unclosed table: keep what it holds
            self.close_html(stack, sink, stack[-1])
        return out

    def block(self, node: Json, place: str) -> list[Block]:
        tag, content = node["t"], node.get("c")
        if tag in ("Para", "Plain"):
            inlines = self.line(content, place)
            # a paragraph whose text is all blank or raw markup (discarded) is no paragraph;
            # an empty one, or one of a bare empty span (our Markdown's `[]{}`), stays
            keep = inlines or all(n["t"] == "Span" and n["c"] == [_EMPTY_ATTR, []]
                                  for n in content)
            return [Paragraph(inlines)] if keep else []
        if tag == "Header":
            level, attr, inlines = content
            if level > 6:
                self.clamped += 1
            return [Heading(min(max(level, 1), 6), self.line(inlines, place), attr[0] or None)]
        if tag == "CodeBlock":
            (_ident, classes, pairs), text = content
            language = classes[0] if classes else dict(pairs).get(LANGUAGE_ATTR)
            return [CodeBlock(text, language or None)]
        if tag == "RawBlock":
            self.raw_markup(content, place)
            return []
        if tag == "BlockQuote":
            return [BlockQuote(self.blocks(content, place))]
        if tag == "OrderedList":
            (start, style, _delim), items = content
            return [OrderedList([self.blocks(item, place) for item in items], start,
                                _STYLE_IN.get(style["t"], "decimal"))]
        if tag == "BulletList":
            return [BulletList([self.blocks(item, place) for item in content])]
        if tag == "DefinitionList":
            return [DefinitionList([
                DefinitionItem(self.line(term, place),
                               [self.blocks(d, place) for d in definitions])
                for term, definitions in content])]
        if tag == "HorizontalRule":
            return [HorizontalRule()]
        if tag == "LineBlock":
            return [LineBlock([self.line(line, place) for line in content])]
        if tag == "Table":
            return [self.table(content, place)]
        if tag == "Figure":
            attr, (_short, caption), body = content
            return [Figure(self.blocks(body, place), self.blocks(caption, place),
                           attr[0] or None)]
        if tag == "Div":
            return self.div(content, place)
        self.article.diagnose("warning", "pandoc-unknown-block",
                              f"unknown pandoc block {tag!r} left out", place)
        return []

    def div(self, content: Json, place: str) -> list[Block]:
        """A ``Div`` is unwrapped unless its class says what it is (speech, figure)."""
        attr, children = content
        ident, classes, pairs = _attr(attr)
        speaker = pairs.get(SPEAKER_ATTR, "").strip()
        if SPEECH_CLASS in classes and speaker:
            blocks = self.blocks(_strip_speaker_label(children, speaker), place)
            role = pairs.get(SPEAKER_ROLE_ATTR, pairs.get("role"))
            return [Speech(speaker, blocks, role or None)]
        if FIGURE_CLASS in classes:
            caption: list[Block] = []
            if children and children[-1].get("t") == "Div" and children[-1]["c"][0] == [
                    "", [CAPTION_CLASS], []]:
                caption = self.blocks(children[-1]["c"][1], place)
                children = children[:-1]
            return [Figure(self.blocks(children, place), caption, ident or None)]
        blocks = self.blocks(children, place)
        if ORDERED_LIST_CLASS in classes and len(blocks) == 1 and isinstance(
                blocks[0], OrderedList):
            start, style = pairs.get(START_ATTR, "1"), pairs.get(STYLE_ATTR, "decimal")
            if re.fullmatch(r"-?[0-9]+", start):
                blocks[0].start = int(start)
            if style in ("decimal", *_STYLE_IN.values()):
                blocks[0].style = style
        if ident and blocks and isinstance(blocks[0], Heading | Table | Figure) and not (
                blocks[0].id):
            blocks[0].id = ident
        return blocks

    def table(self, content: Json, place: str) -> Table:
        attr, (_short, caption), colspecs, head, bodies, foot = content

        def rows(raw_rows: Json) -> list[TableRow]:
            return [TableRow([TableCell(self.blocks(blocks, place), max(colspan, 1),
                                        max(rowspan, 1), _ALIGN_IN.get(align["t"]))
                              for _cattr, align, rowspan, colspan, blocks in cells])
                    for _rattr, cells in raw_rows]

        columns = [ColumnSpec(_ALIGN_IN.get(align["t"]),
                              width["c"] if width["t"] == "ColWidth" else None)
                   for align, width in colspecs]
        if all(c.align is None and c.width is None for c in columns):
            columns = []
        body: list[TableRow] = []
        for _battr, _row_head_columns, inner_head, inner_body in bodies:
            body.extend(rows(inner_head) + rows(inner_body))
        return Table(body, rows(head[1]), rows(foot[1]), columns, self.blocks(caption, place),
                     attr[0] or None)

    def meta_blocks(self, value: Json, place: str) -> list[Block]:
        """A metadata value (Markdown text in a front matter, an abstract) as blocks."""
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

    # ----------------------------------------------------------------- raw HTML blocks

    def raw_html_block(self, raw: str, stack: _Open, sink: Callable[[], list[Block]],
                       place: str) -> None:
        stripped = raw.strip()
        if stripped == SEPARATOR:
            return
        if not stack and not _TABLE_TAG.search(raw):
            if _COMMENT.fullmatch(stripped):
                self.discard(stripped, "HTML comment", place)
            elif _TAG.fullmatch(stripped):  # one tag: what it holds is in the blocks around it
                self.discard(stripped, "raw HTML", place)
            else:  # markup with text in it, which no other format can say
                self.raw_markup(["html", raw], place)
            return
        position = 0
        for match in _TAG.finditer(raw):
            self.html_text(raw[position:match.start()], stack, place)
            position = match.end()
            closing, name = bool(match.group(1)), match.group(2).lower()
            attrs = _html_attributes(match.group(3))
            if not self.table_tag(name, closing, attrs, stack, sink):
                self.html_text(match.group(0), stack, place)
        self.html_text(raw[position:], stack, place)

    def html_text(self, text: str, stack: _Open, place: str) -> None:
        if not text.strip():
            return
        if stack and isinstance(stack[-1], _Collector):
            stack[-1].blocks.append(Paragraph(normalize_inlines([Text(html.unescape(text))])))
        elif _COMMENT.fullmatch(text.strip()):
            self.discard(text.strip(), "HTML comment", place)
        else:
            self.discard(text.strip(), "raw HTML", place)

    def table_tag(self, name: str, closing: bool, attrs: dict[str, str], stack: _Open,
                  sink: Callable[[], list[Block]]) -> bool:
        """Apply one tag of an HTML table; False if it is no table tag here."""
        frame = next((f for f in reversed(stack) if isinstance(f, _TableFrame)), None)
        if name == "table":
            if not closing:
                stack.append(_TableFrame(Table(id=attrs.get("id") or None)))
            elif frame is not None:
                while stack and stack[-1] is not frame:
                    self.close_html(stack, sink, stack[-1])
                self.close_html(stack, sink, frame)
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
            table.columns.append(ColumnSpec(_html_align(attrs), _width(attrs.get(WIDTH_ATTR))))
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
                                 rowspan=_span(attrs.get("rowspan")), align=_html_align(attrs))
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

    def close_html(self, stack: _Open, sink: Callable[[], list[Block]],
                   item: _TableFrame | _Collector) -> None:
        stack.remove(item)
        if isinstance(item, _TableFrame):
            sink().append(item.table)
        elif item.cell is not None:
            item.cell.blocks = item.blocks
        else:
            sink().extend(item.blocks)

    # ----------------------------------------------------------------- inlines

    def line(self, nodes: Iterable[Json], place: str) -> list[Inline]:
        """The inlines of a whole block line, in the model's canonical form (normalize_inlines)."""
        return normalize_inlines(self.inlines(nodes, place))

    def inlines(self, nodes: Iterable[Json], place: str) -> list[Inline]:
        """Pandoc inlines, inline HTML elements paired up into model formatting."""
        root: list[Inline] = []
        frames: list[_Frame] = []
        for node in nodes:
            if node.get("t") == "RawInline" and _raw_format(node) == "html":
                self.raw_html_inline(node["c"][1], frames, root, place)
                continue
            (frames[-1].content if frames else root).extend(self.inline(node, place))
        while frames:  # unclosed elements: their content stays, the tag goes to discarded
            frame = frames.pop()
            self.discard(frame.raw, "unclosed HTML element", place)
            (frames[-1].content if frames else root).extend(frame.content)
        return _merge_text(root)

    def raw_html_inline(self, raw: str, frames: list[_Frame], root: list[Inline],
                        place: str) -> None:
        match = _TAG.fullmatch(raw.strip())
        target = frames[-1].content if frames else root
        if match is None:
            if _COMMENT.fullmatch(raw.strip()):
                self.discard(raw, "HTML comment", place)
            else:  # markup with text in it, which no other format can say
                self.raw_markup(["html", raw], place)
            return
        closing, name = bool(match.group(1)), match.group(2).lower()
        if name == "br":
            target.append(LineBreak())
        elif not closing and (name in _INLINE_TAGS or name == "span") and not match.group(4):
            frames.append(_Frame(name, _html_attributes(match.group(3)), raw))
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
        tag, content = node["t"], node.get("c")
        if tag == "Str":
            return [Text(content)]
        if tag in ("Space", "SoftBreak"):
            return [Text(" ")]
        if tag in _WRAPPERS_IN:
            return [_WRAPPERS_IN[tag](self.inlines(content, place))]
        if tag == "LineBreak":
            return [LineBreak()]
        if tag == "Code":
            return [Code(content[1])]
        if tag == "Math":
            kind, text = content
            return [Math(text, kind["t"] == "DisplayMath")]
        if tag == "Quoted":
            kind, inner = content
            return [Quoted("single" if kind["t"] == "SingleQuote" else "double",
                           self.inlines(inner, place))]
        if tag == "Cite":
            citations, inner = content
            return [Citation([c["citationId"] for c in citations], self.inlines(inner, place))]
        if tag in ("Link", "Image"):
            attr, inner, (url, title) = content
            url = dict(attr[2]).get(URL_ATTR, url)  # the exact URL, where Markdown cannot say it
            if tag == "Link":
                return [Link(url, self.inlines(inner, place), title or None)]
            alt = self.inlines(inner, place)
            return [Image(self.media_url(url, alt), alt, title or None)]
        if tag == "Note":
            return [Note(self.blocks(content, place))]
        if tag == "Span":
            return self.span(content, place)
        if tag == "RawInline":
            self.raw_markup(content, place)
            return []
        self.article.diagnose("warning", "pandoc-unknown-inline",
                              f"unknown pandoc inline {tag!r} left out", place)
        return []

    def span(self, content: Json, place: str) -> list[Inline]:
        """A ``Span`` is unwrapped unless its class says what it is (citation, math, ...)."""
        attr, children = content
        _ident, classes, pairs = _attr(attr)
        inlines = self.inlines(children, place)
        if CITATION_CLASS in classes and CITES_ATTR in pairs:
            keys = [unquote_key(k) for k in pairs[CITES_ATTR].split()]
            return [Citation(keys, inlines)]
        if MATH_CLASS in classes:
            return [Math(inline_text(inlines), "display" in classes)]
        for cls in classes:
            if cls in _SPAN_CLASSES and inlines:
                return [_SPAN_CLASSES[cls](inlines)]
        return inlines

    def media_url(self, url: str, alt: list[Inline]) -> str:
        """The model URL of an image: its media path when the reader holds its bytes."""
        found = self.media.get(url)
        if found is None and url.startswith("data:"):
            found = decode_data_uri(url)
            if found is None:
                self.article.diagnose("warning", "bad-data-uri",
                                      "an image's data: URI is malformed")
                return url
            self.media[url] = found
        if found is None:
            return url
        if found.path not in self.used_media:
            alt_text = " ".join(inline_text(alt).split())
            self.used_media[found.path] = MediaResource(
                found.path, found.media_type, len(found.data),
                hashlib.sha256(found.data).hexdigest(), alt_text or None)
        return found.path


def _merge_text(inlines: list[Inline]) -> list[Inline]:
    """Adjacent texts as one (joined once: long paragraphs are many ``Str`` nodes)."""
    out: list[Inline] = []
    text: list[str] = []
    for inline in inlines:
        if isinstance(inline, Text):
            text.append(inline.text)
            continue
        if any(text):
            out.append(Text("".join(text)))
        text.clear()
        out.append(inline)
    if any(text):
        out.append(Text("".join(text)))
    return out


def _element(frame: _Frame) -> list[Inline]:
    """The model nodes for a closed inline HTML element (a plain span is just its content)."""
    classes = frame.attrs.get("class", "").split()
    content = _merge_text(frame.content)
    if frame.tag == "span":
        if MATH_CLASS in classes:
            return [Math(inline_text(content), "display" in classes)]
        for name in classes:
            if name in _SPAN_CLASSES and content:
                return [_SPAN_CLASSES[name](content)]
        return content
    kind = _INLINE_TAGS[frame.tag]
    if kind is Code:
        return [Code(inline_text(content))]
    if kind is Quoted:
        return [Quoted("single" if SINGLE_QUOTE_CLASS in classes else "double", content)]
    return [cast(Callable[[list[Inline]], Inline], kind)(content)]


def _strip_speaker_label(children: list[Json], speaker: str) -> list[Json]:
    """A speech turn's blocks without the bold "Speaker:" label its first paragraph starts with.

    The label is ``Strong [Speaker:]`` or ``Strong [Speaker]`` followed by ":"; a paragraph that
    held only the label goes with it.
    """
    if not children or children[0].get("t") not in ("Para", "Plain"):
        return children
    first = children[0]["c"]
    if not first or first[0].get("t") != "Strong":
        return children
    label = ast_text(first[0]["c"]).strip()
    if label not in (speaker, speaker + ":"):
        return children
    rest = list(first[1:])
    if label == speaker:
        if not rest or rest[0].get("t") != "Str" or not rest[0]["c"].startswith(":"):
            return children
        colon_rest = rest[0]["c"][1:]
        rest[0:1] = [{"t": "Str", "c": colon_rest}] if colon_rest else []
    if rest and rest[0].get("t") in ("Space", "SoftBreak"):
        rest = rest[1:]
    if not rest:
        return list(children[1:])
    return [{"t": children[0]["t"], "c": rest}, *children[1:]]


def ast_text(nodes: Iterable[Json]) -> str:
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
            out.append(mark + ast_text(content[1]) + mark)
        elif kind in _WRAPPERS_IN:
            out.append(ast_text(content))
        elif kind in ("Span", "Link", "Image", "Cite"):
            out.append(ast_text(content[1]))
    return "".join(out)


def _raw_format(node: Json) -> str:
    fmt = node["c"][0]
    return str(fmt["c"] if isinstance(fmt, dict) else fmt).lower()


def _html_attributes(text: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(next(g for g in m.groups()[1:] if g is not None))
            for m in _HTML_ATTR.finditer(text)}


def _html_align(attrs: dict[str, str]) -> Align | None:
    match = _TEXT_ALIGN.search(attrs.get("style", "")) or _TEXT_ALIGN.search(
        "text-align:" + attrs.get("align", ""))
    return cast(Align, match.group(1)) if match else None


def _span(value: str | None) -> int:
    return int(value) if value and value.isdigit() and int(value) >= 1 else 1


def _width(value: str | None) -> float | None:
    try:
        width = float(value) if value is not None else -1.0
    except ValueError:
        return None
    return width if width >= 0 else None


# --------------------------------------------------------------------------- metadata in


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


# =========================================================================== model -> pandoc


def _tokens(text: str) -> list[Json]:
    """Text as ``Str``/``Space``/``SoftBreak``: one per space or newline, the rest kept as is."""
    out: list[Json] = []
    for piece in re.split(r"( |\n)", text):
        if piece == " ":
            out.append({"t": "Space"})
        elif piece == "\n":
            out.append({"t": "SoftBreak"})
        elif piece:
            out.append({"t": "Str", "c": piece})
    return out


def _meta_inlines(text: str) -> Json:
    return {"t": "MetaInlines", "c": _tokens(text)}


@dataclass
class _WriteState:
    article: Article
    url_for: Callable[[str], str]
    unrendered: list[str] = field(default_factory=list)


def pandoc_from_article(article: Article, url_for: Callable[[str], str] | None = None,
                        *, extra_sections: bool = True) -> Json:
    """The pandoc JSON document for an article.

    ``url_for`` rewrites image URLs (the pandoc writer passes one that turns media paths into
    ``data:`` URIs for container formats). With ``extra_sections`` the article's notes,
    acknowledgements, references and image credits follow the body as sections of their own.
    """
    state = _WriteState(article, url_for or (lambda url: url))
    body = [b for block in article.body for b in _write_block(state, block)]
    if extra_sections:
        body.extend(_extra_sections(state))
    return {"pandoc-api-version": list(PANDOC_API_VERSION), "meta": _write_meta(state),
            "blocks": body}


def _write_meta(state: _WriteState) -> dict[str, Json]:
    article = state.article
    meta: dict[str, Json] = {"title": _meta_inlines(article.title)}
    if article.subtitle:
        meta["subtitle"] = _meta_inlines(article.subtitle)
    authors = [c for c in article.contributors if c.kind == "author"]
    others = [c for c in article.contributors if c.kind != "author"]
    if authors:
        meta["author"] = {"t": "MetaList", "c": [_meta_inlines(c.name) for c in authors]}
    if others:
        meta["contributor"] = {"t": "MetaList", "c": [_meta_inlines(f"{c.name} ({c.kind})")
                                                      for c in others]}
    date = article.dates.get("published") or next(iter(article.dates.values()), None)
    if date:
        meta["date"] = _meta_inlines(date)
    if article.language:
        meta["lang"] = {"t": "MetaString", "c": article.language}
    if article.abstract:
        meta["abstract"] = {"t": "MetaBlocks", "c": _write_blocks(state, article.abstract)}
    keywords = article.subjects.get("keywords", [])
    if keywords:
        meta["keywords"] = {"t": "MetaList", "c": [_meta_inlines(k) for k in keywords]}
    subjects = [s for name, values in article.subjects.items() if name != "keywords"
                for s in values]
    if subjects:
        meta["subject"] = {"t": "MetaList", "c": [_meta_inlines(s) for s in subjects]}
    if article.rights and (article.rights.statement or article.rights.license_url):
        meta["rights"] = _meta_inlines(" ".join(
            p for p in (article.rights.statement, article.rights.license_url) if p))
    if article.source_publication:
        meta["publisher"] = _meta_inlines(article.source_publication.name)
    return meta


def _extra_sections(state: _WriteState) -> list[Json]:
    article = state.article
    sections: list[tuple[str, str, list[Json]]] = []
    if article.notes:
        sections.append(("notes", "Notes", _write_blocks(state, article.notes)))
    if article.acknowledgements:
        sections.append(("acknowledgements", "Acknowledgements",
                         _write_blocks(state, article.acknowledgements)))
    if article.references:
        entries = []
        for ref in article.references:
            label = [{"t": "Str", "c": f"[{ref.label}]"}, {"t": "Space"}] if ref.label else []
            para = {"t": "Para", "c": label + _write_inlines(state, ref.content)}
            entries.append({"t": "Div", "c": [[ref.id or "", ["reference"], []], [para]]})
        sections.append(("references", "References", [{"t": "Div", "c": [
            ["refs", ["references"], []], entries]}]))
    if article.image_credits:
        sections.append(("image-credits", "Image credits",
                         [{"t": "Para", "c": _tokens(c)} for c in article.image_credits]))
    out: list[Json] = []
    for ident, title, blocks in sections:
        out.append({"t": "Header", "c": [1, [ident, ["unnumbered"], []], _tokens(title)]})
        out.extend(blocks)
    return out


def _write_blocks(state: _WriteState, blocks: list[Block]) -> list[Json]:
    return [b for block in blocks for b in _write_block(state, block)]


def _item_blocks(state: _WriteState, blocks: list[Block]) -> list[Json]:
    """Blocks of a list item, cell or definition: one paragraph alone is ``Plain`` (tight)."""
    out = _write_blocks(state, blocks)
    if len(out) == 1 and out[0]["t"] == "Para":
        return [{"t": "Plain", "c": out[0]["c"]}]
    return out


def _write_block(state: _WriteState, block: Block) -> list[Json]:
    match block:
        case Paragraph():
            return [{"t": "Para", "c": _write_inlines(state, block.content)}]
        case Heading():
            return [{"t": "Header", "c": [block.level, [block.id or "", [], []],
                                          _write_inlines(state, block.content)]}]
        case BulletList():
            return [{"t": "BulletList", "c": [_item_blocks(state, i) for i in block.items]}]
        case OrderedList():
            attrs = [block.start, {"t": _STYLE_OUT[block.style]}, {"t": "DefaultDelim"}]
            return [{"t": "OrderedList",
                     "c": [attrs, [_item_blocks(state, i) for i in block.items]]}]
        case DefinitionList():
            return [{"t": "DefinitionList", "c": [
                [_write_inlines(state, item.term), [_item_blocks(state, d)
                                                    for d in item.definitions]]
                for item in block.items]}]
        case BlockQuote():
            return [{"t": "BlockQuote", "c": _write_blocks(state, block.blocks)}]
        case CodeBlock():
            return [{"t": "CodeBlock", "c": [["", [block.language] if block.language else [],
                                              []], block.text]}]
        case HorizontalRule():
            return [{"t": "HorizontalRule"}]
        case LineBlock():
            return [{"t": "LineBlock", "c": [_write_inlines(state, line)
                                             for line in block.lines]}]
        case Table():
            return [_write_table(state, block)]
        case Figure():
            return [{"t": "Figure", "c": [[block.id or "", [], []],
                                          [None, _write_blocks(state, block.caption)],
                                          _write_blocks(state, block.content)]}]
        case Speech():
            return [_write_speech(state, block)]
    state.unrendered.append(block.type)
    state.article.diagnose("warning", "pandoc-unrendered",
                           f"no pandoc node for block type {block.type!r}; left out")
    return []


def _write_speech(state: _WriteState, speech: Speech) -> Json:
    pairs = [["speaker", speech.speaker]]
    if speech.speaker_role:
        pairs.append(["role", speech.speaker_role])
    label = [{"t": "Strong", "c": _tokens(speech.speaker + ":")}]
    blocks = _write_blocks(state, speech.blocks)
    if blocks and blocks[0]["t"] == "Para" and blocks[0]["c"]:
        blocks[0] = {"t": "Para", "c": [*label, {"t": "Space"}, *blocks[0]["c"]]}
    else:
        blocks.insert(0, {"t": "Para", "c": label})
    return {"t": "Div", "c": [["", ["speech"], pairs], blocks]}


def table_width(table: Table) -> int:
    """The number of grid columns the table's rows span (row and column spans counted)."""
    width = 0
    for section in (table.head, table.body, table.foot):
        carried: dict[int, int] = {}  # column -> rows it stays occupied below
        for row in section:
            column, taken = 0, dict(carried)
            for cell in row.cells:
                while taken.get(column, 0) > 0:
                    column += 1
                for c in range(column, column + cell.colspan):
                    taken[c] = cell.rowspan
                column += cell.colspan
            width = max(width, max(taken, default=-1) + 1)
            carried = {c: n - 1 for c, n in taken.items() if n > 1}
    return max(width, len(table.columns))


def _write_table(state: _WriteState, table: Table) -> Json:
    width = table_width(table)
    columns = list(table.columns) + [ColumnSpec()] * (width - len(table.columns))
    colspecs = [[{"t": _ALIGN_OUT[c.align]},
                 {"t": "ColWidth", "c": c.width} if c.width is not None
                 else {"t": "ColWidthDefault"}] for c in columns]

    def rows(section: list[TableRow]) -> list[Json]:
        return [[_EMPTY_ATTR, [[_EMPTY_ATTR, {"t": _ALIGN_OUT[cell.align]}, cell.rowspan,
                                cell.colspan, _item_blocks(state, cell.blocks)]
                               for cell in row.cells]] for row in section]

    return {"t": "Table", "c": [
        [table.id or "", [], []], [None, _write_blocks(state, table.caption)], colspecs,
        [_EMPTY_ATTR, rows(table.head)], [[_EMPTY_ATTR, 0, [], rows(table.body)]],
        [_EMPTY_ATTR, rows(table.foot)]]}


def _write_inlines(state: _WriteState, inlines: list[Inline]) -> list[Json]:
    return [j for inline in inlines for j in _write_inline(state, inline)]


def _write_inline(state: _WriteState, inline: Inline) -> list[Json]:
    wrapper = _WRAPPERS_OUT.get(type(inline))
    if wrapper:
        return [{"t": wrapper, "c": _write_inlines(state, cast(Any, inline).content)}]
    match inline:
        case Text():
            return _tokens(inline.text)
        case Code():
            return [{"t": "Code", "c": [_EMPTY_ATTR, inline.text]}]
        case Link():
            return [{"t": "Link", "c": [_EMPTY_ATTR, _write_inlines(state, inline.content),
                                        [inline.url, inline.title or ""]]}]
        case Image():
            return [{"t": "Image", "c": [_EMPTY_ATTR, _write_inlines(state, inline.content),
                                         [state.url_for(inline.url), inline.title or ""]]}]
        case LineBreak():
            return [{"t": "LineBreak"}]
        case Quoted():
            kind = "DoubleQuote" if inline.quote == "double" else "SingleQuote"
            return [{"t": "Quoted", "c": [{"t": kind}, _write_inlines(state, inline.content)]}]
        case Note():
            return [{"t": "Note", "c": _write_blocks(state, inline.blocks)}]
        case Math():
            kind = "DisplayMath" if inline.display else "InlineMath"
            return [{"t": "Math", "c": [{"t": kind}, inline.text]}]
        case Citation():
            content = _write_inlines(state, inline.content)
            if not inline.keys:
                return [{"t": "Span", "c": [["", ["citation"], []], content]}]
            citations = [{"citationId": key, "citationPrefix": [], "citationSuffix": [],
                          "citationMode": {"t": "NormalCitation"}, "citationNoteNum": 0,
                          "citationHash": 0} for key in inline.keys]
            return [{"t": "Cite", "c": [citations, content]}]
    state.unrendered.append(inline.type)
    state.article.diagnose("warning", "pandoc-unrendered",
                           f"no pandoc node for inline type {inline.type!r}; left out")
    return []
