"""Reader for born-digital PDF articles (ISO 32000): text with positions to the canonical article.

No model, no service, nothing downloaded: PDFium (pypdfium2, BSD/Apache) gives every character
with its box and font, and typographic rules recover the article from the layout:

* :mod:`.extract` - runs of characters, images and drawn shapes from PDFium; password, errors;
* :mod:`.lines` - runs to lines; ligatures expanded; drop capitals joined;
* :mod:`.layout` - reading order across columns; furniture (running headers and footers, page
  and line numbers, sidebars, rotated stamps, text inside figures) set aside with its reason;
* :mod:`.blocks` - paragraphs, headings with levels, lists, captions, tables, footnotes, code;
* :mod:`.inline` - lines joined, line-end hyphenation undone where the joined word is a word;
* :mod:`.structure` - title, authors and affiliations, abstract, sections, references, notes;
* :mod:`.metadata` - the information dictionary and XMP, which fill what the page leaves open.

docs/pdf.md tells the rules, the measures on real PDFs and what is left out (OCR, formulas).
"""

from __future__ import annotations

import threading

from ..._version import __version__
from ...errors import InputError
from ...model import Article, Contributor, Discarded, Identifier, Provenance, Rights
from ...options import ReadOptions
from . import blocks as blocks_module
from . import layout, structure
from .extract import Document, extract, open_document
from .inline import Vocabulary
from .lines import Line, build_lines, merge_drop_caps
from .metadata import Metadata, normalised, read_metadata

#: PDFium is not thread-safe: one document at a time per process
_LOCK = threading.Lock()
_NO_TEXT = "no text layer; OCR is not part of this reader"


class PdfReader:
    """Born-digital PDF -> Article (see the package docstring)."""

    name = "pdf"
    version = __version__

    def sniff(self, data: bytes, file_name: str | None) -> bool:
        return data[:1024].lstrip(b"\x00\t\n\r\f ").startswith(b"%PDF-")

    def read(self, data: bytes, options: ReadOptions) -> Article:
        if not data.lstrip(b"\x00\t\n\r\f ")[:1024].startswith(b"%PDF-") and b"%PDF-" not in \
                data[:1024]:
            raise InputError("not a PDF (no %PDF- header)")
        password = options.password
        with _LOCK:
            pdf = open_document(data, password)
            try:
                document = extract(pdf)
            finally:
                pdf.close()
        return _article(document, data)


def _article(document: Document, data: bytes) -> Article:
    if not document.pages:
        raise InputError("the PDF has no pages")
    pages: list[list[Line]] = []
    discarded: list[Discarded] = []
    for page in document.pages:
        lines, rotated = build_lines(page.runs, page.number)
        page.runs = []  # the runs are in the lines now; free them on long documents
        pages.append(merge_drop_caps(lines))
        if rotated:
            text = " ".join(run.text for run in sorted(rotated, key=lambda r: (r.x0, -r.bottom)))
            discarded.append(Discarded(text, "rotated text in the margin (banner or stamp)",
                                       f"page {page.number}"))
    if not any(line.text.strip() for lines in pages for line in lines):
        raise InputError(_NO_TEXT)
    size = layout.body_size(pages)
    for page, lines in zip(document.pages, pages, strict=True):
        layout.mark_figure_text(lines, page, size)
        layout.mark_line_numbers(lines)
    layout.mark_line_number_columns(pages)
    layout.mark_running(pages, [page.height for page in document.pages])
    columns: list[list[Line]] = []
    for page, lines in zip(document.pages, pages, strict=True):
        for column in layout.reading_order(lines, page.width, size):
            columns.append([line for line in column.lines if not line.furniture])
    for lines in pages:
        discarded.extend(_furniture(lines))
    live = [line for column in columns for line in column]
    ctx = blocks_module.measure(columns, size)
    typed = blocks_module.build_blocks([c for c in columns if c], ctx)
    meta = read_metadata(data, document.info)
    parts = structure.build(typed, ctx, Vocabulary(live), meta.title or None)
    for text, reason, page_number in parts.set_aside:
        discarded.append(Discarded(text, reason, f"page {page_number}"))
    article = Article(
        title=parts.title or meta.title or "Untitled",
        abstract=parts.abstract,
        contributors=parts.contributors,
        body=parts.body,
        acknowledgements=parts.acknowledgements,
        references=parts.references,
        notes=parts.notes,
        discarded=discarded,
        provenance=Provenance(format="pdf"),
    )
    _apply_metadata(article, meta, parts)
    if parts.keywords:
        article.subjects["keywords"] = parts.keywords
    for level, code, message in parts.diagnostics:
        article.diagnose(level, code, message)  # type: ignore[arg-type]
    if not parts.title and not meta.title:
        article.diagnose("warning", "pdf-no-title", "no title found on the page or in the "
                         "PDF's metadata")
    article.extra["pdf"] = {"pages": len(document.pages),
                            **({"info": meta.info} if meta.info else {})}
    return article


def _furniture(lines: list[Line]) -> list[Discarded]:
    """Furniture lines of a page, runs of one reason merged."""
    out: list[Discarded] = []
    for line in sorted((line for line in lines if line.furniture), key=lambda x: (x.top, x.x0)):
        reason = line.furniture or ""
        place = f"page {line.page}"
        if out and out[-1].reason == reason and out[-1].place == place:
            out[-1].text += "\n" + line.text.strip()
        else:
            out.append(Discarded(line.text.strip(), reason, place))
    return out


def _apply_metadata(article: Article, meta: Metadata, parts: structure.Parts) -> None:
    """Metadata fills what the page leaves open; where they disagree, the page wins and the
    metadata's value is kept in ``extra["pdf_metadata_conflicts"]`` with a diagnostic."""
    conflicts: dict[str, object] = {}
    if meta.title and parts.title_found == "page" and normalised(meta.title) != normalised(
            parts.title):
        conflicts["title"] = meta.title
    if meta.authors:
        if not article.contributors:
            article.contributors = [Contributor(name=name) for name in meta.authors]
        elif [normalised(a) for a in meta.authors] != [normalised(c.name)
                                                        for c in article.contributors]:
            conflicts["authors"] = meta.authors
    if meta.language:
        article.language = meta.language
    if meta.doi:
        article.identifiers.append(Identifier("doi", meta.doi))
    if meta.licence or meta.rights:
        article.rights = Rights(statement=meta.rights or None, license_url=meta.licence or None)
    if meta.journal:
        article.extra["journal"] = meta.journal
    for key, value in meta.dates.items():
        article.dates.setdefault(key, value)
    if meta.keywords:
        article.subjects.setdefault("keywords", meta.keywords)
    if conflicts:
        article.extra["pdf_metadata_conflicts"] = conflicts
        article.diagnose("warning", "pdf-metadata-conflict",
                         "the PDF's metadata disagrees with the page on "
                         + ", ".join(sorted(conflicts)) + "; the page is kept, the metadata's "
                         "values are in extra['pdf_metadata_conflicts']")


__all__ = ["PdfReader"]
