"""Recognizing and parsing JATS safely (JATS 1.0-1.4 and NLM 3.0 DOCTYPEs, fragments).

No DTD is loaded, no entity is resolved by the parser, no network, no huge trees. A document that
is not well-formed but whose root is still ``article`` (or a fragment's) is parsed again in
libxml2's recovery mode; the caller warns about it.
"""

from __future__ import annotations

import re

from lxml import etree

from ...errors import InputError

#: root elements of JATS fragments (pandoc writes them without --standalone)
FRAGMENTS = frozenset({"body", "sec", "p", "table-wrap", "fig", "list", "def-list", "disp-quote",
                       "boxed-text", "speech", "verse-group", "preformat", "code"})
_DOCTYPE = re.compile(rb"\s*<!DOCTYPE\s+([\w:.-]+)([^>\[]*)", re.I)
_FIRST_TAG = re.compile(rb"\s*(?:<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>\s*)?<([\w:.-]+)([^>]*)", re.S)
_JATS_IDS = re.compile(rb"JATS|//NLM//DTD|Journal Archiving|Journal Publishing|Article Authoring")
_PROLOG_NOISE = re.compile(rb"<\?.*?\?>|<!--.*?-->", re.S)


def sniff(data: bytes) -> bool:
    """A JATS or NLM DOCTYPE, or a root ``article`` in no namespace (DocBook 5 has one)."""
    head = data[:16384]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = _PROLOG_NOISE.sub(b"", head.removeprefix(b"\xef\xbb\xbf"))
    doctype = _DOCTYPE.match(head)
    if doctype and _JATS_IDS.search(doctype.group(2)):
        return True
    if doctype and b"PUBLIC" in doctype.group(2).upper():
        return False  # another public DTD: DocBook 4, XHTML, TEI
    first = _FIRST_TAG.match(head)
    return bool(first and first.group(1) == b"article"
                and not re.search(rb"\sxmlns\s*=", first.group(2)))


def parse_safely(data: bytes) -> tuple[etree._ElementTree, str | None]:
    """Parse without DTD, entity expansion or network; recover a broken ``article`` if needed."""

    def parser(recover: bool) -> etree.XMLParser:
        return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                               huge_tree=False, remove_comments=True, remove_pis=True,
                               recover=recover)

    try:
        root = etree.fromstring(data, parser(False))
        return root.getroottree(), None
    except etree.XMLSyntaxError as exc:
        if "Excessive depth" in str(exc):  # libxml2's limit; recovering would cut the tree
            raise InputError(f"elements nest too deeply: {exc}") from exc
        problem = str(exc)
    except ValueError as exc:  # e.g. a unicode string with an encoding declaration
        raise InputError(f"not readable XML: {exc}") from exc
    try:
        root = etree.fromstring(data, parser(True))
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not well-formed XML: {problem}") from exc
    if root is None or root.tag not in ("article", *FRAGMENTS):
        raise InputError(f"not well-formed XML: {problem}")
    return root.getroottree(), problem


def as_article(fragment: etree._Element) -> etree._ElementTree:
    """A fragment (a ``table-wrap``, a ``sec``) moved into the body of an empty article."""
    article = etree.Element("article")
    body = fragment if fragment.tag == "body" else etree.Element("body")
    etree.SubElement(article, "front")
    article.append(body)
    if body is not fragment:
        body.append(fragment)
    return article.getroottree()
