"""Batch conversion: mirroring, report, resume, ownership, collisions, skipping, exit codes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from batch_support import by_relative, load_report, make_article, run_cli, write_json_inputs

from converter.batch import BatchOptions, BatchResult, run_batch
from converter.batch.ledger import Ledger
from converter.errors import ConverterError, OutputExistsError, UnknownFormatError, UsageError
from converter.model import Diagnostic, Provenance
from converter.options import EpubOptions, ReadOptions, WriteOptions

TREE = ["a.json", "sub/b.json", "sub/deep/c.json", "z/last.json"]


def batch(inputs: list[Path], out: Path, **kw: object) -> BatchResult:
    kw.setdefault("formats", ("json",))
    kw.setdefault("jobs", 2)
    return run_batch(inputs, out, BatchOptions(**kw))  # type: ignore[arg-type]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_tree_is_mirrored_and_report_lists_everything(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_json_inputs(src, TREE)
    result = batch([src], out)

    assert result.exit_code == 0
    for relative in TREE:
        produced = out / relative
        assert produced.is_file(), relative
        assert json.loads(produced.read_text())["title"] == f"Article {relative}"
    report = load_report(out / "report.json")
    assert [item["relative"] for item in report["inputs"]] == sorted(TREE)
    assert report["summary"] == {"inputs": 4, "ok": 4, "failed": 0, "skipped": 0, "ignored": {},
                                 "outputs": 4, "warnings": 0}
    for item in report["inputs"]:
        assert item["status"] == "ok"
        assert item["format"] == "json"
        assert item["errors"] == []
        (output,) = item["outputs"]
        assert output["format"] == "json"
        assert output["path"] == item["relative"]
        assert output["sha256"] == sha(out / output["path"])
        assert output["size"] == (out / output["path"]).stat().st_size
        assert item["seconds"] >= 0
    assert not list(out.rglob("*.converter-part"))


def test_single_file_goes_to_output_root(tmp_path: Path) -> None:
    (path,) = write_json_inputs(tmp_path / "in", ["deep/er/one.json"])
    result = batch([path], tmp_path / "out")
    assert result.exit_code == 0
    assert (tmp_path / "out" / "one.json").is_file()
    assert result.inputs[0].relative == "one.json"


def test_report_records_failures_and_diagnostics(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_json_inputs(src, ["good.json"])
    (src / "broken.json").write_text("{ not json", encoding="utf-8")
    warned = make_article(7)
    warned.provenance = Provenance(diagnostics=[Diagnostic("warning", "lost-table", "table dropped",
                                                           place="body[2]")])
    (src / "warned.json").write_text(warned.to_json(), encoding="utf-8")

    result = batch([src], out, report_path=tmp_path / "elsewhere" / "r.json")

    assert result.exit_code == 1
    report = load_report(tmp_path / "elsewhere" / "r.json")
    assert not (out / "report.json").exists()
    items = by_relative(report)
    assert items["broken.json"]["status"] == "failed"
    assert items["broken.json"]["outputs"] == []
    (error,) = items["broken.json"]["errors"]
    assert error.startswith(f"{src / 'broken.json'}: invalid JSON")
    assert items["warned.json"]["status"] == "ok"
    (diagnostic,) = items["warned.json"]["diagnostics"]
    assert diagnostic["level"] == "warning" and diagnostic["place"] == "body[2]"
    assert report["summary"]["failed"] == 1 and report["summary"]["ok"] == 2


def test_fail_on_warnings_fails_the_input_and_writes_nothing(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_json_inputs(src, ["clean.json"])
    warned = make_article(1)
    warned.provenance = Provenance(diagnostics=[Diagnostic("warning", "x", "careful")])
    (src / "warned.json").write_text(warned.to_json(), encoding="utf-8")

    result = batch([src], out, fail_on_warnings=True)

    assert result.exit_code == 1
    items = {r.relative: r for r in result.inputs}
    assert items["warned.json"].status == "failed"
    assert "--fail-on-warnings" in items["warned.json"].errors[0]
    assert not (out / "warned.json").exists()
    assert items["clean.json"].status == "ok"


def test_resume_skips_unchanged_and_force_redoes(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    paths = write_json_inputs(src, TREE)
    assert batch([src], out).exit_code == 0
    stamps = {out / r: (out / r).stat().st_mtime_ns for r in TREE}

    again = batch([src], out)
    assert again.exit_code == 0
    assert [r.status for r in again.inputs] == ["skipped"] * 4
    assert all(r.reason == "unchanged" for r in again.inputs)
    assert all(r.outputs and r.outputs[0].sha256 for r in again.inputs)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps

    # a changed input, and changed options, are redone; the rest stays skipped
    paths[1].write_text(make_article(99, title="Changed").to_json(), encoding="utf-8")
    changed = batch([src], out)
    assert {r.relative: r.status for r in changed.inputs} == {
        "a.json": "skipped", "sub/b.json": "ok", "sub/deep/c.json": "skipped",
        "z/last.json": "skipped"}
    assert json.loads((out / "sub/b.json").read_text())["title"] == "Changed"
    retitled = batch([src], out, read=ReadOptions(overrides={"subtitle": "new"}))
    assert {r.status for r in retitled.inputs} == {"ok"}

    forced = batch([src], out, read=ReadOptions(overrides={"subtitle": "new"}), force=True)
    assert {r.status for r in forced.inputs} == {"ok"}


def test_resume_redoes_an_input_whose_output_was_deleted(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_json_inputs(src, TREE)
    batch([src], out)
    (out / "sub" / "b.json").unlink()
    again = batch([src], out)
    assert {r.relative: r.status for r in again.inputs}["sub/b.json"] == "ok"
    assert (out / "sub" / "b.json").is_file()
    assert [r.status for r in again.inputs].count("skipped") == 3


def test_foreign_file_is_never_overwritten_without_force(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_json_inputs(src, ["a.json", "b.json"])
    out.mkdir()
    (out / "a.json").write_text("mine, not the converter's", encoding="utf-8")

    result = batch([src], out)
    assert result.exit_code == 1
    items = {r.relative: r for r in result.inputs}
    assert items["a.json"].status == "failed"
    assert "was not written by the converter" in items["a.json"].errors[0]
    assert (out / "a.json").read_text() == "mine, not the converter's"
    assert items["b.json"].status == "ok"

    forced = batch([src], out, force=True)
    assert forced.exit_code == 0
    assert json.loads((out / "a.json").read_text())["title"] == "Article a.json"


def test_an_output_changed_by_someone_else_is_not_replaced(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    (path,) = write_json_inputs(src, ["a.json"])
    batch([src], out)
    (out / "a.json").write_text("edited by an archivist", encoding="utf-8")
    path.write_text(make_article(5, title="New input").to_json(), encoding="utf-8")

    result = batch([src], out)
    assert result.exit_code == 1
    assert "changed since" in result.inputs[0].errors[0]
    assert (out / "a.json").read_text() == "edited by an archivist"


def test_foreign_report_is_not_overwritten(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_json_inputs(src, ["a.json"])
    out.mkdir()
    (out / "report.json").write_text("{}", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        batch([src], out)
    assert (out / "report.json").read_text() == "{}"
    assert batch([src], out, force=True).exit_code == 0


def test_collisions_fail_both_inputs_before_converting(tmp_path: Path) -> None:
    first = write_json_inputs(tmp_path / "one", ["same.json", "x/dup.json", "only1.json"])
    second = write_json_inputs(tmp_path / "two", ["x/dup.json", "only2.json"])
    (tmp_path / "three").mkdir()
    third = tmp_path / "three" / "same.json"
    third.write_text(make_article(3).to_json(), encoding="utf-8")
    out = tmp_path / "out"

    result = batch([tmp_path / "one", tmp_path / "two", third], out)

    assert result.exit_code == 1
    status = {r.input: r for r in result.inputs}
    for path in (first[0], third, first[1], second[0]):
        item = status[str(path)]
        assert item.status == "failed", path
        assert "name collision" in item.errors[0]
        assert item.outputs == []
    assert "three/same.json" in status[str(first[0])].errors[0]
    assert not (out / "same.json").exists() and not (out / "x" / "dup.json").exists()
    assert status[str(first[2])].status == "ok" and status[str(second[1])].status == "ok"


def test_an_input_may_not_write_over_the_report(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_json_inputs(src, ["report.json", "fine.json"])
    result = batch([src], out)
    items = {r.relative: r for r in result.inputs}
    assert items["report.json"].status == "failed"
    assert "the batch report" in items["report.json"].errors[0]
    assert load_report(out / "report.json")["summary"]["failed"] == 1


def test_hidden_sidecar_and_non_article_files_are_skipped_and_counted(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_json_inputs(src, ["a.json", ".hidden.json", ".git/objects/x.json", "sub/.cache/y.json"])
    (src / "notes.csv").write_text("a,b\n", encoding="utf-8")
    (src / "image.png").write_bytes(b"\x89PNG\r\n")
    (src / "a.meta.json").write_text('{"title": "From the sidecar"}', encoding="utf-8")
    os.mkfifo(src / "pipe.json")

    result = batch([src], out)

    assert [r.relative for r in result.inputs] == ["a.json"]
    reasons = {Path(i.path).relative_to(src).as_posix(): i.reason for i in result.ignored}
    assert reasons == {".hidden.json": "hidden", ".git": "hidden", "sub/.cache": "hidden",
                       "notes.csv": "unsupported", "image.png": "unsupported",
                       "a.meta.json": "sidecar", "pipe.json": "not a regular file"}
    summary = load_report(out / "report.json")["summary"]
    assert summary["ignored"] == {"hidden": 3, "not a regular file": 1, "sidecar": 1,
                                  "unsupported": 2}
    assert json.loads((out / "a.json").read_text())["title"] == "From the sidecar"


def test_output_folder_inside_the_input_tree_is_not_read_back(tmp_path: Path) -> None:
    src = tmp_path / "in"
    write_json_inputs(src, ["a.json", "b.json"])
    out = src / "converted"
    assert batch([src], out).exit_code == 0
    again = batch([src], out)
    assert sorted(r.relative for r in again.inputs) == ["a.json", "b.json"]
    assert {r.status for r in again.inputs} == {"skipped"}


def test_fail_fast_stops_at_the_first_failure(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_json_inputs(src, ["b.json", "c.json", "d.json"])
    (src / "a-broken.json").write_text("[]", encoding="utf-8")
    result = batch([src], out, fail_fast=True, jobs=1)
    assert result.exit_code == 1
    assert [(r.relative, r.status) for r in result.inputs] == [
        ("a-broken.json", "failed"), ("b.json", "skipped"), ("c.json", "skipped"),
        ("d.json", "skipped")]
    assert all(r.reason == "not started: --fail-fast" for r in result.inputs[1:])
    assert not (out / "b.json").exists()


def test_usage_errors(tmp_path: Path) -> None:
    write_json_inputs(tmp_path / "in", ["a.json"])
    with pytest.raises(UnknownFormatError):
        batch([tmp_path / "in"], tmp_path / "out", formats=("no-such-writer",))
    with pytest.raises(UsageError):
        batch([tmp_path / "in"], tmp_path / "out", jobs=0)
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="the output is a file, not a folder"):
        batch([tmp_path / "in"], tmp_path / "a-file")


def test_cli_exit_codes_and_problem_lines(tmp_path: Path) -> None:
    src = tmp_path / "in"
    write_json_inputs(src, ["a.json", "b.json"])
    ok = run_cli("convert", src, "-o", tmp_path / "out", "--to", "json", "--jobs", "2")
    assert ok.returncode == 0, ok.stderr
    assert "[2/2]" in ok.stderr  # plain progress lines when not a terminal
    assert "report:" in ok.stdout

    (src / "bad.json").write_text("{", encoding="utf-8")
    failed = run_cli("convert", src, "-o", tmp_path / "out", "--to", "json", "--quiet")
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert failed.stderr.splitlines() == [f"{src / 'bad.json'}: invalid JSON: Expecting property "
                                          "name enclosed in double quotes at line 1 column 2"]

    usage = run_cli("convert", src, "-o", tmp_path / "out", "--to", "nonsense")
    assert usage.returncode == 2
    assert "unknown writer 'nonsense'" in usage.stderr
    missing = run_cli("convert", tmp_path / "nowhere", "-o", tmp_path / "out", "--to", "json")
    assert missing.returncode == 1  # an input that fails, named in one line
    assert missing.stderr.splitlines() == [f"{tmp_path / 'nowhere'}: no such file or folder"]


def test_collection_epub_holds_every_converted_article_in_input_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1365120000")
    src, out = tmp_path / "in", tmp_path / "out"
    write_json_inputs(src, ["b.json", "a.json", "sub/c.json"])
    (src / "broken.json").write_text("{", encoding="utf-8")
    options = {"formats": ("epub", "json"), "jobs": 2,
               "write": WriteOptions(epub=EpubOptions(collection_title="Interviews 2013 — Serbia"))}

    result = batch([src], out, **options)

    assert result.exit_code == 1  # broken.json failed; the collection is still made
    assert result.collection is not None and result.collection.status == "ok"
    book = out / "interviews-2013-serbia.epub"
    assert [o.path for o in result.collection.outputs] == [book.name]
    assert not list(out.rglob("a.epub"))  # no per-article EPUBs in collection mode
    assert (out / "a.json").is_file()
    with zipfile.ZipFile(book) as epub:
        nav = next(epub.read(n).decode() for n in epub.namelist() if n.endswith("nav.xhtml"))
    titles = re.findall(r">(Article [^<]+)</a>", nav)
    assert titles == ["Article a.json", "Article b.json", "Article sub/c.json"]
    report = load_report(out / "report.json")
    assert report["collection"]["outputs"][0]["sha256"] == sha(book)

    again = batch([src], out, **options)  # inputs unchanged: skipped, yet still in the book
    assert [r.status for r in again.inputs].count("skipped") == 3
    assert again.collection is not None and again.collection.status == "ok"
    assert again.collection.outputs[0].sha256 == result.collection.outputs[0].sha256


def test_collection_needs_epub_among_the_formats(tmp_path: Path) -> None:
    write_json_inputs(tmp_path / "in", ["a.json"])
    with pytest.raises(UsageError, match="--collection"):
        batch([tmp_path / "in"], tmp_path / "out",
              write=WriteOptions(epub=EpubOptions(collection_title="T")))


def test_two_runs_never_share_an_output_folder(tmp_path: Path) -> None:
    write_json_inputs(tmp_path / "in", ["a.json"])
    out = tmp_path / "out"
    with Ledger(out).locked(), pytest.raises(ConverterError, match="another converter run"):
        batch([tmp_path / "in"], out)
    assert batch([tmp_path / "in"], out).exit_code == 0  # the lock went with its holder
