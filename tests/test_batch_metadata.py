"""Archivists' metadata in a batch: sidecars (JSON, YAML), a catalog CSV, and their precedence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from batch_support import BATCH_DATA, load_report, run_cli, write_json_inputs

from converter.batch import BatchOptions, run_batch
from converter.batch.metadata import (
    catalog_name,
    is_sidecar,
    layer_overrides,
    load_catalog,
    load_sidecar,
)
from converter.errors import UsageError
from converter.options import ReadOptions


def tree(tmp_path: Path) -> Path:
    """a.json with a JSON sidecar, sub/b.json with a YAML sidecar, sub/c.json with none."""
    src = tmp_path / "in"
    write_json_inputs(src, ["a.json", "sub/b.json", "sub/c.json"])
    shutil.copy(BATCH_DATA / "a.meta.json", src / "a.meta.json")
    shutil.copy(BATCH_DATA / "b.meta.yaml", src / "sub" / "b.meta.yaml")
    return src


def converted(out: Path, relative: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / relative).read_text(encoding="utf-8"))
    return data


def test_sidecars_json_and_yaml_apply_and_are_not_inputs(tmp_path: Path) -> None:
    src, out = tree(tmp_path), tmp_path / "out"
    result = run_batch([src], out, BatchOptions(formats=("json",), jobs=2))

    assert result.exit_code == 0
    assert sorted(r.relative for r in result.inputs) == ["a.json", "sub/b.json", "sub/c.json"]
    assert sorted(i.reason for i in result.ignored) == ["sidecar", "sidecar"]
    a = converted(out, "a.json")
    assert a["subtitle"] == "From the JSON sidecar"
    assert a["language"] == "en"
    assert a["extra"]["custom"] == {"kept": ["verbatim"]}
    b = converted(out, "sub/b.json")
    assert b["title"] == "Sidecar title B"
    assert b["dates"]["published"] == "2014-01-02"  # a YAML date, kept as ISO text
    assert b["subjects"]["topics"] == ["EU", "Enlargement"]
    assert converted(out, "sub/c.json")["title"] == "Article sub/c.json"


def test_catalog_rows_set_fields_and_unmatched_rows_are_reported(tmp_path: Path) -> None:
    src, out = tree(tmp_path), tmp_path / "out"
    result = run_batch([src], out, BatchOptions(formats=("json",), jobs=1,
                                                catalog=BATCH_DATA / "metadata.csv"))
    assert result.exit_code == 0
    a = converted(out, "a.json")
    assert a["title"] == "Catalog title A"
    assert [c["name"] for c in a["contributors"]] == ["Jane Roe", "John Doe"]  # repeated column
    assert a["subjects"]["keywords"] == ["Serbia", "Kosovo"]
    assert a["dates"]["published"] == "2013-04-05"
    assert a["rights"]["statement"] == "CC BY 4.0"
    assert {"scheme": "doi", "value": "10.1234/abc"} in a["identifiers"]
    assert a["extra"]["dc.publisher"] == "Carnegie Europe"  # unknown columns go to extra
    assert a["extra"]["shelfmark"] == "Box 7"
    assert a["subtitle"] == "From the JSON sidecar"  # the sidecar adds to the catalog row
    b = converted(out, "sub/b.json")
    assert b["title"] == "Sidecar title B"  # sidecar beats catalog
    assert [c["name"] for c in b["contributors"]] == ["Ann Example"]  # catalog still applies

    (warning,) = result.warnings
    assert "line 4" in warning and "sub/not-there.json: matches no input file" in warning
    assert load_report(out / "report.json")["warnings"] == [warning]


def test_command_line_beats_sidecar_beats_catalog(tmp_path: Path) -> None:
    src, out = tree(tmp_path), tmp_path / "out"
    options = BatchOptions(formats=("json",), jobs=1, catalog=BATCH_DATA / "metadata.csv",
                           read=ReadOptions(overrides={"title": "From the command line",
                                                       "author": "CLI Person"}))
    assert run_batch([src], out, options).exit_code == 0
    for relative in ("a.json", "sub/b.json"):
        data = converted(out, relative)
        assert data["title"] == "From the command line"
        assert [c["name"] for c in data["contributors"]] == ["CLI Person"]


def test_changing_a_sidecar_redoes_the_input(tmp_path: Path) -> None:
    src, out = tree(tmp_path), tmp_path / "out"
    run_batch([src], out, BatchOptions(formats=("json",), jobs=1))
    (src / "sub" / "b.meta.yaml").write_text("title: Revised\n", encoding="utf-8")
    again = run_batch([src], out, BatchOptions(formats=("json",), jobs=1))
    assert {r.relative: r.status for r in again.inputs} == {
        "a.json": "skipped", "sub/b.json": "ok", "sub/c.json": "skipped"}
    assert converted(out, "sub/b.json")["title"] == "Revised"


def test_a_bad_sidecar_fails_only_its_input(tmp_path: Path) -> None:
    src, out = tree(tmp_path), tmp_path / "out"
    (src / "sub" / "c.meta.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    result = run_batch([src], out, BatchOptions(formats=("json",), jobs=2))
    status = {r.relative: r for r in result.inputs}
    assert status["sub/c.json"].status == "failed"
    assert "sidecar must hold a mapping" in status["sub/c.json"].errors[0]
    assert status["a.json"].status == status["sub/b.json"].status == "ok"


def test_orphan_sidecar_is_reported(tmp_path: Path) -> None:
    src, out = tree(tmp_path), tmp_path / "out"
    (src / "gone.meta.json").write_text("{}", encoding="utf-8")
    result = run_batch([src], out, BatchOptions(formats=("json",), jobs=1))
    assert result.warnings == [f"{src / 'gone.meta.json'}: sidecar matches no input file"]


def test_cli_prints_the_unmatched_catalog_row(tmp_path: Path) -> None:
    src = tree(tmp_path)
    done = run_cli("convert", src, "-o", tmp_path / "out", "--to", "json", "--metadata",
                   BATCH_DATA / "metadata.csv")
    assert done.returncode == 0, done.stderr
    assert "sub/not-there.json: matches no input file" in done.stderr


def test_catalog_parsing(tmp_path: Path) -> None:
    csv_path = tmp_path / "m.csv"
    csv_path.write_text(
        "\ufeffFilename,dc.title,dc.title,dc.subject,notes\n"
        "objects/x.txt,First,Second,One,kept\n"
        "./y.txt,,,,\n"
        ",orphan,,,\n"
        "objects/x.txt,Again,,,\n", encoding="utf-8")
    catalog = load_catalog(csv_path)
    row = catalog.lookup("x.txt")
    assert row is not None and row.line == 5  # the later row wins, with a warning
    assert dict(row.overrides) == {"dc.title": "Again"}
    assert any("empty filename" in w for w in catalog.warnings)
    assert any("already listed on line 2" in w for w in catalog.warnings)
    assert catalog.lookup("y.txt") is not None

    csv_path.write_text("filename,dc.title,dc.title\nx.txt,First,Second\n", encoding="utf-8")
    row = load_catalog(csv_path).lookup("x.txt")
    assert row is not None
    assert row.overrides["dc.title"] == "First"  # one title; nothing lost:
    assert row.overrides["catalog.dc.title"] == ["First", "Second"]
    assert row.notes and "repeated" in row.notes[0]

    csv_path.write_text("name,title\nx,y\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no 'filename' column"):
        load_catalog(csv_path)
    with pytest.raises(UsageError):
        load_catalog(tmp_path / "absent.csv")


def test_helpers() -> None:
    assert catalog_name("objects/sub/a.txt") == "sub/a.txt"
    assert catalog_name(".\\objects\\a.txt") == "a.txt"
    assert is_sidecar(Path("x.meta.yml")) and is_sidecar(Path("X.META.JSON"))
    assert not is_sidecar(Path(".meta.json")) and not is_sidecar(Path("meta.json"))
    assert list(layer_overrides({"author": "cat", "authors": "cat2"}, {"author": "cli"})) == [
        "authors", "author"]
    assert load_sidecar(BATCH_DATA / "b.meta.yaml")["dates.published"] == "2014-01-02"
