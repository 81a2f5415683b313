"""The benchmark: throughput, scaling, memory and start-up of ``converter``, against a baseline.

Measured in one run (``make bench``; nothing here is a test):

* articles per second of the full pipeline (parse, validate, json, markdown, jats, epub, bag) with
  1 and 2 workers, on the work disk and on a tmpfs (/dev/shm);
* the same corpus through the baseline: per article ``pandoc -s`` to epub3 and to
  jats_archiving (title and lang metadata), then ``bagit.py`` on a folder with the outputs;
  the ratios ours/baseline are taken within one disk's run;
* peak resident memory converting 1,000 and 10,000 articles (a cheaper writer set, see ``--help``);
* wall time of ``converter convert one.txt -o out`` as a ratio to one ``pandoc`` call on the same
  file (in pairs), and of ``converter --help``;
* Siegfried's cost per file, and what ``--check`` (EPUBCheck, fidelity read-back) adds per EPUB;
* where one article's time goes, stage by stage, in one process.

Usage::

    .venv/bin/python bench/run.py                         # print the tables
    .venv/bin/python bench/run.py --write docs/benchmarks.md
    .venv/bin/python bench/run.py --quick                 # small sizes, to try it out
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import make_corpus, samples
from costs import Check, Identification, SingleFile, check_cost, corpus_files, identification
from costs import single_file as measure_single_file
from measure import Memory, median_wall, peak_memory, run
from startup import import_times, profile_conversion

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECTION = "## Throughput, memory and start-up"
FULL = ("json", "markdown", "jats", "epub", "bag")
#: the 1,000/10,000-article memory runs use these writers (10,000 full conversions take too long)
CHEAP = ("json", "markdown")
BAG_STAGE = "bag (identification, PREMIS, METS, checksums, verify, files)"
TARGETS = {"ratio": 40.0, "scaling": 1.8, "single": 3.0, "help": 0.150}


def converter_cmd(*args: str | Path) -> list[str | Path]:
    return [sys.executable, "-m", "converter", *args]


def present_writers(wanted: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The writers of ``wanted`` that exist now, and the missing ones."""
    sys.path.insert(0, str(ROOT))
    from converter.registry import Registry

    registry = Registry.default()
    present, missing = [], []
    for name in wanted:
        try:
            registry.writer(name)
            present.append(name)
        except ImportError:
            missing.append(name)
    return tuple(present), tuple(missing)


def env() -> dict[str, str]:
    values = dict(os.environ)
    values["SOURCE_DATE_EPOCH"] = "1365120000"
    values.pop("PYTHONPATH", None)
    return values


def convert_args(corpus: Path, out: Path, writers: tuple[str, ...], jobs: int
                 ) -> list[str | Path]:
    renditions = ",".join(w for w in writers if w != "bag") or "json"
    return converter_cmd("convert", corpus, "-o", out, "--to", ",".join(writers), "--jobs",
                         str(jobs), "--quiet", "--bag-renditions", renditions)


# --------------------------------------------------------------------------- the baseline


def pandoc() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_path())


def baseline(corpus: list[Path], work: Path) -> float:
    """Per article: pandoc to EPUB 3 and to JATS archiving, then bagit.py; seconds in total."""
    exe, bagit = pandoc(), str(BIN / "bagit.py")
    started = time.perf_counter()
    for i, source in enumerate(corpus):
        folder = work / f"bag-{i:05}"
        folder.mkdir(parents=True)
        meta = ["--metadata", f"title=Article {i}", "--metadata", "lang=en"]
        run([exe, "-s", "-f", "markdown", source, "-t", "epub3", "-o", folder / "a.epub", *meta])
        run([exe, "-s", "-f", "markdown", source, "-t", "jats_archiving", "-o",
             folder / "a.xml", *meta])
        shutil.copy(source, folder / source.name)
        run([sys.executable, bagit, "--quiet", folder])
    return time.perf_counter() - started


# --------------------------------------------------------------------------- measurements


@dataclass
class DiskRun:
    disk: str
    path: Path
    articles: int
    ours1: float = 0.0
    ours2: float = 0.0
    base: float = 0.0

    def rate(self, seconds: float) -> float:
        return self.articles / seconds if seconds else 0.0


@dataclass
class Results:
    writers: tuple[str, ...]
    missing: tuple[str, ...]
    cheap: tuple[str, ...] = CHEAP
    disks: list[DiskRun] = field(default_factory=list)
    memory: dict[int, Memory] = field(default_factory=dict)
    single: SingleFile | None = None
    help: float = 0.0
    identification: Identification | None = None
    check: Check | None = None
    stages: dict[str, float] = field(default_factory=dict)
    imports: dict[str, float] = field(default_factory=dict)
    profile: dict[str, float] = field(default_factory=dict)
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)
    seconds: float = 0.0


def measure_disk(disk: str, base_dir: Path, articles: int, writers: tuple[str, ...],
                 baseline_articles: int) -> DiskRun:
    base_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="converter-bench-", dir=base_dir))
    try:
        corpus_dir = work / "corpus"
        corpus = make_corpus(corpus_dir, articles)
        result = DiskRun(disk, base_dir, articles)
        print(f"[{disk}] ours, 1 worker, {articles} articles ...", flush=True)
        result.ours1 = run(convert_args(corpus_dir, work / "out1", writers, 1), env())
        print(f"[{disk}] ours, 2 workers ...", flush=True)
        result.ours2 = run(convert_args(corpus_dir, work / "out2", writers, 2), env())
        print(f"[{disk}] baseline, {baseline_articles} articles ...", flush=True)
        base = baseline(corpus[:baseline_articles], work / "baseline")
        result.base = base * articles / baseline_articles  # same corpus size, per-article rate
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure_memory(base_dir: Path, sizes: list[int], writers: tuple[str, ...]
                   ) -> dict[int, Memory]:
    found = {}
    for size in sizes:
        work = Path(tempfile.mkdtemp(prefix="converter-bench-rss-", dir=base_dir))
        try:
            make_corpus(work / "corpus", size)
            print(f"[memory] {size} articles ({', '.join(writers)}, 2 workers) ...", flush=True)
            found[size] = peak_memory(convert_args(work / "corpus", work / "out", writers, 2),
                                      env())
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return found


def measure_startup(base_dir: Path, times: int, results: Results) -> None:
    work = Path(tempfile.mkdtemp(prefix="converter-bench-one-", dir=base_dir))
    try:
        one = work / "one.txt"
        one.write_bytes(samples()[-1])
        print("[start-up] single file, --help ...", flush=True)
        run(converter_cmd("--help"))  # warm the page cache and bytecode once
        results.single = measure_single_file(one, work, converter_cmd(), pandoc(), times, env())
        results.help = median_wall(converter_cmd("--help"), times, env())
        results.imports = import_times()
        results.profile = profile_conversion(one, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure_stages(writers: tuple[str, ...], rounds: int) -> dict[str, float]:
    """Milliseconds per article for each stage, in this process (after a warm-up)."""
    sys.path.insert(0, str(ROOT))
    from converter.options import BagOptions, ReadOptions, WriteOptions
    from converter.pipeline import make_rendition, parse_bytes, write_outputs

    texts = [make_text(i) for i in range(rounds)]
    renditions = tuple(w for w in writers if w != "bag")
    options = WriteOptions(bag=BagOptions(renditions=renditions or ("json",)))
    stages: dict[str, list[float]] = {}

    def timed(name: str, call: Callable[..., object], *args: object, **kwargs: object) -> object:
        started = time.perf_counter()
        result = call(*args, **kwargs)
        stages.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        return result

    with tempfile.TemporaryDirectory(prefix="converter-bench-stages-") as tmp:
        for i, data in enumerate([texts[0], *texts]):  # the first round warms up
            read = ReadOptions(file_name=f"article-{i}.txt")
            article = parse_bytes(data, read)
            timed("parse + validate", parse_bytes, data, read)
            made = {name: timed(name, make_rendition, article, name, options)
                    for name in renditions}
            if "bag" in writers:
                source = Path(tmp) / f"article-{i}.txt"
                source.write_bytes(data)
                bag_options = WriteOptions(source_path=source, bag=options.bag)
                timed(BAG_STAGE, write_outputs, article, Path(tmp), f"b{i}", ["bag"],
                      bag_options, made=made)
    return {name: statistics.median(values[1:]) for name, values in stages.items()}


def make_text(i: int) -> bytes:
    from corpus import variant

    texts = [s.decode("utf-8") for s in samples()]
    return variant(texts[i % len(texts)], i).encode("utf-8")


# --------------------------------------------------------------------------- reporting


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pypandoc

    return (f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}; "
            f"Python {platform.python_version()} on {platform.system()} {platform.release()}; "
            f"pandoc {pypandoc.get_pandoc_version()}")


def filesystem(path: Path) -> str:
    """The file system type holding ``path`` (from /proc/mounts)."""
    best, kind = "", "?"
    target = str(path.resolve())
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            mount = parts[1]
            if (target == mount or target.startswith(mount.rstrip("/") + "/")) and \
                    len(mount) > len(best):
                best, kind = mount, parts[2]
    except OSError:
        pass
    return kind


def mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(results: Results) -> str:
    t = TARGETS
    lines = [SECTION, "",
             f"Measured by `bench/run.py` ({time.strftime('%Y-%m-%d')}, {results.seconds / 60:.1f}"
             f" min) on {machine()}; load average at the start "
             f"{' '.join(f'{x:.2f}' for x in results.load)} (other work on the machine slows "
             "every figure but the ratios taken within one run less).", "",
             f"Full pipeline: `converter convert CORPUS -o OUT --to {','.join(results.writers)}"
             "`, wall time of the whole command (start-up, discovery, report and ledger "
             "included). Corpus: variants of the sample articles, 3-35 KB each. Baseline: per "
             "article `pandoc -s` to epub3 and to jats_archiving with title and lang metadata, "
             "then `bagit.py` (sha256 + sha512) on a folder with the outputs and the original.",
             ""]
    if results.missing:
        lines += [f"Writers missing when this ran (left out of the pipeline): "
                  f"{', '.join(results.missing)}.", ""]
    lines += ["| disk | articles | ours, 1 worker | ours, 2 workers | baseline | ours/baseline "
              "(1 worker) | ours/baseline (2 workers) | 2 workers/1 worker |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for d in results.disks:
        r1, r2, rb = d.rate(d.ours1), d.rate(d.ours2), d.rate(d.base)
        lines.append(f"| {d.disk} ({filesystem(d.path)}) | {d.articles} | {r1:.1f}/s | "
                     f"{r2:.1f}/s | {rb:.2f}/s | {r1 / rb:.1f}x | {r2 / rb:.1f}x | "
                     f"{r2 / r1:.2f}x |")
    lines += ["", "| target | measured | |", "|---|---:|---|"]
    for d in results.disks:
        r1, r2, rb = d.rate(d.ours1), d.rate(d.ours2), d.rate(d.base)
        lines.append(f"| full pipeline >= {t['ratio']:.0f}x the baseline ({d.disk}, 2 workers) "
                     f"| {r2 / rb:.1f}x | {mark(r2 / rb >= t['ratio'])} |")
        lines.append(f"| >= {t['scaling']}x from 1 to 2 workers ({d.disk}) | {r2 / r1:.2f}x | "
                     f"{mark(r2 / r1 >= t['scaling'])} |")
    if results.single:
        one = results.single
        lines.append(f"| `converter convert one.txt -o out` <= {t['single']:.0f}x one pandoc call "
                     f"on the same file | {one.ratio:.1f}x ({one.ours * 1000:.0f} ms against "
                     f"{one.pandoc * 1000:.0f} ms) | {mark(one.ratio <= t['single'])} |")
    lines.append(f"| `converter --help` <= {t['help'] * 1000:.0f} ms | "
                 f"{results.help * 1000:.0f} ms | {mark(results.help <= t['help'])} |")
    if results.memory:
        sizes = sorted(results.memory)
        small, large = results.memory[sizes[0]], results.memory[sizes[-1]]
        flat = large.total_peak <= small.total_peak * 1.15 + 10
        lines.append(f"| memory flat from {sizes[0]:,} to {sizes[-1]:,} articles | "
                     f"{small.total_peak:.0f} -> {large.total_peak:.0f} MiB | {mark(flat)} |")
        cheap = ",".join(results.cheap)
        lines += ["", f"Peak memory (`--to {cheap}`, 2 workers; 10,000 full conversions would "
                  "take most of the time budget):", "",
                  "| articles | seconds | parent peak | largest worker peak | "
                  "process group peak (PSS) |", "|---:|---:|---:|---:|---:|"]
        for size in sizes:
            m = results.memory[size]
            lines.append(f"| {size:,} | {m.seconds:.1f} | {m.parent_peak:.0f} MiB | "
                         f"{m.worker_peak:.0f} MiB | {m.total_peak:.0f} MiB |")
        per_input = (large.parent_peak - small.parent_peak) * 1024 / max(sizes[-1] - sizes[0], 1)
        lines += ["", f"Workers hold one article at a time. The parent keeps about "
                  f"{per_input:.1f} KB per input until the end: its line of the report (outputs, "
                  "checksums, diagnostics) and the ledger entries of its outputs; the report and "
                  "the ledger are written piece by piece, never whole in memory."]
    lines += _costs(results)
    if results.stages:
        total = sum(results.stages.values())
        lines += ["", "Where one article's time goes (one process, warm, median ms per article):",
                  "", "| stage | ms | share |", "|---|---:|---:|"]
        for name, ms in results.stages.items():
            lines.append(f"| {name} | {ms:.1f} | {ms / total:.0%} |")
    lines += _gaps(results)
    if results.imports:
        lines += ["", "`converter --help`: cumulative import time (`python -X importtime`, median "
                  "ms): " + ", ".join(f"{name} {ms:.0f}" for name, ms in results.imports.items())
                  + "."]
    if results.profile:
        total = results.profile.get("total (profiled)", 0.0)
        lines += ["", "`converter convert one.txt -o out` under cProfile (inflated; cumulative, "
                  "nested as indented; the worker's part measured again in one process with "
                  "`--timeout 0`):", "", "| part | ms | share |",
                  "|---|---:|---:|"]
        for name, seconds in results.profile.items():
            share = f"{seconds / total:.0%}" if total else ""
            lines.append(f"| {name} | {seconds * 1000:.0f} | {share} |")
    return "\n".join(lines) + "\n"


def _costs(results: Results) -> list[str]:
    lines = []
    if results.identification:
        found = results.identification
        lines += ["", f"Siegfried (pygfried, in one process): loading its signatures "
                  f"{found.load * 1000:.0f} ms once per process (workers load them in a "
                  f"background thread while they read their first input), then "
                  f"{found.per_file * 1000:.1f} ms per file (median of {found.files} articles); "
                  "the batch identifies each input and each output."]
    if results.check:
        check = results.check
        lines += ["", f"`--check` on {check.articles} EPUBs (`--to epub --jobs 2`, "
                  f"{check.pairs} pair(s) of runs, back to back, median): "
                  f"{check.without:.1f} s without, {check.with_check:.1f} s with: "
                  f"{check.per_epub * 1000:.0f} ms per EPUB (EPUBCheck in one shared JVM, its "
                  "start-up included, and the fidelity read-back)."]
    return lines


def _gaps(results: Results) -> list[str]:
    """Plain words on the biggest costs the tables show (only those that are big)."""
    notes = []
    total = sum(results.stages.values())
    bag = results.stages.get(BAG_STAGE, 0.0)
    if total and bag / total > 0.4:
        notes.append(f"- The bag takes {bag / total:.0%} of an article's time (its renditions "
                     "are the ones written beside it, not made again): Siegfried identifies "
                     "each file, the PREMIS record and the METS document are built, each file is "
                     "hashed with two algorithms, and the finished bag is verified before it is "
                     "renamed into place.")
    if results.disks:
        scaling = [d.rate(d.ours2) / d.rate(d.ours1) for d in results.disks if d.ours1]
        if scaling and min(scaling) < TARGETS["scaling"]:
            notes.append("- Both worker counts pay the same start-up (imports, validator); on a "
                         "2-CPU machine the second worker also shares its CPU with the parent and "
                         "with anything else running, so 2 workers/1 worker is below 2 even when "
                         "the workers themselves scale.")
    return ["", "Where the gaps come from:", "", *notes] if notes else []


def write_section(path: Path, section: str) -> None:
    """Replace (or append) this section of docs/benchmarks.md, leaving the others alone (the
    section's first line is its heading)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    heading = section.split("\n", 1)[0]
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="update this Markdown file's section")
    parser.add_argument("--articles", type=int, default=300,
                        help="corpus size for throughput (default 300)")
    parser.add_argument("--baseline-articles", type=int, default=None,
                        help="articles through the baseline (default: all; its rate is "
                        "scaled to the corpus size)")
    parser.add_argument("--memory-sizes", default="1000,10000")
    parser.add_argument("--work-disk", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--tmpfs", type=Path, default=Path("/dev/shm"))
    parser.add_argument("--quick", action="store_true", help="small sizes, to try it out")
    args = parser.parse_args(argv)
    if args.quick:
        args.articles, args.memory_sizes = 20, "100,300"
    started = time.perf_counter()
    writers, missing = present_writers(FULL)
    results = Results(writers, missing, load=os.getloadavg())
    baseline_articles = min(args.baseline_articles or args.articles, args.articles)
    disks = [("work disk", args.work_disk)]
    if args.tmpfs.is_dir():
        disks.append(("tmpfs", args.tmpfs))
    for name, path in disks:
        results.disks.append(measure_disk(name, path, args.articles, writers, baseline_articles))
    sizes = [int(s) for s in args.memory_sizes.split(",") if s.strip()]
    results.cheap = tuple(w for w in CHEAP if w in writers) or ("json",)
    results.memory = measure_memory(args.work_disk, sizes, results.cheap)
    measure_startup(args.work_disk, 7, results)
    results.stages = measure_stages(writers, 20)
    folder, files = corpus_files(args.work_disk, 60 if not args.quick else 10)
    try:
        results.identification = identification(files)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results.check = check_cost(args.work_disk, 10 if args.quick else 300, converter_cmd(),
                               1 if not args.quick else 2, env())
    results.seconds = time.perf_counter() - started
    section = report(results)
    print(section)
    if args.write:
        write_section(args.write, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
