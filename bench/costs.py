"""Costs a user feels outside the batch's throughput: one file against one pandoc call, Siegfried
per file, and what ``--check`` (EPUBCheck and the fidelity read-back) adds per EPUB.

Each is measured as a ratio or a difference within one run, so that the shared machine's load
weighs on both sides alike: the two commands of a pair run back to back, in turns.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from corpus import make_corpus
from measure import run


@dataclass
class SingleFile:
    """``converter convert one.txt -o out`` against ``pandoc one.txt -o one.md``, in pairs."""

    ours: float
    pandoc: float
    ratios: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


@dataclass
class Identification:
    """Siegfried (pygfried) in one process: loading its signatures, then each file."""

    load: float
    per_file: float
    files: int


@dataclass
class Check:
    """``--to epub`` with and without ``--check``, in pairs, on the same corpus."""

    articles: int
    without: float
    with_check: float
    pairs: int = 1

    @property
    def per_epub(self) -> float:
        return (self.with_check - self.without) / self.articles


def single_file(one: Path, work: Path, converter: list[str | Path], pandoc: str,
                times: int, env: dict[str, str]) -> SingleFile:
    ours, theirs, ratios = [], [], []
    for i in range(times):
        order = ("ours", "pandoc") if i % 2 == 0 else ("pandoc", "ours")
        found = {}
        for name in order:
            out = work / f"single-{name}"
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            if name == "ours":
                found[name] = run([*converter, "convert", one, "-o", out], env)
            else:
                found[name] = run([pandoc, one, "-o", out / "one.md"], env)
        ours.append(found["ours"])
        theirs.append(found["pandoc"])
        ratios.append(found["ours"] / found["pandoc"])
    return SingleFile(statistics.median(ours), statistics.median(theirs), ratios)


def identification(files: list[Path]) -> Identification:
    """Siegfried in a fresh process (nothing loaded or cached): seconds to load its signatures
    with the first file, then the median per file (each file once)."""
    done = subprocess.run([sys.executable, __file__, *map(str, files)], capture_output=True,
                          text=True, check=True)
    load, per_file, count = json.loads(done.stdout)
    return Identification(load, per_file, count)


def _identify_each(files: list[Path]) -> tuple[float, float, int]:
    from converter.packaging.identify import identify_files

    started = time.perf_counter()
    identify_files(files[:1])
    load = time.perf_counter() - started
    walls = []
    for path in files[1:]:
        started = time.perf_counter()
        identify_files([path])
        walls.append(time.perf_counter() - started)
    return load, statistics.median(walls), len(walls)


def check_cost(base_dir: Path, articles: int, converter: list[str | Path], rounds: int,
               env: dict[str, str]) -> Check:
    work = Path(tempfile.mkdtemp(prefix="converter-bench-check-", dir=base_dir))
    try:
        make_corpus(work / "corpus", articles)
        without: list[float] = []
        with_check: list[float] = []
        for i in range(rounds):
            pairs = (("without", ()), ("with", ("--check",)))
            for name, extra in pairs if i % 2 == 0 else pairs[::-1]:
                out = work / "out"
                shutil.rmtree(out, ignore_errors=True)
                wall = run([*converter, "convert", work / "corpus", "-o", out, "--to", "epub",
                            "--jobs", "2", "--quiet", *extra], env)
                (without if name == "without" else with_check).append(wall)
                print(f"[check] {name} --check, {articles} EPUBs: {wall:.1f} s", flush=True)
        return Check(articles, statistics.median(without), statistics.median(with_check), rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def corpus_files(base_dir: Path, count: int) -> tuple[Path, list[Path]]:
    """A fresh folder of ``count`` distinct articles (the caller removes the folder)."""
    work = Path(tempfile.mkdtemp(prefix="converter-bench-sf-", dir=base_dir))
    return work, make_corpus(work / "corpus", count)


if __name__ == "__main__":  # identification(): python bench/costs.py FILE...
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    print(json.dumps(_identify_each([Path(p) for p in sys.argv[1:]])))
