"""Helpers for the Dask tests: a real scheduler and workers as separate processes, a test-only
reader and writer that take their time, and comparing two output folders.

Every process started here is in its own session and is killed with its whole process group when
the test ends, passed or failed (the fixtures call :meth:`Cluster.stop` in a finalizer).
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import psutil
from batch_support import cli_env, install_plugin

import converter

BIN = Path(sys.executable).parent
#: every Dask test fixes the clock; the cluster's processes get another value (or none), so that
#: equal outputs prove the batch's value travels with each task
EPOCH = "1365120000"

NAPPING = '''
"""Test-only plug-ins: a reader of one-line ``.nap`` inputs, and a writer that naps.

The writer, for an article titled ``NAP <seconds> ...``, first writes ``<pid>`` into
``$NAP_MARKS/<title>.pid`` (when set), then sleeps: whatever formats come before it in ``--to``
are then complete at their final paths while it sleeps. ``HANG`` and ``CRASH`` inputs hang and
end the converter's worker process; ``MURDER`` kills the Dask worker above it.
"""
import os
import time
from pathlib import Path

from converter.model import Article, Paragraph, Text


class NapReader:
    name = "nap"
    version = "0"
    extensions = (".nap",)

    def sniff(self, data, file_name):
        return False

    def read(self, data, options):
        text = data.decode("utf-8").strip()
        if text == "HANG":
            time.sleep(600)
        if text == "CRASH":
            os._exit(7)
        if text == "MURDER":  # kill the Dask worker: this process's forkserver's parent
            with open(f"/proc/{os.getppid()}/stat") as handle:
                os.kill(int(handle.read().rsplit(")", 1)[1].split()[1]), 9)
            time.sleep(600)
        return Article(title=text, body=[Paragraph([Text(text)])])


class NapWriter:
    name = "nap"
    extension = ".nap-out"

    def write(self, article, options):
        words = article.title.split()
        if words[0] == "NAP":
            marks = os.environ.get("NAP_MARKS")
            if marks:
                Path(marks, article.title + ".pid").write_text(str(os.getpid()))
            time.sleep(float(words[1]))
        return article.title.encode("utf-8")
'''


def nap_site(root: Path) -> Path:
    """A folder to put on PYTHONPATH that declares the nap reader and writer."""
    return install_plugin(root, "napping-plugins", {"napping.py": NAPPING},
                          {"converter.readers": {"nap": "napping:NapReader"},
                           "converter.writers": {"nap": "napping:NapWriter"}})


class Cluster:
    """``dask scheduler`` and ``dask worker`` processes on 127.0.0.1 (a scheduler file)."""

    def __init__(self, work: Path, env: Mapping[str, str]) -> None:
        self.work = work
        self.file = work / "scheduler.json"
        self.env = dict(env)
        self.scheduler: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []
        self.address = ""

    def _start(self, name: str, args: Sequence[str | Path],
               prefix: Sequence[str] = ()) -> subprocess.Popen[bytes]:
        log = (self.work / f"{name}.log").open("ab")
        return subprocess.Popen([*prefix, str(BIN / "dask"), *map(str, args)], env=self.env,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def start(self, workers: int = 2, prefix: Sequence[str] = ()) -> Cluster:
        """The scheduler, then ``workers`` workers (``prefix``: a command they run under)."""
        self.scheduler = self._start("scheduler", [
            "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
            "--scheduler-file", self.file])
        self.address = self._wait_for_file()
        for n in range(workers):
            self.add_worker(f"worker{n}", prefix)
        self.wait_for_workers(workers)
        return self

    def add_worker(self, name: str, prefix: Sequence[str] = ()) -> None:
        self.workers.append(self._start(name, [
            "worker", "--scheduler-file", self.file, "--nthreads", "1", "--nworkers", "1",
            "--no-dashboard", "--host", "127.0.0.1", "--name", name, "--death-timeout", "60"],
            prefix))

    def _wait_for_file(self) -> str:
        """The scheduler writes its file once it listens (poll until it parses)."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.scheduler is not None and self.scheduler.poll() is None, self.logs()
            try:
                return str(json.loads(self.file.read_text())["address"])
            except (OSError, ValueError, KeyError):
                time.sleep(0.05)
        raise AssertionError(f"no scheduler file after 120 s\n{self.logs()}")

    def wait_for_workers(self, count: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(count, timeout=120)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                         for p in sorted(self.work.glob("*.log")))

    def processes(self) -> list[subprocess.Popen[bytes]]:
        return [p for p in [self.scheduler, *self.workers] if p is not None]

    def stop(self) -> None:
        """Kill every process started here, with its process group (forkservers, children)."""
        for process in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGCONT)
                os.killpg(process.pid, signal.SIGKILL)
        for process in self.processes():
            process.wait(30)


def cluster_env(site: Path, marks: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment of the cluster's processes: the plug-ins, workers that may start
    processes, and a clock other than the batch's (see EPOCH)."""
    extra.update(DASK_DISTRIBUTED__WORKER__DAEMON="False", SOURCE_DATE_EPOCH="1000000000")
    if marks is not None:
        extra["NAP_MARKS"] = str(marks)
    return cli_env([site], **extra)


def dask_worker_of(pid: int) -> psutil.Process:
    """The Dask worker process whose converter worker is ``pid``: the converter worker's parent
    is the forkserver the Dask worker started (the nanny spawned the Dask worker)."""
    forkserver = psutil.Process(pid).parent()
    assert forkserver is not None and "forkserver" in " ".join(forkserver.cmdline())
    worker = forkserver.parent()
    assert worker is not None and "spawn_main" in " ".join(worker.cmdline()), worker
    return worker


def files(root: Path) -> dict[str, bytes]:
    """Every output file under ``root`` by relative path (the ledger and the report aside)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".converter" not in p.relative_to(root).parts
            and p.name != "report.json"}


def assert_same_files(root: Path, expected_root: Path) -> None:
    """The same output files byte for byte; else a readable diff of the first that differs."""
    found, expected = files(root), files(expected_root)
    if found.keys() != expected.keys():  # (no assertion rewriting in a helper module)
        raise AssertionError(f"only in {root}: {sorted(found.keys() - expected.keys())}; only in "
                             f"{expected_root}: {sorted(expected.keys() - found.keys())}")
    for name, data in found.items():
        if data != expected[name]:
            diff = difflib.unified_diff(expected[name].decode(errors="replace").splitlines(),
                                        data.decode(errors="replace").splitlines(),
                                        str(expected_root / name), str(root / name), lineterm="")
            raise AssertionError(f"{name} differs:\n" + "\n".join(list(diff)[:60]))


def comparable(report: Mapping[str, Any]) -> dict[str, Any]:
    """A report without what differs between two runs of the same batch: times, OUT's path,
    and ``attempts`` (how often a worker died under an input)."""
    data = dict(report)
    data.pop("seconds")
    data.pop("output")
    data["inputs"] = [{k: v for k, v in item.items() if k not in ("seconds", "attempts")}
                      for item in report["inputs"]]
    return data


def bags(root: Path) -> Iterator[Path]:
    return (p for p in sorted(root.rglob("*.bag")) if p.is_dir())


def assert_bags_valid(root: Path) -> int:
    """``converter.verify`` on every bag under ``root``; how many there were."""
    count = 0
    for bag in bags(root):
        report = converter.verify(bag)
        assert report.valid, (bag, report.errors)
        count += 1
    return count


class Batch:
    """A ``converter convert`` subprocess in its own session, its stderr read as it comes (the
    progress lines say which inputs are settled); killed with its group if a test fails."""

    def __init__(self, args: Sequence[str], env: Mapping[str, str]) -> None:
        self.process = subprocess.Popen(args, env=dict(env), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True, start_new_session=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)

    def settled(self) -> int:
        """How many inputs the batch has settled (ledger and report) so far."""
        return sum(1 for line in list(self.lines) if re.match(r"\[\s*\d+/\d+\] ", line))

    def finish(self, timeout: float) -> str:
        """Wait for the batch to end; its whole stderr."""
        self.process.wait(timeout)
        self._reader.join(timeout)
        return "".join(self.lines)

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def group_alive(self) -> bool:
        """Whether any process of the batch's process group still runs (its workers' too)."""
        for process in psutil.process_iter():
            with contextlib.suppress(psutil.Error):
                if os.getpgid(process.pid) == self.process.pid and process.status() != "zombie":
                    return True
        return False

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)


def wait_until(what: str, condition: Any, batch: Batch | None = None,
               limit: float = 120) -> None:
    """Poll ``condition()`` until true; fail if ``batch`` ends first or after ``limit`` s."""
    deadline = time.monotonic() + limit
    while not condition():
        if batch is not None and batch.process.poll() is not None:
            raise AssertionError(f"the batch ended before {what}: {batch.finish(30)}")
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.02)
