"""The fidelity read-back (converter/checks/fidelity.py): renditions read back and compared.

Every rendition of the seeds and of the feature article reads back whole; a writer plug-in that
drops one paragraph is caught (in process, in the bag's PREMIS record, and through the command
line with --fail-on-warnings); the comparison says what differs and stays fast on long texts.
"""

from __future__ import annotations

import copy
import itertools
import time
from dataclasses import replace
from pathlib import Path

import pytest
from batch_support import by_relative, install_plugin, load_report, run_cli
from feature_article import feature_article
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from converter.checks.fidelity import (
    READ_BACKS,
    Alignment,
    ReadBack,
    common_subsequence,
    compare,
    count_nodes,
    fidelity_runs,
    units,
    words,
)
from converter.model import (
    Article,
    Contributor,
    Note,
    Paragraph,
    Speech,
    Table,
    TableCell,
    TableRow,
    Text,
)
from converter.options import BagOptions, WriteOptions
from converter.pipeline import check_fidelity, make_rendition, parse, write_outputs, write_package
from converter.registry import BUILTIN_READERS, BUILTIN_WRITERS, FormatInfo, Registry

FORMATS = ("json", "markdown", "jats", "epub")

#: a writer plug-in that loses text: the canonical JSON without the body's first paragraph
LOSSY_PLUGIN = '''
"""Canonical JSON that leaves out the body's first paragraph (a test of the fidelity read-back)."""
import copy

from converter.model import Paragraph, Speech
from converter.writers.json import JsonWriter


class LossyJsonWriter:
    name = "json"
    extension = ".json"
    version = "0.1"
    description = "canonical JSON that drops a paragraph"

    def write(self, article, options):
        damaged = copy.deepcopy(article)
        for holder in [damaged.body, *(b.blocks for b in damaged.body if isinstance(b, Speech))]:
            for i, block in enumerate(holder):
                if isinstance(block, Paragraph):
                    del holder[i]
                    return JsonWriter().write(damaged, options)
        raise AssertionError("no paragraph to drop")
'''


def lossy_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Registry:
    """The built-ins with the lossy plug-in in place of the JSON writer."""
    (tmp_path / "lossy_writer.py").write_text(LOSSY_PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    lossy = FormatInfo("json", "writer", "lossy_writer:LossyJsonWriter", "lossy JSON",
                       extensions=(".json",), builtin=False, version="0.1")
    writers = [w for w in BUILTIN_WRITERS if w.name != "json"]
    return Registry([*BUILTIN_READERS, *writers, lossy])


def first_paragraph_words(article: Article) -> list[str]:
    for block in article.body:
        for candidate in [block, *(block.blocks if isinstance(block, Speech) else [])]:
            if isinstance(candidate, Paragraph):
                return words([candidate])
    raise AssertionError("no paragraph")


# --------------------------------------------------------------------------- whole read-backs


@pytest.mark.parametrize("which", ["seed_plain", "seed_scraped", "feature"])
def test_every_rendition_of_the_seeds_and_the_feature_article_reads_back_whole(
        which: str, request: pytest.FixtureRequest) -> None:
    article = feature_article() if which == "feature" else parse(request.getfixturevalue(which))
    checks = check_fidelity(article, FORMATS)
    assert list(checks) == list(FORMATS)
    for fmt, check in checks.items():
        assert (check.name, check.passed, check.score, check.notes) == (
            "fidelity", True, 1.0, ()), fmt
        assert check.detail.startswith(f"the {fmt} rendition read back with")
    noticed = article.provenance.diagnostics if article.provenance else []
    assert not [d for d in noticed if d.code == "fidelity"]


def test_json_and_jats_are_always_read_back_markdown_and_epub_when_checks_are_asked_for(
        seed_scraped: Path) -> None:
    assert [f for f in FORMATS if fidelity_runs(f, WriteOptions())] == ["json", "jats"]
    assert [f for f in FORMATS if fidelity_runs(f, WriteOptions(check=True))] == list(FORMATS)
    assert not fidelity_runs("pandoc", WriteOptions(check=True))  # docx, odt, ...: no read-back
    article = parse(seed_scraped)
    assert make_rendition(article, "markdown").checks == ()
    (check,) = make_rendition(article, "md", WriteOptions(check=True)).checks
    assert check.passed and check.score == 1.0
    assert make_rendition(article, "docx", WriteOptions(check=True)).checks == ()


def test_only_a_failed_check_of_level_error_fails_its_input() -> None:
    from converter.errors import ValidationError
    from converter.pipeline import enforce_checks
    from converter.registry import Check, Rendition

    lossy = Check("fidelity", "read-back", "1", False, "read back", ("body: lost",), 0.5,
                  level="warning")
    invalid = Check("epubcheck", "EPUBCheck", "5", False, "EPUB 3.3", ("ERROR: bad",))
    assert enforce_checks(Rendition(b"x", checks=(lossy,)), WriteOptions()).checks == (lossy,)
    with pytest.raises(ValidationError, match="failed epubcheck"):
        enforce_checks(Rendition(b"x", checks=(lossy, invalid)), WriteOptions())


def test_a_format_without_a_read_back_is_a_usage_error(seed_scraped: Path) -> None:
    from converter.errors import UsageError

    with pytest.raises(UsageError, match="'docx' renditions are not read back"):
        check_fidelity(parse(seed_scraped), ["json", "docx"])


# --------------------------------------------------------------------------- a lossy writer


def test_a_writer_that_drops_a_paragraph_is_caught(tmp_path: Path, seed_scraped: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    registry = lossy_registry(tmp_path, monkeypatch)
    article = parse(seed_scraped)
    dropped = first_paragraph_words(article)
    total = len(words(article.body))

    rendition = make_rendition(article, "json", registry=registry)  # a warning: no exception
    (check,) = rendition.checks
    assert not check.passed and check.level == "warning"
    assert check.score == pytest.approx((total - len(dropped)) / total, abs=1e-4)
    assert check.score is not None and check.score < 1.0
    assert check.notes[0].startswith(
        f"body: {total - len(dropped)} of {total} words kept in order; lost: {len(dropped)} "
        f"words from word ")
    assert " ".join(dropped[:8]) in check.notes[0]
    (warning,) = [d for d in rendition.diagnostics if d.code == "fidelity"]
    assert warning.level == "warning" and warning.place == "json"
    assert "the json rendition does not read back as written" in warning.message

    # written: the record carries the check, the article the warning
    (record,) = write_outputs(article, tmp_path / "out", "a", ["json"], registry=registry)
    assert record.checks == (check,)
    assert [d.code for d in article.provenance.diagnostics].count("fidelity") == 1

    # a threshold below what was lost lets it pass, without a warning
    lenient = WriteOptions(fidelity_threshold=check.score - 0.001)
    (passed,) = make_rendition(article, "json", lenient, registry).checks
    assert passed.passed and passed.score == check.score and passed.notes == check.notes
    assert "at least" in passed.detail


def test_the_bag_records_the_failed_read_back_in_premis(tmp_path: Path, seed_scraped: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    registry = lossy_registry(tmp_path, monkeypatch)
    article = parse(seed_scraped)
    options = WriteOptions(bag=BagOptions(renditions=("json",)), source_path=seed_scraped)
    write_package(article, tmp_path / "a.bag", options, registry)
    tree = etree.parse(str(tmp_path / "a.bag" / "metadata" / "premis.xml"))
    ns = {"p": "http://www.loc.gov/premis/v3"}
    (event,) = tree.xpath('//p:event[p:eventType="validation"][.//p:eventDetail['
                          'starts-with(., "fidelity")]]', namespaces=ns)
    assert event.xpath(".//p:eventOutcome/text()", namespaces=ns) == ["fail"]
    notes = event.xpath(".//p:eventOutcomeDetailNote/text()", namespaces=ns)
    assert notes[0].startswith("score 0.9") and notes[1].startswith("body: ")
    assert event.xpath(".//p:linkingAgentRole/text()", namespaces=ns) == ["validator"]
    assert event.xpath(".//p:linkingObjectIdentifierValue/text()", namespaces=ns) == [
        "data/article.json"]
    assert "fidelity" in [d.code for d in article.provenance.diagnostics]


def lossy_site(tmp_path: Path) -> Path:
    return install_plugin(tmp_path / "site", "lossy-json", {"lossy_writer.py": LOSSY_PLUGIN},
                          {"converter.writers": {"json": "lossy_writer:LossyJsonWriter"}})


def test_the_report_lists_checks_and_fail_on_warnings_fails_a_lossy_output(
        tmp_path: Path, seed_scraped: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_bytes(seed_scraped.read_bytes())

    clean = run_cli("convert", src, "-o", tmp_path / "clean", "--to", "json,markdown,jats")
    assert clean.returncode == 0, clean.stderr
    outputs = by_relative(load_report(tmp_path / "clean" / "report.json"))["a.txt"]["outputs"]
    assert {o["format"]: o.get("checks") for o in outputs} == {
        "json": [{"name": "fidelity", "passed": True, "score": 1.0, "notes": []}],
        "markdown": None,  # a pandoc process each: only with --check
        "jats": [{"name": "fidelity", "passed": True, "score": 1.0, "notes": []}]}

    site = lossy_site(tmp_path)
    lossy = run_cli("convert", src, "-o", out, "--to", "json", pythonpath=[site])
    assert lossy.returncode == 0, lossy.stderr  # a warning, not a failure
    assert "the json rendition does not read back as written" in lossy.stderr
    item = by_relative(load_report(out / "report.json"))["a.txt"]
    (check,) = item["outputs"][0]["checks"]
    assert check["name"] == "fidelity" and check["passed"] is False and check["score"] < 1
    assert check["notes"][0].startswith("body: ")
    assert [d["code"] for d in item["diagnostics"]].count("fidelity") == 1

    strict = run_cli("convert", src, "-o", out, "--to", "json", "--force",
                     "--fail-on-warnings", pythonpath=[site])
    assert strict.returncode == 1
    item = by_relative(load_report(out / "report.json"))["a.txt"]
    assert item["status"] == "failed" and "--fail-on-warnings" in item["errors"][0]
    assert not (out / "a.json").exists()


def test_check_fidelity_command(tmp_path: Path, seed_scraped: Path) -> None:
    done = run_cli("check-fidelity", seed_scraped)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{seed_scraped}: {fmt}: passed, score 1.0000"
                                        for fmt in FORMATS]

    lossy = run_cli("check-fidelity", seed_scraped, "--to", "jats,json",
                    pythonpath=[lossy_site(tmp_path)])
    assert lossy.returncode == 1
    jats, json_line = lossy.stdout.splitlines()
    assert jats == f"{seed_scraped}: jats: passed, score 1.0000"
    assert json_line.startswith(f"{seed_scraped}: json: failed, score 0.9")
    assert ": body: " in json_line and "words kept in order; lost: " in json_line

    lenient = run_cli("check-fidelity", seed_scraped, "--to", "json",
                      "--fidelity-threshold", "0.5", pythonpath=[lossy_site(tmp_path)])
    assert lenient.returncode == 0 and ": json: passed, score 0.9" in lenient.stdout

    unknown = run_cli("check-fidelity", seed_scraped, "--to", "docx")
    assert unknown.returncode == 2
    assert "'docx' renditions are not read back" in unknown.stderr


# --------------------------------------------------------------------------- the comparison


def test_words_are_letters_and_digits_in_reading_order() -> None:
    para = Paragraph([Text("“Quoted” <b>&amp; x_y 中文 42 naïve"), Note([Paragraph([
        Text("in the note")])]), Text(" after")])
    turn = Speech("Ana Ruiz", [Paragraph([Text("Yes.")])], "interviewee")
    assert words([para, turn]) == ["Quoted", "b", "amp", "x_y", "中", "文", "42", "naïve",
                                   "after", "in", "the", "note", "Ana", "Ruiz", "Yes"]
    # NFC: a decomposed letter is the same word
    assert words([Paragraph([Text("nai\u0308ve")])]) == ["naïve"]
    assert units([para]) == [("Quoted", "b", "amp", "x_y", "中", "文", "42", "naïve", "after"),
                             ("in", "the", "note")]


def test_alignment_counts_what_is_kept_lost_and_added() -> None:
    ours = [("a", "b", "c"), ("d", "e"), ("f",)]
    same = Alignment(ours, ours)
    assert (same.kept, same.added, same.lost_runs) == (6, 0, [])
    dropped = Alignment(ours, [("a", "b", "c"), ("f",)])
    assert (dropped.kept, dropped.added) == (4, 0)
    assert dropped.lost() == "lost: 2 words from word 4 ('d e')"
    glued = Alignment(ours, [("a", "b", "c"), ("de",), ("f", "g")])
    assert (glued.kept, glued.added) == (4, 2)
    assert glued.added_text() == "added: 1 word from word 4 ('de'), 1 word from word 6 ('g')"
    # one unit against many: aligned word by word all the same
    assert Alignment(ours, [tuple("abcdef")]).kept == 6


def base_article() -> Article:
    return Article(
        title="A title", subtitle="Sub", language="en",
        contributors=[Contributor("Ana Ruiz"), Contributor("The Board", kind="editor")],
        abstract=[Paragraph([Text("The abstract.")])],
        body=[Paragraph([Text("One two"), Note([Paragraph([Text("three")])])]),
              Speech("Q", [Paragraph([Text("four five")])]),
              Table(body=[TableRow([TableCell([Paragraph([Text("six")])])])])])


def test_compare_names_each_difference() -> None:
    ours, exact = base_article(), ReadBack("json")
    same = compare(ours, copy.deepcopy(ours), exact)
    assert (same.share, same.added, same.notes, same.passes(1.0)) == (1.0, 0.0, (), True)
    assert count_nodes(ours.body) == {"speech turns": 1, "tables": 1, "notes": 1}

    back = copy.deepcopy(ours)
    back.title, back.subtitle = "Another  title", None
    back.contributors = back.contributors[:1]
    back.abstract = []
    back.body = [Paragraph([Text("One two three")]), Paragraph([Text("four five six seven")])]
    found = compare(ours, back, exact)
    assert found.notes == (
        "title: 'A title' read back as 'Another title'",
        "subtitle: 'Sub' read back as (none)",
        "contributors: [Ana Ruiz, The Board] read back as [Ana Ruiz]",
        "body: 6 of 7 words kept in order; lost: 1 word from word 4 ('Q')",
        "body: 1 word added; added: 1 word from word 7 ('seven')",
        "abstract: 0 of 2 words kept in order, 0 added",
        "speech turns: 1 read back as 0", "tables: 1 read back as 0", "notes: 1 read back as 0")
    assert found.share == 6 / 7 and found.other and not found.passes(0.5)


def test_the_threshold_judges_words_lost_and_added_alike() -> None:
    ours = Article(title="t", body=[Paragraph([Text(f"w{i}")]) for i in range(100)])
    lost = copy.deepcopy(ours)
    del lost.body[50]
    found = compare(ours, lost, ReadBack("json"))
    assert (found.share, found.other) == (0.99, False)
    assert found.passes(0.99) and not found.passes(1.0)
    added = copy.deepcopy(ours)
    added.body[10:10] = [Paragraph([Text("x y")])]
    found = compare(ours, added, ReadBack("json"))
    assert found.share == 1.0 and found.added == 0.02
    assert found.passes(0.98) and not found.passes(0.99)


def test_epub_is_compared_on_what_it_carries() -> None:
    ours, epub = base_article(), READ_BACKS["epub"]
    back = copy.deepcopy(ours)
    back.contributors = back.contributors[:1]  # the editor is a dc:contributor
    back.abstract = []
    back.body = [Paragraph([Text("A title Sub By Ana Ruiz The abstract.")]),  # the title page
                 Paragraph([Text("One two"), Note([Paragraph([Text("three")])])]),
                 Paragraph([Text("Q: four five")]),  # pandoc reads no speech turns
                 *copy.deepcopy(ours.body[2:]), Paragraph([Text("About the author")])]
    found = compare(ours, back, epub)
    assert (found.share, found.notes) == (1.0, ())
    back.body[0] = Paragraph([Text("A title")])
    assert compare(ours, back, epub).notes == (
        "abstract: 0 of 2 words found in the text; lost: 2 words from word 1 ('The abstract')",)


def test_a_long_text_is_aligned_quickly(seed_scraped: Path) -> None:
    seed = units(parse(seed_scraped).body)
    ours = seed * 200  # about 90,000 words, every paragraph 200 times: the worst for indexes
    title_page = [("A", "title", "page"), ("By", "someone")]
    cut = [*title_page, *ours[:1000], *ours[1001:], ("About", "the", "author")]
    started = time.perf_counter()
    found = Alignment(ours, cut)
    assert time.perf_counter() - started < 10  # about 1 s on a busy 2-core machine
    assert found.kept == sum(map(len, ours)) - len(ours[1000])
    assert found.added == 8


def test_a_rendition_that_cannot_be_read_back_fails_without_a_score(
        seed_scraped: Path) -> None:
    from converter.checks.fidelity import check_rendition
    from converter.registry import default_registry

    article = parse(seed_scraped)
    check = check_rendition(article, b"{not json", "json", default_registry())
    assert check is not None and not check.passed and check.score is None
    assert check.notes[0].startswith("cannot be read back: invalid JSON")
    assert check_rendition(article, b"", "docx", default_registry()) is None
    only_writers = Registry([w for w in BUILTIN_WRITERS])
    assert check_rendition(article, b"{}", "json", only_writers) is None  # not claimed
    made = make_rendition(article, "json", WriteOptions(), only_writers)
    assert made.checks == () and replace(made, checks=()) == made


@given(st.lists(st.sampled_from("abcd"), max_size=30), st.lists(st.sampled_from("abcd"),
                                                                max_size=30))
def test_common_subsequence_is_a_longest_one(a: list[str], b: list[str]) -> None:
    pairs = common_subsequence(a, b, 10_000)
    assert pairs is not None
    assert all(a[i] == b[j] for i, j in pairs)
    assert all(i1 < i2 and j1 < j2 for (i1, j1), (i2, j2) in itertools.pairwise(pairs))
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]  # the textbook dynamic programme
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1],
                                                                        table[i + 1][j])
    assert len(pairs) == table[len(a)][len(b)]
    assert common_subsequence(a, b, -1) is None or not any(x in b for x in a)
