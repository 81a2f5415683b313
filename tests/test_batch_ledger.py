"""The ledger: journal replay after a kill, compaction, and JSON written in pieces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from converter.ledger import (
    JOURNAL_FILE,
    LEDGER_FILE,
    Ledger,
    LedgerEntry,
    digest_path,
    json_chunks,
)
from converter.model import canonical_json

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@given(items=st.lists(JSON, max_size=6), head=st.dictionaries(st.text(), JSON, max_size=3))
def test_json_in_pieces_is_the_canonical_json_of_a_list(items: list[Any],
                                                        head: dict[str, Any]) -> None:
    document = {**head, "inputs": items, "after": 1}
    text = "".join(json_chunks({**document, "inputs": []}, "inputs", iter(items)))
    assert text == canonical_json(document)


@given(members=st.dictionaries(st.text(), JSON, max_size=6))
def test_json_in_pieces_is_the_canonical_json_of_a_mapping(members: dict[str, Any]) -> None:
    text = "".join(json_chunks({"version": 1, "outputs": {}}, "outputs", members.items()))
    assert text == canonical_json({"version": 1, "outputs": members})


def test_journal_replay_keeps_finished_outputs_and_marks_in_flight_ones(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for name in ("done.json", "flight.json", "never.json"):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
    (out / "done.json").write_text("done", encoding="utf-8")
    (out / "flight.json").write_text("half the story", encoding="utf-8")
    ledger = Ledger(out)
    ledger.plan([out / "done.json", out / "flight.json", out / "never.json"])
    ledger.record([out / "done.json"], {out / "done.json": LedgerEntry(
        digest_path(out / "done.json"), 4, "json", "done.txt", "abc", "opts")})
    ledger.close_journal()
    with (out / ".converter" / JOURNAL_FILE).open("a", encoding="utf-8") as journal:
        journal.write('{"op": "done", "targets": ["flight.json"], "outp')  # torn by a kill

    again = Ledger(out)
    again.load()
    done = again.get(out / "done.json")
    assert done is not None and done.sha256 == digest_path(out / "done.json")
    assert done.input_sha256 == "abc"
    flight = again.get(out / "flight.json")
    assert flight is not None and flight.sha256 is None  # ours, but unverified: redo it
    assert again.get(out / "never.json") is None  # planned, never written: nothing to own

    again.compact()
    assert not (out / ".converter" / JOURNAL_FILE).exists()
    stored = json.loads((out / ".converter" / LEDGER_FILE).read_text(encoding="utf-8"))
    assert sorted(stored["outputs"]) == ["done.json", "flight.json"]
    reloaded = Ledger(out)
    reloaded.load()
    assert reloaded.entries == again.entries


def test_an_unreadable_ledger_makes_outputs_foreign_not_ours(tmp_path: Path) -> None:
    folder = tmp_path / ".converter"
    folder.mkdir()
    (folder / LEDGER_FILE).write_text("{ broken", encoding="utf-8")
    ledger = Ledger(tmp_path)
    ledger.load()
    assert ledger.entries == {}
    assert "unreadable ledger" in ledger.warnings[0]


def test_folder_digest_covers_names_and_contents(tmp_path: Path) -> None:
    bag = tmp_path / "a.bag"
    (bag / "data").mkdir(parents=True)
    (bag / "data" / "x.txt").write_text("x", encoding="utf-8")
    first = digest_path(bag)
    (bag / "data" / "x.txt").rename(bag / "data" / "y.txt")
    renamed = digest_path(bag)
    (bag / "data" / "y.txt").write_text("z", encoding="utf-8")
    assert len({first, renamed, digest_path(bag)}) == 3
    assert digest_path(tmp_path / "missing") is None
