"""What the renderers of one XHTML content document share: ids, labels, notes and contents.

One content document per article (EPUB 3.3 section 6.1, "XHTML content documents"). Its ids must
be unique and valid (NCName-safe, prefixed per chapter in a collection), ids from the model are
remembered so links and citations can point at them, and generated section headings go into the
table of contents. The renderers (:mod:`.blocks`, :mod:`.inlines`, :mod:`.matter`) each hold
their own state and share this.
"""

from __future__ import annotations

import re

from lxml import etree

from ...model import Article, Note
from .images import BookImages
from .nav import Toc
from .xhtml import (
    EPUB_TYPE,
    HTML_DATETIME,
    LABEL_LANGUAGE,
    LABELS,
    RTL_LANGUAGES,
    W3C_DATE,
    XML_LANG,
    Report,
    append_text,
    primary,
    sub,
)

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class Context:
    """The state one content document's renderers share, and the ids and labels they make."""

    def __init__(self, article: Article, report: Report, images: BookImages, file_name: str,
                 prefix: str, language: str) -> None:
        self.article = article
        self.report = report
        self.t = report.clean
        self.images = images
        self.file_name = file_name
        self.prefix = prefix
        self.language = language
        self.label_language = None if primary(language) == LABEL_LANGUAGE else LABEL_LANGUAGE
        self.media = {m.path: m for m in article.media}
        self.base = article.source_publication.url if article.source_publication else None
        self.ids: set[str] = set()
        self.model_ids: dict[str, str] = {}
        #: notes in reading order, with the ids of their reference mark and of the note
        self.notes: list[tuple[Note, str, str]] = []
        self.toc: list[Toc] = []
        self.reference_ids: list[str] = []
        self.outline = 1  # the rank of the last heading rendered (the title is the h1)
        self.title = self.t(article.title).strip() or LABELS["untitled"]

    def new_id(self, wanted: str) -> str:
        """A unique, NCName-safe id for this document (prefixed in collections)."""
        base = self.prefix + (_ID_UNSAFE.sub("-", wanted).strip("-.") or "id")
        if not base[0].isalpha():
            base = "x-" + base
        candidate, n = base, 1
        while candidate in self.ids:
            n += 1
            candidate = f"{base}-{n}"
        self.ids.add(candidate)
        return candidate

    def model_id(self, wanted: str) -> str:
        """The document id for an id from the model, remembered for links to it."""
        if wanted in self.model_ids:
            return self.new_id(wanted)
        self.model_ids[wanted] = self.new_id(wanted)
        return self.model_ids[wanted]

    def labelled(self, element: etree._Element) -> etree._Element:
        """Mark ``element`` as holding generated (English) words when the document is not."""
        if self.label_language:
            element.set("lang", self.label_language)
            element.set(XML_LANG, self.label_language)
            if primary(self.language) in RTL_LANGUAGES:
                element.set("dir", "ltr")
        return element

    def label(self, parent: etree._Element, key: str, **fields: str) -> None:
        """Append a generated word to ``parent``'s content."""
        text = LABELS[key].format(**fields)
        if self.label_language:
            self.labelled(sub(parent, "span", text=text))
        else:
            append_text(parent, text)

    def heading(self, parent: etree._Element, level: int, key: str,
                toc: bool = True) -> etree._Element:
        """A generated section heading (English words, marked so), entered in the contents."""
        section_id = self.new_id(key)
        head = self.labelled(sub(parent, f"h{level}", {"id": section_id}, LABELS[key]))
        self.outline = level
        if toc:
            self.toc.append(Toc(LABELS[key], f"{self.file_name}#{section_id}"))
        return head

    def section(self, parent: etree._Element, key: str, css: str, epub_type: str | None = None,
                role: str | None = None, level: int = 2) -> etree._Element:
        """A generated section with its semantics and a heading that labels it."""
        attrib = {"class": css}
        if epub_type:
            attrib[EPUB_TYPE] = epub_type
        if role:
            attrib["role"] = role
        section = sub(parent, "section", attrib)
        head = self.heading(section, level, key, toc=level == 2)
        section.set("aria-labelledby", head.get("id", ""))
        return section

    def time(self, parent: etree._Element, value: str) -> None:
        """A date: a ``<time>`` element when it is machine-readable, else the text as given."""
        value = self.t(value.strip())
        if W3C_DATE.match(value) or HTML_DATETIME.match(value):
            sub(parent, "time", {"datetime": value}, value)
        else:
            append_text(parent, value)
