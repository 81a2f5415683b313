"""The ledger: SQLite transactions, in-flight destinations settled after a stop, the old JSON
ledger taken over, and JSON written in pieces."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from converter.batch.ledger import LEDGER_FILE, STATE_DIR, Ledger, LedgerEntry
from converter.batch.report import json_chunks
from converter.errors import ConverterError
from converter.fsutil import digest_path
from converter.model import canonical_json

JSON = st.recursive(
    st.none() | st.booleans() | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
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


def test_in_flight_destinations_become_ours_but_unverified(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "done.json").write_text("done", encoding="utf-8")
    (out / "flight.json").write_text("half the story", encoding="utf-8")
    with Ledger(out).opened() as ledger:
        ledger.begin([out / "done.json"])
        ledger.finish([out / "done.json"], {out / "done.json": LedgerEntry(
            digest_path(out / "done.json"), 4, "json", "/in/done.txt", "abc", "opts")})
        ledger.begin([out / "flight.json", out / "never.json"])
        # the run stops here (Ctrl-C, kill -9): nothing else is recorded

    with Ledger(out).opened() as again:
        done = again.get(out / "done.json")
        assert done is not None and done.complete and done.input_sha256 == "abc"
        flight = again.get(out / "flight.json")
        assert flight is not None and flight.sha256 is None  # ours, but unverified: redo it
        assert not flight.complete
        assert again.get(out / "never.json") is None  # planned, never written: nothing to own
        assert sorted(again.entries()) == ["done.json", "flight.json"]
        in_flight = again.db.execute("SELECT count(*) FROM in_flight").fetchone()[0]
    assert in_flight == 0


def test_finish_records_and_forgets_in_one_transaction(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with Ledger(out).opened() as ledger:
        ledger.finish([], {out / "a.json": LedgerEntry("1" * 64, 1, "json")})
        ledger.begin([out / "a.json"])
        ledger.finish([out / "a.json"], {}, removed=[out / "a.json"])
        assert ledger.get(out / "a.json") is None
        # a failing statement inside the transaction leaves everything as it was
        ledger.finish([], {out / "b.json": LedgerEntry("2" * 64, 1, "json")})
        with pytest.raises(sqlite3.Error), ledger._transaction() as db:
            db.execute("DELETE FROM outputs")
            db.execute("INSERT INTO nowhere VALUES (1)")
        assert ledger.get(out / "b.json") is not None


def test_the_json_ledger_of_version_0_1_is_taken_over(tmp_path: Path) -> None:
    folder = tmp_path / STATE_DIR
    folder.mkdir()
    (folder / "ledger.json").write_text(json.dumps({"version": 1, "outputs": {
        "a.json": {"sha256": "f" * 64, "size": 3, "format": "json", "input": "a.txt",
                   "input_sha256": "e" * 64, "options": "o"}}}), encoding="utf-8")
    with Ledger(tmp_path).opened() as ledger:
        entry = ledger.get(tmp_path / "a.json")
    assert entry == LedgerEntry("f" * 64, 3, "json", "a.txt", "e" * 64, "o")
    assert not (folder / "ledger.json").exists()
    assert (folder / LEDGER_FILE).is_file()


def test_an_unreadable_old_ledger_makes_outputs_foreign_not_ours(tmp_path: Path) -> None:
    folder = tmp_path / STATE_DIR
    folder.mkdir()
    (folder / "ledger.json").write_text("{ broken", encoding="utf-8")
    with Ledger(tmp_path).opened() as ledger:
        assert ledger.entries() == {}
        assert "unreadable ledger" in ledger.warnings[0]


def test_a_damaged_database_is_one_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / STATE_DIR
    folder.mkdir()
    (folder / LEDGER_FILE).write_bytes(b"this is not a database" * 100)
    with pytest.raises(ConverterError, match="unreadable ledger"), Ledger(tmp_path).opened():
        pass


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
