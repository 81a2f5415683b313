"""The ledger: what the converter wrote into an output folder, so that nothing is ever lost.

``OUT/.converter/ledger.sqlite`` is a SQLite database in write-ahead-log mode. Only the batch's
parent process writes it. Three tables:

* ``outputs``: each file or folder the converter wrote (path relative to OUT) with its sha256 and
  size, its format, the input it came from (absolute path and sha256) and the options hash;
* ``signatures``: the MinHash signature of each input's text (by its sha256 and what read it), so
  that an input skipped as unchanged still takes part in recognising groups (:mod:`.similarity`);
* ``in_flight``: the destinations of the inputs being converted right now. A job's destinations
  are recorded (committed) before the job starts and removed in the same transaction that records
  its outputs. Whatever is still listed when the ledger is next opened belonged to a run that was
  interrupted or killed: those destinations become ours-but-unverified (replaceable, never
  complete), so the next run redoes exactly the inputs that were in flight.

Every change is one SQLite transaction, so a ``kill -9`` or Ctrl-C at any moment leaves either the
state before or the state after it; there is no compaction step that could drop records. With
``synchronous=NORMAL`` a committed transaction survives the process dying; after a power failure
the last transactions may be missing, which makes their outputs look foreign (``--force``), never
wrongly complete. Why SQLite rather than the earlier JSON journal: docs/guarantees.md (measured:
docs/benchmarks.md, ``bench/bench_ledger.py``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConverterError

#: folder under OUT that holds the ledger and the lock
STATE_DIR = ".converter"
LEDGER_FILE = "ledger.sqlite"
#: the JSON ledger of converter 0.1.0, imported once
OLD_LEDGER_FILE = "ledger.json"
SCHEMA_VERSION = "2"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outputs (
    path TEXT PRIMARY KEY,
    sha256 TEXT,
    size INTEGER NOT NULL DEFAULT 0,
    format TEXT,
    input TEXT,
    input_sha256 TEXT,
    options TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS in_flight (path TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS signatures (
    input_sha256 TEXT NOT NULL,
    reader TEXT NOT NULL,
    signature BLOB NOT NULL,
    PRIMARY KEY (input_sha256, reader)
) WITHOUT ROWID;
"""
_COLUMNS = "sha256, size, format, input, input_sha256, options"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What the converter knows about one file it wrote.

    ``sha256`` is ``None`` when the file is ours but unverified (its input was in flight when a
    run stopped); ``input_sha256`` is ``None`` when its input did not finish cleanly. Either way
    the file may be replaced, but never counts as complete. ``input`` is the absolute path of the
    input it was written for.
    """

    sha256: str | None
    size: int = 0
    format: str | None = None
    input: str | None = None
    input_sha256: str | None = None
    options: str | None = None

    @property
    def complete(self) -> bool:
        return self.sha256 is not None and self.input_sha256 is not None


class Ledger:
    """The parent process's record of what the converter wrote under OUT.

    Use it as ``with Ledger(out).opened() as ledger:``: that takes the lock (one run per output
    folder), opens the database and settles what an earlier run left in flight.
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        self.folder = output / STATE_DIR
        self.warnings: list[str] = []
        self._db: sqlite3.Connection | None = None
        self._root = os.path.abspath(output)
        self._prefix = self._root + "/"

    # ------------------------------------------------------------------ keys

    def key(self, path: Path) -> str:
        """A path relative to OUT (POSIX), or absolute when outside it."""
        absolute = os.path.abspath(path)
        if absolute.startswith(self._prefix):  # destinations are built under OUT: no syscalls
            return absolute[len(self._prefix):]
        try:
            return path.resolve().relative_to(Path(self._root).resolve()).as_posix()
        except ValueError:
            return str(path.resolve())

    def path(self, key: str) -> Path:
        return Path(key) if os.path.isabs(key) else self.output / key

    # ------------------------------------------------------------------ opening

    @contextlib.contextmanager
    def opened(self) -> Iterator[Ledger]:
        """Lock the output folder, open the database, settle an interrupted run; close after."""
        with self.locked():
            self._db = self._connect()
            try:
                self._import_old_ledger()
                self._settle_in_flight()
                yield self
            finally:
                self._db.close()
                self._db = None

    def _connect(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        file = self.folder / LEDGER_FILE
        try:
            db = sqlite3.connect(file, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('version', ?)", (SCHEMA_VERSION,))
            elif row[0] != SCHEMA_VERSION:
                raise ConverterError(f"ledger version {row[0]} is not {SCHEMA_VERSION}; it was "
                                     "written by another converter version", file=str(file))
        except sqlite3.DatabaseError as exc:
            raise ConverterError(f"unreadable ledger ({exc}); move the output folder's "
                                 f"{STATE_DIR} folder aside (outputs then count as foreign)",
                                 file=str(file)) from exc
        return db

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("the ledger is not open (use Ledger.opened())")
        return self._db

    def _settle_in_flight(self) -> None:
        """Destinations an earlier run left in flight: ours if they exist, but unverified."""
        with self._transaction() as db:
            for (key,) in db.execute("SELECT path FROM in_flight").fetchall():
                path = self.path(key)
                if os.path.lexists(path):
                    db.execute(
                        "INSERT INTO outputs (path, sha256, input_sha256) VALUES (?, NULL, NULL) "
                        "ON CONFLICT(path) DO UPDATE SET sha256 = NULL, input_sha256 = NULL",
                        (key,))
                else:
                    db.execute("DELETE FROM outputs WHERE path = ?", (key,))
            db.execute("DELETE FROM in_flight")

    def _import_old_ledger(self) -> None:
        """Take over the JSON ledger of converter 0.1.0, once."""
        old = self.folder / OLD_LEDGER_FILE
        if not old.is_file():
            return
        try:
            outputs = json.loads(old.read_text(encoding="utf-8"))["outputs"]
            rows = [(key, e.get("sha256"), int(e.get("size") or 0), e.get("format"),
                     e.get("input"), e.get("input_sha256"), e.get("options"))
                    for key, e in outputs.items()]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            self.warnings.append(f"{old}: unreadable ledger ({exc}); existing outputs count "
                                 "as foreign (use --force to replace them)")
            return
        with self._transaction() as db:
            db.executemany(f"INSERT OR IGNORE INTO outputs (path, {_COLUMNS}) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        old.unlink()
        (self.folder / "journal.jsonl").unlink(missing_ok=True)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # ------------------------------------------------------------------ reading

    def get(self, path: Path) -> LedgerEntry | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM outputs WHERE path = ?",
                              (self.key(path),)).fetchone()
        return LedgerEntry(*row) if row else None

    def entries(self) -> dict[str, LedgerEntry]:
        """Every output by key (for tests and inspection; a batch asks per path)."""
        rows = self.db.execute(f"SELECT path, {_COLUMNS} FROM outputs ORDER BY path")
        return {key: LedgerEntry(*rest) for key, *rest in rows}

    # ------------------------------------------------------------------ writing

    def begin(self, targets: Iterable[Path]) -> None:
        """Record destinations as in flight, committed before the job that writes them starts."""
        with self._transaction() as db:
            db.executemany("INSERT OR IGNORE INTO in_flight VALUES (?)",
                           [(self.key(t),) for t in targets])

    def finish(self, targets: Iterable[Path], outputs: Mapping[Path, LedgerEntry],
               removed: Iterable[Path] = ()) -> None:
        """In one transaction: record finished outputs, forget removed ones, end the flight."""
        with self._transaction() as db:
            db.executemany(
                f"INSERT OR REPLACE INTO outputs (path, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(self.key(p), e.sha256, e.size, e.format, e.input, e.input_sha256, e.options)
                 for p, e in outputs.items()])
            db.executemany("DELETE FROM outputs WHERE path = ?",
                           [(self.key(p),) for p in removed])
            db.executemany("DELETE FROM in_flight WHERE path = ?",
                           [(self.key(t),) for t in targets])

    # ------------------------------------------------------------------ signatures

    def signature(self, input_sha256: str, reader: str) -> bytes | None:
        row = self.db.execute("SELECT signature FROM signatures WHERE input_sha256 = ? AND "
                              "reader = ?", (input_sha256, reader)).fetchone()
        return bytes(row[0]) if row else None

    def store_signature(self, input_sha256: str, reader: str, signature: bytes) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO signatures VALUES (?, ?, ?)",
                       (input_sha256, reader, signature))

    def band_pairs(self, keys: Iterable[tuple[int, list[bytes]]], most: int
                   ) -> tuple[list[tuple[int, int]], list[int]]:
        """Pairs of inputs (by index) that share an LSH band key, each pair once, and the
        inputs left out: those sharing a key with more than ``most`` others, whose buckets are
        not paired (a crowd of copies would make pairs by the million). The keys go through a
        temporary table, so a batch of any size needs no index in memory."""
        db = self.db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS bands (band BLOB NOT NULL, input INTEGER)")
        db.execute("DELETE FROM temp.bands")
        for index, bands in keys:
            db.executemany("INSERT INTO temp.bands VALUES (?, ?)", [(b, index) for b in bands])
        db.execute("CREATE INDEX IF NOT EXISTS temp.bands_band ON bands (band)")
        db.execute("CREATE TEMP TABLE crowded AS SELECT band FROM temp.bands GROUP BY band "
                   "HAVING COUNT(*) > ?", (most + 1,))
        try:
            left_out = [row[0] for row in db.execute(
                "SELECT DISTINCT input FROM temp.bands WHERE band IN temp.crowded ORDER BY 1")]
            pairs = db.execute(
                "SELECT DISTINCT a.input, b.input FROM temp.bands a JOIN temp.bands b "
                "ON a.band = b.band AND a.input < b.input WHERE a.band NOT IN temp.crowded "
                "ORDER BY 1, 2").fetchall()
        finally:
            db.execute("DROP TABLE temp.crowded")
            db.execute("DROP TABLE temp.bands")
        return [(int(a), int(b)) for a, b in pairs], left_out

    # ------------------------------------------------------------------ the lock

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
