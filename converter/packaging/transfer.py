"""An Archivematica standard transfer: one folder per batch that Archivematica ingests as it is.

Layout (Archivematica's "standard transfer" with its metadata files; compare the sample transfers
of artefactual/archivematica-sampledata, e.g. ``DemoTransferCSV``)::

    <name>/
      objects/<relative path>            every original, byte for byte, under its input path
      objects/renditions/<output path>   the renditions and their media, when asked for
      metadata/metadata.csv              one row per original: filename, then Dublin Core columns
                                         (an article in several files: one folder, one row)
      metadata/checksum.sha256           every file of objects/, sha256sum's format

``metadata.csv`` follows Archivematica's format: a ``filename`` column (``objects/<path>``) then
``dc.*`` columns in the order of Archivematica's template (title, creator, subject, description,
date, identifier, language, rights) and ``dcterms.license``; a field with several values
(creators, subjects, identifiers) repeats its column, as many times as the row with the most
values needs. The columns are those of :data:`converter.model.vocabulary.DUBLIN_CORE`, so the
converter's own catalog reader (``--metadata``) reads the file back as the same fields. UTF-8
without a byte-order mark, LF line ends, quoted where CSV needs it.

``checksum.sha256`` lists ``<sha256>  <path relative to objects/>`` lines sorted by path, what
``cd objects && sha256sum -c ../metadata/checksum.sha256`` checks (and Archivematica verifies at
the start of a transfer). A name with a backslash or a line break gets sha256sum's escaped form.

The folder is built beside its destination and renamed into place (:func:`write_transfer`);
an original is copied without following links, hashed as it streams, and refused when it no
longer has the SHA-256 it had when it was converted. Originals keep their modification time
(Archivematica records it); every file is 0644, every folder 0755.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import stat
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import PackageError
from ..fsutil import atomic_directory
from ..model import Article
from ..model.metadata import dublin_core
from .bagit.manifest import digest_stream
from .bagit.verify import path_problem
from .contents import prepare

OBJECTS = "objects"
METADATA_CSV = "metadata/metadata.csv"
CHECKSUMS = "metadata/checksum.sha256"
#: where renditions go inside objects/ (apart from the originals' own tree)
RENDITIONS = "renditions"

#: one metadata.csv row's Dublin Core cells: (column, values), columns in template order
Row = tuple[tuple[str, tuple[str, ...]], ...]


def transfer_row(article: Article) -> Row:
    """An article's Dublin Core cells (small and picklable: workers send it to the parent)."""
    return tuple((column, tuple(values)) for column, values in dublin_core(article))


@dataclass(frozen=True)
class TransferFile:
    """One file of ``objects/``: where it goes, where it is, what it must hash to."""

    #: the path under objects/ (POSIX)
    name: str
    source: Path
    #: the SHA-256 it had when it was made or read (None: nothing to compare)
    sha256: str | None = None
    #: its metadata.csv row (originals), or None (renditions have no row)
    row: Row | None = None


@dataclass(frozen=True)
class TransferSummary:
    """What :func:`write_transfer` wrote."""

    files: int
    octets: int
    #: objects/ path -> SHA-256
    digests: dict[str, str]


def write_transfer(destination: Path, files: Sequence[TransferFile],
                   folders: Mapping[str, Row] | None = None) -> TransferSummary:
    """Build the transfer folder at ``destination`` atomically (see the module docstring).
    Names are NFC-normalized (as in a bag). ``folders``: metadata.csv rows of folders under
    objects/ (one article in several files: Archivematica gives a folder's row to the folder)."""
    files = [replace(f, name=unicodedata.normalize("NFC", f.name)) for f in files]
    check_names([f.name for f in files])
    digests: dict[str, str] = {}
    octets = 0
    with atomic_directory(Path(destination)) as tmp:
        for item in sorted(files, key=lambda f: f.name):
            digests[item.name], size = _copy(item, prepare(tmp, f"{OBJECTS}/{item.name}"))
            octets += size
        rows = [(f.name, f.row) for f in files if f.row is not None]
        rows += [(unicodedata.normalize("NFC", name), row)
                 for name, row in (folders or {}).items()]
        _write(tmp, METADATA_CSV, metadata_csv(rows))
        _write(tmp, CHECKSUMS, checksum_lines(digests))
        (tmp / OBJECTS).mkdir(mode=0o755, exist_ok=True)  # an empty transfer still has objects/
    return TransferSummary(len(digests), octets, digests)


def metadata_csv(rows: Sequence[tuple[str, Row]]) -> bytes:
    """Archivematica's metadata.csv: ``filename`` (``objects/<name>``), then each Dublin Core
    column as often as the row with the most values for it needs; rows sorted by file name."""
    columns: dict[str, int] = {}
    for _name, row in rows:
        for column, values in row:
            columns[column] = max(columns.get(column, 1), len(values))
    if not rows:
        columns = {column: 1 for column, _ in transfer_row(Article(title=""))}
    header = ["filename"] + [c for c, count in columns.items() for _ in range(count)]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for name, row in sorted(rows):
        cells: dict[str, tuple[str, ...]] = dict(row)
        line = [f"{OBJECTS}/{name}"]
        for column, count in columns.items():
            values = cells.get(column, ())
            line.extend([*values, *[""] * (count - len(values))])
        writer.writerow(line)
    return out.getvalue().encode("utf-8", "replace")  # a lone surrogate in a title becomes '?'


def checksum_lines(digests: dict[str, str]) -> bytes:
    """``<hex>  <path>`` lines sorted by path, as ``sha256sum`` writes them (a name with ``\\``
    or a line break is escaped, and its line starts with ``\\``)."""
    lines = []
    for name in sorted(digests):
        escaped = name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        lines.append(("\\" if escaped != name else "") + f"{digests[name]}  {escaped}\n")
    return "".join(lines).encode("utf-8")


def check_names(names: Sequence[str]) -> None:
    """Relative, UTF-8, no traversal, no two alike, none both a file and a folder."""
    seen: set[str] = set()
    for name in names:
        problem = path_problem(name) or _not_utf8(name)
        if problem:
            raise PackageError(f"cannot put {name!r} into the transfer: {problem}")
        if unicodedata.normalize("NFC", name) in seen:
            raise PackageError(f"two files would be objects/{name} in the transfer")
        seen.add(unicodedata.normalize("NFC", name))
    for name in seen:
        parts = name.split("/")
        for depth in range(1, len(parts)):
            if "/".join(parts[:depth]) in seen:
                raise PackageError(f"objects/{'/'.join(parts[:depth])} would be both a file and "
                                   f"a folder in the transfer (objects/{name})")


def _not_utf8(name: str) -> str | None:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "the name is not UTF-8; rename the input"
    return None


def _copy(item: TransferFile, target: Path) -> tuple[str, int]:
    """Copy one file byte for byte (never through a link), returning its SHA-256 and size."""
    try:
        fd = os.open(item.source, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        reason = "it is a symbolic link" if exc.errno == errno.ELOOP else exc.strerror or exc
        raise PackageError(f"cannot copy into the transfer: {reason}",
                           file=str(item.source)) from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise PackageError("cannot copy into the transfer: not a regular file",
                               file=str(item.source))
        try:
            out_fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(out_fd, "wb") as out:
                os.fchmod(out.fileno(), 0o644)
                sums, size = digest_stream(handle, ("sha256",), copy_to=out)
        except OSError as exc:
            raise PackageError(f"cannot write objects/{item.name}: {exc.strerror or exc}"
                               ) from exc
    if item.sha256 is not None and sums["sha256"] != item.sha256:
        raise PackageError("changed since it was converted (its SHA-256 differs); run the batch "
                           "again", file=str(item.source))
    if item.row is not None:  # an original keeps its modification time
        os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns), follow_symlinks=False)
    return sums["sha256"], size


def _write(root: Path, rel: str, data: bytes) -> None:
    target = prepare(root, rel)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), 0o644)
        out.write(data)


__all__ = ["CHECKSUMS", "METADATA_CSV", "RENDITIONS", "Row", "TransferFile", "TransferSummary",
           "checksum_lines", "metadata_csv", "transfer_row", "write_transfer"]
