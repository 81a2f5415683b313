"""Atomic, contained file output: temp file or folder beside the destination, then ``os.replace``.

Nothing here changes the working directory or follows a symlink out of the output folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import WriterError


def ensure_inside(root: Path, target: Path) -> Path:
    """Refuse a destination that escapes ``root`` (by ``..`` or through a symlinked folder)."""
    root_real = root.resolve()
    parent_real = target.parent.resolve()
    if parent_real != root_real and root_real not in parent_real.parents:
        raise WriterError(f"refusing to write outside the output folder: {target}")
    if target.is_symlink():
        raise WriterError(f"refusing to write through a symlink: {target}")
    return target


#: the longest file name most file systems take (bytes); temp names must fit too
NAME_MAX = 255
#: temp files and folders end so, and nothing else is ever removed as a leftover: a name no user
#: file is likely to have, even when the output folder is the input folder
PART_SUFFIX = ".converter-part"
OLD_SUFFIX = ".converter-old"
#: what ``tempfile`` adds to a prefix (8 random characters) plus the suffix
_TEMP_OVERHEAD = 8 + len(PART_SUFFIX)


def temp_prefix(target: Path) -> str:
    """``.<name>.`` for a temp file beside ``target``, shortened so the whole temp name fits in
    NAME_MAX bytes (a 250-byte output name must not fail only because its temp name is longer)."""
    room = NAME_MAX - _TEMP_OVERHEAD - 2
    name = os.fsencode(target.name)
    if len(name) > room:
        name = name[:room]
        while name:  # do not cut a UTF-8 sequence in half
            try:
                name.decode("utf-8")
                break
            except UnicodeDecodeError:
                name = name[:-1]
    return f".{os.fsdecode(name)}."


def atomic_write_bytes(target: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``target`` so that readers see the old file or the whole new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target), suffix=PART_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_chunks(target: Path, chunks: Iterable[bytes], mode: int = 0o644
                        ) -> tuple[int, str]:
    """:func:`atomic_write_bytes` for data made piece by piece (a report of 10,000 inputs), so
    it never sits in memory whole; returns the size and sha256 of what was written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target), suffix=PART_SUFFIX, dir=target.parent)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return size, digest.hexdigest()


def temp_dir_beside(target: Path) -> Path:
    """A new empty temp folder beside ``target``, named so an interrupted run's is found."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=temp_prefix(target), suffix=PART_SUFFIX,
                                 dir=target.parent))


@contextlib.contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a temp folder beside ``target``; on success it replaces ``target`` whole."""
    tmp = temp_dir_beside(target)
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        if target.is_symlink() or target.is_file():
            target.unlink()
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=temp_prefix(target), suffix=OLD_SUFFIX,
                                        dir=target.parent))
            os.replace(target, old / target.name)
            os.replace(tmp, target)
            shutil.rmtree(old)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def remove_stale_parts(folder: Path) -> int:
    """Delete the leftovers of an interrupted run under ``folder`` (the temp files and folders of
    :func:`atomic_write_bytes` and :func:`atomic_directory`); return how many."""
    count = 0
    if not folder.is_dir():
        return 0
    for pattern in (f".*{PART_SUFFIX}", f".*{OLD_SUFFIX}"):
        for path in folder.rglob(pattern):
            remove_path(path)
            count += 1
    return count


def remove_parts_of(target: Path) -> int:
    """Delete the temp files and folders an atomic write of ``target`` left behind when the
    process writing it was killed (their names: :func:`temp_prefix`, 8 random characters,
    :data:`PART_SUFFIX`); return how many. Other targets' temp files are left alone."""
    prefix = temp_prefix(target)
    size = len(prefix) + 8 + len(PART_SUFFIX)
    try:
        names = [e.name for e in os.scandir(target.parent)]
    except (FileNotFoundError, NotADirectoryError):
        return 0
    leftovers = [n for n in names
                 if len(n) == size and n.startswith(prefix) and n.endswith(PART_SUFFIX)]
    for name in leftovers:
        remove_path(target.parent / name)
    return len(leftovers)


def remove_path(path: Path) -> None:
    """Remove a file, a link or a whole folder (never following a link)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


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
