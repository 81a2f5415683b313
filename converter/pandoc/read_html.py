"""Raw HTML inside pandoc's AST, read as far as the model can say it.

pandoc's HTML, Markdown and other readers keep HTML they do not parse themselves as ``RawBlock``
and ``RawInline`` nodes (pandoc-types 1.23), one tag or one run of markup each. Two shapes carry
model meaning and are rebuilt here:

* inline tags with a model meaning (``<em>``, ``<b>``, ``<sup>``, ``<q>``, ``<code>``, ``<br>``,
  ``<span class=...>``, ...), paired up with their end tags into that formatting, whatever pandoc
  read between them;
* a ``<table>`` spread over raw HTML pieces with blocks between them (how Markdown holds an HTML
  table, and how our Markdown writes tables), rebuilt as a table with block cells (HTML Living
  Standard, "Tables", for the elements and attributes read).

The tags left over and HTML comments go to ``Article.discarded`` (their text stays in the body);
markup with text in it that no other format can say is raw markup, counted by the reader.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, cast

from ..formats.markdown import MATH_CLASS, SEPARATOR, SINGLE_QUOTE_CLASS, WIDTH_ATTR
from ..model import (
    Block,
    Code,
    ColumnSpec,
    Emphasis,
    Inline,
    LineBreak,
    Math,
    Paragraph,
    Quoted,
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
from .nodes import SPAN_CLASSES, Align, Json

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


class Leftovers(Protocol):
    """Where markup the model cannot hold goes (the AST reader: ``Article.discarded``)."""

    def discard(self, text: str, reason: str, place: str) -> None: ...

    def raw_markup(self, content: Json, place: str) -> None: ...


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


class HtmlBlocks:
    """The blocks of one block list being read, with an HTML table rebuilt from raw pieces.

    Blocks go to :meth:`sink`: the open cell or caption of a table being rebuilt, else ``out``.
    """

    def __init__(self, leftovers: Leftovers, out: list[Block]) -> None:
        self.leftovers = leftovers
        self.out = out
        self.stack: _Open = []

    def sink(self) -> list[Block]:
        """Where the next block goes."""
        for item in reversed(self.stack):
            if isinstance(item, _Collector):
                return item.blocks
        return self.out

    def raw_block(self, raw: str, place: str) -> None:
        """One ``RawBlock`` of HTML: table tags apply, anything else is discarded."""
        stack = self.stack
        stripped = raw.strip()
        if stripped == SEPARATOR:
            return
        if not stack and not _TABLE_TAG.search(raw):
            if _COMMENT.fullmatch(stripped):
                self.leftovers.discard(stripped, "HTML comment", place)
            elif _TAG.fullmatch(stripped):  # one tag: what it holds is in the blocks around it
                self.leftovers.discard(stripped, "raw HTML", place)
            else:  # markup with text in it, which no other format can say
                self.leftovers.raw_markup(["html", raw], place)
            return
        position = 0
        for match in _TAG.finditer(raw):
            self.text(raw[position:match.start()], place)
            position = match.end()
            closing, name = bool(match.group(1)), match.group(2).lower()
            attrs = _html_attributes(match.group(3))
            if not self.table_tag(name, closing, attrs):
                self.text(match.group(0), place)
        self.text(raw[position:], place)

    def text(self, text: str, place: str) -> None:
        stack = self.stack
        if not text.strip():
            return
        if stack and isinstance(stack[-1], _Collector):
            stack[-1].blocks.append(Paragraph(normalize_inlines([Text(html.unescape(text))])))
        elif _COMMENT.fullmatch(text.strip()):
            self.leftovers.discard(text.strip(), "HTML comment", place)
        else:
            self.leftovers.discard(text.strip(), "raw HTML", place)

    def table_tag(self, name: str, closing: bool, attrs: dict[str, str]) -> bool:
        """Apply one tag of an HTML table; False if it is no table tag here."""
        stack = self.stack
        frame = next((f for f in reversed(stack) if isinstance(f, _TableFrame)), None)
        if name == "table":
            if not closing:
                stack.append(_TableFrame(Table(id=attrs.get("id") or None)))
            elif frame is not None:
                while stack and stack[-1] is not frame:
                    self.close(stack[-1])
                self.close(frame)
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

    def close(self, item: _TableFrame | _Collector) -> None:
        self.stack.remove(item)
        if isinstance(item, _TableFrame):
            self.sink().append(item.table)
        elif item.cell is not None:
            item.cell.blocks = item.blocks
        else:
            self.sink().extend(item.blocks)

    def close_all(self) -> None:
        """At the end of the block list: an unclosed table keeps what it holds."""
        while self.stack:
            self.close(self.stack[-1])


class HtmlInlines:
    """The inlines of one run being read, inline HTML elements paired up into model formatting.

    Inlines go to :meth:`target`: the innermost open element, else the run itself.
    """

    def __init__(self, leftovers: Leftovers, place: str) -> None:
        self.leftovers = leftovers
        self.place = place
        self.root: list[Inline] = []
        self.frames: list[_Frame] = []

    def target(self) -> list[Inline]:
        """Where the next inline goes."""
        return self.frames[-1].content if self.frames else self.root

    def raw_inline(self, raw: str) -> None:
        """One ``RawInline`` of HTML: a tag opens or closes an element, the rest is discarded."""
        frames, place = self.frames, self.place
        match = _TAG.fullmatch(raw.strip())
        target = self.target()
        if match is None:
            if _COMMENT.fullmatch(raw.strip()):
                self.leftovers.discard(raw, "HTML comment", place)
            else:  # markup with text in it, which no other format can say
                self.leftovers.raw_markup(["html", raw], place)
            return
        closing, name = bool(match.group(1)), match.group(2).lower()
        if name == "br":
            target.append(LineBreak())
        elif not closing and (name in _INLINE_TAGS or name == "span") and not match.group(4):
            frames.append(_Frame(name, _html_attributes(match.group(3)), raw))
        elif closing and any(f.tag == name for f in frames):
            while frames[-1].tag != name:  # close what was left open inside
                inner = frames.pop()
                self.leftovers.discard(inner.raw, "unclosed HTML element", place)
                frames[-1].content.extend(inner.content)
            frame = frames.pop()
            self.target().extend(_element(frame))
        else:
            self.leftovers.discard(raw, "raw HTML", place)

    def finish(self) -> list[Inline]:
        """The run; unclosed elements keep their content, their tags go to discarded."""
        frames = self.frames
        while frames:
            frame = frames.pop()
            self.leftovers.discard(frame.raw, "unclosed HTML element", self.place)
            self.target().extend(frame.content)
        return _merge_text(self.root)


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
            if name in SPAN_CLASSES and content:
                return [SPAN_CLASSES[name](content)]
        return content
    kind = _INLINE_TAGS[frame.tag]
    if kind is Code:
        return [Code(inline_text(content))]
    if kind is Quoted:
        return [Quoted("single" if SINGLE_QUOTE_CLASS in classes else "double", content)]
    return [cast(Callable[[list[Inline]], Inline], kind)(content)]


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
