"""The body's node types: inlines and blocks (``$defs`` of schemas/article.schema.json).

The vocabulary follows pandoc's AST (the proven anchor) with what articles need on top:
``Speech`` is one interview turn. Each class's ``type`` tag is the schema's discriminator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

# --------------------------------------------------------------------------- inlines


class Node:
    """Base of blocks and inlines; ``type`` is the schema's discriminator."""

    type: ClassVar[str]


class Inline(Node):
    """Base of inline nodes."""


class Block(Node):
    """Base of block nodes."""


@dataclass
class Text(Inline):
    type: ClassVar[str] = "text"
    text: str


@dataclass
class Emphasis(Inline):
    type: ClassVar[str] = "emphasis"
    content: list[Inline] = field(default_factory=list)


@dataclass
class Strong(Inline):
    type: ClassVar[str] = "strong"
    content: list[Inline] = field(default_factory=list)


@dataclass
class Superscript(Inline):
    type: ClassVar[str] = "superscript"
    content: list[Inline] = field(default_factory=list)


@dataclass
class Subscript(Inline):
    type: ClassVar[str] = "subscript"
    content: list[Inline] = field(default_factory=list)


@dataclass
class SmallCaps(Inline):
    type: ClassVar[str] = "small_caps"
    content: list[Inline] = field(default_factory=list)


@dataclass
class Strikeout(Inline):
    type: ClassVar[str] = "strikeout"
    content: list[Inline] = field(default_factory=list)


@dataclass
class Underline(Inline):
    type: ClassVar[str] = "underline"
    content: list[Inline] = field(default_factory=list)


@dataclass
class Code(Inline):
    type: ClassVar[str] = "code"
    text: str


@dataclass
class Link(Inline):
    type: ClassVar[str] = "link"
    url: str
    content: list[Inline] = field(default_factory=list)
    title: str | None = None


@dataclass
class LineBreak(Inline):
    type: ClassVar[str] = "line_break"


@dataclass
class Quoted(Inline):
    type: ClassVar[str] = "quoted"
    quote: Literal["double", "single"] = "double"
    content: list[Inline] = field(default_factory=list)


@dataclass
class Note(Inline):
    """A footnote; its blocks stand where the note is referenced."""

    type: ClassVar[str] = "note"
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Image(Inline):
    """An image; ``url`` is a link or a path in ``Article.media``; ``content`` is the alt text."""

    type: ClassVar[str] = "image"
    url: str
    content: list[Inline] = field(default_factory=list)
    title: str | None = None


@dataclass
class Math(Inline):
    """TeX math, inline or displayed."""

    type: ClassVar[str] = "math"
    text: str
    display: bool = False


@dataclass
class Citation(Inline):
    """A citation of one or more ``Reference`` ids, with the text shown for it."""

    type: ClassVar[str] = "citation"
    keys: list[str] = field(default_factory=list)
    content: list[Inline] = field(default_factory=list)


# --------------------------------------------------------------------------- blocks


@dataclass
class Paragraph(Block):
    type: ClassVar[str] = "paragraph"
    content: list[Inline] = field(default_factory=list)


@dataclass
class Heading(Block):
    type: ClassVar[str] = "heading"
    level: int
    content: list[Inline] = field(default_factory=list)
    id: str | None = None


@dataclass
class BulletList(Block):
    type: ClassVar[str] = "bullet_list"
    items: list[list[Block]] = field(default_factory=list)


@dataclass
class OrderedList(Block):
    type: ClassVar[str] = "ordered_list"
    items: list[list[Block]] = field(default_factory=list)
    start: int = 1
    style: Literal["decimal", "lower-alpha", "upper-alpha", "lower-roman", "upper-roman"] = (
        "decimal"
    )


@dataclass
class DefinitionItem:
    term: list[Inline] = field(default_factory=list)
    definitions: list[list[Block]] = field(default_factory=list)


@dataclass
class DefinitionList(Block):
    type: ClassVar[str] = "definition_list"
    items: list[DefinitionItem] = field(default_factory=list)


@dataclass
class BlockQuote(Block):
    type: ClassVar[str] = "blockquote"
    blocks: list[Block] = field(default_factory=list)


@dataclass
class CodeBlock(Block):
    type: ClassVar[str] = "code_block"
    text: str
    language: str | None = None


@dataclass
class HorizontalRule(Block):
    type: ClassVar[str] = "horizontal_rule"


@dataclass
class LineBlock(Block):
    """Lines whose breaks matter (verse, addresses)."""

    type: ClassVar[str] = "line_block"
    lines: list[list[Inline]] = field(default_factory=list)


@dataclass
class TableCell:
    blocks: list[Block] = field(default_factory=list)
    colspan: int = 1
    rowspan: int = 1
    align: Literal["left", "center", "right"] | None = None


@dataclass
class TableRow:
    cells: list[TableCell] = field(default_factory=list)


@dataclass
class ColumnSpec:
    align: Literal["left", "center", "right"] | None = None
    width: float | None = None


@dataclass
class Table(Block):
    """A table; ``head`` may be empty (no header row), cells span and hold blocks."""

    type: ClassVar[str] = "table"
    body: list[TableRow] = field(default_factory=list)
    head: list[TableRow] = field(default_factory=list)
    foot: list[TableRow] = field(default_factory=list)
    columns: list[ColumnSpec] = field(default_factory=list)
    caption: list[Block] = field(default_factory=list)
    id: str | None = None


@dataclass
class Figure(Block):
    type: ClassVar[str] = "figure"
    content: list[Block] = field(default_factory=list)
    caption: list[Block] = field(default_factory=list)
    id: str | None = None


@dataclass
class Speech(Block):
    """One turn of an interview: who speaks, in which role, and what they say."""

    type: ClassVar[str] = "speech"
    speaker: str
    blocks: list[Block] = field(default_factory=list)
    speaker_role: str | None = None


#: every node class by its ``type`` tag; the schema's block and inline unions
BLOCK_TYPES: dict[str, type[Block]] = {
    c.type: c
    for c in (Paragraph, Heading, BulletList, OrderedList, DefinitionList, BlockQuote, CodeBlock,
              HorizontalRule, LineBlock, Table, Figure, Speech)
}
INLINE_TYPES: dict[str, type[Inline]] = {
    c.type: c
    for c in (Text, Emphasis, Strong, Superscript, Subscript, SmallCaps, Strikeout, Underline,
              Code, Link, LineBreak, Quoted, Note, Image, Math, Citation)
}


def inline_text(inlines: list[Inline]) -> str:
    """The plain text of inlines (notes left out): a derived view, never stored."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Text | Code | Math):
            out.append(node.text)
        elif isinstance(node, LineBreak):
            out.append("\n")
        elif isinstance(node, Note):
            continue
        elif isinstance(node, Quoted):
            mark = '"' if node.quote == "double" else "'"
            out.append(mark + inline_text(node.content) + mark)
        else:
            out.append(inline_text(getattr(node, "content", [])))
    return "".join(out)


def block_text(blocks: list[Block]) -> str:
    """The plain text of blocks, one paragraph a line."""
    lines: list[str] = []
    for block in blocks:
        for child in iter_children(block):
            if isinstance(child, list):
                if child and isinstance(child[0], Inline):
                    lines.append(inline_text(child))
                else:
                    lines.append(block_text(child))  # type: ignore[arg-type]
        if isinstance(block, CodeBlock):
            lines.append(block.text)
    return "\n".join(line for line in lines if line)


def iter_children(block: Block) -> list[list[Inline] | list[Block]]:
    """The inline and block lists directly inside a block, in reading order."""
    match block:
        case Paragraph() | Heading():
            return [block.content]
        case BulletList() | OrderedList():
            return list(block.items)
        case DefinitionList():
            out: list[list[Inline] | list[Block]] = []
            for item in block.items:
                out.append(item.term)
                out.extend(item.definitions)
            return out
        case BlockQuote() | Speech():
            return [block.blocks]
        case LineBlock():
            return list(block.lines)
        case Table():
            rows = [*block.head, *block.body, *block.foot]
            return [block.caption, *[c.blocks for r in rows for c in r.cells]]
        case Figure():
            return [block.content, block.caption]
    return []
