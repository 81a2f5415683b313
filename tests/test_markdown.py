"""Markdown writer and reader: golden output, escaping, round trips, pandoc and CommonMark.

The writer's output is checked by real parsers: pandoc (``-f markdown``, as anyone would run it,
plus ``-f gfm``), markdown-it-py (a CommonMark-compliant renderer) and our own reader (pandoc with
the reading options of :mod:`converter.readers.markdown`). Regenerate the golden file with
``UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from strategies import articles, phrase

from converter import model as m
from converter.errors import InputError
from converter.options import ReadOptions, WriteOptions
from converter.pandoc.run import pandoc_path
from converter.pipeline import parse, parse_bytes, render
from converter.readers.markdown import MarkdownReader
from converter.writers.markdown.front_matter import yaml_lines

DATA = Path(__file__).resolve().parent / "data" / "markdown"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
SEEDS = ("000_9e481615abfa1823.txt", "001_9b75ff939e830440.txt")
#: pandoc's own Markdown documents and tests in the shared corpus (``.txt`` ones read as Markdown)
CORPUS_MARKDOWN = ("epub.md", "getting-started.md", "jats.md", "markdown-citations.txt",
                   "markdown-reader-more.txt", "testsuite.txt", "twenty-years-of-pandoc.md")
COMMONMARK = MarkdownIt("commonmark")


# --------------------------------------------------------------------------- helpers


def render_md(article: m.Article, options: WriteOptions) -> bytes:
    return render(article, "markdown", options)


def write(article: m.Article) -> str:
    data = render_md(article, WriteOptions())
    return data.decode("utf-8")


def read(text: str, file_name: str | None = None) -> m.Article:
    return MarkdownReader().read(text.encode("utf-8"), ReadOptions(file_name=file_name))


def comparable(article: m.Article) -> dict[str, Any]:
    """The canonical JSON form, provenance aside (it describes the file read, not the article)."""
    data = article.to_dict()
    data.pop("provenance", None)
    return data


def assert_round_trip(article: m.Article) -> str:
    """Write, read back, compare; also check that writing again gives the same Markdown."""
    text = write(article)
    back = read(text)
    assert comparable(back) == comparable(article)
    assert not [d for d in (back.provenance.diagnostics if back.provenance else [])
                if d.code == "pandoc"], "pandoc warned while reading our Markdown"
    back.provenance = article.provenance
    assert write(back) == text  # the writer's output is a fixed point
    return text


def pandoc_json(text: str, fmt: str = "markdown") -> dict[str, Any]:
    """Pandoc's AST of ``text``, asserting pandoc printed no warning."""
    done = subprocess.run([pandoc_path(), "--sandbox", "-f", fmt, "-t", "json"],
                          input=text.encode("utf-8"), capture_output=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr.decode() == "", f"pandoc warned: {done.stderr.decode()}"
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def stringify(node: Any) -> str:
    """The text of a pandoc AST fragment, notes left out."""
    if isinstance(node, list):
        return "".join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind, content = node.get("t"), node.get("c", [])
    if kind == "Str":
        return str(content)
    if kind in ("Space", "SoftBreak"):
        return " "
    if kind == "LineBreak":
        return "\n"
    if kind in ("Code", "Math"):
        return str(content[1])
    if kind == "Quoted":
        mark = '"' if content[0]["t"] == "DoubleQuote" else "'"
        return mark + stringify(content[1]) + mark
    if kind in ("Link", "Image", "Span", "Cite"):
        return stringify(content[1])
    if kind in ("Note", "RawInline", "RawBlock"):
        return ""
    if kind in ("MetaInlines", "MetaBlocks", "Para", "Plain"):
        return stringify(content)
    if kind == "Header":
        return stringify(content[2])
    return stringify(content) if isinstance(content, list) else ""


class _TextOf(HTMLParser):
    """The text content of each top-level element of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.texts: list[str] = []

        self.after_break = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if self.depth == 0:
            self.texts.append("")
        self.depth += 1

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        if tag == "br":  # a hard line break; the renderer puts a newline after the tag
            self.texts[-1] += "\n"
            self.after_break = True

    def handle_endtag(self, tag: str) -> None:
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.after_break:
            data, self.after_break = data.removeprefix("\n"), False
        if self.depth and data:
            self.texts[-1] += data


def note_texts(node: Any) -> list[str]:
    """The text of every note in a pandoc AST fragment."""
    if isinstance(node, list):
        return [t for n in node for t in note_texts(n)]
    if not isinstance(node, dict):
        return []
    if node.get("t") == "Note":
        return [stringify(node["c"]), *note_texts(node["c"])]
    return note_texts(node.get("c"))


def commonmark_texts(text: str) -> list[str]:
    """What a CommonMark renderer shows for the body: the text of each top-level block."""
    body = text.split("\n---\n", 1)[1]
    parser = _TextOf()
    parser.feed(COMMONMARK.render(body))
    return parser.texts


def article_of(*blocks: m.Block, title: str = "Title") -> m.Article:
    return m.Article(title=title, body=list(blocks))


def para(text: str) -> m.Paragraph:
    return m.Paragraph(m.normalize_inlines([m.Text(text)]))


def walk(node: Any) -> list[Any]:
    """Every model node under ``node``, depth first."""
    found = []
    if isinstance(node, list):
        for item in node:
            found += walk(item)
    elif hasattr(node, "__dataclass_fields__"):
        found.append(node)
        for name in node.__dataclass_fields__:
            if name != "resources":
                found += walk(getattr(node, name))
    return found


# --------------------------------------------------------------------------- golden file


def small_article() -> m.Article:
    """A small interview that uses the constructs people meet most, and some they rarely do."""
    t, p = m.Text, para
    return m.Article(
        title="Kosovo & Serbia: *not* a 'done deal'",
        subtitle="An interview",
        language="en",
        article_type="interview",
        contributors=[m.Contributor(name="Ana Ruiz", role="Fellow",
                                    affiliations=["Example Institute"],
                                    bio=[p("Ana Ruiz writes about the Balkans.")]),
                      m.Contributor(name="Desk", kind="interviewer")],
        dates={"published": "2013-04-05"},
        subjects={"topics": ["EU", "Balkans"], "keywords": ["envoys"]},
        abstract=[p("Why the envoys matter.")],
        body=[
            m.Speech("WPR", [p("What changed in 2013?")], "interviewer"),
            m.Speech("Ana Ruiz", [
                m.Paragraph([t("Much: "), m.Emphasis([t("envoys")]), t(", "),
                             m.Strong([t("customs")]), t(" and "),
                             m.Link("https://example.org/a_(b)?x=1&y=2", [t("talks")]),
                             m.Note([p("Mediated by the EU.")]), t(".")]),
                m.BulletList([[p("energy")], [p("telecoms")]]),
            ], "interviewee"),
            m.Heading(2, [t("Numbers #1")], id="numbers"),
            m.Paragraph([t("H"), m.Subscript([t("2")]), t("O, E = "),
                         m.Math("mc^2"), t(", "), m.SmallCaps([t("Nato")]), t(", "),
                         m.Quoted("double", [t("soon")]), t(", "), m.Code("x < y"), t(".")]),
            m.OrderedList([[p("3. is not a marker here")], [p("second")]], start=3),
            m.Table(body=[m.TableRow([m.TableCell([p("spans")], colspan=2)]),
                          m.TableRow([m.TableCell([p("a")], align="right"),
                                      m.TableCell([p("b"), m.BulletList([[p("c")]])])])],
                    caption=[p("A table without a header row.")], id="t1"),
            m.CodeBlock("print('*not emphasis*')", "python"),
            m.LineBlock([[t("line one")], [t("| line two")]]),
            m.HorizontalRule(),
            p("1986. A year; # not a heading; <b>not HTML</b>; \\ and ` stay."),
        ],
        references=[m.Reference([t("Lehne, S. (2013). "), m.Emphasis([t("Envoys")])],
                                id="lehne2013", label="1")],
        extra={"legacy": {"yes": "no", "list": [1, None, True]}},
    )


def test_small_article_matches_golden_markdown() -> None:
    path = DATA / "small.md"
    actual = write(small_article())
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"golden file {path} missing: run UPDATE_GOLDEN=1")
    assert actual == path.read_text(encoding="utf-8"), "regenerate with UPDATE_GOLDEN=1, review"


def test_golden_markdown_reads_back_to_the_article() -> None:
    golden = (DATA / "small.md").read_text(encoding="utf-8")
    assert comparable(read(golden)) == comparable(small_article())


def test_output_is_readable_plain_text() -> None:
    text = write(small_article())
    assert text.startswith("---\ntitle: ") and text.endswith("\n") and not text.endswith("\n\n")
    assert "**WPR:** What changed in 2013?" in text  # interview turns read like an interview
    assert "**Ana Ruiz:** Much: *envoys*, **customs** and [talks]" in text
    assert "- energy\n- telecoms" in text
    assert "3. 3\\. is not a marker here\n4. second" in text
    assert "1986\\. A year; # not a heading; \\<b>not HTML\\</b>; \\\\ and \\` stay." in text
    assert "[^1]: Mediated by the EU." in text
    front = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
    assert list(front)[:7] == ["title", "subtitle", "author", "date", "lang", "abstract",
                               "keywords"]  # pandoc's keys first
    assert front["author"] == ["Ana Ruiz"] and front["lang"] == "en"
    assert front["extra"] == {"legacy": {"yes": "no", "list": [1, None, True]}}


def test_writer_is_deterministic_and_never_calls_pandoc(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the Markdown writer started a process")

    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    first = render_md(small_article(), WriteOptions())
    assert first == render_md(small_article(), WriteOptions())
    first.decode("utf-8")


# --------------------------------------------------------------------------- pandoc reads it


def test_pandoc_reads_golden_without_warnings_and_keeps_metadata_and_text() -> None:
    article = small_article()
    document = pandoc_json(write(article))
    meta = document["meta"]
    assert stringify(meta["title"]) == article.title
    assert stringify(meta["subtitle"]) == article.subtitle
    assert [stringify(a) for a in meta["author"]["c"]] == ["Ana Ruiz"]
    assert stringify(meta["date"]) == "2013-04-05"
    assert stringify(meta["lang"]) == "en"
    assert stringify(meta["abstract"]) == "Why the envoys matter."
    assert [stringify(k) for k in meta["keywords"]["c"]] == ["envoys"]
    blocks = document["blocks"]
    text = (stringify(blocks) + "\n".join(note_texts(blocks))).replace("\u00a0", " ")
    for node in walk(article.body):
        if isinstance(node, m.Paragraph):
            assert m.inline_text(node.content) in text


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_round_trips_and_pandoc_reads_it(seed: str, seeds_dir: Path) -> None:
    article = parse(seeds_dir / seed)
    text = assert_round_trip(article)
    document = pandoc_json(text)
    assert stringify(document["meta"]["title"]) == article.title
    authors = [c.name for c in article.contributors if c.kind == "author"]
    assert [stringify(a) for a in document["meta"].get("author", {"c": []})["c"]] == authors
    body = stringify(document["blocks"]).replace("\u00a0", " ")
    speeches = [b for b in article.body if isinstance(b, m.Speech)]
    assert speeches, "the seeds are interviews"
    for speech in speeches:
        assert f"{speech.speaker}: " + m.block_text(speech.blocks).split("\n")[0] in body


@pytest.fixture(scope="session")
def seeds_dir(shared: Path) -> Path:
    return shared / "seeds"


# --------------------------------------------------------------------------- escaping

#: text that either syntax could read as markup, each of which must come out literally
HOSTILE = [
    "<b>bold</b> <i>x</i> <!-- comment --> <http://auto.link> <a@b.org>",
    "AT&T &amp; &#65; &copy; &#x42; & alone",
    "*stars* **strong** ***both*** * spaced *",
    "_under_ __strong__ snake_case _lead trail_",
    "# not a heading", "###### nor this", "a # b ## c",
    "`code` ``two`` ```three```", "```", "~~~",
    "[link](http://x.y) [ref] [^1] [@key] ![img](x.png) [x]{.smallcaps}",
    "a | b | c", "| pipe start |", "|---|---|",
    "> not a quote", ">", "- not a list", "+ nor this", "* nor this", "-", "---", "***", "___",
    "1. one", "2) two", "1986. A year", "a. alpha", "A. Alpha", "iv. roman", "(a) paren",
    "(1) paren", "#. hash", "(@) example", "@example",
    "back\\slash \\* \\n \\\\ trailing\\", "\\", "\\[x\\]",
    "~~strike~~ ~sub~ H~2~O ^sup^ 2^10^",
    "$math$ $$display$$ $5 and $10",
    "'single' \"double\" don't rock 'n' roll",
    "en -- em --- dots ... four ....",
    "{.class} {#id} {=html}",
    "=== setext", "==", ": definition", "::: div", ":::: {.x}",
    "% title block", "<div>block</div>", "</p>",
    "Mr. Smith vs. Dr. No, e.g. this",
    "trailing two spaces  ", "mid  double", "tab\there",
    "emoji :smile: and www.example.org and https://example.org",
    "“curly” ‘single’ «guillemets» — em – en … ellipsis",
    "中文 😀 e\u0301 ﬁ ض\u00a0nbsp",
]


@pytest.fixture(scope="module")
def hostile_markdown() -> tuple[str, dict[str, Any]]:
    """One document holding every hostile string in a paragraph, after a line break, in a
    heading and as the title of an otherwise empty article (one pandoc call for all)."""
    blocks: list[m.Block] = []
    for text in HOSTILE:
        blocks.append(para(text))
        blocks.append(m.Paragraph(m.normalize_inlines([m.Text("x"), m.LineBreak(),
                                                       m.Text(text)])))
        blocks.append(m.Heading(2, m.normalize_inlines([m.Text(text)])))
    text = write(article_of(*blocks, title="|".join(HOSTILE)))
    return text, pandoc_json(text)


def expected_texts() -> list[str]:
    out = []
    for text in HOSTILE:
        norm = m.inline_text(m.normalize_inlines([m.Text(text)]))
        out += [norm, "x\n" + norm, norm]
    return out


def test_pandoc_reads_every_hostile_string_literally(
        hostile_markdown: tuple[str, dict[str, Any]]) -> None:
    _text, document = hostile_markdown
    got = [stringify(b).replace("\u00a0", " ") for b in document["blocks"]]
    want = [t.replace("\u00a0", " ") for t in expected_texts()]
    assert got == want  # pandoc's abbreviations glue "Mr." with a no-break space: ignored here
    assert stringify(document["meta"]["title"]).replace("\u00a0", " ") == "|".join(
        HOSTILE).replace("\u00a0", " ")


def test_commonmark_renders_every_hostile_string_literally(
        hostile_markdown: tuple[str, dict[str, Any]]) -> None:
    text, _document = hostile_markdown
    assert commonmark_texts(text) == expected_texts()


def test_gfm_reads_every_hostile_string_literally(
        hostile_markdown: tuple[str, dict[str, Any]]) -> None:
    text, _document = hostile_markdown
    body = text.split("\n---\n", 1)[1]
    document = pandoc_json(body, "gfm")  # pandoc's CommonMark readers compose characters (NFC)
    assert [stringify(b) for b in document["blocks"]] == [
        unicodedata.normalize("NFC", t) for t in expected_texts()]


def test_every_hostile_string_round_trips(hostile_markdown: tuple[str, dict[str, Any]]) -> None:
    text, _document = hostile_markdown
    back = read(text)
    assert back.title == "|".join(HOSTILE)
    assert [m.inline_text(b.content) for b in back.body  # type: ignore[attr-defined]
            ] == expected_texts()


@settings(max_examples=40)
@given(st.lists(phrase, min_size=1, max_size=25))
def test_random_hostile_phrases_render_literally_everywhere(phrases: list[str]) -> None:
    text = write(article_of(*(para(p) for p in phrases)))
    want = [m.inline_text(m.normalize_inlines([m.Text(p)])) for p in phrases]
    assert commonmark_texts(text) == want
    document = pandoc_json(text)
    assert [stringify(b).replace("\u00a0", " ") for b in document["blocks"]] == [
        w.replace("\u00a0", " ") for w in want]
    assert [m.inline_text(b.content) for b in read(text).body] == want  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- round trips


@settings(max_examples=250)
@given(articles())
def test_every_generated_article_round_trips(article: m.Article) -> None:
    """article -> Markdown -> article is lossless; writing again gives the same bytes."""
    assert_round_trip(article)


@settings(max_examples=40)
@given(articles())
def test_pandoc_reads_generated_articles_without_warnings(article: m.Article) -> None:
    document = pandoc_json(write(article))
    assert stringify(document["meta"]["title"]).replace("\u00a0", " ") == article.title.replace(
        "\u00a0", " ")


def test_nodes_without_a_pandoc_markdown_form_still_round_trip() -> None:
    t = m.Text
    article = article_of(
        m.OrderedList([[para("five")], [para("six")]], start=5, style="lower-roman"),
        m.OrderedList([[para("i")]], start=9, style="lower-alpha"),
        m.OrderedList([[para("minus")]], start=-2),
        m.Paragraph([m.Emphasis([m.Emphasis([t("nested")]), t(" emphasis")]),
                     m.Strong([]), t(" "), m.Superscript([t("a b")]),
                     m.Quoted("double", [t("a "), m.Quoted("double", [t("b")])]),
                     m.Code(" padded "), m.Math("x\\"), m.Math("1"), t("2")]),
        m.Table(body=[m.TableRow([m.TableCell([])])], columns=[m.ColumnSpec("left", 0.25)]),
        m.Paragraph([]),
        m.CodeBlock("", "c++"), m.CodeBlock("\n", "Weird Lang"),
        m.Figure([para("content")], [], id="f.1"),
        m.Speech("Q & A \"desk\"", [m.BulletList([[para("first block is a list")]])]),
        m.Heading(3, [], id="only id"),
    )
    text = assert_round_trip(article)
    assert "::: {.ordered-list start=\"5\" style=\"lower-roman\"}" in text
    assert "*<em>nested</em> emphasis*<strong></strong>" in text
    assert "<code>&#32;padded&#32;</code>" in text


def test_item_p_of_a_lettered_list_is_no_page_reference() -> None:
    """pandoc reads ``p. 5`` as a page reference, not a list item, so the sixteenth letter takes
    two spaces (found by test_every_generated_article_round_trips: ``n. 0``, ``o. 0``, ``p. 0``)."""
    article = article_of(m.OrderedList([[para("0")], [para("0")], [para("5 pages")]], start=14,
                                       style="lower-alpha"))
    assert "\np.  5 pages\n" in assert_round_trip(article)


def test_unrenderable_nodes_are_reported_not_dropped_silently() -> None:
    article = article_of(m.LineBlock([]), m.Paragraph([m.Note([m.Paragraph([
        m.Text("outer"), m.Note([para("inner")])])])]), m.CodeBlock("a\r\nb"))
    write(article)
    codes = [d.code for d in article.provenance.diagnostics] if article.provenance else []
    assert codes == ["markdown-line_block", "markdown-note-in-note", "markdown-code_block"]


def test_table_is_an_html_table_that_commonmark_renders() -> None:
    table = m.Table(head=[m.TableRow([m.TableCell([para("h")], colspan=2, align="center")])],
                    body=[m.TableRow([m.TableCell([para("*a*")]), m.TableCell([
                        m.Paragraph([m.Emphasis([m.Text("b")])])])])],
                    foot=[m.TableRow([m.TableCell([para("f")], rowspan=1, colspan=2)])])
    text = assert_round_trip(article_of(table))
    html = COMMONMARK.render(text.split("\n---\n", 1)[1])
    assert '<th colspan="2" style="text-align: center">' in html
    assert "<em>b</em>" in html and "*a*" in html and "<tfoot>" in html


# --------------------------------------------------------------------------- YAML


YAML_SCALARS = ["yes", "No", "null", "~", "true", "1e5", "0x1F", "1_000", "2013-04-05", "12:30",
                "- x", "a: b", "a:", "# c", "a #c", "", " lead", "trail ", "multi\nline\n",
                "\nleading newline", "ends\n\n", "\u2028sep", "\x85nel", "tab\there", "'q'",
                '"dq"', "@x", "`x`", "!tag", "&anchor", "*alias", "%", "|", ">", "{a}", "[a]",
                "=", "<<", ".inf", "-.5", "+1", "\ufeffbom", "\x7fdel", "😀", "\\"]


def test_front_matter_yaml_reads_back_exactly_in_pyyaml_and_pandoc() -> None:
    data: dict[str, Any] = {"values": YAML_SCALARS, "keys": {s: s for s in YAML_SCALARS if s},
                            "numbers": [0, -1, 2.5, 1e-05, 1e16, True, False, None],
                            "nested": [{"a": [], "b": {}}, [[1]], {"c": {"d": [{"e": "f"}]}}]}
    text = "\n".join(yaml_lines(data)) + "\n"
    assert yaml.safe_load(text) == data
    document = pandoc_json("---\n" + text + "---\n\nbody\n")  # pandoc's YAML parser accepts it
    assert len(document["meta"]["values"]["c"]) == len(YAML_SCALARS)


# --------------------------------------------------------------------------- ordinary Markdown


def test_reads_ordinary_markdown_with_front_matter() -> None:
    article = parse(DATA / "ordinary.md")
    assert article.title == 'Notes on "Envoys"'
    assert [c.name for c in article.contributors] == ["Ana Ruiz", "Ben Okafor"]
    assert article.contributors[1].affiliations == ["Example Institute"]
    assert article.dates == {"published": "2013-04-05"}
    assert article.language == "en-GB"
    assert article.subjects == {"keywords": ["balkans", "diplomacy"]}
    assert article.extra == {"tags": ["draft"], "layout": "post", "draft": False}
    assert [b.type for b in article.body] == [
        "heading", "paragraph", "bullet_list", "table", "blockquote", "code_block", "paragraph",
        "paragraph", "ordered_list", "heading", "paragraph"]
    first = article.body[1]
    assert isinstance(first, m.Paragraph)
    kinds = [n.type for n in first.content]
    assert kinds == ["text", "emphasis", "text", "strong", "text", "link", "text", "superscript",
                     "text", "line_break", "text", "note", "text"]
    table = article.body[3]
    assert isinstance(table, m.Table)
    assert [m.block_text(c.blocks) for c in table.head[0].cells] == ["Country", "Envoy"]
    assert [c.align for c in table.columns] == ["left", "right"]
    code = article.body[5]
    assert isinstance(code, m.CodeBlock) and code.language == "python"
    assert code.text == "def envoy():\n    return 'exchanged'"
    image = article.body[6]
    assert isinstance(image, m.Paragraph) and isinstance(image.content[0], m.Image)
    assert [d.reason for d in article.discarded] == ["raw HTML", "raw HTML", "HTML comment"]
    assert comparable(read(write(article))) == comparable(article)


def test_reads_a_readme_without_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    path.write_text("# My Project\n\nIt *converts* things.\n\n## Usage\n\nRun it.\n")
    article = parse(path)
    assert article.title == "My Project"
    assert [b.type for b in article.body] == ["paragraph", "heading", "paragraph"]
    untitled = parse_bytes(b"Just *text*.\n", ReadOptions(file_name="notes.md"))
    assert untitled.title == "notes"
    assert untitled.provenance is not None
    assert [d.code for d in untitled.provenance.diagnostics] == ["title-fallback",
                                                                 "language-undetermined"]


def test_reads_hand_written_html_tables() -> None:
    article = read("---\ntitle: T\n---\n\n<table>\n<tr><th>Name</th><th>Value</th></tr>\n"
                   "<tr><td>a <b>bold</b> &amp; c</td><td align=\"right\">1</td></tr>\n"
                   "</table>\n\nafter\n")
    table, after = article.body
    assert isinstance(table, m.Table) and isinstance(after, m.Paragraph)
    assert [m.block_text(c.blocks) for c in table.head[0].cells] == ["Name", "Value"]
    first = table.body[0].cells[0].blocks[0]
    assert isinstance(first, m.Paragraph)
    assert [n.type for n in first.content] == ["text", "strong", "text"]
    assert m.inline_text(first.content) == "a bold & c"
    assert table.body[0].cells[1].align == "right"
    assert article.discarded == []


def test_front_matter_fields_the_model_lacks_go_to_extra() -> None:
    article = read("---\ntitle: T\ncontributors:\n  - name: A\n    twitter: \"@a\"\n"
                   "rights:\n  holder: H\n  licence: CC\ndiscarded:\n  - text: old\n"
                   "    reason: r\n---\n\nx <kbd>y</kbd>\n")
    assert article.extra == {"contributors[0].twitter": "@a", "rights.licence": "CC"}
    assert [c.name for c in article.contributors] == ["A"]
    assert article.rights == m.Rights(holder="H")
    assert [d.text for d in article.discarded] == ["old", "<kbd>", "</kbd>"]
    assert article.provenance is not None
    assert [d.code for d in article.provenance.diagnostics] == ["unknown-field", "unknown-field"]


@pytest.mark.parametrize("name", CORPUS_MARKDOWN)
def test_pandoc_documents_read_and_rewrite_to_a_fixed_point(name: str, corpus: Path) -> None:
    """Real Markdown from pandoc's repository: a valid article that survives our round trip."""
    article = parse(corpus / "pandoc-tests" / name, ReadOptions(format="markdown"))
    assert article.title and article.body
    assert comparable(read(write(article))) == comparable(article)


def test_pandoc_testsuite_structures_are_mapped(corpus: Path) -> None:
    article = parse(corpus / "pandoc-tests" / "testsuite.txt", ReadOptions(format="markdown"))
    assert article.title == "Pandoc Test Suite"
    assert [c.name for c in article.contributors] == ["John MacFarlane", "Anonymous"]
    assert article.dates == {} and article.extra == {"date": "July 17, 2006"}
    found = {getattr(n, "type", None) for n in walk(article.body)}
    assert found >= {"heading", "blockquote", "code_block", "bullet_list", "ordered_list",
                     "definition_list", "horizontal_rule", "emphasis", "strong", "strikeout",
                     "superscript", "subscript", "quoted", "math", "link", "image", "note",
                     "line_break", "code", "table"}
    styles = {n.style for n in walk(article.body) if isinstance(n, m.OrderedList)}
    assert styles >= {"decimal", "upper-alpha", "lower-roman", "upper-roman"}


def test_pandoc_warnings_become_diagnostics(corpus: Path) -> None:
    article = parse(corpus / "pandoc-tests" / "markdown-reader-more.txt",
                    ReadOptions(format="markdown"))
    assert article.provenance is not None
    assert any(d.code == "pandoc" and "Duplicate identifier" in d.message
               for d in article.provenance.diagnostics)


# --------------------------------------------------------------------------- detection, errors


def test_sniff_claims_markdown_and_not_text_or_json(seeds_dir: Path) -> None:
    reader = MarkdownReader()
    assert reader.sniff(b"---\ntitle: x\n---\n\nbody\n", None)
    assert reader.sniff(b"Intro\n\n## Section\n\ntext\n", None)
    assert reader.sniff(b"See [the docs](https://example.org).\n", None)
    assert not reader.sniff((seeds_dir / SEEDS[0]).read_bytes(), None)
    assert not reader.sniff(b'{"schema_version": "1.0", "title": "x"}', None)
    assert parse_bytes(write(small_article()).encode()).provenance.reader == (  # type: ignore
        "markdown")


@pytest.mark.parametrize(("data", "message"), [
    (b"---\ntitle: [unclosed\n---\n\nbody\n", "front matter: not valid YAML (line 3)"),
    (b"---\na: &x 1\nb: *x\n---\n\nbody\n", "front matter: YAML anchors and aliases are not"),
    (b"---\n- a list\n---\n\nbody\n", "not a YAML mapping"),
    (b"---\ntitle: x\ncontributors:\n  - role: no name\n---\n", "contributors[0]"),
    (b"---\ntitle: x\ndates: [2013]\n---\n", "front matter dates does not fit the model"),
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\nxxxx", "binary"),
])
def test_bad_input_gives_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        MarkdownReader().read(data, ReadOptions())


def test_pandoc_time_limit_is_an_input_error() -> None:
    with pytest.raises(InputError, match="time limit"):
        MarkdownReader().read(b"# x\n" * 20000, ReadOptions(pandoc_timeout=0.001))
