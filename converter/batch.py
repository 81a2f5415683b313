"""Batch conversion of files and folders: discovery, worker processes, ledger, resume and report.

The flow of one run (``converter convert DIR... -o OUT``)::

    discover inputs ─► plan targets (collisions, foreign files) ─► journal the plan
        ─► convert (in-process, or a pool of worker processes with a time limit per input)
        ─► ledger + report (atomic) ─► collection EPUB (``--collection``)

* OUT mirrors each input tree: ``OUT/<relative dir>/<stem><ext>``; a file named on its own goes
  to ``OUT/<stem><ext>``. Hidden files and folders, sidecars and files no reader claims are
  skipped and counted. Two inputs that would write the same output (``foo.txt`` and ``foo.md``)
  both fail with a collision error before anything is converted: no silent renaming.
* Ownership: the :mod:`converter.ledger` (``OUT/.converter/``) records every file the converter
  wrote. An existing destination is replaced only when the ledger says we wrote it and it is
  unchanged, or with ``force``. Only the parent process touches the ledger; workers get the
  entries of their destinations with the job.
* Resume: an input whose bytes, effective options and outputs (present, matching the ledger) are
  unchanged is skipped; ``force`` redoes it. Stale ``.*.part`` files are removed at start; a run
  killed with ``kill -9`` loses at most the inputs in flight.
* Isolation: inputs run in worker processes (:class:`WorkerPool`); a worker that crashes or
  exceeds ``timeout`` is killed and replaced, and only its input fails. One input, or
  ``jobs == 1``, runs in-process (no pool to pay for, and no time limit).
* Metadata: catalog row < sidecar < command line (:mod:`converter.metadata_sources`).

This module never prints: progress goes to a :class:`Reporter` (the CLI passes the console one
from :mod:`converter.batch_console`; the default only logs through :mod:`logging`).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkContext, ForkServerContext, SpawnContext
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar, cast

from . import __version__
from .errors import ConverterError, OutputExistsError, UsageError, WriterError
from .fsutil import atomic_write_bytes, atomic_write_chunks, ensure_inside, remove_stale_parts
from .ledger import Ledger, LedgerEntry, digest_path, json_chunks
from .metadata_sources import (
    Catalog,
    is_sidecar,
    layer_overrides,
    load_catalog,
    load_sidecar,
    sidecar_stem,
    sidecars_for,
)
from .model import Article, Diagnostic
from .options import ReadOptions, WriteOptions
from .pipeline import destination_for, detect_format, parse_bytes, read_input, write_outputs
from .registry import Registry, Writer

log = logging.getLogger(__name__)

Status = Literal["ok", "failed", "skipped"]


# --------------------------------------------------------------------------- options and results


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch (the ``convert`` command's options)."""

    #: writer names; ``epub`` with ``write.epub.collection_title`` makes one collection EPUB
    formats: tuple[str, ...] = ("json", "markdown")
    #: read options for every input (``overrides`` are the command line's ``--meta``/``--title``)
    read: ReadOptions = field(default_factory=ReadOptions)
    write: WriteOptions = field(default_factory=WriteOptions)
    #: worker processes; ``None``: the CPU count
    jobs: int | None = None
    #: replace files the converter did not write; redo unchanged inputs
    force: bool = False
    fail_fast: bool = False
    #: an input with warning diagnostics counts as failed (and gets no outputs)
    fail_on_warnings: bool = False
    #: where the JSON report goes (default ``OUT/report.json``)
    report_path: Path | None = None
    #: a catalog CSV (Archivematica ``metadata.csv`` style)
    catalog: Path | None = None
    #: seconds one input may take in a worker; ``None`` or 0: no limit
    timeout: float | None = 300.0
    quiet: bool = False
    verbose: bool = False


@dataclass(slots=True)
class OutputInfo:
    """One output as the report lists it (``path`` relative to OUT when inside it)."""

    format: str
    path: str
    sha256: str | None
    size: int


@dataclass(slots=True)
class InputResult:
    """What happened to one input."""

    input: str
    relative: str
    status: Status
    format: str | None = None
    outputs: list[OutputInfo] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: why an input was skipped (``unchanged``, ``not started: --fail-fast``)
    reason: str | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 4)
        if self.reason is None:
            del data["reason"]
        return data


@dataclass(frozen=True, slots=True)
class Ignored:
    """A file or folder the batch did not convert, and why."""

    path: str
    reason: Literal["hidden", "sidecar", "unsupported", "not a regular file"]


@dataclass
class BatchResult:
    """The outcome of :func:`run_batch`; ``exit_code`` is what the CLI exits with."""

    output: Path
    report_path: Path
    inputs: list[InputResult] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    #: batch-level problems (catalog rows that match nothing, orphan sidecars)
    warnings: list[str] = field(default_factory=list)
    collection: InputResult | None = None
    seconds: float = 0.0

    def count(self, status: Status) -> int:
        return sum(1 for r in self.inputs if r.status == status)

    @property
    def failed(self) -> bool:
        collection_failed = self.collection is not None and self.collection.status == "failed"
        return collection_failed or any(r.status == "failed" for r in self.inputs)

    @property
    def exit_code(self) -> int:
        """0 when every input converted (or was unchanged), 1 when any failed."""
        return 1 if self.failed else 0

    def summary(self) -> dict[str, Any]:
        ignored: dict[str, int] = {}
        for item in self.ignored:
            ignored[item.reason] = ignored.get(item.reason, 0) + 1
        return {
            "inputs": len(self.inputs), "ok": self.count("ok"), "failed": self.count("failed"),
            "skipped": self.count("skipped"), "ignored": dict(sorted(ignored.items())),
            "outputs": sum(len(r.outputs) for r in self.inputs),
            "warnings": len(self.warnings),
        }

    def to_dict(self, inputs: bool = True) -> dict[str, Any]:
        """The report: inputs sorted by path; only ``seconds`` fields vary between runs."""
        data: dict[str, Any] = {
            "converter": __version__,
            "output": str(self.output),
            "summary": self.summary(),
            "inputs": [r.to_dict() for r in self.inputs] if inputs else [],
            "ignored": [asdict(i) for i in self.ignored],
            "warnings": list(self.warnings),
        }
        if self.collection is not None:
            data["collection"] = self.collection.to_dict()
        data["seconds"] = round(self.seconds, 3)
        return data

    def to_json(self) -> str:
        """The report as canonical JSON text."""
        return "".join(self.json_chunks())

    def json_chunks(self) -> Iterator[str]:
        """The report's text in pieces, encoded one input at a time (see ``ledger.json_chunks``)."""
        return json_chunks(self.to_dict(inputs=False), "inputs",
                           (r.to_dict() for r in self.inputs))


class Reporter(Protocol):
    """Receives progress; the CLI's console reporter prints, the default one logs."""

    def start(self, total: int) -> None: ...

    def problem(self, line: str, fatal: bool) -> None:
        """One ``file: place: reason`` line (``fatal``: an input failed)."""

    def advance(self, result: InputResult) -> None: ...

    def finish(self, result: BatchResult) -> None: ...


class LogReporter:
    """The library default: progress and problems through :mod:`logging`, nothing printed."""

    def start(self, total: int) -> None:
        log.info("converting %d input(s)", total)

    def problem(self, line: str, fatal: bool) -> None:
        log.log(logging.ERROR if fatal else logging.WARNING, "%s", line)

    def advance(self, result: InputResult) -> None:
        log.info("%s %s", result.status, result.input)

    def finish(self, result: BatchResult) -> None:
        log.info("batch done: %s", result.summary())


# --------------------------------------------------------------------------- discovery


@dataclass(frozen=True, slots=True)
class Source:
    """One input file and where it sits in its tree."""

    path: Path
    #: the path relative to its input root, POSIX separators
    relative: str

    @property
    def display(self) -> str:
        return str(self.path)


def discover(inputs: Sequence[Path], extensions: set[str], exclude: set[Path]
             ) -> tuple[list[Source], list[Ignored]]:
    """Every convertible file under ``inputs``, sorted by path, and what was left out.

    A file named on the command line is taken whatever its extension (detection sniffs it);
    folders are walked without following symlinked folders, pruning hidden ones and ``exclude``
    (absolute paths). A file reached twice (overlapping inputs) is taken once.
    """
    sources: dict[Path, Source] = {}
    ignored: list[Ignored] = []
    for given in inputs:
        if not given.exists():
            raise UsageError("no such file or folder", file=str(given))
        if not given.is_dir():
            if is_sidecar(given):
                ignored.append(Ignored(str(given), "sidecar"))
            elif not given.is_file():
                ignored.append(Ignored(str(given), "not a regular file"))
            else:
                sources.setdefault(_absolute(given), Source(given, given.name))
            continue
        for folder, dirs, files in os.walk(given):
            here = Path(folder)
            for name in sorted(dirs):
                if name.startswith("."):
                    ignored.append(Ignored(str(here / name), "hidden"))
                    dirs.remove(name)
                elif {_absolute(here / name), (here / name).resolve()} & exclude:
                    dirs.remove(name)
            for name in sorted(files):
                path = here / name
                if _absolute(path) in exclude:
                    continue
                reason = _ignore_reason(path, extensions)
                if reason:
                    ignored.append(Ignored(str(path), reason))
                else:
                    sources.setdefault(_absolute(path),
                                       Source(path, path.relative_to(given).as_posix()))
    ordered = sorted(sources.values(), key=lambda s: (s.display, s.relative))
    return ordered, sorted(ignored, key=lambda i: i.path)


def _absolute(path: Path) -> Path:
    """The absolute form of a path without asking the file system (no symlinks resolved)."""
    return Path(os.path.abspath(path))


def _ignore_reason(path: Path, extensions: set[str]
                   ) -> Literal["hidden", "sidecar", "unsupported", "not a regular file"] | None:
    if path.name.startswith("."):
        return "hidden"
    if is_sidecar(path):
        return "sidecar"
    if path.suffix.lower() not in extensions:
        return "unsupported"
    if not path.is_file():
        return "not a regular file"
    return None


# --------------------------------------------------------------------------- one input


@dataclass(frozen=True, slots=True)
class Job:
    """Everything a worker needs to convert one input (picklable, no open handles)."""

    index: int
    source: Path
    display: str
    relative: str
    output: Path
    out_dir: Path
    stem: str
    formats: tuple[str, ...]
    targets: tuple[Path, ...]
    read: ReadOptions
    write: WriteOptions
    catalog_overrides: Mapping[str, Any]
    catalog_notes: tuple[str, ...]
    #: the ledger's entries for ``targets`` (a target with none may not be replaced)
    previous: Mapping[Path, LedgerEntry]
    force: bool
    fail_on_warnings: bool
    #: send the article back (for a collection)
    want_article: bool


@dataclass(slots=True)
class Outcome:
    """What a worker sends back for one job."""

    index: int
    status: Status
    format: str | None = None
    input_sha256: str | None = None
    options_hash: str | None = None
    outputs: list[tuple[str, Path, str | None, int]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    reason: str | None = None
    seconds: float = 0.0
    article: Article | None = None
    #: the worker died or was stopped: what it wrote before is unknown
    lost: bool = False


def options_hash(read: ReadOptions, write: WriteOptions) -> str:
    """A digest of everything besides the input bytes that shapes an output.

    The other formats asked for are not part of it: each ledger entry belongs to one format's
    destination, so adding or dropping a format leaves the others' outputs complete.
    """
    read_part = asdict(replace(read, file_name=None))
    write_part = asdict(replace(write, source_path=None))
    data = {"converter": __version__, "read": read_part, "write": write_part,
            "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH")}
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_job(job: Job, registry: Registry) -> Outcome:
    """Convert one input; every failure becomes part of the outcome, never an exception."""
    started = time.perf_counter()
    outcome = Outcome(job.index, "failed")
    try:
        _convert_job(job, registry, outcome)
    except ConverterError as exc:
        outcome.status = "failed"
        outcome.errors.append(str(exc.located(job.display)))
    except Exception as exc:  # a bug in a reader or writer must not stop the batch
        log.debug("internal error converting %s", job.display, exc_info=True)
        outcome.status = "failed"
        outcome.errors.append(f"{job.display}: internal error: {type(exc).__name__}: {exc}")
    outcome.seconds = time.perf_counter() - started
    return outcome


def _convert_job(job: Job, registry: Registry, outcome: Outcome) -> None:
    data = read_input(job.source, job.read)
    outcome.input_sha256 = hashlib.sha256(data).hexdigest()
    notes = [("catalog", note) for note in job.catalog_notes]
    sidecar: dict[str, Any] = {}
    found = sidecars_for(job.source)
    if found:
        sidecar = load_sidecar(found[0])
        notes += [("sidecar", f"{extra.name} ignored: {found[0].name} takes precedence")
                  for extra in found[1:]]
    read = replace(job.read, file_name=job.display, overrides=layer_overrides(
        job.catalog_overrides, sidecar, job.read.overrides))
    write = replace(job.write, source_path=job.source, source_relative=job.relative)
    outcome.options_hash = options_hash(read, write)

    if not job.force and job.targets and _complete(job, outcome):
        outcome.status, outcome.reason = "skipped", "unchanged"
        outcome.format = detect_format(data, job.display, registry, read.format)
        entries = [(t, job.previous[t]) for t in job.targets]
        outcome.outputs = [(e.format or "", t, e.sha256, e.size) for t, e in entries]
        if job.want_article:
            outcome.article = parse_bytes(data, read, registry)
        return

    article = parse_bytes(data, read, registry)
    for code, message in notes:
        article.diagnose("warning", code, message)
    prov = article.provenance
    outcome.format = prov.format if prov else None
    outcome.diagnostics = list(prov.diagnostics) if prov else []
    if job.fail_on_warnings and _warnings(outcome.diagnostics):
        outcome.errors.append(f"{job.display}: {_warnings(outcome.diagnostics)} warning(s) and "
                              "--fail-on-warnings; no outputs written")
        return

    refused = [t for t in job.targets if t.exists() and not _may_replace(job, t)]
    if refused:
        raise OutputExistsError("exists and was not written by the converter (or was changed "
                                "since); use --force to replace it", file=str(refused[0]))
    allowed = set(job.targets)
    media: set[Path] = set()
    try:
        for fmt in job.formats:  # one at a time, so a late failure still reports what exists
            rendition, *extra = write_outputs(
                article, job.out_dir, job.stem, [fmt], write, registry, output_root=job.output,
                may_replace=lambda p: job.force or p in allowed)
            digest = rendition.sha256 or digest_path(rendition.path)
            outcome.outputs.append((rendition.format, rendition.path, digest, rendition.size))
            for record in extra:  # media files, the same for every format
                if record.path not in media:
                    media.add(record.path)
                    outcome.outputs.append((record.format, record.path, record.sha256,
                                            record.size))
    finally:
        prov = article.provenance
        outcome.diagnostics = list(prov.diagnostics) if prov else []
    if job.fail_on_warnings and _warnings(outcome.diagnostics):
        outcome.errors.append(f"{job.display}: {_warnings(outcome.diagnostics)} warning(s) "
                              "and --fail-on-warnings")
        return
    outcome.status = "ok"
    if job.want_article:
        outcome.article = article


def _warnings(diagnostics: list[Diagnostic]) -> int:
    return sum(1 for d in diagnostics if d.level in ("warning", "error"))


def _complete(job: Job, outcome: Outcome) -> bool:
    """Whether every target exists as the ledger recorded it for these input bytes and options."""
    for target in job.targets:
        entry = job.previous.get(target)
        if (entry is None or entry.sha256 is None or entry.input != job.relative
                or entry.input_sha256 != outcome.input_sha256
                or entry.options != outcome.options_hash or digest_path(target) != entry.sha256):
            return False
    return True


def _may_replace(job: Job, target: Path) -> bool:
    if job.force:
        return True
    entry = job.previous.get(target)
    if entry is None:
        return False
    return entry.sha256 is None or digest_path(target) == entry.sha256


# --------------------------------------------------------------------------- worker processes


def _worker_main(conn: Connection) -> None:
    """A worker: its own registry, jobs in, outcomes out, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C stops
    registry = Registry.default()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        outcome = run_job(job, registry)
        try:
            conn.send(outcome)
        except Exception as exc:  # an unpicklable article: still report the input
            conn.send(Outcome(job.index, "failed", errors=[
                f"{job.display}: internal error: cannot return the result: {exc}"]))


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    job: Job | None = None
    deadline: float | None = None


class WorkerPool:
    """Worker processes with one job each at a time; a dead or late worker is replaced.

    Workers are forked from this process while it has a single thread (the CLI's case): they
    inherit the imported readers and writers and the compiled schema validator, so a pool costs
    next to nothing to start. A process with other threads (a library caller, a progress bar)
    cannot fork safely; then workers come from a forkserver that preloads ``preload`` modules.
    """

    def __init__(self, size: int, timeout: float | None, preload: Sequence[str] = ()) -> None:
        self.size = size
        self.timeout = timeout or None
        self.preload = ["converter.batch", *preload]
        self.idle: list[_Worker] = []
        self.busy: list[_Worker] = []

    def _context(self) -> ForkContext | ForkServerContext | SpawnContext:
        methods = multiprocessing.get_all_start_methods()
        if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
            return multiprocessing.get_context("fork")
        if "forkserver" in methods:
            context = multiprocessing.get_context("forkserver")
            # one forkserver per process: a server already running keeps its preload list
            context.set_forkserver_preload(self.preload)
            return context
        return multiprocessing.get_context("spawn")  # pragma: no cover - not POSIX

    def start(self) -> None:
        """Start every worker now (before the caller starts threads of its own)."""
        while len(self.idle) + len(self.busy) < self.size:
            self.idle.append(self._spawn())

    def _spawn(self) -> _Worker:
        context = self._context()
        parent, child = context.Pipe()
        process = context.Process(target=_worker_main, args=(child,), daemon=True,
                                  name="converter-worker")
        # a forked child shares the parent's memory until it writes to it; keep its garbage
        # collector from touching (and so copying) every object the parent holds
        gc.freeze()
        try:
            process.start()
        finally:
            gc.unfreeze()
        child.close()
        return _Worker(process, parent)

    def submit(self, job: Job) -> None:
        worker = self.idle.pop() if self.idle else self._spawn()
        worker.job = job
        worker.deadline = time.monotonic() + self.timeout if self.timeout else None
        try:
            worker.conn.send(job)
        except (OSError, ValueError):  # died while idle: a fresh one takes the job
            self._kill(worker)
            worker = self._spawn()
            worker.job, worker.deadline = job, (time.monotonic() + self.timeout
                                                if self.timeout else None)
            worker.conn.send(job)
        self.busy.append(worker)

    @property
    def free(self) -> int:
        return self.size - len(self.busy)

    def collect(self) -> list[tuple[Job, Outcome]]:
        """Wait for at least one job to end (finished, crashed or timed out)."""
        deadlines = [w.deadline for w in self.busy if w.deadline is not None]
        wait_for = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        handles: list[Any] = [w.conn for w in self.busy] + [w.process.sentinel for w in self.busy]
        ready = set(wait(handles, timeout=wait_for))
        outcomes = []
        now = time.monotonic()
        for worker in list(self.busy):
            job = worker.job
            assert job is not None
            if worker.conn in ready or worker.process.sentinel in ready:
                outcome = self._receive(worker, job)
            elif worker.deadline is not None and now >= worker.deadline:
                self._kill(worker)
                outcome = Outcome(job.index, "failed", errors=[
                    f"{job.display}: timed out after {self.timeout:g} s; the worker was stopped"],
                    seconds=self.timeout or 0.0, lost=True)
            else:
                continue
            self.busy.remove(worker)
            outcomes.append((job, outcome))
        return outcomes

    def _receive(self, worker: _Worker, job: Job) -> Outcome:
        try:
            if worker.conn.poll():
                outcome: Outcome = worker.conn.recv()
                worker.job = worker.deadline = None
                self.idle.append(worker)
                return outcome
        except (EOFError, OSError):
            pass
        worker.process.join(5)
        code = worker.process.exitcode
        self._kill(worker)
        if code is not None and code < 0:
            try:
                how = f"was killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"was killed by signal {-code}"
        else:
            how = f"exited with code {code}"
        return Outcome(job.index, "failed", lost=True, errors=[
            f"{job.display}: the worker process {how} while converting it"])

    def _kill(self, worker: _Worker) -> None:
        with contextlib.suppress(Exception):
            worker.process.kill()
            worker.process.join(5)
        with contextlib.suppress(Exception):
            worker.conn.close()

    def close(self) -> None:
        """Stop every worker (idle ones politely, busy ones by force)."""
        for worker in self.idle:
            with contextlib.suppress(Exception):
                worker.conn.send(None)
        for worker in self.idle:
            worker.process.join(5)
            self._kill(worker)
        for worker in self.busy:
            self._kill(worker)
        self.idle, self.busy = [], []


# --------------------------------------------------------------------------- the batch


def default_jobs() -> int:
    """The CPU count this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def slugify(title: str) -> str:
    """A file-name-safe form of a title (ASCII letters, digits and hyphens)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].strip("-") or "collection"


@dataclass
class _Plan:
    """Inputs with their destinations, and the inputs that failed before converting."""

    jobs: list[Job]
    early: dict[int, InputResult]
    sources: list[Source]


def run_batch(inputs: Sequence[Path], output: Path, options: BatchOptions,
              reporter: Reporter | None = None) -> BatchResult:
    """Convert every supported file under ``inputs`` into ``output``; see the module docstring.

    Raises :class:`UsageError` for bad options (unknown writer, missing input) and
    :class:`ConverterError` when the output folder cannot be used; problems with single inputs
    end up in the result instead.
    """
    started = time.perf_counter()
    reporter = reporter or LogReporter()
    if options.jobs is not None and options.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {options.jobs}")
    for given in inputs:
        if not given.exists():
            raise UsageError("no such file or folder", file=str(given))
    registry = Registry.default()
    writers = _check_formats(options, registry)
    collection_title = options.write.epub.collection_title
    per_article = tuple(f for f in writers if not (collection_title and f == "epub"))
    if options.read.format:
        registry.info("reader", options.read.format.partition(":")[0])
    output.mkdir(parents=True, exist_ok=True)
    report_path = options.report_path or output / "report.json"
    result = BatchResult(output, report_path)
    ledger = Ledger(output)
    with ledger.locked():
        removed = remove_stale_parts(output)
        if removed:
            log.info("removed %d partial file(s) of an interrupted run", removed)
        ledger.load()
        result.warnings.extend(ledger.warnings)
        _check_ours(report_path, ledger, options.force)
        catalog = load_catalog(options.catalog) if options.catalog else None
        exclude = {q for p in (output, report_path, options.catalog) if p is not None
                   for q in (_absolute(p), p.resolve())}
        # workers start before discovery and the plan (see _start_pool) and before the
        # reporter, which may start a thread
        pool = _start_pool(inputs, options, registry, per_article)
        try:
            sources, result.ignored = discover(inputs, registry.input_extensions(), exclude)
            result.warnings.extend(_metadata_warnings(sources, result.ignored, catalog))
            for warning in result.warnings:
                reporter.problem(warning, fatal=False)
            collection_path = (output / f"{slugify(collection_title)}.epub"
                               if collection_title else None)
            reserved = {_absolute(p): why for p, why in (
                (report_path, "the batch report"), (collection_path, "the collection EPUB"))
                if p}
            plan = _plan(sources, output, options, per_article, writers, ledger, catalog,
                         reserved, want_article=collection_title is not None)
            articles = _execute(plan, options, registry, ledger, reporter, result, pool)
            if collection_path is not None and collection_title is not None:
                result.collection = _write_collection(collection_path, collection_title,
                                                      articles, result, options, ledger, reporter)
            result.seconds = time.perf_counter() - started
            size, digest = atomic_write_chunks(
                report_path, (c.encode("utf-8") for c in result.json_chunks()))
            ledger.record([], {report_path: LedgerEntry(digest, size, "report")})
        finally:
            if pool is not None:
                pool.close()
            ledger.compact()
    reporter.finish(result)
    return result


def _check_formats(options: BatchOptions, registry: Registry) -> dict[str, Writer]:
    """The writers of ``options.formats`` by name (UsageError when unusable or clashing)."""
    if not options.formats:
        raise UsageError("no output format given (--to)")
    writers: dict[str, Writer] = {}
    names: dict[str, str] = {}
    for fmt in options.formats:
        try:
            writer = registry.writer(fmt)
        except ImportError as exc:
            raise WriterError(f"the {fmt} writer cannot be loaded: {exc}") from exc
        name = fmt if ":" in fmt else writer.name
        if name in writers:
            continue
        suffix = destination_for(writer, Path(), "x", options.write).name
        if suffix in names:
            raise UsageError(f"--to {fmt}: {names[suffix]} also writes <stem>{suffix[1:]}")
        writers[name], names[suffix] = writer, name
    if options.write.epub.collection_title and "epub" not in writers:
        raise UsageError("--collection makes one EPUB: add epub to --to")
    return writers


def _check_ours(path: Path, ledger: Ledger, force: bool) -> None:
    if path.exists() and not force:
        entry = ledger.get(path)
        if entry is None or (entry.sha256 is not None and digest_path(path) != entry.sha256):
            raise OutputExistsError("exists and was not written by the converter; use --force "
                                    "to replace it", file=str(path))


def _metadata_warnings(sources: list[Source], ignored: list[Ignored], catalog: Catalog | None
                       ) -> list[str]:
    """Catalog rows that name no input, and sidecars that belong to no input."""
    warnings: list[str] = []
    if catalog is not None:
        warnings.extend(catalog.warnings)
        relatives = {s.relative for s in sources}
        for name, row in sorted(catalog.rows.items()):
            if name not in relatives:
                warnings.append(f"{catalog.path}: line {row.line}: {name}: matches no input file")
    stems = {(s.path.parent.resolve(), s.path.stem) for s in sources}
    for item in ignored:
        path = Path(item.path)
        if item.reason == "sidecar" and (path.parent.resolve(), sidecar_stem(path)) not in stems:
            warnings.append(f"{path}: sidecar matches no input file")
    return warnings


def _plan(sources: list[Source], output: Path, options: BatchOptions,
          formats: tuple[str, ...], writers: Mapping[str, Writer], ledger: Ledger,
          catalog: Catalog | None, reserved: Mapping[Path, str], want_article: bool) -> _Plan:
    """Destinations per input; collisions and foreign files fail here, before any conversion."""
    jobs: list[Job] = []
    early: dict[int, InputResult] = {}
    claims: dict[Path, list[int]] = {}
    targets_of: list[tuple[Path, ...]] = []
    for index, source in enumerate(sources):
        out_dir = output / Path(source.relative).parent
        stem = Path(source.relative).stem
        targets = tuple(destination_for(writers[f], out_dir, stem, options.write)
                        for f in formats)
        targets_of.append(targets)
        for target in targets:
            claims.setdefault(_absolute(target), []).append(index)
    for index, source in enumerate(sources):
        errors = []
        for target in targets_of[index]:
            others = [sources[i].display for i in claims[_absolute(target)] if i != index]
            if others:
                errors.append(f"{source.display}: name collision: {target} would also be "
                              f"written for {', '.join(others)}; rename one of them")
            elif _absolute(target) in reserved:
                errors.append(f"{source.display}: name collision: {target} is "
                              f"{reserved[_absolute(target)]}; rename the input")
            elif (target.exists() or target.is_symlink()) and not options.force \
                    and ledger.get(target) is None:
                errors.append(str(OutputExistsError(
                    "exists and was not written by the converter; use --force to replace it",
                    file=str(target))))
        if errors:
            early[index] = InputResult(source.display, source.relative, "failed",
                                       errors=errors[:1] if "collision" in errors[0] else errors)
            continue
        row = catalog.lookup(source.relative) if catalog else None
        jobs.append(Job(
            index=index, source=source.path, display=source.display, relative=source.relative,
            output=output, out_dir=output / Path(source.relative).parent,
            stem=Path(source.relative).stem, formats=formats, targets=targets_of[index],
            read=options.read, write=options.write,
            catalog_overrides=row.overrides if row else {},
            catalog_notes=row.notes if row else (),
            previous={t: e for t in targets_of[index] if (e := ledger.get(t)) is not None},
            force=options.force, fail_on_warnings=options.fail_on_warnings,
            want_article=want_article))
    return _Plan(jobs, early, sources)


def _execute(plan: _Plan, options: BatchOptions, registry: Registry, ledger: Ledger,
             reporter: Reporter, result: BatchResult, pool: WorkerPool | None) -> list[Article]:
    """Run the jobs (in-process or in workers), fill ``result.inputs`` in input order.

    Returns the articles the workers sent back (for a collection), in input order.
    """
    results: dict[int, InputResult] = {}
    articles: dict[int, Article] = {}
    stop = False

    def finish(item: InputResult) -> None:
        nonlocal stop
        for error in item.errors:
            reporter.problem(error, fatal=True)
        for diagnostic in item.diagnostics:
            if options.verbose or diagnostic.level != "info":
                reporter.problem(_diagnostic_line(item.input, diagnostic), fatal=False)
        reporter.advance(item)
        if item.status == "failed" and options.fail_fast:
            stop = True

    def done(job: Job, outcome: Outcome) -> None:
        item = _input_result(job, outcome)
        ledger.record(list(job.targets), _ledger_entries(job, outcome))
        if outcome.article is not None:
            articles[job.index] = outcome.article
        results[job.index] = item
        finish(item)

    # the queue owns the jobs from here, so each is freed once done
    queue = deque(() if options.fail_fast and plan.early else plan.jobs)
    plan.jobs = []
    if pool is not None and len(queue) < 2:  # nothing to share out after all
        pool.close()
        pool = None
    reporter.start(len(plan.sources))
    for index, item in sorted(plan.early.items()):
        results[index] = item
        finish(item)
    if queue:
        ledger.plan([t for job in queue for t in job.targets])
    if pool is not None:
        _run_pool(pool, queue, done, lambda: stop)
    else:
        while queue and not stop:
            job = queue.popleft()
            done(job, run_job(job, registry))
    for index, source in enumerate(plan.sources):
        if index not in results:
            results[index] = InputResult(source.display, source.relative, "skipped",
                                         reason="not started: --fail-fast")
    result.inputs = [results[i] for i in range(len(plan.sources))]
    return [articles[i] for i in sorted(articles)]


def _start_pool(inputs: Sequence[Path], options: BatchOptions, registry: Registry,
                formats: Sequence[str]) -> WorkerPool | None:
    """The worker pool, unless there is a single file or a single job; started early.

    Forked workers share the parent's memory until either writes to it, so they are forked
    before discovery and planning fill the parent with per-input bookkeeping.
    """
    size = options.jobs or default_jobs()
    if size < 2 or (len(inputs) < 2 and not any(p.is_dir() for p in inputs)):
        return None
    pool = WorkerPool(size, options.timeout, _warm(options.read.format, formats, registry))
    pool.start()
    return pool


def _warm(forced: str | None, formats: Sequence[str], registry: Registry) -> list[str]:
    """Load what every worker needs, so workers forked from here start warm.

    The writers are loaded already; this compiles the schema validator and loads a reader named
    with ``--from`` (others load in each worker on first use). Returns the modules, for a
    forkserver to preload instead.
    """
    from .schema import prepare_fast_validation

    modules = []
    names = {("writer", fmt.partition(":")[0]) for fmt in formats}
    if forced:
        names.add(("reader", forced.partition(":")[0]))
    for kind, name in sorted(names):
        with contextlib.suppress(ConverterError, ImportError):
            info = registry.info(kind, name)
            if kind == "reader":
                registry.reader(name)
            modules.append(info.target.partition(":")[0])
    prepare_fast_validation()
    return modules


def _run_pool(pool: WorkerPool, queue: deque[Job], done: Callable[[Job, Outcome], None],
              stopped: Callable[[], bool]) -> None:
    try:
        while queue or pool.busy:
            while queue and pool.free > 0 and not stopped():
                pool.submit(queue.popleft())
            if not pool.busy:
                break
            for job, outcome in pool.collect():
                done(job, outcome)
    finally:
        pool.close()


def _ledger_entries(job: Job, outcome: Outcome) -> dict[Path, LedgerEntry]:
    """What the ledger learns from one outcome.

    A failed input's outputs are ours but never complete. After a crash or a time-out nobody
    knows what the worker wrote, so each destination present now counts as ours-but-unverified:
    the plan admitted only destinations that were absent or ours.
    """
    if outcome.status == "skipped":
        return {}
    complete = outcome.status == "ok"
    entries = {path: LedgerEntry(sha, size, fmt, job.relative,
                                 outcome.input_sha256 if complete else None, outcome.options_hash)
               for fmt, path, sha, size in outcome.outputs}
    if outcome.status == "failed":
        for target in job.targets:
            if target not in entries and (outcome.lost or target not in job.previous) \
                    and (target.exists() or target.is_symlink()):
                entries[target] = LedgerEntry(None, 0, None, job.relative)
    return entries


def _input_result(job: Job, outcome: Outcome) -> InputResult:
    """The parent's record of one input, kept until the report is written.

    Every outcome arrives as a fresh copy of the same few words (``ok``, ``json``, ``warning``,
    the same diagnostic messages), so they are interned: 10,000 inputs stay small.
    """
    outputs = [OutputInfo(_shared(fmt), _relative_to(path, job.output), sha, size)
               for fmt, path, sha, size in outcome.outputs]
    for diagnostic in outcome.diagnostics:
        diagnostic.level = _shared(diagnostic.level)
        diagnostic.code = _shared(diagnostic.code)
        diagnostic.message = _shared(diagnostic.message)
    return InputResult(job.display, job.relative, _shared(outcome.status),
                       outcome.format and _shared(outcome.format), outputs,
                       outcome.diagnostics, outcome.errors, outcome.reason, outcome.seconds)


_Text = TypeVar("_Text", bound=str)


def _shared(text: _Text) -> _Text:
    return cast(_Text, sys.intern(text))


def _relative_to(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _diagnostic_line(display: str, diagnostic: Diagnostic) -> str:
    parts = [display, diagnostic.place or "", f"{diagnostic.level}: {diagnostic.message} "
             f"[{diagnostic.code}]"]
    return ": ".join(p for p in parts if p)


def _write_collection(path: Path, title: str, articles: list[Article], result: BatchResult,
                      options: BatchOptions, ledger: Ledger, reporter: Reporter) -> InputResult:
    """One EPUB of every converted article, in input-path order."""
    started = time.perf_counter()
    item = InputResult(f"collection {title!r}", path.name, "failed", "epub")
    try:
        if not articles:
            raise WriterError("no article converted; the collection EPUB was not written",
                              file=str(path))
        _check_ours(ensure_inside(result.output, path), ledger, options.force)
        from .writers.epub import write_collection

        data = write_collection(articles, title, options.write)
        atomic_write_bytes(path, data)
        digest = hashlib.sha256(data).hexdigest()
        ledger.record([path], {path: LedgerEntry(digest, len(data), "epub", None, None, None)})
        item.outputs.append(OutputInfo("epub", _relative_to(path, result.output), digest,
                                       len(data)))
        item.status = "ok"
    except ConverterError as exc:
        item.errors.append(str(exc))
    except Exception as exc:  # the EPUB writer's bug still fails only the collection
        item.errors.append(f"{path}: collection EPUB failed: {type(exc).__name__}: {exc}")
    for error in item.errors:
        reporter.problem(error, fatal=True)
    item.seconds = time.perf_counter() - started
    return item
