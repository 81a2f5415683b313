"""Tables and figures in JATS 1.3 Archiving: ``table-wrap`` with an XHTML table, ``fig``.

The DTD requires a ``tbody`` with a row and a cell in every table and a cell in every row; where
the model has none, the writer adds them marked with the placeholder ``content-type``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from ...formats.jats.vocabulary import PLACEHOLDER
from ...model import Figure, Image, Paragraph, Table, TableCell, TableRow
from .inline import InlineBuilder
from .structure import ALLOWED
from .tree import Tree

if TYPE_CHECKING:
    from .body import BlockBuilder


class TableBuilder:
    """Builds ``table-wrap`` and ``fig``; their captions and cells hold blocks again."""

    def __init__(self, tree: Tree, body: BlockBuilder, inline: InlineBuilder) -> None:
        self.tree = tree
        self.body = body
        self.inline = inline

    def make_table(self, table: Table) -> etree._Element:
        wrap = etree.Element("table-wrap")
        self.tree.take_id(wrap, table.id)
        if table.caption:
            self.body.flow(self.tree.sub(wrap, "caption"), table.caption)
        el = self.tree.sub(wrap, "table")
        for column in table.columns:
            self.tree.sub(el, "col", align=_align(column.align),
                          width=None if column.width is None else f"{column.width!r}*")
        for tag, rows in (("thead", table.head), ("tfoot", table.foot), ("tbody", table.body)):
            if rows:
                self.rows(self.tree.sub(el, tag), rows, "th" if tag == "thead" else "td")
        if not table.body:
            section = self.tree.sub(el, "tbody", **{"content-type": PLACEHOLDER})
            self.tree.sub(self.tree.sub(section, "tr"), "td")
        return wrap

    def rows(self, section: etree._Element, rows: list[TableRow], tag: str) -> None:
        for row in rows:
            tr = self.tree.sub(section, "tr")
            for cell in row.cells:
                self.cell(tr, cell, tag)
            if not row.cells:
                self.tree.sub(tr, "td", **{"content-type": PLACEHOLDER})

    def cell(self, tr: etree._Element, cell: TableCell, tag: str) -> None:
        el = self.tree.sub(tr, tag, align=_align(cell.align),
                           colspan=str(cell.colspan) if cell.colspan != 1 else None,
                           rowspan=str(cell.rowspan) if cell.rowspan != 1 else None)
        blocks = cell.blocks
        if len(blocks) == 1 and isinstance(blocks[0], Paragraph) and blocks[0].content:
            self.inline.inlines(el, blocks[0].content)  # the common case: text right in the cell
        else:
            self.body.flow(el, blocks)

    def make_figure(self, figure: Figure) -> etree._Element:
        el = etree.Element("fig")
        self.tree.take_id(el, figure.id)
        if figure.caption:
            self.body.flow(self.tree.sub(el, "caption"), figure.caption)
        for block in figure.content:
            if (isinstance(block, Paragraph) and len(block.content) == 1
                    and isinstance(block.content[0], Image)):
                self.inline.graphic(el, block.content[0], "graphic")
            else:
                self.body.block(el, block, ALLOWED["fig"])
        return el


def _align(value: str | None) -> str | None:
    """An alignment the DTD's enumeration has (the model's Literal, unless a caller broke it)."""
    return value if value in ("left", "center", "right") else None
