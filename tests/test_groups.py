"""One article in several shapes: the two seeds (one interview, once as clean text and once
scraped from its web page) are recognised as one article in every batch, and with
``--group-renditions`` become one package (bag, OCFL object, transfer entry) with both originals,
the metadata merged field by field and PREMIS relationships between the sources. Distinct
articles of the corpus never group."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from conftest import SEEDS, SHARED
from lxml import etree
from ocfl_util import object_dirs, ocfl_py_root
from test_batch import batch

from converter import parse
from converter.batch.ledger import Ledger
from converter.batch.similarity import (
    MOST_SHAPES,
    THRESHOLD,
    Signature,
    containment,
    groups,
    jaccard,
    signature,
)
from converter.formats.preservation import problems
from converter.model import Speech
from converter.model.merge import merge, preference
from converter.packaging.premis import PREMIS_NS

PLAIN, SCRAPED = "000_9e481615abfa1823.txt", "001_9b75ff939e830440.txt"
SCHEMAS = SHARED / "preservation-schemas"
#: distinct articles of the corpus (JATS from eLife and PLOS, web pages, pandoc test documents)
DISTINCT = ["jats/elife00240.xml", "jats/elife06003.xml", "jats/journal.pbio.0030408.xml",
            "jats/journal.pone.0097541.xml", "pandoc-tests/twenty-years-of-pandoc.md",
            "pandoc-tests/getting-started.md", "pandoc-tests/rst-reader.rst"]
P = f"{{{PREMIS_NS}}}"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1365120000")


def seeds_and_others(tmp_path: Path, corpus: Path, others: list[str]) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for seed in (PLAIN, SCRAPED):
        shutil.copy2(SEEDS / seed, src / seed)
    for name in others:
        shutil.copy2(corpus / name, src / name.replace("/", "-"))
    return src


# --------------------------------------------------------------------------- the measure


def test_the_seeds_are_one_text_and_distinct_articles_are_not(corpus: Path) -> None:
    plain, scraped = signature(parse(SEEDS / PLAIN)), signature(parse(SEEDS / SCRAPED))
    assert plain is not None and scraped is not None
    assert containment(plain, scraped) >= THRESHOLD
    assert jaccard(plain, scraped) > 0.8
    others = [signature(parse(corpus / name)) for name in DISTINCT]
    for i, one in enumerate([plain, *others]):
        for other in others[i:]:
            if one is not other:
                assert one is not None and other is not None
                assert containment(one, other) < 0.2


def test_signatures_are_stable_and_round_trip(seed_plain: Path) -> None:
    one, again = signature(parse(seed_plain)), signature(parse(seed_plain))
    assert one is not None and one == again
    assert Signature.from_bytes(one.to_bytes()) == one
    assert len(one.bands()) == 42 and len(set(one.bands())) == 42


def test_a_group_is_transitive_and_keeps_its_weakest_link() -> None:
    def sig(values: range) -> Signature:
        return Signature(tuple(values), 100)

    same, near = sig(range(128)), sig(range(128))
    far = sig(range(1000, 1128))
    found = groups([(0, 1), (1, 2), (0, 3)], [same, near, near, far].__getitem__)
    assert [g.members for g in found] == [(0, 1, 2)]
    assert found[0].similarity == 1.0


def test_merge_takes_each_field_from_the_source_that_states_it(seed_plain: Path,
                                                               seed_scraped: Path) -> None:
    articles = [parse(seed_plain), parse(seed_scraped)]
    order = preference(articles)
    assert order == [1, 0]  # the scraped page states title, author and bio
    merged = merge([PLAIN if i == 0 else SCRAPED for i in order], [articles[i] for i in order])
    assert merged.title.startswith("Global Insider: Envoy Exchange")
    assert [c.name for c in merged.contributors] == ["Stefan Lehne"]
    assert merged.contributors[0].bio
    assert sum(isinstance(b, Speech) for b in merged.body) == 6
    assert merged.source_publication is not None
    assert merged.source_publication.name == "World Politics Review"
    record = merged.extra["merged"]
    assert record["sources"] == [SCRAPED, PLAIN]
    assert record["fields"]["title"] == SCRAPED
    # the two sources say differently how the interview relates to WPR: kept, and reported
    conflict = {c["field"]: c["values"] for c in record["conflicts"]}
    assert conflict["source_publication.relation"] == {SCRAPED: "source",
                                                       PLAIN: "originally appeared in"}
    codes = [d.code for d in merged.provenance.diagnostics] if merged.provenance else []
    assert "merge-conflict" in codes and "merged" in codes


# --------------------------------------------------------------------------- batches


def test_a_batch_lists_the_group_and_converts_each_input_on_its_own(tmp_path: Path,
                                                                    corpus: Path) -> None:
    src = seeds_and_others(tmp_path, corpus, DISTINCT[:4])
    result = batch([src], tmp_path / "out")
    assert result.exit_code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert len(report["groups"]) == 1
    group = report["groups"][0]
    assert group["inputs"] == [PLAIN, SCRAPED] and group["packaged"] is False
    assert group["similarity"] >= THRESHOLD
    assert all(len(item["outputs"]) == 1 for item in report["inputs"])

    # a rerun skips every input, and still finds the group (signatures kept in the ledger)
    again = batch([src], tmp_path / "out")
    assert again.count("skipped") == 6
    assert [g.inputs for g in again.groups] == [(PLAIN, SCRAPED)]


def test_a_crowd_of_copies_is_not_grouped_and_the_batch_says_so(tmp_path: Path,
                                                                seed_plain: Path) -> None:
    """Inputs that share their text with more than MOST_SHAPES others are copies, not one
    article's shapes: their LSH buckets make no candidate pairs (a crowd of n would make n²/2),
    a batch warning names them, and a real pair beside them is still found."""
    src = tmp_path / "in"
    src.mkdir()
    text = seed_plain.read_text(encoding="utf-8")
    for n in range(MOST_SHAPES + 4):
        (src / f"copy-{n:02}.txt").write_text(f"{text}\n\nCopy number {n}.\n", encoding="utf-8")
    result = batch([src], tmp_path / "out")
    assert result.exit_code == 0
    assert result.groups == []
    (warning,) = [w for w in result.warnings if "copies or boilerplate" in w]
    assert warning.startswith(f"{MOST_SHAPES + 4} inputs share their text with more than "
                              f"{MOST_SHAPES} others")
    assert "copy-00.txt" in warning and f"and {MOST_SHAPES + 1} more" in warning
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert warning in report["warnings"]


def test_band_pairs_leave_out_crowded_buckets_and_keep_small_ones(tmp_path: Path) -> None:
    with Ledger(tmp_path).opened() as ledger:
        keys = [(i, [b"crowd", f"own-{i}".encode()]) for i in range(5)]
        keys += [(5, [b"pair", b"x"]), (6, [b"pair", b"y"])]
        pairs, left_out = ledger.band_pairs(keys, most=3)
    assert pairs == [(5, 6)]
    assert left_out == [0, 1, 2, 3, 4]
    with Ledger(tmp_path).opened() as ledger:
        pairs, left_out = ledger.band_pairs(keys, most=4)  # 4 others each: still a group
    assert (0, 4) in pairs and (5, 6) in pairs and left_out == []


@pytest.fixture(scope="module")
def grouped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("grouped")
    src = tmp / "in"
    src.mkdir()
    for seed in (PLAIN, SCRAPED):
        shutil.copy2(SEEDS / seed, src / seed)
    shutil.copy2(SHARED / "corpus" / "jats" / "elife00240.xml", src / "elife00240.xml")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1365120000")
        result = batch([src], tmp / "out", formats=("json", "bag", "ocfl", "transfer"),
                       group_renditions=True, write=_write_options(tmp / "ocfl"))
    assert result.exit_code == 0, [r.errors for r in result.inputs]
    return tmp / "out"


def _write_options(root: Path) -> object:
    from converter.options import OcflOptions, WriteOptions

    return WriteOptions(ocfl=OcflOptions(root=root))


def test_group_renditions_makes_one_package_with_both_originals(grouped: Path) -> None:
    report = json.loads((grouped / "report.json").read_text())
    by_input = {item["relative"]: item for item in report["inputs"]}
    assert by_input[SCRAPED]["grouped_with"] == PLAIN and not by_input[SCRAPED]["outputs"]
    assert by_input[SCRAPED]["status"] == "ok"
    assert report["groups"][0]["packaged"] is True
    bags = sorted(grouped.glob("*.bag"))
    assert [b.name for b in bags] == ["000_9e481615abfa1823.bag", "elife00240.bag"]
    originals = sorted(p.name for p in (bags[0] / "data" / "original").iterdir())
    assert originals == [PLAIN, SCRAPED]
    for name in originals:
        assert (bags[0] / "data" / "original" / name).read_bytes() == (SEEDS / name).read_bytes()
    import bagit

    bagit.Bag(str(bags[0])).validate()

    article = json.loads((grouped / "000_9e481615abfa1823.json").read_text())
    assert article["title"].startswith("Global Insider: Envoy Exchange")
    assert article["contributors"][0]["name"] == "Stefan Lehne"
    assert article["contributors"][0]["bio"]
    assert sum(block["type"] == "speech" for block in article["body"]) == 6
    assert article["source_publication"]["name"] == "World Politics Review"
    assert article["extra"]["merged"]["fields"]["title"] == SCRAPED


def test_the_premis_relates_the_sources(grouped: Path) -> None:
    premis = etree.parse(str(grouped / "000_9e481615abfa1823.bag" / "metadata" / "premis.xml"))
    assert problems(premis, SCHEMAS) == []
    ingested = premis.findall(f".//{P}event[{P}eventType='ingestion']")
    assert len(ingested) == 2
    files = {o.findtext(f"{P}objectIdentifier/{P}objectIdentifierValue"): o
             for o in premis.findall(f"{P}object")}
    for me, other in [(PLAIN, SCRAPED), (SCRAPED, PLAIN)]:
        relations = [(r.findtext(f"{P}relationshipType"), r.findtext(f"{P}relationshipSubType"),
                      r.findtext(f"{P}relatedObjectIdentifier/{P}relatedObjectIdentifierValue"))
                     for r in files[f"data/original/{me}"].findall(f"{P}relationship")]
        assert relations == [("structural", "has sibling", f"data/original/{other}")]
    json_relations = {r.findtext(f"{P}relatedObjectIdentifier/{P}relatedObjectIdentifierValue")
                      for r in files["data/article.json"].findall(f"{P}relationship")}
    assert json_relations == {f"data/original/{PLAIN}", f"data/original/{SCRAPED}"}


def test_the_ocfl_object_and_the_transfer_hold_the_group_once(grouped: Path) -> None:
    root = grouped.parent / "ocfl"
    valid, count, errors = ocfl_py_root(root)
    assert valid and count == 2, errors
    objects = object_dirs(root)
    held = [sorted(p.name for p in (o / "v1" / "content" / "original").iterdir())
            for o in objects]
    assert sorted(held) == [[PLAIN, SCRAPED], ["elife00240.xml"]]

    transfer = grouped / "transfer" / "out"
    assert sorted(p.name for p in (transfer / "objects" / "000_9e481615abfa1823").iterdir()) \
        == [PLAIN, SCRAPED]
    with (transfer / "metadata" / "metadata.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert sorted(body) == ["objects/000_9e481615abfa1823", "objects/elife00240.xml"]
    group_row = body["objects/000_9e481615abfa1823"]
    assert group_row["dc.title"].startswith("Global Insider: Envoy Exchange")
    assert header.count("dc.creator") >= 1 and group_row["dc.creator"] == "Stefan Lehne"


def test_a_changed_member_converts_the_group_again(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for seed in (PLAIN, SCRAPED):
        shutil.copy2(SEEDS / seed, src / seed)
    out = tmp_path / "out"
    assert batch([src], out, formats=("json",), group_renditions=True).exit_code == 0
    again = batch([src], out, formats=("json",), group_renditions=True)
    assert [r.status for r in again.inputs] == ["skipped", "skipped"]
    with (src / SCRAPED).open("a", encoding="utf-8") as handle:
        handle.write("\nA last paragraph added to the scraped page.\n")
    third = batch([src], out, formats=("json",), group_renditions=True)
    assert [r.status for r in third.inputs] == ["ok", "ok"]
    article = json.loads((out / "000_9e481615abfa1823.json").read_text())
    assert "A last paragraph added" in json.dumps(article)
