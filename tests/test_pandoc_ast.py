"""pandoc JSON AST <-> model: node-by-node mapping, metadata, and round trips (with real pandoc)."""

from __future__ import annotations

import base64
import dataclasses
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import PNG, articles, body_blocks

from converter import model as m
from converter.errors import WriterError
from converter.model.schema import validate_article
from converter.model.vocabulary import normalize_date
from converter.pandoc.media import decode_data_uri, media_file
from converter.pandoc.nodes import PANDOC_API_VERSION
from converter.pandoc.read_meta import article_from_pandoc, meta_value
from converter.pandoc.run import run_pandoc
from converter.pandoc.write_ast import pandoc_from_article, table_width

API = list(PANDOC_API_VERSION)


def doc(blocks: list[Any], meta: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"pandoc-api-version": API, "meta": meta or {}, "blocks": blocks}


def s(text: str) -> list[dict[str, Any]]:
    """Pandoc inlines for ``text``: Str and Space."""
    out: list[dict[str, Any]] = []
    for i, word in enumerate(text.split(" ")):
        if i:
            out.append({"t": "Space"})
        out.append({"t": "Str", "c": word})
    return out


def inl(text: str) -> dict[str, Any]:
    return {"t": "MetaInlines", "c": s(text)}


ATTR: list[Any] = ["", [], []]


def codes(article: m.Article) -> list[str]:
    return [d.code for d in article.provenance.diagnostics] if article.provenance else []


# --------------------------------------------------------------------------- pandoc -> model


def test_text_runs_merge_into_one_text_node() -> None:
    para = {"t": "Para", "c": [*s("one two"), {"t": "SoftBreak"}, *s("three")]}
    article = article_from_pandoc(doc([para], {"title": inl("T")}))
    assert article.body == [m.Paragraph([m.Text("one two three")])]


def test_every_inline_type_maps() -> None:
    citation = {"citationId": "doe99", "citationPrefix": [], "citationSuffix": [],
                "citationMode": {"t": "NormalCitation"}, "citationNoteNum": 1, "citationHash": 0}
    inlines = [
        {"t": "Emph", "c": s("e")}, {"t": "Strong", "c": s("b")},
        {"t": "Superscript", "c": s("sup")}, {"t": "Subscript", "c": s("sub")},
        {"t": "SmallCaps", "c": s("sc")}, {"t": "Strikeout", "c": s("del")},
        {"t": "Underline", "c": s("u")}, {"t": "Code", "c": [ATTR, "x = 1"]},
        {"t": "Link", "c": [ATTR, s("link"), ["https://example.org/", "T"]]},
        {"t": "LineBreak"},
        {"t": "Quoted", "c": [{"t": "SingleQuote"}, s("q")]},
        {"t": "Note", "c": [{"t": "Para", "c": s("note")}]},
        {"t": "Image", "c": [ATTR, s("alt"), ["https://example.org/a.png", ""]]},
        {"t": "Math", "c": [{"t": "DisplayMath"}, "e=mc^2"]},
        {"t": "Cite", "c": [[citation], s("[@doe99]")]},
        {"t": "Span", "c": [["", ["smallcaps"], []], s("span sc")]},
        {"t": "Span", "c": [["anchor", [], []], s("plain")]},
        {"t": "RawInline", "c": ["html", "<br />"]}, {"t": "Str", "c": "end"},
    ]
    article = article_from_pandoc(doc([{"t": "Plain", "c": inlines}], {"title": inl("T")}))
    (para,) = article.body
    assert isinstance(para, m.Paragraph)
    assert para.content == [
        m.Emphasis([m.Text("e")]), m.Strong([m.Text("b")]), m.Superscript([m.Text("sup")]),
        m.Subscript([m.Text("sub")]), m.SmallCaps([m.Text("sc")]),
        m.Strikeout([m.Text("del")]), m.Underline([m.Text("u")]), m.Code("x = 1"),
        m.Link("https://example.org/", [m.Text("link")], "T"), m.LineBreak(),
        m.Quoted("single", [m.Text("q")]), m.Note([m.Paragraph([m.Text("note")])]),
        m.Image("https://example.org/a.png", [m.Text("alt")]), m.Math("e=mc^2", True),
        m.Citation(["doe99"], [m.Text("[@doe99]")]), m.SmallCaps([m.Text("span sc")]),
        m.Text("plain"), m.LineBreak(), m.Text("end"),
    ]


def test_every_block_type_maps() -> None:
    cell = [ATTR, {"t": "AlignRight"}, 2, 1, [{"t": "Plain", "c": s("spans two rows")}]]
    table = {"t": "Table", "c": [
        ["tab1", [], []], [None, [{"t": "Plain", "c": s("Caption")}]],
        [[{"t": "AlignRight"}, {"t": "ColWidth", "c": 0.5}],
         [{"t": "AlignDefault"}, {"t": "ColWidthDefault"}]],
        [ATTR, []],  # no header row
        [[ATTR, 0, [], [[ATTR, [cell, [ATTR, {"t": "AlignDefault"}, 1, 1, [
            {"t": "BulletList", "c": [[{"t": "Plain", "c": s("in a cell")}]]},
            {"t": "Para", "c": s("second block")}]]]], [ATTR, [
                [ATTR, {"t": "AlignDefault"}, 1, 1, [{"t": "Plain", "c": s("b")}]]]]]]],
        [ATTR, []]]}
    blocks = [
        {"t": "Header", "c": [1, ["intro", [], []], s("Intro")]},
        {"t": "Header", "c": [8, ATTR, s("Deep")]},
        {"t": "BlockQuote", "c": [{"t": "Para", "c": s("quoted")}]},
        {"t": "OrderedList", "c": [[3, {"t": "LowerRoman"}, {"t": "Period"}],
                                   [[{"t": "Plain", "c": s("iii")}]]]},
        {"t": "DefinitionList", "c": [[s("term"), [[{"t": "Plain", "c": s("def")}]]]]},
        {"t": "CodeBlock", "c": [["", ["python"], []], "print(1)\n"]},
        {"t": "HorizontalRule"},
        {"t": "LineBlock", "c": [s("line one"), s("line two")]},
        table,
        {"t": "Figure", "c": [["fig1", [], []], [None, [{"t": "Plain", "c": s("Fig")}]],
                              [{"t": "Plain", "c": [{"t": "Image", "c": [
                                  ATTR, [], ["https://example.org/x.png", ""]]}]}]]},
        {"t": "Div", "c": [["sec", ["section"], []], [
            {"t": "Header", "c": [2, ATTR, s("Moved id")]}, {"t": "Para", "c": s("inside")}]]},
        {"t": "Div", "c": [["", ["speech"], [["speaker", "Jane Doe"], ["role", "interviewee"]]],
                           [{"t": "Para", "c": [{"t": "Strong", "c": s("Jane Doe:")},
                                                {"t": "Space"}, *s("Hello there.")]}]]},
        {"t": "RawBlock", "c": ["latex", "\\newpage"]},
    ]
    article = article_from_pandoc(doc(blocks, {"title": inl("T")}))
    body = article.body
    assert body[0] == m.Heading(1, [m.Text("Intro")], "intro")
    assert body[1] == m.Heading(6, [m.Text("Deep")])
    assert body[2] == m.BlockQuote([m.Paragraph([m.Text("quoted")])])
    assert body[3] == m.OrderedList([[m.Paragraph([m.Text("iii")])]], 3, "lower-roman")
    assert body[4] == m.DefinitionList([m.DefinitionItem(
        [m.Text("term")], [[m.Paragraph([m.Text("def")])]])])
    assert body[5] == m.CodeBlock("print(1)\n", "python")
    assert body[6] == m.HorizontalRule()
    assert body[7] == m.LineBlock([[m.Text("line one")], [m.Text("line two")]])
    tab = body[8]
    assert isinstance(tab, m.Table)
    assert tab.id == "tab1" and tab.head == [] and len(tab.body) == 2
    assert tab.columns == [m.ColumnSpec("right", 0.5), m.ColumnSpec()]
    assert tab.caption == [m.Paragraph([m.Text("Caption")])]
    first, second = tab.body[0].cells
    assert (first.rowspan, first.colspan, first.align) == (2, 1, "right")
    assert isinstance(second.blocks[0], m.BulletList) and len(second.blocks) == 2
    assert body[9] == m.Figure([m.Paragraph([m.Image("https://example.org/x.png")])],
                               [m.Paragraph([m.Text("Fig")])], "fig1")
    assert body[10] == m.Heading(2, [m.Text("Moved id")], "sec")
    assert body[11] == m.Paragraph([m.Text("inside")])
    assert body[12] == m.Speech("Jane Doe", [m.Paragraph([m.Text("Hello there.")])],
                                "interviewee")
    assert len(body) == 13
    assert article.discarded == [m.Discarded("\\newpage", "raw latex markup", "body[12]")]
    assert "raw-markup" in codes(article) and "heading-level" in codes(article)
    article.id = article.content_id()
    validate_article(article)


def test_metadata_maps_and_the_rest_goes_to_extra() -> None:
    meta = {
        "title": inl("The title"), "subtitle": inl("Sub"),
        "author": {"t": "MetaList", "c": [
            {"t": "MetaMap", "c": {"name": inl("Ann Smith"), "affiliation": inl("Uni"),
                                   "email": inl("ann@example.org"), "orcid": inl("0000-0001")}},
            inl("Bob Jones")]},
        "date": inl("March 5, 2019"), "lang": {"t": "MetaString", "c": "fr-CA"},
        "abstract": {"t": "MetaBlocks", "c": [{"t": "Para", "c": s("An abstract.")}]},
        "keywords": {"t": "MetaList", "c": [inl("alpha"), inl("beta")]},
        "identifier": inl("10.1000/xyz"), "rights": inl("CC BY"),
        "custom": {"t": "MetaMap", "c": {"flag": {"t": "MetaBool", "c": True},
                                         "n": {"t": "MetaString", "c": "7"}}},
    }
    article = article_from_pandoc(doc([], meta))
    assert (article.title, article.subtitle, article.language) == ("The title", "Sub", "fr-CA")
    assert [c.name for c in article.contributors] == ["Ann Smith", "Bob Jones"]
    assert article.contributors[0].affiliations == ["Uni"]
    assert article.contributors[0].email == "ann@example.org"
    assert article.dates == {"published": "2019-03-05"}
    assert article.abstract == [m.Paragraph([m.Text("An abstract.")])]
    assert article.subjects == {"keywords": ["alpha", "beta"]}
    assert article.identifiers == [m.Identifier("doi", "10.1000/xyz")]
    assert article.rights == m.Rights(statement="CC BY")
    assert article.extra == {"custom": {"flag": True, "n": "7"}}


def test_unparseable_date_and_bad_language_are_kept_in_extra() -> None:
    meta = {"title": inl("T"), "date": inl("sometime in spring"),
            "lang": {"t": "MetaString", "c": "not a tag!"}}
    article = article_from_pandoc(doc([], meta))
    assert article.dates == {} and article.language is None
    assert article.extra == {"date": "sometime in spring", "lang": "not a tag!"}


@pytest.mark.parametrize(("raw", "iso"), [
    ("2013", "2013"), ("2013-04", "2013-04"), ("2013-04-05", "2013-04-05"),
    ("5 April 2013", "2013-04-05"), ("April 2013", "2013-04"), ("2013/04/05", "2013-04-05"),
    ("2019-11-19T10:00:00+01:00", "2019-11-19T10:00:00+01:00"), ("2013-13-01", None),
    ("yesterday", None)])
def test_normalize_date(raw: str, iso: str | None) -> None:
    assert normalize_date(raw) == iso


def test_title_falls_back_to_first_heading_then_file_name() -> None:
    heading = {"t": "Header", "c": [2, ATTR, s("First heading")]}
    article = article_from_pandoc(doc([heading]), fallback_title="file-stem")
    assert article.title == "First heading" and "title-from-heading" in codes(article)
    article = article_from_pandoc(doc([{"t": "Para", "c": s("x")}]), fallback_title="file-stem")
    assert article.title == "file-stem" and "no-title" in codes(article)


def test_csl_references_become_references() -> None:
    ref = {"t": "MetaMap", "c": {
        "id": inl("doe99"), "title": inl("A book"),
        "author": {"t": "MetaList", "c": [{"t": "MetaMap", "c": {"family": inl("Doe")}}]},
        "issued": {"t": "MetaMap", "c": {"date-parts": {"t": "MetaList", "c": [
            {"t": "MetaList", "c": [{"t": "MetaString", "c": "1999"}]}]}}}}}
    article = article_from_pandoc(doc([], {"title": inl("T"),
                                           "references": {"t": "MetaList", "c": [ref]}}))
    assert article.references == [m.Reference([m.Text("Doe. (1999). A book.")], "doe99")]
    assert article.extra["references"][0]["id"] == "doe99"


def test_meta_value_plain_forms() -> None:
    assert meta_value({"t": "MetaList", "c": [inl("a b"), {"t": "MetaBool", "c": False}]}) == [
        "a b", False]


# --------------------------------------------------------------------------- media


def test_data_uri_images_become_media_resources() -> None:
    uri = "data:image/png;base64," + base64.b64encode(PNG).decode()
    image = {"t": "Image", "c": [ATTR, s("a dot"), [uri, ""]]}
    article = article_from_pandoc(doc([{"t": "Para", "c": [image]}], {"title": inl("T")}))
    (resource,) = article.media
    assert resource.path.startswith("media/") and resource.path.endswith(".png")
    assert resource.media_type == "image/png" and resource.size == len(PNG)
    assert resource.alt == "a dot"
    assert article.resources == {resource.path: PNG}
    assert article.body == [m.Paragraph([m.Image(resource.path, [m.Text("a dot")])])]


def test_media_files_are_named_by_content() -> None:
    first, second = media_file("image1.PNG", PNG), media_file("other", PNG)
    assert first.path == second.path and first.extension == "png"
    assert decode_data_uri("data:,hello%20there") is not None
    assert decode_data_uri("data:image/png;base64") is None


# --------------------------------------------------------------------------- model -> pandoc


def test_speech_is_a_div_with_a_bold_label_and_reads_back() -> None:
    speech = m.Speech("Q", [m.Paragraph([m.Text("Why?")])], "interviewer")
    article = m.Article(title="T", body=[speech])
    (div,) = pandoc_from_article(article)["blocks"]
    assert div["t"] == "Div" and div["c"][0] == ["", ["speech"], [["speaker", "Q"],
                                                                 ["role", "interviewer"]]]
    first = div["c"][1][0]
    assert first["c"][0] == {"t": "Strong", "c": [{"t": "Str", "c": "Q:"}]}
    assert article_from_pandoc(pandoc_from_article(article)).body == [speech]


def test_metadata_is_written() -> None:
    article = m.Article(
        title="T", subtitle="S", language="de", dates={"published": "2020-01-02"},
        contributors=[m.Contributor("Ann"), m.Contributor("Ed", kind="editor")],
        abstract=[m.Paragraph([m.Text("Abs")])], subjects={"keywords": ["k1"], "topics": ["t"]})
    meta = pandoc_from_article(article)["meta"]
    assert meta["title"] == {"t": "MetaInlines", "c": [{"t": "Str", "c": "T"}]}
    assert meta["lang"] == {"t": "MetaString", "c": "de"}
    assert [a["c"][0]["c"] for a in meta["author"]["c"]] == ["Ann"]
    assert meta["date"]["c"][0]["c"] == "2020-01-02"
    assert meta["abstract"]["t"] == "MetaBlocks"
    assert meta["keywords"]["c"][0]["c"][0]["c"] == "k1"
    assert meta["subject"]["c"][0]["c"][0]["c"] == "t"
    back = article_from_pandoc(pandoc_from_article(article))
    assert (back.title, back.subtitle, back.language, back.dates) == (
        "T", "S", "de", {"published": "2020-01-02"})
    assert back.subjects["keywords"] == ["k1"] and back.abstract == article.abstract


def test_sections_without_an_ast_node_follow_the_body() -> None:
    article = m.Article(
        title="T", body=[m.Paragraph([m.Citation(["r1"], [m.Text("[1]")])])],
        acknowledgements=[m.Paragraph([m.Text("Thanks")])],
        references=[m.Reference([m.Text("Doe 1999")], "r1", "1")], image_credits=["Photo: X"])
    blocks = pandoc_from_article(article)["blocks"]
    headers = [b["c"][2][0]["c"] for b in blocks if b["t"] == "Header"]
    assert headers == ["Acknowledgements", "References", "Image"]
    refs = next(b for b in blocks if b["t"] == "Div" and b["c"][0][0] == "refs")
    assert refs["c"][1][0]["c"][0][0] == "r1"


@pytest.mark.parametrize(("rows", "width"), [
    ([[1, 1, 1]], 3),
    ([[(1, 2), 1], [1]], 2),  # a cell spanning two rows leaves one free slot below it
    ([[(1, 1), (2, 1)], [1, 1]], 3),  # colspan 2 then a row of two
])
def test_table_width_counts_spans(rows: list[list[Any]], width: int) -> None:
    def cell(spec: Any) -> m.TableCell:
        colspan, rowspan = (spec, 1) if isinstance(spec, int) else spec
        return m.TableCell([], colspan, rowspan)

    table = m.Table(body=[m.TableRow([cell(c) for c in row]) for row in rows])
    assert table_width(table) == width


def _canonical(blocks: list[m.Block]) -> list[m.Block]:
    """Blocks as the AST carries them: all-default column specs are not kept."""
    out = []
    for block in blocks:
        if isinstance(block, m.Table) and all(c == m.ColumnSpec() for c in block.columns):
            block = dataclasses.replace(block, columns=[])
        out.append(block)
    return out


@settings(max_examples=60)
@given(body_blocks())
def test_model_to_ast_to_model_is_exact(body: list[m.Block]) -> None:
    article = m.Article(title="T", body=body)
    back = article_from_pandoc(pandoc_from_article(article, extra_sections=False))
    assert back.body == _canonical(body)
    assert back.discarded == []


@settings(max_examples=15)
@given(articles())
def test_round_trip_through_pandoc_itself(tmp_path_factory: pytest.TempPathFactory,
                                          article: m.Article) -> None:
    """pandoc reads our JSON and prints it back: nothing lost, nothing it has to repair."""
    payload = json.dumps(pandoc_from_article(article, extra_sections=False)).encode()
    result = run_pandoc(["--from", "json", "--to", "json"], payload, timeout=60,
                        workdir=tmp_path_factory.mktemp("pandoc"), error=WriterError,
                        action="round-trip")
    back = article_from_pandoc(json.loads(result.output))
    assert back.body == _canonical(article.body)
    assert back.title == article.title
    assert [c.name for c in back.contributors] == [
        c.name for c in article.contributors if c.kind == "author"]


@given(st.text(max_size=30))
def test_any_text_survives_the_tokens(text: str) -> None:
    article = m.Article(title="T", body=[m.Paragraph([m.Text(text)])])
    back = article_from_pandoc(pandoc_from_article(article))
    canonical = m.normalize_inlines([m.Text(text)])
    if canonical:
        assert back.body == [m.Paragraph(canonical)]
    else:  # an empty paragraph stays; one of blanks only is dropped
        assert back.body == ([] if text else [m.Paragraph([])])
