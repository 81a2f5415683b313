"""The article-text reader (converter/readers/text.py) and input decoding (readers/decode.py).

Reader tests start from the two seeds in ../shared/seeds, hand-made inputs in tests/data/text and
real article text from ../shared/corpus/html-articles (read in place); every article goes through
``converter.pipeline.parse``, which validates it against the schema.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from converter.errors import InputError
from converter.model import (
    Article,
    BulletList,
    Heading,
    OrderedList,
    Paragraph,
    Speech,
    block_text,
    inline_text,
)
from converter.model.schema import validate_article
from converter.options import ReadOptions
from converter.pipeline import detect_format, parse
from converter.readers import text as text_module
from converter.readers.decode import decode_text
from converter.readers.text import DEFAULT_BOILERPLATE_HEADINGS, TextReader, title_from_text

TEXT_DATA = DATA / "text"

TITLE_001 = "Global Insider: Envoy Exchange Part of Promising Shift in Serbia-Kosovo Relations"
SUMMARY_001 = ("Serbia and Kosovo agreed last month to exchange envoys for the first time in "
               "response to a broader European Union push for the two to improve relations.")
DISCLAIMER_START = "Carnegie does not take institutional positions"
TEASER_TITLES = (
    "What Can the EU Do About Trump 2.0?", "Can the EU Meet the Trump Moment?",
    "Malaysia’s Year as ASEAN Chair", "When It Comes to Superpower Geopolitics",
    "Neither Comrade nor Ally", "China’s Mediation Offer", "China Is Determined to Hold Firm",
)


def parse_text(data: bytes, **options: Any) -> Article:
    return parse(data, ReadOptions(file_name="input.txt", **options))


def turns(article: Article) -> list[tuple[str, str]]:
    """(speaker, text) of each speech turn of the body."""
    return [(b.speaker, block_text(b.blocks)) for b in article.body if isinstance(b, Speech)]


def labelled_paragraphs(path: Path) -> list[tuple[str, str]]:
    """The file's own 'Speaker: text' paragraphs, split at the first colon."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(WPR|Stefan Lehne): (.+)$", line.strip())
        if match:
            out.append((match[1], match[2]))
    return out


def all_strings(value: Any) -> list[str]:
    """Every string (values and keys) in a JSON-like value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *all_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in all_strings(v)]
    return [] if value is None else [str(value)]


#: words a reader may consume when it turns a line into metadata ("Source: X" -> source X)
METADATA_WORDS = {"source", "photo", "photos", "image", "credit", "credits", "courtesy", "of",
                  "by", "and", "this", "the", "article", "originally", "first", "appeared",
                  "published", "in", "on", "at", "was", "is", "has", "been", "picture",
                  "illustration", "reprinted", "republished", "from", "with", "permission"}


def lost_words(source: str, article: Article) -> set[str]:
    """Words of the input that appear nowhere in the article (metadata phrases aside)."""
    words = set(re.findall(r"\w+", source.casefold()))
    kept = set(re.findall(r"\w+", " ".join(all_strings(article.to_dict())).casefold()))
    return words - kept - METADATA_WORDS


# --------------------------------------------------------------------------- seed 001 (scraped)


@pytest.fixture(scope="module")
def scraped(seed_scraped: Path) -> Article:
    return parse(seed_scraped)


def test_scraped_title_abstract_source(scraped: Article) -> None:
    assert scraped.title == TITLE_001
    assert [block_text([b]) for b in scraped.abstract] == [SUMMARY_001]
    assert isinstance(scraped.abstract[0], Paragraph) and len(scraped.abstract) == 1
    assert scraped.source_publication is not None
    assert scraped.source_publication.name == "World Politics Review"
    assert scraped.image_credits == ["Getty"]


def test_scraped_contributor_role_and_bio(scraped: Article) -> None:
    assert [c.name for c in scraped.contributors] == ["Stefan Lehne"]
    lehne = scraped.contributors[0]
    assert lehne.role == "Senior Fellow, Carnegie Europe"
    assert block_text(lehne.bio) == (
        "Stefan Lehne is a senior fellow at Carnegie Europe in Brussels, where his research "
        "focuses on the post–Lisbon Treaty development of the European Union’s foreign policy, "
        "with a specific focus on relations between the EU and member states.")


def test_scraped_six_alternating_turns_equal_the_file(scraped: Article,
                                                      seed_scraped: Path) -> None:
    assert all(isinstance(b, Speech) for b in scraped.body)
    assert turns(scraped) == labelled_paragraphs(seed_scraped)
    assert [s for s, _ in turns(scraped)] == ["WPR", "Stefan Lehne"] * 3
    roles = {b.speaker: b.speaker_role for b in scraped.body if isinstance(b, Speech)}
    assert roles == {"WPR": "interviewer", "Stefan Lehne": "interviewee"}
    assert all(len(b.blocks) == 1 for b in scraped.body if isinstance(b, Speech))


def test_scraped_body_holds_no_boilerplate(scraped: Article) -> None:
    body = block_text(scraped.body)
    for unwanted in (*TEASER_TITLES, "About the Author", "Source:", DISCLAIMER_START,
                     "Recent Work", "More Work from", '"authors"', "{", "legacyinthemedia",
                     "Elina Noor", "Senior Fellow"):
        assert unwanted not in body


def test_scraped_boilerplate_kept_in_discarded_with_reasons(scraped: Article) -> None:
    discarded = "\n".join(d.text for d in scraped.discarded)
    for title in TEASER_TITLES:
        assert title in discarded
    for summary_or_byline in ("Malaysia’s chairmanship sought", "Pongphisoot (Paul) Busbarat",
                              "Rick Waters, Sheena Chestnut Greitens", "Recent Work",
                              "More Work from Carnegie China"):
        assert summary_or_byline in discarded
    assert all(d.reason and d.place for d in scraped.discarded)
    teasers = [d for d in scraped.discarded if d.text.startswith("- ")]
    assert len(teasers) == 7
    assert all("teaser" in d.reason for d in teasers)


def test_scraped_disclaimer_goes_to_rights(scraped: Article) -> None:
    assert scraped.rights is not None and scraped.rights.disclaimer is not None
    assert scraped.rights.disclaimer.startswith(DISCLAIMER_START)
    assert scraped.rights.disclaimer.endswith("its staff, or its trustees.")


def test_scraped_json_header_mapping(scraped: Article) -> None:
    assert scraped.subjects == {
        "centers": ["Carnegie Endowment for International Peace", "Carnegie Europe"],
        "collections": ["Europe’s Eastern Neighborhood", "EU Integration and Enlargement"],
        "regions": ["Europe", "Eastern Europe", "Western Europe"],
        "topics": ["Foreign Policy", "EU", "Political Reform"],
    }
    # every other key verbatim, the empty subject lists included: nothing is lost
    assert scraped.extra == {
        "type": "legacyinthemedia", "centerAffiliationAll": "", "englishNewsletterAll": "",
        "nonEnglishNewsletterAll": "", "primaryCenter": "Carnegie Europe",
        "programAffiliation": "", "programs": [], "projects": [],
    }
    assert scraped.article_type is None


def test_scraped_loses_no_words(scraped: Article, seed_scraped: Path) -> None:
    assert lost_words(seed_scraped.read_text(encoding="utf-8"), scraped) == set()


# --------------------------------------------------------------------------- seed 000 (plain)


@pytest.fixture(scope="module")
def plain(seed_plain: Path) -> Article:
    return parse(seed_plain)


def test_plain_lead_then_the_same_six_turns(plain: Article, scraped: Article) -> None:
    assert isinstance(plain.body[0], Paragraph)
    assert block_text([plain.body[0]]).startswith("Serbia and Kosovo agreed last month")
    assert block_text([plain.body[0]]).endswith("the challenges that remain.")
    assert all(isinstance(b, Speech) for b in plain.body[1:])
    assert len(plain.body) == 7
    assert turns(plain) == turns(scraped)
    assert [b.speaker_role for b in plain.body[1:] if isinstance(b, Speech)] == \
        ["interviewer", "interviewee"] * 3


def test_plain_source_line_is_metadata(plain: Article) -> None:
    assert plain.source_publication is not None
    assert plain.source_publication.name == "World Politics Review"
    assert plain.source_publication.relation == "originally appeared in"
    assert "originally appeared" not in block_text(plain.body)


def test_plain_title_fallback_warns(plain: Article) -> None:
    assert plain.title == "Serbia and Kosovo agreed last month to exchange envoys for the first " \
        "time in…"
    assert plain.provenance is not None
    codes = [(d.level, d.code) for d in plain.provenance.diagnostics]
    assert codes == [("warning", "title-fallback"), ("info", "language-detected")]
    assert plain.provenance.encoding == "utf-8"
    assert plain.provenance.format == "text"


def test_seeds_are_deterministic(seed_plain: Path, seed_scraped: Path) -> None:
    for path in (seed_plain, seed_scraped):
        assert parse(path).to_json() == parse(path).to_json()


def test_samples_match_seeds(seed_plain: Path, seed_scraped: Path) -> None:
    samples = Path(__file__).resolve().parent.parent / "samples"
    for seed in (seed_plain, seed_scraped):
        assert (samples / seed.name).read_bytes() == seed.read_bytes()


# --------------------------------------------------------------------------- heuristics


def test_title_fallback_rules() -> None:
    assert title_from_text("Short first sentence here. Then more.") == "Short first sentence here"
    assert title_from_text("Is this a question worth asking? Yes.") == \
        "Is this a question worth asking?"
    # too short to be a sentence: go on to the next full stop
    assert title_from_text("Am 12. September beginnt die Messe in Köln. Mehr.") == \
        "Am 12. September beginnt die Messe in Köln"
    long = "word " * 40
    title = title_from_text(long)
    assert title.endswith("…") and len(title) <= 81 and "  " not in title
    assert title_from_text("x" * 300) == "x" * 80 + "…"


def test_labels_that_do_not_recur_are_not_speakers() -> None:
    article = parse(TEXT_DATA / "labels-not-speakers.txt")
    assert article.title == "Global Insider: Harbour Towns Rebuild After the Storm"
    assert not any(isinstance(b, Speech) for b in article.body)
    body = block_text(article.body)
    assert "Washington: The federal government" in body
    assert "Note: figures are provisional" in body
    # a mid-article "Source:" line cites data; it is no source publication
    assert "Source: Regional Statistics Office" in body
    assert article.source_publication is None
    assert article.image_credits == ["Harbour Authority"]
    assert article.provenance is not None and not [
        d for d in article.provenance.diagnostics if not d.code.startswith("language-")]


def test_question_and_answer_interview() -> None:
    article = parse(TEXT_DATA / "qa-interview.txt")
    speeches = [b for b in article.body if isinstance(b, Speech)]
    assert [(s.speaker, s.speaker_role) for s in speeches] == \
        [("Q", "interviewer"), ("A", "interviewee")] * 3
    # an unlabelled paragraph between turns continues the answer
    assert len(speeches[1].blocks) == 2
    assert block_text(speeches[1].blocks[1:]).startswith("I called a beekeeper")
    # the editor's note after the last turn is not part of the answer
    assert isinstance(article.body[-1], Paragraph)
    assert block_text([article.body[-1]]) == "This interview has been edited for length and " \
        "clarity."
    assert isinstance(article.body[0], Paragraph)


def test_roles_stay_open_when_undeterminable() -> None:
    text = (b"Two Voices\n\nAnna: I think the bridge will open in spring.\n\n"
            b"Ben: The contractors told me the same.\n\nAnna: Then we agree.\n\n"
            b"Ben: For once.\n")
    speeches = [b for b in parse_text(text).body if isinstance(b, Speech)]
    assert [s.speaker for s in speeches] == ["Anna", "Ben", "Anna", "Ben"]
    assert {s.speaker_role for s in speeches} == {None}


def test_a_label_repeated_without_alternation_is_no_speaker() -> None:
    text = (b"Notes From the Field\n\nMorning: we walked to the river.\n\n"
            b"Morning: the fog lifted late.\n\nIn the afternoon it rained.\n")
    article = parse_text(text)
    assert not any(isinstance(b, Speech) for b in article.body)


def test_hard_wrapped_text_lists_headings_byline_and_dated_source() -> None:
    article = parse(TEXT_DATA / "wrapped.txt")
    assert article.title == "The Quiet Return of the Night Train"
    assert [c.name for c in article.contributors] == ["Jane Doe", "John Roe"]
    kinds = [type(b) for b in article.body]
    assert kinds == [Paragraph, Paragraph, Heading, Paragraph, BulletList, OrderedList,
                     Paragraph]
    assert block_text([article.body[0]]) == (
        "Night trains were written off a decade ago as a relic of an age before cheap flights, "
        "but across the continent operators are ordering new sleeping cars and reopening routes "
        "that closed in the 1990s.")
    heading = article.body[2]
    assert isinstance(heading, Heading) and inline_text(heading.content) == \
        "What the operators want"
    bullets = article.body[4]
    assert isinstance(bullets, BulletList) and len(bullets.items) == 3
    ordered = article.body[5]
    assert isinstance(ordered, OrderedList) and ordered.start == 1 and len(ordered.items) == 2
    source = article.source_publication
    assert source is not None
    assert (source.name, source.relation, source.date) == \
        ("The Example Quarterly", "originally published in", "2014-03-03")


@pytest.mark.parametrize("line, name, relation", [
    ("This article originally appeared in World Politics Review.", "World Politics Review",
     "originally appeared in"),
    ("This article originally\u00a0appeared in The Review.", "The Review",
     "originally appeared in"),
    ("Originally published by Example Press.", "Example Press", "originally published by"),
    ("This piece was first published on Example.org on 5 May 2019.", "Example.org",
     "first published on"),
    ("Reprinted with permission from The Quarterly.", "The Quarterly",
     "reprinted with permission from"),
    ("Source: The Daily Example", "The Daily Example", "source"),
])
def test_closing_source_lines(line: str, name: str, relation: str) -> None:
    text = f"A Title Line\n\nThe only paragraph of the article body.\n\n{line}\n".encode()
    article = parse_text(text)
    assert article.source_publication is not None
    assert (article.source_publication.name, article.source_publication.relation) == \
        (name, relation)
    assert block_text(article.body) == "The only paragraph of the article body."


def test_sentence_that_merely_mentions_publishing_stays_in_the_body() -> None:
    text = b"A Title Line\n\nThe body.\n\nThis article has been adapted from its original source.\n"
    article = parse_text(text)
    assert article.source_publication is None
    assert "adapted from its original source" in block_text(article.body)


def test_multiple_authors_section_and_default_boilerplate() -> None:
    article = parse(TEXT_DATA / "scraped-multi.txt")
    assert article.title == "Rivers Without Borders"
    assert article.language == "en" and article.dates == {"published": "2021-06-04"}
    assert article.subjects == {"tags": ["Water", "Diplomacy"]}
    assert article.extra == {"categories": [], "pageViews": 1234}
    fischer, haddad = article.contributors
    assert (fischer.name, fischer.role) == ("Lena Fischer", "Senior Researcher, Example Institute")
    assert block_text(fischer.bio) == "Lena Fischer studies transboundary water agreements."
    assert (haddad.name, haddad.role) == ("Omar Haddad", None)
    assert block_text(haddad.bio) == "Omar Haddad is a journalist based in Amman."
    assert article.rights is not None and article.rights.disclaimer is not None
    assert article.rights.disclaimer.startswith("The views expressed in this article")
    body = block_text(article.body)
    assert "Related Articles" not in body and "Politics of Drought" not in body
    assert "Related Articles" in DEFAULT_BOILERPLATE_HEADINGS
    assert any("Politics of Drought" in d.text for d in article.discarded)


def test_boilerplate_headings_option_extends_the_defaults() -> None:
    path = TEXT_DATA / "custom-boilerplate.txt"
    without = parse(path)
    assert "Ten Castles Worth the Detour" in block_text(without.body)
    configured = parse(path, ReadOptions(boilerplate_headings=("Elsewhere on the site",)))
    body = block_text(configured.body)
    assert "Ten Castles" not in body and "Elsewhere" not in body and "Anna Berg" not in body
    assert body.endswith("the café stays open until midnight.")
    reasons = {d.text.split("\n")[0]: d.reason for d in configured.discarded}
    assert reasons["Elsewhere on the Site"] == "boilerplate section heading"
    assert "teaser" in reasons["- Ten Castles Worth the Detour"]
    assert "teaser" in reasons["- How Libraries Became Community Centres"]


def test_no_site_names_in_the_code() -> None:
    source = Path(text_module.__file__).read_text(encoding="utf-8")
    for name in ("Carnegie", "WPR", "World Politics Review", "Lehne", "Getty"):
        assert name not in source


# --------------------------------------------------------------------------- JSON header


def test_malformed_json_header_falls_back_to_the_text() -> None:
    article = parse(TEXT_DATA / "malformed-header.txt")
    assert article.title == "Wind Farms Move Offshore"
    assert [c.name for c in article.contributors] == ["Alex Morgan"]  # from the byline
    assert article.image_credits == ["Example Agency"]
    assert article.source_publication is not None
    assert article.source_publication.name == "The Example Review"
    assert block_text(article.abstract) == \
        "The next generation of turbines is too large to transport by road."
    raw = [d for d in article.discarded if d.reason == "malformed JSON metadata header"]
    assert len(raw) == 1 and raw[0].text.startswith("{") and raw[0].text.endswith("}")
    assert '"Energy"' in raw[0].text
    assert article.provenance is not None
    warnings = [d for d in article.provenance.diagnostics if d.code == "malformed-header"]
    assert len(warnings) == 1 and warnings[0].level == "warning"
    assert "Engineers say" in block_text(article.body)
    assert "{" not in block_text(article.body)


def test_unterminated_json_header_never_crashes() -> None:
    article = parse_text(b'{\n"authors": ["A B"],\n"topics": [\n')
    assert article.provenance is not None
    assert any(d.code == "malformed-header" for d in article.provenance.diagnostics)
    assert article.title == "Untitled"


def test_header_with_object_authors_and_odd_values() -> None:
    header = {"authors": [{"name": "Ada Lovelace"}], "topics": "Computing", "date": "someday",
              "summary": "A summary from the header.", "nested": {"a": [1, 2]}}
    text = (json.dumps(header, indent=1) + "\nAn Engine for Numbers\n\nThe body text.\n").encode()
    article = parse_text(text)
    assert [c.name for c in article.contributors] == ["Ada Lovelace"]
    assert article.subjects == {"topics": ["Computing"]}
    assert article.extra == {"date": "someday", "nested": {"a": [1, 2]}}
    assert block_text(article.abstract) == "A summary from the header."
    assert article.title == "An Engine for Numbers"


# --------------------------------------------------------------------------- decoding


@pytest.mark.parametrize("name, encoding, title", [
    ("crlf.txt", "utf-8", "A Title With Windows Line Endings"),
    ("cr.txt", "utf-8", "A Title With Old Mac Line Endings"),
    ("bom.txt", "utf-8-sig", "A Title After a Byte-Order Mark"),
    ("cp1252.txt", "windows-1252", "Café Society in the “Old Town”"),
])
def test_encodings_and_line_endings(name: str, encoding: str, title: str) -> None:
    article = parse(TEXT_DATA / name)
    assert article.title == title
    assert article.provenance is not None and article.provenance.encoding == encoding
    assert "\r" not in article.to_json() and "\ufeff" not in article.to_json()
    legacy = [d for d in article.provenance.diagnostics if d.code == "legacy-encoding"]
    assert bool(legacy) == (encoding == "windows-1252")
    assert len(article.body) >= 1


def test_crlf_text_reads_like_lf_text() -> None:
    crlf = parse_text((TEXT_DATA / "crlf.txt").read_bytes())
    lf = parse_text((TEXT_DATA / "crlf.txt").read_bytes().replace(b"\r\n", b"\n"))
    assert crlf.body == lf.body and crlf.title == lf.title


def test_cp1252_text_is_decoded_correctly() -> None:
    article = parse(TEXT_DATA / "cp1252.txt")
    assert block_text(article.body) == \
        "The cafés of the old town – some of them a century old – are full again."


def test_bytes_undefined_in_cp1252_fall_back_to_latin1() -> None:
    decoded = decode_text(b"Caf\xe9 \x81 bar")
    assert decoded.encoding == "iso-8859-1" and decoded.legacy
    assert decoded.text == "Caf\u00e9 \u0081 bar"


def test_utf16_with_byte_order_mark() -> None:
    data = "\ufeffA Title in UTF-16\n\nBody text, naïve.\n".encode("utf-16-le")
    article = parse_text(data)
    assert article.title == "A Title in UTF-16"
    assert article.provenance is not None and article.provenance.encoding == "utf-16-le"


def test_form_feed_and_stray_controls() -> None:
    article = parse_text(b"A Title Line\n\nPage one.\x0cPage two\x07 rings.\n")
    assert block_text(article.body) == "Page one.\nPage two rings."
    assert article.provenance is not None
    assert [d.code for d in article.provenance.diagnostics
            if not d.code.startswith("language-")] == ["control-characters"]


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b"  \n\t\r\n  \n", "only whitespace"),
    (b"A title\n\nSome text\x00 with a NUL byte.\n", "NUL bytes"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF document"),
    (bytes(range(1, 32)) * 20, "control characters"),
])
def test_bad_inputs_are_refused_with_one_line(data: bytes, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(data, ReadOptions(file_name="bad.txt", format="text"))
    message = str(caught.value)
    assert reason in message
    assert "\n" not in message
    assert message.startswith("bad.txt: ")


def test_bad_file_on_disk_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.txt: empty file"):
        parse(path)


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize("data, expected", [
    (b"Just some words of text.\n", True),
    ("Gr\u00fc\u00dfe aus K\u00f6ln\n".encode("cp1252"), True),
    (b'{"schema_version": "1.0", "title": "x"}', False),
    (b'[1, 2, 3]', False),
    (b'{\n"authors": ["A"]\n}Source: X\nTitle\n\nBody.\n', True),
    (b'<?xml version="1.0"?><article/>', False),
    (b"<!DOCTYPE html><html><body>x</body></html>", False),
    (b"  <html lang='en'><p>x</p></html>", False),
    (b"---\ntitle: A\n---\n\nBody text.\n", False),
    (b"---\n\nA line of dashes above, then text.\n", True),
    (b"", False),
    (b"\x00\x01\x02binary", False),
])
def test_sniff(data: bytes, expected: bool) -> None:
    assert TextReader().sniff(data, None) is expected


def test_seeds_are_detected_as_text(seed_plain: Path, seed_scraped: Path) -> None:
    for path in (seed_plain, seed_scraped):
        assert TextReader().sniff(path.read_bytes(), path.name)
        assert detect_format(path.read_bytes(), path.name) == "text"


# --------------------------------------------------------------------------- generality


def _corpus_texts(corpus: Path) -> list[tuple[str, str]]:
    folder = corpus / "html-articles"
    files = sorted(folder.glob("*.json"))
    assert len(files) >= 30, f"expected the 30 html-articles ground truths in {folder}"
    return [(f.stem[:12], json.loads(f.read_text(encoding="utf-8"))["articleBody"])
            for f in files]


def test_real_article_text_reads_cleanly(corpus: Path) -> None:
    """Thirty real articles (ground-truth text of news pages): each validates, loses no words,
    finds no interview where there is none, and reads the same twice."""
    for name, body in _corpus_texts(corpus):
        article = parse_text(body.encode("utf-8"))
        assert lost_words(body, article) == set(), name
        assert not any(isinstance(b, Speech) for b in article.body), name
        assert article.title and len(article.title) <= 200, name
        assert parse_text(body.encode("utf-8")).to_json() == article.to_json(), name


def _plain_text(article: Article) -> str:
    """An article as someone would paste it: title, paragraphs, 'Speaker: text' turns."""
    parts = [article.title]
    for block in article.body:
        if isinstance(block, Speech):
            parts.append(f"{block.speaker}: {block_text(block.blocks)}")
        else:
            parts.append(block_text([block]))
    return "\n\n".join(p for p in parts if p.strip())


@settings(max_examples=25)
@given(st.data())
def test_generated_articles_as_text_never_break_the_reader(data: st.DataObject) -> None:
    from strategies import articles

    source = _plain_text(data.draw(articles()))
    article = TextReader().read(source.encode("utf-8"), ReadOptions())
    validate_article(article)
    assert lost_words(source, article) == set()


@settings(max_examples=60)
@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=400))
def test_any_text_gives_a_valid_article_or_an_input_error(text: str) -> None:
    try:
        article = TextReader().read(text.encode("utf-8"), ReadOptions())
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    validate_article(article)


def test_text_glued_after_the_header_that_is_no_credit_is_the_title() -> None:
    article = parse_text(b'{"topics": ["Ports"]}Harbour Cranes Grow Taller\n\nThe body text.\n')
    assert article.title == "Harbour Cranes Grow Taller"
    assert article.subjects == {"topics": ["Ports"]}
    assert article.image_credits == []


def test_words_like_picture_or_source_without_a_colon_are_no_credits() -> None:
    text = (b"A Title Line\n\nPicture this: a city without cars.\n\n"
            b"Source material was scarce.\n\nCourtesy of the archive, we saw the plans.\n")
    article = parse_text(text)
    assert article.image_credits == []
    assert len(article.body) == 3


def test_author_section_without_known_authors_adds_them() -> None:
    text = (b"Bridges of the North\n\nThe body of the article, in one paragraph.\n\n"
            b"About the Authors\n\nKari Nordmann\n\nBridge Engineer\n\n"
            b"Kari Nordmann designs footbridges.\n\nOla Hansen\n\n"
            b"Ola Hansen writes about infrastructure.\n\nRelated\n\n- Another story\n")
    article = parse_text(text)
    assert [(c.name, c.role, block_text(c.bio)) for c in article.contributors] == [
        ("Kari Nordmann", "Bridge Engineer", "Kari Nordmann designs footbridges."),
        ("Ola Hansen", None, "Ola Hansen writes about infrastructure."),
    ]
    assert block_text(article.body) == "The body of the article, in one paragraph."


def test_byline_of_an_agency_and_a_wrapped_dek() -> None:
    text = (b"Grain Prices Climb Again\n"
            b"Traders blame the weather in the southern hemisphere and a\n"
            b"weaker currency for the third rise in a month.\n\n"
            b"By Reuters\n\nWheat futures rose on Tuesday.\n")
    article = parse_text(text)
    assert [c.name for c in article.contributors] == ["Reuters"]
    assert [block_text([p]) for p in article.abstract] == [
        "Traders blame the weather in the southern hemisphere and a weaker currency for the "
        "third rise in a month."]
    assert block_text(article.body) == "Wheat futures rose on Tuesday."


def test_a_title_with_one_line_under_it_keeps_that_line_as_body() -> None:
    article = parse_text(b"A Title Line\nThe only line of text.\n")
    assert article.title == "A Title Line"
    assert block_text(article.body) == "The only line of text."
    assert article.abstract == []


def test_title_override_replaces_the_fallback_without_a_warning(seed_plain: Path) -> None:
    article = parse(seed_plain, ReadOptions(overrides={"title": "Envoy Exchange"}))
    assert article.title == "Envoy Exchange"
    assert article.provenance is not None
    assert [(d.level, d.code) for d in article.provenance.diagnostics
            if not d.code.startswith("language-")] == \
        [("info", "title-fallback")]
