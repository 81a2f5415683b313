"""Blocks in JATS 1.3 Archiving: sections from heading levels, paragraphs, lists, quotes, speech.

A block goes where the DTD allows it (:mod:`.structure`), else into a ``p``. Where the DTD
demands an element the model does not have (a list without items, a ``def`` without paragraphs),
the writer adds an empty one marked ``specific-use="placeholder"``.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from ...errors import WriterError
from ...formats.jats.vocabulary import HEADING_PREFIX, LIST_TYPES, PLACEHOLDER
from ...formats.numbering import list_label
from ...model import (
    Block,
    BlockQuote,
    BulletList,
    CodeBlock,
    DefinitionList,
    Figure,
    Heading,
    HorizontalRule,
    LineBlock,
    OrderedList,
    Paragraph,
    Speech,
    Table,
)
from .inline import InlineBuilder
from .structure import ALLOWED, FLOW, SECTIONED
from .tables import TableBuilder
from .tree import Tree


class BlockBuilder:
    """Writes blocks into a container element; holds the inline and table builders they use."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        self.inline = InlineBuilder(tree, self.container)
        self.tables = TableBuilder(tree, self, self.inline)

    def flow(self, container: etree._Element, blocks: Iterable[Block]) -> None:
        """Write blocks into a container; in a sectioned one, headings open nested ``sec``."""
        if container.tag not in SECTIONED:
            allowed = ALLOWED[container.tag]
            for block in blocks:
                self.block(container, block, allowed)
            return
        stack: list[tuple[int, etree._Element]] = []
        for block in blocks:
            if isinstance(block, Heading):
                while stack and stack[-1][0] >= block.level:
                    stack.pop()
                sec = self.tree.sub(stack[-1][1] if stack else container, "sec")
                self.tree.take_id(sec, block.id)
                if block.level != len(stack) + 1:
                    sec.set("disp-level", str(block.level))
                self.inline.inlines(self.tree.sub(sec, "title"), block.content)
                stack.append((block.level, sec))
            else:
                self.block(stack[-1][1] if stack else container, block, FLOW)

    def placeholder(self, parent: etree._Element, tag: str = "p") -> None:
        self.tree.sub(parent, tag, **{"specific-use": PLACEHOLDER})

    def block(self, parent: etree._Element, block: Block, allowed: frozenset[str]) -> None:
        el = self.make_block(block)
        if el.tag in allowed:
            parent.append(el)
        else:
            self.tree.sub(parent, "p").append(el)

    def make_block(self, block: Block) -> etree._Element:
        match block:
            case Paragraph():
                el = etree.Element("p")
                self.inline.inlines(el, block.content)
            case Heading():  # where no sec may stand
                el = etree.Element("p", {"content-type": f"{HEADING_PREFIX}{block.level}"})
                self.tree.take_id(el, block.id)
                self.inline.inlines(el, block.content)
            case BulletList() | OrderedList():
                el = self.make_list(block)
            case DefinitionList():
                el = etree.Element("def-list")
                for item in block.items:
                    entry = self.tree.sub(el, "def-item")
                    self.inline.inlines(self.tree.sub(entry, "term"), item.term)
                    for definition in item.definitions:
                        self.container(self.tree.sub(entry, "def"), definition)
            case BlockQuote():
                el = etree.Element("disp-quote")
                self.flow(el, block.blocks)
            case CodeBlock():
                el = etree.Element("code" if block.language else "preformat")
                if block.language:
                    el.set("language", self.tree.clean(block.language))
                el.text = self.tree.clean(block.text)
            case HorizontalRule():
                el = etree.Element("hr")
            case LineBlock():
                el = etree.Element("verse-group")
                for line in block.lines:
                    self.inline.inlines(self.tree.sub(el, "verse-line"), line)
                if not block.lines:
                    self.placeholder(el, "verse-line")
            case Table():
                el = self.tables.make_table(block)
            case Figure():
                el = self.tables.make_figure(block)
            case Speech():
                el = etree.Element("speech")
                self.tree.sub(el, "speaker", block.speaker, **{"content-type": block.speaker_role})
                self.container(el, block.blocks)
            case _:
                raise WriterError(f"the JATS writer does not know block type {block.type!r}")
        return el

    def container(self, el: etree._Element, blocks: list[Block]) -> None:
        """Blocks of an element that needs at least one ``p`` (def, speech, fn, list-item)."""
        self.flow(el, blocks)
        if not blocks:
            self.placeholder(el)

    def make_list(self, block: BulletList | OrderedList) -> etree._Element:
        el = etree.Element("list")
        if isinstance(block, OrderedList):
            el.set("list-type", LIST_TYPES[block.style])
            labelled = block.start != 1
        else:
            el.set("list-type", "bullet")
            labelled = False
        for number, item in enumerate(block.items):
            entry = self.tree.sub(el, "list-item")
            if labelled and isinstance(block, OrderedList):
                self.tree.sub(entry, "label", list_label(block.start + number, block.style))
            self.container(entry, item)
        if not block.items:
            self.placeholder(self.tree.sub(el, "list-item", **{"specific-use": PLACEHOLDER}))
        return el
