"""The JATS reader, proven on real articles: every JATS file of the shared corpus is read, written
back, and the result validates against the JATS 1.3 DTD with its title, authors, abstract and
paragraph text intact. Hostile and broken files get a safe result or a clear error.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS, DATA
from lxml import etree

from converter import model as m
from converter.errors import InputError, ValidationError
from converter.formats.jats.validate import validate_jats_bytes
from converter.options import ReadOptions, WriteOptions
from converter.pipeline import parse, render
from converter.readers.jats import JatsReader

HERE = DATA / "jats"
MML = "{http://www.w3.org/1998/Math/MathML}math"


def corpus_jats() -> list[str]:
    """Every JATS file of the corpus: jats/, real-world (allofplos, docling .nxml), pandoc-tests."""
    files = [*CORPUS.glob("jats/*.xml"), *CORPUS.glob("real-world/allofplos/*.xml"),
             *CORPUS.glob("real-world/docling/*.nxml"), *CORPUS.glob("pandoc-tests/*.xml"),
             *CORPUS.glob("pandoc-tests/*.jats*")]
    return sorted(str(p.relative_to(CORPUS)) for p in files)


def test_the_corpus_has_its_jats_files(corpus: Path) -> None:
    names = corpus_jats()
    assert len(names) == 20, names  # 12 + 3 allofplos + 2 docling + 3 pandoc-tests
    assert "pandoc-tests/planets.jats_archiving" in names  # a fragment: a table-wrap root


# --------------------------------------------------------------------------- text views


def _tree(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    return etree.fromstring(data, parser)


#: not running text: labels, footnotes (compared apart), formulas (TeX is not MathML), alt text
SKIP = {"label", "fn", "alt-text", "long-desc", "inline-formula", "disp-formula", "tex-math", MML,
        "alternatives", "index-term", "object-id"}
#: blocks that may stand inside a paragraph or a cell: their text is their own
NESTED = {"p", "list", "def-list", "disp-quote", "speech", "statement", "verse-group", "preformat",
          "code", "table-wrap", "table-wrap-group", "fig", "fig-group", "boxed-text",
          "supplementary-material", "media", "address", "array", "hr"}


def own_words(el: etree._Element) -> list[str]:
    """The words of an element's own text, without nested blocks, footnotes, labels, formulas."""
    words: list[str] = []

    def walk(node: etree._Element, top: bool) -> None:
        if node.text and isinstance(node.tag, str):
            words.extend(re.findall(r"\w+", node.text))
        for child in node:
            tag = child.tag
            skipped = not isinstance(tag, str) or tag in SKIP or (
                tag == "xref" and child.get("ref-type") in ("fn", "table-fn"))
            if not skipped and not (tag in NESTED and (top or tag == "p")):
                walk(child, False)
            if child.tail:
                words.extend(re.findall(r"\w+", child.tail))

    walk(el, True)
    return words


def body_words(root: etree._Element) -> Counter[str]:
    """Words of every paragraph (and cell) under the body or sub-article bodies."""
    return Counter(w for body in root.iter("body") for el in body.iter("p", "td", "th")
                   if not any(a.tag in SKIP - {"fn"} for a in el.iterancestors())
                   for w in own_words(el))


def output_words(root: etree._Element) -> Counter[str]:
    """Words of every paragraph, cell and footnote of our output (body, notes, back)."""
    return Counter(w for el in root.iter("p", "td", "th")
                   if not any(a.tag == "article-meta" for a in el.iterancestors())
                   for w in own_words(el))


def title_of(root: etree._Element) -> str:
    title = root.find("front/article-meta/title-group/article-title")
    return " ".join(own_words(title)) if title is not None else ""


def names_of(root: etree._Element) -> list[str]:
    out = []
    for contrib in root.iterfind("front/article-meta/contrib-group/contrib"):
        name = contrib.find("name-alternatives/name")
        if name is None:
            name = contrib.find("name")
        if name is not None:
            parts = [name.findtext("given-names"), name.findtext("surname")]
            out.append(" ".join(" ".join(p.split()) for p in parts if p))
            continue
        other = contrib.find("string-name")
        if other is None:
            other = contrib.find("collab")
        if other is not None:
            out.append(" ".join(own_words(other)))
    return out


def abstract_words(root: etree._Element) -> list[str]:
    abstracts = root.findall("front/article-meta/abstract")
    if not abstracts:
        return []
    main = next((a for a in abstracts if not a.get("abstract-type")), abstracts[0])
    return [w for child in main if isinstance(child.tag, str) and child.tag != "title"
            for el in child.iter("p", "title") for w in own_words(el)]


def footnote_words(root: etree._Element) -> Counter[str]:
    return Counter(w for fn in root.iter("fn") for p in fn.iter("p") for w in own_words(p))


# --------------------------------------------------------------------------- the corpus


@pytest.mark.parametrize("name", corpus_jats())
def test_corpus_article_round_trip(name: str, corpus: Path, jats_dtd: Path) -> None:
    source = corpus / name
    original = source.read_bytes()
    article = parse(source, ReadOptions(format="jats"))
    written = render(article, "jats", WriteOptions())
    validate_jats_bytes(written, jats_dtd)
    before, after = _tree(original), _tree(written)
    if before.tag == "article":
        assert title_of(after) == title_of(before)
        assert names_of(after) == names_of(before)
        assert abstract_words(after) == abstract_words(before)
    missing = body_words(before) - (output_words(after) + footnote_words(after))
    assert missing == Counter(), f"body words lost: {list(missing.elements())[:20]}"
    # and our own output reads back to the same article
    again = JatsReader().read(written, ReadOptions())
    assert again.to_dict() | {"provenance": None} == article.to_dict() | {"provenance": None}


def test_elife_front_matter(corpus: Path) -> None:
    article = parse(corpus / "jats/elife00240.xml")
    assert article.title == "Indirect routes to reproductive success"
    assert article.id == "https://doi.org/10.7554/eLife.00240"
    assert m.Identifier("doi", "10.7554/eLife.00240") in article.identifiers
    assert article.article_type == "article-commentary"
    (person,) = article.contributors
    assert (person.name, person.given_names, person.surname) == ("John Pickett", "John",
                                                                 "Pickett")
    assert person.affiliations == ["Rothamsted Research, Harpenden, United Kingdom"]
    assert person.email == "john.pickett@rothamsted.ac.uk"
    assert article.dates["published"] == "2012-10-15"
    assert article.rights is not None
    assert article.rights.license_url == "http://creativecommons.org/licenses/by/3.0/"
    assert article.rights.statement == "© 2012, Pickett"
    assert "Nicotiana attenuata" in article.subjects["author-keywords"]
    assert article.extra["journal"]["title"] == "eLife"
    assert m.block_text(article.abstract).startswith("By comparing wild-type and transgenic")
    # references: one entry per ref, ids and labels kept; citations point at them
    tree = _tree((corpus / "jats/elife00240.xml").read_bytes())
    assert [r.id for r in article.references] == [r.get("id") for r in tree.iter("ref")]
    cited = {k for node in _walk(article.body) if isinstance(node, m.Citation) for k in node.keys}
    assert cited and cited <= {r.id for r in article.references}
    assert "Price" in m.inline_text(article.references[1].content)


def test_plos_mathml_becomes_tex(corpus: Path) -> None:
    article = parse(corpus / "jats/journal.pone.0146913.xml")
    formulas = [n for n in _walk(article.body) if isinstance(n, m.Math)]
    assert formulas and any("\\frac" in f.text for f in formulas)
    assert all(f.display for f in formulas)


def test_sub_articles_and_unmapped_front_matter_are_kept(corpus: Path) -> None:
    article = parse(corpus / "jats/elife06003.xml")
    headings = [m.inline_text(b.content) for b in article.body if isinstance(b, m.Heading)
                and b.level == 1]
    assert "Decision letter" in headings and "Author response" in headings
    unmapped = article.extra["jats_unmapped"]
    funding = unmapped["/article/front/article-meta/funding-group"]
    assert funding.startswith("<funding-group") and "Australian Research Council" in funding
    places = {d.place for d in article.provenance.diagnostics}  # type: ignore[union-attr]
    assert "/article/front/article-meta/funding-group" in places


def test_features(jats_dtd: Path) -> None:
    """A hand-written JATS 1.4 file with one feature per element (tests/data/jats)."""
    source = HERE / "features.xml"
    validate_jats_bytes(source.read_bytes(), jats_dtd)  # the test input itself is valid JATS
    a = parse(source)
    assert a.title == "Envoys & neighbours"  # the title's footnote is not part of it
    assert a.subtitle == "A conversation on normalization"
    assert a.language == "en" and a.article_type == "interview"
    lehne, mao, group, editor = a.contributors
    assert lehne.orcid == "https://orcid.org/0000-0002-1825-0097"
    assert lehne.affiliations == ["Carnegie Europe, Brussels, Belgium"]
    assert lehne.email == "lehne@example.org" and lehne.role == "Senior Fellow"
    assert m.block_text(lehne.bio) == "Stefan Lehne works on EU foreign policy."
    assert (mao.name, mao.surname, mao.given_names) == ("Mao Zedong", "Mao", "Zedong")
    assert group.name == "The Balkans Study Group" and group.surname is None
    assert (editor.name, editor.kind) == ("Jane Q. Doe", "editor")
    assert a.dates == {"published": "2013-04-05", "ppub": "2013-06", "received": "2013-02-01"}
    assert a.subjects == {"heading": ["Interview"], "author": ["Serbia", "Kosovo"]}
    assert a.extra["journal"] == {
        "ids": {"publisher-id": "tqr"}, "title": "The Quarterly Review",
        "issn": {"epub": "1234-5678"}, "publisher": "Example Press",
        "publisher_location": "Ghent", "volume": "12", "issue": "3", "fpage": "101",
        "lpage": "109"}
    assert a.extra["license_text"] == "Distributed under CC BY 4.0."
    assert a.extra["custom_meta"] == [{"name": "Data availability", "value": "None needed."}]
    assert m.block_text(a.abstract) == "Serbia and Kosovo agreed to exchange envoys\u2014a first."
    notes = m.block_text(a.notes)
    assert "Envoys, at last." in notes  # the second abstract
    assert "First published in print." in notes and "No competing interests." in notes
    body = a.body
    lead = body[0]
    assert isinstance(lead, m.Paragraph) and isinstance(lead.content[1], m.Note)
    speeches = [b for b in body if isinstance(b, m.Speech)]
    assert [s.speaker for s in speeches] == ["WPR", "Stefan Lehne"]
    citation = next(n for n in _walk(speeches[1].blocks) if isinstance(n, m.Citation))
    assert citation.keys == ["r1", "r2"]
    link = next(n for n in _walk(speeches[1].blocks) if isinstance(n, m.Link))
    assert link.url == "#s-method"
    method = next(b for b in body if isinstance(b, m.Heading))
    assert (method.level, method.id, m.inline_text(method.content)) == (1, "s-method",
                                                                         "1. Method")
    ordered = next(b for b in body if isinstance(b, m.OrderedList))
    assert ordered.start == 3 and len(ordered.items) == 2
    maths = [n.text for n in _walk(body) if isinstance(n, m.Math)]
    assert maths == ["\\frac{a}{b}", "x^2"]
    kinds = [type(b).__name__ for b in body]
    for kind in ("DefinitionList", "LineBlock", "BlockQuote", "Table", "CodeBlock"):
        assert kind in kinds
    table = next(b for b in body if isinstance(b, m.Table))
    assert table.id == "t1" and table.head[0].cells[1].colspan == 2
    assert table.body[0].cells[0].rowspan == 2 and table.body[0].cells[0].align == "center"
    assert len(table.body[1].cells[0].blocks) == 2  # two paragraphs in one cell
    assert isinstance(table.body[0].cells[1].blocks[0].content[1], m.Note)  # type: ignore
    code = next(b for b in body if isinstance(b, m.CodeBlock))
    assert code.text == "code  with   spaces\n  indented"  # whitespace kept in code
    assert "Unknown overlined words \u2192 kept." in m.block_text(body)
    assert m.block_text(a.acknowledgements) == "We thank the envoys."
    assert [r.label for r in a.references] == ["1", "2"]
    assert m.inline_text(a.references[1].content).startswith("Doe J, Roe R. Neighbours.")
    assert "Funded by the Example Foundation" in a.extra["jats_unmapped"][
        "/article/front/article-meta/funding-group"]


def _walk(node: object) -> list[object]:
    out: list[object] = []
    if isinstance(node, list):
        for item in node:
            out += _walk(item)
    elif hasattr(node, "__dataclass_fields__"):
        out.append(node)
        for name in node.__dataclass_fields__:
            out += _walk(getattr(node, name))
    return out


# --------------------------------------------------------------------------- sniffing


def test_sniff(corpus: Path) -> None:
    reader = JatsReader()
    assert reader.sniff((corpus / "jats/elife00240.xml").read_bytes(), None)
    assert reader.sniff((corpus / "real-world/docling/elife-56337.nxml").read_bytes(), None)
    assert reader.sniff(b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- c -->\n<article/>', None)
    assert reader.sniff(b'<!DOCTYPE article PUBLIC "-//NLM//DTD Journal Publishing DTD v3.0 '
                        b'20080202//EN" "journalpublishing3.dtd"><article/>', None)
    assert reader.sniff('<?xml version="1.0" encoding="UTF-16"?><article/>'.encode("utf-16"),
                        None)
    assert not reader.sniff(b"<!DOCTYPE html><html><body>article</body></html>", None)
    assert not reader.sniff(b'{"schema_version": "1.0", "title": "<article>"}', None)
    assert not reader.sniff(b"An article about <article> elements.", None)
    assert not reader.sniff(b'<?xml version="1.0"?><book><article/></book>', None)
    assert not reader.sniff(b'<article xmlns="http://docbook.org/ns/docbook" version="5.0">'
                            b"<title>T</title></article>", None)
    assert not reader.sniff(b'<!DOCTYPE article PUBLIC "-//OASIS//DTD DocBook XML V4.5//EN" '
                            b'"docbookx.dtd"><article/>', None)
    assert reader.sniff(b'<!DOCTYPE article SYSTEM "local.dtd"><article dtd-version="1.3"/>',
                        None)


def test_detected_without_an_extension(corpus: Path) -> None:
    data = (corpus / "jats/elife00270.xml").read_bytes()
    article = parse(data)
    assert article.provenance is not None and article.provenance.reader == "jats"


# --------------------------------------------------------------------------- bad input


def test_external_entities_are_not_fetched(jats_dtd: Path) -> None:
    """A local file and a network entity: neither is read; the reference stays as its name."""
    article = parse(HERE / "xxe.xml")
    text = article.title + m.block_text(article.body)
    assert "root:" not in text
    assert article.title == "Entity test &secret;"
    assert m.block_text(article.body) == "Before &secret; after."
    assert any("&secret;" in d.message for d in article.provenance.diagnostics)  # type: ignore
    validate_jats_bytes((HERE / "xxe.xml").read_bytes(), jats_dtd)  # the validator fetches none


def test_billion_laughs_does_not_explode(jats_dtd: Path) -> None:
    data = (HERE / "billion-laughs.xml").read_bytes()
    article = parse(data)
    assert len(article.to_json()) < 20_000  # no expansion to 10^9 laughs
    assert article.provenance is not None
    with pytest.raises(ValidationError, match=r"amplification|entit"):
        validate_jats_bytes(data, jats_dtd)


def test_broken_xml() -> None:
    with pytest.raises(InputError, match="not well-formed XML"):
        parse(b"<html><body><p>x</body>", ReadOptions(format="jats"))
    with pytest.raises(InputError, match="not well-formed XML"):
        parse(b"\x00\x01 binary", ReadOptions(format="jats"))
    with pytest.raises(InputError, match="not well-formed XML"):
        parse(b"", ReadOptions(format="jats"))
    # a broken article is still an article: read in recovery mode, with a warning
    article = parse(b"<article><front><article-meta><title-group><article-title>T"
                    b"</article-title></title-group></article-meta></front><body><p>x</body>",
                    ReadOptions(format="jats"))
    assert article.title == "T" and m.block_text(article.body) == "x"
    assert "jats-recovered" in [d.code for d in article.provenance.diagnostics]  # type: ignore
    with pytest.raises(InputError, match="not a JATS article"):
        parse(b"<html><body><p>x</p></body></html>", ReadOptions(format="jats"))
    with pytest.raises(InputError, match="not a JATS article"):
        parse(b'<article xmlns="http://docbook.org/ns/docbook"><title>T</title></article>',
              ReadOptions(format="jats"))


def test_recovered_article_says_so(corpus: Path) -> None:
    """pandoc's JATS reader test repeats an attribute: read anyway, with a warning."""
    article = parse(corpus / "pandoc-tests/jats-reader.xml")
    assert article.title == "Pandoc Test Suite"
    codes = [d.code for d in article.provenance.diagnostics]  # type: ignore[union-attr]
    assert "jats-recovered" in codes


def test_fragment_reads_as_a_body(corpus: Path) -> None:
    article = parse(corpus / "pandoc-tests/planets.jats_archiving", ReadOptions(format="jats"))
    assert [type(b) for b in article.body] == [m.Table]
    assert article.title == "Untitled"
    codes = {d.code for d in article.provenance.diagnostics}  # type: ignore[union-attr]
    assert {"jats-fragment", "jats-no-title"} <= codes


def test_reading_needs_no_dtd(monkeypatch: pytest.MonkeyPatch, corpus: Path) -> None:
    monkeypatch.delenv("CONVERTER_JATS_DTD", raising=False)
    article = parse(corpus / "jats/journal.pmed.0020124.xml")
    assert article.title == "Why Most Published Research Findings Are False"
    assert len(article.references) > 30


def test_named_entities(monkeypatch: pytest.MonkeyPatch, jats_dtd: Path) -> None:
    """HTML 5 / ISO names always; the DTD's own sets (&b.alpha;) through the local catalog."""
    data = (b'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and '
            b'Interchange DTD v1.3 20210610//EN" "JATS-archivearticle1-3.dtd"><article><front>'
            b"<article-meta><title-group><article-title>A&mdash;B&nbsp;C &b.alpha;"
            b"</article-title></title-group></article-meta></front></article>")
    monkeypatch.delenv("CONVERTER_JATS_DTD", raising=False)
    without = parse(data, ReadOptions(format="jats"))
    assert without.title == "A\u2014B C &b.alpha;"  # whitespace normalized, as everywhere
    assert any("&b.alpha;" in d.message for d in without.provenance.diagnostics)  # type: ignore
    monkeypatch.setenv("CONVERTER_JATS_DTD", str(jats_dtd))
    assert parse(data, ReadOptions(format="jats")).title == "A\u2014B C \U0001d6c2"


def test_an_affiliation_no_contributor_points_to_is_kept() -> None:
    data = (b"<article><front><article-meta><title-group><article-title>T</article-title>"
            b"</title-group><aff>Lonely University</aff><aff id='a9'>Unused Institute</aff>"
            b"</article-meta></front></article>")
    article = parse(data, ReadOptions(format="jats"))
    kept = article.extra["jats_unmapped"]
    assert kept["/article/front/article-meta/aff[1]"] == "<aff>Lonely University</aff>"
    assert "Unused Institute" in kept["/article/front/article-meta/aff[2]"]
