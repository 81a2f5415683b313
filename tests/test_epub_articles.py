"""Articles the EPUB tests render (no tests here): a seed-like interview and a hostile article.

``hostile_article()`` holds every block and inline type of the model, text with markup characters,
``]]>``, quotes, control characters and any Unicode, nested notes and links, links the EPUB cannot
carry, duplicate and odd ids, and images of every kind (embedded PNG and SVG, external, missing,
not an image). Built in Python because the canonical JSON cannot carry control characters or image
bytes.
"""

from __future__ import annotations

from pathlib import Path

from converter.model import (
    Article,
    BlockQuote,
    BulletList,
    Citation,
    Code,
    CodeBlock,
    ColumnSpec,
    Contributor,
    DefinitionItem,
    DefinitionList,
    Emphasis,
    Figure,
    Heading,
    HorizontalRule,
    Identifier,
    Image,
    Inline,
    LineBlock,
    LineBreak,
    Link,
    Math,
    MediaResource,
    Note,
    OrderedList,
    Paragraph,
    Quoted,
    Reference,
    Rights,
    SmallCaps,
    SourcePublication,
    Speech,
    Strikeout,
    Strong,
    Subscript,
    Superscript,
    Table,
    TableCell,
    TableRow,
    Text,
    Underline,
)

DATA = Path(__file__).resolve().parent / "data" / "epub"

#: a 1x1 PNG (the same bytes as tests/strategies.py uses)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a9d30000000049454e44ae426082")

#: markup-significant text every format must escape
NASTY = "a < b && c > d ]]> \"double\" 'single' <script>alert(1)</script> &amp; &#x41;"
#: text beyond ASCII: combining marks, astral plane, right-to-left, ligatures, NBSP
UNICODE = "Ωmega e\u0301 😀 𝔘 中文 ﬁ ضب \u00a0nbsp \u200b"
#: characters XML 1.0 forbids: the writer must replace them (and say so)
CONTROL = "bell\x07 null\x00 escape\x1b formfeed\x0c surrogate\ud800 fffe\ufffe"


def _p(*inlines: Inline | str) -> Paragraph:
    return Paragraph([Text(i) if isinstance(i, str) else i for i in inlines])


def seed_like_article() -> Article:
    """An interview like seed 000 (what the text reader makes of it), built from the model."""
    return Article(
        title="Global Insider: Envoy Exchange Part of Promising Shift in Serbia-Kosovo Relations",
        language="en",
        contributors=[Contributor("Stefan Lehne", given_names="Stefan", surname="Lehne",
                                  role="Balkans and European Union expert at Carnegie Europe")],
        source_publication=SourcePublication("World Politics Review",
                                             relation="originally appeared in"),
        dates={"published": "2013-04-01"},
        subjects={"topics": ["Foreign Policy", "EU"], "regions": ["Europe"]},
        abstract=[_p("Serbia and Kosovo agreed last month to exchange envoys for the first time.")],
        image_credits=["Source: Getty"],
        body=[
            Speech("WPR", [_p("What were the factors that drove Serbia and Kosovo to exchange "
                              "envoys for the first time?")], "interviewer"),
            Speech("Stefan Lehne", [_p("Whatever their differences on the status issue, Serbia "
                                       "and Kosovo will always be neighbors."),
                                    _p("Exchanging liaison officers will facilitate direct "
                                       "communication.")], "interviewee"),
            Speech("WPR", [_p("From the EU’s perspective, do Serbia’s moves signal a viable path "
                              "toward normalization?")], "interviewer"),
            Speech("Stefan Lehne", [_p("When the new nationalist leaders of Serbia came to "
                                       "power, there was a good deal of skepticism.")],
                   "interviewee"),
        ],
    )


def hostile_article() -> Article:
    """Every node type, hostile text and every awkward case the writer must survive."""
    svg = (DATA / "dot.svg").read_bytes()
    tif = (DATA / "not-an-image.tif").read_bytes()
    note = Note([_p("A note with ", Emphasis([Text(NASTY)]), " and a nested note",
                    Note([_p("The nested note.")]))])
    cell = TableCell([_p("cell ", Strong([Text("<b>")])), BulletList([[_p("in a cell")]])])
    table = Table(
        head=[TableRow([TableCell([_p("Head A")], align="left"), TableCell([_p("Head B")])])],
        body=[TableRow([cell, TableCell([_p("spans two rows")], rowspan=2, align="right")]),
              TableRow([TableCell([_p("c3")])]),
              TableRow([TableCell([_p("spans two columns")], colspan=2, align="center")])],
        foot=[TableRow([TableCell([_p("foot")], colspan=2)])],
        columns=[ColumnSpec("left", 0.4), ColumnSpec(None, 0.6)],
        caption=[_p("Table caption with a note", Note([_p("Note in a caption.")]))],
        id="table 1",
    )
    headless = Table(body=[TableRow([TableCell([_p("no header row")]), TableCell([])])])
    table_in_caption = Table(body=[TableRow([TableCell([_p("outer")])])],
                             caption=[_p("A caption holding a table:"), headless])
    return Article(
        title=f"Hostile {NASTY} {UNICODE} {CONTROL}",
        subtitle=f"Subtitle {NASTY}",
        language="de-CH",
        article_type="research-article",
        abstract=[_p("Abstract ", Strong([Text(NASTY)]))],
        contributors=[
            Contributor("Ada <Lovelace> & Co", given_names="Ada", surname="Lovelace",
                        role="Analyst & <poet>", affiliations=["Analytical Engine Society"],
                        email="ada@example.org", orcid="0000-0002-1825-0097",
                        bio=[_p("Bio with ", Link("https://example.org/ada", [Text("a link")]))]),
            Contributor("Charles Babbage", kind="author"),
            Contributor("   ", kind="author"),
            Contributor("Q. Interviewer", kind="interviewer"),
            Contributor("T. Ranslator", kind="translator"),
            Contributor("Some One", kind="typesetter"),
        ],
        source_publication=SourcePublication(f"Source {NASTY}", "https://example.org/source/",
                                             "republished from", "2020-02-29"),
        dates={"published": "2021-03-04T05:06:07", "received": "2020-12", "accepted": "2021"},
        identifiers=[Identifier("doi", "10.1000/xyz123"), Identifier("url",
                                                                     "https://example.org/a?b=1")],
        subjects={"keywords": [NASTY, UNICODE, "   "], "topics": ["Topic"]},
        rights=Rights(statement=f"Statement {NASTY}", holder="Holder & Sons", year="2021",
                      license_url="https://creativecommons.org/licenses/by/4.0/",
                      disclaimer=f"Disclaimer {NASTY}"),
        notes=[_p("Article note ", Code(NASTY))],
        image_credits=[f"Credit {NASTY}"],
        body=[
            Heading(1, [Text("Intro "), Emphasis([Text(NASTY)])], id="intro"),
            _p("Every inline: ", Emphasis([Text("em")]), " ", Strong([Text("strong")]), " ",
               Superscript([Text("sup")]), " ", Subscript([Text("sub")]), " ",
               SmallCaps([Text("small caps")]), " ", Strikeout([Text("struck")]), " ",
               Underline([Text("under")]), " ", Code("x < y && z"), " ",
               Link("https://example.org/a b?q=ä&r=%zz#frag#more", [Text("link")], "A title"),
               LineBreak(), Quoted("double", [Text("double")]), " ",
               Quoted("single", [Text("single")]), note, " ",
               Image("media/dot.png", [Text("A red dot")], "Dot title"), " ",
               Math("e^{i\\pi} + 1 = 0"), " ", Math("\\int_0^1 x\\,dx", display=True), " ",
               Citation(["ref1"], [Text("(Ref 2001)")]), " ",
               Citation(["missing"], []), " ", Citation(["ref2", "ref1"], [Text("[2]")])),
            _p(f"{NASTY} {UNICODE} {CONTROL}"),
            Heading(2, [Text("Links")], id="intro"),  # a duplicate id
            _p("Links: ",
               Link("javascript:alert(1)", [Text("script")]), " ",
               Link("file:///etc/passwd", [Text("file")]), " ",
               Link("http://", [Text("empty host")]), " ",
               Link("http://exa mple.com/", [Text("space in host")]), " ",
               Link("https://[::1", [Text("broken IPv6")]), " ",
               Link("https://example.org:99999/", [Text("bad port")]), " ",
               Link("mailto:", [Text("empty mailto")]), " ",
               Link("mailto:someone@example.org?subject=hi there", [Text("mail")]), " ",
               Link("relative/page.html", [Text("relative")]), " ",
               Link("#intro", [Text("to the intro")]), " ",
               Link("#table 1", [Text("to the table")]), " ",
               Link("#nowhere", [Text("dangling")]), " ",
               Link("", []), " ",
               Link("https://example.org/outer", [
                   Text("outer "), Link("https://example.org/inner", [Text("inner")]),
                   Note([_p("Note inside a link.")]),
                   Citation(["ref1"], [Text("cited in a link")]),
                   Image("https://example.org/remote.png", [Text("remote in link")])])),
            Heading(3, [], id="42 odd id!"),
            Heading(6, [Text("Deep "), Note([_p("Note in a heading.")])]),
            BulletList([[_p("one")], [_p("two"), BulletList([[_p("nested")]])], []]),
            BulletList([]),
            OrderedList([[_p("first")], [_p("second")]], start=0, style="lower-roman"),
            OrderedList([[_p("minus")]], start=-3, style="upper-alpha"),
            DefinitionList([DefinitionItem([Text("term")], [[_p("definition")], [_p("two")]]),
                            DefinitionItem([Text("term without definition")], [])]),
            BlockQuote([_p("Quoted ", Text(NASTY)), BlockQuote([_p("nested quote")])]),
            CodeBlock(f"def f():\n    return '{NASTY}'\n{CONTROL}", "python <3>"),
            CodeBlock("plain"),
            HorizontalRule(),
            LineBlock([[Text("line one")], [], [Text("line "), Emphasis([Text("three")])]]),
            table,
            headless,
            table_in_caption,
            Figure([_p(Image("media/dot.svg", [], None))], [_p("Figure caption ", Text(NASTY))],
                   id="fig"),
            Figure([_p(Image("media/missing.png", [Text("missing bytes")]))], []),
            _p(Image("media/tif", [Text("a TIFF")]), Image("media/lying.png", [Text("JPEG?")]),
               Image("nowhere.png", [])),
            Speech("Interviewer <Q>", [_p("A question?")], "interviewer"),
            Speech("Guest & Co", [_p("An answer."), _p("More.")], "interviewee"),
            Speech("Interviewer <Q>", [_p("Second question, role not repeated?")],
                   "interviewer"),
            Speech("Silent", []),
            Speech("Lister", [BulletList([[_p("starts with a list")]])], "guest"),
        ],
        acknowledgements=[_p("Thanks ", Text(NASTY))],
        references=[
            Reference([Text("Ref one "), Emphasis([Text(NASTY)])], id="ref1", label="1"),
            Reference([Text("Ref two")], id="ref2"),
            Reference([Text("Ref three, duplicate id")], id="ref1"),
            Reference([Text("Ref four, no id")]),
        ],
        media=[MediaResource("media/dot.png", "image/png", alt="unused"),
               MediaResource("media/dot.svg", "image/svg+xml", alt="A blue dot"),
               MediaResource("media/missing.png", "image/png"),
               MediaResource("media/tif", "image/tiff"),
               MediaResource("media/lying.png", "image/jpeg")],
        resources={"media/dot.png": PNG, "media/dot.svg": svg, "media/tif": tif,
                   "media/lying.png": PNG},
    )
