"""Navigation: the navigation document and the NCX's table of contents (EPUB 3.3 section 7).

The navigation document holds the table of contents, nested by heading level, and the landmarks
(start of content; in a collection also the contents page, which is then in the spine). The same
entries feed ebooklib's NCX for EPUB 2 reading systems (:func:`ncx_toc`), so both always list the
same contents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ebooklib import epub
from lxml import etree

from .xhtml import (
    EPUB_TYPE,
    LABEL_LANGUAGE,
    LABELS,
    NAV_FILE,
    XML_LANG,
    page,
    primary,
    serialize,
    sub,
)


@dataclass
class Toc:
    """One entry of the table of contents (nav document and NCX)."""

    title: str
    href: str
    children: list[Toc] = field(default_factory=list)


def nav_document(contents: list[Toc], collection: str | None, language: str, start: str) -> bytes:
    """The EPUB navigation document: table of contents (nested by heading) and landmarks.

    ``contents`` has one entry per chapter; ``start`` is the first chapter's file.
    """
    label_language = None if primary(language) == LABEL_LANGUAGE else LABEL_LANGUAGE

    def labelled(element: etree._Element) -> etree._Element:
        if label_language:
            element.set("lang", label_language)
            element.set(XML_LANG, label_language)
        return element

    html, body = page(language, collection or LABELS["contents"])
    if collection is not None:
        sub(body, "h1", text=collection)
    toc = sub(body, "nav", {EPUB_TYPE: "toc", "id": "toc", "role": "doc-toc",
                            "aria-labelledby": "toc-title"})
    labelled(sub(toc, "h2", {"id": "toc-title"}, LABELS["contents"]))

    def entries(parent: etree._Element, items: list[Toc]) -> None:
        listing = sub(parent, "ol")
        for item in items:
            li = sub(listing, "li")
            sub(li, "a", {"href": item.href}, item.title)
            if item.children:
                entries(li, item.children)

    entries(toc, contents)
    landmarks = sub(body, "nav", {EPUB_TYPE: "landmarks", "id": "landmarks", "hidden": "hidden",
                                  "aria-labelledby": "landmarks-title"})
    labelled(sub(landmarks, "h2", {"id": "landmarks-title"}, LABELS["landmarks"]))
    listing = sub(landmarks, "ol")
    if collection is not None:
        labelled(sub(sub(listing, "li"), "a", {EPUB_TYPE: "toc", "href": f"{NAV_FILE}#toc"},
                     LABELS["contents"]))
    labelled(sub(sub(listing, "li"), "a", {EPUB_TYPE: "bodymatter", "href": start},
                 LABELS["start"]))
    return serialize(html)


def ncx_toc(contents: list[Toc]) -> list[Any]:
    """The same contents as ebooklib's toc list (for the NCX), with unique navPoint ids."""
    counter = iter(range(1, 1_000_000))

    def convert(entry: Toc) -> Any:
        link = epub.Link(entry.href, entry.title, f"navpoint-{next(counter)}")
        if entry.children:
            return (link, [convert(child) for child in entry.children])
        return link

    return [convert(item) for item in contents]
