"""Blocks in JATS: sections as headings, paragraphs, lists, quotes, speech, verse, containers.

A paragraph that holds block elements (a list, a table) is split around them; containers without
a model type (notes, boxed text, appendices) become headings and blocks or block quotes. Elements
the writer added only because the DTD demands them (marked ``placeholder``) are skipped.
"""

from __future__ import annotations

from lxml import etree

from ...formats.jats.vocabulary import HEADING_PREFIX, LIST_TYPES, PLACEHOLDER
from ...formats.numbering import parse_label
from ...model import (
    Block,
    BlockQuote,
    BulletList,
    CodeBlock,
    DefinitionItem,
    DefinitionList,
    Heading,
    HorizontalRule,
    Inline,
    LineBlock,
    OrderedList,
    Paragraph,
    Speech,
    Strong,
    Text,
    normalize_inlines,
)
from .document import Document
from .inline import InlineReader, preferred
from .math import MML_MATH, Formulas
from .references import ReferenceReader
from .structure import P_BLOCKS
from .tables import TableReader

ORDERED = {jats: style for style, jats in LIST_TYPES.items()}
BULLETS = frozenset("•◦▪▫‣⁃–—-*·●○■□")


def _prepend(blocks: list[Block], label: str) -> None:
    if blocks and isinstance(blocks[0], Paragraph):
        blocks[0] = Paragraph(normalize_inlines([Text(f"{label} "), *blocks[0].content]))
    else:
        blocks.insert(0, Paragraph([Text(label)]))


class BlockReader:
    """Reads the blocks of elements; holds the inline, table and reference readers they use."""

    def __init__(self, doc: Document, formulas: Formulas) -> None:
        self.doc = doc
        self.inline = InlineReader(doc, formulas, self.fn_blocks)
        self.tables = TableReader(doc, self, self.inline)
        self.references = ReferenceReader(doc, self.inline)

    def flow(self, container: etree._Element, depth: int = 0) -> list[Block]:
        """The blocks of an element: its children, ``sec`` as headings with their content."""
        out: list[Block] = []
        for child in container:
            if not isinstance(child.tag, str) or child.tag in (
                    "title", "label", "sec-meta", "object-id", "caption", "attrib"):
                continue
            out += self.block(child, depth)
        return out

    def titled(self, el: etree._Element, title: str | None = None) -> list[Block]:
        """A titled part (notes, a back-matter sec, an extra abstract) as heading + blocks."""
        heading = el.find("title")
        content: list[Inline] = (normalize_inlines(self.inline.inlines(heading))
                                 if heading is not None else [Text(title)] if title else [])
        out: list[Block] = [Heading(1, content, el.get("id"))] if content else []
        if el.tag == "glossary" or el.tag == "app-group":
            for child in el:
                if isinstance(child.tag, str) and child.tag in ("glossary", "app"):
                    out += self.titled(child)
                elif isinstance(child.tag, str) and child.tag not in ("title", "label"):
                    out += self.block(child, 1)
            return out
        return out + self.flow(el, depth=1 if content else 0)

    def section(self, sec: etree._Element, depth: int) -> list[Block]:
        title = sec.find("title")
        label = sec.find("label")
        out: list[Block] = []
        if title is not None or label is not None:
            content: list[Inline] = []
            if label is not None:
                content += [*self.inline.inlines(label), Text(" ")]
            if title is not None:
                content += self.inline.inlines(title)
            level = depth
            shown = sec.get("disp-level") or ""
            if shown.isdigit() and 1 <= int(shown) <= 6:
                level = int(shown)
            elif depth > 6:
                level = 6
                self.doc.lose(sec, "nested deeper than six levels, read as a level-6 heading")
            out.append(Heading(level, normalize_inlines(content), sec.get("id")))
        return out + self.flow(sec, depth)

    def block(self, el: etree._Element, depth: int = 0) -> list[Block]:
        """The blocks one element stands for."""
        tag = el.tag
        if not isinstance(tag, str) or PLACEHOLDER in (el.get("specific-use"),
                                                      el.get("content-type")):
            return []
        match tag:
            case "sec":
                return self.section(el, depth + 1)
            case "p":
                return self.para(el)
            case "list":
                return self.list_block(el)
            case "def-list":
                return self.def_list(el)
            case "disp-quote":
                blocks = self.flow(el, depth)
                for attrib in el.findall("attrib"):
                    blocks.append(Paragraph(normalize_inlines(self.inline.inlines(attrib))))
                return [BlockQuote(blocks)]
            case "speech":
                return [self.speech(el)]
            case "verse-group":
                return self.verse(el)
            case "preformat" | "code":
                language = el.get("language") if tag == "code" else None
                return [CodeBlock(self.doc.raw(el).strip("\n"), language or None)]
            case "table-wrap":
                return self.tables.table_wrap(el)
            case "fig":
                return [self.tables.figure(el)]
            case "table-wrap-group" | "fig-group" | "disp-formula-group":
                return self.tables.caption(el) + self.flow(el, depth)
            case "graphic" | "media":
                return self.tables.graphic_block(el)
            case "disp-formula" | "tex-math" | "inline-formula":
                return [Paragraph(normalize_inlines(self.inline.inline(el)))]
            case "alternatives" | "block-alternatives":
                best = preferred(el)
                return self.block(best, depth) if best is not None else []
            case "hr":
                return [HorizontalRule()]
            case "boxed-text" | "statement" | "question-wrap" | "question-wrap-group":
                self.doc.lose(el, "read as a block quote")
                return [BlockQuote(self.tables.caption(el) + self.flow(el, depth))]
            case "ack" | "notes" | "glossary" | "app" | "bio" | "answer" | "explanation" | \
                    "question" | "answer-set":
                return self.titled(el)
            case "ref-list":
                self.references.ref_list(el)
                return []
            case "fn-group" | "fn" | "x":
                return []  # footnotes are read where they are referenced, or into the notes
            case "supplementary-material":
                return self.tables.graphic_block(el)
            case "related-article" | "related-object":
                return [Paragraph(normalize_inlines(self.inline.linked(el)))]
            case _:
                if tag == MML_MATH:
                    return [Paragraph(normalize_inlines(self.inline.inline(el)))]
                text = self.doc.text(el)
                self.doc.lose(el, "read as a plain paragraph" if text else "left out (no text)")
                return [Paragraph([Text(text)])] if text else []

    def para(self, p: etree._Element) -> list[Block]:
        kind = p.get("content-type") or ""
        if PLACEHOLDER in (kind, p.get("specific-use")):
            return []
        level = kind.removeprefix(HEADING_PREFIX)
        if kind.startswith(HEADING_PREFIX) and level.isdigit() and 1 <= int(level) <= 6:
            return [Heading(int(level), normalize_inlines(self.inline.inlines(p)), p.get("id"))]
        return self.mixed(p, P_BLOCKS, empty=True)

    def mixed(self, el: etree._Element, blocks: frozenset[str], empty: bool) -> list[Block]:
        """Mixed content split into paragraphs around the block elements standing in it."""
        out: list[Block] = []
        run: list[Inline] = [Text(el.text)] if el.text else []
        split = False
        for child in el:
            if isinstance(child.tag, str) and child.tag in blocks:
                split = True
                inlines = normalize_inlines(run)
                if inlines:
                    out.append(Paragraph(inlines))
                run = []
                out += self.block(child)
            else:
                run += self.inline.inline(child)
            if child.tail:
                run.append(Text(child.tail))
        inlines = normalize_inlines(run)
        if inlines or (empty and not split):
            out.append(Paragraph(inlines))
        return out

    def list_block(self, el: etree._Element) -> list[Block]:
        kind = el.get("list-type") or ""
        style = ORDERED.get(kind)
        items: list[list[Block]] = []
        labels: list[str | None] = []
        for item in el.findall("list-item"):
            if item.get("specific-use") == PLACEHOLDER:
                continue
            label = item.find("label")
            labels.append(self.doc.text(label) if label is not None else None)
            items.append([b for child in item
                          if isinstance(child.tag, str) and child.tag != "label"
                          for b in (self.titled(child) if child.tag == "title" else
                                    self.block(child))])
        title = el.find("title")
        before = [Paragraph([Strong(normalize_inlines(self.inline.inlines(title)))])] \
            if title is not None else []
        start = parse_label(labels[0], style) if style and labels and labels[0] else None
        if style is None or (labels and labels[0] and start is None):
            for blocks, shown in zip(items, labels, strict=True):
                if shown and shown not in BULLETS:
                    _prepend(blocks, shown)
        result: Block
        if style is not None:
            result = OrderedList(items, start if start is not None else 1, style)  # type: ignore[arg-type]
        else:
            result = BulletList(items)
        return [*before, result]

    def def_list(self, el: etree._Element) -> list[Block]:
        items = []
        for item in el.findall("def-item"):
            terms = [normalize_inlines(self.inline.inlines(t)) for t in item.findall("term")]
            term: list[Inline] = []
            for part in terms:
                term += [Text("; "), *part] if term else part
            definitions = [self.flow(d) for d in item.findall("def")]
            items.append(DefinitionItem(normalize_inlines(term), definitions))
        out: list[Block] = []
        title = el.find("title")
        if title is not None:
            out.append(Paragraph([Strong(normalize_inlines(self.inline.inlines(title)))]))
        out.append(DefinitionList(items))
        for nested in el.findall("def-list"):
            out += self.def_list(nested)
        return out

    def speech(self, el: etree._Element) -> Speech:
        speaker = el.find("speaker")
        name = self.doc.text(speaker)
        if not name:
            name = "Unnamed speaker"
            self.doc.lose(el, "without a speaker name, read as 'Unnamed speaker'")
        blocks = [b for child in el if isinstance(child.tag, str) and child.tag != "speaker"
                  for b in self.block(child)]
        role = speaker.get("content-type") if speaker is not None else None
        return Speech(name, blocks, role)

    def verse(self, el: etree._Element) -> list[Block]:
        lines: list[list[Inline]] = []
        out: list[Block] = []
        for child in el:
            if not isinstance(child.tag, str) or child.get("specific-use") == PLACEHOLDER:
                continue
            if child.tag == "verse-line":
                lines.append(normalize_inlines(self.inline.inlines(child)))
            elif child.tag == "verse-group":
                for block in self.verse(child):
                    if isinstance(block, LineBlock):
                        lines += block.lines
            elif child.tag in ("title", "subtitle", "label", "attrib"):
                lines.append(normalize_inlines(self.inline.inlines(child)))
        out.append(LineBlock(lines))
        return out

    def fn_blocks(self, fn: etree._Element) -> list[Block]:
        return [b for child in fn if isinstance(child.tag, str) and child.tag != "label"
                for b in self.block(child)]
