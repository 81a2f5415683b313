"""Converting one input of a batch: what a worker process (or this process) runs per job.

A job reads its input, layers the catalog row, the sidecar and the command line's metadata,
skips the input when its outputs are complete for these bytes and options, refuses destinations
that belong to someone else, then writes one format at a time. Every failure becomes part of the
:class:`Outcome`, never an exception, so one bad input costs one line and the batch goes on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from .._version import __version__
from ..checks import Checkers
from ..errors import ConverterError, OutputExistsError, describe_os_error
from ..fsutil import digest_path
from ..model import Article, Diagnostic
from ..options import ReadOptions, WriteOptions
from ..packaging.identify import Identification, identify_file
from ..packaging.transfer import Row, transfer_row
from ..pipeline import OutputRecord, detect_format, parse_bytes, read_input, write_outputs
from ..registry import PackageWriter, Registry, Rendition
from .group import ReadMember, merge_group, read_member
from .metadata import layered_read
from .plan import Job
from .report import Status
from .similarity import signature

log = logging.getLogger("converter.batch")


@dataclass(slots=True)
class Outcome:
    """What a worker sends back for one job."""

    index: int
    status: Status
    format: str | None = None
    input_sha256: str | None = None
    options_hash: str | None = None
    outputs: list[OutputRecord] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    reason: str | None = None
    seconds: float = 0.0
    article: Article | None = None
    #: the worker died or was stopped: what it wrote before is unknown
    lost: bool = False
    #: how many times the input was tried (a worker lost to a fault is retried elsewhere)
    attempts: int = 1
    #: what Siegfried says the input is
    identification: Identification | None = None
    #: a failed input whose outputs stay (renditions that failed a check, --keep-invalid)
    keep_outputs: bool = False
    #: the input's metadata.csv row, for a transfer (its Dublin Core cells)
    transfer_row: Row | None = None
    #: the MinHash signature of its text (:mod:`.similarity`), when asked for
    signature: bytes | None = None
    #: a group's other inputs: relative path -> SHA-256 of the bytes that were read
    member_sha256: dict[str, str] = field(default_factory=dict)


#: the environment variables that shape outputs: a job run elsewhere (a Dask worker) gets the
#: batch's values of these, so its outputs are byte for byte what a local worker would write
OUTPUT_ENVIRONMENT = ("SOURCE_DATE_EPOCH", "CONVERTER_JATS_DTD")


def options_hash(read: ReadOptions, write: WriteOptions, members: Sequence[ReadMember] = ()
                 ) -> str:
    """A digest of everything besides the input bytes that shapes an output.

    The other formats asked for are not part of it: each ledger entry belongs to one format's
    destination, so adding or dropping a format leaves the others' outputs complete. A group's
    other inputs are (their bytes and options), so a change to any of them converts it again.
    """
    read_part = asdict(replace(read, file_name=None))
    write_part = asdict(replace(write, source_path=None))
    data = {"converter": __version__, "read": read_part, "write": write_part,
            "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH"),
            "members": [(m.member.relative, m.sha256, asdict(replace(m.read, file_name=None)))
                        for m in members]}
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_job(job: Job, registry: Registry) -> Outcome:
    """Convert one input; every failure becomes part of the outcome, never an exception."""
    started = time.perf_counter()
    outcome = Outcome(job.index, "failed")
    try:
        if job.signature_only:
            _sign_only(job, registry, outcome)
        else:
            _convert(job, registry, outcome)
    except ConverterError as exc:
        outcome.status = "failed"
        outcome.errors.append(str(exc.located(job.display)))
    except OSError as exc:  # a full disk, a name too long: say so, not "internal error"
        outcome.status = "failed"
        outcome.errors.append(f"{job.display}: {describe_os_error(exc)}")
    except Exception as exc:  # a bug in a reader or writer must not stop the batch
        log.debug("internal error converting %s", job.display, exc_info=True)
        outcome.status = "failed"
        outcome.errors.append(f"{job.display}: internal error: {type(exc).__name__}: {exc}")
    if outcome.identification is None and outcome.input_sha256 and not job.signature_only:
        # an input that failed to parse: what Siegfried says it is helps most here
        with contextlib.suppress(OSError):
            outcome.identification = identify_file(job.source, outcome.input_sha256)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _sign_only(job: Job, registry: Registry, outcome: Outcome) -> None:
    """The pass before grouping: read the input, send its signature back, write nothing."""
    data = read_input(job.source, job.read)
    outcome.input_sha256 = hashlib.sha256(data).hexdigest()
    read, _write, _notes = _effective_options(job)
    found = signature(parse_bytes(data, read, registry))
    outcome.signature = found.to_bytes() if found else None
    outcome.status = "ok"


def _convert(job: Job, registry: Registry, outcome: Outcome) -> None:
    data = read_input(job.source, job.read)
    outcome.input_sha256 = hashlib.sha256(data).hexdigest()
    read, write, notes = _effective_options(job)
    members = [read_member(job, member) for member in job.members]
    outcome.member_sha256 = {m.member.relative: m.sha256 for m in members}
    outcome.options_hash = options_hash(read, write, members)

    if not job.force and job.targets and _complete(job, outcome):
        outcome.identification = identify_file(job.source, outcome.input_sha256)
        outcome.status, outcome.reason = "skipped", "unchanged"
        outcome.format = detect_format(data, job.display, registry, read.format)
        entries = [(t, job.previous[t]) for t in job.targets]
        outcome.outputs = [OutputRecord(e.format or "", t, e.sha256, e.size,
                                        identify_file(t, e.sha256) if t.is_file() else None)
                           for t, e in entries]
        sign = job.want_signature and job.known_signature != outcome.input_sha256
        if job.want_article or job.want_transfer or sign:
            article = parse_bytes(data, read, registry)
            _sign(job, article, outcome)
            article, write = merge_group(job, article, write, members, registry)
            outcome.article = article if job.want_article else None
            outcome.transfer_row = transfer_row(article) if job.want_transfer else None
        return

    article = parse_bytes(data, read, registry)
    outcome.identification = identify_file(job.source, outcome.input_sha256)
    _sign(job, article, outcome)
    article, write = merge_group(job, article, write, members, registry)
    for code, message in notes:
        article.diagnose("warning", code, message)
    prov = article.provenance
    outcome.format = prov.format if prov else None
    outcome.diagnostics = list(prov.diagnostics) if prov else []
    if job.fail_on_warnings and _warnings(outcome.diagnostics):
        outcome.errors.append(f"{job.display}: {_warnings(outcome.diagnostics)} warning(s) and "
                              "--fail-on-warnings; no outputs written")
        return
    _check_destinations(job, outcome)
    checkers = Checkers(job.epubcheck) if write.check else None
    allowed = set(job.targets)
    media: set[Path] = set()
    made: dict[str, Rendition] = {}  # single-file renditions, which packages then reuse
    packages_last = sorted(job.formats, key=lambda f: isinstance(registry.writer(f),
                                                                 PackageWriter))
    try:
        for fmt in packages_last:  # one at a time, so a late failure still knows what it wrote
            rendition, *extra = write_outputs(
                article, job.out_dir, job.stem, [fmt], write, registry, output_root=job.output,
                may_replace=lambda p: job.force or p in allowed, made=made, checkers=checkers)
            if rendition.sha256 is None:
                rendition.sha256 = digest_path(rendition.path)
            outcome.outputs.append(rendition)
            for record in extra:  # media files, the same for every format
                if record.path not in media:
                    media.add(record.path)
                    outcome.outputs.append(record)
    finally:
        if checkers is not None:
            checkers.close()
        prov = article.provenance
        outcome.diagnostics = list(prov.diagnostics) if prov else []
    invalid = [d for d in outcome.diagnostics if d.level == "error" and d.code.endswith("-failed")]
    if invalid:  # kept with --keep-invalid: the input still fails, its outputs stay
        outcome.errors.extend(f"{job.display}: {d.message}" for d in invalid)
        outcome.keep_outputs = True
        return
    if job.fail_on_warnings and _warnings(outcome.diagnostics):
        outcome.errors.append(f"{job.display}: {_warnings(outcome.diagnostics)} warning(s) "
                              "and --fail-on-warnings; its outputs were removed")
        return
    outcome.status = "ok"
    if job.want_article:
        outcome.article = article
    if job.want_transfer:
        outcome.transfer_row = transfer_row(article)


def _effective_options(job: Job) -> tuple[ReadOptions, WriteOptions, list[tuple[str, str]]]:
    """Read and write options with the catalog row, sidecar and command line layered."""
    read, notes = layered_read(job.read, job.source, job.display, job.catalog_overrides,
                               job.catalog_notes)
    write = replace(job.write, source_path=job.source, source_relative=job.relative)
    return read, write, notes


def _sign(job: Job, article: Article, outcome: Outcome) -> None:
    if job.want_signature:
        found = signature(article)
        outcome.signature = found.to_bytes() if found else None


def _check_destinations(job: Job, outcome: Outcome) -> None:
    """Refuse a destination written for another input, or changed since we wrote it.

    A destination that did not exist when the batch was planned and exists now was written by
    an earlier attempt of this very job (a Dask worker killed half-way through its renditions,
    each written whole): the retry replaces it. No other run can have written it meanwhile (the
    output folder is locked), and inputs, sidecars and the catalog existed at planning time.
    """
    for target in job.targets:
        if job.force or target not in job.existed or not os.path.lexists(target):
            continue
        entry = job.previous.get(target)
        if entry is None:
            raise OutputExistsError("exists and was not written by the converter; use --force "
                                    "to replace it", file=str(target))
        if entry.input not in (None, job.input_key) \
                and entry.input_sha256 != outcome.input_sha256:
            raise OutputExistsError(f"exists and was written for another input, {entry.input}; "
                                    "use --force to replace it", file=str(target))
        if entry.sha256 is not None and digest_path(target) != entry.sha256:
            raise OutputExistsError("was changed since the converter wrote it; use --force to "
                                    "replace it", file=str(target))


def _warnings(diagnostics: list[Diagnostic]) -> int:
    return sum(1 for d in diagnostics if d.level in ("warning", "error"))


def _complete(job: Job, outcome: Outcome) -> bool:
    """Whether every target exists as the ledger recorded it for these input bytes and options."""
    for target in job.targets:
        entry = job.previous.get(target)
        if (entry is None or not entry.complete
                or entry.input_sha256 != outcome.input_sha256
                or entry.options != outcome.options_hash or digest_path(target) != entry.sha256):
            return False
    return True
