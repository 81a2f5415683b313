"""Blocks of an XHTML content document: paragraphs, headings, lists, tables, figures, speech.

Heading levels never skip (the article title is the ``h1``; a model heading goes at most one
level below the last one rendered), because reading systems and screen readers navigate by them;
top-level headings enter the table of contents. Tables keep their sections, spans and alignment;
a caption that itself holds a table (which ``<caption>`` may not) captions a ``<figure>`` around
the table instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal

from lxml import etree

from ...model import (
    Block,
    BlockQuote,
    BulletList,
    CodeBlock,
    DefinitionList,
    Figure,
    Heading,
    HorizontalRule,
    Image,
    Inline,
    LineBlock,
    Note,
    OrderedList,
    Paragraph,
    Speech,
    Table,
    TableRow,
    inline_text,
    iter_children,
)
from .context import Context
from .inlines import InlineRenderer
from .nav import Toc
from .xhtml import append_text, sub

_CLASS_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
#: speaker roles whose turns are the questions of an interview (styled apart)
_QUESTION_ROLES = frozenset({"interviewer", "host", "moderator", "questioner", "question"})


class BlockRenderer:
    """Renders blocks into an element of one content document; owns the heading outline."""

    def __init__(self, ctx: Context, inlines: InlineRenderer) -> None:
        self.ctx = ctx
        self.t = ctx.t
        self.report = ctx.report
        self.inlines: Callable[[etree._Element, Sequence[Inline]], None] = inlines.inlines
        #: depth inside lists, quotes, cells, notes, ...: only top-level headings enter the toc
        self.block_depth = 0
        self.speakers: set[str] = set()
        #: the open toc entries by model heading level (reset around the body)
        self.toc_stack: list[tuple[int, Toc]] = []

    def blocks(self, parent: etree._Element, blocks: Sequence[Block]) -> None:
        for block in blocks:
            self.block(parent, block)

    def nested(self, parent: etree._Element, blocks: Sequence[Block]) -> None:
        self.block_depth += 1
        self.blocks(parent, blocks)
        self.block_depth -= 1

    def block(self, parent: etree._Element, block: Block) -> None:
        match block:
            case Paragraph():
                self.inlines(sub(parent, "p"), block.content)
            case Heading():
                self.render_heading(parent, block)
            case BulletList():
                listing = sub(parent, "ul")
                for item in block.items:
                    self.nested(sub(listing, "li"), item)
            case OrderedList():
                attrib = {"start": str(block.start)} if block.start != 1 else {}
                attrib["type"] = {"lower-alpha": "a", "upper-alpha": "A", "lower-roman": "i",
                                  "upper-roman": "I"}.get(block.style, "1")
                listing = sub(parent, "ol", attrib)
                for item in block.items:
                    self.nested(sub(listing, "li"), item)
            case DefinitionList():
                listing = sub(parent, "dl")
                for entry in block.items:
                    self.inlines(sub(listing, "dt"), entry.term)
                    for definition in entry.definitions or [[]]:
                        self.nested(sub(listing, "dd"), definition)
            case BlockQuote():
                self.nested(sub(parent, "blockquote"), block.blocks)
            case CodeBlock():
                attrib = {}
                if block.language and (css := _CLASS_UNSAFE.sub("-", block.language).strip("-")):
                    attrib["class"] = f"language-{css}"
                sub(sub(parent, "pre"), "code", attrib, self.t(block.text))
            case HorizontalRule():
                sub(parent, "hr")
            case LineBlock():
                lines = sub(parent, "p", {"class": "line-block"})
                for i, line in enumerate(block.lines):
                    if i:
                        sub(lines, "br")
                    self.inlines(lines, line)
            case Table():
                self.render_table(parent, block)
            case Figure():
                attrib = {"id": self.ctx.model_id(block.id)} if block.id else {}
                figure = sub(parent, "figure", attrib)
                self.nested(figure, block.content)
                if block.caption:
                    self.nested(sub(figure, "figcaption"), block.caption)
            case Speech():
                self.render_speech(parent, block)
            case _:
                self.report.diagnose("error", "epub-unknown-block",
                                     f"cannot render a {type(block).__name__} block", "epub")

    def render_heading(self, parent: etree._Element, block: Heading) -> None:
        ident = self.ctx.model_id(block.id) if block.id else self.ctx.new_id("section")
        title = " ".join(self.t(inline_text(block.content)).split())
        if not title and not any(isinstance(n, Image | Note) for n in block.content):
            # an empty heading says nothing to a screen reader: keep only its anchor
            self.inlines(sub(parent, "div", {"id": ident, "class": "empty-heading"}),
                         block.content)
            self.report.diagnose("info", "epub-empty-heading",
                                 "a heading without text is kept as an anchor only", "epub")
            return
        # levels do not skip (h2 then h4 confuses navigation): at most one below the last
        level = min(block.level + 1, 6, self.ctx.outline + 1)
        self.ctx.outline = level
        self.inlines(sub(parent, f"h{level}", {"id": ident}), block.content)
        if self.block_depth or not title:
            return
        entry = Toc(title, f"{self.ctx.file_name}#{ident}")
        while self.toc_stack and self.toc_stack[-1][0] >= block.level:
            self.toc_stack.pop()
        (self.toc_stack[-1][1].children if self.toc_stack else self.ctx.toc).append(entry)
        self.toc_stack.append((block.level, entry))

    def render_speech(self, parent: etree._Element, block: Speech) -> None:
        role = (block.speaker_role or "").strip()
        css = "speech question" if role.lower() in _QUESTION_ROLES else "speech"
        turn = sub(parent, "div", {"class": css})
        speaker = self.t(block.speaker.strip())
        rest: Sequence[Block] = block.blocks
        if rest and isinstance(rest[0], Paragraph):
            line = sub(turn, "p")
            first: Paragraph | None = rest[0]
            rest = rest[1:]
        else:
            line = sub(turn, "p", {"class": "speaker-line"})
            first = None
        sub(line, "strong", {"class": "speaker"}, speaker)
        if role and speaker not in self.speakers:
            sub(line, "span", {"class": "speaker-role"}, f" ({self.t(role)})")
        self.speakers.add(speaker)
        append_text(line, ":")
        if first is not None:
            append_text(line, " ")
            self.inlines(line, first.content)
        self.nested(turn, rest)

    def render_table(self, parent: etree._Element, block: Table) -> None:
        attrib = {"id": self.ctx.model_id(block.id)} if block.id else {}
        holder = parent
        caption_outside = bool(block.caption) and _contains_table(block.caption)
        if caption_outside:  # <caption> may hold no table: caption the table as a figure
            holder = sub(parent, "figure", {"class": "table", **attrib})
            self.nested(sub(holder, "figcaption"), block.caption)
            attrib = {}
        table = sub(holder, "table", attrib)
        if block.caption and not caption_outside:
            self.nested(sub(table, "caption"), block.caption)
        widths = [c.width for c in block.columns]
        if any(w is not None and 0 < w <= 1 for w in widths):
            group = sub(table, "colgroup")
            for width in widths:
                col = sub(group, "col")
                if width is not None and 0 < width <= 1:
                    col.set("style", f"width: {width * 100:.4g}%")
        aligns = [c.align for c in block.columns]
        for tag, rows, cell in (("thead", block.head, "th"), ("tbody", block.body, "td"),
                                ("tfoot", block.foot, "td")):
            if rows:
                self.render_rows(sub(table, tag), rows, cell, aligns)

    def render_rows(self, section: etree._Element, rows: list[TableRow], cell_tag: str,
                    aligns: list[Literal["left", "center", "right"] | None]) -> None:
        for row in rows:
            tr = sub(section, "tr")
            column = 0
            for cell in row.cells:
                attrib: dict[str, str] = {"scope": "col"} if cell_tag == "th" else {}
                if cell.colspan > 1:
                    attrib["colspan"] = str(cell.colspan)
                if cell.rowspan > 1:
                    attrib["rowspan"] = str(cell.rowspan)
                align = cell.align or (aligns[column] if column < len(aligns) else None)
                if align:
                    attrib["class"] = f"align-{align}"
                self.nested(sub(tr, cell_tag, attrib), cell.blocks)
                column += max(cell.colspan, 1)


def _contains_table(blocks: Sequence[Block]) -> bool:
    for block in blocks:
        if isinstance(block, Table):
            return True
        for child in iter_children(block):
            if child and isinstance(child[0], Block) and _contains_table(child):
                return True
    return False
