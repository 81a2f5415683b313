"""XML and XHTML building blocks that every document of the EPUB shares (EPUB 3.3, XHTML5).

Content documents and the navigation document are XHTML5 in the XML syntax with the EPUB 3
Structural Semantics Vocabulary (``epub:type``); both start from one page skeleton (:func:`page`)
and are serialized the same way (:func:`serialize`). Generated words (headings, labels) are
English and marked so inside documents in another language. The :class:`Report` of each article
keeps all text XML 1.0-clean (content and package documents alike) and records each diagnostic
once.
"""

from __future__ import annotations

import re
from typing import Literal

from lxml import etree

from ...formats.xml import clean_xml
from ...model import Article, Diagnostic, add_once

XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = f"{{{OPS_NS}}}type"
H = f"{{{XHTML_NS}}}"
_NSMAP = {None: XHTML_NS, "epub": OPS_NS}
_DOCTYPE = "<!DOCTYPE html>"

#: file names in the package's EPUB/ folder
NAV_FILE = "nav.xhtml"
CSS_FILE = "style.css"
ARTICLE_FILE = "article.xhtml"

#: dates a ``<time datetime>`` and ``dc:date`` take as they are (W3C date and time formats)
W3C_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
HTML_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:?\d\d)?$")
#: languages written right to left (the documents get ``dir="rtl"``)
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ps", "sd", "ug", "ur",
                           "yi"})

#: generated words; marked lang="en" inside documents in another language
LABELS = {
    "contents": "Contents", "landmarks": "Landmarks", "start": "Start of content",
    "summary": "Summary", "notes": "Notes", "acknowledgements": "Acknowledgements",
    "references": "References", "author": "About the author", "authors": "About the authors",
    "contributors": "About the contributors", "about": "About this article",
    "credits": "Image credits", "rights": "Rights", "published": "Published",
    "source": "Source", "type": "Type", "backlink": "Back to reference {n}", "image": "Image",
    "untitled": "Untitled", "and": "and", "copyright": "Copyright ©", "license": "Licence:",
    "disclaimer": "Disclaimer:", "orcid": "ORCID",
}
LABEL_LANGUAGE = "en"


class Report:
    """What the writer noticed about one article, each problem said once (:func:`add_once`)."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.replaced = 0
        self.noticed: list[Diagnostic] = []

    def diagnose(self, level: Literal["info", "warning", "error"], code: str, message: str,
                 place: str | None = None) -> None:
        add_once(self.noticed, Diagnostic(level, code, message, place=place))

    def clean(self, text: str) -> str:
        """``text`` with the characters XML 1.0 forbids replaced by U+FFFD (counted)."""
        cleaned, count = clean_xml(text)
        self.replaced += count
        return cleaned

    def finish(self) -> None:
        if self.replaced:
            self.diagnose("warning", "epub-invalid-character",
                          f"replaced {self.replaced} character(s) that XML 1.0 does not allow "
                          "(control characters, lone surrogates) with U+FFFD", "epub")
            self.replaced = 0


def sub(parent: etree._Element, tag: str, attrib: dict[str, str] | None = None,
        text: str | None = None) -> etree._Element:
    """A new child element in the XHTML namespace, with its attributes and text."""
    element = etree.SubElement(parent, H + tag, attrib or {})
    if text:
        element.text = text
    return element


def append_text(parent: etree._Element, text: str) -> None:
    """Text after ``parent``'s last child (lxml keeps it in that child's tail)."""
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def primary(language: str) -> str:
    """The primary language subtag, lower-case (``pt-BR`` -> ``pt``)."""
    return language.split("-", 1)[0].lower()


def page(language: str, title: str) -> tuple[etree._Element, etree._Element]:
    """A new XHTML document in ``language``: its root and its ``body`` (the head is complete)."""
    html = etree.Element(H + "html", nsmap=_NSMAP)  # type: ignore[arg-type]
    html.set("lang", language)
    html.set(XML_LANG, language)
    if primary(language) in RTL_LANGUAGES:
        html.set("dir", "rtl")
    head = sub(html, "head")
    sub(head, "meta", {"charset": "utf-8"})
    sub(head, "title", text=title)
    sub(head, "link", {"rel": "stylesheet", "type": "text/css", "href": CSS_FILE})
    return html, sub(html, "body")


def serialize(html: etree._Element) -> bytes:
    """A finished XHTML document: UTF-8, with the XML declaration and the HTML5 doctype."""
    return etree.tostring(html, encoding="utf-8", xml_declaration=True, doctype=_DOCTYPE)
