"""One hand-built article that uses every field and every node type: the golden-test input.

``node_samples()`` gives one small node of each type with a unique marker word, for the test that
runs every node type through every writer.
"""

from __future__ import annotations

import hashlib

from strategies import PNG

from converter import model as m


def _t(text: str) -> list[m.Inline]:
    return [m.Text(text)]


def _p(text: str) -> m.Paragraph:
    return m.Paragraph(_t(text))


def node_samples() -> dict[str, m.Block | m.Inline]:
    """One node per schema type; each holds the word ``mark<type>`` where it has text."""
    def mark(kind: str) -> str:
        return f"mark{kind.replace('_', '')}"

    cell = m.TableCell([_p(mark("table"))], colspan=2)
    inlines: dict[str, m.Inline] = {
        "text": m.Text(mark("text")),
        "emphasis": m.Emphasis(_t(mark("emphasis"))),
        "strong": m.Strong(_t(mark("strong"))),
        "superscript": m.Superscript(_t(mark("superscript"))),
        "subscript": m.Subscript(_t(mark("subscript"))),
        "small_caps": m.SmallCaps(_t(mark("small_caps"))),
        "strikeout": m.Strikeout(_t(mark("strikeout"))),
        "underline": m.Underline(_t(mark("underline"))),
        "code": m.Code(mark("code")),
        "link": m.Link("https://example.org/a?b=1&c=2", _t(mark("link"))),
        "line_break": m.LineBreak(),
        "quoted": m.Quoted("double", _t(mark("quoted"))),
        "note": m.Note([_p(mark("note"))]),
        "image": m.Image("media/figure.png", _t(mark("image"))),
        "math": m.Math(mark("math")),
        "citation": m.Citation(["ref-1"], _t(mark("citation"))),
    }
    blocks: dict[str, m.Block] = {
        "paragraph": _p(mark("paragraph")),
        "heading": m.Heading(2, _t(mark("heading")), id="sec-mark"),
        "bullet_list": m.BulletList([[_p(mark("bullet_list"))]]),
        "ordered_list": m.OrderedList([[_p(mark("ordered_list"))]], start=3,
                                      style="lower-roman"),
        "definition_list": m.DefinitionList([m.DefinitionItem(
            _t(mark("definition_list")), [[_p("definition")]])]),
        "blockquote": m.BlockQuote([_p(mark("blockquote"))]),
        "code_block": m.CodeBlock(mark("code_block") + "\n  indented <x> & y", "python"),
        "horizontal_rule": m.HorizontalRule(),
        "line_block": m.LineBlock([_t(mark("line_block")), _t("second line")]),
        "table": m.Table(body=[m.TableRow([cell]), m.TableRow(
            [m.TableCell([_p("a")]), m.TableCell([_p("b")])])]),
        "figure": m.Figure([m.Paragraph([m.Image("media/figure.png", _t("alt"))])],
                           [_p(mark("figure"))], id="fig-mark"),
        "speech": m.Speech("Interviewer", [_p(mark("speech"))], "interviewer"),
    }
    return {**blocks, **inlines}


def article_with(node: m.Block | m.Inline, *, omit: bool = False) -> m.Article:
    """A minimal article around one node (``omit``: the same article with the node left out)."""
    body: list[m.Block] = [_p("before")]
    if isinstance(node, m.Block) and not omit:
        body.append(node)
    elif isinstance(node, m.Inline):
        inner: list[m.Inline] = [m.Text("inline "), *([] if omit else [node]), m.Text(" after")]
        body.append(m.Paragraph(m.normalize_inlines(inner)))
    article = m.Article(title="Node sample", language="en", body=body,
                        references=[m.Reference(_t("A reference."), id="ref-1", label="1")])
    _attach_media(article)
    return article


def _attach_media(article: m.Article) -> None:
    article.media = [m.MediaResource("media/figure.png", "image/png", len(PNG),
                                     hashlib.sha256(PNG).hexdigest(), "A one-pixel image")]
    article.resources = {"media/figure.png": PNG}


def feature_article() -> m.Article:
    """Every metadata field and every node type, with hostile text, in canonical form."""
    samples = node_samples()
    hostile = "Markup <b>&amp; * _ # ` [x] | \\ {y} ~z~ ^w^ $5 — “quotes” 'single' 中文 😀"
    body: list[m.Block] = [
        m.Heading(1, _t("Introduction"), id="intro"),
        m.Paragraph([m.Text("Lead with "), samples["emphasis"], m.Text(", "), samples["strong"],
                     m.Text(", "), samples["link"], m.Text(" and a note"), samples["note"],
                     m.Text(".")]),
        _p(hostile),
        m.Speech("Interviewer", [m.Paragraph([m.Text("What changed? "), samples["quoted"]])],
                 "interviewer"),
        m.Speech("Ana Ruiz", [_p("Much changed."), m.BulletList([[_p("one")], [_p("two")]])],
                 "interviewee"),
        m.Heading(2, _t("Details"), id="details"),
        m.Paragraph([samples["superscript"], m.Text(" "), samples["subscript"], m.Text(" "),
                     samples["small_caps"], m.Text(" "), samples["strikeout"], m.Text(" "),
                     samples["underline"], m.Text(" "), samples["code"], samples["line_break"],
                     samples["math"], m.Text(" "), m.Math("E = mc^2", display=True),
                     m.Text(" "), samples["citation"], m.Text(" "), samples["image"]]),
        *(b for k, b in samples.items() if isinstance(b, m.Block) and k not in ("heading",
                                                                                 "paragraph")),
        m.Table(head=[m.TableRow([m.TableCell([_p("Name")], align="left"),
                                  m.TableCell([_p("Value")], align="right")])],
                body=[m.TableRow([m.TableCell([_p("spans two rows")], rowspan=2),
                                  m.TableCell([_p("1")])]),
                      m.TableRow([m.TableCell([m.BulletList([[_p("x")], [_p("y")]]),
                                               _p("two blocks")])])],
                foot=[m.TableRow([m.TableCell([_p("total")], colspan=2)])],
                columns=[m.ColumnSpec("left", 0.6), m.ColumnSpec("right", 0.4)],
                caption=[_p("A table with a head, spans and block cells.")], id="tab-1"),
    ]
    article = m.Article(
        id="urn:uuid:0b5a3d5e-2f7c-5a7e-9c1d-1a2b3c4d5e6f",
        title="Feature article: every field <and> node",
        subtitle="A subtitle & more",
        abstract=[_p("The abstract's first paragraph."), _p("Its second paragraph.")],
        language="en",
        article_type="interview",
        contributors=[
            m.Contributor(name="Ana Ruiz", given_names="Ana", surname="Ruiz",
                          role="Senior Fellow, Example Institute",
                          affiliations=["Example Institute, Brussels"],
                          email="ana@example.org", orcid="0000-0002-1825-0097",
                          bio=[_p("Ana Ruiz studies archives.")]),
            m.Contributor(name="Editorial Board", kind="editor"),
        ],
        source_publication=m.SourcePublication("Example Review", "https://review.example.org/x",
                                               "originally appeared in", "2013-04"),
        dates={"published": "2013-04-05", "modified": "2014"},
        identifiers=[m.Identifier("doi", "10.1234/example.5678")],
        subjects={"topics": ["Foreign Policy", "EU"], "regions": ["Europe"]},
        rights=m.Rights(statement="© 2013 Example Institute", holder="Example Institute",
                        year="2013", license_url="https://creativecommons.org/licenses/by/4.0/",
                        disclaimer="Views are the author's own."),
        notes=[_p("An editor's note.")],
        image_credits=["Source: Example Images"],
        body=body,
        acknowledgements=[_p("Thanks to the reviewers.")],
        references=[m.Reference(_t("A reference."), id="ref-1", label="1"),
                    m.Reference([m.Text("Second, "), m.Emphasis(_t("in italics"))], id="ref-2")],
        extra={"type": "legacyinthemedia", "nested": {"list": [1, True, None, "x"]}},
        discarded=[m.Discarded("Recent Work", "site boilerplate section", "after body")],
    )
    _attach_media(article)
    return article
