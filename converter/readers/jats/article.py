"""A JATS ``article`` read whole: front, body, back, floats and sub-articles, then the losses.

Footnotes no ``xref`` points to go to the notes; every kind of element the model could not hold
as is gets one diagnostic naming how many there were and where the first one stood.
"""

from __future__ import annotations

from lxml import etree

from ...formats.jats.vocabulary import XML_LANG
from ...model import Article, Block, Heading, Inline, Text, normalize_inlines
from ...model.vocabulary import language_tag
from ...options import ReadOptions
from .body import BlockReader
from .document import EXTRA_UNMAPPED, Document
from .front import FrontReader
from .math import Formulas


class ArticleReader:
    """Reads one parsed document into an article, part by part."""

    def __init__(self, tree: etree._ElementTree, options: ReadOptions) -> None:
        self.doc = Document(tree, options)
        self.formulas = Formulas(self.doc)  # MathML to TeX before anything is read
        self.blocks = BlockReader(self.doc, self.formulas)
        self.front = FrontReader(self.doc, self.blocks)

    def read(self) -> Article:
        a = self.doc.article
        root = self.doc.root
        language = root.get(XML_LANG)
        if language and language_tag(language) == language:
            a.language = language
        elif language:
            a.extra["language"] = language
            a.diagnose("warning", "jats-language", f"xml:lang {language!r} is not a BCP 47 "
                       "language tag; kept in extra['language']", "/article")
        a.article_type = root.get("article-type")
        processing = root.find("processing-meta")
        if processing is not None and not self.doc.ours:
            self.doc.keep_unmapped(processing)
        front = root.find("front")
        if front is not None:
            self.front.front(front)
        body = root.find("body")
        if body is not None:
            a.body = self.blocks.flow(body)
        back = root.find("back")
        if back is not None:
            self.back(back)
        floats = root.find("floats-group")
        if floats is not None:
            a.body += self.blocks.flow(floats)
            self.doc.lose(floats, "read into the end of the body")
        for sub in [*root.findall("sub-article"), *root.findall("response")]:
            a.body += self.sub_article(sub)
        # footnotes no xref pointed to and not read in place: their text goes to the notes
        for fn in root.iter("fn"):
            if self._inside_table_foot(fn) or (fn.get("id") in self.doc.used_fns) or (
                    not fn.get("id") and self._inside_p(fn)):
                continue
            a.notes += self.blocks.fn_blocks(fn)
        if self.doc.unmapped:
            a.extra[EXTRA_UNMAPPED] = self.doc.unmapped
        if root.find("front/article-meta/title-group/article-title") is None or \
                a.title == "Untitled":
            a.diagnose("warning", "jats-no-title", "no article-title: titled 'Untitled'")
        for what, (count, place) in self.doc.losses.items():
            a.diagnose("info", "jats-unmapped", f"{count} × {what}", place)
        return a

    def _inside_table_foot(self, el: etree._Element) -> bool:
        return any(p.tag == "table-wrap-foot" for p in el.iterancestors())

    def _inside_p(self, el: etree._Element) -> bool:
        return any(p.tag in ("p", "td", "th", "title") for p in el.iterancestors())

    def back(self, back: etree._Element) -> None:
        a = self.doc.article
        for child in back:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == "ack":
                a.acknowledgements += self.blocks.flow(child)
            elif tag == "ref-list":
                self.blocks.references.ref_list(child)
            elif tag in ("fn-group", "label", "title"):
                continue
            elif tag in ("notes", "sec", "glossary", "bio"):
                a.notes += self.blocks.titled(child)
            elif tag in ("app-group", "app"):
                a.body += self.blocks.titled(child)
                self.doc.lose(child, "(appendix) read into the end of the body")
            else:
                a.notes += self.blocks.block(child)

    def sub_article(self, sub: etree._Element) -> list[Block]:
        """A sub-article (an eLife decision letter, a reply) as a section at the body's end."""
        title = sub.find("front-stub/title-group/article-title")
        if title is None:
            title = sub.find("front/article-meta/title-group/article-title")
        content: list[Inline] = self.blocks.inline.inlines(title) if title is not None else [
            Text(sub.get("article-type") or "Sub-article")]
        out: list[Block] = [Heading(1, normalize_inlines(content), sub.get("id"))]
        body = sub.find("body")
        if body is not None:
            out += self.blocks.flow(body, depth=1)
        for part in sub:
            if isinstance(part.tag, str) and part.tag not in ("body",):
                self.doc.keep_unmapped(part)
        self.doc.lose(sub, "read as a section at the end of the body")
        return out
