"""Inlines in JATS 1.3 Archiving: formatting, links and cross-references, footnotes, math, images.

Model inlines JATS has no element for (a line break where ``break`` may not stand, quotation
marks) become ``named-content`` with the vocabulary's ``content-type`` markers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from lxml import etree

from ...errors import WriterError
from ...formats.jats.vocabulary import DISPLAY, FORMATTING, LINE_BREAK, QUOTE_MARKS, QUOTED
from ...model import (
    Block,
    Citation,
    Code,
    Emphasis,
    Image,
    Inline,
    LineBreak,
    Link,
    Math,
    Note,
    Quoted,
    SmallCaps,
    Strikeout,
    Strong,
    Subscript,
    Superscript,
    Text,
    Underline,
    inline_text,
)
from .structure import BREAK_PARENTS, DISPLAY_PARENTS
from .tree import Tree

#: the JATS element of each formatting inline
INLINE_TAGS: dict[type, str] = {cls: tag for tag, cls in FORMATTING.items()}


class InlineBuilder:
    """Writes inlines into an element; a footnote's blocks go through the block builder."""

    def __init__(self, tree: Tree,
                 container: Callable[[etree._Element, list[Block]], None]) -> None:
        self.tree = tree
        #: writes the blocks of a ``fn`` (the block builder's ``container``)
        self.container = container

    def inlines(self, parent: etree._Element, nodes: Iterable[Inline]) -> None:
        for node in nodes:
            self.inline(parent, node)

    def inline(self, parent: etree._Element, node: Inline) -> None:
        match node:
            case Text():
                self.tree.add_text(parent, node.text)
            case Emphasis() | Strong() | Superscript() | Subscript() | SmallCaps() | \
                    Strikeout() | Underline():
                self.inlines(self.tree.sub(parent, INLINE_TAGS[type(node)]), node.content)
            case Code():
                self.tree.sub(parent, "monospace", node.text)
            case Link():
                self.link(parent, node)
            case LineBreak():
                if parent.tag in BREAK_PARENTS:
                    self.tree.sub(parent, "break")
                else:
                    self.tree.sub(parent, "named-content", **{"content-type": LINE_BREAK})
            case Quoted():
                el = self.tree.sub(parent, "named-content", **{"content-type": QUOTED[node.quote]})
                opening, closing = QUOTE_MARKS[node.quote]
                self.tree.add_text(el, opening)
                self.inlines(el, node.content)
                self.tree.add_text(el, closing)
            case Note():
                self.note(parent, node)
            case Image():
                self.graphic(parent, node, "inline-graphic")
            case Math():
                if node.display and parent.tag in DISPLAY_PARENTS:
                    formula = self.tree.sub(parent, "disp-formula")
                else:
                    formula = self.tree.sub(parent, "inline-formula", **{
                        "content-type": DISPLAY if node.display else None})
                self.tree.sub(formula, "tex-math", node.text)
            case Citation():
                ids = [key if key in self.tree.reference_ids else self.tree.cited_key(key)
                       for key in node.keys]
                el = self.tree.sub(parent, "xref", **{"ref-type": "bibr", "rid": " ".join(ids)})
                self.inlines(el, node.content)
            case _:
                raise WriterError(f"the JATS writer does not know inline type {node.type!r}")

    def link(self, parent: etree._Element, link: Link) -> None:
        target = link.url[1:] if link.url.startswith("#") else None
        kind = self.tree.targets.get(target) if target else None
        if kind is not None and kind != "bibr" and link.title is None:
            el = self.tree.sub(parent, "xref", **{"ref-type": kind, "rid": target})
        else:
            el = self.tree.sub(parent, "ext-link", **{
                "ext-link-type": "uri", "xlink:href": link.url, "xlink:title": link.title})
        self.inlines(el, link.content)

    def note(self, parent: etree._Element, note: Note) -> None:
        ident = self.tree.new_id("fn")
        label = str(len(self.tree.footnotes) + 1)
        self.tree.sub(parent, "xref", label, **{"ref-type": "fn", "rid": ident})
        fn = etree.Element("fn", id=ident)
        self.tree.footnotes.append(fn)  # numbered in reading order, notes inside notes after it
        self.tree.sub(fn, "label", label)
        self.container(fn, note.blocks)

    def graphic(self, parent: etree._Element, image: Image, tag: str) -> None:
        el = self.tree.sub(parent, tag, **{"xlink:href": image.url, "xlink:title": image.title})
        if image.content:
            if any(not isinstance(n, Text) for n in image.content):
                self.tree.diagnose("jats-alt-text-flattened", "image alt text is plain text in "
                                   "JATS (alt-text); its formatting was dropped")
            self.tree.sub(el, "alt-text", inline_text(image.content))
