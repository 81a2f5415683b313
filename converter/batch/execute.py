"""Running a plan: jobs out to an executor, outcomes back into the ledger and the report.

Only this (parent) side writes the ledger. Per job, in order:

1. its destinations are recorded as in flight (committed) before the job is submitted;
2. its outcome settles them in one transaction: the outputs of a finished input are recorded as
   complete; an input that failed keeps no outputs of this attempt at final paths (they are
   removed, so a later run never mistakes half an input's renditions for a result); after a
   worker was lost (crash, time limit, Ctrl-C) every destination that this attempt may have
   written is removed the same way, with the temp files it left beside them, and what an
   earlier run completed and nobody touched stays.

Ctrl-C stops the batch: every job submitted and not yet settled is abandoned (the executor kills
its worker first, so nothing is written after it is settled) and settled as interrupted, jobs
not started are listed as skipped, the report is written, and :class:`KeyboardInterrupt` is
raised again for the caller. Settling one outcome is never cut in half by Ctrl-C (the signal
waits until it is done). Rerunning the same command converts exactly what is left.

An input whose worker died and that the executor ran again (a Dask cluster retries a task whose
worker was killed) is reported with its ``attempts``; the temp files the dead attempt left beside
its destinations are removed when it is settled, as for any lost worker, and again once the
executor is closed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TypeVar, cast

from ..errors import one_line
from ..fsutil import digest_path, remove_parts_of, remove_path
from ..model import Article, Diagnostic
from ..packaging.transfer import Row, TransferFile
from .job import Outcome
from .ledger import Ledger, LedgerEntry
from .options import BatchOptions
from .plan import Job, Plan
from .pool import Executor
from .report import BatchResult, CheckInfo, InputResult, OutputInfo, Reporter
from .similarity import signature_reader


class Execution:
    """One run of a plan through an executor, filling ``result.inputs`` in input order."""

    def __init__(self, plan: Plan, options: BatchOptions, ledger: Ledger, reporter: Reporter,
                 result: BatchResult) -> None:
        self.plan = plan
        self.options = options
        self.ledger = ledger
        self.reporter = reporter
        self.result = result
        self.results: dict[int, InputResult] = {}
        self.articles: dict[int, Article] = {}
        #: the originals for a transfer, with the metadata.csv rows the workers sent back
        self.transfer_originals: dict[str, TransferFile] = {}
        #: a group's folder in the transfer, with the merged article's row
        self.transfer_folders: dict[str, Row] = {}
        #: inputs whose signature the ledger holds: (index, input SHA-256), for the groups
        self.signed: list[tuple[int, str]] = []
        self.reader = signature_reader(options.read)
        #: jobs submitted and not yet settled, by index: what Ctrl-C must settle as lost
        self.pending: dict[int, Job] = {}
        #: the destinations of inputs whose worker died: temp files are swept again at the end
        self.swept: list[Path] = []
        self.stop = False

    def run(self, executor: Executor) -> list[Article]:
        """Run every job; returns the articles sent back (for a collection), in input order."""
        queue = deque(() if self.options.fail_fast and self.plan.early else self.plan.jobs)
        self.plan.jobs = []  # the queue owns the jobs from here, so each is freed once done
        self.reporter.start(len(self.plan.sources))
        for index, item in sorted(self.plan.early.items()):
            self.results[index] = item
            self._announce(item)
        try:
            while queue or executor.running:
                while queue and executor.free > 0 and not self.stop:
                    job = queue.popleft()
                    with _deferred_interrupts():
                        self.ledger.begin(job.targets)
                        self.pending[job.index] = job
                        executor.submit(job)
                if not executor.running:
                    break
                for job, outcome in executor.collect():
                    with _deferred_interrupts():
                        self.settle(job, outcome)
        except KeyboardInterrupt:
            self.result.interrupted = True
            with _deferred_interrupts():
                # not ``executor.running``: a job the executor has handed back but this loop
                # has not settled yet (Ctrl-C between the two) is abandoned as well
                abandoned = [self.pending[i] for i in sorted(self.pending)]
                executor.close()
                for job in abandoned:
                    self.settle(job, Outcome(job.index, "failed", lost=True, errors=[
                        f"{job.display}: interrupted; its outputs were removed"]))
        finally:
            executor.close()
        # once more, now that every worker is stopped: a converter process whose Dask worker
        # was killed lives on for a moment and may have started a temp file after its input
        # was settled (its retry's outputs are the same bytes)
        for target in self.swept:
            remove_parts_of(target)
        why = "not started: interrupted" if self.result.interrupted else \
            "not started: --fail-fast"
        for index, source in enumerate(self.plan.sources):
            if index not in self.results:
                self.results[index] = InputResult(source.display, source.relative, "skipped",
                                                  reason=why)
        self.result.inputs = [self.results[i] for i in range(len(self.plan.sources))]
        return [self.articles[i] for i in sorted(self.articles)]

    def settle(self, job: Job, outcome: Outcome) -> None:
        """Record one outcome in the ledger and the report (see the module docstring)."""
        entries, removed = _ledger_changes(job, outcome)
        for path in removed:
            remove_path(path)
        if outcome.lost or outcome.attempts > 1:  # a worker killed mid-write left its temp files
            for target in job.targets:
                remove_parts_of(target)
            self.swept.extend(job.targets)
        self.ledger.finish(job.targets, entries, removed)
        if removed:
            gone = set(removed)
            outcome.outputs = [o for o in outcome.outputs if o.path not in gone]
        if outcome.article is not None:
            self.articles[job.index] = outcome.article
        if outcome.transfer_row is not None:
            self.transfer_entry(job, outcome, outcome.transfer_row)
        self.remember_signature(job, outcome)
        item = _input_result(job, outcome)
        self.results[job.index] = item
        self.pending.pop(job.index, None)
        self._announce(item)
        for member in job.members:  # a group: its other inputs went into this job's outputs
            grouped = InputResult(member.display, member.relative, item.status,
                                  item.format, reason=f"grouped with {job.relative}",
                                  grouped_with=job.relative)
            if item.status == "failed":
                grouped.errors.append(f"{member.display}: not converted: its group's job, "
                                      f"{job.display}, failed")
            if member.earlier:
                grouped.diagnostics.append(Diagnostic(
                    "warning", "grouped-earlier-outputs", "converted with its group into "
                    f"{job.relative}'s outputs; its own outputs of an earlier run stay: "
                    f"{', '.join(relative_to(p, job.output) for p in member.earlier)}",
                    member.display))
            self.results[member.index] = grouped
            self._announce(grouped)

    def remember_signature(self, job: Job, outcome: Outcome) -> None:
        """Keep the input's signature in the ledger, for the groups found at the end."""
        sha = outcome.input_sha256
        if sha is None:
            return
        if outcome.signature is not None:
            self.ledger.store_signature(sha, self.reader, outcome.signature)
            self.signed.append((job.index, sha))
        elif job.want_signature and job.known_signature == sha:
            self.signed.append((job.index, sha))

    def transfer_entry(self, job: Job, outcome: Outcome, row: Row) -> None:
        """An input's original with its metadata.csv row; a group's originals go into one
        folder named after its first input, the row (the merged article's) on the folder."""
        if not job.members:
            self.transfer_originals[job.relative] = TransferFile(
                job.relative, job.source, outcome.input_sha256, row)
            return
        folder = str(PurePosixPath(job.relative).with_suffix(""))
        self.transfer_folders[folder] = row
        for relative, source, sha in [(job.relative, job.source, outcome.input_sha256),
                                      *((m.relative, m.source, outcome.member_sha256.get(
                                          m.relative)) for m in job.members)]:
            self.transfer_originals[relative] = TransferFile(
                f"{folder}/{PurePosixPath(relative).name}", source, sha)

    def _announce(self, item: InputResult) -> None:
        if item.attempts > 1:
            self.reporter.problem(f"{item.input}: retried: a worker holding it died "
                                  f"({item.attempts} attempts)", fatal=False)
        for error in item.errors:
            self.reporter.problem(error, fatal=True)
        for diagnostic in item.diagnostics:
            if self.options.verbose or diagnostic.level != "info":
                self.reporter.problem(diagnostic_line(item.input, diagnostic), fatal=False)
        if self.options.verbose:
            for name, found in [(item.input, item.identification),
                                *((o.path, o.identification) for o in item.outputs)]:
                if found:
                    self.reporter.problem(f"{name}: info: {identification_text(found)} "
                                          "[format-identification]", fatal=False)
        self.reporter.advance(item)
        if item.status == "failed" and self.options.fail_fast:
            self.stop = True


@contextlib.contextmanager
def _deferred_interrupts() -> Iterator[None]:
    """Hold Ctrl-C until the block is done (the main thread's SIGINT is blocked meanwhile)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _ledger_changes(job: Job, outcome: Outcome) -> tuple[dict[Path, LedgerEntry], list[Path]]:
    """What the ledger learns from one outcome, and which destinations to remove."""
    if outcome.status == "skipped":
        return {}, []
    complete = outcome.status == "ok"
    entries = {o.path: LedgerEntry(o.sha256, o.size, o.format, job.input_key,
                                   outcome.input_sha256 if complete else None,
                                   outcome.options_hash)
               for o in outcome.outputs}
    if complete or outcome.keep_outputs:  # kept outputs are ours; their input is not complete
        return entries, []
    written = {o.path for o in outcome.outputs if o.format != "media"}
    removed = [t for t in job.targets if t in written or (outcome.lost and _touched(job, t))]
    for path in removed:
        entries.pop(path, None)
    return entries, removed


def _touched(job: Job, target: Path) -> bool:
    """After a lost worker: whether ``target`` may hold what that attempt wrote.

    A destination absent when the batch was planned and present now was written by it; one the
    ledger knew is ours and is removed unless it is still exactly what an earlier run completed.
    A file we did not write (kept with ``--force``) is left alone.
    """
    if not os.path.lexists(target):
        return False
    if target not in job.existed:
        return True
    entry = job.previous.get(target)
    if entry is None:
        return False
    return not (entry.complete and digest_path(target) == entry.sha256)


_Text = TypeVar("_Text", bound=str)


def _shared(text: _Text) -> _Text:
    """Every outcome arrives as a fresh copy of the same few words (``ok``, ``json``, the same
    diagnostic messages); interned, 10,000 inputs stay small."""
    return cast(_Text, sys.intern(text))


def _input_result(job: Job, outcome: Outcome) -> InputResult:
    """The parent's record of one input, kept until the report is written."""
    outputs = [OutputInfo(_shared(o.format), relative_to(o.path, job.output), o.sha256, o.size,
                          o.identification.to_dict() if o.identification else None,
                          [CheckInfo.of(check) for check in o.checks])
               for o in outcome.outputs]
    for diagnostic in outcome.diagnostics:
        diagnostic.level = _shared(diagnostic.level)
        diagnostic.code = _shared(diagnostic.code)
        diagnostic.message = _shared(diagnostic.message)
    return InputResult(job.display, job.relative, _shared(outcome.status),
                       outcome.format and _shared(outcome.format), outputs,
                       outcome.diagnostics, outcome.errors, outcome.reason, outcome.seconds,
                       outcome.identification.to_dict() if outcome.identification else None,
                       attempts=outcome.attempts)


def identification_text(found: dict[str, str]) -> str:
    """``PRONOM fmt/101 (Extensible Markup Language 1.0; extension match xml)``."""
    name = " ".join(p for p in (found.get("format"), found.get("version")) if p)
    why = "; ".join(p for p in (found.get("basis"), found.get("warning")) if p)
    return f"PRONOM {found['puid']}" + (f" ({name}; {why})" if name or why else "")


def relative_to(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def diagnostic_line(display: str, diagnostic: Diagnostic) -> str:
    parts = [one_line(display), one_line(diagnostic.place or ""),
             f"{diagnostic.level}: {one_line(diagnostic.message)} [{diagnostic.code}]"]
    return ": ".join(p for p in parts if p)
