"""The EPUB writer without Java: container, reproducibility, metadata, markup, notes, collections.

EPUBCheck runs in tests/test_epub_epubcheck.py; here the output is taken apart with zipfile and
lxml and each promise of docs/epub.md is checked on its own.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from lxml import etree
from strategies import articles
from test_epub_articles import CONTROL, NASTY, PNG, UNICODE, hostile_article, seed_like_article

from converter import model as m
from converter.errors import WriterError
from converter.options import WriteOptions
from converter.pipeline import parse, render
from converter.registry import default_registry
from converter.writers.epub import DEFAULT_LANGUAGE, EpubWriter, write_collection
from converter.writers.epub.urls import safe_href

NS = {"h": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
OPTIONS = WriteOptions()


def write(article: m.Article, options: WriteOptions = OPTIONS) -> bytes:
    return render(article, "epub", options)


class Book:
    """An EPUB taken apart: its entries, package document and content documents."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.entries = {info.filename: self.zip.read(info) for info in self.zip.infolist()}
        self.opf = self.xml("EPUB/content.opf")

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.entries[name], PARSER)

    def doc(self, name: str = "article.xhtml") -> etree._Element:
        return self.xml(f"EPUB/{name}")

    def meta(self, prop: str) -> list[str]:
        return [e.text or "" for e in self.opf.iterfind(f".//opf:meta[@property='{prop}']", NS)]

    def dc(self, name: str) -> list[str]:
        return [e.text or "" for e in self.opf.iterfind(f".//dc:{name}", NS)]

    def documents(self) -> dict[str, etree._Element]:
        return {name: self.xml(name) for name in self.entries if name.endswith(".xhtml")}


def text_of(element: etree._Element) -> str:
    return "".join(str(t) for t in element.itertext())


def find(element: etree._Element, path: str) -> etree._Element:
    """The first match of ``path`` (namespaces as in ``NS``); its absence fails the test."""
    found = element.find(path, NS)
    assert found is not None, f"nothing at {path}"
    return found


def xpath(element: etree._Element, path: str) -> list[etree._Element]:
    result = element.xpath(path, namespaces=NS)
    assert isinstance(result, list)
    return [r for r in result if isinstance(r, etree._Element)]


def attr(element: etree._Element, name: str) -> str:
    value = element.get(name)
    assert value is not None, f"no {name} on {element.tag}"
    return value


def ids(element: etree._Element) -> list[str]:
    result = element.xpath("//@id")
    assert isinstance(result, list)
    return [str(value) for value in result]


def codes(article: m.Article) -> list[str]:
    return [d.code for d in article.provenance.diagnostics] if article.provenance else []


# --------------------------------------------------------------------------- registry, container


def test_registry_and_pipeline_find_the_writer() -> None:
    writer = default_registry().writer("epub")
    assert isinstance(writer, EpubWriter)
    assert writer.extension == ".epub"
    assert default_registry().writer("epub3").name == "epub"
    article = seed_like_article()
    assert render(article, "epub", OPTIONS) == write(article)


def test_container_mimetype_first_stored_then_sorted_with_fixed_metadata() -> None:
    book = Book(write(hostile_article()))
    infos = book.zip.infolist()
    first = infos[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert book.entries["mimetype"] == b"application/epub+zip"
    assert first.extra == b""
    assert book.data[30:38] == b"mimetype" and book.data[38:58] == b"application/epub+zip"
    names = [info.filename for info in infos[1:]]
    assert names == sorted(names)
    assert {info.date_time for info in infos} == {(2021, 3, 4, 5, 6, 6)}  # 2-second resolution
    assert {info.external_attr for info in infos} == {0o100644 << 16}
    assert {info.create_system for info in infos} == {3}
    assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in infos[1:])
    container = book.xml("META-INF/container.xml")
    assert find(container, ".//{*}rootfile").get("full-path") == "EPUB/content.opf"


def test_manifest_lists_every_file_and_every_file_is_listed() -> None:
    book = Book(write(hostile_article()))
    listed = {"EPUB/" + attr(item, "href") for item in book.opf.iterfind(".//opf:item", NS)}
    packed = set(book.entries) - {"mimetype", "META-INF/container.xml", "EPUB/content.opf"}
    assert listed == packed
    assert all(book.entries[name] for name in book.entries), "no 0-byte entries"


def test_two_builds_are_byte_identical() -> None:
    first = write(hostile_article())
    assert write(hostile_article()) == first
    article = seed_like_article()
    again = m.Article.from_dict(copy.deepcopy(article.to_dict()))
    assert write(article) == write(again) == write(article)


def test_identifier_is_the_content_id_and_stable() -> None:
    article = seed_like_article()
    book = Book(write(article))
    unique = book.opf.get("unique-identifier")
    identifier = find(book.opf, f".//dc:identifier[@id='{unique}']")
    assert identifier is not None and identifier.text == article.content_id()
    assert identifier.text.startswith("urn:uuid:")
    ncx = book.xml("EPUB/toc.ncx")
    assert find(ncx, ".//ncx:meta[@name='dtb:uid']").get("content") == identifier.text
    changed = seed_like_article()
    changed.body.append(m.Paragraph([m.Text("one more paragraph")]))
    assert Book(write(changed)).dc("identifier")[0] != identifier.text
    assert Book(write(seed_like_article())).dc("identifier")[0] == identifier.text


def test_modified_comes_from_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    article = seed_like_article()  # published 2013-04-01
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    dated = Book(write(article))
    assert dated.meta("dcterms:modified") == ["2013-04-01T00:00:00Z"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    fixed = Book(write(article))
    assert fixed.meta("dcterms:modified") == ["2023-11-14T22:13:20Z"]
    assert {i.date_time for i in fixed.zip.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000100")
    assert Book(write(article)).meta("dcterms:modified") == ["2023-11-14T22:15:00Z"]
    pinned = WriteOptions(build_time=datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC))
    assert Book(write(article, pinned)).meta("dcterms:modified") == ["2001-02-03T04:05:06Z"]


def test_modified_without_any_date_is_now_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    (modified,) = Book(write(m.Article(title="Undated", language="en"))).meta("dcterms:modified")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", modified)
    assert modified[:4] >= "2025"


def test_old_dates_clamp_zip_times_but_not_metadata() -> None:
    article = seed_like_article()
    article.dates["published"] = "1950-06"
    book = Book(write(article))
    assert book.meta("dcterms:modified") == ["1950-06-01T00:00:00Z"]
    assert book.dc("date") == ["1950-06"]
    assert {i.date_time for i in book.zip.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --------------------------------------------------------------------------- package metadata


def test_metadata_maps_the_article() -> None:
    article = hostile_article()
    book = Book(write(article))
    titles = book.opf.findall(".//dc:title", NS)
    assert [t.get("id") for t in titles] == ["title", "subtitle"]
    assert text_of(titles[0]).startswith("Hostile " + NASTY)
    assert titles[1].text == f"Subtitle {NASTY}"
    refinements = {(e.get("refines"), e.get("property")): e.text
                   for e in book.opf.iterfind(".//opf:meta[@refines]", NS)}
    assert refinements[("#title", "title-type")] == "main"
    assert refinements[("#subtitle", "title-type")] == "subtitle"
    creators = book.opf.findall(".//dc:creator", NS)
    assert [c.text for c in creators] == ["Ada <Lovelace> & Co", "Charles Babbage"]
    contributors = book.opf.findall(".//dc:contributor", NS)
    assert [c.text for c in contributors] == ["Q. Interviewer", "T. Ranslator", "Some One"]
    ids = [e.get("id") for e in creators + contributors]
    assert len(set(ids)) == len(ids) == 5 and "creator" not in ids
    assert refinements[("#creator-1", "file-as")] == "Lovelace, Ada"
    roles = [refinements[(f"#{i}", "role")] for i in ids]
    assert roles == ["aut", "aut", "ivr", "trl", "ctb"]
    role_meta = find(book.opf, ".//opf:meta[@property='role']")
    assert role_meta.get("scheme") == "marc:relators"
    assert book.dc("language") == ["de-CH"]
    assert book.opf.get(XML_LANG) == "de-CH"
    assert book.dc("date") == ["2021-03-04T05:06:07Z"]
    assert book.dc("publisher") == [f"Source {NASTY}"]
    assert book.dc("source") == ["https://example.org/source/"]
    assert book.dc("type") == ["research-article"]
    assert book.dc("subject") == [NASTY, UNICODE, "Topic"]
    assert book.dc("rights") == [f"Statement {NASTY}"]
    assert "doi:10.1000/xyz123" in book.dc("identifier")
    assert book.meta("dcterms:license") == ["https://creativecommons.org/licenses/by/4.0/"]


def test_no_ebooklib_artifacts() -> None:
    book = Book(write(seed_like_article()))
    opf = book.entries["EPUB/content.opf"].decode()
    assert "generator" not in opf and "Ebook-lib" not in opf
    assert "conformsTo" not in opf and "dcterms:conformsTo" not in opf
    assert book.opf.get("prefix") is None
    assert find(book.opf, ".//opf:spine").get("toc") == "ncx"
    assert book.opf.find(".//opf:guide", NS) is None
    nav = book.doc("nav.xhtml")
    assert nav.find(".//h:nav[@epub:type='page-list']", NS) is None
    assert find(book.opf, ".//opf:item[@properties='nav']").get("href") == "nav.xhtml"
    head = find(book.doc(), "h:head")
    assert find(head, "h:link[@rel='stylesheet']").get("href") == "style.css"
    assert find(head, "h:title").text == seed_like_article().title


def test_accessibility_metadata_textual_article() -> None:
    book = Book(write(seed_like_article()))
    assert book.meta("schema:accessMode") == ["textual"]
    assert book.meta("schema:accessModeSufficient") == ["textual"]
    assert book.meta("schema:accessibilityFeature") == [
        "structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    assert book.meta("schema:accessibilityHazard") == ["none"]
    (summary,) = book.meta("schema:accessibilitySummary")
    assert "table of contents" in summary
    html = book.doc()
    assert html.get("lang") == html.get(XML_LANG) == "en"


def test_accessibility_metadata_with_images() -> None:
    article = seed_like_article()
    article.media = [m.MediaResource("dot.png", "image/png")]
    article.resources = {"dot.png": PNG}
    article.body.append(m.Paragraph([m.Image("dot.png", [m.Text("A red dot")])]))
    book = Book(write(article))
    assert book.meta("schema:accessMode") == ["textual", "visual"]
    assert book.meta("schema:accessModeSufficient") == ["textual", "textual,visual"]
    assert "alternativeText" in book.meta("schema:accessibilityFeature")
    article.body.append(m.Paragraph([m.Image("dot.png", [])]))
    unlabelled = Book(write(article))
    assert unlabelled.meta("schema:accessModeSufficient") == ["textual,visual"]
    assert "alternativeText" not in unlabelled.meta("schema:accessibilityFeature")
    assert "epub-image-no-alt" in codes(article)


@pytest.mark.parametrize("language", [None, "", "en_US", "en-", "x-"])
def test_missing_or_malformed_language_gets_the_default(language: str | None) -> None:
    article = m.Article(title="T", language=language)
    book = Book(write(article))
    assert book.dc("language") == [DEFAULT_LANGUAGE]
    assert book.doc().get("lang") == DEFAULT_LANGUAGE
    assert set(codes(article)) & {"epub-language-default", "epub-language-invalid"}


def test_right_to_left_language_sets_direction() -> None:
    article = m.Article(title="عنوان", language="ar", abstract=[m.Paragraph([m.Text("ملخص")])])
    book = Book(write(article))
    assert book.doc().get("dir") == "rtl" and book.doc("nav.xhtml").get("dir") == "rtl"
    assert find(book.opf, ".//opf:spine").get("page-progression-direction") == "rtl"
    summary = find(book.doc(), ".//h:h2")  # the generated word "Summary"
    assert (summary.get("lang"), summary.get("dir")) == ("en", "ltr")


def test_generated_words_are_marked_english_in_other_languages() -> None:
    html = Book(write(hostile_article())).doc()  # de-CH
    assert html.get("lang") == "de-CH"
    notes = find(html, ".//h:section[@role='doc-endnotes']/h:h2")
    assert notes.text == "Notes" and notes.get("lang") == notes.get(XML_LANG) == "en"


# --------------------------------------------------------------------------- content documents


#: where each node type shows in the XHTML (a new model type must be added here)
NODE_XPATHS = {
    "paragraph": "//h:p", "heading": "//h:div[@class='article-body']/h:h2",
    "bullet_list": "//h:ul/h:li", "ordered_list": "//h:ol[@type='i'][@start='0']/h:li",
    "definition_list": "//h:dl/h:dt/following-sibling::h:dd", "blockquote": "//h:blockquote/h:p",
    "code_block": "//h:pre/h:code[@class='language-python-3']", "horizontal_rule": "//h:hr",
    "line_block": "//h:p[@class='line-block']/h:br", "table": "//h:table/h:tbody/h:tr/h:td",
    "figure": "//h:figure[h:figcaption]", "speech": "//h:div[@class='speech']/h:p/h:strong",
    "text": "//h:p[contains(., 'Every inline')]", "emphasis": "//h:em", "strong": "//h:strong",
    "superscript": "//h:sup", "subscript": "//h:sub", "small_caps": "//h:span[@class='smallcaps']",
    "strikeout": "//h:s", "underline": "//h:u", "code": "//h:p/h:code",
    "link": "//h:a[@href='https://example.org/outer']", "line_break": "//h:p/h:br",
    "quoted": "//h:p[contains(., '“double”')][contains(., '‘single’')]",
    "note": "//h:a[@epub:type='noteref'][@role='doc-noteref']",
    "image": "//h:img[@alt='A red dot']", "math": "//h:span[@class='math display']",
    "citation": "//h:a[@role='doc-biblioref'][@href='#ref1']",
}


def test_every_block_and_inline_type_appears() -> None:
    assert set(NODE_XPATHS) == set(m.BLOCK_TYPES) | set(m.INLINE_TYPES)
    html = Book(write(hostile_article())).doc()
    missing = [t for t, path in NODE_XPATHS.items() if not xpath(html, path)]
    assert missing == []


def test_hostile_text_is_escaped_and_control_characters_replaced() -> None:
    article = hostile_article()
    book = Book(write(article))
    html = book.doc()
    title = find(html, ".//h:h1")
    assert text_of(title).startswith(f"Hostile {NASTY} {UNICODE} ")
    assert xpath(html, "//h:script") == []
    assert any(NASTY in text_of(p) for p in html.iterfind(".//h:p", NS))
    expected = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "\ufffd", CONTROL)
    assert expected in text_of(title)
    code = find(html, ".//h:pre/h:code")
    assert code.text == f"def f():\n    return '{NASTY}'\n{expected}"
    for name, data in book.entries.items():
        if name.endswith((".xhtml", ".opf", ".ncx")):
            assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", data), name
    assert codes(article).count("epub-invalid-character") == 1


def test_header_holds_title_subtitle_authors_date_source_and_summary() -> None:
    header = find(Book(write(hostile_article())).doc(), ".//h:article/h:header")
    assert find(header, "h:p[@role='doc-subtitle']").text == f"Subtitle {NASTY}"
    byline = find(header, "h:p[@class='byline']")
    assert [text_of(s) for s in byline.iterfind("h:span[@class='contributor']", NS)] == [
        "Ada <Lovelace> & Co", "Charles Babbage"]
    assert find(header, "h:p[@class='dateline']/h:time").get("datetime") == (
        "2021-03-04T05:06:07")
    source = find(header, "h:p[@class='source']")
    assert text_of(source).startswith("Republished from Source a < b")
    assert find(source, "h:a").get("href") == "https://example.org/source/"
    abstract = find(header, "h:section[@role='doc-abstract']")
    assert abstract.get(EPUB_TYPE) == "abstract"
    assert NASTY in text_of(abstract)


def test_back_matter_sections() -> None:
    html = Book(write(hostile_article())).doc()
    sections = [s.get("class") for s in find(html, ".//h:article").iterfind("h:section", NS)]
    assert sections == ["acknowledgements", "references", "contributors", "colophon", "endnotes"]
    bio = find(html, ".//h:section[@class='contributors']/h:div")
    assert "Analytical Engine Society" in text_of(bio)
    assert find(bio, ".//h:a[@href='mailto:ada@example.org']") is not None
    assert find(bio, ".//h:a[@href='https://orcid.org/0000-0002-1825-0097']") is not None
    colophon = find(html, ".//h:section[@class='colophon']")
    assert (colophon.get(EPUB_TYPE), colophon.get("role")) == ("colophon", "doc-colophon")
    assert find(colophon, "h:section[@role='doc-credits']//h:li").text == f"Credit {NASTY}"
    rights = find(colophon, "h:section[@epub:type='copyright-page']")
    assert "2021 Holder & Sons" in text_of(rights)
    assert find(rights, ".//h:a[@rel='license']") is not None
    assert f"Disclaimer {NASTY}" in text_of(rights)
    assert NASTY in text_of(find(colophon, "h:p/h:code"))  # the article's notes
    details = text_of(find(colophon, "h:dl"))
    assert "research-article" in details and "https://doi.org/10.1000/xyz123" in details
    references = find(html, ".//h:section[@role='doc-bibliography']")
    assert [li.get("id") for li in references.iterfind(".//h:li", NS)] == [
        "ref1", "ref2", "ref-3", "ref-4"]


def test_speech_turns_read_as_a_dialogue() -> None:
    html = Book(write(seed_like_article())).doc()
    turns = html.findall(".//h:div[@class='article-body']/h:div", NS)
    assert [t.get("class") for t in turns] == ["speech question", "speech"] * 2
    first = find(turns[0], "h:p")
    assert find(first, "h:strong[@class='speaker']").text == "WPR"
    assert text_of(first).startswith("WPR (interviewer): What were the factors")
    roles = xpath(html, "//h:span[@class='speaker-role']")
    assert [text_of(r) for r in roles] == [" (interviewer)", " (interviewee)"]
    assert len(turns[1].findall("h:p", NS)) == 2


def test_tables_keep_spans_headers_captions_and_block_cells() -> None:
    html = Book(write(hostile_article())).doc()
    table = find(html, ".//h:table[@id='table-1']")
    assert [th.get("scope") for th in table.iterfind("h:thead/h:tr/h:th", NS)] == ["col", "col"]
    assert find(table, "h:caption") is not None
    assert [c.get("style") for c in table.iterfind("h:colgroup/h:col", NS)] == [
        "width: 40%", "width: 60%"]
    assert find(table, ".//h:td[@rowspan='2']").get("class") == "align-right"
    assert find(table, ".//h:td[@colspan='2']").get("class") == "align-center"
    assert find(table, "h:tbody/h:tr/h:td/h:ul") is not None
    assert find(table, "h:tfoot") is not None
    headless = html.xpath("//h:table[not(h:thead)][.//h:p='no header row']", namespaces=NS)
    assert headless
    # a caption holding a table cannot be a <caption>: the table becomes a captioned figure
    figure = find(html, ".//h:figure[@class='table']")
    assert figure[0].tag.endswith("figcaption") and find(figure[0], "h:table") is not None
    assert xpath(html, "//h:caption//h:table") == []


def test_heading_levels_do_not_skip_and_empty_headings_stay_anchors() -> None:
    article = m.Article(title="Levels", language="en", body=[
        m.Heading(1, [m.Text("one")]), m.Heading(4, [m.Text("four")]),
        m.Heading(6, [m.Text("six")]), m.Heading(2, [m.Text("two")]),
        m.Heading(3, [], id="empty"), m.Paragraph([m.Link("#empty", [m.Text("to it")])])])
    html = Book(write(article)).doc()
    body = find(html, ".//h:div[@class='article-body']")
    assert [(e.tag.split("}")[1], text_of(e)) for e in body if e.tag != f"{{{NS['h']}}}p"] == [
        ("h2", "one"), ("h3", "four"), ("h4", "six"), ("h3", "two"), ("div", "")]
    assert find(body, "h:div[@id='empty']").get("class") == "empty-heading"
    assert find(body, "h:p/h:a").get("href") == "#empty"
    assert "epub-empty-heading" in codes(article)


def test_notes_are_numbered_endnotes_with_backlinks() -> None:
    html = Book(write(hostile_article())).doc()
    refs = xpath(html, "//h:a[@epub:type='noteref']")
    assert [r.text for r in refs] == ["1", "2", "3", "4", "5"]
    section = find(html, ".//h:section[@epub:type='endnotes']")
    assert section.get("role") == "doc-endnotes"
    items = section.findall("h:ol/h:li", NS)
    assert len(items) == len(refs)
    for ref in refs:
        (item,) = xpath(html, f"//*[@id='{attr(ref, 'href')[1:]}']")
        assert item in items
        back = find(item, ".//h:a[@role='doc-backlink']")
        assert back.get("href") == f"#{ref.get('id')}"
    nested = find(items[0], ".//h:a[@epub:type='noteref']")
    assert nested is not None and nested.text == "5"


def test_links_that_cannot_be_links_stay_readable() -> None:
    article = hostile_article()
    html = Book(write(article)).doc()
    paragraph = xpath(html, "//h:p[starts-with(., 'Links:')]")[0]
    hrefs = [a.get("href") for a in paragraph.iterfind(".//h:a", NS)]
    assert hrefs[:5] == ["mailto:someone@example.org?subject=hi%20there",
                         "https://example.org/source/relative/page.html", "#intro", "#table-1",
                         "https://example.org/outer"]
    words = text_of(paragraph)
    for kept in ("script <javascript:alert(1)>", "file <file:///etc/passwd>", "dangling",
                 "inner <https://example.org/inner>", "empty host <http://>"):
        assert kept in words
    assert xpath(html, "//h:a//h:a") == []
    outer = find(paragraph, "h:a[@href='https://example.org/outer']")
    after = outer.getnext()
    assert after is not None and after.get(EPUB_TYPE) == "noteref"  # moved out of the link
    assert {"epub-link-as-text", "epub-link-target-missing", "epub-citation-unresolved"} <= set(
        codes(article))
    find(html, ".//h:a[@href='https://example.org/a%20b?q=%C3%A4&r=%25zz#frag%23more']")


def test_the_address_of_a_link_kept_as_text_follows_its_word() -> None:
    """epub30-spec writes ``<a>EPUB Publication</a>s`` with a relative address and no base: the
    address goes after the word, so the words read "Publications", not "Publication <...>s"."""
    t = m.Text
    gloss = "epub30-terminology.xhtml_gloss-epub-publication"
    paragraph = m.Paragraph([
        m.Link(gloss, [t("EPUB Publication")]), t("s. The "),
        m.Link("javascript:x()", [t("Author")]), t("’s and "),
        m.Link("file:///a", [m.Emphasis([t("self")])]), t("-contained "),
        m.Link("file:///b", [t("cross")]), t(" words, "), m.Link("file:///c", [t("end")])])
    html = Book(write(m.Article(title="Links", body=[paragraph]))).doc()
    (p,) = xpath(html, "//h:p[starts-with(., 'EPUB')]")
    assert text_of(p) == (f"EPUB Publications <{gloss}>. The Author’s <javascript:x()> and "
                          "self-contained <file:///a> cross <file:///b> words, end <file:///c>")
    assert [text_of(s) for s in p.iterfind("h:span[@class='link']", NS)] == [
        "EPUB Publication", "Author", "self", "cross", "end"]


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.org/x y", "https://example.org/x%20y"),
    ("https://example.org/a[1]?q=[x]#{y}", "https://example.org/a%5B1%5D?q=%5Bx%5D#%7By%7D"),
    ("https://bücher.de/é", "https://xn--bcher-kva.de/%C3%A9"),
    ("http://us@er:pa ss@example.org/", "http://us%40er:pa%20ss@example.org/"),
    ("https://example.org:/", "https://example.org:/"),
    ("doi:10.1000/abc def", "https://doi.org/10.1000/abc%20def"),
    ("mailto:a@b.c,d@e.f", "mailto:a@b.c,d@e.f"), ("urn:isbn:123", "urn:isbn:123"),
    ("https://[fe80::1%25eth0]/", None), ("https://-bad.org/", None),
    ("https://example.org:65536/", None), ("ftp:relative", None), ("gopher://x.org/", None),
    ("HTTPS://EXAMPLE.ORG", "HTTPS://EXAMPLE.ORG"),
    ("http://[::1]:8080/a", "http://[::1]:8080/a"),
    ("https://example.org/%", "https://example.org/%25"),
    ("http:/no-host", None), ("https://", None), ("data:text/html,hi", None),
    ("vbscript:x", None), ("", None), ("#frag", None), ("page.html", None),
    ("https://exa_mple.org/", None), ("https://example.org:0x/", None),
])
def test_safe_href(url: str, expected: str | None) -> None:
    assert safe_href(url) == expected


def test_images_are_embedded_by_content_or_described() -> None:
    article = hostile_article()
    book = Book(write(article))
    items = {attr(i, "href"): attr(i, "media-type") for i in book.opf.iterfind(".//opf:item", NS)}
    images = {href: kind for href, kind in items.items() if href.startswith("images/")}
    assert sorted(images.values()) == ["image/png", "image/svg+xml"]  # PNG bytes shared
    png = next(h for h, k in images.items() if k == "image/png")
    assert book.entries[f"EPUB/{png}"] == PNG
    html = book.doc()
    assert [(i.get("src"), i.get("alt")) for i in html.iterfind(".//h:img", NS)] == [
        (png, "A red dot"), (next(h for h in images if h.endswith(".svg")), "A blue dot"),
        (png, "JPEG?")]
    fallbacks = [text_of(e) for e in xpath(html, "//*[@class='image-fallback']")]
    assert "Image: remote in link <https://example.org/remote.png>" in fallbacks
    assert "Image: a TIFF <media/tif>" in fallbacks
    assert "Image: missing bytes <media/missing.png>" in fallbacks
    assert {"epub-image-not-embedded", "epub-image-unsupported", "epub-image-media-type"} <= set(
        codes(article))


def test_table_of_contents_follows_the_headings() -> None:
    book = Book(write(hostile_article()))
    nav = book.doc("nav.xhtml")
    toc = find(nav, ".//h:nav[@epub:type='toc']")
    assert toc.get("role") == "doc-toc"
    top = find(toc, "h:ol/h:li")
    assert find(top, "h:a").get("href") == "article.xhtml"
    entries = [text_of(a) for a in top.iterfind("h:ol/h:li/h:a", NS)]
    assert entries == ["Summary", f"Intro {NASTY}", "Acknowledgements", "References",
                       "About the author", "About this article", "Notes"]
    nested = xpath(top, ".//h:li[h:a='Links']/h:ol/h:li/h:a")
    assert [a.text for a in nested] == ["Deep"]  # h6 under h2 under h1, empty heading left out
    ncx = book.xml("EPUB/toc.ncx")
    labels = [t.text for t in ncx.iterfind(".//ncx:navPoint/ncx:navLabel/ncx:text", NS)]
    assert labels == [text_of(a) for a in toc.iterfind(".//h:a", NS)]
    ids = [p.get("id") for p in ncx.iterfind(".//ncx:navPoint", NS)]
    assert len(set(ids)) == len(ids)
    landmarks = find(nav, ".//h:nav[@epub:type='landmarks']")
    assert find(landmarks, ".//h:a[@epub:type='bodymatter']").get("href") == "article.xhtml"


def test_diagnostics_are_not_repeated_when_written_twice() -> None:
    article = hostile_article()
    write(article)
    first = codes(article)
    write(article)
    assert codes(article) == first and first


def test_minimal_article() -> None:
    book = Book(write(m.Article(title="Only a title", language="en")))
    html = book.doc()
    assert text_of(find(html, ".//h:h1")) == "Only a title"
    assert all(book.entries.values())


def test_blank_title_gets_a_placeholder() -> None:
    book = Book(write(m.Article(title=" \x01 ", language="en")))
    assert book.dc("title") == ["\ufffd"]
    assert Book(write(m.Article(title="   ", language="en"))).dc("title") == ["Untitled"]


# --------------------------------------------------------------------------- collections


def test_collection_one_chapter_per_article_in_order() -> None:
    seed, hostile = seed_like_article(), hostile_article()
    data = write_collection([seed, hostile, seed_like_article()], "Interviews <2013>",
                            OPTIONS).data
    assert data == write_collection([seed_like_article(), hostile_article(),
                                     seed_like_article()], "Interviews <2013>", OPTIONS).data
    book = Book(data)
    spine = [i.get("idref") for i in book.opf.iterfind(".//opf:itemref", NS)]
    assert spine == ["nav", "chapter-001", "chapter-002", "chapter-003"]
    assert book.dc("title") == ["Interviews <2013>"]
    assert book.dc("language") == ["en", "de-CH"]
    assert book.dc("identifier")[0] != seed.content_id()
    assert book.dc("creator")[:1] == ["Stefan Lehne"]
    assert book.dc("creator").count("Stefan Lehne") == 1
    nav = book.doc("nav.xhtml")
    assert find(nav, ".//h:h1").text == "Interviews <2013>"
    chapters = [attr(a, "href")
                for a in nav.iterfind(".//h:nav[@epub:type='toc']/h:ol/h:li/h:a", NS)]
    assert chapters == ["chapter-001.xhtml", "chapter-002.xhtml", "chapter-003.xhtml"]
    all_ids: list[str] = []
    for n, name in enumerate(chapters, 1):
        html = book.doc(name)
        found = ids(html)
        assert found and all(i.startswith(f"c{n}-") for i in found)
        all_ids += found
    assert len(all_ids) == len(set(all_ids))
    header = find(book.doc("chapter-001.xhtml"), ".//h:header")
    assert text_of(find(header, "h:h1")) == seed.title
    assert "Stefan Lehne" in text_of(find(header, "h:p[@class='byline']"))
    assert find(header, "h:p[@class='dateline']/h:time").get("datetime") == "2013-04-01"
    assert "World Politics Review" in text_of(find(header, "h:p[@class='source']"))
    assert book.doc("chapter-002.xhtml").get("lang") == "de-CH"


def test_collection_of_nothing_is_an_error() -> None:
    with pytest.raises(WriterError):
        write_collection([], "Empty", OPTIONS)


def test_collection_title_changes_the_identifier() -> None:
    one = Book(write_collection([seed_like_article()], "One", OPTIONS).data).dc("identifier")
    two = Book(write_collection([seed_like_article()], "Two", OPTIONS).data).dc("identifier")
    assert one != two


# --------------------------------------------------------------------------- real seeds, properties


def test_real_seeds(seed_plain: Path, seed_scraped: Path) -> None:
    for path in (seed_plain, seed_scraped):
        article = parse(path)
        book = Book(write(article))
        speeches = xpath(book.doc(), "//h:div[starts-with(@class, 'speech')]")
        assert len(speeches) >= 4
        assert book.dc("identifier")[0] == article.content_id()


def check_structure(book: Book) -> None:
    """What EPUBCheck would catch first: references that go nowhere, duplicate ids, <a> in <a>."""
    documents = book.documents()
    targets = {name: set(ids(html)) for name, html in documents.items()}
    for name, html in documents.items():
        all_ids = ids(html)
        assert len(all_ids) == len(set(all_ids)), name
        assert xpath(html, "//h:a//h:a | //h:caption//h:table") == [], name
        for a in html.iterfind(".//h:a[@href]", NS):
            href = attr(a, "href")
            if "://" in href or href.startswith(("mailto:", "doi:", "tel:", "urn:")):
                continue
            target, _, fragment = href.partition("#")
            target_doc = f"EPUB/{target}" if target else name
            assert target_doc in documents, href
            assert not fragment or fragment in targets[target_doc], href
        for img in html.iterfind(".//h:img", NS):
            assert f"EPUB/{img.get('src')}" in book.entries


@settings(max_examples=30, deadline=None)
@given(articles())
def test_property_articles_make_consistent_books(article: m.Article) -> None:
    pinned = WriteOptions(build_time=datetime(2020, 1, 1, tzinfo=UTC))  # undated: else "now"
    data = write(article, pinned)
    assert write(article, pinned) == data
    check_structure(Book(data))


def test_hostile_and_collection_books_are_consistent() -> None:
    check_structure(Book(write(hostile_article())))
    check_structure(Book(write_collection([hostile_article(), hostile_article()], "Twice",
                                          OPTIONS).data))
