"""Tables and figures in JATS: ``table-wrap`` (XHTML tables), ``fig``, graphics and media.

Captions, labels, table-foot notes, attributions and permissions all go into the model caption.
A ``table-wrap`` without an XHTML ``table`` (an image of a table, an OASIS table) is read as a
figure; media and supplementary material as links.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lxml import etree

from ...formats.jats.vocabulary import PLACEHOLDER
from ...model import (
    Block,
    ColumnSpec,
    Figure,
    Inline,
    Paragraph,
    Strong,
    Table,
    TableCell,
    TableRow,
    Text,
    normalize_inlines,
)
from .document import Document
from .inline import InlineReader
from .structure import CELL_BLOCKS

if TYPE_CHECKING:
    from .body import BlockReader


class TableReader:
    """Reads tables, figures and graphics; their captions and cells hold blocks again."""

    def __init__(self, doc: Document, blocks: BlockReader, inline: InlineReader) -> None:
        self.doc = doc
        self.blocks = blocks
        self.inline = inline

    def caption(self, el: etree._Element) -> list[Block]:
        """Label, caption title and caption paragraphs of a table, figure or group."""
        out: list[Block] = []
        heading: list[Inline] = []
        label = el.find("label")
        caption = el.find("caption")
        if label is not None:
            heading += self.inline.inlines(label)
        title = caption.find("title") if caption is not None else None
        if title is not None:
            heading += [Text(" "), *self.inline.inlines(title)]
        heading = normalize_inlines(heading)
        if heading:
            out.append(Paragraph([Strong(heading)]))
        if caption is not None:
            for child in caption:
                if isinstance(child.tag, str) and child.tag != "title":
                    out += self.blocks.block(child)
        return out

    def table_wrap(self, wrap: etree._Element) -> list[Block]:
        caption = self.caption(wrap)
        table = next(wrap.iter("table"), None)
        result: Table | Figure
        if table is None:
            self.doc.lose(wrap, "without an XHTML table (an image or OASIS table), "
                          "read as a figure")
            content = [b for child in wrap if isinstance(child.tag, str)
                       and child.tag in ("graphic", "alternatives", "media", "preformat")
                       for b in self.blocks.block(child)]
            result = Figure(content, caption, wrap.get("id"))
        else:
            result = Table(caption=caption, id=wrap.get("id"))
            for col in table.iter("col"):
                result.columns.append(ColumnSpec(_align(col.get("align")),
                                                 _width(col.get("width"))))
            for child in table:
                if not isinstance(child.tag, str) or child.get("content-type") == PLACEHOLDER:
                    continue
                rows = [child] if child.tag == "tr" else child.findall("tr")
                target = {"thead": result.head, "tfoot": result.foot}.get(child.tag, result.body)
                if child.tag in ("thead", "tfoot", "tbody", "tr"):
                    target += [self.row(tr) for tr in rows]
        # the foot's notes and paragraphs, credits and permissions: after the caption
        for part in wrap.iterfind("table-wrap-foot/*"):
            if not isinstance(part.tag, str) or part.tag in ("title", "label"):
                continue
            fns = part.findall("fn") if part.tag == "fn-group" else (
                [part] if part.tag == "fn" else [])
            if not fns:
                result.caption += self.blocks.block(part)
            for fn in fns:
                if fn.get("id") not in self.doc.used_fns:
                    result.caption += self.blocks.fn_blocks(fn)
        for child in wrap:
            if isinstance(child.tag, str) and child.tag in ("attrib", "permissions"):
                text = self.doc.text(child)
                if text:
                    result.caption.append(Paragraph([Text(text)]))
        return [result]

    def row(self, tr: etree._Element) -> TableRow:
        cells = []
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag not in ("td", "th") or \
                    cell.get("content-type") == PLACEHOLDER:
                continue
            cells.append(TableCell(self.blocks.mixed(cell, CELL_BLOCKS, empty=False),
                                   _span(cell.get("colspan")), _span(cell.get("rowspan")),
                                   _align(cell.get("align"))))
        return TableRow(cells)

    def figure(self, fig: etree._Element) -> Figure:
        caption = self.caption(fig)
        content: list[Block] = []
        for child in fig:
            if not isinstance(child.tag, str) or child.tag in (
                    "label", "caption", "object-id", "alt-text", "long-desc"):
                continue
            if child.tag in ("attrib", "permissions"):
                text = self.doc.text(child)
                if text:
                    caption.append(Paragraph([Text(text)]))
                continue
            content += self.blocks.block(child)
        return Figure(content, caption, fig.get("id"))

    def graphic_block(self, el: etree._Element) -> list[Block]:
        """A graphic standing alone (a figure when captioned); media and supplements as links."""
        if el.tag == "graphic":
            image = Paragraph([self.inline.image(el)])
            caption = self.caption(el)
            return [Figure([image], caption, el.get("id"))] if caption else [image]
        self.doc.lose(el, "read as a link with its caption")
        return [*self.caption(el), Paragraph(normalize_inlines(self.inline.linked(el)))]


def _span(value: str | None) -> int:
    try:
        return max(1, int((value or "1").strip()))
    except ValueError:
        return 1


def _align(value: str | None) -> Any:
    return value if value in ("left", "center", "right") else None


def _width(value: str | None) -> float | None:
    """Column width: ``0.25*`` (the writer's fraction) or ``25%``; pixels say nothing."""
    text = (value or "").strip()
    try:
        if text.endswith("*"):
            return float(text[:-1])
        if text.endswith("%"):
            return float(text[:-1]) / 100
    except ValueError:
        return None
    return None
