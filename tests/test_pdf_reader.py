"""The PDF reader: real PDFs of the corpus against their truth, a generated article, bad input.

Quality floors here sit below the benchmark's figures (bench/pdf_f1.py, docs/pdf.md) so that a
regression fails while noise does not; the benchmark is where the targets are measured.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from converter.errors import InputError
from converter.model import BulletList, Heading, Paragraph, block_text, inline_text
from converter.options import ReadOptions
from converter.pipeline import detect_format, parse, parse_bytes
from converter.readers.pdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from html_f1 import Score

DATA = Path(__file__).resolve().parent / "data" / "pdf"

#: body F1 floors per corpus file (the benchmark reports the measured values)
FLOORS = {
    "arxiv-2305.03393v1-pg9": 0.70, "doclaynet-pg3-encrypted": 0.75,
    "docling-multi-page": 0.93, "elife-00353-v1": 0.88, "faa-amt-handbook-p7-45": 0.93,
    "ibm-redp5110-sampled": 0.80, "jose-00180": 0.88, "jose-00200": 0.93, "jose-00267": 0.93,
    "medrxiv-24301711": 0.85,
}


def truth(corpus: Path, name: str) -> dict[str, object]:
    return json.loads((corpus / "pdf-articles" / f"{name}.truth.json").read_text("utf-8"))


def read(corpus: Path, name: str) -> tuple[object, dict[str, object]]:
    facts = truth(corpus, name)
    password = facts.get("password")
    data = (corpus / "pdf-articles" / f"{name}.pdf").read_bytes()
    article = parse_bytes(data, ReadOptions(file_name=f"{name}.pdf",
                                            password=str(password) if password else None))
    return article, facts


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_corpus_pdf_reads_close_to_its_truth(corpus: Path, name: str) -> None:
    article, facts = read(corpus, name)
    text = "\n".join((article.title, block_text(article.abstract),  # type: ignore[attr-defined]
                      block_text(article.body), block_text(article.acknowledgements)))  # type: ignore[attr-defined]
    assert Score.of(str(facts["text"]), text).f1 >= FLOORS[name]
    if facts.get("title"):
        assert _words(article.title) == _words(str(facts["title"]))  # type: ignore[attr-defined]


def test_jose_paper_structure(corpus: Path) -> None:
    article, facts = read(corpus, "jose-00200")
    headings = [inline_text(b.content) for b in article.body  # type: ignore[attr-defined]
                if isinstance(b, Heading)]
    assert headings[:3] == ["Summary", "Statement of Need", "Learning Objectives and How to Access"]
    assert [c.name for c in article.contributors] == facts["authors"]  # type: ignore[attr-defined]
    assert any(isinstance(b, BulletList) for b in article.body)  # type: ignore[attr-defined]
    assert len(article.references) == 6  # type: ignore[attr-defined]
    reasons = {d.reason for d in article.discarded}  # type: ignore[attr-defined]
    assert {"sidebar", "running header or footer"} <= reasons
    assert article.language == "en-US"  # type: ignore[attr-defined]  # from the XMP
    assert ("doi", "10.21105/jose.00200") in [(i.scheme, i.value)
                                             for i in article.identifiers]  # type: ignore[attr-defined]


def test_manuscript_line_numbers_and_structured_abstract(corpus: Path) -> None:
    article, facts = read(corpus, "medrxiv-24301711")
    reasons = [d.reason for d in article.discarded]  # type: ignore[attr-defined]
    assert "line number" in reasons and "page number" in reasons
    body = block_text(article.body)  # type: ignore[attr-defined]
    assert not re.search(r"\b(?:123|124|125) (?:\d+ )", body)
    abstract = Score.of(str(facts["abstract"]), block_text(article.abstract)).f1  # type: ignore[attr-defined]
    assert abstract >= 0.8
    assert len(article.references) >= 45  # type: ignore[attr-defined]
    assert [c.name for c in article.contributors][:2] == ["Jie Liang", "Yang Pan"]  # type: ignore[attr-defined]


def test_scanned_pdf_is_refused_in_one_line(corpus: Path) -> None:
    path = corpus / "pdf-articles" / "scanned-ocr-test.pdf"
    with pytest.raises(InputError) as caught:
        parse(path)
    assert str(caught.value) == f"{path}: no text layer; OCR is not part of this reader"


def test_encrypted_pdf_needs_its_password(corpus: Path) -> None:
    path = corpus / "pdf-articles" / "doclaynet-pg3-encrypted.pdf"
    with pytest.raises(InputError, match="encrypted and needs a password"):
        parse(path)
    with pytest.raises(InputError, match="password is wrong"):
        parse(path, ReadOptions(password="nope"))
    article = parse(path, ReadOptions(password="1234"))
    assert "ANNOTATION CAMPAIGN" in block_text(article.body)


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n",
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    b"%PDF-1.5\n" + bytes(range(256)) * 40,
    b"",
])
def test_malformed_pdf_is_an_input_error_naming_the_file(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        parse(path)
    assert str(caught.value).startswith(str(path) + ": ")
    assert "\n" not in str(caught.value)


def test_truncated_corpus_pdf_is_an_input_error(corpus: Path, tmp_path: Path) -> None:
    data = (corpus / "pdf-articles" / "jose-00200.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 3])
    try:
        article = parse(path)
    except InputError as exc:
        assert str(exc).startswith(f"{path}: ")
    else:  # PDFium repairs what it can: then what it read must be an article
        assert article.title


def test_hand_written_pdf_reads(tmp_path: Path) -> None:
    article = parse(DATA / "hello.pdf")
    assert article.title
    assert "Hello from a hand-written PDF" in block_text(article.body) + article.title


def test_sniffed_by_magic_and_extension() -> None:
    data = (DATA / "hello.pdf").read_bytes()
    assert PdfReader().sniff(data, None)
    assert detect_format(data, "no-extension") == "pdf"
    assert detect_format(b"plain text", "x.pdf") == "pdf"


def test_generated_two_column_article(generated: Path) -> None:
    article = parse(generated)
    assert article.title == "Reading Layout Without Models"
    body = block_text(article.body)
    assert "Introduction" in [inline_text(b.content) for b in article.body
                              if isinstance(b, Heading)]
    # the left column is read before the right one
    assert body.index("left column words") < body.index("right column words")
    # the running footer is furniture, not text
    assert "Generated Journal" not in body
    assert any(d.reason == "running header or footer" for d in article.discarded)
    paragraphs = [inline_text(b.content) for b in article.body if isinstance(b, Paragraph)]
    assert any("information" in p for p in paragraphs)  # infor- / mation joined
    assert not any("infor- mation" in p or "infor-mation" in p for p in paragraphs)


def test_same_pdf_gives_the_same_article(corpus: Path) -> None:
    path = corpus / "pdf-articles" / "jose-00180.pdf"
    assert parse(path).to_json() == parse(path).to_json()


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-page, two-column article made with fpdf2: title, headings, footer, hyphenation."""
    from fpdf import FPDF

    target = tmp_path_factory.mktemp("pdf") / "generated.pdf"
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    for page in (1, 2):
        pdf.add_page()
        top = 20
        if page == 1:
            pdf.set_font("Helvetica", "B", 20)
            pdf.set_xy(20, 20)
            pdf.cell(170, 10, "Reading Layout Without Models", align="C")
            top = 45
        for column, x in enumerate((20, 110)):
            pdf.set_xy(x, top)
            if column == 0 and page == 1:
                pdf.set_font("Helvetica", "B", 13)
                pdf.cell(80, 8, "Introduction")
                pdf.set_xy(x, top + 10)
            pdf.set_font("Helvetica", "", 10)
            side = "left" if column == 0 else "right"
            words = f"the {side} column words are read in order on page {page} " * 6
            if column == 0 and page == 1:
                pdf.multi_cell(80, 5, words + "with some infor-", align="L")
                pdf.set_x(x)
                pdf.multi_cell(80, 5, "mation that was broken at the end of a line. " + words,
                               align="L")
            else:
                pdf.multi_cell(80, 5, words, align="L")
        pdf.set_font("Helvetica", "", 8)
        pdf.set_xy(20, 285)
        pdf.cell(170, 5, f"Generated Journal 2024, page {page}", align="C")
    pdf.output(str(target))
    return target
