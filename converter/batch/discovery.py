"""Finding the inputs: files named on the command line and every convertible file under folders.

The rules (docs/guarantees.md):

* A file named on the command line is taken whatever its extension (detection sniffs it). A named
  path that does not exist, or is not a regular file (a FIFO, a device, a socket), is a failed
  input with a line naming it; it is never opened, so a FIFO cannot hang the batch.
* Folders are walked in name order. Hidden entries, sidecars and files no reader claims are left
  out and counted. Special files inside folders are left out, never opened.
* Symbolic links: a link inside an input folder whose target lies outside that folder is skipped
  with a line naming it (``follow_links`` takes it); links to folders are not descended unless
  ``follow_links``, and then each folder is visited once (no loops).
* Files the converter itself wrote into the output folder (the ledger says so) are not inputs, so
  converting a folder into itself twice works; an output folder inside an input folder is pruned.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from .metadata import is_sidecar
from .report import Ignored, IgnoreReason


@dataclass(frozen=True, slots=True)
class Source:
    """One input file and where it sits in its tree."""

    path: Path
    #: the path relative to its input root, POSIX separators
    relative: str

    @property
    def display(self) -> str:
        return str(self.path)


@dataclass
class Discovery:
    """What a walk found: inputs, what it left out, and named paths that cannot be inputs."""

    sources: list[Source] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    #: ``(path as given, reason)``: named on the command line but missing or not a regular file
    unusable: list[tuple[str, str]] = field(default_factory=list)
    #: one line per link that was skipped, for the console and the report
    warnings: list[str] = field(default_factory=list)


def absolute(path: Path | str) -> Path:
    """The absolute form of a path without asking the file system (no symlinks resolved)."""
    return Path(os.path.abspath(path))


def discover(inputs: Sequence[Path], extensions: set[str], exclude: set[Path],
             is_output: Callable[[Path], bool] = lambda _p: False,
             follow_links: bool = False) -> Discovery:
    """Every convertible file under ``inputs``, sorted by path, and what was left out.

    ``exclude`` holds absolute paths pruned from the walk (the output folder, the report, the
    catalog); ``is_output`` says whether a file is one the converter wrote. A file reached twice
    (overlapping inputs) is taken once.
    """
    found = Discovery()
    sources: dict[Path, Source] = {}
    for given in inputs:
        problem = _unusable(given)
        if problem:
            found.unusable.append((str(given), problem))
        elif is_sidecar(given) and not given.is_dir():
            found.ignored.append(Ignored(str(given), "sidecar"))
        elif not given.is_dir():
            sources.setdefault(absolute(given), Source(given, given.name))
        else:
            _walk(given, extensions, exclude, is_output, follow_links, sources, found)
    found.sources = sorted(sources.values(), key=lambda s: (s.display, s.relative))
    found.ignored.sort(key=lambda i: i.path)
    return found


def _unusable(given: Path) -> str | None:
    """Why a path named on the command line cannot be converted (``None``: it can)."""
    try:
        mode = given.stat().st_mode
    except FileNotFoundError:
        return "no such file or folder" if not os.path.lexists(given) else "broken link"
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return None
    return f"not a regular file ({_kind(mode)}); it was not opened"


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"


def _walk(root: Path, extensions: set[str], exclude: set[Path],
          is_output: Callable[[Path], bool], follow_links: bool,
          sources: dict[Path, Source], found: Discovery) -> None:
    root_real = os.path.realpath(root)
    visited = {root_real}
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            found.warnings.append(f"{folder}: folder skipped: {exc.strerror or exc}")
            continue
        subfolders = []
        for entry in entries:
            path = Path(entry.path)
            reason = _classify(entry, path, root_real, extensions, exclude, is_output,
                               follow_links, found)
            if reason == "folder":
                real = os.path.realpath(path)
                if real not in visited:
                    visited.add(real)
                    subfolders.append(path)
            elif reason == "input":
                sources.setdefault(absolute(path), Source(path, path.relative_to(root).as_posix()))
            elif reason is not None:
                found.ignored.append(Ignored(str(path), cast(IgnoreReason, reason)))
        stack.extend(reversed(subfolders))


def _classify(entry: os.DirEntry[str], path: Path, root_real: str, extensions: set[str],
              exclude: set[Path], is_output: Callable[[Path], bool], follow_links: bool,
              found: Discovery) -> IgnoreReason | str | None:
    """``folder``, ``input``, an ignore reason, or ``None`` (left out without a record)."""
    if absolute(path) in exclude:
        return None
    if entry.name.startswith("."):
        return "hidden"
    link = entry.is_symlink()
    if link and not follow_links:
        target = os.path.realpath(path)
        if not _inside(target, root_real):
            found.warnings.append(f"{path}: skipped: a link to {target}, outside the input "
                                  "folder (--follow-links takes it)")
            return "link out of the input folder"
        if entry.is_dir():
            return "link to a folder"
    try:
        is_dir = entry.is_dir()
    except OSError:
        is_dir = False
    if is_output(path):
        return "converter output"
    if is_dir:
        return "folder"
    if is_sidecar(path):
        return "sidecar"
    if path.suffix.lower() not in extensions:
        return "unsupported"
    try:
        regular = entry.is_file()
    except OSError:
        regular = False
    if not regular:
        return "not a regular file"
    return "input"


def _inside(real: str, root_real: str) -> bool:
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)
