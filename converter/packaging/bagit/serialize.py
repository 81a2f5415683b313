"""Bag serializations (RFC 8493 section 4.4): reproducible tar, tgz and zip, and safe extraction.

An archive holds exactly one top-level folder, the bag, named like the archive without its
extension (``x.bag.tar`` holds ``x.bag/``). Writing is deterministic, so the same bag gives the same
bytes on any file system and whatever order its files were created in: entries sorted by path
(each folder before its contents), every time fixed, uid/gid 0 with empty user and group names,
modes 0644 for files and 0755 for folders, POSIX pax tar (UTF-8 names), gzip with mtime 0 and no
file name in its header, zip with UTF-8 names and unix modes.

Extraction (for verification) writes into a folder the caller owns and refuses what could escape
it or hide data: absolute paths, ``..``, links, devices, duplicate names, entries outside a single
top-level folder. Nothing is extracted with tarfile's or zipfile's own ``extract*``.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tarfile
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from ...errors import PackageError
from .manifest import BLOCK_SIZE

SERIALIZATIONS = ("dir", "tar", "tgz", "zip")
#: archive file name suffix per serialization
SUFFIXES = {"tar": ".tar", "tgz": ".tgz", "zip": ".zip"}
#: what RFC 8493 bags carry as archive names besides ours
_KNOWN_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
_ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)
COMPRESS_LEVEL = 6
#: free space an extraction for verification must leave on the disk
SPACE_MARGIN = 256 * 1024 * 1024


def bag_name_for(archive_name: str) -> str:
    """The bag folder an archive of this name holds: its name without the archive extension."""
    lower = archive_name.lower()
    for suffix in _KNOWN_SUFFIXES:
        if lower.endswith(suffix) and len(archive_name) > len(suffix):
            return archive_name[: -len(suffix)]
    return archive_name


def _entries(bag_dir: Path) -> Iterator[tuple[str, Path, bool]]:
    """(relative path, path, is folder) of everything in a bag we built, sorted by path parts."""
    found: list[tuple[tuple[str, ...], Path, bool]] = []
    stack: list[tuple[Path, tuple[str, ...]]] = [(bag_dir, ())]
    while stack:
        folder, parts = stack.pop()
        for entry in os.scandir(folder):
            here = (*parts, entry.name)
            if entry.is_symlink():
                raise PackageError(f"refusing to archive a symbolic link: {entry.path}")
            is_dir = entry.is_dir(follow_symlinks=False)
            found.append((here, Path(entry.path), is_dir))
            if is_dir:
                stack.append((Path(entry.path), here))
    for parts, path, is_dir in sorted(found, key=lambda item: item[0]):
        yield "/".join(parts), path, is_dir


def write_archive(bag_dir: Path, archive: Path, kind: str, mtime: datetime) -> None:
    """Serialize the bag folder ``bag_dir`` as ``archive`` (top folder: ``bag_dir.name``)."""
    if kind not in SUFFIXES:
        raise PackageError(f"unknown bag serialization {kind!r}")
    with open(archive, "xb") as raw:
        if kind == "zip":
            _write_zip(bag_dir, raw, mtime)
        elif kind == "tgz":
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                               compresslevel=COMPRESS_LEVEL) as gz:
                _write_tar(bag_dir, gz, mtime)  # type: ignore[arg-type]
        else:
            _write_tar(bag_dir, raw, mtime)
        raw.flush()
        os.fsync(raw.fileno())


def _write_tar(bag_dir: Path, out: BinaryIO, mtime: datetime) -> None:
    seconds = max(0, int(mtime.timestamp()))
    top = bag_dir.name
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT, encoding="utf-8") as tar:
        tar.addfile(_tar_info(top, True, 0, seconds))
        for rel, path, is_dir in _entries(bag_dir):
            size = 0 if is_dir else path.stat().st_size
            info = _tar_info(f"{top}/{rel}", is_dir, size, seconds)
            if is_dir:
                tar.addfile(info)
            else:
                with open(path, "rb") as handle:
                    tar.addfile(info, handle)


def _tar_info(name: str, is_dir: bool, size: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
    info.mode = 0o755 if is_dir else 0o644
    info.size = size
    info.mtime = mtime
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _write_zip(bag_dir: Path, out: BinaryIO, mtime: datetime) -> None:
    stamp = max(mtime, _ZIP_EPOCH).astimezone(UTC)
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    top = bag_dir.name
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED,
                         compresslevel=COMPRESS_LEVEL) as archive:
        archive.writestr(_zip_info(top + "/", True, date_time), b"")
        for rel, path, is_dir in _entries(bag_dir):
            if is_dir:
                archive.writestr(_zip_info(f"{top}/{rel}/", True, date_time), b"")
                continue
            info = _zip_info(f"{top}/{rel}", False, date_time)
            info.file_size = path.stat().st_size
            with open(path, "rb") as source, archive.open(
                    info, "w", force_zip64=info.file_size > zipfile.ZIP64_LIMIT) as target:
                while block := source.read(BLOCK_SIZE):
                    target.write(block)


def _zip_info(name: str, is_dir: bool, date_time: tuple[int, int, int, int, int, int]
              ) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time)
    info.create_system = 3  # unix, so the modes below mean what they say
    if is_dir:
        info.external_attr = (0o40755 << 16) | 0x10
        info.compress_type = zipfile.ZIP_STORED
    else:
        info.external_attr = 0o100644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
    return info


# --------------------------------------------------------------------------- reading


def archive_kind(path: Path) -> str | None:
    """``tar``, ``tgz`` or ``zip`` by content (not by name), or ``None``."""
    with open(path, "rb") as handle:
        head = handle.read(512)
    if head[:2] == b"\x1f\x8b":
        return "tgz"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return None


def extract_archive(archive: Path, into: Path, kind: str) -> tuple[Path | None, list[str],
                                                                     list[str]]:
    """Unpack a serialized bag into the empty folder ``into``.

    Returns the bag folder (``None`` unless the archive holds exactly one top-level folder), the
    problems that make the bag invalid, and notes (warnings).
    """
    extractor = _Extractor(into)
    try:
        if kind == "zip":
            extractor.zip(archive)
        else:
            extractor.tar(archive)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        extractor.problems.append(f"cannot read the {kind} archive: {exc}")
        return None, extractor.problems, extractor.notes
    except _TooBig as exc:
        extractor.problems.append(str(exc))
        return None, extractor.problems, extractor.notes
    tops = sorted(extractor.tops)
    if len(tops) != 1:
        extractor.problems.append("must hold exactly one top-level folder (the bag), found "
                                  f"{len(tops)}: {', '.join(tops) or 'none'}")
        return None, extractor.problems, extractor.notes
    if extractor.top_files:
        return None, extractor.problems, extractor.notes
    expected = bag_name_for(archive.name)
    if tops[0] != expected:
        extractor.notes.append(f"the bag folder {tops[0]!r} is not named like the archive "
                               f"({expected!r})")
    return into / tops[0], extractor.problems, extractor.notes


class _TooBig(Exception):
    """Unpacking would fill the disk (a decompression bomb, or just too big)."""


class _Extractor:
    """Writes archive members under ``root``, refusing anything that could escape it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        #: bytes we may still unpack: the free space less a margin (no archive fills the disk)
        self.budget = shutil.disk_usage(root).free - SPACE_MARGIN
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.tops: set[str] = set()
        self.top_files = False
        self.seen: set[str] = set()

    def member_path(self, name: str) -> str | None:
        """The safe relative path of a member, or ``None`` (with the problem recorded)."""
        clean = name[2:] if name.startswith("./") else name
        clean = clean.rstrip("/")
        parts = clean.split("/")
        if name in (".", "./"):
            return None  # the archive's own root entry (tar -C parent .)
        if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
            self.problems.append(f"{name!r}: absolute path")
        elif ".." in parts:
            self.problems.append(f"{name!r}: '..' leaves the archive")
        elif "\x00" in name or not clean or "" in parts or "." in parts:
            self.problems.append(f"{name!r}: malformed path")
        elif clean in self.seen:
            self.problems.append(f"{clean}: appears twice in the archive")
        else:
            self.seen.add(clean)
            self.tops.add(parts[0])
            return clean
        return None

    def folder(self, rel: str) -> None:
        (self.root / rel).mkdir(parents=True, exist_ok=True)

    def file(self, rel: str, source: BinaryIO, size: int) -> None:
        if "/" not in rel:
            self.problems.append(f"{rel}: a file outside the bag folder")
            self.top_files = True
            return
        self.budget -= size
        if self.budget < 0:
            raise _TooBig(f"{rel}: the archive unpacks to more than the free disk space")
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as out:
            while block := source.read(BLOCK_SIZE):
                out.write(block)

    def tar(self, archive: Path) -> None:
        with tarfile.open(archive, mode="r|*") as tar:
            for member in tar:
                rel = self.member_path(member.name)
                if rel is None:
                    continue
                if member.issym() or member.islnk():
                    self.problems.append(f"{rel}: a link in the archive (not extracted)")
                elif member.isdir():
                    self.folder(rel)
                elif member.isfile():
                    stream = tar.extractfile(member)
                    if stream is None:  # pragma: no cover - isfile() members always have data
                        continue
                    self.file(rel, stream, member.size)  # type: ignore[arg-type]
                else:
                    self.problems.append(f"{rel}: a device, pipe or other special member")

    def zip(self, archive: Path) -> None:
        with zipfile.ZipFile(archive) as zipped:
            for info in zipped.infolist():
                rel = self.member_path(info.filename)
                if rel is None:
                    continue
                mode = info.external_attr >> 16
                if info.flag_bits & 0x1:
                    self.problems.append(f"{rel}: encrypted (cannot be verified)")
                elif info.create_system == 3 and (mode & 0o170000) == 0o120000:
                    self.problems.append(f"{rel}: a link in the archive (not extracted)")
                elif info.is_dir():
                    self.folder(rel)
                else:
                    with zipped.open(info) as stream:
                        self.file(rel, stream, info.file_size)  # type: ignore[arg-type]
