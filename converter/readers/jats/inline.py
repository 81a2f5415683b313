"""Inlines in JATS: formatting, links, cross-references to footnotes and references, formulas.

An ``xref`` to a footnote reads the footnote in place as a :class:`~converter.model.Note`, one to a
reference as a :class:`~converter.model.Citation`. The writer's ``named-content`` markers read
back as line breaks and quotations; other inline elements without a model type read as their text.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from ...formats.jats.vocabulary import (
    DISPLAY,
    FORMATTING,
    HREF,
    LINE_BREAK,
    QUOTE_MARKS,
    QUOTED,
    TITLE,
)
from ...model import (
    Block,
    Citation,
    Code,
    Image,
    Inline,
    LineBreak,
    Link,
    Note,
    Quoted,
    Text,
    normalize_inlines,
)
from .document import Document, collapse
from .math import MML_MATH, Formulas
from .structure import TRANSPARENT


def preferred(el: etree._Element) -> etree._Element | None:
    """The child of an ``alternatives`` the model holds best: TeX, MathML, table, graphic."""
    children = [c for c in el if isinstance(c.tag, str)]
    for wanted in ("tex-math", MML_MATH, "table", "graphic", "inline-graphic"):
        for child in children:
            if child.tag == wanted:
                return child
    return children[0] if children else None


class InlineReader:
    """Reads the inline content of elements; a footnote's blocks come from the block reader."""

    def __init__(self, doc: Document, formulas: Formulas,
                 footnote: Callable[[etree._Element], list[Block]]) -> None:
        self.doc = doc
        self.formulas = formulas
        #: the blocks of a ``fn`` (the block reader's ``fn_blocks``)
        self.footnote = footnote

    def inlines(self, el: etree._Element) -> list[Inline]:
        """The inline content of an element (not yet normalized)."""
        out: list[Inline] = [Text(el.text)] if el.text else []
        for child in el:
            out += self.inline(child)
            if child.tail:
                out.append(Text(child.tail))
        return out

    def inline(self, el: etree._Element) -> list[Inline]:
        tag = el.tag
        if tag is etree.Entity:
            return [Text(self.doc.entity(el))]
        if not isinstance(tag, str):
            return []
        if tag in FORMATTING:
            return [FORMATTING[tag](self.inlines(el))]
        match tag:
            case "monospace":
                return [Code(collapse(self.doc.raw(el), strip=False))]
            case "ext-link" | "uri":
                href = el.get(HREF) or self.doc.text(el)
                return [Link(href, self.inlines(el), el.get(TITLE))]
            case "email":
                return [Link(f"mailto:{self.doc.text(el)}", self.inlines(el))]
            case "xref":
                return self.xref(el)
            case "fn":
                if el.get("id"):
                    self.doc.used_fns.add(el.get("id", ""))
                return [Note(self.footnote(el))]
            case "break":
                return [LineBreak()]
            case "named-content" if el.get("content-type") == LINE_BREAK:
                return [LineBreak()]
            case "named-content" if el.get("content-type") in QUOTED.values():
                quote = "double" if el.get("content-type") == QUOTED["double"] else "single"
                content = normalize_inlines(self.inlines(el), strip=False)
                opening, closing = QUOTE_MARKS[quote]
                if content and isinstance(content[0], Text) and \
                        content[0].text.startswith(opening):
                    content[0] = Text(content[0].text[1:])
                if content and isinstance(content[-1], Text) and \
                        content[-1].text.endswith(closing):
                    content[-1] = Text(content[-1].text[:-1])
                return [Quoted(quote, content)]  # type: ignore[arg-type]
            case "inline-formula" | "disp-formula" | "tex-math":
                display = tag == "disp-formula" or el.get("content-type") == DISPLAY
                out: list[Inline] = [self.formulas.formula(el, display)]
                for part in el:  # an equation number, or text that is not the formula itself
                    if isinstance(part.tag, str) and part.tag not in (
                            "tex-math", MML_MATH, "alternatives") and self.doc.text(part):
                        out.append(Text(f" {self.doc.text(part)}"))
                        if part.tag != "label":
                            self.doc.lose(part, "inside a formula read as text after it")
                return out
            case "alternatives":
                best = preferred(el)
                return self.inline(best) if best is not None else []
            case "inline-graphic" | "graphic":
                return [self.image(el)]
            case "hr":
                self.doc.lose(el, "inside a phrase left out")
                return []
            case "index-term":
                self.doc.lose(el, "(an index entry, not running text) left out")
                return []
            case "etal":
                return [Text(self.doc.text(el) or "et al.")]
            case "name":
                return [Text(self.people(el))]
            case "related-article" | "inline-supplementary-material" | "related-object":
                return self.linked(el)
        if tag == MML_MATH:
            return [self.formulas.formula(el, el.get("display") == "block")]
        if tag not in TRANSPARENT:
            self.doc.lose(el, "read as plain text")
        return self.inlines(el)

    def xref(self, el: etree._Element) -> list[Inline]:
        kind = el.get("ref-type")
        rids = (el.get("rid") or "").split()
        fns = [r for r in rids if r in self.doc.fns]
        if fns and (kind in ("fn", "table-fn", None) or len(fns) == len(rids)):
            out: list[Inline] = []
            for rid in fns:
                if rid in self.doc.open_fns:  # a footnote pointing to itself
                    return self.inlines(el)
                self.doc.used_fns.add(rid)
                self.doc.open_fns.add(rid)
                out.append(Note(self.footnote(self.doc.fns[rid])))
                self.doc.open_fns.discard(rid)
            return out
        if kind == "bibr" and rids:
            return [Citation([self.doc.cited_keys.get(r) or r for r in rids], self.inlines(el))]
        if rids:
            return [Link(f"#{rids[0]}", self.inlines(el))]
        return self.inlines(el)

    def image(self, el: etree._Element) -> Image:
        alt = el.find("alt-text")
        content: list[Inline] = [Text(self.doc.text(alt))] \
            if alt is not None and self.doc.text(alt) else []
        return Image(el.get(HREF) or "", content, el.get(TITLE))

    def linked(self, el: etree._Element) -> list[Inline]:
        href = el.get(HREF)
        content = self.inlines(el) if el.tag != "supplementary-material" else []
        if not any(isinstance(n, Text) and n.text.strip() for n in content) and len(content) < 2:
            content = [Text(href or self.doc.text(el))] if (href or self.doc.text(el)) else []
        return [Link(href, content)] if href else content

    def people(self, el: etree._Element) -> str:
        if el.tag == "name":
            surname = self.doc.text(el.find("surname"))
            given = self.doc.text(el.find("given-names"))
            return " ".join(p for p in (surname, given) if p)
        if el.tag == "etal":
            return self.doc.text(el) or "et al."
        if el.tag != "person-group":
            return self.doc.text(el)
        names = [self.people(c) for c in el if isinstance(c.tag, str)]
        return ", ".join(n for n in names if n)
