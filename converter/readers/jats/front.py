"""Front matter in JATS: ``journal-meta``, ``article-meta`` and the notes beside them.

Titles, ids, subjects and keywords, abstracts, permissions and custom-meta map to the model (the
writer's custom-meta back to the fields it came from); journal metadata goes to
``extra["journal"]``. Front matter without a model home is kept as XML in ``extra``.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from lxml import etree

from ...formats.jats.vocabulary import (
    ALI,
    CANONICAL_ID,
    DISCLAIMER,
    EXTRA_JOURNAL,
    EXTRA_LICENSE_TEXT,
    GENERATED,
    HREF,
    META_ARTICLE_TYPE,
    META_DISCARDED,
    META_EXTRA,
    META_IMAGE_CREDIT,
    META_MEDIA,
)
from ...model import (
    Discarded,
    Identifier,
    MediaResource,
    Paragraph,
    Rights,
    SourcePublication,
    normalize_inlines,
)
from .body import BlockReader
from .contributors import ContributorReader
from .dates import DateReader
from .document import EXTRA_CUSTOM_META, Document, collapse, model_key, raw_text


class FrontReader:
    """Reads ``front`` into the article's metadata, notes and acknowledgements."""

    def __init__(self, doc: Document, blocks: BlockReader) -> None:
        self.doc = doc
        self.blocks = blocks
        self.contributors = ContributorReader(doc, blocks)
        self.dates = DateReader(doc)

    def front(self, front: etree._Element) -> None:
        a = self.doc.article
        for child in front:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == "journal-meta":
                self.journal_meta(child)
            elif tag == "article-meta":
                self.article_meta(child)
            elif tag == "notes":
                if child.get("notes-type") == DISCLAIMER and self.disclaimer(child):
                    continue
                a.notes += self.blocks.titled(child)
            elif tag in ("list", "def-list", "bio", "glossary"):
                a.notes += self.blocks.block(child)
            elif tag == "ack":
                a.acknowledgements += self.blocks.flow(child)
            elif tag == "fn-group":
                continue  # footnotes: referenced ones become notes inline, others notes
            else:
                self.doc.keep_unmapped(child)

    def disclaimer(self, notes: etree._Element) -> bool:
        paragraphs = [c for c in notes if isinstance(c.tag, str)]
        if len(paragraphs) != 1 or paragraphs[0].tag != "p":
            return False
        rights = self.doc.article.rights or Rights()
        rights.disclaimer = self.doc.text(paragraphs[0])
        self.doc.article.rights = rights
        return True

    def journal_meta(self, meta: etree._Element) -> None:
        journal: dict[str, Any] = {}
        ids: dict[str, str] = {}
        issn: dict[str, str] = {}
        for child in meta:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            text = self.doc.text(child)
            if tag == "journal-id" and text:
                ids.setdefault(child.get("journal-id-type") or "other", text)
            elif tag == "journal-title-group":
                for part, key in (("journal-title", "title"),
                                  ("abbrev-journal-title", "abbrev_title")):
                    value = self.doc.text(child.find(part))
                    if value:
                        journal.setdefault(key, value)
            elif tag == "issn" and text:
                issn.setdefault(child.get("pub-type") or child.get("publication-format")
                                or "issn", text)
            elif tag == "publisher":
                name = self.doc.text(child.find("publisher-name"))
                if name:
                    journal["publisher"] = name
                    location = self.doc.text(child.find("publisher-loc"))
                    if location:
                        journal["publisher_location"] = location
            elif text:
                self.doc.keep_unmapped(child)
        if ids:
            journal["ids"] = ids
        if issn:
            journal["issn"] = issn
        if journal:
            self.doc.article.extra.setdefault(EXTRA_JOURNAL, {}).update(journal)

    def article_meta(self, meta: etree._Element) -> None:
        a = self.doc.article
        doi = None
        abstracts: list[etree._Element] = []
        journal: dict[str, str] = {}
        for child in meta:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == "article-id":
                value = self.doc.text(child)
                if not value:
                    continue
                if child.get("specific-use") == CANONICAL_ID:
                    a.id = value
                    continue
                scheme = child.get("pub-id-type") or "other"
                a.identifiers.append(Identifier(scheme, value))
                if scheme == "doi" and doi is None:
                    doi = value
            elif tag == "article-categories":
                self.categories(child)
            elif tag == "title-group":
                self.title_group(child)
            elif tag == "contrib-group":
                for contrib in child:
                    if contrib.tag == "contrib":
                        person = self.contributors.contributor(contrib)
                        if person is not None:
                            a.contributors.append(person)
                    elif isinstance(contrib.tag, str) and not (
                            contrib.tag == "aff" and contrib.get("id")):
                        self.doc.keep_unmapped(contrib)
            elif tag in ("aff", "aff-alternatives"):
                if not any(aff.get("id") for aff in child.iter("aff")):
                    self.doc.keep_unmapped(child)  # no contributor can point to it
                # the others are read through the contributors' xrefs; unused ones below
            elif tag == "author-notes":
                self.author_notes(child)
            elif tag in ("pub-date", "history"):
                for date in ([child] if tag == "pub-date" else child.findall("date")):
                    self.dates.date(date, pub=tag == "pub-date")
            elif tag in ("volume", "issue", "fpage", "lpage", "elocation-id"):
                value = self.doc.text(child)
                if value:
                    journal.setdefault(tag.replace("-", "_"), value)
            elif tag == "pub-history":
                self.dates.pub_history(child)
            elif tag == "permissions":
                self.permissions(child)
            elif tag == "related-article" and child.get("related-article-type") == \
                    "republished-article" and a.source_publication is None:
                a.source_publication = SourcePublication(
                    self.doc.text(child) or child.get(HREF, ""), url=child.get(HREF))
            elif tag in ("abstract", "trans-abstract"):
                abstracts.append(child)
            elif tag == "kwd-group":
                key = model_key(child.get("kwd-group-type"), "keywords")
                for kwd in child:
                    if isinstance(kwd.tag, str) and kwd.tag in ("kwd", "compound-kwd"):
                        value = self.doc.text(kwd)
                        if value:
                            a.subjects.setdefault(key, []).append(value)
                a.subjects.setdefault(key, [])
            elif tag == "custom-meta-group":
                self.custom_meta(child)
            else:
                self.doc.keep_unmapped(child)
        if journal:
            a.extra.setdefault(EXTRA_JOURNAL, {}).update(journal)
        if a.id is None and doi is not None and not self.doc.ours:
            a.id = f"https://doi.org/{doi}"
        main = next((x for x in abstracts if x.tag == "abstract" and not x.get("abstract-type")),
                    abstracts[0] if abstracts else None)
        for abstract in abstracts:
            if abstract is main:
                a.abstract = self.blocks.flow(abstract)
            else:
                name = abstract.get("abstract-type") or "abstract"
                a.notes += self.blocks.titled(abstract, name.replace("-", " ").capitalize())
        for ident, aff in self.doc.affs.items():
            parent = aff.getparent()
            if ident not in self.doc.used_affs and parent is not None and parent.tag in (
                    "article-meta", "contrib-group", "aff-alternatives"):
                self.doc.keep_unmapped(aff)

    def title_group(self, group: etree._Element) -> None:
        a = self.doc.article
        for child in group:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "article-title":
                title = self.doc.text(child)
                if title:
                    a.title = title
            elif child.tag == "subtitle" and a.subtitle is None:
                a.subtitle = self.doc.text(child)
            elif child.tag == "fn-group":
                continue
            else:
                self.doc.keep_unmapped(child)

    def categories(self, categories: etree._Element) -> None:
        def walk(group: etree._Element, inherited: str) -> None:
            key = model_key(group.get("subj-group-type"), inherited)
            for child in group:
                if not isinstance(child.tag, str):
                    continue
                if child.tag in ("subject", "compound-subject"):
                    value = self.doc.text(child)
                    if value:
                        self.doc.article.subjects.setdefault(key, []).append(value)
                elif child.tag == "subj-group":
                    walk(child, key)

        for child in categories:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "subj-group":
                if child.get("specific-use") != GENERATED:
                    walk(child, "subject")
            else:
                self.doc.keep_unmapped(child)

    def author_notes(self, notes: etree._Element) -> None:
        for child in notes:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "corresp":
                if child.get("id") not in self.doc.referenced:
                    inlines = self.blocks.inline.inlines(child)
                    self.doc.article.notes.append(Paragraph(normalize_inlines(inlines)))
            elif child.tag == "p":
                self.doc.article.notes += self.blocks.para(child)
            elif child.tag != "fn":
                self.doc.keep_unmapped(child)

    def permissions(self, permissions: etree._Element) -> None:
        rights = self.doc.article.rights or Rights()
        texts: list[str] = []
        for child in permissions:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == "copyright-statement" and rights.statement is None:
                rights.statement = self.doc.text(child)
            elif tag == "copyright-year" and rights.year is None:
                rights.year = self.doc.text(child)
            elif tag == "copyright-holder" and rights.holder is None:
                rights.holder = self.doc.text(child)
            elif tag == "license" and rights.license_url is None and not texts:
                ref = child.find(f"{{{ALI}}}license_ref")
                url = child.get(HREF) or (self.doc.text(ref) if ref is not None else None)
                rights.license_url = url or None
                texts = [self.doc.text(p) for p in child.findall("license-p")]
            else:
                self.doc.keep_unmapped(child)
        self.doc.article.rights = rights
        text = " ".join(t for t in texts if t)
        if text:
            self.doc.article.extra[EXTRA_LICENSE_TEXT] = text

    def custom_meta(self, group: etree._Element) -> None:
        a = self.doc.article
        for meta in group.findall("custom-meta"):
            use = meta.get("specific-use")
            name = raw_text(meta.find("meta-name"))
            value = raw_text(meta.find("meta-value"))
            try:
                if use == META_ARTICLE_TYPE:
                    a.article_type = value
                elif use == META_IMAGE_CREDIT:
                    a.image_credits.append(value)
                elif use == META_EXTRA:
                    a.extra[name] = json.loads(value)
                elif use == META_MEDIA:
                    a.media.append(_record(MediaResource, value))
                elif use == META_DISCARDED:
                    a.discarded.append(_record(Discarded, value))
                else:
                    a.extra.setdefault(EXTRA_CUSTOM_META, []).append(
                        {"name": collapse(name), "value": collapse(value)})
            except (ValueError, TypeError) as exc:
                a.diagnose("warning", "jats-custom-meta", f"custom-meta {name!r} ({use}) is "
                           f"not what the JATS writer makes ({exc}); kept as text in extra",
                           self.doc.place(meta))
                a.extra.setdefault(EXTRA_CUSTOM_META, []).append({"name": name, "value": value})


def _record(cls: type[Any], text: str) -> Any:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    names = {f.name for f in dataclasses.fields(cls)}
    if not set(data) <= names:
        raise ValueError(f"unknown fields {sorted(set(data) - names)}")
    return cls(**data)
