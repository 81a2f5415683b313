"""Planning a batch: each input's destinations, and every reason to refuse one before converting.

Refused here, before any worker starts (the input fails with one line, the batch goes on):

* a name collision: two inputs that would write the same file (``foo.txt`` and ``foo.md``), or an
  input whose output would be the report or the collection EPUB;
* a destination that is an input, a sidecar or the catalog, or a folder holding one: never
  replaced, with or without ``force`` (``converter convert art.json -o .`` must not eat art.json);
* a destination that exists and that the ledger does not know (a file we did not write), unless
  ``force``.

Whether an existing output we wrote belongs to *this* input is decided in the job, which has the
input's bytes (:func:`converter.batch.job.run_job`).
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import OutputExistsError
from ..options import ReadOptions, WriteOptions
from ..pipeline import destination_for
from ..registry import Writer
from .discovery import Source, absolute
from .ledger import Ledger, LedgerEntry
from .metadata import Catalog, is_sidecar, sidecars_for
from .options import BatchOptions
from .report import InputResult
from .similarity import signature_reader


@dataclass(frozen=True, slots=True)
class Member:
    """Another input of a group (``--group-renditions``), converted in its first input's job."""

    index: int
    source: Path
    display: str
    relative: str
    catalog_overrides: Mapping[str, Any]
    catalog_notes: tuple[str, ...]
    #: its own outputs of an earlier run, kept (and named in a warning)
    earlier: tuple[Path, ...] = ()


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
    #: the targets that existed when the batch was planned
    existed: frozenset[Path]
    force: bool
    fail_on_warnings: bool
    #: send the article back (for a collection)
    want_article: bool
    #: the address of the batch's EPUBCheck service (``--check``), a run-time resource
    epubcheck: str | None = None
    #: send the article's metadata.csv row back (for a transfer)
    want_transfer: bool = False
    #: send the text's MinHash signature back (recognising groups, :mod:`.similarity`), unless
    #: the input still has these bytes (an input skipped as unchanged)
    want_signature: bool = False
    known_signature: str | None = None
    #: only read the input and send its signature back (the pass before grouping)
    signature_only: bool = False
    #: the other inputs of its group: one article, one set of outputs (``--group-renditions``)
    members: tuple[Member, ...] = ()

    @property
    def input_key(self) -> str:
        """The input as the ledger names it: its absolute path."""
        return str(absolute(self.source))


@dataclass
class Plan:
    """Inputs with their destinations, and the inputs that failed before converting."""

    jobs: list[Job]
    early: dict[int, InputResult]
    sources: list[Source]
    #: inputs converted in another input's job (``--group-renditions``): index -> that index
    grouped: dict[int, int] = field(default_factory=dict)


class Protected:
    """The files a batch must never write over: inputs, sidecars, the catalog.

    Compared by identity (device and inode), so a symlink, a hard link or another spelling of the
    path is caught too; a folder destination is refused when one of them lies inside it.
    """

    def __init__(self, paths: Iterable[Path]) -> None:
        self._paths = list(paths)
        self._identities: dict[tuple[int, int], str] | None = None
        self._reals: list[str] = []

    def _load(self) -> dict[tuple[int, int], str]:
        if self._identities is None:
            self._identities = {}
            for path in self._paths:
                try:
                    info = path.stat()
                except OSError:
                    continue
                self._identities.setdefault((info.st_dev, info.st_ino), str(path))
                self._reals.append(os.path.realpath(path))
            self._reals.sort()
        return self._identities

    def holds(self, target: Path) -> str | None:
        """The protected file that writing ``target`` would destroy, if any."""
        try:
            info = target.stat()
        except OSError:
            return None
        identities = self._load()
        hit = identities.get((info.st_dev, info.st_ino))
        if hit or not target.is_dir():
            return hit
        prefix = os.path.realpath(target).rstrip(os.sep) + os.sep
        index = bisect.bisect_left(self._reals, prefix)
        if index < len(self._reals) and self._reals[index].startswith(prefix):
            return self._reals[index]
        return None


def protected_files(sources: Iterable[Source], sidecars: Iterable[Path],
                    catalog: Path | None) -> Protected:
    """Every input, every sidecar (found in folders, or beside named files) and the catalog."""
    paths: list[Path] = []
    for source in sources:
        paths.append(source.path)
        if "/" not in source.relative:  # a named file: its sidecars were not walked
            paths.extend(sidecars_for(source.path))
    paths.extend(sidecars)
    if catalog is not None:
        paths.append(catalog)
    return Protected(paths)


def make_plan(sources: list[Source], output: Path, options: BatchOptions,
              writers: Mapping[str, Writer], ledger: Ledger, catalog: Catalog | None,
              reserved: Mapping[Path, str], protected: Protected, want_article: bool,
              epubcheck: str | None = None, want_transfer: bool = False) -> Plan:
    """Destinations per input; collisions, inputs at risk and foreign files fail here."""
    formats = tuple(writers)
    signing = len(sources) > 1  # groups need two inputs at least
    reader = signature_reader(options.read)
    claims: dict[Path, list[int]] = {}
    targets_of: list[tuple[Path, ...]] = []
    for index, source in enumerate(sources):
        out_dir = output / Path(source.relative).parent
        stem = Path(source.relative).stem
        targets = tuple(destination_for(writers[f], out_dir, stem, options.write)
                        for f in formats)
        targets_of.append(targets)
        for target in targets:
            claims.setdefault(absolute(target), []).append(index)
    plan = Plan([], {}, sources)
    for index, source in enumerate(sources):
        previous: dict[Path, LedgerEntry] = {}
        existed = set()
        errors = []
        for target in targets_of[index]:
            entry = ledger.get(target)
            if entry is not None:
                previous[target] = entry
            if os.path.lexists(target):
                existed.add(target)
            errors.extend(_refusals(source, target, sources, claims, reserved, protected,
                                    entry, target in existed and not options.force))
        if errors:
            first_is_collision = "collision" in errors[0]
            plan.early[index] = InputResult(source.display, source.relative, "failed",
                                            errors=errors[:1] if first_is_collision else errors)
            continue
        row = catalog.lookup(source.relative) if catalog else None
        sha = next((e.input_sha256 for e in previous.values() if e.complete), None)
        known = sha if signing and sha and ledger.signature(sha, reader) else None
        plan.jobs.append(Job(
            index=index, source=source.path, display=source.display, relative=source.relative,
            output=output, out_dir=output / Path(source.relative).parent,
            stem=Path(source.relative).stem, formats=formats, targets=targets_of[index],
            read=options.read, write=options.write,
            catalog_overrides=row.overrides if row else {},
            catalog_notes=row.notes if row else (), previous=previous,
            existed=frozenset(existed), force=options.force,
            fail_on_warnings=options.fail_on_warnings, want_article=want_article,
            epubcheck=epubcheck, want_transfer=want_transfer, want_signature=signing,
            known_signature=known))
    return plan


def _refusals(source: Source, target: Path, sources: list[Source],
              claims: Mapping[Path, list[int]], reserved: Mapping[Path, str],
              protected: Protected, entry: LedgerEntry | None, check_foreign: bool
              ) -> list[str]:
    others = [sources[i].display for i in claims[absolute(target)] if sources[i] is not source]
    if others:
        return [f"{source.display}: name collision: {target} would also be written for "
                f"{', '.join(others)}; rename one of them"]
    if absolute(target) in reserved:
        return [f"{source.display}: name collision: {target} is "
                f"{reserved[absolute(target)]}; rename the input"]
    if is_sidecar(target):
        return [f"{target}: refusing to write: it is named like a sidecar (metadata beside an "
                "input), which is never replaced, even with --force; rename the input"]
    victim = protected.holds(target)
    if victim is not None:
        what = "is" if os.path.samefile(victim, target) else "holds"
        return [f"{target}: refusing to write: it {what} the input {victim} (inputs, sidecars "
                "and catalogs are never replaced, even with --force); choose another output "
                "folder"]
    if check_foreign and entry is None:
        return [str(OutputExistsError(
            "exists and was not written by the converter; use --force to replace it",
            file=str(target)))]
    return []
