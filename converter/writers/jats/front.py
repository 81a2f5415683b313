"""Front matter in JATS 1.3 Archiving: ``journal-meta``, ``article-meta`` and its custom-meta.

``article-meta`` carries ids, title, contributors, dates, ``pub-history`` (the source
publication), permissions, abstract and one ``kwd-group`` per subject list; ``custom-meta-group``
holds what JATS has no element for (``extra`` as JSON, image credits, media, discarded text), so
nothing in the model is dropped and the JATS reader gets it all back. ``article-type`` values
follow the PMC tagging guidelines.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from lxml import etree

from ...formats.jats.vocabulary import (
    ALI,
    CANONICAL_ID,
    EXTRA_JOURNAL,
    EXTRA_LICENSE_TEXT,
    GENERATED,
    META_ARTICLE_TYPE,
    META_DISCARDED,
    META_EXTRA,
    META_IMAGE_CREDIT,
    META_MEDIA,
    SOURCE_PUBLICATION,
)
from ...model import Contributor
from .body import BlockBuilder
from .tree import Tree

#: PMC's article-type values (PMC Tagging Guidelines); anything else is written as "other"
PMC_ARTICLE_TYPES = frozenset({
    "abstract", "addendum", "announcement", "article-commentary", "book-review",
    "books-received", "brief-report", "calendar", "case-report", "collection", "correction",
    "data-paper", "discussion", "dissertation", "editorial", "expression-of-concern", "in-brief",
    "introduction", "letter", "meeting-report", "methods-article", "news", "obituary", "oration",
    "other", "partial-retraction", "product-review", "rapid-communication", "reply", "reprint",
    "research-article", "retraction", "review-article", "systematic-review", "translation",
})


def meta_json(value: Any) -> str:
    """The JSON text of a ``custom-meta`` value."""
    return json.dumps(value, ensure_ascii=False)


def record(obj: Any) -> str:
    """A dataclass record (MediaResource, Discarded) as JSON, unset fields left out."""
    return meta_json({k: v for k, v in dataclasses.asdict(obj).items() if v is not None})


def journal_fields(value: Any) -> dict[str, Any] | None:
    """``extra["journal"]`` when it has the shape the JATS reader gives it, else None."""
    if not isinstance(value, dict) or not value:
        return None
    for key, item in value.items():
        if key in ("ids", "issn"):
            if not (isinstance(item, dict) and item and all(
                    isinstance(k, str) and k and isinstance(v, str) and v
                    for k, v in item.items())):
                return None
        elif key not in JOURNAL_TEXT or not isinstance(item, str) or not item:
            return None
    # what the DTD cannot hold: a last page without a first, pages and an elocation-id,
    # a publisher's place without its name
    if ("lpage" in value and "fpage" not in value) or (
            "fpage" in value and "elocation_id" in value) or (
            "publisher_location" in value and "publisher" not in value):
        return None
    return value


#: ``extra["journal"]`` text fields, in the order of the JATS elements they become
JOURNAL_TEXT = ("title", "abbrev_title", "publisher", "publisher_location", "volume", "issue",
                "fpage", "lpage", "elocation_id")


class FrontBuilder:
    """Writes ``journal-meta`` and ``article-meta``; abstracts and bios are blocks."""

    def __init__(self, tree: Tree, body: BlockBuilder) -> None:
        self.tree = tree
        self.body = body

    def journal_meta(self, front: etree._Element, journal: dict[str, Any] | None) -> None:
        """``journal-meta`` only with real values (the JATS reader's ``extra["journal"]``)."""
        if not journal or not any(k in journal for k in ("ids", "title", "abbrev_title", "issn",
                                                         "publisher")):
            return
        meta = self.tree.sub(front, "journal-meta")
        for kind, value in journal.get("ids", {}).items():
            self.tree.sub(meta, "journal-id", value, **{"journal-id-type": kind})
        if journal.get("title") or journal.get("abbrev_title"):
            group = self.tree.sub(meta, "journal-title-group")
            if journal.get("title"):
                self.tree.sub(group, "journal-title", journal["title"])
            if journal.get("abbrev_title"):
                self.tree.sub(group, "abbrev-journal-title", journal["abbrev_title"])
        for kind, value in journal.get("issn", {}).items():
            attr = "pub-type" if kind in ("epub", "ppub", "epub-ppub") else "publication-format"
            self.tree.sub(meta, "issn", value, **{attr: kind})
        if journal.get("publisher"):
            publisher = self.tree.sub(meta, "publisher")
            self.tree.sub(publisher, "publisher-name", journal["publisher"])
            if journal.get("publisher_location"):
                self.tree.sub(publisher, "publisher-loc", journal["publisher_location"])

    def article_meta(self, meta: etree._Element, journal: dict[str, Any] | None,
                     interview: bool) -> None:
        a = self.tree.article
        if a.id is not None:
            self.tree.sub(meta, "article-id", a.id, **{"pub-id-type": "other",
                                                       "specific-use": CANONICAL_ID})
        for identifier in a.identifiers:
            self.tree.sub(meta, "article-id", identifier.value,
                          **{"pub-id-type": identifier.scheme})
        if interview:
            group = self.tree.sub(self.tree.sub(meta, "article-categories"), "subj-group",
                                  **{"subj-group-type": "heading", "specific-use": GENERATED})
            self.tree.sub(group, "subject", "Interview")
        titles = self.tree.sub(meta, "title-group")
        self.tree.sub(titles, "article-title", a.title)
        if a.subtitle is not None:
            self.tree.sub(titles, "subtitle", a.subtitle)
        self.contributors(meta)
        if "published" in a.dates:
            self.date(meta, "pub-date", a.dates["published"], "pub")
        for key in ("volume", "issue", "fpage", "lpage", "elocation_id"):
            if journal and key in journal:
                self.tree.sub(meta, key.replace("_", "-"), journal[key])
        others = [(k, v) for k, v in a.dates.items() if k != "published"]
        if others:
            history = self.tree.sub(meta, "history")
            for key, value in others:
                self.date(history, "date", value, key)
        self.pub_history(meta)
        self.permissions(meta)
        if a.abstract:
            self.body.flow(self.tree.sub(meta, "abstract"), a.abstract)
        for key, values in a.subjects.items():
            group = self.tree.sub(meta, "kwd-group", **{"kwd-group-type": key})
            for value in values:
                self.tree.sub(group, "kwd", value)
        self.custom_meta_group(meta, journal)

    def contributors(self, meta: etree._Element) -> None:
        group: etree._Element | None = None
        kind = None
        for person in self.tree.article.contributors:
            if group is None or person.kind != kind:
                group, kind = self.tree.sub(meta, "contrib-group"), person.kind
            self.contributor(group, person)

    def contributor(self, group: etree._Element, person: Contributor) -> None:
        contrib = self.tree.sub(group, "contrib", **{"contrib-type": person.kind})
        if person.orcid is not None:
            self.tree.sub(contrib, "contrib-id", person.orcid, **{"contrib-id-type": "orcid"})
        if person.surname is not None or person.given_names is not None:
            parts = [p for p in (person.given_names, person.surname) if p]
            alternatives = " ".join(parts) != person.name
            holder = self.tree.sub(contrib, "name-alternatives") if alternatives else contrib
            name = self.tree.sub(holder, "name")
            if person.surname is not None:
                self.tree.sub(name, "surname", person.surname)
            if person.given_names is not None:
                self.tree.sub(name, "given-names", person.given_names)
            if alternatives:
                self.tree.sub(holder, "string-name", person.name)
        else:
            self.tree.sub(contrib, "string-name", person.name)
        if person.role is not None:
            self.tree.sub(contrib, "role", person.role)
        for affiliation in person.affiliations:
            self.tree.sub(contrib, "aff", affiliation)
        if person.email is not None:
            self.tree.sub(contrib, "email", person.email)
        if person.bio:
            self.body.flow(self.tree.sub(contrib, "bio"), person.bio)

    def date(self, parent: etree._Element, tag: str, value: str, date_type: str) -> None:
        el = self.tree.sub(parent, tag, **{"date-type": date_type, "iso-8601-date": value})
        year, month, day = value[:4], value[5:7], value[8:10]
        if day:
            self.tree.sub(el, "day", day)
        if month:
            self.tree.sub(el, "month", month)
        self.tree.sub(el, "year", year)

    def pub_history(self, meta: etree._Element) -> None:
        source = self.tree.article.source_publication
        if source is None:
            return
        event = self.tree.sub(self.tree.sub(meta, "pub-history"), "event", **{
            "specific-use": SOURCE_PUBLICATION, "event-type": source.relation})
        self.tree.sub(event, "event-desc", source.name)
        if source.date is not None:
            self.date(event, "date", source.date, "pub")
        if source.url is not None:
            self.tree.sub(event, "self-uri", source.url, **{"xlink:href": source.url})

    def permissions(self, meta: etree._Element) -> None:
        rights = self.tree.article.rights
        license_text = self.tree.article.extra.get(EXTRA_LICENSE_TEXT)
        if not isinstance(license_text, str):
            license_text = None
        if rights is None and license_text is None:
            return
        parts = (rights.statement, rights.year, rights.holder, rights.license_url,
                 rights.disclaimer) if rights is not None else ()
        if license_text is None and not any(p is not None for p in parts[:4]) and (
                parts and parts[4] is not None):
            return  # only a disclaimer, which goes to front/notes
        el = self.tree.sub(meta, "permissions")
        if rights is not None:
            if rights.statement is not None:
                self.tree.sub(el, "copyright-statement", rights.statement)
            if rights.year is not None:
                self.tree.sub(el, "copyright-year", rights.year)
            if rights.holder is not None:
                self.tree.sub(el, "copyright-holder", rights.holder)
        url = rights.license_url if rights is not None else None
        if url is not None or license_text is not None:
            lic = self.tree.sub(el, "license", **{"xlink:href": url})
            if url is not None:
                self.tree.sub(lic, f"{{{ALI}}}license_ref", url)
            if license_text is not None:
                self.tree.sub(lic, "license-p", license_text)

    def custom_meta(self, group: etree._Element, name: str, value: str,
                    use: str | None = None) -> None:
        meta = self.tree.sub(group, "custom-meta", **{"specific-use": use})
        self.tree.sub(meta, "meta-name", name)
        self.tree.sub(meta, "meta-value", value)

    def custom_meta_group(self, meta: etree._Element, journal: dict[str, Any] | None) -> None:
        """Everything JATS has no element for, so the JATS reader gets it all back."""
        a = self.tree.article
        group = etree.Element("custom-meta-group")
        if a.article_type is not None and a.article_type not in PMC_ARTICLE_TYPES:
            self.custom_meta(group, "article-type", a.article_type, META_ARTICLE_TYPE)
        for credit in a.image_credits:
            self.custom_meta(group, "image credit", credit, META_IMAGE_CREDIT)
        for media in a.media:
            self.custom_meta(group, "media", record(media), META_MEDIA)
        for key, value in a.extra.items():
            if (key == EXTRA_JOURNAL and journal is not None) or (
                    key == EXTRA_LICENSE_TEXT and isinstance(value, str)):
                continue
            self.custom_meta(group, key, meta_json(value), META_EXTRA)
        for item in a.discarded:
            self.custom_meta(group, "discarded", record(item), META_DISCARDED)
        if len(group):
            meta.append(group)
