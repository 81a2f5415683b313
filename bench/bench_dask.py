"""The Dask path against the local worker pool: the same corpus, both ways, in one run.

``converter convert CORPUS -o OUT --to json,markdown,jats,epub,bag --jobs 2`` (the local pool)
and the same with ``--scheduler local`` (a LocalCluster of 2 worker processes, started by the
command). The machine this runs on is shared, and its load moves by a factor of two within
minutes, so the two paths are measured in pairs: each round runs both back to back (in turns,
which goes first), and the ratios are taken within a pair, then their median. Measured:

* throughput, articles per wall second of the whole command, and the paired ratio Dask/local;
* the start-up, from pairs of runs on a corpus of two articles: what the Dask path pays once
  per run (a LocalCluster, importing converter and distributed in each worker);
* CPU per article, the user + system seconds of every process of the run (this process becomes
  a child subreaper, so the Dask workers' own children are counted too): what the Dask path
  adds per article, the figure a busy machine feels;
* the parent's peak memory at two corpus sizes (``--memory-sizes``, cheap writers), both paths:
  inputs go out in a bounded window and each result is released once settled.

Usage::

    .venv/bin/python bench/bench_dask.py                          # print the section
    .venv/bin/python bench/bench_dask.py --write docs/benchmarks.md
    .venv/bin/python bench/bench_dask.py --quick
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import make_corpus
from measure import Memory, peak_memory
from run import CHEAP, FULL, ROOT, convert_args, env, machine, present_writers, write_section

SECTION = "## Dask cluster against the local pool"
#: the issue's aim: the Dask path within 15% of the local pool's throughput at 2 workers
AIM = 0.85
DASK = ("--scheduler", "local")
_PR_SET_CHILD_SUBREAPER = 36


@dataclass
class Pair:
    """One round: wall and CPU seconds of each path on the same corpus, back to back."""

    local: tuple[float, float]
    dask: tuple[float, float]

    @property
    def ratio(self) -> float:
        """Dask's throughput over the local pool's (above 1: Dask was faster)."""
        return self.local[0] / self.dask[0]


@dataclass
class Results:
    articles: int
    pairs: list[Pair] = field(default_factory=list)
    #: pairs on a two-article corpus: the start-up of each path
    startup: list[Pair] = field(default_factory=list)
    memory: dict[str, dict[int, Memory]] = field(default_factory=dict)


def become_subreaper() -> None:
    """Orphans of the commands run here (a Dask worker's forkserver and its children) become
    this process's children, so their CPU time lands in RUSAGE_CHILDREN once reaped."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1)


def reap(limit: float = 60.0) -> None:
    """Wait for every descendant left behind (they end once their parents are gone)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)
    raise RuntimeError("descendants of a benchmark run did not end")


def timed(args: list[str | Path]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, whole process tree) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([str(a) for a in args], env=env(), stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} exited {done.returncode}: "
                           f"{done.stderr.decode(errors='replace')[-2000:]}")
    reap()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure_pairs(corpus: Path, work: Path, writers: tuple[str, ...], rounds: int,
                  pairs: list[Pair]) -> None:
    """``rounds`` pairs of runs on ``corpus``, the local pool first in every other round."""
    size = sum(1 for _ in corpus.rglob("*.txt"))
    for round_ in range(rounds):
        found: dict[str, tuple[float, float]] = {}
        order = (("local", ()), ("dask", DASK))
        for name, extra in order if round_ % 2 == 0 else order[::-1]:
            out = work / "out"
            shutil.rmtree(out, ignore_errors=True)
            found[name] = timed([*convert_args(corpus, out, writers, 2), *extra])
            print(f"[round {round_ + 1}/{rounds}] {name:5} {size} articles: "
                  f"{found[name][0]:.2f} s, CPU {found[name][1]:.2f} s, "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
        pairs.append(Pair(found["local"], found["dask"]))


def measure_memory(work: Path, sizes: list[int], writers: tuple[str, ...]
                   ) -> dict[str, dict[int, Memory]]:
    found: dict[str, dict[int, Memory]] = {"local": {}, "dask": {}}
    for size in sizes:
        folder = work / f"memory-{size}"
        make_corpus(folder, size)
        for name, extra in (("local", ()), ("dask", DASK)):
            print(f"[memory] {size} articles, {name} ...", flush=True)
            out = work / "memory-out"
            shutil.rmtree(out, ignore_errors=True)
            found[name][size] = peak_memory([*convert_args(folder, out, writers, 2), *extra],
                                            env())
            reap()
        shutil.rmtree(folder, ignore_errors=True)
    return found


def report(results: Results, writers: tuple[str, ...], load: tuple[float, float],
           minutes: float) -> str:
    n = results.articles
    pairs, startup = results.pairs, results.startup
    ratios = [p.ratio for p in pairs]
    ratio = statistics.median(ratios)
    wall_local = statistics.median(p.local[0] for p in pairs)
    wall_dask = statistics.median(p.dask[0] for p in pairs)
    cpu_local = statistics.median(p.local[1] for p in pairs) / n
    cpu_dask = statistics.median(p.dask[1] for p in pairs) / n
    cpu_ratio = statistics.median(p.dask[1] / p.local[1] for p in pairs)
    start_local = statistics.median(p.local[0] for p in startup)
    start_dask = statistics.median(p.dask[0] for p in startup)
    extra_start = statistics.median(p.dask[0] - p.local[0] for p in startup)
    extra_cpu = statistics.median(p.dask[1] - p.local[1] for p in startup)
    # the per-article CPU the Dask path adds once its start-up is paid
    per_article = statistics.median((p.dask[1] - p.local[1]) for p in pairs) - extra_cpu
    lines = [SECTION, "",
             f"Measured by `bench/bench_dask.py` ({time.strftime('%Y-%m-%d')}, {minutes:.1f} "
             f"min) on {machine()}; load average {load[0]:.2f} at the start and {load[1]:.2f} "
             "at the end. The machine is shared and its load moves within minutes, so the two "
             "paths run in pairs, back to back (each first in turn), and ratios are taken "
             "within a pair; the median of the pairs is given, with the range.", "",
             f"`converter convert CORPUS -o OUT --to {','.join(writers)} --jobs 2`, {n} "
             "articles, through the local worker pool and with `--scheduler local` (a "
             "LocalCluster of 2 worker processes that the command starts and stops); wall time "
             "of the whole command; CPU: user + system seconds of every process of the run "
             "(Dask workers and their converter processes included).", "",
             "| round | local pool | Dask LocalCluster | Dask/local throughput | "
             "CPU local | CPU Dask |", "|---:|---:|---:|---:|---:|---:|"]
    for i, p in enumerate(pairs, 1):
        lines.append(f"| {i} | {p.local[0]:.1f} s ({n / p.local[0]:.1f}/s) | {p.dask[0]:.1f} s "
                     f"({n / p.dask[0]:.1f}/s) | {p.ratio:.2f} | {p.local[1]:.1f} s | "
                     f"{p.dask[1]:.1f} s |")
    lines += ["", "| measure | local pool | Dask | Dask/local |", "|---|---:|---:|---:|",
              f"| throughput, {n} articles, whole command (median) | {n / wall_local:.1f}/s | "
              f"{n / wall_dask:.1f}/s | {ratio:.2f} (pairs: {min(ratios):.2f}-"
              f"{max(ratios):.2f}) |",
              f"| start-up: a two-article batch | {start_local:.2f} s | {start_dask:.2f} s | "
              f"+{extra_start:.2f} s, +{extra_cpu:.1f} s CPU |",
              f"| CPU per article, {n} articles | {cpu_local * 1000:.1f} ms | "
              f"{cpu_dask * 1000:.1f} ms | {cpu_ratio:.2f} |",
              f"| CPU the Dask path adds per article, its start-up aside | | "
              f"{per_article / n * 1000:.1f} ms | |",
              "", "| aim | measured | |", "|---|---:|---|",
              f"| Dask within 15% of the local pool's throughput at 2 workers ({n} articles, "
              f"whole command) | {ratio:.2f} | {'met' if ratio >= AIM else '**missed**'} |",
              "", "The Dask path pays its start-up once per run: the LocalCluster (scheduler, "
              "nannies, two spawned worker processes that import distributed and converter), "
              "then in each worker a forkserver and a converter process that loads the writers "
              "and compiles the schema validator, where the local pool forks its workers from a "
              "parent that has done all that already. After that, each task carries several "
              "inputs (about 0.5 s of work, measured as results come in), so Dask's "
              "milliseconds per task are shared out; what remains per article is the Job and "
              "the outcome pickled once more, the worker's bookkeeping and the result's round "
              "trip (docs/scaling.md)."]
    if results.memory:
        lines += ["", "Peak memory (`--to json,markdown`, 2 workers). The Dask parent also "
                  "holds the client and, for `--scheduler local`, the scheduler and the "
                  "nannies:", "",
                  "| executor | articles | seconds | parent peak | largest worker peak |",
                  "|---|---:|---:|---:|---:|"]
        growth = {}
        for name, label in (("local", "local pool"), ("dask", "Dask LocalCluster")):
            found = results.memory[name]
            for size in sorted(found):
                m = found[size]
                lines.append(f"| {label} | {size:,} | {m.seconds:.1f} | {m.parent_peak:.0f} MiB "
                             f"| {m.worker_peak:.0f} MiB |")
            low, high = min(found), max(found)
            growth[name] = ((found[high].parent_peak - found[low].parent_peak) * 1024
                            / (high - low))
        lines += ["", f"Per input, the parent grows by {growth['local']:.1f} KB with the local "
                  f"pool and {growth['dask']:.1f} KB with Dask: its line of the report and the "
                  "ledger's records, kept until the report is written, plus on the Dask path "
                  "what the scheduler in this process keeps about finished tasks (bounded "
                  "logs). The inputs in flight are bounded by the window whatever the corpus "
                  "size."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="update this Markdown file's section")
    parser.add_argument("--articles", type=int, default=1000, help="corpus size (default 1000)")
    parser.add_argument("--rounds", type=int, default=4, help="pairs of runs (default 4)")
    parser.add_argument("--memory-sizes", default="1000,3000")
    parser.add_argument("--work-disk", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--quick", action="store_true", help="small sizes, to try it out")
    args = parser.parse_args(argv)
    if args.quick:
        args.articles, args.rounds, args.memory_sizes = 60, 2, "100,300"
    become_subreaper()
    started, load = time.perf_counter(), os.getloadavg()[0]
    writers, _missing = present_writers(FULL)
    args.work_disk.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="converter-bench-dask-", dir=args.work_disk))
    results = Results(args.articles)
    try:
        make_corpus(work / "tiny", 2)
        measure_pairs(work / "tiny", work, writers, args.rounds, results.startup)
        make_corpus(work / "corpus", args.articles)
        measure_pairs(work / "corpus", work, writers, args.rounds, results.pairs)
        memory_sizes = [int(s) for s in args.memory_sizes.split(",") if s.strip()]
        cheap = tuple(w for w in CHEAP if w in writers) or ("json",)
        if memory_sizes:
            results.memory = measure_memory(work, memory_sizes, cheap)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    section = report(results, writers, (load, os.getloadavg()[0]),
                     (time.perf_counter() - started) / 60)
    print(section)
    if args.write:
        write_section(args.write, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
