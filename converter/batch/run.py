"""Batch conversion of files and folders: the one entry point, :func:`run_batch`.

The flow of one run (``converter convert DIR... -o OUT``)::

    lock OUT, open the ledger ─► start the executor ─► discover inputs ─► plan destinations
        ─► (``--group-renditions``: sign every input, one job per group, :mod:`.groups`)
        ─► run the jobs (worker processes, each input with a time limit) ─► settle each outcome
        ─► the groups (:mod:`.groups`) ─► collection EPUB (``--collection``)
        ─► Archivematica transfer (``--to transfer``, :mod:`.transfer`) ─► report.json (atomic)

* OUT mirrors each input tree: ``OUT/<relative dir>/<stem><ext>``; a file named on its own goes
  to ``OUT/<stem><ext>`` (:mod:`.discovery`, :mod:`.plan`).
* Ownership: the :mod:`.ledger` records every file the converter wrote and for which input. An
  existing destination is replaced only when the ledger says we wrote it for this input and it is
  unchanged, or with ``force``; inputs, sidecars and the catalog never (:mod:`.plan`, :mod:`.job`).
* Resume: an input whose bytes, effective options and outputs are unchanged is skipped; ``force``
  redoes it. A run stopped by Ctrl-C or ``kill -9`` leaves no partial outputs, and the next run
  converts exactly what is left (:mod:`.execute`).
* Isolation: every input runs in a worker process with a time limit (:mod:`.pool`), whatever the
  number of jobs: the same input gives the same result with one worker or many.
* Executors: the local worker pool, or a Dask cluster (``options.scheduler``, :mod:`.dask`);
  the parent does the same with either, so outputs, report and ledger are the same.
* Metadata: catalog row < sidecar < command line (:mod:`.metadata`).

This package never prints: progress goes to a :class:`~.report.Reporter` (the CLI passes the
console one from :mod:`.console`; the default only logs).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..checks import Checkers
from ..checks.epubcheck import EpubCheckService
from ..errors import ConverterError, OutputExistsError, UsageError, WriterError
from ..fsutil import (
    atomic_write_bytes,
    atomic_write_chunks,
    digest_path,
    ensure_inside,
    remove_stale_parts,
)
from ..model import Article
from ..pipeline import destination_for, enforce_checks
from ..registry import PackageWriter, Registry, Writer
from .discovery import Discovery, absolute, discover
from .execute import Execution, relative_to
from .groups import crowd_warning, find_groups, group_infos, group_jobs, sign_inputs
from .job import OUTPUT_ENVIRONMENT
from .ledger import STATE_DIR, Ledger, LedgerEntry
from .metadata import Catalog, load_catalog, sidecar_stem
from .options import BatchOptions
from .plan import Plan, Protected, make_plan, protected_files
from .pool import Executor, InlineExecutor, WorkerPool
from .report import BatchResult, InputResult, LogReporter, OutputInfo, Reporter
from .similarity import Group, signature_reader
from .transfer import TRANSFER, transfer_path, write_batch_transfer

log = logging.getLogger("converter.batch")


def run_batch(inputs: Sequence[Path], output: Path, options: BatchOptions,
              reporter: Reporter | None = None) -> BatchResult:
    """Convert every supported file under ``inputs`` into ``output``; see the module docstring.

    Raises :class:`UsageError` for bad options (unknown writer, an output that is a file) and
    :class:`ConverterError` when the output folder cannot be used; problems with single inputs
    (a missing one among several included) end up in the result instead. Ctrl-C writes the
    report, then raises :class:`KeyboardInterrupt` again.
    """
    started = time.perf_counter()
    reporter = reporter or LogReporter()
    if options.jobs is not None and options.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {options.jobs}")
    if output.exists() and not output.is_dir():
        raise UsageError("the output is a file, not a folder", file=str(output))
    registry = Registry.default()
    writers = check_formats(options, registry)
    transfer_dir = (transfer_path(output, options.transfer_name)
                    if TRANSFER in options.formats else None)
    collection_title = options.write.epub.collection_title
    per_article = {f: w for f, w in writers.items() if not (collection_title and f == "epub")}
    if options.read.format:
        registry.info("reader", options.read.format.partition(":")[0])
    output.mkdir(parents=True, exist_ok=True)
    report_path = options.report_path or output / "report.json"
    result = BatchResult(output, report_path)
    with Ledger(output).opened() as ledger, contextlib.ExitStack() as services:
        removed = remove_stale_parts(output)
        if removed:
            log.info("removed %d partial file(s) of an interrupted run", removed)
        result.warnings.extend(ledger.warnings)
        catalog = load_catalog(options.catalog) if options.catalog else None
        # one warm EPUBCheck JVM for every worker (--check), until the report is written
        epubcheck = (services.enter_context(EpubCheckService()).address
                     if options.write.check else None)
        # workers start before discovery and the plan (see start_executor) and before the
        # reporter, which may start a thread
        executor = start_executor(inputs, options, registry, tuple(per_article), output)
        collection_path = (output / f"{slugify(collection_title)}.epub"
                           if collection_title else None)
        try:
            found = _discover(inputs, output, report_path, options, registry, ledger)
            result.ignored = found.ignored
            protected = protected_files(
                found.sources, [Path(i.path) for i in found.ignored if i.reason == "sidecar"],
                options.catalog)
            _check_report(report_path, ledger, options.force, protected)
            unusable = _unusable_results(found, reporter)
            result.warnings.extend(found.warnings)
            result.warnings.extend(_metadata_warnings(found, catalog))
            for warning in result.warnings:
                reporter.problem(warning, fatal=False)
            reserved = {absolute(p): why for p, why in (
                (report_path, "the batch report"), (collection_path, "the collection EPUB"),
                (transfer_dir, "the Archivematica transfer")) if p}
            plan = make_plan(found.sources, output, options, per_article, ledger, catalog,
                             reserved, protected, want_article=collection_title is not None,
                             epubcheck=epubcheck, want_transfer=transfer_dir is not None)
            execution = Execution(plan, options, ledger, reporter, result)
            grouped = _group_first(plan, options, executor, ledger, result)
            articles = execution.run(executor)
            found_groups, crowded = grouped if grouped is not None else \
                find_groups(ledger, execution.signed, execution.reader)
            result.groups = group_infos(found_groups, found.sources, grouped is not None)
            for warning in crowd_warning(crowded, found.sources):
                result.warnings.append(warning)
                reporter.problem(warning, fatal=False)
        finally:
            executor.close()
        result.inputs.extend(unusable)
        result.inputs.sort(key=lambda r: r.input)
        if collection_path and collection_title and not result.interrupted:
            result.collection = _write_collection(collection_path, collection_title,
                                                  articles, result, options, ledger, reporter,
                                                  epubcheck)
        if transfer_dir and not result.interrupted:
            packages = {f for f, w in writers.items() if isinstance(w, PackageWriter)}
            result.transfer = write_batch_transfer(
                transfer_dir, execution.transfer_originals, result, options.transfer_renditions,
                packages, ledger, reporter,
                lambda p: _check_transfer(p, ledger, options.force, protected),
                execution.transfer_folders)
        result.seconds = time.perf_counter() - started
        size, digest = atomic_write_chunks(
            report_path, (c.encode("utf-8") for c in result.json_chunks()))
        ledger.finish([], {report_path: LedgerEntry(digest, size, "report")})
    if result.interrupted:
        raise KeyboardInterrupt
    reporter.finish(result)
    return result


def _group_first(plan: Plan, options: BatchOptions, executor: Executor, ledger: Ledger,
                 result: BatchResult) -> tuple[list[Group], list[int]] | None:
    """With ``--group-renditions``: find the groups before converting and make each one job
    (:mod:`.groups`). Ctrl-C in that pass leaves every input not started."""
    if not options.group_renditions:
        return None
    try:
        signed = sign_inputs(plan, executor, ledger)
    except KeyboardInterrupt:
        result.interrupted = True
        plan.jobs = []
        return [], []
    found, crowded = find_groups(ledger, signed, signature_reader(options.read))
    group_jobs(plan, found)
    return found, crowded


def _discover(inputs: Sequence[Path], output: Path, report_path: Path, options: BatchOptions,
              registry: Registry, ledger: Ledger) -> Discovery:
    """The inputs, leaving out the output folder (when inside an input), the report, the
    catalog, the ledger's folder, the OCFL storage root and every file the ledger says we
    wrote."""
    exclude = {q for p in (output, report_path, options.catalog, output / STATE_DIR,
                           options.write.ocfl.root)
               if p is not None for q in (absolute(p), p.resolve())}
    root = str(absolute(output)) + os.sep

    def is_output(path: Path) -> bool:
        return str(absolute(path)).startswith(root) and ledger.get(path) is not None

    return discover(inputs, registry.input_extensions(), exclude, is_output,
                    options.follow_links)


def _unusable_results(found: Discovery, reporter: Reporter) -> list[InputResult]:
    """Named inputs that are missing or not regular files: failed, one line each."""
    items = []
    for path, reason in found.unusable:
        item = InputResult(path, Path(path).name, "failed", errors=[f"{path}: {reason}"])
        reporter.problem(item.errors[0], fatal=True)
        items.append(item)
    return items


def start_executor(inputs: Sequence[Path], options: BatchOptions, registry: Registry,
                   formats: Sequence[str], output: Path) -> Executor:
    """Worker processes (one for a single input), unless no time limit and one job is asked;
    a Dask cluster when ``options.scheduler`` says so (dask is imported only then).

    Forked workers share the parent's memory until either writes to it, so they are forked
    before discovery and planning fill the parent with per-input bookkeeping.
    """
    if options.scheduler is not None:
        try:
            from .dask import DaskExecutor
        except ModuleNotFoundError as exc:
            if (exc.name or "").partition(".")[0] not in ("dask", "distributed"):
                raise
            raise UsageError(f"--scheduler needs Dask ({exc}): pip install "
                             "'article-converter[dask]'") from exc
        return DaskExecutor.start(
            options.scheduler, jobs=options.jobs or default_jobs(), inputs=inputs,
            output=output, timeout=options.timeout,
            preload=_warm(options.read.format, formats, registry, validator=False))
    single = len(inputs) < 2 and not any(p.is_dir() for p in inputs)
    size = 1 if single else options.jobs or default_jobs()
    if size == 1 and not options.timeout:
        return InlineExecutor(registry)
    # a forkserver's workers inherit the environment the server started with, which may be an
    # earlier batch's: the variables that shape outputs go with the pool
    environ = {name: os.environ.get(name) for name in OUTPUT_ENVIRONMENT}
    pool = WorkerPool(size, options.timeout, _warm(options.read.format, formats, registry,
                                                   validator=not single), environ)
    pool.start()
    return pool


def _warm(forced: str | None, formats: Sequence[str], registry: Registry,
          validator: bool) -> list[str]:
    """Load what every worker needs, so workers forked from here start warm.

    The writers are loaded already; this loads a reader named with ``--from`` and, for a batch,
    compiles the schema validator (for one input that costs more than it saves). Returns the
    modules, for a forkserver to preload instead.
    """
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
    if validator:
        from ..model.schema import prepare_fast_validation

        prepare_fast_validation()
    return modules


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


def check_formats(options: BatchOptions, registry: Registry) -> dict[str, Writer]:
    """The writers of ``options.formats`` by name (UsageError when unusable or clashing)."""
    if not options.formats:
        raise UsageError("no output format given (--to)")
    if TRANSFER not in options.formats and (options.transfer_name or options.transfer_renditions):
        raise UsageError("--transfer-name and --transfer-renditions go with --to transfer")
    writers: dict[str, Writer] = {}
    names: dict[str, str] = {}
    for fmt in options.formats:
        if fmt == TRANSFER:  # one folder for the batch, written at the end (.transfer)
            continue
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


def _check_report(path: Path, ledger: Ledger, force: bool, protected: Protected) -> None:
    """The report never replaces an input, a sidecar or the catalog, nor (without ``force``) a
    file we did not write."""
    victim = protected.holds(path)
    if victim is not None:
        raise UsageError(f"the report would replace the input {victim}; choose another "
                         "--report path", file=str(path))
    _check_ours(path, ledger, force)


def _check_transfer(path: Path, ledger: Ledger, force: bool, protected: Protected) -> None:
    """The transfer folder never holds an input, a sidecar or the catalog (a metadata.csv given
    back as ``--metadata``), nor replaces (without ``force``) a folder we did not write."""
    victim = protected.holds(path)
    if victim is not None:
        raise UsageError(f"the transfer would replace {victim} (inputs, sidecars and the "
                         "catalog are never replaced); choose another --transfer-name",
                         file=str(path))
    _check_ours(path, ledger, force)


def _check_ours(path: Path, ledger: Ledger, force: bool) -> None:
    if path.exists() and not force:
        entry = ledger.get(path)
        if entry is None or (entry.sha256 is not None and digest_path(path) != entry.sha256):
            raise OutputExistsError("exists and was not written by the converter; use --force "
                                    "to replace it", file=str(path))


def _metadata_warnings(found: Discovery, catalog: Catalog | None) -> list[str]:
    """Catalog rows that name no input, and sidecars that belong to no input."""
    warnings: list[str] = []
    if catalog is not None:
        warnings.extend(catalog.warnings)
        relatives = {s.relative for s in found.sources}
        for name, row in sorted(catalog.rows.items()):
            if name not in relatives:
                warnings.append(f"{catalog.path}: line {row.line}: {name}: matches no input file")
    stems = {(s.path.parent.resolve(), s.path.stem) for s in found.sources}
    for item in found.ignored:
        path = Path(item.path)
        if item.reason == "sidecar" and (path.parent.resolve(), sidecar_stem(path)) not in stems:
            warnings.append(f"{path}: sidecar matches no input file")
    return warnings


def _write_collection(path: Path, title: str, articles: list[Article], result: BatchResult,
                      options: BatchOptions, ledger: Ledger, reporter: Reporter,
                      epubcheck: str | None) -> InputResult:
    """One EPUB of every converted article, in input-path order."""
    started = time.perf_counter()
    item = InputResult(f"collection {title!r}", path.name, "failed", "epub")
    try:
        if not articles:
            raise WriterError("no article converted; the collection EPUB was not written",
                              file=str(path))
        _check_ours(ensure_inside(result.output, path), ledger, options.force)
        from ..writers.epub import write_collection

        rendition = write_collection(articles, title, options.write)
        if options.write.check:
            checkers = Checkers(epubcheck)
            rendition = enforce_checks(checkers.check(articles[0], replace(
                rendition, writer="epub", extension=".epub"), options.write), options.write)
            checkers.close()
        data = rendition.data
        item.diagnostics.extend(rendition.diagnostics)
        atomic_write_bytes(path, data)
        digest = hashlib.sha256(data).hexdigest()
        ledger.finish([path], {path: LedgerEntry(digest, len(data), "epub")})
        item.outputs.append(OutputInfo("epub", relative_to(path, result.output), digest,
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


__all__ = ["check_formats", "default_jobs", "run_batch", "slugify", "start_executor"]
