"""The Dask path against the local worker pool: the same corpus, both ways, in one run.

``converter convert CORPUS -o OUT --to json,markdown,jats,epub,bag --jobs 2`` (the local pool)
and the same with ``--scheduler local`` (a LocalCluster of 2 worker processes, started by the
command), interleaved ``--rounds`` times so that other work on the machine weighs on both alike.
Per run: wall time, and the CPU seconds of the whole process tree (this process becomes a child
subreaper, so the Dask workers' own children are counted too). Measured:

* throughput, articles per wall second (median of the rounds), and the ratio Dask/local pool;
* the marginal rate, from a corpus and one twice its size (start-up cancels out), and the
  start-up itself: what the Dask path pays once per run (a LocalCluster, worker imports);
* CPU per article, and what the Dask path adds per article (scheduler, messages, the result's
  round trip), which is the figure a busy machine feels;
* the parent's peak memory through Dask at two corpus sizes (``--memory-sizes``, cheap writers):
  flat, since inputs go out in a bounded window and each result is released once settled.

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
class Runs:
    """Wall and CPU seconds of each round, per (executor, corpus size)."""

    wall: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    cpu: dict[tuple[str, int], list[float]] = field(default_factory=dict)

    def add(self, key: tuple[str, int], wall: float, cpu: float) -> None:
        self.wall.setdefault(key, []).append(wall)
        self.cpu.setdefault(key, []).append(cpu)

    def median(self, key: tuple[str, int]) -> tuple[float, float]:
        return statistics.median(self.wall[key]), statistics.median(self.cpu[key])


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


def measure(work: Path, sizes: tuple[int, int], writers: tuple[str, ...], rounds: int,
            runs: Runs) -> None:
    corpora = {n: work / f"corpus-{n}" for n in sizes}
    for n, folder in corpora.items():
        make_corpus(folder, n)
    for round_ in range(rounds):
        for n in sizes:
            for name, extra in (("local", ()), ("dask", DASK)):
                out = work / "out"
                shutil.rmtree(out, ignore_errors=True)
                wall, cpu = timed([*convert_args(corpora[n], out, writers, 2), *extra])
                runs.add((name, n), wall, cpu)
                print(f"[round {round_ + 1}/{rounds}] {name:5} {n} articles: {wall:.2f} s, "
                      f"CPU {cpu:.2f} s, load {os.getloadavg()[0]:.1f}", flush=True)


def measure_memory(work: Path, sizes: list[int], writers: tuple[str, ...]) -> dict[int, Memory]:
    found = {}
    for size in sizes:
        folder = work / f"memory-{size}"
        make_corpus(folder, size)
        print(f"[memory] {size} articles through Dask ...", flush=True)
        found[size] = peak_memory([*convert_args(folder, work / f"memory-out-{size}", writers,
                                                 2), *DASK], env())
        reap()
        shutil.rmtree(folder, ignore_errors=True)
    return found


def report(runs: Runs, sizes: tuple[int, int], writers: tuple[str, ...],
           memory: dict[int, Memory], load: tuple[float, float], rounds: int,
           minutes: float) -> str:
    small, large = sizes
    rate: dict[tuple[str, int], float] = {}
    lines = [SECTION, "",
             f"Measured by `bench/bench_dask.py` ({time.strftime('%Y-%m-%d')}, {minutes:.1f} "
             f"min) on {machine()}; load average {load[0]:.2f} at the start and {load[1]:.2f} "
             "at the end (other work on the machine slows both paths; the rounds are "
             "interleaved so it weighs on both alike).", "",
             f"`converter convert CORPUS -o OUT --to {','.join(writers)} --jobs 2`, through the "
             "local worker pool and with `--scheduler local` (a LocalCluster of 2 worker "
             "processes started by the command); wall time of the whole command, median of "
             f"{rounds} rounds; CPU: user + system seconds of every process of the run "
             "(Dask workers and their children included).", "",
             "| executor | articles | wall | articles/s | CPU | CPU ms per article |",
             "|---|---:|---:|---:|---:|---:|"]
    for name in ("local", "dask"):
        for n in sizes:
            wall, cpu = runs.median((name, n))
            rate[(name, n)] = n / wall
            label = "local pool" if name == "local" else "Dask LocalCluster"
            lines.append(f"| {label} | {n} | {wall:.2f} s | {n / wall:.1f} | {cpu:.1f} s | "
                         f"{cpu / n * 1000:.1f} |")

    def marginal(name: str) -> tuple[float, float]:
        """Articles per second between the two sizes, and the start-up that remains."""
        w_small, w_large = runs.median((name, small))[0], runs.median((name, large))[0]
        per = (w_large - w_small) / (large - small)
        return 1 / per if per > 0 else float("inf"), w_small - small * per

    (local_rate, local_start), (dask_rate, dask_start) = marginal("local"), marginal("dask")
    ratio = rate[("dask", large)] / rate[("local", large)]
    cpu_local = runs.median(("local", large))[1] / large
    cpu_dask = runs.median(("dask", large))[1] / large
    lines += ["", "| measure | local pool | Dask | Dask/local |", "|---|---:|---:|---:|",
              f"| throughput, {large} articles, whole command | "
              f"{rate[('local', large)]:.1f}/s | {rate[('dask', large)]:.1f}/s | "
              f"{ratio:.2f} |",
              f"| throughput, {small} articles, whole command | "
              f"{rate[('local', small)]:.1f}/s | {rate[('dask', small)]:.1f}/s | "
              f"{rate[('dask', small)] / rate[('local', small)]:.2f} |",
              f"| marginal throughput ({small} -> {large} articles, start-up cancelled) | "
              f"{local_rate:.1f}/s | {dask_rate:.1f}/s | {dask_rate / local_rate:.2f} |",
              f"| start-up (the rest of the wall time) | {local_start:.2f} s | "
              f"{dask_start:.2f} s | |",
              f"| CPU per article ({large}) | {cpu_local * 1000:.1f} ms | "
              f"{cpu_dask * 1000:.1f} ms | {cpu_dask / cpu_local:.2f} |",
              "", "| aim | measured | |", "|---|---:|---|",
              f"| Dask within 15% of the local pool's throughput at 2 workers ({large} "
              f"articles, whole command) | {ratio:.2f} | {'met' if ratio >= AIM else '**missed**'} "
              "|",
              "", f"What the Dask path adds: {(cpu_dask - cpu_local) * 1000:.1f} ms of CPU per "
              f"article (scheduler, messages, the result's round trip, per-task bookkeeping on "
              f"the workers) and {dask_start - local_start:.1f} s once per run (starting the "
              "LocalCluster, importing converter and distributed in each worker). A Dask task "
              "costs milliseconds of its own, about what a small article costs, so each task "
              "carries several inputs (about 0.5 s of work, measured as results come in; "
              "docs/scaling.md)."]
    if memory:
        low, high = min(memory), max(memory)
        lines += ["", "Peak memory through Dask (`--to json,markdown`, 2 workers; the parent "
                  "holds the client and, for `--scheduler local`, the scheduler):", "",
                  "| articles | seconds | parent peak | largest worker peak |",
                  "|---:|---:|---:|---:|"]
        for size in sorted(memory):
            m = memory[size]
            lines.append(f"| {size:,} | {m.seconds:.1f} | {m.parent_peak:.0f} MiB | "
                         f"{m.worker_peak:.0f} MiB |")
        grown = (memory[high].parent_peak - memory[low].parent_peak) * 1024 / (high - low)
        lines += ["", f"The parent grows by {grown:.1f} KB per input: its line of the report "
                  "and the ledger's records (as with the local pool); the inputs in flight are "
                  "bounded by the window, whatever the corpus size."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="update this Markdown file's section")
    parser.add_argument("--articles", type=int, default=1000,
                        help="the larger corpus (the smaller is half of it; default 1000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory-sizes", default="1000,4000")
    parser.add_argument("--work-disk", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--quick", action="store_true", help="small sizes, to try it out")
    args = parser.parse_args(argv)
    if args.quick:
        args.articles, args.rounds, args.memory_sizes = 60, 1, "100,300"
    become_subreaper()
    started, load = time.perf_counter(), os.getloadavg()[0]
    writers, _missing = present_writers(FULL)
    sizes = (args.articles // 2, args.articles)
    args.work_disk.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="converter-bench-dask-", dir=args.work_disk))
    try:
        runs = Runs()
        measure(work, sizes, writers, args.rounds, runs)
        memory_sizes = [int(s) for s in args.memory_sizes.split(",") if s.strip()]
        cheap = tuple(w for w in CHEAP if w in writers) or ("json",)
        memory = measure_memory(work, memory_sizes, cheap) if memory_sizes else {}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    section = report(runs, sizes, writers, memory, (load, os.getloadavg()[0]), args.rounds,
                     (time.perf_counter() - started) / 60)
    print(section)
    if args.write:
        write_section(args.write, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
