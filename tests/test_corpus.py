"""Every real document under corpus/pandoc-tests and corpus/real-world, converted and validated.

The table lists each file with its expected outcome: ``OK`` (it converts to JSON, Markdown, JATS,
EPUB and a bag, and each output passes its validator) or the exact one-line error it fails with.
A test checks that the table names every file in those folders, another that at least 95% convert.

Validators: the canonical schema (JSON); pandoc reading the Markdown back; the JATS 1.3 DTD
(converter.formats.jats.validate); our strict bag verifier (converter.packaging.bagit.verify);
EPUBCheck on a sample covering every input format (one JVM for the whole sample).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import CORPUS, require

from converter.errors import ConverterError
from converter.formats.jats.validate import validate_jats_file
from converter.model import Article, block_text
from converter.model.schema import validate_document
from converter.options import ReadOptions, WriteOptions
from converter.packaging.bagit.verify import verify_bag
from converter.pandoc.read_meta import article_from_pandoc
from converter.pandoc.run import run_pandoc
from converter.pipeline import convert

OK = "ok"
FOLDERS = ("pandoc-tests", "real-world")
FORMATS = ("json", "markdown", "jats", "epub", "bag")
BUILD_TIME = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
NOT_CANONICAL = "schema_version: missing; this converter reads schema 1.x"


@dataclass(frozen=True)
class Case:
    """One corpus file: the reader that should read it and what should happen."""

    reader: str  # the reader the pipeline ends up using (provenance.reader)
    outcome: str = OK  # OK, or the exact error message (without the file name)
    forced: str | None = None  # --from, where the extension does not say (None: detection)


def pandoc(forced: str | None = None) -> Case:
    return Case("pandoc", forced=forced)


MARKDOWN = pandoc("pandoc:markdown")  # pandoc's own docs and tests are pandoc Markdown
HTML = Case("html")
JATS = Case("jats")

TABLE: dict[str, Case] = {
    "pandoc-tests/0_level_headers.docx": pandoc(),
    "pandoc-tests/SOURCES.txt": Case("text"),
    "pandoc-tests/block_quotes.docx": pandoc(),
    "pandoc-tests/epub.md": MARKDOWN,
    "pandoc-tests/formatting.epub": pandoc(),
    "pandoc-tests/getting-started.md": MARKDOWN,
    "pandoc-tests/html-reader.html": HTML,
    "pandoc-tests/imageWithCaption.odt": pandoc(),
    "pandoc-tests/inline_formatting.docx": pandoc(),
    "pandoc-tests/jats-reader.xml": JATS,
    "pandoc-tests/jats.md": MARKDOWN,
    "pandoc-tests/latex-reader.latex": pandoc(),
    "pandoc-tests/lists.docx": pandoc(),
    "pandoc-tests/markdown-citations.txt": MARKDOWN,
    "pandoc-tests/markdown-reader-more.txt": MARKDOWN,
    "pandoc-tests/metadata_after_normal.docx": pandoc(),
    "pandoc-tests/nordics.html5": Case("html", forced="html"),
    "pandoc-tests/notes.docx": pandoc(),
    "pandoc-tests/org-select-tags.org": pandoc(),
    "pandoc-tests/planets.jats_archiving": Case("jats", forced="jats"),
    "pandoc-tests/referenceAllInOne.odt": pandoc(),
    "pandoc-tests/rst-reader.rst": pandoc(),
    "pandoc-tests/s5-inserts.html": HTML,
    "pandoc-tests/tableWithCaption.odt": pandoc(),
    "pandoc-tests/table_captions_with_field.docx": pandoc(),
    "pandoc-tests/tables.org": pandoc(),
    "pandoc-tests/tables.rst": pandoc(),
    "pandoc-tests/testsuite.txt": MARKDOWN,
    "pandoc-tests/textMixedStyles.odt": pandoc(),
    "pandoc-tests/twenty-years-of-pandoc.md": MARKDOWN,
    "pandoc-tests/wasteland.epub": pandoc(),
    "pandoc-tests/writer.html5": Case("html", forced="html"),
    "pandoc-tests/writer.jats_archiving": Case("jats", forced="jats"),
    "pandoc-tests/writer.latex": pandoc(),
    # pandoc's own org writer output that pandoc 3.9 cannot read back (see the folder's SOURCES)
    "pandoc-tests/writer.org": Case("pandoc", "pandoc could not read the input as org: Error at "
                                    "(line 639, column 13): unexpected '\\n'; expecting block"),
    "pandoc-tests/writer.rst": pandoc(),
    "pandoc-tests/writers-lang-and-dir.latex": pandoc(),
    "real-world/SOURCES.txt": Case("text"),
    "real-world/allofplos/journal.pmed.0020007.xml": JATS,
    "real-world/allofplos/journal.pmed.0040303.xml": JATS,
    "real-world/allofplos/journal.pone.0008519.xml": JATS,
    "real-world/docling/docx_rich_cells.docx": pandoc(),
    "real-world/docling/elife-56337.nxml": JATS,
    "real-world/docling/epub_purvis_poetry.epub": pandoc(),
    "real-world/docling/lorem_ipsum.docx": pandoc(),
    "real-world/docling/pone.0234687.nxml": JATS,
    "real-world/docling/text_document_01.odt": pandoc(),
    "real-world/docling/text_document_03.odt": pandoc(),
    "real-world/docling/unit_test_headers.docx": pandoc(),
    "real-world/docling/wiki.md": Case("markdown"),
    "real-world/docling/wiki_duck.html": HTML,
    "real-world/docling/word_sample.docx": pandoc(),
    "real-world/docling/word_tables.docx": pandoc(),
    "real-world/epub3-samples/childrens-literature.epub": pandoc(),
    "real-world/epub3-samples/epub30-spec.epub": pandoc(),
    # readability's expected metadata: JSON, but not a canonical article
    **{f"real-world/readability/{page}/{name}": case
       for page in ("ars-1", "bbc-1", "dropbox-blog", "google-sre-book-1", "lemonde-1")
       for name, case in (("expected-metadata.json", Case("json", NOT_CANONICAL)),
                          ("expected.html", HTML), ("source.html", HTML))},
}

#: converted to EPUB and checked by EPUBCheck together: every input format, media, tables, notes
EPUBCHECK_SAMPLE = (
    "pandoc-tests/notes.docx", "pandoc-tests/imageWithCaption.odt", "pandoc-tests/wasteland.epub",
    "pandoc-tests/rst-reader.rst", "pandoc-tests/latex-reader.latex", "pandoc-tests/tables.org",
    "pandoc-tests/testsuite.txt", "real-world/docling/word_sample.docx",
    "real-world/docling/word_tables.docx", "real-world/readability/lemonde-1/source.html",
)


def corpus_files() -> list[str]:
    return sorted(str(p.relative_to(CORPUS)) for folder in FOLDERS
                  for p in (CORPUS / folder).rglob("*") if p.is_file())


def test_the_table_lists_every_corpus_file(corpus: Path) -> None:
    for folder in FOLDERS:
        require(corpus / folder, f"corpus/{folder}")
    assert sorted(TABLE) == corpus_files()


def test_at_least_95_percent_of_the_documents_convert() -> None:
    documents = [name for name, case in TABLE.items() if case.outcome != NOT_CANONICAL]
    ok = [name for name in documents if TABLE[name].outcome == OK]
    assert len(ok) / len(documents) >= 0.95


def write_options(jats_dtd: Path) -> WriteOptions:
    return WriteOptions(build_time=BUILD_TIME, jats_dtd=jats_dtd)


def check_markdown(path: Path, article: Article, tmp_path: Path) -> None:
    """pandoc reads our Markdown back: the same title from the front matter, the same text."""
    result = run_pandoc(["--from", "markdown-smart", "--to", "json"], path.read_bytes(),
                        timeout=120, workdir=tmp_path, error=ConverterError,
                        action="read our Markdown")
    back = article_from_pandoc(json.loads(result.output))
    assert back.title == " ".join(article.title.split())
    words = Counter(re.findall(r"\w+", block_text(article.body)))
    assert words - Counter(re.findall(r"\w+", block_text(back.body))) == Counter()


@pytest.mark.parametrize("name", sorted(TABLE))
def test_corpus_document(name: str, corpus: Path, jats_dtd: Path, tmp_path: Path) -> None:
    case = TABLE[name]
    source = require(corpus / name, name)
    out = tmp_path / "out"
    read = ReadOptions(format=case.forced)
    if case.outcome != OK:
        with pytest.raises(ConverterError) as caught:
            convert(source, out, FORMATS, read, write_options(jats_dtd))
        assert caught.value.message == case.outcome
        return
    result = convert(source, out, FORMATS, read, write_options(jats_dtd))
    article = result.article
    assert article is not None and article.provenance is not None
    assert article.provenance.reader == case.reader
    written = {record.format: record.path for record in result.outputs}
    assert set(FORMATS) <= set(written)
    validate_document(json.loads(written["json"].read_bytes()), file=str(written["json"]))
    check_markdown(written["markdown"], article, tmp_path)
    validate_jats_file(written["jats"], jats_dtd)
    report = verify_bag(written["bag"])
    assert report.valid, report.errors
    for resource in article.media:  # media beside the outputs, so relative links resolve
        assert (out / resource.path).read_bytes() == article.resources[resource.path]
        assert resource.path in written["markdown"].read_text(encoding="utf-8")


def test_epubcheck_on_a_sample(corpus: Path, jats_dtd: Path, tmp_path: Path) -> None:
    """One EPUB per input format, checked by EPUBCheck in one JVM: no error, no warning."""
    from epubcheck_util import epubcheck_messages

    books = []
    for index, name in enumerate(EPUBCHECK_SAMPLE):
        case = TABLE[name]
        result = convert(require(corpus / name, name), tmp_path / str(index), ["epub"],
                         ReadOptions(format=case.forced), write_options(jats_dtd))
        books.extend(r.path for r in result.outputs if r.format == "epub")
    assert len(books) == len(EPUBCHECK_SAMPLE)
    messages = epubcheck_messages(books)
    assert {str(path): found for path, found in messages.items() if found} == {}
