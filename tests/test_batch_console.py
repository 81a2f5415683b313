"""The terminal side of a batch: plain lines, quiet mode, the progress bar, interruption."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from batch_support import cli_env, install_plugin, load_report, make_article, write_json_inputs

from converter.batch import BatchOptions, run_batch
from converter.batch import run as batch_run
from converter.batch.console import ConsoleReporter
from converter.batch.job import Outcome
from converter.batch.plan import Job
from converter.batch.pool import InlineExecutor
from converter.fsutil import remove_parts_of
from converter.model import Diagnostic, Provenance
from converter.registry import Registry


def tree(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    write_json_inputs(src, ["a.json", "b.json"])
    (src / "broken.json").write_text("{", encoding="utf-8")
    warned = make_article(3)
    warned.provenance = Provenance(diagnostics=[
        Diagnostic("warning", "lost", "a table was dropped", place="body[1]"),
        Diagnostic("info", "note", "just so you know")])
    (src / "warned.json").write_text(warned.to_json(), encoding="utf-8")
    return src


def test_plain_lines_problems_and_summary(tmp_path: Path) -> None:
    src, err, out = tree(tmp_path), io.StringIO(), io.StringIO()
    result = run_batch([src], tmp_path / "out", BatchOptions(formats=("json",), jobs=1),
                       ConsoleReporter(stream=err, out=out, terminal=False))
    lines = err.getvalue().splitlines()
    assert f"{src / 'broken.json'}: invalid JSON: Expecting property name enclosed in double " \
        "quotes at line 1 column 2" in lines
    assert f"{src / 'warned.json'}: body[1]: warning: a table was dropped [lost]" in lines
    assert not any("just so you know" in line for line in lines)  # info only with --verbose
    assert [line.split()[0] for line in lines if line.startswith("[")] == [
        "[1/4]", "[2/4]", "[3/4]", "[4/4]"]
    assert "[1/4] ok      " in err.getvalue() and "failed " in err.getvalue()
    summary = out.getvalue()
    assert "report:" in summary and str(result.report_path) in summary
    for word in ("inputs", "ok", "failed", "skipped", "ignored"):
        assert word in summary


def test_verbose_shows_info_and_quiet_shows_only_failures(tmp_path: Path) -> None:
    src = tree(tmp_path)
    err, out = io.StringIO(), io.StringIO()
    run_batch([src], tmp_path / "v", BatchOptions(formats=("json",), jobs=1, verbose=True),
              ConsoleReporter(stream=err, out=out, terminal=False))
    assert "info: just so you know [note]" in err.getvalue()

    err, out = io.StringIO(), io.StringIO()
    run_batch([src], tmp_path / "q", BatchOptions(formats=("json",), jobs=1, quiet=True),
              ConsoleReporter(quiet=True, stream=err, out=out, terminal=False))
    assert err.getvalue().splitlines() == [
        f"{src / 'broken.json'}: invalid JSON: Expecting property name enclosed in double "
        "quotes at line 1 column 2"]
    assert out.getvalue() == ""


def test_progress_bar_mode_still_prints_problem_lines(tmp_path: Path) -> None:
    src, err, out = tree(tmp_path), io.StringIO(), io.StringIO()
    result = run_batch([src], tmp_path / "out", BatchOptions(formats=("json",), jobs=2),
                       ConsoleReporter(stream=err, out=out, terminal=True))
    assert result.count("ok") == 3
    assert "broken.json: invalid JSON" in err.getvalue()
    assert "[1/4]" not in err.getvalue()  # the bar replaces the plain lines


SLOW_READER = '''
import time
from converter.model import Article, Paragraph, Text


class SlowReader:
    name = "slow"
    version = "0"
    extensions = (".slow",)

    def sniff(self, data, file_name):
        return False

    def read(self, data, options):
        time.sleep(0.05)
        text = data.decode()
        return Article(title=text, body=[Paragraph([Text(text)])])
'''


def _default_sigint() -> None:
    """Give the child Ctrl-C's default behaviour: a shell running the suite as a background job
    hands its children an ignored SIGINT, which they would inherit."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_cleanly_and_the_rerun_finishes(tmp_path: Path) -> None:
    site = install_plugin(tmp_path / "site", "slow-reader", {"slow_reader.py": SLOW_READER},
                          {"converter.readers": {"slow": "slow_reader:SlowReader"}})
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for n in range(80):
        (src / f"n{n:02}.slow").write_text(f"article {n}", encoding="utf-8")
    args = [sys.executable, "-m", "converter", "convert", str(src), "-o", str(out), "--to",
            "json,markdown,jats", "--jobs", "2"]
    process = subprocess.Popen(args, env=cli_env([site]), start_new_session=True,
                               preexec_fn=_default_sigint,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while len(list(out.glob("n*.xml"))) < 10:  # a state, not a guess of a duration
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130, stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert "interrupted" in stderr.decode()
    assert not [p for p in out.iterdir() if p.name.endswith(".converter-part")]
    # every input is all or nothing: no input has some of its renditions and not others
    stems = {p.stem for p in out.glob("n*.*")}
    for stem in stems:
        assert {p.suffix for p in out.glob(f"{stem}.*")} == {".json", ".md", ".xml"}
    # the ten .xml files seen include up to --jobs inputs whose workers had written everything
    # but whose outcomes the parent had not settled: Ctrl-C stops those too, and removes them
    assert 10 - 2 <= len(stems) < 80
    report = load_report(out / "report.json")  # written on the way out
    assert report["interrupted"] is True
    statuses = {i["relative"]: i["status"] for i in report["inputs"]}
    assert sum(s == "ok" for s in statuses.values()) == len(stems)
    assert all(statuses[f"{stem}.slow"] == "ok" for stem in stems)

    rerun = subprocess.run(args, env=cli_env([site]), capture_output=True, text=True,
                           timeout=300, check=False)
    assert rerun.returncode == 0, rerun.stderr
    report = load_report(out / "report.json")
    skipped = {Path(i["relative"]).stem for i in report["inputs"] if i["status"] == "skipped"}
    assert skipped == stems
    assert len(list(out.glob("n*.json"))) == 80
    assert json.loads((out / "n79.json").read_text())["title"] == "article 79"


GATE_WRITER = '''
"""Test-only package writer: holds its temp folder open until GATE_DIR/release exists."""
import os
import signal
import time
from pathlib import Path

from converter.fsutil import atomic_directory


class GateWriter:
    name = "gate"
    extension = ".gate"

    def destination_for(self, out_dir, stem, options):
        return out_dir / f"{stem}.gate"

    def renditions(self, options):
        return ()

    def render_options(self, options):
        return options

    def write_to(self, article, destination, options, renditions):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # stuck where only SIGKILL reaches it
        gate = Path(os.environ["GATE_DIR"])
        with atomic_directory(destination) as tmp:
            (tmp / "half").write_text("half a package", encoding="utf-8")
            (gate / "started").write_text(str(os.getpid()), encoding="utf-8")
            while not (gate / "release").exists():
                time.sleep(0.01)
        return []
'''


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie has stopped: it can write nothing more)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _wait_for(done: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    """Wait until ``done()``; fail if the converter ends first."""
    deadline = time.monotonic() + 120  # a safety net; the wait is for a state
    while not done():
        if process.poll() is not None:
            assert done(), "the converter ended first"
            return
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_ctrl_c_stops_the_worker_before_its_input_is_settled(tmp_path: Path) -> None:
    """The worker of a stopped input is dead before the parent settles the input, so it cannot
    write a rendition after the parent removed the others (the ``.xml`` alone of the flaky
    run), and what it left half-written is removed with the input's outputs."""
    site = install_plugin(tmp_path / "site", "gate-writer", {"gate_writer.py": GATE_WRITER},
                          {"converter.writers": {"gate": "gate_writer:GateWriter"}})
    src, out, gate = tmp_path / "in", tmp_path / "out", tmp_path / "gate"
    write_json_inputs(src, ["a.json"])
    gate.mkdir()
    args = [sys.executable, "-m", "converter", "convert", str(src), "-o", str(out), "--to",
            "json,gate", "--jobs", "1"]
    env = cli_env([site], GATE_DIR=str(gate))
    process = subprocess.Popen(args, env=env, start_new_session=True,
                               preexec_fn=_default_sigint, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for((gate / "started").exists, process)  # a.json written, the package half
        worker = int((gate / "started").read_text(encoding="utf-8"))
        os.killpg(process.pid, signal.SIGINT)
        report = out / "report.json"
        _wait_for(report.exists, process)  # written after every input was settled
        assert not _alive(worker), "the worker outlived the settling of its input"
        _, stderr = process.communicate(timeout=120)
    finally:
        (gate / "release").touch()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130, stderr.decode()
    assert sorted(p.name for p in out.iterdir()) == [".converter", "report.json"]
    assert by_status(load_report(report)) == {"a.json": "failed"}

    rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300,
                           check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert by_status(load_report(report)) == {"a.json": "ok"}
    assert (out / "a.json").is_file() and (out / "a.gate" / "half").is_file()


class _InterruptedAfterCollect(InlineExecutor):
    """Runs the job, then Ctrl-C arrives after the executor let go of it and before the batch
    settled it."""

    def collect(self) -> list[tuple[Job, Outcome]]:
        super().collect()
        raise KeyboardInterrupt


def test_ctrl_c_between_collecting_and_settling_still_stops_the_input(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_json_inputs(src, ["a.json", "b.json"])
    monkeypatch.setattr(batch_run, "start_executor",
                        lambda *_: _InterruptedAfterCollect(Registry.default()))
    options = BatchOptions(formats=("json", "markdown"), jobs=1)
    with pytest.raises(KeyboardInterrupt):
        run_batch([src], out, options)
    report = load_report(out / "report.json")
    assert report["interrupted"] is True
    statuses = by_status(report)
    assert statuses == {"a.json": "failed", "b.json": "skipped"}
    assert sorted(p.name for p in out.iterdir()) == [".converter", "report.json"]

    monkeypatch.undo()
    result = run_batch([src], out, options)
    assert [i.status for i in result.inputs] == ["ok", "ok"]  # converted, not found complete


def by_status(report: dict[str, Any]) -> dict[str, str]:
    return {i["relative"]: i["status"] for i in report["inputs"]}


def test_only_the_stopped_targets_temp_files_are_removed(tmp_path: Path) -> None:
    """``n1.json``'s leftovers go; ``n10.json``'s (another input, maybe still writing) stay."""
    mine = [tmp_path / ".n1.json.abcd1234.converter-part",
            tmp_path / ".n1.json.x_y_z_00.converter-part"]
    others = [tmp_path / ".n10.json.abcd1234.converter-part", tmp_path / ".n1.json.converter-part",
              tmp_path / ".n1.json.abcd1234.converter-old", tmp_path / "n1.json"]
    for path in [*mine, *others]:
        path.write_text("x", encoding="utf-8")
    (tmp_path / ".n1.json.folder00.converter-part").mkdir()  # a package's temp folder
    assert remove_parts_of(tmp_path / "n1.json") == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in others)
    assert remove_parts_of(tmp_path / "missing" / "n1.json") == 0
