"""The ledger: what the converter wrote into an output folder, kept so it is never lost.

``OUT/.converter/ledger.json`` maps each output (path relative to OUT) to its sha256 and size, the
input it came from, that input's sha256 and the options hash. Only the batch's parent process
writes it. Between compactions it grows as an append-only journal (``journal.jsonl``):

* ``plan`` records, fsynced before any worker starts, list every destination a run may write;
* ``done`` records, flushed as each input finishes, carry the finished outputs.

Replaying the journal after a ``kill -9`` keeps every finished output and marks the planned but
unfinished ones as ours-but-unverified (replaceable, never complete), so the next run redoes only
what was in flight. A torn last line is ignored. Compaction rewrites ``ledger.json`` atomically
(:func:`converter.fsutil.atomic_write_bytes`) and removes the journal.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import IO, Any

from .errors import ConverterError
from .fsutil import atomic_write_chunks
from .model import canonical_json

#: folder under OUT that holds the ledger, its journal and the lock
STATE_DIR = ".converter"
LEDGER_FILE = "ledger.json"
JOURNAL_FILE = "journal.jsonl"
LEDGER_VERSION = 1


def digest_path(path: Path) -> str | None:
    """sha256 of a file; of a folder, sha256 of its sorted ``<sha256>  <relative path>`` lines."""
    if path.is_file():
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()
    if path.is_dir():
        lines = []
        for child in sorted(path.rglob("*")):
            if child.is_file() and not child.is_symlink():
                lines.append(f"{digest_path(child)}  {child.relative_to(path).as_posix()}\n")
        return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
    return None


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What the converter knows about one file it wrote.

    ``sha256`` is ``None`` when the file is ours but unverified (its input was in flight when a
    run died); ``input_sha256`` is ``None`` when its input did not finish cleanly. Either way the
    file may be replaced, but never counts as complete.
    """

    sha256: str | None
    size: int = 0
    format: str | None = None
    input: str | None = None
    input_sha256: str | None = None
    options: str | None = None


class Ledger:
    """The parent process's record of what the converter wrote under OUT."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.folder = output / STATE_DIR
        self.entries: dict[str, LedgerEntry] = {}
        self._journal: IO[str] | None = None
        self.warnings: list[str] = []

    def key(self, path: Path) -> str:
        """A path relative to OUT (POSIX), or absolute when outside it."""
        try:  # destinations are built under OUT: no need to ask the file system
            return path.relative_to(self.output).as_posix()
        except ValueError:
            pass
        try:
            return path.resolve().relative_to(self.output.resolve()).as_posix()
        except ValueError:
            return str(path.resolve())

    def path(self, key: str) -> Path:
        return Path(key) if os.path.isabs(key) else self.output / key

    def get(self, path: Path) -> LedgerEntry | None:
        return self.entries.get(self.key(path))

    def load(self) -> None:
        """Read the ledger and replay the journal of an earlier (possibly killed) run."""
        ledger = self.folder / LEDGER_FILE
        if ledger.is_file():
            try:
                data = json.loads(ledger.read_text(encoding="utf-8"))
                self.entries = {k: LedgerEntry(**v) for k, v in data["outputs"].items()}
            except (OSError, ValueError, KeyError, TypeError) as exc:
                self.warnings.append(f"{ledger}: unreadable ledger ({exc}); existing outputs "
                                     "count as foreign (use --force to replace them)")
                self.entries = {}
        journal = self.folder / JOURNAL_FILE
        if not journal.is_file():
            return
        pending: set[str] = set()
        for line in journal.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line torn by a kill
            if record.get("op") == "plan":
                pending.update(record["targets"])
            elif record.get("op") == "done":
                for key, entry in record["outputs"].items():
                    self.entries[key] = LedgerEntry(**entry)
                pending.difference_update(record["targets"])
        for key in pending:
            if key in self.entries or self.path(key).exists():
                old = self.entries.get(key) or LedgerEntry(None)
                self.entries[key] = replace(old, sha256=None, input_sha256=None)

    def compact(self) -> None:
        """Write the ledger atomically and start an empty journal."""
        self.close_journal()
        chunks = json_chunks({"version": LEDGER_VERSION, "outputs": {}}, "outputs",
                             ((k, asdict(v)) for k, v in sorted(self.entries.items())))
        atomic_write_chunks(self.folder / LEDGER_FILE, (c.encode("utf-8") for c in chunks))
        (self.folder / JOURNAL_FILE).unlink(missing_ok=True)

    def _append(self, record: dict[str, Any], sync: bool = False) -> None:
        if self._journal is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._journal = (self.folder / JOURNAL_FILE).open("a", encoding="utf-8")
        self._journal.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._journal.flush()
        if sync:
            os.fsync(self._journal.fileno())

    def plan(self, targets: list[Path]) -> None:
        """Journal every destination this run may write, durably, before writing any."""
        self._append({"op": "plan", "targets": [self.key(t) for t in targets]}, sync=True)

    def record(self, targets: list[Path], outputs: Mapping[Path, LedgerEntry]) -> None:
        """Journal finished outputs (flushed, so a kill of the process keeps them)."""
        for path, entry in outputs.items():
            self.entries[self.key(path)] = entry
        self._append({"op": "done", "targets": [self.key(t) for t in targets],
                      "outputs": {self.key(p): asdict(e) for p, e in outputs.items()}})

    def close_journal(self) -> None:
        if self._journal is not None:
            self._journal.flush()
            os.fsync(self._journal.fileno())
            self._journal.close()
            self._journal = None

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold ``OUT/.converter/lock`` so two runs never share one output folder."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / "lock").open("a") as handle:
            try:
                import fcntl
            except ImportError:  # pragma: no cover - not POSIX
                yield
                return
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                raise ConverterError("another converter run is writing to this output folder",
                                     file=str(self.output)) from exc
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def json_chunks(data: Mapping[str, Any], key: str, members: Iterable[Any]) -> Iterator[str]:
    """The text of ``canonical_json(data)`` with ``data[key]`` filled from ``members``, in pieces.

    ``data[key]`` is an empty list (``members`` are its items) or an empty dict (``members`` are
    ``(name, value)`` pairs). Joined, the pieces are exactly the canonical JSON of the whole
    structure, but neither it nor its text is ever held in memory at once: a report or a ledger of
    10,000 entries is written in constant memory.
    """
    indent = " " * 4
    name = json.dumps(key, ensure_ascii=False)
    opening, closing = ("{", "}") if isinstance(data[key], dict) else ("[", "]")
    head, marker, tail = canonical_json(data).partition(f"\n  {name}: {opening}{closing}")
    if not marker:
        raise ValueError(f"{key!r} is not a top-level member of the document")
    yield f"{head}\n  {name}: "
    count = 0
    for member in members:
        if opening == "{":
            label, value = member
            prefix = f"{json.dumps(label, ensure_ascii=False)}: "
        else:
            prefix, value = "", member
        text = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)
        yield f"{opening if count == 0 else ','}\n{indent}{prefix}{text}"
        count += 1
    yield (f"\n  {closing}" if count else f"{opening}{closing}") + tail
