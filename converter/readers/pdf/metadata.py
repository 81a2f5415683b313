"""What the PDF says about itself: the document information dictionary and the XMP packet.

The information dictionary is ISO 32000-1 §14.3.3 (Title, Author, Subject, Keywords,
CreationDate, ModDate; dates as ``D:YYYYMMDDHHmmSS``). The XMP packet (ISO 16684-1; Dublin Core
``dc:``, ``prism:`` for DOI and journal, ``xmpRights:``/``cc:`` for the licence, ``pdf:`` and
``xmp:``) is found the way the XMP specification's packet wrapper allows, by scanning the bytes
for ``<?xpacket begin=`` (the document's metadata stream is stored uncompressed by the producers
that write one); a packet that describes the PDF (``dc:format`` application/pdf or a ``pdf:``
property) wins over those of embedded images. Parsing uses lxml without network or entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from ...model.vocabulary import language_tag

_PACKET = re.compile(rb"<\?xpacket begin=.{0,64}?\?>(.*?)<\?xpacket end=[^>]{0,20}\?>", re.DOTALL)
_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "prism": "http://prismstandard.org/namespaces/basic/2.0/",
    "prism3": "http://prismstandard.org/namespaces/basic/3.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    "cc": "http://creativecommons.org/ns#",
    "pdfx": "http://ns.adobe.com/pdfx/1.3/",
}
_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})?(\d{2})?")
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")
_JUNK_TITLE = re.compile(
    r"^(?:untitled|microsoft (?:word|powerpoint)\b.*|.*\.(?:docx?|pdf|tex|dvi|indd|rtf|odt|ps)"
    r"|slide \d+|document\d*|title|paper|\W*|\d+)$", re.IGNORECASE)
_MAX_PACKET = 4 * 1024 * 1024


@dataclass
class Metadata:
    """What the PDF's own metadata says, field by field (empty when it says nothing)."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = ""
    doi: str = ""
    licence: str = ""
    rights: str = ""
    journal: str = ""
    dates: dict[str, str] = field(default_factory=dict)
    #: the raw values, for ``extra``
    info: dict[str, str] = field(default_factory=dict)


def read_metadata(data: bytes, info: dict[str, str]) -> Metadata:
    meta = Metadata(info=dict(sorted(info.items())))
    title = info.get("Title", "").strip()
    if title and not _JUNK_TITLE.match(title):
        meta.title = title
    author = info.get("Author", "").strip()
    if author and not _JUNK_TITLE.match(author):
        meta.authors = [a.strip() for a in re.split(r"\s*(?:;|,\s*and\s+|\s+and\s+|,)\s*", author)
                        if a.strip()]
    if info.get("Keywords"):
        meta.keywords = [k.strip() for k in re.split(r"[;,]", info["Keywords"]) if k.strip()]
    if info.get("Subject"):
        meta.description = info["Subject"].strip()
    for key, name in (("CreationDate", "created"), ("ModDate", "modified")):
        date = pdf_date(info.get(key, ""))
        if date:
            meta.dates[name] = date
    packet = _xmp(data)
    if packet is not None:
        _from_xmp(packet, meta)
    return meta


def pdf_date(value: str) -> str:
    """``D:20240709071509Z`` -> ``2024-07-09`` (ISO 32000-1 §7.9.4), or empty."""
    match = _PDF_DATE.match(value.strip())
    if not match:
        return ""
    year, month, day = match.groups()
    return "-".join(p for p in (year, month, day) if p)


def _xmp(data: bytes) -> etree._Element | None:
    """The XMP packet that describes the document, if one is stored uncompressed."""
    best: etree._Element | None = None
    for match in _PACKET.finditer(data):
        body = match.group(1)
        if len(body) > _MAX_PACKET:
            continue
        try:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                                     recover=True)
            root = etree.fromstring(body.strip(), parser)
        except (etree.XMLSyntaxError, ValueError):
            continue
        if root is None:
            continue
        formats = _texts(root, "dc:format")
        describes_pdf = any("pdf" in f.lower() for f in formats) or bool(
            _texts(root, "pdf:Producer"))
        if describes_pdf or best is None:
            best = root
            if describes_pdf:
                break
    return best


def _elements(root: etree._Element, path: str) -> list[etree._Element]:
    found = root.xpath(path, namespaces=_NS)
    return [el for el in found if isinstance(el, etree._Element)] if isinstance(found,
                                                                                 list) else []


def _texts(root: etree._Element, path: str) -> list[str]:
    """Values of a property, as element (rdf:li or text) or as attribute."""
    values: list[str] = []
    prefix, name = path.split(":")
    for el in _elements(root, f"//{path}"):
        items = _elements(el, ".//rdf:li")
        for node in items or [el]:
            text = "".join(str(t) for t in node.itertext()).strip()
            if text:
                values.append(text)
    attribute = f"{{{_NS[prefix]}}}{name}"
    for el in _elements(root, "//rdf:Description"):
        value = el.get(attribute)
        if value and value.strip():
            values.append(value.strip())
    return values


def _from_xmp(root: etree._Element, meta: Metadata) -> None:
    titles = _texts(root, "dc:title")
    if titles and not _JUNK_TITLE.match(titles[0]):
        meta.title = meta.title or titles[0]
        if titles[0] != meta.title:
            meta.info["xmp:dc:title"] = titles[0]
    creators = [c for c in _texts(root, "dc:creator") if c]
    if creators:
        meta.authors = creators
    description = _texts(root, "dc:description")
    if description and not meta.description:
        meta.description = description[0]
    languages = [tag for x in _texts(root, "dc:language")
                 if x != "x-default" and (tag := language_tag(x))]
    if languages:
        meta.language = languages[0]
    for path in ("prism:doi", "prism3:doi", "pdfx:doi", "dc:identifier"):
        for value in _texts(root, path):
            doi = _DOI.search(value)
            if doi and not meta.doi:
                meta.doi = doi.group(1).rstrip(".,;")
    for path in ("cc:license", "xmpRights:WebStatement", "prism:licenseURL"):
        for value in _texts(root, path):
            if value.startswith("http") and not meta.licence:
                meta.licence = value
    rights = _texts(root, "dc:rights")
    if rights:
        meta.rights = rights[0]
    journal = _texts(root, "prism:publicationName")
    if journal:
        meta.journal = journal[0]
    subjects = _texts(root, "dc:subject")
    if subjects and not meta.keywords:
        meta.keywords = subjects
    for path, name in (("prism:publicationDate", "published"), ("prism:coverDate", "published"),
                       ("dc:date", "published"), ("xmp:CreateDate", "created"),
                       ("xmp:ModifyDate", "modified")):
        for value in _texts(root, path):
            date = re.match(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?", value)
            if date and name not in meta.dates:
                meta.dates[name] = date.group()


def normalised(text: str) -> str:
    """Words of a text in lower case, for comparing a title on the page with the metadata's."""
    return " ".join(re.findall(r"\w+", text.lower()))
