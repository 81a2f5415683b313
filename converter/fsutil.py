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


def atomic_write_bytes(target: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``target`` so that readers see the old file or the whole new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
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
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
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


@contextlib.contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a temp folder beside ``target``; on success it replaces ``target`` whole."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        if target.is_symlink() or target.is_file():
            target.unlink()
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old",
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
    """Delete ``*.part`` leftovers of an interrupted run under ``folder``; return how many."""
    count = 0
    if not folder.is_dir():
        return 0
    for path in folder.rglob(".*.part"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        count += 1
    return count
