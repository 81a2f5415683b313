"""The JATS writer: each mapping checked in the XML, every output checked against the JATS 1.3 DTD.

Articles here are built from the model (writer tests start from small model-built articles); the
DTD is the real one in ../shared/jats-dtd (the ``jats_dtd`` fixture fails when it is missing).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from converter import model as m
from converter.errors import ValidationError
from converter.formats.jats.validate import validate_jats_bytes
from converter.options import WriteOptions
from converter.pipeline import render
from converter.writers import jats as jw

XLINK = "{http://www.w3.org/1999/xlink}"


def write(article: m.Article) -> bytes:
    return render(article, "jats", WriteOptions())


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def valid(article: m.Article, dtd: Path) -> etree._Element:
    """Write, validate against the DTD, and return the parsed output."""
    data = write(article)
    validate_jats_bytes(data, dtd)
    return parse(data)


def para(*parts: str | m.Inline) -> m.Paragraph:
    return m.Paragraph([m.Text(p) if isinstance(p, str) else p for p in parts])


def seed_like() -> m.Article:
    """An interview like the seeds: header metadata, a dek, turns, an author section."""
    return m.Article(
        id="urn:uuid:405171d3-0cc4-5a1d-b5b4-13052d4137a3",
        title="Global Insider: Envoy Exchange Part of Promising Shift in Serbia-Kosovo Relations",
        abstract=[para("Serbia and Kosovo agreed last month to exchange envoys.")],
        language="en", article_type="interview",
        contributors=[m.Contributor("Stefan Lehne", role="Senior Fellow, Carnegie Europe",
                                    bio=[para("Stefan Lehne is a senior fellow.")])],
        source_publication=m.SourcePublication("World Politics Review",
                                               "https://www.worldpoliticsreview.com/x",
                                               "originally appeared in", "2013-04"),
        dates={"published": "2013-04-05"},
        subjects={"topics": ["Foreign Policy", "EU"], "regions": ["Europe"]},
        rights=m.Rights(disclaimer="Carnegie does not take institutional positions."),
        image_credits=["Getty"],
        body=[m.Speech("WPR", [para("What drove Serbia and Kosovo?")], "interviewer"),
              m.Speech("Stefan Lehne", [para("Whatever their differences, they are neighbors.")],
                       "interviewee")],
        extra={"type": "legacyinthemedia", "programs": [], "primaryCenter": "Carnegie Europe"},
        discarded=[m.Discarded("Recent Work", "boilerplate section heading", "line 49")],
    )


# --------------------------------------------------------------------------- document


def test_doctype_version_and_encoding(jats_dtd: Path) -> None:
    data = write(seed_like())
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE article PUBLIC "
                           b'"-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.3 '
                           b'20210610//EN" "https://jats.nlm.nih.gov/archiving/1.3/')
    root = valid(seed_like(), jats_dtd)
    assert root.get("dtd-version") == "1.3"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_registered_and_deterministic() -> None:
    article = seed_like()
    first = render(article, "jats")
    assert render(article, "xml") == first  # an alias
    assert render(seed_like(), "jats", WriteOptions()) == first
    assert jw.JatsWriter.extension == ".xml"


def test_one_paragraph_abstract_is_valid(jats_dtd: Path) -> None:
    root = valid(m.Article(title="T", abstract=[para("Only one paragraph.")]), jats_dtd)
    abstract = root.find("front/article-meta/abstract")
    assert abstract is not None
    assert [c.tag for c in abstract] == ["p"]
    assert abstract[0].text == "Only one paragraph."


def test_interview_gets_a_pmc_article_type_and_a_subject_heading(jats_dtd: Path) -> None:
    root = valid(seed_like(), jats_dtd)
    assert root.get("article-type") == "other"  # PMC rejects "interview"
    group = root.find("front/article-meta/article-categories/subj-group")
    assert group is not None and group.get("subj-group-type") == "heading"
    assert group.findtext("subject") == "Interview"
    meta = {c.findtext("meta-name"): c.findtext("meta-value")
            for c in root.iterfind(".//article-meta/custom-meta-group/custom-meta")}
    assert meta["article-type"] == "interview"
    turns = root.findall("body/speech")
    assert [t.findtext("speaker") for t in turns] == ["WPR", "Stefan Lehne"]
    assert [t.find("speaker").get("content-type") for t in turns] == ["interviewer",
                                                                       "interviewee"]
    assert all(t.find("p") is not None for t in turns)


def test_research_article_type_is_kept(jats_dtd: Path) -> None:
    root = valid(m.Article(title="T", article_type="research-article", body=[para("x")]),
                 jats_dtd)
    assert root.get("article-type") == "research-article"
    assert root.find(".//article-categories") is None
    assert root.find("front/article-meta/custom-meta-group") is None


# --------------------------------------------------------------------------- front matter


def test_contributors(jats_dtd: Path) -> None:
    article = m.Article(title="T", contributors=[
        m.Contributor("Stefan Lehne", given_names="Stefan", surname="Lehne", role="Fellow",
                      affiliations=["Carnegie Europe", "Brussels"], email="s@example.org",
                      orcid="0000-0002-1825-0097", bio=[para("Bio.")]),
        m.Contributor("Dr. Jane Doe", given_names="Jane", surname="Doe"),
        m.Contributor("Madonna"),
        m.Contributor("Ed Itor", kind="editor"),
        m.Contributor("Au Thor"),
    ])
    root = valid(article, jats_dtd)
    groups = root.findall("front/article-meta/contrib-group")
    assert [[c.get("contrib-type") for c in g] for g in groups] == [
        ["author", "author", "author"], ["editor"], ["author"]]  # order kept
    first, second, third = groups[0]
    assert first.findtext("name/surname") == "Lehne"
    assert first.findtext("name/given-names") == "Stefan"
    assert first.find("string-name") is None
    assert first.findtext("role") == "Fellow"
    assert [a.text for a in first.findall("aff")] == ["Carnegie Europe", "Brussels"]
    assert first.findtext("email") == "s@example.org"
    orcid = first.find("contrib-id")
    assert orcid is not None and orcid.get("contrib-id-type") == "orcid"
    assert first.findtext("bio/p") == "Bio."
    # a display name that is not "given surname" is kept beside the split name
    assert second.findtext("name-alternatives/name/surname") == "Doe"
    assert second.findtext("name-alternatives/string-name") == "Dr. Jane Doe"
    # a name that cannot be split safely stays whole
    assert third.findtext("string-name") == "Madonna" and third.find("name") is None


def test_subjects_become_kwd_groups(jats_dtd: Path) -> None:
    root = valid(seed_like(), jats_dtd)
    groups = {g.get("kwd-group-type"): [k.text for k in g]
              for g in root.iterfind("front/article-meta/kwd-group")}
    assert groups == {"topics": ["Foreign Policy", "EU"], "regions": ["Europe"]}


def test_custom_meta_group_is_last_and_holds_what_jats_has_no_home_for(jats_dtd: Path) -> None:
    article = seed_like()
    article.media = [m.MediaResource("media/a.png", "image/png", 3, None, "alt")]
    root = valid(article, jats_dtd)
    meta = root.find("front/article-meta")
    assert meta is not None and meta[-1].tag == "custom-meta-group"
    entries = [(c.get("specific-use"), c.findtext("meta-name"), c.findtext("meta-value"))
               for c in meta[-1]]
    extra = {name: json.loads(value) for use, name, value in entries if use == "extra"}
    assert extra == article.extra
    assert ("image-credit", "image credit", "Getty") in entries
    media = [json.loads(v) for use, _, v in entries if use == "media"]
    assert media == [{"path": "media/a.png", "media_type": "image/png", "size": 3, "alt": "alt"}]
    discarded = [json.loads(v) for use, _, v in entries if use == "discarded"]
    assert discarded == [{"text": "Recent Work", "reason": "boilerplate section heading",
                          "place": "line 49"}]


def test_dates_partial_and_history(jats_dtd: Path) -> None:
    article = m.Article(title="T", dates={"published": "2013-04", "received": "2012",
                                          "modified": "2013-05-06T10:00:00Z"})
    root = valid(article, jats_dtd)
    pub = root.find("front/article-meta/pub-date")
    assert pub is not None and pub.get("iso-8601-date") == "2013-04"
    assert [c.tag for c in pub] == ["month", "year"]
    history = {d.get("date-type"): d.get("iso-8601-date")
               for d in root.iterfind("front/article-meta/history/date")}
    assert history == {"received": "2012", "modified": "2013-05-06T10:00:00Z"}


def test_source_publication_in_pub_history(jats_dtd: Path) -> None:
    root = valid(seed_like(), jats_dtd)
    event = root.find("front/article-meta/pub-history/event")
    assert event is not None and event.get("specific-use") == "source-publication"
    assert event.get("event-type") == "originally appeared in"
    assert event.findtext("event-desc") == "World Politics Review"
    assert event.find("self-uri").get(f"{XLINK}href") == "https://www.worldpoliticsreview.com/x"
    assert event.find("date").get("iso-8601-date") == "2013-04"


def test_permissions_and_disclaimer(jats_dtd: Path) -> None:
    article = m.Article(title="T", rights=m.Rights(
        "© 2013 WPR", "World Politics Review", "2013", "https://creativecommons.org/licenses/by/4.0/",
        "The views are the author's."))
    root = valid(article, jats_dtd)
    permissions = root.find("front/article-meta/permissions")
    assert permissions is not None
    assert [c.tag for c in permissions] == ["copyright-statement", "copyright-year",
                                            "copyright-holder", "license"]
    license_el = permissions.find("license")
    assert license_el.get(f"{XLINK}href") == "https://creativecommons.org/licenses/by/4.0/"
    assert license_el.findtext("{http://www.niso.org/schemas/ali/1.0/}license_ref") == \
        "https://creativecommons.org/licenses/by/4.0/"
    disclaimer = root.find("front/notes[@notes-type='disclaimer']")
    assert disclaimer is not None and disclaimer.findtext("p") == "The views are the author's."
    # a disclaimer alone makes no empty permissions
    only = valid(seed_like(), jats_dtd)
    assert only.find(".//permissions") is None


def test_journal_meta_only_with_real_values(jats_dtd: Path) -> None:
    root = valid(seed_like(), jats_dtd)
    assert root.find("front/journal-meta") is None
    journal = {"title": "eLife", "ids": {"nlm-ta": "eLife"}, "issn": {"electronic": "2050-084X"},
               "publisher": "eLife Sciences", "volume": "1", "elocation_id": "e00240"}
    root = valid(m.Article(title="T", extra={"journal": journal}), jats_dtd)
    meta = root.find("front/journal-meta")
    assert meta is not None
    assert meta.findtext("journal-title-group/journal-title") == "eLife"
    assert meta.findtext("journal-id[@journal-id-type='nlm-ta']") == "eLife"
    assert meta.findtext("issn[@publication-format='electronic']") == "2050-084X"
    assert root.findtext("front/article-meta/volume") == "1"
    assert root.findtext("front/article-meta/elocation-id") == "e00240"
    assert root.find("front/article-meta/custom-meta-group") is None  # rendered, not repeated
    # a shape the DTD cannot hold (a last page without a first) stays in custom-meta
    odd = valid(m.Article(title="T", extra={"journal": {"lpage": "9"}}), jats_dtd)
    assert odd.find(".//lpage") is None
    assert odd.findtext("front/article-meta/custom-meta-group/custom-meta/meta-name") == \
        "journal"


def test_identifiers_become_article_ids(jats_dtd: Path) -> None:
    article = m.Article(id="urn:uuid:1", title="T", identifiers=[
        m.Identifier("doi", "10.1/x"), m.Identifier("pmid", "123")])
    root = valid(article, jats_dtd)
    ids = [(i.get("pub-id-type"), i.get("specific-use"), i.text)
           for i in root.iterfind("front/article-meta/article-id")]
    assert ids == [("other", "canonical-id", "urn:uuid:1"), ("doi", None, "10.1/x"),
                   ("pmid", None, "123")]


# --------------------------------------------------------------------------- body


def heading(level: int, text: str, ident: str | None = None) -> m.Heading:
    return m.Heading(level, [m.Text(text)], ident)


def test_sections_nest_by_heading_level(jats_dtd: Path) -> None:
    body = [para("lead"), heading(1, "A", "a"), para("a1"), heading(2, "A.1"), para("a11"),
            heading(4, "deep"), heading(1, "B"), para("b1"), heading(3, "B.x")]
    root = valid(m.Article(title="T", body=body), jats_dtd)
    out = root.find("body")
    assert [c.tag for c in out] == ["p", "sec", "sec"]
    a, b = out.findall("sec")
    assert a.get("id") == "a" and a.findtext("title") == "A"
    assert [c.tag for c in a] == ["title", "p", "sec"]
    a1 = a.find("sec")
    assert a1.findtext("title") == "A.1" and a1.get("disp-level") is None
    deep = a1.find("sec")
    assert deep.findtext("title") == "deep" and deep.get("disp-level") == "4"
    assert b.find("sec").get("disp-level") == "3"


def test_lists(jats_dtd: Path) -> None:
    body = [m.BulletList([[para("one")], [para("two"), m.BulletList([[para("nested")]])]]),
            m.OrderedList([[para("c")], [para("d")]], start=3, style="lower-alpha"),
            m.OrderedList([[para("first")]])]
    root = valid(m.Article(title="T", body=body), jats_dtd)
    bullet, alpha, plain = root.findall("body/list")
    assert bullet.get("list-type") == "bullet"
    assert [c.tag for c in bullet[1]] == ["p", "list"]
    assert alpha.get("list-type") == "alpha-lower"
    assert [i.findtext("label") for i in alpha] == ["c", "d"]
    assert plain.get("list-type") == "order" and plain.find("list-item/label") is None


def test_table_with_spans_and_blocks_in_cells(jats_dtd: Path) -> None:
    table = m.Table(
        head=[m.TableRow([m.TableCell([para("Round")]),
                          m.TableCell([para("Topic")], colspan=2, align="center")])],
        body=[m.TableRow([m.TableCell([para("1")], rowspan=2),
                          m.TableCell([para("a"), m.BulletList([[para("b")]])]),
                          m.TableCell([])]),
              m.TableRow([m.TableCell([m.CodeBlock("x = 1")]), m.TableCell([para("c")])])],
        foot=[m.TableRow([m.TableCell([para("total")], colspan=3)])],
        columns=[m.ColumnSpec("left", 0.25), m.ColumnSpec(), m.ColumnSpec("right")],
        caption=[para("Talks.")], id="t1")
    root = valid(m.Article(title="T", body=[table]), jats_dtd)
    wrap = root.find("body/table-wrap")
    assert wrap.get("id") == "t1" and wrap.findtext("caption/p") == "Talks."
    out = wrap.find("table")
    assert [c.tag for c in out] == ["col", "col", "col", "thead", "tfoot", "tbody"]
    assert out[0].get("align") == "left" and out[0].get("width") == "0.25*"
    assert [c.tag for c in out.find("thead/tr")] == ["th", "th"]
    assert out.find("thead/tr/th[2]").get("colspan") == "2"
    first = out.find("tbody/tr")
    assert first[0].get("rowspan") == "2" and first[0].text == "1"
    assert [c.tag for c in first[1]] == ["p", "list"]
    assert len(first[2]) == 0 and not first[2].text
    assert out.find("tbody/tr[2]/td/preformat").text == "x = 1"


def test_footnotes_go_to_one_fn_group_with_xrefs(jats_dtd: Path) -> None:
    inner = m.Note([para("inner")])
    body = [para("a", m.Note([para("first note")]), " b", m.Note([para("second", inner)])),
            heading(1, "h", "fn1")]  # a model id that the generated ids must avoid
    root = valid(m.Article(title="T", body=body), jats_dtd)
    xrefs = root.findall("body/p/xref[@ref-type='fn']")
    fns = root.findall("back/fn-group/fn")
    assert [x.get("rid") for x in xrefs] == [fns[0].get("id"), fns[1].get("id")]
    assert len({f.get("id") for f in fns}) == 3 and "fn1" not in {f.get("id") for f in fns}
    assert [f.findtext("label") for f in fns] == ["1", "2", "3"]
    assert fns[0].findtext("p") == "first note"
    assert fns[1].find("p/xref").get("rid") == fns[2].get("id")


def test_inlines(jats_dtd: Path) -> None:
    content: list[m.Inline] = [
        m.Emphasis([m.Text("i"), m.Math("x^2", display=True), m.LineBreak()]),
        m.Strong([m.Text("b")]), m.Superscript([m.Text("sup")]), m.Subscript([m.Text("sub")]),
        m.SmallCaps([m.Text("sc")]), m.Strikeout([m.Text("s")]), m.Underline([m.Text("u")]),
        m.Code("x < y"), m.Link("https://example.org/?a=1&b=2", [m.Text("ext")], "Title"),
        m.Link("#sec-a", [m.Text("internal")]), m.LineBreak(),
        m.Quoted("double", [m.Text("q")]), m.Math("e=mc^2"), m.Math("\\int", display=True),
        m.Image("media/a.png", [m.Text("alt")], "tip"),
    ]
    body = [heading(1, "A", "sec-a"), m.Paragraph(content),
            m.Table(body=[m.TableRow([m.TableCell([para("1", m.LineBreak(), "2")])])])]
    root = valid(m.Article(title="T", body=body), jats_dtd)
    p = root.find("body/sec/p")
    tags = [c.tag for c in p]
    assert tags[:8] == ["italic", "bold", "sup", "sub", "sc", "strike", "underline", "monospace"]
    assert p.find("italic/inline-formula").get("content-type") == "display"  # no disp-formula
    assert p.find("italic/break") is not None
    assert p.find("monospace").text == "x < y"
    ext = p.find("ext-link")
    assert ext.get(f"{XLINK}href") == "https://example.org/?a=1&b=2"
    assert ext.get(f"{XLINK}title") == "Title"
    xref = p.find("xref")
    assert xref.get("ref-type") == "sec" and xref.get("rid") == "sec-a"
    assert p.find("named-content[@content-type='line-break']") is not None  # no break in p
    quoted = p.find("named-content[@content-type='quoted-double']")
    assert quoted.text == "\u201cq\u201d"
    assert p.findtext("inline-formula/tex-math") == "e=mc^2"
    assert p.findtext("disp-formula/tex-math") == "\\int"
    graphic = p.find("inline-graphic")
    assert graphic.get(f"{XLINK}href") == "media/a.png"
    assert graphic.findtext("alt-text") == "alt"
    assert root.find("body/sec/table-wrap/table/tbody/tr/td/break") is not None


def test_figure(jats_dtd: Path) -> None:
    figure = m.Figure([m.Paragraph([m.Image("media/f.png", [m.Text("a map")])]),
                       para("and a note")], [para("The Balkans.")], "f1")
    root = valid(m.Article(title="T", body=[figure]), jats_dtd)
    fig = root.find("body/fig")
    assert fig.get("id") == "f1"
    assert [c.tag for c in fig] == ["caption", "graphic", "p"]
    assert fig.find("graphic").get(f"{XLINK}href") == "media/f.png"
    assert fig.findtext("graphic/alt-text") == "a map"


def test_definition_list_verse_code_quote_rule(jats_dtd: Path) -> None:
    body = [m.DefinitionList([m.DefinitionItem([m.Text("EU")], [[para("European Union")],
                                                               [para("a union")]])]),
            m.LineBlock([[m.Text("line one")], [m.Text("line two")]]),
            m.CodeBlock("def f():\n    return 1", "python"), m.CodeBlock("  plain\n"),
            m.BlockQuote([para("quoted"), heading(2, "not a section")]),
            m.HorizontalRule()]
    root = valid(m.Article(title="T", body=body), jats_dtd)
    out = root.find("body")
    item = out.find("def-list/def-item")
    assert item.findtext("term") == "EU" and len(item.findall("def")) == 2
    assert [v.text for v in out.findall("verse-group/verse-line")] == ["line one", "line two"]
    code = out.find("code")
    assert code.get("language") == "python" and code.text == "def f():\n    return 1"
    assert out.find("preformat").text == "  plain\n"
    assert out.find("disp-quote/p[@content-type='heading-2']").text == "not a section"
    assert out.find("p/hr") is not None


def test_citations_and_reference_list(jats_dtd: Path) -> None:
    refs = [m.Reference([m.Text("Lehne S. "), m.Emphasis([m.Text("Envoys")]), m.Text(".")],
                        "r1", "1")]
    body = [para("as shown ", m.Citation(["r1", "smith:2004", "doe/2005"], [m.Text("[1-3]")]))]
    root = valid(m.Article(title="T", body=body, references=refs), jats_dtd)
    xref = root.find("body/p/xref[@ref-type='bibr']")
    rids = xref.get("rid").split()
    assert rids[0] == "r1" and xref.text == "[1-3]"
    refs_out = root.findall("back/ref-list/ref")
    assert refs_out[0].get("id") == "r1" and refs_out[0].findtext("label") == "1"
    assert refs_out[0].find("mixed-citation/italic").text == "Envoys"
    # keys that name no reference get an entry marked as such, so the DTD's IDREFs hold
    keyed = {r.get("id"): r.findtext("mixed-citation") for r in refs_out[1:]}
    assert all(r.get("content-type") == "cited-key" for r in refs_out[1:])
    assert [keyed[i] for i in rids[1:]] == ["smith:2004", "doe/2005"]


def test_acknowledgements_in_back(jats_dtd: Path) -> None:
    root = valid(m.Article(title="T", acknowledgements=[para("Thanks.")]), jats_dtd)
    assert root.findtext("back/ack/p") == "Thanks."


def test_placeholders_keep_empty_structures_valid(jats_dtd: Path) -> None:
    body = [m.Speech("X", []), m.BulletList([]), m.BulletList([[]]),
            m.DefinitionList([m.DefinitionItem([], [[]])]), m.LineBlock([]),
            m.Table(head=[m.TableRow([])]), para("n", m.Note([]))]
    root = valid(m.Article(title="T", body=body), jats_dtd)
    assert root.find("body/speech/p").get("specific-use") == "placeholder"
    assert root.find("body/list/list-item").get("specific-use") == "placeholder"
    assert root.find("body/table-wrap/table/tbody").get("content-type") == "placeholder"
    assert root.find("back/fn-group/fn/p").get("specific-use") == "placeholder"


def test_hostile_article_is_still_valid(jats_dtd: Path) -> None:
    """Outside the canonical form: odd ids, control characters, nesting the strategies avoid."""
    note = m.Note([para("note ", m.Note([heading(1, "heading in a note")]))])
    cell = m.TableCell([heading(2, "cell heading"), m.Figure([para("fig in cell")]),
                        m.Table(body=[m.TableRow([m.TableCell([para("inner")])])])])
    body = [
        heading(1, "dup", "same"), heading(1, "dup again", "same"), heading(2, "bad", "1 2"),
        m.Figure([], [], "same"), m.BlockQuote([heading(1, "in quote"), m.Figure([]),
                                                m.Speech("S", [heading(3, "in speech"),
                                                               m.Table()])]),
        m.BulletList([[m.HorizontalRule(), m.Table(), m.Figure([]), m.BlockQuote([]),
                       m.Speech("T", [m.BulletList([[para("x")]])])]]),
        m.Table(body=[m.TableRow([cell, m.TableCell([], align="justify")])],  # type: ignore
                caption=[m.BulletList([[para("cap")]])]),
        para("ctl\x00\x07\x1f chars \ud800 end", note,
             m.Link("https://x", [m.Link("#same", [m.Text("in")])]),
             m.Emphasis([m.Math("d", display=True), m.LineBreak()])),
        m.Speech("Q", [m.DefinitionList([m.DefinitionItem([m.LineBreak()], [])])]),
    ]
    article = m.Article(title="t\x0bitle", body=body, contributors=[m.Contributor("A\x01")],
                        language="en US",
                        extra={"k\x02": "v\x03"}, subjects={"topics": []})
    data = write(article)
    validate_jats_bytes(data, jats_dtd)
    codes = {d.code for d in article.provenance.diagnostics}
    assert {"jats-id-dropped", "jats-invalid-character", "jats-language"} <= codes
    assert b"\xef\xbf\xbd" in data  # U+FFFD stands where XML could not carry a character


def test_allowed_sets_agree_with_the_dtd(jats_dtd: Path) -> None:
    """The writer's tables of what may stand where are checked against the DTD itself."""
    from converter.formats.jats.validate import load_dtd

    dtd = load_dtd(jats_dtd)

    def names(content: object, out: set[str]) -> set[str]:
        if content is not None:
            if getattr(content, "type", None) == "element":
                out.add(content.name)  # type: ignore[attr-defined]
            names(getattr(content, "left", None), out)
            names(getattr(content, "right", None), out)
        return out

    jats = [e for e in dtd.elements() if not e.prefix]  # MathML has a <sec> too
    children = {e.name: names(e.content, set()) for e in jats}
    kinds = {e.name: e.type for e in jats}
    for container, allowed in jw.ALLOWED.items():
        assert allowed <= children[container], container
    assert jw.FLOW - {"p"} <= children["p"]  # anything may be wrapped in a paragraph
    assert "hr" in children["p"]
    for parent in jw.BREAK_PARENTS:
        assert "break" in children[parent], parent
    for parent in jw.DISPLAY_PARENTS:
        assert "disp-formula" in children[parent], parent
    for tag in jw.ELEMENT_ONLY:
        assert kinds[tag] == "element", tag
    for tag in jw.SECTIONED:
        assert "sec" in children[tag], tag


def test_validation_on_request(jats_dtd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    article = seed_like()
    assert render(article, "jats", WriteOptions(jats_dtd=jats_dtd)) == write(article)
    broken = jw.build_tree(article)
    etree.SubElement(broken, "not-jats")
    monkeypatch.setattr(jw, "build_tree", lambda _a, **_kw: broken)
    with pytest.raises(ValidationError, match=r"jats rendition failed jats-dtd .*not-jats"):
        render(article, "jats", WriteOptions(jats_dtd=jats_dtd))
    with pytest.raises(ValidationError):
        validate_jats_bytes(jw.serialize(broken), jats_dtd)
    # --keep-invalid keeps the rendition, with an error the report and PREMIS carry
    kept = render(article, "jats", WriteOptions(jats_dtd=jats_dtd, keep_invalid=True))
    assert b"not-jats" in kept
    assert article.provenance is not None
    assert [d.level for d in article.provenance.diagnostics if d.code == "jats-dtd-failed"] == [
        "error"]
