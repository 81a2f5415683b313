"""The PDF reader on ../shared/corpus/pdf-articles, against each file's truth.

Per file and mean: body-text F1 (the 4-token shingle metric of bench/html_f1.py, imported, not
copied), title match (case and whitespace aside), abstract F1, heading recall, ms per page; the
plain text of pypdfium2 and of pdfminer.six printed beside ours as the baseline. ``--pages N``
also times a generated N-page PDF (made in a temporary folder, never in the repository) for time
and peak memory.

"Body text" is what the truth's ``text`` holds, the article's reading text: title, abstract,
body and acknowledgements of our article (block_text), no references, no notes.

Times are CPU time of this process (``time.process_time``), so other work on the machine does not
inflate them; the one-time costs (the language model's load, imports, compiling the schema
validator as a batch does) are paid before the timed reads.

Usage::

    .venv/bin/python bench/pdf_f1.py                 # table on stdout
    .venv/bin/python bench/pdf_f1.py --pages 500     # and the 500-page run
    .venv/bin/python bench/pdf_f1.py --write docs/pdf.md
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from html_f1 import CORPUS, Score  # noqa: E402

PDFS = CORPUS / "pdf-articles"
SECTION = "## PDF reader: body text, title, abstract, headings, speed"


@dataclass
class Row:
    name: str
    pages: int
    body: Score
    title: bool | None
    abstract: float | None
    headings: float | None
    ms_per_page: float
    pdfium: Score
    pdfminer: Score | None
    pdfium_ms: float
    pdfminer_ms: float


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def our_article(data: bytes, password: str | None):  # type: ignore[no-untyped-def]
    from converter.options import ReadOptions
    from converter.pipeline import parse_bytes

    return parse_bytes(data, ReadOptions(file_name="in.pdf", password=password))


def reading_text(article) -> str:  # type: ignore[no-untyped-def]
    from converter.model import block_text

    return "\n".join(x for x in (article.title, block_text(article.abstract),
                                 block_text(article.body),
                                 block_text(article.acknowledgements)) if x)


def heading_recall(truth: list[str], article) -> float | None:  # type: ignore[no-untyped-def]
    from converter.model import Heading, inline_text

    if not truth:
        return None
    ours = {_words(inline_text(b.content)) for b in article.body if isinstance(b, Heading)}
    ours |= {_words(article.title)}
    # sections the reader recognised by their heading and moved to their own field
    if article.acknowledgements:
        ours |= {"acknowledgements", "acknowledgments", "acknowledgement", "acknowledgment"}
    if article.references:
        ours |= {"references", "bibliography", "reference list"}
    # a numbered heading matches its words without the number
    ours |= {re.sub(r"^[\d ]+", "", h) for h in ours}
    found = sum(1 for h in truth if _words(h) in ours or re.sub(r"^[\d ]+", "", _words(h)) in ours)
    return found / len(truth)


def plain_pdfium(data: bytes, password: str | None) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data, password=password)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def plain_pdfminer(path: Path, password: str | None) -> str:
    import logging

    from pdfminer.high_level import extract_text

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    return str(extract_text(str(path), password=password or ""))


def measure(path: Path, baseline: bool = True) -> Row | None:
    truth_path = path.with_name(path.name[:-4] + ".truth.json")
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    password = truth.get("password")
    data = path.read_bytes()
    started = time.process_time()
    try:
        article = our_article(data, password)
    except Exception as exc:  # the scanned page: reported, not scored
        print(f"{path.stem}: {type(exc).__name__}: {exc}")
        return None
    seconds = time.process_time() - started
    pages = int(article.extra.get("pdf", {}).get("pages", 1))
    from converter.model import block_text

    body = Score.of(truth["text"], reading_text(article))
    title = None if truth.get("title") is None else _words(truth["title"]) == _words(article.title)
    abstract = None
    if truth.get("abstract"):
        abstract = Score.of(truth["abstract"], block_text(article.abstract)).f1
    t0 = time.process_time()
    pdfium_text = plain_pdfium(data, password)
    t1 = time.process_time()
    miner = Score.of(truth["text"], plain_pdfminer(path, password)) if baseline else None
    t2 = time.process_time()
    return Row(path.stem, pages, body, title, abstract,
               heading_recall(truth.get("headings") or [], article), 1000 * seconds / pages,
               Score.of(truth["text"], pdfium_text), miner, 1000 * (t1 - t0) / pages,
               1000 * (t2 - t1) / pages)


def big_pdf(pages: int) -> dict[str, float]:
    """Time and peak memory of reading a generated ``pages``-page article, in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "big.pdf"
        _generate(target, pages)
        code = (
            f"import resource, sys, time; sys.path.insert(0, {str(ROOT)!r})\n"
            "from converter.options import ReadOptions\nfrom converter.pipeline import parse\n"
            "from converter.readers.pdf import PdfReader\n"
            "from converter.readers.language import _model\n_model()\n"
            f"data = open({str(target)!r}, 'rb').read()\n"
            "t = time.process_time(); PdfReader().read(data, ReadOptions())\n"
            "reader = time.process_time() - t\n"
            f"t = time.process_time(); a = parse({str(target)!r}, ReadOptions())\n"
            "print(reader, time.process_time() - t,"
            " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout.split()
        size_mb = target.stat().st_size / 1e6
    reader, whole, rss_kb = float(out[0]), float(out[1]), float(out[2])
    return {"pages": pages, "seconds": reader, "ms_per_page": 1000 * reader / pages,
            "whole": whole, "peak_rss_mb": rss_kb / 1024, "size_mb": size_mb}


def _generate(target: Path, pages: int) -> None:
    """A long two-column article made with fpdf2 (headings, paragraphs, footers)."""
    from fpdf import FPDF

    words = re.findall(r"\w+", "the model reads layout from positions of characters and fonts "
                       "on every page while columns headers footers and numbers are set aside")
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title("A generated long article")
    for page in range(pages):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 14)
        pdf.set_xy(20, 20)
        pdf.cell(0, 8, f"{page + 1}. Section {page + 1}")
        pdf.set_font("Helvetica", "", 10)
        for column, x in enumerate((20, 110)):
            pdf.set_xy(x, 32)
            text = " ".join(words[(page + column + i) % len(words)] for i in range(420))
            pdf.multi_cell(80, 4.6, text.capitalize() + ".", align="J")
        pdf.set_font("Helvetica", "", 8)
        pdf.set_xy(20, 285)
        pdf.cell(170, 5, f"Generated article, page {page + 1}", align="C")
    pdf.output(str(target))


def report(rows: list[Row], big: dict[str, float] | None) -> str:
    scored = [r for r in rows]
    mean = statistics.mean(r.body.f1 for r in scored)
    base = statistics.mean(r.pdfium.f1 for r in scored)
    miners = [r.pdfminer.f1 for r in scored if r.pdfminer]
    miner = statistics.mean(miners) if miners else float("nan")
    titles = [r.title for r in rows if r.title is not None]
    abstracts = [r.abstract for r in rows if r.abstract is not None]
    headings = [r.headings for r in rows if r.headings is not None]
    total_pages = sum(r.pages for r in rows)
    total_ms = sum(r.ms_per_page * r.pages for r in rows)
    lines = [
        SECTION, "",
        f"`bench/pdf_f1.py` on the {len(rows)} PDFs of `../shared/corpus/pdf-articles` that have "
        "a text layer (the scanned page is refused with its InputError, as it should be). Body F1: "
        "4-token shingles of `\\w+` tokens (bench/html_f1.py's metric) of our reading text "
        "(title, abstract, body, acknowledgements) against the truth's `text`; baseline: the "
        "plain text of pypdfium2 (`get_text_range`) and pdfminer.six (`extract_text`).", "",
        "Heading recall counts a truth heading found when a body heading has its words (a "
        "section number aside), or when it is the title, or when the reader turned it into its "
        "own field (Acknowledgements, References). Times are CPU milliseconds a page.", "",
        "| file | pages | body F1 | P | R | pypdfium2 F1 | pdfminer.six F1 | title | abstract F1 "
        "| heading recall | ms/page (ours / pdfium / pdfminer) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.name} | {r.pages} | **{r.body.f1:.3f}** | {r.body.precision:.2f} | "
            f"{r.body.recall:.2f} | {r.pdfium.f1:.3f} | "
            f"{r.pdfminer.f1 if r.pdfminer else float('nan'):.3f} | "
            f"{'-' if r.title is None else ('yes' if r.title else 'no')} | "
            f"{'-' if r.abstract is None else f'{r.abstract:.3f}'} | "
            f"{'-' if r.headings is None else f'{r.headings:.2f}'} | "
            f"{r.ms_per_page:.1f} / {r.pdfium_ms:.1f} / {r.pdfminer_ms:.1f} |")
    lines += [
        f"| **mean** | {total_pages} | **{mean:.3f}** | | | {base:.3f} | {miner:.3f} | "
        f"{sum(titles)}/{len(titles)} | "
        f"{statistics.mean(abstracts) if abstracts else float('nan'):.3f} | "
        f"{statistics.mean(headings) if headings else float('nan'):.2f} | "
        f"{total_ms / total_pages:.1f} (whole reader, CPU: {1000 * total_pages / total_ms:.0f} "
        "pages/s on one core) |", ""]
    if big:
        lines += [
            f"Long input: a generated {big['pages']:.0f}-page two-column PDF ({big['size_mb']:.1f} "
            "MB, about 5,000 characters a page, fpdf2, made in a temporary folder): the reader "
            f"takes {big['seconds']:.1f} s of CPU ({big['ms_per_page']:.1f} ms a page); the whole "
            f"`parse` (reader, language, schema validation) {big['whole']:.1f} s; peak resident "
            f"memory {big['peak_rss_mb']:.0f} MB for the whole process (interpreter, libraries, "
            "language model and both reads included). Most of the difference is the schema "
            "check: a single document is validated with jsonschema (converter/model/schema.py "
            "compiles the fast validator only from the fourth document on), which costs far "
            "more than "
            "the reading on an article this long.", ""]
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replace (or append) this benchmark's section of a Markdown file, leaving the rest alone."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="update this Markdown file's section")
    parser.add_argument("--pages", type=int, default=0, help="also time an N-page PDF")
    parser.add_argument("--no-baseline", action="store_true", help="skip pdfminer.six")
    parser.add_argument("only", nargs="*", help="file stems to run")
    args = parser.parse_args(argv)
    from converter.model.schema import prepare_fast_validation
    from converter.readers.language import _model

    started = time.process_time()
    _model()  # loaded once per process, on first use: not charged to the first file
    print(f"language model load: {time.process_time() - started:.2f} s CPU (once per process)")
    prepare_fast_validation()  # as a batch does before its workers start
    our_article((PDFS / "docling-multi-page.pdf").read_bytes(), None)  # imports, first calls
    rows = []
    for path in sorted(PDFS.glob("*.pdf")):
        if args.only and path.stem not in args.only:
            continue
        row = measure(path, baseline=not args.no_baseline)
        if row is None:
            continue
        rows.append(row)
        print(f"{row.name:28} {row.pages:3}p  F1 {row.body.f1:.3f} (P {row.body.precision:.2f} "
              f"R {row.body.recall:.2f})  pdfium {row.pdfium.f1:.3f}  title {row.title}  "
              f"abstract {row.abstract}  headings {row.headings}  {row.ms_per_page:.1f} ms/p",
              flush=True)
    big = big_pdf(args.pages) if args.pages else None
    text = report(rows, big)
    print(text)
    if args.write:
        write_section(args.write, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
