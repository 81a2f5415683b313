"""Isolation and interruption: crashing and hanging workers, and a real ``kill -9`` of a batch.

The misbehaving reader is a test-only plug-in put on the subprocess's PYTHONPATH through a
``*.dist-info`` entry point, so production code carries no test hooks.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_support import by_relative, cli_env, install_plugin, load_report, run_cli

from converter.batch.ledger import Ledger

FAULTY_READER = '''
"""Test-only reader: misbehaves on purpose, as the first word of its input says."""
import os
import signal
import time

from converter.model import Article, Paragraph, Text


class FaultyReader:
    name = "faulty"
    version = "0"
    extensions = (".flt",)

    def sniff(self, data, file_name):
        return False

    def read(self, data, options):
        text = data.decode("utf-8")
        words = text.split()
        if words[0] == "CRASH":
            os._exit(7)
        if words[0] == "SEGV":
            os.kill(os.getpid(), signal.SIGSEGV)
        if words[0] == "HANG":
            time.sleep(600)
        if words[0] == "SLOW":
            time.sleep(float(words[1]))
        return Article(title=text.splitlines()[0], body=[Paragraph([Text(text)])])
'''


BOOM_WRITER = '''
"""Test-only writer: the worker dies while writing an article whose title says BOOM."""
import os


class BoomWriter:
    name = "boom"
    extension = ".boom"

    def write(self, article, options):
        if "BOOM" in article.title:
            os._exit(3)
        return article.title.encode()
'''


def faulty_site(tmp_path: Path) -> Path:
    return install_plugin(tmp_path / "site", "faulty-plugins",
                          {"faulty_reader.py": FAULTY_READER, "boom_writer.py": BOOM_WRITER},
                          {"converter.readers": {"faulty": "faulty_reader:FaultyReader"},
                           "converter.writers": {"boom": "boom_writer:BoomWriter"}})


def test_crashing_and_hanging_workers_fail_only_their_input(tmp_path: Path) -> None:
    site, src, out = faulty_site(tmp_path), tmp_path / "in", tmp_path / "out"
    src.mkdir()
    inputs = {"a-ok.flt": "fine a", "b-crash.flt": "CRASH", "c-segv.flt": "SEGV",
              "d-hang.flt": "HANG", "e-ok.flt": "fine e", "f-ok.flt": "fine f"}
    for name, text in inputs.items():
        (src / name).write_text(text, encoding="utf-8")

    done = run_cli("convert", src, "-o", out, "--to", "json", "--jobs", "2", "--timeout", "3",
                   pythonpath=[site], timeout=90)

    assert done.returncode == 1, done.stderr
    items = by_relative(load_report(out / "report.json"))
    assert [items[n]["status"] for n in sorted(inputs)] == [
        "ok", "failed", "failed", "failed", "ok", "ok"]
    assert "exited with code 7" in items["b-crash.flt"]["errors"][0]
    assert "killed by SIGSEGV" in items["c-segv.flt"]["errors"][0]
    assert "timed out after 3 s" in items["d-hang.flt"]["errors"][0]
    for name in ("a-ok.flt", "e-ok.flt", "f-ok.flt"):
        assert items[name]["format"] == "faulty"
        assert json.loads((out / name.replace(".flt", ".json")).read_text())["title"] == (
            inputs[name])
    lines = done.stderr.splitlines()
    for name in ("b-crash.flt", "c-segv.flt", "d-hang.flt"):
        assert sum(line.startswith(f"{src / name}: ") for line in lines) == 1


def test_kill_9_of_the_whole_batch_then_rerun_finishes_the_rest(tmp_path: Path) -> None:
    site, src, out = faulty_site(tmp_path), tmp_path / "in", tmp_path / "out"
    total = 120
    for n in range(total):
        folder = src / f"part{n % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"n{n:03}.flt").write_text(f"SLOW 0.04 article {n}", encoding="utf-8")
    args = [sys.executable, "-m", "converter", "convert", str(src), "-o", str(out), "--to",
            "json", "--jobs", "2", "--quiet"]

    process = subprocess.Popen(args, env=cli_env([site]), start_new_session=True,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(list(out.rglob("n*.json"))) < 20:
            assert process.poll() is None, "the batch ended before it could be killed"
            assert time.monotonic() < deadline, "no outputs appeared"
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait(30)
    assert process.returncode == -signal.SIGKILL

    survived = {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("n*.json")}
    assert 20 <= len(survived) < total
    for relative in survived:  # every output present is whole (atomic writes)
        n = int(Path(relative).stem[1:])
        assert json.loads((out / relative).read_text())["title"] == f"SLOW 0.04 article {n}"
    assert not (out / "report.json").exists()

    rerun = run_cli("convert", src, "-o", out, "--to", "json", "--jobs", "2", "--quiet",
                    pythonpath=[site], timeout=120)
    assert rerun.returncode == 0, rerun.stderr

    assert not [p for p in out.rglob("*") if p.name.endswith(".converter-part")]
    report = load_report(out / "report.json")
    assert report["summary"]["inputs"] == total and report["summary"]["failed"] == 0
    skipped = {item["outputs"][0]["path"] for item in report["inputs"]
               if item["status"] == "skipped"}
    # what was journalled before the kill is skipped; at most the inputs in flight are redone
    assert skipped <= set(survived)
    assert len(set(survived) - skipped) <= 2
    for relative in skipped:
        assert (out / relative).stat().st_mtime_ns == survived[relative]
    for n in range(total):
        relative = f"part{n % 3}/n{n:03}.json"
        assert json.loads((out / relative).read_text())["title"] == f"SLOW 0.04 article {n}"
    with Ledger(out).opened() as ledger:
        entries = ledger.entries()
    assert all(entries[f"part{n % 3}/n{n:03}.json"].complete for n in range(total))


def test_fail_fast_with_workers_starts_nothing_after_the_failure(tmp_path: Path) -> None:
    site, src, out = faulty_site(tmp_path), tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a-crash.flt").write_text("CRASH", encoding="utf-8")
    for n in range(10):
        (src / f"n{n}.flt").write_text("SLOW 1.0", encoding="utf-8")

    done = run_cli("convert", src, "-o", out, "--to", "json", "--jobs", "2", "--fail-fast",
                   pythonpath=[site], timeout=90)

    assert done.returncode == 1
    items = load_report(out / "report.json")["inputs"]
    assert items[0]["status"] == "failed"
    # only what was already running beside the failed input finished
    assert sum(item["status"] == "ok" for item in items) <= 2
    assert sum(item.get("reason") == "not started: --fail-fast" for item in items) >= 8


def test_a_worker_that_dies_leaves_no_outputs_of_its_input_at_final_paths(
        tmp_path: Path) -> None:
    site, src, out = faulty_site(tmp_path), tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.flt").write_text("fine", encoding="utf-8")
    (src / "b.flt").write_text("BOOM", encoding="utf-8")

    first = run_cli("convert", src, "-o", out, "--to", "json,boom", "--jobs", "2",
                    pythonpath=[site])
    assert first.returncode == 1
    items = by_relative(load_report(out / "report.json"))
    assert "exited with code 3" in items["b.flt"]["errors"][0]
    assert items["b.flt"]["outputs"] == []
    # b.json was written before the writer that killed the worker: it is removed, so half of an
    # input's renditions never pass for a result
    assert not (out / "b.json").exists()
    assert (out / "a.json").is_file() and (out / "a.boom").is_file()

    # the next run converts b without --force
    second = run_cli("convert", src, "-o", out, "--to", "json", "--jobs", "2",
                     pythonpath=[site])
    assert second.returncode == 0, second.stderr
    items = by_relative(load_report(out / "report.json"))
    assert items["b.flt"]["status"] == "ok"
    assert items["a.flt"]["status"] == "skipped"


def test_workers_from_a_forkserver_get_this_batchs_source_date_epoch(tmp_path: Path) -> None:
    """A library caller with threads gets its workers from a forkserver, which keeps the
    environment it started with: a later batch with another SOURCE_DATE_EPOCH must still write
    what a fresh process writes with that value."""
    src = tmp_path / "in"
    src.mkdir()
    for n in range(2):
        (src / f"a{n}.txt").write_text(f"Title {n}\n\nThe text of article {n}.\n",
                                       encoding="utf-8")
    script = f"""
import os, sys, threading
from pathlib import Path
from converter.batch import BatchOptions, run_batch
threading.Thread(target=threading.Event().wait, daemon=True).start()  # not forkable: forkserver
options = BatchOptions(formats=("epub",), jobs=2, quiet=True)
for epoch, out in zip(sys.argv[1::2], sys.argv[2::2]):
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    assert run_batch([Path({str(src)!r})], Path(out), options).exit_code == 0
"""
    env = cli_env()
    runs = [("0", tmp_path / "first"), ("1365120000", tmp_path / "second")]
    subprocess.run([sys.executable, "-c", script, *(str(x) for run in runs for x in run)],
                   env=env, check=True, timeout=600)
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-c", script, "1365120000", str(fresh)], env=env,
                   check=True, timeout=600)
    for n in range(2):
        assert (tmp_path / "second" / f"a{n}.epub").read_bytes() == \
            (fresh / f"a{n}.epub").read_bytes()
        assert (tmp_path / "first" / f"a{n}.epub").read_bytes() != \
            (fresh / f"a{n}.epub").read_bytes()  # the clock does reach the EPUB


def test_a_worker_is_replaced_after_its_share_of_inputs(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Siegfried's native memory grows with every identified file: a worker that has converted
    JOBS_PER_WORKER inputs ends and a fresh one takes the next, with the same outputs."""
    from converter.batch import BatchOptions, pool, run_batch

    src = tmp_path / "in"
    src.mkdir()
    for n in range(7):
        (src / f"a{n}.txt").write_text(f"Title {n}\n\nThe text of article {n}.\n",
                                       encoding="utf-8")
    started: list[int] = []
    spawn = pool.WorkerPool._spawn

    def counted(self: pool.WorkerPool) -> object:
        worker = spawn(self)
        started.append(worker.process.pid or 0)
        return worker

    monkeypatch.setattr(pool, "JOBS_PER_WORKER", 3)
    monkeypatch.setattr(pool.WorkerPool, "_spawn", counted)
    result = run_batch([src], tmp_path / "out", BatchOptions(formats=("json",), jobs=1,
                                                             quiet=True))
    assert result.exit_code == 0 and result.count("ok") == 7
    assert len(started) == 3  # inputs 1-3, 4-6, 7
    for pid in started:  # each ended and was reaped
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
