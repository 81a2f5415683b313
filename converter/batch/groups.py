"""Recognising, in the parent, the inputs of a batch that are one article in several shapes.

Every job of a batch of two inputs or more sends back the MinHash signature of its text
(:mod:`.similarity`); the parent keeps it in the ledger (by the input's SHA-256, so an input that
a rerun skips as unchanged still counts) and, when the jobs are done, finds the groups: inputs
sharing an LSH band are candidates (the band keys go through a temporary table of the ledger, so
memory stays flat), candidates are confirmed on their containment. ``report.json`` lists them.

With ``--group-renditions`` the groups decide what is converted, so they are found first: a pass
sends every input whose signature is not known yet to the workers (read and signed, nothing
written), then :func:`group_jobs` turns each group into one job, its first input by path naming
the outputs and the others its members (:mod:`.group` merges them in the worker).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import replace

from ..fsutil import digest_path
from .discovery import Source
from .ledger import Ledger
from .plan import Job, Member, Plan
from .pool import Executor
from .report import GroupInfo
from .similarity import MOST_SHAPES, Group, Signature, groups, signature_reader


def find_groups(ledger: Ledger, signed: Sequence[tuple[int, str]], reader: str
                ) -> tuple[list[Group], list[int]]:
    """Groups among inputs ``(index, input SHA-256)`` whose signatures the ledger holds, and
    the inputs left out for sharing their text with too many others (:data:`MOST_SHAPES`)."""
    shas = dict(signed)

    def load(index: int) -> Signature | None:
        data = ledger.signature(shas[index], reader)
        return Signature.from_bytes(data) if data else None

    def keys() -> Iterator[tuple[int, list[bytes]]]:
        for index in sorted(shas):
            found = load(index)
            if found is not None:
                yield index, found.bands()

    pairs, crowded = ledger.band_pairs(keys(), MOST_SHAPES)
    return groups(pairs, load), crowded


def sign_inputs(plan: Plan, executor: Executor, ledger: Ledger) -> list[tuple[int, str]]:
    """The pass before grouping: the signature of every planned input, known or computed by
    the workers (read and signed, nothing written); ``(index, input SHA-256)`` of each signed
    one. An input that cannot be read is left out (its own job fails later and says why)."""
    reader = signature_reader(plan.jobs[0].read) if plan.jobs else ""
    signed: list[tuple[int, str]] = []
    queue: deque[Job] = deque()
    for job in plan.jobs:
        try:
            sha = digest_path(job.source)
        except OSError:
            continue
        if sha is not None and ledger.signature(sha, reader) is not None:
            signed.append((job.index, sha))
        else:
            queue.append(replace(job, signature_only=True, targets=()))
    try:
        while queue or executor.running:
            while queue and executor.free > 0:
                executor.submit(queue.popleft())
            if not executor.running:
                break
            for _job, outcome in executor.collect():
                if outcome.signature is not None and outcome.input_sha256 is not None:
                    ledger.store_signature(outcome.input_sha256, reader, outcome.signature)
                    signed.append((outcome.index, outcome.input_sha256))
    except KeyboardInterrupt:
        executor.close()
        raise
    return sorted(signed)


def group_jobs(plan: Plan, found: Sequence[Group]) -> None:
    """One job per group: its first input's (which names the outputs), with the others as
    members; the members' own jobs are dropped and ``plan.grouped`` says where they went."""
    by_index = {job.index: job for job in plan.jobs}
    dropped: set[int] = set()
    for group in found:
        jobs = [by_index[i] for i in group.members if i in by_index]
        if len(jobs) < 2:
            continue
        first, others = jobs[0], jobs[1:]
        by_index[first.index] = replace(first, want_signature=False, members=tuple(
            Member(j.index, j.source, j.display, j.relative, j.catalog_overrides, j.catalog_notes,
                   tuple(t for t in j.targets if t in j.existed)) for j in others))
        for job in others:
            plan.grouped[job.index] = first.index
            dropped.add(job.index)
    plan.jobs = [by_index[job.index] for job in plan.jobs if job.index not in dropped]


def crowd_warning(crowded: Sequence[int], sources: Sequence[Source]) -> list[str]:
    """The batch warning for inputs left out of the groups, naming a few of them."""
    if not crowded:
        return []
    names = [sources[i].display for i in crowded[:3]]
    more = f" and {len(crowded) - 3:,} more" if len(crowded) > 3 else ""
    return [f"{len(crowded):,} inputs share their text with more than {MOST_SHAPES} others "
            f"(copies or boilerplate: {', '.join(names)}{more}): too many to be one article's "
            "shapes; they are not grouped with them"]


def group_infos(found: Sequence[Group], sources: Sequence[Source], packaged: bool
                ) -> list[GroupInfo]:
    """The groups as ``report.json`` lists them (inputs by their relative paths)."""
    return [GroupInfo(tuple(sorted(sources[i].relative for i in group.members)),
                      group.similarity, packaged) for group in found]


__all__ = ["crowd_warning", "find_groups", "group_infos", "group_jobs", "sign_inputs"]
