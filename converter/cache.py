"""The converter's cache folder: things that cost a lot to build and never change for one version
of their inputs (the compiled schema validator, the language model unpacked), built by the first
process that needs them and reused by every later one. Each entry's name says everything it
depends on, so a stale entry is never read; an unwritable cache costs speed, nothing else.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path


def cache_folder() -> Path:
    """``$CONVERTER_CACHE_DIR``, else ``$XDG_CACHE_HOME/article-converter``, else
    ``~/.cache/article-converter`` (the XDG Base Directory convention)."""
    chosen = os.environ.get("CONVERTER_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "article-converter"


def store_file(name: str, data: bytes) -> None:
    """Write one cache file atomically (processes racing to write the same entry agree)."""
    path = cache_folder() / name
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_bytes(data)
        os.replace(temporary, path)


def store_folder(name: str, fill: Callable[[Path], None]) -> Path | None:
    """A cache folder filled by ``fill`` in a temporary folder, then renamed into place; the
    folder, or ``None`` when the cache cannot be written."""
    path = cache_folder() / name
    if path.is_dir():
        return path
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        temporary.mkdir(parents=True, exist_ok=True)
        fill(temporary)
        os.rename(temporary, path)
    except OSError:
        shutil.rmtree(temporary, ignore_errors=True)
        return path if path.is_dir() else None  # another process may have won the race
    return path
