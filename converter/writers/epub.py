"""EPUB writer: EPUB 3.3 (W3C Recommendation 2023) with EPUB Accessibility 1.1 metadata.

Content documents are XHTML5 built with lxml (so any text escapes correctly), marked up with the
EPUB 3 Structural Semantics Vocabulary (``epub:type``) and the matching DPUB-ARIA 1.1 roles. The
package document and the legacy NCX come from ebooklib; the ZIP container (OCF 3.3) is written here,
deterministically. docs/epub.md describes the result; in short::

    mimetype                  first entry, stored
    META-INF/container.xml
    EPUB/content.opf          package document: metadata, manifest, spine (ebooklib)
    EPUB/toc.ncx              NCX for EPUB 2 reading systems (ebooklib, from the same contents)
    EPUB/nav.xhtml            navigation document: contents and landmarks
    EPUB/article.xhtml        the article (a collection: chapter-001.xhtml, chapter-002.xhtml, ...)
    EPUB/style.css
    EPUB/images/<hash>.<ext>  images from ``Article.resources``

ebooklib is used only where it is right for us: it would re-parse content documents with lxml's
HTML parser and drop their ``<head>``, give every author the id ``creator``, add a generator
``meta`` with its version, invent a page list and write ZIP entries with the current time. So the
documents are rendered here and handed over as finished bytes, the metadata is added entry by
entry, and the ZIP is packed from ebooklib's rendered entries with fixed times and permissions.

Determinism: the same article and options give the same bytes. The identifier is
``Article.content_id()`` and the only clock is :func:`converter.options.build_time`.
"""

from __future__ import annotations

import hashlib
import io
import ipaddress
import re
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any, ClassVar, Literal
from urllib.parse import quote, urljoin

from ebooklib import epub
from lxml import etree

from ..errors import WriterError
from ..model import (
    Article,
    Block,
    BlockQuote,
    BulletList,
    Citation,
    Code,
    CodeBlock,
    Contributor,
    DefinitionList,
    Emphasis,
    Figure,
    Heading,
    HorizontalRule,
    Image,
    Inline,
    LineBlock,
    LineBreak,
    Link,
    Math,
    MediaResource,
    Note,
    OrderedList,
    Paragraph,
    Quoted,
    SmallCaps,
    Speech,
    Strikeout,
    Strong,
    Subscript,
    Superscript,
    Table,
    TableRow,
    Text,
    Underline,
    canonical_json,
    inline_text,
    iter_children,
)
from ..options import WriteOptions, build_time, parse_partial_date

__all__ = ["DEFAULT_LANGUAGE", "EpubWriter", "write_collection"]

#: dc:language when the article has none (EPUB requires one); a diagnostic says it was assumed
DEFAULT_LANGUAGE = "en"

XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = f"{{{OPS_NS}}}type"
_H = f"{{{XHTML_NS}}}"
_NSMAP = {None: XHTML_NS, "epub": OPS_NS}
_DOCTYPE = "<!DOCTYPE html>"

NAV_FILE = "nav.xhtml"
CSS_FILE = "style.css"
ARTICLE_FILE = "article.xhtml"

#: characters XML 1.0 does not allow (they are replaced by U+FFFD, with a diagnostic)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_CLASS_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_HOSTNAME = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?)+$")
_PORT = re.compile(r"^:\d{0,5}$")
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_W3C_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_HTML_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:?\d\d)?$")
# RFC 5646 well-formed language tags (without the grandfathered irregular ones)
_LANGTAG = re.compile(
    r"^(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[a-wyz\d](?:-[a-z\d]{2,8})+)*(?:-x(?:-[a-z\d]{1,8})+)?$",
    re.IGNORECASE)
_RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ps", "sd", "ug", "ur",
                            "yi"})

#: hyperlink schemes kept as links; others (file:, data:, javascript:, ...) become plain text
#: (IANA-registered; EPUBCheck warns about others; doi: is rewritten to https://doi.org/)
_LINK_SCHEMES = frozenset({"http", "https", "ftp", "mailto", "tel", "urn", "news", "irc"})
_HOST_SCHEMES = frozenset({"http", "https", "ftp"})
_URL_SAFE = "/:@!$&'()*+,;=-._~%?"

#: file extensions of the EPUB core image media types (what :func:`sniff_image` recognises)
_IMAGE_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif",
                     "image/webp": "webp", "image/svg+xml": "svg"}

#: MARC relator codes for contributor kinds (https://id.loc.gov/vocabulary/relators)
_RELATORS = {
    "author": "aut", "editor": "edt", "translator": "trl", "interviewer": "ivr",
    "interviewee": "ive", "illustrator": "ill", "photographer": "pht", "reviewer": "rev",
    "compiler": "com", "narrator": "nrt", "contributor": "ctb", "publisher": "pbl",
    "creator": "cre", "editor-in-chief": "edc", "commentator": "cwt", "designer": "dsr",
}
#: byline wording per contributor kind (other kinds: "<kind>: names")
_KIND_PHRASES = {
    "author": "By", "editor": "Edited by", "translator": "Translated by",
    "interviewer": "Interview by", "interviewee": "Interviewee:", "illustrator": "Illustrations by",
    "photographer": "Photographs by", "reviewer": "Reviewed by",
}
#: speaker roles whose turns are the questions of an interview (styled apart)
_QUESTION_ROLES = frozenset({"interviewer", "host", "moderator", "questioner", "question"})

#: generated words; marked lang="en" inside documents in another language
_LABELS = {
    "contents": "Contents", "landmarks": "Landmarks", "start": "Start of content",
    "summary": "Summary", "notes": "Notes", "acknowledgements": "Acknowledgements",
    "references": "References", "author": "About the author", "authors": "About the authors",
    "contributors": "About the contributors", "about": "About this article",
    "credits": "Image credits", "rights": "Rights", "published": "Published",
    "source": "Source", "type": "Type", "backlink": "Back to reference {n}", "image": "Image",
    "untitled": "Untitled", "and": "and", "copyright": "Copyright ©", "license": "Licence:",
    "disclaimer": "Disclaimer:", "orcid": "ORCID",
}
_LABEL_LANGUAGE = "en"


@cache
def stylesheet() -> bytes:
    """The CSS every EPUB carries (converter/writers/epub.css), read once."""
    return files("converter.writers").joinpath("epub.css").read_bytes()


# --------------------------------------------------------------------------- public API


class EpubWriter:
    """``--to epub``: one EPUB 3.3 book per article, EPUBCheck-clean and accessible."""

    name = "epub"
    extension = ".epub"

    def write(self, article: Article, options: WriteOptions) -> bytes:
        return _build([article], None, options)


def write_collection(articles: list[Article], title: str, options: WriteOptions) -> bytes:
    """One EPUB of many articles, one chapter each in the order given, titled ``title``."""
    if not articles:
        raise WriterError("a collection needs at least one article")
    return _build(list(articles), title, options)


# --------------------------------------------------------------------------- diagnostics


class _Report:
    """Diagnostics of one article, each recorded once (re-rendering adds no duplicates)."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.replaced = 0
        self._seen: set[tuple[str, str, str, str | None]] = set()
        if article.provenance:
            self._seen = {(d.level, d.code, d.message, d.place)
                          for d in article.provenance.diagnostics}

    def diagnose(self, level: Literal["info", "warning", "error"], code: str, message: str,
                 place: str | None = None) -> None:
        key = (level, code, message, place)
        if key not in self._seen:
            self._seen.add(key)
            self.article.diagnose(level, code, message, place)

    def clean(self, text: str) -> str:
        """``text`` with the characters XML 1.0 forbids replaced by U+FFFD (counted)."""
        if _NOT_XML.search(text) is None:
            return text
        cleaned, count = _NOT_XML.subn("\ufffd", text)
        self.replaced += count
        return cleaned

    def finish(self) -> None:
        if self.replaced:
            self.diagnose("warning", "epub-invalid-character",
                          f"replaced {self.replaced} character(s) that XML 1.0 does not allow "
                          "(control characters, lone surrogates) with U+FFFD", "epub")
            self.replaced = 0


# --------------------------------------------------------------------------- images


@dataclass
class _Resource:
    """One image file of the package."""

    uid: str
    href: str
    media_type: str
    data: bytes


@dataclass
class _Package:
    """What the documents of one book share: their images, and what accessibility may claim."""

    resources: dict[str, _Resource] = field(default_factory=dict)
    images: int = 0
    images_without_alt: int = 0

    def add(self, data: bytes, media_type: str) -> _Resource:
        digest = hashlib.sha256(data).hexdigest()[:16]
        href = f"images/{digest}.{_IMAGE_EXTENSIONS[media_type]}"
        if href not in self.resources:
            self.resources[href] = _Resource(f"img-{digest}", href, media_type, data)
        return self.resources[href]


def sniff_image(data: bytes) -> str | None:
    """The EPUB core image media type ``data`` really is, or ``None``."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if b"<svg" in data[:4096] and b"<!DOCTYPE" not in data.upper():  # no DTDs, no entities
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError:
            return None
        if root.tag == "{http://www.w3.org/2000/svg}svg":
            return "image/svg+xml"
    return None


# --------------------------------------------------------------------------- URLs


def safe_href(url: str, base: str | None = None) -> str | None:
    """``url`` as a valid absolute hyperlink, or ``None`` when it cannot be one in an EPUB.

    EPUBCheck wants URLs valid by the WHATWG URL standard and with registered schemes: relative
    URLs resolve against ``base`` (the source publication's address) when there is one, ``doi:``
    becomes https://doi.org/, hosts must be host names (IDNA-encoded) or IPv6 literals, ports
    numbers, and everything else that is not a URL code point is percent-encoded.
    """
    url = url.strip()
    if not url or url.startswith("#"):
        return None
    if not _SCHEME.match(url):
        if not base or safe_href(base) is None:
            return None
        url = urljoin(base, url)
    scheme, _, rest = url.partition(":")
    if scheme.lower() == "doi":
        return safe_href("https://doi.org/" + rest.lstrip("/"))
    if scheme.lower() not in _LINK_SCHEMES or not rest.strip("/"):
        return None
    authority = ""
    if rest.startswith("//"):
        cut = min([i for i in (rest.find(mark, 2) for mark in "/?#") if i != -1] or [len(rest)])
        checked = _authority(rest[2:cut])
        if checked is None:
            return None
        authority, rest = "//" + checked, rest[cut:]
    elif scheme.lower() in _HOST_SCHEMES:
        return None
    head, hash_mark, fragment = rest.partition("#")
    return f"{scheme}:{authority}{_quote(head)}{hash_mark}{_quote(fragment)}"


def _quote(text: str, safe: str = _URL_SAFE) -> str:
    return quote(_STRAY_PERCENT.sub("%25", text), safe=safe)


def _authority(text: str) -> str | None:
    """``[userinfo@]host[:port]`` made valid, or ``None``."""
    userinfo, at, hostport = text.rpartition("@")
    if hostport.startswith("["):
        close = hostport.find("]")
        host, port = hostport[:close + 1], hostport[close + 1:]
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return None
        if "%" in host:  # a zone id is no part of a URL
            return None
    else:
        host, colon, port = hostport.partition(":")
        port = colon + port
        if not host.isascii():
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                return None
        if not _HOSTNAME.match(host):
            return None
    if port and not (_PORT.match(port) and int(port[1:] or 0) <= 65535):
        return None
    return (_quote(userinfo, _URL_SAFE.replace("@", "")) + "@" if at else "") + host + port


# --------------------------------------------------------------------------- XHTML helpers


def _sub(parent: etree._Element, tag: str, attrib: dict[str, str] | None = None,
         text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _H + tag, attrib or {})
    if text:
        element.text = text
    return element


def _append_text(parent: etree._Element, text: str) -> None:
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _primary(language: str) -> str:
    return language.split("-", 1)[0].lower()


def _contains_table(blocks: Sequence[Block]) -> bool:
    for block in blocks:
        if isinstance(block, Table):
            return True
        for child in iter_children(block):
            if child and isinstance(child[0], Block) and _contains_table(child):
                return True
    return False


def _notes_in(inlines: Sequence[Inline]) -> Iterator[Note]:
    for node in inlines:
        if isinstance(node, Note):
            yield node
        else:
            yield from _notes_in(getattr(node, "content", []))


def _flattened(inlines: Sequence[Inline]) -> bool:
    """Whether plain text of ``inlines`` loses a link, an image or a citation's target."""
    for node in inlines:
        if isinstance(node, Link | Image | Citation):
            return True
        if _flattened(getattr(node, "content", [])):
            return True
    return False


@dataclass
class _Toc:
    """One entry of the table of contents (nav document and NCX)."""

    title: str
    href: str
    children: list[_Toc] = field(default_factory=list)


# --------------------------------------------------------------------------- one document


class _Document:
    """Renders one article as one XHTML content document."""

    def __init__(self, article: Article, report: _Report, package: _Package, file_name: str,
                 prefix: str, language: str) -> None:
        self.article = article
        self.report = report
        self.t = report.clean
        self.package = package
        self.file_name = file_name
        self.prefix = prefix
        self.language = language
        self.label_language = None if _primary(language) == _LABEL_LANGUAGE else _LABEL_LANGUAGE
        self.media = {m.path: m for m in article.media}
        self.base = article.source_publication.url if article.source_publication else None
        self.ids: set[str] = set()
        self.model_ids: dict[str, str] = {}
        self.notes: list[tuple[Note, str, str]] = []
        self.internal_links: list[tuple[etree._Element, str]] = []
        self.deferred: list[Note] = []
        self.link_depth = 0
        self.block_depth = 0
        self.speakers: set[str] = set()
        self.toc: list[_Toc] = []
        self.toc_stack: list[tuple[int, _Toc]] = []
        self.reference_ids: list[str] = []
        self.outline = 1  # the rank of the last heading rendered (the title is the h1)
        self.title = self.t(article.title).strip() or _LABELS["untitled"]

    # ----------------------------------------------------------------- ids and labels

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
            if _primary(self.language) in _RTL_LANGUAGES:
                element.set("dir", "ltr")
        return element

    def label(self, parent: etree._Element, key: str, **fields: str) -> None:
        """Append a generated word to ``parent``'s content."""
        text = _LABELS[key].format(**fields)
        if self.label_language:
            self.labelled(_sub(parent, "span", text=text))
        else:
            _append_text(parent, text)

    def heading(self, parent: etree._Element, level: int, key: str,
                toc: bool = True) -> etree._Element:
        section_id = self.new_id(key)
        head = self.labelled(_sub(parent, f"h{level}", {"id": section_id}, _LABELS[key]))
        self.outline = level
        if toc:
            self.toc.append(_Toc(_LABELS[key], f"{self.file_name}#{section_id}"))
        return head

    def section(self, parent: etree._Element, key: str, css: str, epub_type: str | None = None,
                role: str | None = None, level: int = 2) -> etree._Element:
        attrib = {"class": css}
        if epub_type:
            attrib[EPUB_TYPE] = epub_type
        if role:
            attrib["role"] = role
        section = _sub(parent, "section", attrib)
        head = self.heading(section, level, key, toc=level == 2)
        section.set("aria-labelledby", head.get("id", ""))
        return section

    # ----------------------------------------------------------------- the document

    def render(self) -> bytes:
        """The finished XHTML content document."""
        article = self.article
        html = etree.Element(_H + "html", nsmap=_NSMAP)  # type: ignore[arg-type]
        html.set("lang", self.language)
        html.set(XML_LANG, self.language)
        if _primary(self.language) in _RTL_LANGUAGES:
            html.set("dir", "rtl")
        head = _sub(html, "head")
        _sub(head, "meta", {"charset": "utf-8"})
        _sub(head, "title", text=self.title)
        _sub(head, "link", {"rel": "stylesheet", "type": "text/css", "href": CSS_FILE})
        body = _sub(html, "body")
        root = _sub(body, "article", {"id": self.new_id("article")})
        # citations may come before the reference list: its ids are known from the start
        self.reference_ids = [
            self.model_id(ref.id) if ref.id is not None and ref.id not in self.model_ids
            else self.new_id(f"ref-{n}") for n, ref in enumerate(article.references, 1)]
        self.render_header(root)
        if article.body:
            main = _sub(root, "div", {"class": "article-body"})
            self.toc_stack = []
            self.blocks(main, article.body)
            self.toc_stack = []
        self.render_back_matter(root)
        self.render_notes(root)
        self.resolve_internal_links()
        return etree.tostring(html, encoding="utf-8", xml_declaration=True, doctype=_DOCTYPE)

    def render_header(self, root: etree._Element) -> None:
        article = self.article
        header = _sub(root, "header")
        _sub(header, "h1", {"id": self.new_id("title")}, self.title)
        if article.subtitle:
            _sub(header, "p", {"class": "subtitle", "role": "doc-subtitle",
                               EPUB_TYPE: "subtitle"}, self.t(article.subtitle))
        self.render_byline(header)
        published = article.dates.get("published")
        if published:
            line = _sub(header, "p", {"class": "dateline"})
            self.label(line, "published")
            _append_text(line, " ")
            self.time(line, published)
        if article.source_publication and article.source_publication.name.strip():
            line = _sub(header, "p", {"class": "source"})
            self.source_line(line)
        if article.abstract:
            section = self.section(header, "summary", "abstract", "abstract", "doc-abstract")
            self.blocks(section, article.abstract)

    def render_byline(self, header: etree._Element) -> None:
        kinds: dict[str, list[Contributor]] = {}
        for person in self.article.contributors:
            if person.name.strip():
                kinds.setdefault(person.kind.strip().lower() or "author", []).append(person)
        for kind, people in kinds.items():
            line = _sub(header, "p", {"class": "byline" if kind == "author" else
                                      "byline contributor-kind"})
            phrase = _KIND_PHRASES.get(kind)
            if phrase is None:
                _append_text(line, self.t(kind.capitalize()) + ": ")
            elif self.label_language:
                self.labelled(_sub(line, "span", text=phrase))
                _append_text(line, " ")
            else:
                _append_text(line, phrase + " ")
            for i, person in enumerate(people):
                if i:
                    if i == len(people) - 1:
                        _append_text(line, " ")
                        self.label(line, "and")
                        _append_text(line, " ")
                    else:
                        _append_text(line, ", ")
                _sub(line, "span", {"class": "contributor"}, self.t(person.name.strip()))

    def source_line(self, line: etree._Element) -> None:
        source = self.article.source_publication
        assert source is not None
        relation = self.t(source.relation.strip()) if source.relation else ""
        if relation:
            _append_text(line, relation[0].upper() + relation[1:] + " ")
        else:
            self.label(line, "source")
            _append_text(line, ": ")
        href = safe_href(source.url) if source.url else None
        name = self.t(source.name.strip())
        if href:
            _sub(line, "a", {"href": href}, name)
        else:
            _sub(line, "cite", text=name)
            if source.url:
                _append_text(line, f" ({self.t(source.url)})")
        if source.date:
            _append_text(line, ", ")
            self.time(line, source.date)

    def time(self, parent: etree._Element, value: str) -> None:
        value = self.t(value.strip())
        if _W3C_DATE.match(value) or _HTML_DATETIME.match(value):
            _sub(parent, "time", {"datetime": value}, value)
        else:
            _append_text(parent, value)

    # ----------------------------------------------------------------- back matter

    def render_back_matter(self, root: etree._Element) -> None:
        article = self.article
        if article.acknowledgements:
            section = self.section(root, "acknowledgements", "acknowledgements",
                                   "acknowledgments", "doc-acknowledgments")
            self.blocks(section, article.acknowledgements)
        if article.references:
            self.render_references(root)
        described = [p for p in article.contributors if p.name.strip() and (
            p.bio or p.role or p.affiliations or p.email or p.orcid)]
        if described:
            if all(p.kind.strip().lower() in ("author", "") for p in described):
                key = "author" if len(described) == 1 else "authors"
            else:
                key = "contributors"
            section = self.section(root, key, "contributors")
            for person in described:
                self.render_contributor(section, person)
        self.render_colophon(root)

    def render_references(self, root: etree._Element) -> None:
        refs = self.article.references
        section = self.section(root, "references", "references", "bibliography",
                               "doc-bibliography")
        labelled = any(ref.label for ref in refs)
        listing = _sub(section, "ul" if labelled else "ol")
        for ref, ref_id in zip(refs, self.reference_ids, strict=True):
            item = _sub(listing, "li", {"id": ref_id})
            if ref.label:
                _sub(item, "span", {"class": "reference-label"}, self.t(ref.label))
                _append_text(item, " ")
            self.inlines(item, ref.content)

    def render_contributor(self, section: etree._Element, person: Contributor) -> None:
        box = _sub(section, "div", {"class": "contributor"})
        line = _sub(box, "p", {"class": "contributor-name"})
        _sub(line, "strong", text=self.t(person.name.strip()))
        details = [d for d in (person.role, *person.affiliations) if d and d.strip()]
        if details:
            _append_text(line, ", " + "; ".join(self.t(d.strip()) for d in details))
        if person.email:
            href = safe_href("mailto:" + person.email.strip())
            _append_text(line, " ")
            if href:
                _sub(line, "a", {"href": href}, self.t(person.email.strip()))
            else:
                _append_text(line, self.t(person.email))
        if person.orcid:
            orcid = person.orcid.strip()
            href = safe_href(orcid if "://" in orcid else f"https://orcid.org/{orcid}")
            _append_text(line, " ")
            self.label(line, "orcid")
            _append_text(line, " ")
            if href:
                _sub(line, "a", {"href": href}, self.t(orcid))
            else:
                _append_text(line, self.t(orcid))
        self.blocks(box, person.bio)

    def render_colophon(self, root: etree._Element) -> None:
        """About this article: notes, details, image credits, rights and disclaimer."""
        article = self.article
        details: list[tuple[str, str, bool]] = []  # (term, value, is-date)
        if article.article_type:
            details.append((_LABELS["type"], article.article_type, False))
        for name, value in article.dates.items():
            details.append((name.replace("_", " ").capitalize(), value, True))
        for ident in article.identifiers:
            value = ident.value.strip()
            if ident.scheme.strip().lower() == "doi" and not _SCHEME.match(value):
                value = f"https://doi.org/{value}"
            details.append((ident.scheme.upper() if len(ident.scheme) <= 4
                            else ident.scheme.capitalize(), value, False))
        for name, terms in article.subjects.items():
            if words := [term.strip() for term in terms if term.strip()]:
                details.append((name.replace("_", " ").capitalize(), ", ".join(words), False))
        rights = article.rights
        has_rights = rights is not None and any(
            (rights.statement, rights.holder, rights.year, rights.license_url, rights.disclaimer))
        if not (article.notes or details or article.image_credits or has_rights):
            return
        section = self.section(root, "about", "colophon", "colophon", "doc-colophon")
        self.blocks(section, article.notes)
        if details:
            listing = _sub(section, "dl", {"class": "details"})
            for term, value, is_date in details:
                dt = _sub(listing, "dt", text=self.t(term))
                if term in _LABELS.values():
                    self.labelled(dt)
                dd = _sub(listing, "dd")
                href = safe_href(value) if not is_date and "://" in value else None
                if is_date:
                    self.time(dd, value)
                elif href:
                    _sub(dd, "a", {"href": href}, self.t(value))
                else:
                    _append_text(dd, self.t(value))
        if article.image_credits:
            credits = self.section(section, "credits", "credits", "credits", "doc-credits",
                                   level=3)
            listing = _sub(credits, "ul")
            for credit in article.image_credits:
                _sub(listing, "li", text=self.t(credit))
        if rights is not None and has_rights:
            self.render_rights(section)

    def render_rights(self, parent: etree._Element) -> None:
        rights = self.article.rights
        assert rights is not None
        section = self.section(parent, "rights", "rights", "copyright-page", level=3)
        if rights.year or rights.holder:
            line = _sub(section, "p")
            self.label(line, "copyright")
            words = [self.t(w.strip()) for w in (rights.year, rights.holder) if w and w.strip()]
            _append_text(line, " " + " ".join(words))
        if rights.statement:
            _sub(section, "p", text=self.t(rights.statement))
        if rights.license_url:
            line = _sub(section, "p", {"class": "license"})
            self.label(line, "license")
            _append_text(line, " ")
            href = safe_href(rights.license_url)
            if href:
                _sub(line, "a", {"href": href, "rel": "license"}, self.t(rights.license_url))
            else:
                _append_text(line, self.t(rights.license_url))
        if rights.disclaimer:
            line = _sub(section, "p", {"class": "disclaimer"})
            self.label(line, "disclaimer")
            _append_text(line, " " + self.t(rights.disclaimer))

    def render_notes(self, root: etree._Element) -> None:
        """The notes, numbered in reading order, each with a link back to its reference."""
        if not self.notes:
            return
        section = self.section(root, "notes", "endnotes", "endnotes", "doc-endnotes")
        listing = _sub(section, "ol")
        done = 0
        while done < len(self.notes):  # rendering a note may add notes inside it
            note, ref_id, note_id = self.notes[done]
            done += 1
            item = _sub(listing, "li", {"id": note_id})
            self.block_depth += 1
            self.blocks(item, note.blocks)
            self.block_depth -= 1
            last = item[-1] if len(item) else None
            if last is not None and last.tag == _H + "p":
                _append_text(last, " ")
                holder = last
            else:
                holder = _sub(item, "p", {"class": "backlink"})
            back = _sub(holder, "a", {"href": f"#{ref_id}", "role": "doc-backlink",
                                      "class": "backlink",
                                      "aria-label": _LABELS["backlink"].format(n=str(done))},
                        "\u21a9")
            self.labelled(back)

    def resolve_internal_links(self) -> None:
        """Point ``#id`` links at the rendered element; a missing target leaves plain text."""
        for element, fragment in self.internal_links:
            target = self.model_ids.get(fragment)
            if target:
                element.set("href", f"#{target}")
            else:
                element.tag = _H + "span"
                for name in ("href", "title"):
                    if name in element.attrib:
                        del element.attrib[name]
                element.set("class", "link")
                self.report.diagnose("info", "epub-link-target-missing",
                                     f"link to #{fragment} has no target in the article; "
                                     "kept as text", "epub")

    # ----------------------------------------------------------------- blocks

    def blocks(self, parent: etree._Element, blocks: Sequence[Block]) -> None:
        for block in blocks:
            self.block(parent, block)

    def nested(self, parent: etree._Element, blocks: Sequence[Block]) -> None:
        self.block_depth += 1
        self.blocks(parent, blocks)
        self.block_depth -= 1

    def block(self, parent: etree._Element, block: Block) -> None:
        match block:
            case Paragraph():
                self.inlines(_sub(parent, "p"), block.content)
            case Heading():
                self.render_heading(parent, block)
            case BulletList():
                listing = _sub(parent, "ul")
                for item in block.items:
                    self.nested(_sub(listing, "li"), item)
            case OrderedList():
                attrib = {"start": str(block.start)} if block.start != 1 else {}
                attrib["type"] = {"lower-alpha": "a", "upper-alpha": "A", "lower-roman": "i",
                                  "upper-roman": "I"}.get(block.style, "1")
                listing = _sub(parent, "ol", attrib)
                for item in block.items:
                    self.nested(_sub(listing, "li"), item)
            case DefinitionList():
                listing = _sub(parent, "dl")
                for entry in block.items:
                    self.inlines(_sub(listing, "dt"), entry.term)
                    for definition in entry.definitions or [[]]:
                        self.nested(_sub(listing, "dd"), definition)
            case BlockQuote():
                self.nested(_sub(parent, "blockquote"), block.blocks)
            case CodeBlock():
                attrib = {}
                if block.language and (css := _CLASS_UNSAFE.sub("-", block.language).strip("-")):
                    attrib["class"] = f"language-{css}"
                _sub(_sub(parent, "pre"), "code", attrib, self.t(block.text))
            case HorizontalRule():
                _sub(parent, "hr")
            case LineBlock():
                lines = _sub(parent, "p", {"class": "line-block"})
                for i, line in enumerate(block.lines):
                    if i:
                        _sub(lines, "br")
                    self.inlines(lines, line)
            case Table():
                self.render_table(parent, block)
            case Figure():
                attrib = {"id": self.model_id(block.id)} if block.id else {}
                figure = _sub(parent, "figure", attrib)
                self.nested(figure, block.content)
                if block.caption:
                    self.nested(_sub(figure, "figcaption"), block.caption)
            case Speech():
                self.render_speech(parent, block)
            case _:
                self.report.diagnose("error", "epub-unknown-block",
                                     f"cannot render a {type(block).__name__} block", "epub")

    def render_heading(self, parent: etree._Element, block: Heading) -> None:
        ident = self.model_id(block.id) if block.id else self.new_id("section")
        title = " ".join(self.t(inline_text(block.content)).split())
        if not title and not any(isinstance(n, Image | Note) for n in block.content):
            # an empty heading says nothing to a screen reader: keep only its anchor
            self.inlines(_sub(parent, "div", {"id": ident, "class": "empty-heading"}),
                         block.content)
            self.report.diagnose("info", "epub-empty-heading",
                                 "a heading without text is kept as an anchor only", "epub")
            return
        # levels do not skip (h2 then h4 confuses navigation): at most one below the last
        level = min(block.level + 1, 6, self.outline + 1)
        self.outline = level
        self.inlines(_sub(parent, f"h{level}", {"id": ident}), block.content)
        if self.block_depth or not title:
            return
        entry = _Toc(title, f"{self.file_name}#{ident}")
        while self.toc_stack and self.toc_stack[-1][0] >= block.level:
            self.toc_stack.pop()
        (self.toc_stack[-1][1].children if self.toc_stack else self.toc).append(entry)
        self.toc_stack.append((block.level, entry))

    def render_speech(self, parent: etree._Element, block: Speech) -> None:
        role = (block.speaker_role or "").strip()
        css = "speech question" if role.lower() in _QUESTION_ROLES else "speech"
        turn = _sub(parent, "div", {"class": css})
        speaker = self.t(block.speaker.strip())
        rest: Sequence[Block] = block.blocks
        if rest and isinstance(rest[0], Paragraph):
            line = _sub(turn, "p")
            first: Paragraph | None = rest[0]
            rest = rest[1:]
        else:
            line = _sub(turn, "p", {"class": "speaker-line"})
            first = None
        _sub(line, "strong", {"class": "speaker"}, speaker)
        if role and speaker not in self.speakers:
            _sub(line, "span", {"class": "speaker-role"}, f" ({self.t(role)})")
        self.speakers.add(speaker)
        _append_text(line, ":")
        if first is not None:
            _append_text(line, " ")
            self.inlines(line, first.content)
        self.nested(turn, rest)

    def render_table(self, parent: etree._Element, block: Table) -> None:
        attrib = {"id": self.model_id(block.id)} if block.id else {}
        holder = parent
        caption_outside = bool(block.caption) and _contains_table(block.caption)
        if caption_outside:  # <caption> may hold no table: caption the table as a figure
            holder = _sub(parent, "figure", {"class": "table", **attrib})
            self.nested(_sub(holder, "figcaption"), block.caption)
            attrib = {}
        table = _sub(holder, "table", attrib)
        if block.caption and not caption_outside:
            self.nested(_sub(table, "caption"), block.caption)
        widths = [c.width for c in block.columns]
        if any(w is not None and 0 < w <= 1 for w in widths):
            group = _sub(table, "colgroup")
            for width in widths:
                col = _sub(group, "col")
                if width is not None and 0 < width <= 1:
                    col.set("style", f"width: {width * 100:.4g}%")
        aligns = [c.align for c in block.columns]
        for tag, rows, cell in (("thead", block.head, "th"), ("tbody", block.body, "td"),
                                ("tfoot", block.foot, "td")):
            if rows:
                self.render_rows(_sub(table, tag), rows, cell, aligns)

    def render_rows(self, section: etree._Element, rows: list[TableRow], cell_tag: str,
                    aligns: list[Literal["left", "center", "right"] | None]) -> None:
        for row in rows:
            tr = _sub(section, "tr")
            column = 0
            for cell in row.cells:
                attrib: dict[str, str] = {"scope": "col"} if cell_tag == "th" else {}
                if cell.colspan > 1:
                    attrib["colspan"] = str(cell.colspan)
                if cell.rowspan > 1:
                    attrib["rowspan"] = str(cell.rowspan)
                align = cell.align or (aligns[column] if column < len(aligns) else None)
                if align:
                    attrib["class"] = f"align-{align}"
                self.nested(_sub(tr, cell_tag, attrib), cell.blocks)
                column += max(cell.colspan, 1)

    # ----------------------------------------------------------------- inlines

    def inlines(self, parent: etree._Element, inlines: Sequence[Inline]) -> None:
        for node in inlines:
            self.inline(parent, node)

    def inline(self, parent: etree._Element, node: Inline) -> None:
        match node:
            case Text():
                _append_text(parent, self.t(node.text))
            case Emphasis():
                self.inlines(_sub(parent, "em"), node.content)
            case Strong():
                self.inlines(_sub(parent, "strong"), node.content)
            case Superscript():
                self.inlines(_sub(parent, "sup"), node.content)
            case Subscript():
                self.inlines(_sub(parent, "sub"), node.content)
            case SmallCaps():
                self.inlines(_sub(parent, "span", {"class": "smallcaps"}), node.content)
            case Strikeout():
                self.inlines(_sub(parent, "s"), node.content)
            case Underline():
                self.inlines(_sub(parent, "u"), node.content)
            case Code():
                _sub(parent, "code", text=self.t(node.text))
            case Math():
                css = "math display" if node.display else "math"
                _sub(parent, "span", {"class": css}, self.t(node.text))
            case LineBreak():
                _sub(parent, "br")
            case Quoted():
                marks = ("\u201c", "\u201d") if node.quote == "double" else ("\u2018", "\u2019")
                _append_text(parent, marks[0])
                self.inlines(parent, node.content)
                _append_text(parent, marks[1])
            case Link():
                self.render_link(parent, node)
            case Note():
                self.noteref(parent, node)
            case Image():
                self.render_image(parent, node)
            case Citation():
                self.render_citation(parent, node)
            case _:
                self.report.diagnose("error", "epub-unknown-inline",
                                     f"cannot render a {type(node).__name__} inline", "epub")

    def enter_link(self) -> None:
        self.link_depth += 1

    def leave_link(self, parent: etree._Element) -> None:
        """After the outermost link: the note references found inside it (no links in links)."""
        self.link_depth -= 1
        if self.link_depth == 0:
            deferred, self.deferred = self.deferred, []
            for note in deferred:
                self.noteref(parent, note)

    def render_link(self, parent: etree._Element, node: Link) -> None:
        url = node.url.strip()
        fragment = url[1:] if url.startswith("#") and len(url) > 1 else None
        href = None if fragment else safe_href(url, self.base)
        if self.link_depth or (href is None and fragment is None):
            element = _sub(parent, "span", {"class": "link"})
            reason = ("a link inside a link" if self.link_depth
                      else "a link that cannot be an EPUB hyperlink")
            self.report.diagnose("info", "epub-link-as-text",
                                 f"{reason} ({url!r}) is kept as text with its address", "epub")
        else:
            element = _sub(parent, "a", {"href": href or "#"})
            if fragment is not None:
                self.internal_links.append((element, fragment))
        if node.title:
            element.set("title", self.t(node.title))
        self.enter_link()
        if node.content:
            self.inlines(element, node.content)
        else:
            _append_text(element, self.t(url))
        if element.tag == _H + "span" and url and inline_text(node.content).strip() != url:
            _append_text(element, f" <{self.t(url)}>")
        self.leave_link(parent)

    def noteref(self, parent: etree._Element, note: Note) -> None:
        if self.link_depth:
            self.deferred.append(note)
            return
        n = len(self.notes) + 1
        ref_id, note_id = self.new_id(f"noteref-{n}"), self.new_id(f"note-{n}")
        self.notes.append((note, ref_id, note_id))
        _sub(parent, "a", {"href": f"#{note_id}", "id": ref_id, "class": "noteref",
                           EPUB_TYPE: "noteref", "role": "doc-noteref"}, str(n))

    def render_citation(self, parent: etree._Element, node: Citation) -> None:
        target = next((self.model_ids[k] for k in node.keys if self.model_ids.get(k)), None)
        if target and not self.link_depth:
            element = _sub(parent, "a", {"href": f"#{target}", "class": "citation",
                                         "role": "doc-biblioref"})
        else:
            element = _sub(parent, "span", {"class": "citation"})
            if not target:
                self.report.diagnose("info", "epub-citation-unresolved",
                                     f"citation of {', '.join(node.keys) or 'nothing'} matches no "
                                     "reference id; kept as text", "epub")
        self.enter_link()
        if node.content:
            self.inlines(element, node.content)
        else:
            _append_text(element, self.t("[" + "; ".join(node.keys) + "]"))
        self.leave_link(parent)

    def render_image(self, parent: etree._Element, node: Image) -> None:
        media = self.media.get(node.url)
        alt = " ".join(self.t(inline_text(node.content)).split())
        if not alt and media and media.alt:
            alt = " ".join(self.t(media.alt).split())
        if _flattened(node.content):
            self.report.diagnose("info", "epub-alt-text-flattened",
                                 f"image {node.url!r}: links and images inside its description "
                                 "are kept as plain alt text", "epub")
        resource = self.image_resource(node.url, media)
        if resource is not None:
            attrib = {"src": resource.href, "alt": alt}
            if node.title:
                attrib["title"] = self.t(node.title)
            _sub(parent, "img", attrib)
            self.package.images += 1
            if not alt:
                self.package.images_without_alt += 1
                self.report.diagnose("warning", "epub-image-no-alt",
                                     f"image {node.url!r} has no text alternative", "epub")
        else:
            external = _SCHEME.match(node.url) is not None and not self.link_depth
            href = safe_href(node.url) if external else None
            holder = (_sub(parent, "a", {"href": href, "class": "image-fallback"}) if href
                      else _sub(parent, "span", {"class": "image-fallback"}))
            if node.title:
                holder.set("title", self.t(node.title))
            self.label(holder, "image")
            _append_text(holder, ": " + (alt or self.t(node.url)))
            if not href:
                _append_text(holder, f" <{self.t(node.url)}>")
        for note in _notes_in(node.content):
            self.noteref(parent, note)

    def image_resource(self, url: str, media: MediaResource | None) -> _Resource | None:
        """The package image for ``url``, or ``None`` (with a diagnostic saying why)."""
        data = self.article.resources.get(url)
        if data is None:
            if _SCHEME.match(url):
                why = "is external (EPUB allows no remote images)"
            elif media is not None:
                why = "is listed in media but its bytes are missing"
            else:
                why = "is neither in media nor in the resources"
            self.report.diagnose("warning", "epub-image-not-embedded",
                                 f"image {url!r} {why}; its description is shown instead", "epub")
            return None
        actual = sniff_image(data)
        if actual is None:
            self.report.diagnose("warning", "epub-image-unsupported",
                                 f"image {url!r} is not PNG, JPEG, GIF, WebP or SVG; its "
                                 "description is shown instead", "epub")
            return None
        if media is not None and media.media_type != actual:
            self.report.diagnose("info", "epub-image-media-type",
                                 f"image {url!r} is {actual}, not {media.media_type} as listed",
                                 "epub")
        return self.package.add(data, actual)


# --------------------------------------------------------------------------- the book


@dataclass
class _Chapter:
    document: _Document
    content: bytes


def _language(article: Article, report: _Report) -> str:
    language = (article.language or "").strip()
    if language and _LANGTAG.match(language):
        return language
    if language:
        report.diagnose("warning", "epub-language-invalid",
                        f"language {language!r} is not a well-formed BCP 47 tag; "
                        f"{DEFAULT_LANGUAGE!r} assumed", "epub")
    else:
        report.diagnose("warning", "epub-language-default",
                        f"the article names no language; {DEFAULT_LANGUAGE!r} assumed", "epub")
    return DEFAULT_LANGUAGE


def _w3c_datetime(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
            f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z")


def _w3c_date(value: str) -> str | None:
    """A model date as a W3C date (what dc:date wants), or ``None``."""
    value = value.strip()
    if _W3C_DATE.match(value):
        return value
    parsed = parse_partial_date(value)
    return _w3c_datetime(parsed) if parsed else None


def _build(articles: list[Article], collection: str | None, options: WriteOptions) -> bytes:
    package = _Package()
    chapters: list[_Chapter] = []
    reports = [_Report(article) for article in articles]
    for n, (article, report) in enumerate(zip(articles, reports, strict=True), 1):
        language = _language(article, report)
        if collection is None:
            document = _Document(article, report, package, ARTICLE_FILE, "", language)
        else:
            document = _Document(article, report, package, f"chapter-{n:03d}.xhtml", f"c{n}-",
                                 language)
        chapters.append(_Chapter(document, document.render()))
    first = reports[0]
    if collection is not None:
        title = first.clean(collection).strip() or _LABELS["untitled"]
    else:
        title = chapters[0].document.title
    languages = list(dict.fromkeys(c.document.language for c in chapters))
    published = _latest_published(articles)
    modified = build_time(options, published)
    nav = _nav(chapters, title if collection is not None else None, languages[0])
    book = epub.EpubBook()
    book.metadata[epub.NAMESPACES["OPF"]].pop("generator", None)  # carries ebooklib's version
    book.IDENTIFIER_ID = "pub-id"
    book.set_identifier(_identifier(articles, collection))
    book.title = title
    book.language = languages[0]
    if _primary(languages[0]) in _RTL_LANGUAGES:
        book.set_direction("rtl")
    _describe(book, articles, reports, title, languages, published, collection is not None,
              package)
    book.add_item(epub.EpubNcx())
    book.add_item(_Item("nav", NAV_FILE, "application/xhtml+xml", nav, ["nav"]))
    book.add_item(_Item("style", CSS_FILE, "text/css", stylesheet()))
    spine: list[Any] = []
    for n, chapter in enumerate(chapters, 1):
        uid = "article" if collection is None else f"chapter-{n:03d}"
        spine.append(book.add_item(_Item(uid, chapter.document.file_name,
                                         "application/xhtml+xml", chapter.content)))
    for resource in package.resources.values():
        book.add_item(_Item(resource.uid, resource.href, resource.media_type, resource.data))
    book.spine = ([book.get_item_with_id("nav")] if collection is not None else []) + spine
    book.toc = _ebooklib_toc([_chapter_toc(c) for c in chapters])
    try:
        entries = _Packer(book, languages[0], _w3c_datetime(modified)).render()
    except (etree.LxmlError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise WriterError(f"ebooklib could not build the EPUB package: {exc}") from exc
    for report in reports:
        report.finish()  # one diagnostic per article for the characters XML cannot hold
    return _zip(entries, modified)


def _latest_published(articles: list[Article]) -> str | None:
    dated = [(parsed, value) for a in articles if (value := a.dates.get("published"))
             and (parsed := parse_partial_date(value)) is not None]
    return max(dated)[1] if dated else None


def _identifier(articles: list[Article], collection: str | None) -> str:
    """``urn:uuid`` from the content: the article's own, or one from the chapters' for a book."""
    if collection is None:
        return _content_id(articles[0])
    return _uuid_urn("\n".join([collection, *(_content_id(a) for a in articles)]))


def _content_id(article: Article) -> str:
    try:
        return article.content_id()
    except UnicodeEncodeError:  # lone surrogates (JSON "\ud800" escapes) cannot be UTF-8
        return _uuid_urn(canonical_json(article.to_dict()))


def _uuid_urn(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    return "urn:uuid:" + str(uuid.UUID(bytes=digest[:16], version=5))


class _Item(epub.EpubItem):  # type: ignore[misc]
    """A manifest item whose bytes are final (ebooklib writes them as they are)."""

    def __init__(self, uid: str, file_name: str, media_type: str, content: bytes,
                 properties: list[str] | None = None) -> None:
        super().__init__(uid=uid, file_name=file_name, media_type=media_type, content=content)
        self.properties = properties or []


def _describe(book: Any, articles: list[Article], reports: list[_Report], title: str,
              languages: list[str], published: str | None, is_collection: bool,
              package: _Package) -> None:
    """The package metadata: Dublin Core, refinements, accessibility (EPUB Accessibility 1.1)."""
    first, report = articles[0], reports[0]
    clean = report.clean

    def meta(value: str, **attrib: str) -> None:
        book.add_metadata(None, "meta", value, {k.replace("_", "-"): v for k, v in attrib.items()})

    book.add_metadata("DC", "title", title, {"id": "title"})
    meta("main", refines="#title", property="title-type")
    if not is_collection and first.subtitle and first.subtitle.strip():
        book.add_metadata("DC", "title", clean(first.subtitle.strip()), {"id": "subtitle"})
        meta("subtitle", refines="#subtitle", property="title-type")
    for language in languages:
        book.add_metadata("DC", "language", language)
    people: dict[tuple[str, str], Contributor] = {}
    for article in articles:
        for person in article.contributors:
            if person.name.strip():
                people.setdefault((person.name.strip(), person.kind.strip().lower()), person)
    creators = contributors = 0
    for (name, kind), person in people.items():
        if kind in ("author", ""):
            creators += 1
            ident, element = f"creator-{creators}", "creator"
        else:
            contributors += 1
            ident, element = f"contributor-{contributors}", "contributor"
        book.add_metadata("DC", element, clean(name), {"id": ident})
        if person.surname and person.surname.strip():
            file_as = ", ".join(clean(p.strip()) for p in (person.surname, person.given_names)
                                if p and p.strip())
            meta(file_as, refines=f"#{ident}", property="file-as")
        meta(_RELATORS.get(kind or "author", "ctb"), refines=f"#{ident}", property="role",
             scheme="marc:relators")
    if published:
        date = _w3c_date(published)
        if date:
            book.add_metadata("DC", "date", date)
        else:
            report.diagnose("info", "epub-date-skipped",
                            f"published date {published!r} is not ISO 8601; no dc:date", "epub")
    if not is_collection:
        _describe_article(book, first, report)
    subjects = dict.fromkeys(clean(term.strip()) for a in articles
                             for terms in a.subjects.values() for term in terms if term.strip())
    for term in subjects:
        book.add_metadata("DC", "subject", term)
    _accessibility(meta, package)


def _describe_article(book: Any, article: Article, report: _Report) -> None:
    clean = report.clean
    source = article.source_publication
    if source and source.name.strip():
        book.add_metadata("DC", "publisher", clean(source.name.strip()))
        book.add_metadata("DC", "source", clean((source.url or source.name).strip()))
    if article.article_type and article.article_type.strip():
        book.add_metadata("DC", "type", clean(article.article_type.strip()))
    for ident in article.identifiers:
        value = ident.value.strip()
        if value:
            scheme = ident.scheme.strip().lower()
            if not _SCHEME.match(value) and scheme not in ("url", "local", ""):
                value = f"{scheme}:{value}"
            book.add_metadata("DC", "identifier", clean(value))
    rights = article.rights
    if rights:
        words = [w.strip() for w in (rights.statement,) if w and w.strip()]
        if not words and (rights.holder or rights.year):
            words = ["© " + " ".join(w.strip() for w in (rights.year, rights.holder)
                                     if w and w.strip())]
        for statement in words:
            book.add_metadata("DC", "rights", clean(statement))
        if rights.license_url and (href := safe_href(rights.license_url)):
            book.add_metadata(None, "meta", href, {"property": "dcterms:license"})
        if rights.holder and rights.holder.strip():
            book.add_metadata(None, "meta", clean(rights.holder.strip()),
                              {"property": "dcterms:rightsHolder"})


def _accessibility(meta: Any, package: _Package) -> None:
    """schema.org accessibility properties (EPUB Accessibility 1.1); no conformance claim."""
    visual = package.images > 0
    all_alt = package.images_without_alt == 0
    meta("textual", property="schema:accessMode")
    if visual:
        meta("visual", property="schema:accessMode")
    if not visual or all_alt:
        meta("textual", property="schema:accessModeSufficient")
    if visual:
        meta("textual,visual", property="schema:accessModeSufficient")
    features = ["structuralNavigation", "tableOfContents", "readingOrder",
                "displayTransformability"]
    if visual and all_alt:
        features.append("alternativeText")
    for feature in features:
        meta(feature, property="schema:accessibilityFeature")
    meta("none", property="schema:accessibilityHazard")
    summary = ("Reflowable text in reading order with a navigable table of contents, headings "
               "for every section and notes linked both ways; no known hazards.")
    if visual:
        summary += (" Every image has a text alternative." if all_alt else
                    " Some images have no text alternative.")
    meta(summary, property="schema:accessibilitySummary")


# --------------------------------------------------------------------------- navigation


def _chapter_toc(chapter: _Chapter) -> _Toc:
    document = chapter.document
    return _Toc(document.title, document.file_name, document.toc)


def _nav(chapters: list[_Chapter], collection: str | None, language: str) -> bytes:
    """The EPUB navigation document: table of contents (nested by heading) and landmarks."""
    label_language = None if _primary(language) == _LABEL_LANGUAGE else _LABEL_LANGUAGE

    def labelled(element: etree._Element) -> etree._Element:
        if label_language:
            element.set("lang", label_language)
            element.set(XML_LANG, label_language)
        return element

    html = etree.Element(_H + "html", nsmap=_NSMAP)  # type: ignore[arg-type]
    html.set("lang", language)
    html.set(XML_LANG, language)
    if _primary(language) in _RTL_LANGUAGES:
        html.set("dir", "rtl")
    head = _sub(html, "head")
    _sub(head, "meta", {"charset": "utf-8"})
    _sub(head, "title", text=collection or _LABELS["contents"])
    _sub(head, "link", {"rel": "stylesheet", "type": "text/css", "href": CSS_FILE})
    body = _sub(html, "body")
    if collection is not None:
        _sub(body, "h1", text=collection)
    toc = _sub(body, "nav", {EPUB_TYPE: "toc", "id": "toc", "role": "doc-toc",
                             "aria-labelledby": "toc-title"})
    labelled(_sub(toc, "h2", {"id": "toc-title"}, _LABELS["contents"]))

    def entries(parent: etree._Element, items: list[_Toc]) -> None:
        listing = _sub(parent, "ol")
        for item in items:
            li = _sub(listing, "li")
            _sub(li, "a", {"href": item.href}, item.title)
            if item.children:
                entries(li, item.children)

    entries(toc, [_chapter_toc(c) for c in chapters])
    landmarks = _sub(body, "nav", {EPUB_TYPE: "landmarks", "id": "landmarks", "hidden": "hidden",
                                   "aria-labelledby": "landmarks-title"})
    labelled(_sub(landmarks, "h2", {"id": "landmarks-title"}, _LABELS["landmarks"]))
    listing = _sub(landmarks, "ol")
    if collection is not None:
        labelled(_sub(_sub(listing, "li"), "a", {EPUB_TYPE: "toc", "href": f"{NAV_FILE}#toc"},
                      _LABELS["contents"]))
    labelled(_sub(_sub(listing, "li"), "a", {EPUB_TYPE: "bodymatter",
                                             "href": chapters[0].document.file_name},
                  _LABELS["start"]))
    return etree.tostring(html, encoding="utf-8", xml_declaration=True, doctype=_DOCTYPE)


def _ebooklib_toc(items: list[_Toc]) -> list[Any]:
    """The same contents as ebooklib's toc list (for the NCX), with unique navPoint ids."""
    counter = iter(range(1, 1_000_000))

    def convert(entry: _Toc) -> Any:
        link = epub.Link(entry.href, entry.title, f"navpoint-{next(counter)}")
        if entry.children:
            return (link, [convert(child) for child in entry.children])
        return link

    return [convert(item) for item in items]


# --------------------------------------------------------------------------- packaging


class _Sink:
    """Collects what ebooklib writes into the ZIP, so the ZIP can be packed deterministically."""

    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}

    def writestr(self, name: str, data: str | bytes, compress_type: int | None = None) -> None:
        self.entries[name] = data.encode("utf-8") if isinstance(data, str) else data


#: what ebooklib declares on every package; "rendition" is reserved in EPUB 3 and unused here
_EBOOKLIB_PREFIX = "rendition: http://www.idpf.org/vocab/rendition/#"


class _Packer(epub.EpubWriter):  # type: ignore[misc]
    """ebooklib's writer, rendering the container, package document and NCX into memory."""

    OPTIONS: ClassVar[dict[str, Any]] = {
        "epub2_guide": False, "epub3_landmark": False, "epub3_pages": False,
        "play_order": {"enabled": True, "start_from": 1}, "raise_exceptions": True}

    def __init__(self, book: Any, language: str, modified: str) -> None:
        super().__init__("", book, dict(self.OPTIONS))
        self.language = language
        self.modified = modified
        self.out = _Sink()

    def render(self) -> dict[str, bytes]:
        self._write_container()
        self._write_opf()
        self._write_items()
        entries: dict[str, bytes] = self.out.entries
        return entries

    def _write_opf_file(self, root: Any) -> None:
        root.set(XML_LANG, self.language)
        if root.get("prefix") == _EBOOKLIB_PREFIX:
            del root.attrib["prefix"]  # a reserved prefix, and we use no rendition property
        for element in root.iter("meta"):
            if element.get("property") == "dcterms:modified":
                element.text = self.modified
        super()._write_opf_file(root)


#: ZIP entry times: DOS dates cover 1980-2107
_ZIP_MIN = datetime(1980, 1, 1, tzinfo=UTC)
_ZIP_MAX = datetime(2107, 12, 31, 23, 59, 58, tzinfo=UTC)


def _zip(entries: dict[str, bytes], moment: datetime) -> bytes:
    """The OCF container: ``mimetype`` first and stored, the rest sorted, fixed metadata."""
    moment = min(max(moment.astimezone(UTC), _ZIP_MIN), _ZIP_MAX)
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        names = sorted(name for name in entries if name != "mimetype")
        for name in ["mimetype", *names]:
            info = zipfile.ZipInfo(name, stamp)
            info.create_system = 3  # Unix, so the permissions below mean the same everywhere
            info.external_attr = 0o100644 << 16
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                archive.writestr(info, b"application/epub+zip")
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, entries[name], compresslevel=6)
    return buffer.getvalue()
