"""The JATS 1.3 Archiving ``article``: its root, front, body and back, and its serialization.

The back matter holds the acknowledgements, the reference list (with an entry for each citation
key that names no reference) and every footnote in one ``fn-group``, numbered in reading order.
"""

from __future__ import annotations

import re

from lxml import etree

from ...errors import WriterError
from ...formats.jats.vocabulary import (
    ALI,
    CITED_KEY,
    DISCLAIMER,
    DOCTYPE,
    EXTRA_JOURNAL,
    GENERATOR,
    XLINK,
    XML_LANG,
)
from ...model import Article, Diagnostic, Speech
from .body import BlockBuilder
from .front import PMC_ARTICLE_TYPES, FrontBuilder, journal_fields
from .structure import INDENTED
from .tree import Tree


def build_tree(article: Article, noticed: list[Diagnostic] | None = None) -> etree._Element:
    """The JATS ``article`` element for an article (not yet validated); what could not be
    written as is goes to ``noticed``."""
    builder = ArticleBuilder(article)
    try:
        root = builder.build()
    except ValueError as exc:  # lxml refusing a value the cleaning missed
        raise WriterError(f"cannot build JATS: {exc}") from exc
    if noticed is not None:
        noticed.extend(builder.tree.noticed)
    return root


def serialize(root: etree._Element) -> bytes:
    indent(root)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, doctype=DOCTYPE) + b"\n"


def indent(element: etree._Element, depth: int = 0) -> None:
    """Indent inside element-only elements; mixed content (p, td, titles) is left exactly as is."""
    children = [c for c in element if isinstance(c.tag, str)]
    if element.tag in INDENTED and children:
        pad = "\n" + "  " * (depth + 1)
        element.text = pad
        for child in children:
            child.tail = pad
        children[-1].tail = "\n" + "  " * depth
    for child in children:
        indent(child, depth + 1)


class ArticleBuilder:
    """Builds one article's tree from its parts: front matter, body, back matter."""

    def __init__(self, article: Article) -> None:
        self.tree = Tree(article)
        self.body = BlockBuilder(self.tree)
        self.front = FrontBuilder(self.tree, self.body)

    def build(self) -> etree._Element:
        a = self.tree.article
        rights = a.rights
        nsmap = {"xlink": XLINK}
        if rights is not None and rights.license_url:
            nsmap["ali"] = ALI
        root = etree.Element("article", nsmap=nsmap)
        root.set("dtd-version", "1.3")
        interview = a.article_type == "interview" or any(isinstance(b, Speech)
                                                         for b in a.body)
        if a.article_type is not None:
            root.set("article-type", a.article_type if a.article_type in PMC_ARTICLE_TYPES
                     else "other")
        if a.language and re.fullmatch(r"[A-Za-z0-9-]+", a.language):
            root.set(XML_LANG, a.language)
        elif a.language:
            self.tree.diagnose("jats-language", f"language {a.language!r} is not a language "
                               "tag; left out of xml:lang")
        processing = self.tree.sub(root, "processing-meta", **{
            "tagset-family": "jats", "base-tagset": "archiving", "table-model": "xhtml",
            "math-representation": "tex"})
        self.front.custom_meta(self.tree.sub(processing, "custom-meta-group"), "generator",
                               GENERATOR)
        front = self.tree.sub(root, "front")
        journal = journal_fields(a.extra.get(EXTRA_JOURNAL))
        self.front.journal_meta(front, journal)
        self.front.article_meta(self.tree.sub(front, "article-meta"), journal, interview)
        if a.notes:
            self.body.flow(self.tree.sub(front, "notes"), a.notes)
        if rights is not None and rights.disclaimer is not None:
            notes = self.tree.sub(front, "notes", **{"notes-type": DISCLAIMER})
            self.tree.sub(notes, "p", rights.disclaimer)
        body = self.tree.sub(root, "body")
        self.body.flow(body, a.body)
        back = etree.Element("back")
        if a.acknowledgements:
            self.body.flow(self.tree.sub(back, "ack"), a.acknowledgements)
        self.references(back)
        if self.tree.footnotes:
            group = self.tree.sub(back, "fn-group")
            group.extend(self.tree.footnotes)
        if len(back):
            root.append(back)
        return root

    def references(self, back: etree._Element) -> None:
        refs = self.tree.article.references
        if not refs and not self.tree.cited_keys:
            return
        ref_list = self.tree.sub(back, "ref-list")
        for ref in refs:
            el = self.tree.sub(ref_list, "ref")
            self.tree.take_id(el, ref.id)
            if ref.label is not None:
                self.tree.sub(el, "label", ref.label)
            self.body.inline.inlines(self.tree.sub(el, "mixed-citation"), ref.content)
        for key, ident in self.tree.cited_keys.items():
            el = self.tree.sub(ref_list, "ref", id=ident, **{"content-type": CITED_KEY})
            self.tree.sub(el, "mixed-citation", key)
