"""The HTML reader: main-text quality on the benchmark sample, metadata on real news pages."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import DATA, ROOT, require

from converter.model import block_text
from converter.options import ReadOptions
from converter.pipeline import parse_bytes
from converter.readers.html import HtmlReader, contributors, decode_html, page_meta

READABILITY = "real-world/readability"


def bench() -> ModuleType:
    """bench/html_f1.py, the one implementation of the benchmark's metric."""
    spec = importlib.util.spec_from_file_location("html_f1", ROOT / "bench" / "html_f1.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("html_f1", module)
    spec.loader.exec_module(module)
    return module


def test_metric_matches_the_benchmark_definition() -> None:
    f1 = bench()
    perfect = f1.Score.of("one two three four five", "one two three four five")
    assert (perfect.precision, perfect.recall) == (1.0, 1.0)
    half = f1.Score.of("a b c d e", "a b c d x y z w")  # truth: 2 shingles; prediction: 5
    assert half.tp == pytest.approx(1 / 6) and half.fp == pytest.approx(4 / 6)
    assert half.fn == pytest.approx(1 / 6)
    empty = f1.Score.of("some text here and more", "")
    assert (empty.precision, empty.recall) == (0.0, 0.0)
    summary = f1.summarize([perfect, half])
    assert summary.precision == pytest.approx((1 + 0.2) / 2)


def test_main_text_f1_on_the_benchmark_sample(corpus: Path) -> None:
    """A quality floor: trafilatura alone reaches a mean per-page F1 of 0.937 on these pages."""
    require(corpus / "html-articles", "the html-articles corpus")
    f1 = bench()
    summary, rows = f1.evaluate(f1.our_text)
    assert summary.pages == 30
    assert summary.mean_f1 >= 0.93, rows
    assert summary.f1 >= 0.93
    assert summary.precision >= 0.95  # the main text, not the page


EXPECTED_PAGES = {
    # page: (title, authors, language, site name, abstract starts with)
    "ars-1": ("Just-released Minecraft exploit makes it easy to crash game servers",
              ["Dan Goodin"], "en-us", "Ars Technica", "Two-year-old bug exposes"),
    "bbc-1": ("Obama admits US gun laws are his 'biggest frustration'", [], "en", "BBC News",
              "President Barack Obama tells the BBC"),
    "dropbox-blog": ("How we designed Dropbox’s ATF - an async task framework",
                     ["Arun Sai Krishnan"], "en", "dropbox.tech", None),
    # readability takes the <title>; the page's own heading names the chapter
    "google-sre-book-1": ("Chapter 6 - Monitoring Distributed Systems", ["Rob Ewaschuk"], "en",
                          None, None),
    "lemonde-1": ("Le projet de loi sur le renseignement massivement approuvé à l'Assemblée",
                  ["Martin Untersinger"], "fr", "Le Monde.fr", "Largement approuvé"),
}


@pytest.mark.parametrize("page", sorted(EXPECTED_PAGES))
def test_news_page_metadata_and_main_text(corpus: Path, page: str) -> None:
    folder = require(corpus / READABILITY / page, f"readability page {page}")
    expected = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
    source = (folder / "source.html").read_bytes()
    article = parse_bytes(source, ReadOptions(file_name=f"{page}/source.html"))
    title, authors, language, site, abstract = EXPECTED_PAGES[page]
    assert article.title == title
    if page != "google-sre-book-1":
        assert article.title == expected["title"]
    assert [c.name for c in article.contributors if c.kind == "author"] == authors
    assert article.language == language == expected["lang"]
    assert (article.source_publication.name if article.source_publication else None) == site
    if abstract:
        assert block_text(article.abstract).startswith(abstract)
    assert article.provenance and article.provenance.reader == "html"
    # the main text: most of readability's expected article, little else
    f1 = bench()
    expected_text = block_text(HtmlReader().read((folder / "expected.html").read_bytes(),
                                                 ReadOptions()).body)
    score = f1.Score.of(expected_text, block_text(article.body))
    assert score.recall >= 0.75 and score.precision >= 0.8, score


def test_byline_roles() -> None:
    people = contributors("Rob Ewaschuk\n  Edited by Betsy Beyer")
    assert [(p.name, p.kind) for p in people] == [("Rob Ewaschuk", "author"),
                                                  ("Betsy Beyer", "editor")]
    assert [p.name for p in contributors("Ann Smith; Bob Jones and Carl Li")] == [
        "Ann Smith", "Bob Jones", "Carl Li"]


def test_page_meta_reads_attributes_in_any_order() -> None:
    page = (b'<head><meta content="second &amp; last" property="og:description">'
            b"<meta name='twitter:description' content='first'></head>")
    assert page_meta(page, "og:description", "twitter:description") == "second & last"
    assert page_meta(page, "twitter:description") == "first"
    assert page_meta(page, "description") is None


def test_declared_charset_is_honoured() -> None:
    page = '<html><head><meta charset="windows-1252"><title>Café</title></head></html>'
    assert "Café" in decode_html(page.encode("cp1252")).text


def test_a_page_without_an_article_is_converted_whole() -> None:
    data = (DATA / "pandoc" / "no-article.html").read_bytes()
    article = parse_bytes(data, ReadOptions(file_name="no-article.html"))
    codes = [d.code for d in article.provenance.diagnostics] if article.provenance else []
    assert "no-main-text" in codes
    assert article.title == "Site map" and article.language == "en"
    assert "Home" in block_text(article.body)


def test_a_table_page_keeps_its_table() -> None:
    data = (DATA / "pandoc" / "table-only.html").read_bytes()
    article = parse_bytes(data, ReadOptions(file_name="table-only.html"))
    assert article.title == "Prices"
    assert any(b.type == "table" for b in article.body)


def test_pandoc_html_skips_extraction() -> None:
    data = (DATA / "pandoc" / "table-only.html").read_bytes()
    article = parse_bytes(data, ReadOptions(file_name="t.html", format="pandoc:html"))
    assert article.provenance and article.provenance.reader == "pandoc"
    assert any(b.type == "table" for b in article.body)


def test_html_is_sniffed_by_content() -> None:
    reader = HtmlReader()
    assert reader.sniff((DATA / "pandoc" / "table-only.html").read_bytes(), "page")
    assert reader.sniff(b"\xef\xbb\xbf<!-- saved -->\n<HTML><body>x</body></HTML>", None)
    assert not reader.sniff(b"<?xml version='1.0'?><article/>", None)
    assert not reader.sniff(b"# A heading\n\n<html> in a code span", None)
