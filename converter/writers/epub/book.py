"""One EPUB book: an article (``--to epub``) or a collection of articles, one chapter each.

The parts are made in this order: a content document per article (:mod:`.document`), then the
navigation document (:mod:`.nav`) from their contents, the package document and NCX
(:mod:`.package`), and last the OCF container (:mod:`.container`). A collection differs only in
its parts: chapter files ``chapter-001.xhtml``, ... with ids prefixed ``c1-``, ``c2-``, ..., the
collection's title, an identifier derived from the chapters', the contents page in the spine,
and no per-article metadata in the package.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ...errors import WriterError
from ...model import Article, Diagnostic, add_once
from ...model.vocabulary import well_formed_language_tag
from ...options import WriteOptions, build_time
from ...registry import Rendition
from .container import ocf_container
from .document import Document
from .images import BookImages
from .nav import Toc, nav_document
from .package import Publication, latest_published, package_entries
from .xhtml import ARTICLE_FILE, LABELS, Report

#: dc:language when the article has none (EPUB requires one); a diagnostic says it was assumed
DEFAULT_LANGUAGE = "en"



class EpubWriter:
    """``--to epub``: one EPUB 3.3 book per article, EPUBCheck-clean and accessible."""

    name = "epub"
    extension = ".epub"

    def write(self, article: Article, options: WriteOptions) -> Rendition:
        return _build([article], None, options)


def write_collection(articles: list[Article], title: str, options: WriteOptions) -> Rendition:
    """One EPUB of many articles, one chapter each in the order given, titled ``title``; what
    the writer noticed is said per chapter (``chapter 2: ...``)."""
    if not articles:
        raise WriterError("a collection needs at least one article")
    return _build(list(articles), title, options)


@dataclass
class _Chapter:
    document: Document
    content: bytes


def _language(article: Article, report: Report) -> str:
    language = (article.language or "").strip()
    if language and well_formed_language_tag(language):
        return language
    if language:
        report.diagnose("warning", "epub-language-invalid",
                        f"language {language!r} is not a well-formed BCP 47 tag; "
                        f"{DEFAULT_LANGUAGE!r} assumed", "epub")
    else:
        report.diagnose("warning", "epub-language-default",
                        f"the article names no language; {DEFAULT_LANGUAGE!r} assumed", "epub")
    return DEFAULT_LANGUAGE


def _build(articles: list[Article], collection: str | None, options: WriteOptions
           ) -> Rendition:
    images = BookImages()
    chapters: list[_Chapter] = []
    reports = [Report(article) for article in articles]
    for n, (article, report) in enumerate(zip(articles, reports, strict=True), 1):
        language = _language(article, report)
        if collection is None:
            document = Document(article, report, images, ARTICLE_FILE, "", language)
        else:
            document = Document(article, report, images, f"chapter-{n:03d}.xhtml", f"c{n}-",
                                language)
        chapters.append(_Chapter(document, document.render()))
    first = reports[0]
    if collection is not None:
        title = first.clean(collection).strip() or LABELS["untitled"]
    else:
        title = chapters[0].document.title
    languages = list(dict.fromkeys(c.document.language for c in chapters))
    published = latest_published(articles)
    modified = build_time(options, published)
    contents = [Toc(c.document.title, c.document.file_name, c.document.toc) for c in chapters]
    nav = nav_document(contents, title if collection is not None else None, languages[0],
                       chapters[0].document.file_name)
    entries = package_entries(Publication(
        articles, reports, title, languages, published, modified, collection, images, nav,
        [(c.document.file_name, c.content) for c in chapters], contents))
    noticed: list[Diagnostic] = []
    for n, report in enumerate(reports, 1):
        report.finish()  # one diagnostic per article for the characters XML cannot hold
        for diagnostic in report.noticed:
            if collection is not None:
                place = f"chapter {n}" + (f": {diagnostic.place}" if diagnostic.place else "")
                diagnostic = replace(diagnostic, place=place)
            add_once(noticed, diagnostic)
    return Rendition(ocf_container(entries, modified), tuple(noticed))
