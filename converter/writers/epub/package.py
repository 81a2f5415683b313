"""The package document (OPF, EPUB 3.3 section 5) and the NCX, rendered through ebooklib.

The package document carries the metadata (Dublin Core elements with EPUB 3 refinements: title
types, MARC relator roles, ``file-as`` names), the schema.org accessibility properties of EPUB
Accessibility 1.1, the manifest and the spine. ebooklib renders it, the legacy NCX and
``META-INF/container.xml``, but is used only where it is right for us: it would re-parse content
documents with lxml's HTML parser and drop their ``<head>``, give every author the id ``creator``,
add a generator ``meta`` with its version, invent a page list and write ZIP entries with the
current time. So the documents are handed over as finished bytes, the metadata is added entry by
entry, and ebooklib's output is collected in memory (:class:`_Packer`) for :mod:`.container`.

The identifier is ``Article.content_id()`` (a book's derives from its chapters'), and
``dcterms:modified`` is the one clock, :func:`converter.options.build_time`.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any, ClassVar

from ebooklib import epub
from lxml import etree

from ...errors import WriterError
from ...model import Article, Contributor, canonical_json
from ...options import parse_partial_date
from .images import BookImages
from .nav import Toc, ncx_toc
from .urls import SCHEME, safe_href
from .xhtml import CSS_FILE, NAV_FILE, RTL_LANGUAGES, W3C_DATE, XML_LANG, Report, primary

#: MARC relator codes for contributor kinds (https://id.loc.gov/vocabulary/relators)
_RELATORS = {
    "author": "aut", "editor": "edt", "translator": "trl", "interviewer": "ivr",
    "interviewee": "ive", "illustrator": "ill", "photographer": "pht", "reviewer": "rev",
    "compiler": "com", "narrator": "nrt", "contributor": "ctb", "publisher": "pbl",
    "creator": "cre", "editor-in-chief": "edc", "commentator": "cwt", "designer": "dsr",
}


@cache
def stylesheet() -> bytes:
    """The CSS every EPUB carries (``epub.css`` beside this module), read once."""
    return files("converter.writers.epub").joinpath("epub.css").read_bytes()


@dataclass
class Publication:
    """What the package describes: the articles, and the parts the documents rendered."""

    articles: list[Article]
    reports: list[Report]
    title: str
    languages: list[str]
    published: str | None
    modified: datetime
    #: a collection's title as given (None: one article)
    collection: str | None
    images: BookImages
    nav: bytes
    #: the content documents in reading order: file name and XHTML
    chapters: list[tuple[str, bytes]]
    contents: list[Toc]


def package_entries(publication: Publication) -> dict[str, bytes]:
    """Every entry of the container but ``mimetype``: OPF, NCX, container.xml, manifest items."""
    articles, collection, languages = (publication.articles, publication.collection,
                                       publication.languages)
    book = epub.EpubBook()
    book.metadata[epub.NAMESPACES["OPF"]].pop("generator", None)  # carries ebooklib's version
    book.IDENTIFIER_ID = "pub-id"
    book.set_identifier(_identifier(articles, collection))
    book.title = publication.title
    book.language = languages[0]
    if primary(languages[0]) in RTL_LANGUAGES:
        book.set_direction("rtl")
    _describe(book, articles, publication.reports, publication.title, languages,
              publication.published, collection is not None, publication.images)
    book.add_item(epub.EpubNcx())
    book.add_item(_Item("nav", NAV_FILE, "application/xhtml+xml", publication.nav, ["nav"]))
    book.add_item(_Item("style", CSS_FILE, "text/css", stylesheet()))
    spine: list[Any] = []
    for n, (file_name, content) in enumerate(publication.chapters, 1):
        uid = "article" if collection is None else f"chapter-{n:03d}"
        spine.append(book.add_item(_Item(uid, file_name, "application/xhtml+xml", content)))
    for resource in publication.images.resources.values():
        book.add_item(_Item(resource.uid, resource.href, resource.media_type, resource.data))
    book.spine = ([book.get_item_with_id("nav")] if collection is not None else []) + spine
    book.toc = ncx_toc(publication.contents)
    try:
        return _Packer(book, languages[0], _w3c_datetime(publication.modified)).render()
    except (etree.LxmlError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise WriterError(f"ebooklib could not build the EPUB package: {exc}") from exc


def _w3c_datetime(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
            f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z")


def _w3c_date(value: str) -> str | None:
    """A model date as a W3C date (what dc:date wants), or ``None``."""
    value = value.strip()
    if W3C_DATE.match(value):
        return value
    parsed = parse_partial_date(value)
    return _w3c_datetime(parsed) if parsed else None


def latest_published(articles: list[Article]) -> str | None:
    """The latest published date of the articles: the book's ``dc:date`` and its clock's default."""
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


def _describe(book: Any, articles: list[Article], reports: list[Report], title: str,
              languages: list[str], published: str | None, is_collection: bool,
              images: BookImages) -> None:
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
    _accessibility(meta, images)


def _describe_article(book: Any, article: Article, report: Report) -> None:
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
            if not SCHEME.match(value) and scheme not in ("url", "local", ""):
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


def _accessibility(meta: Any, images: BookImages) -> None:
    """schema.org accessibility properties (EPUB Accessibility 1.1); no conformance claim."""
    visual = images.count > 0
    all_alt = images.without_alt == 0
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
