"""An OCFL storage root (section 4): created with its declaration and layout when missing,
opened when present, and the per-object lock writers take.

A new root holds (4.1, 4.2, 4.4)::

    ROOT/
      0=ocfl_1.1                        "ocfl_1.1\\n", written last
      ocfl_layout.json                  {"extension": "0003-hash-and-id-n-tuple-...", ...}
      extensions/0003-hash-and-id-n-tuple-storage-layout/config.json
      2b7/a9c/0f1/urn%3auuid%3a5d1e.../  one object per article (layout.py)

A folder that exists must be empty or already a root: anything else is refused, so the writer
never adds to a folder it does not own. Creating the files is serialized by a lock on the root
folder; the declaration is written last, so a root with one is complete.

Objects are locked one at a time: the lock is the folder holding the object root (the last
n-tuple folder), taken with ``flock`` (two processes, or two threads of one, exclude each
other; the lock dies with its process). A writer that removes that folder (a first version that
failed leaves no empty folders, E073) does so while holding it; a writer that was waiting then
finds its lock on a folder no longer there and takes the lock again.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

from ...errors import PackageError
from ...fsutil import atomic_write_bytes
from .layout import DESCRIPTIONS, Layout, read_layout
from .spec import EXTENSIONS, LAYOUT_FILE, ROOT_DVALUE, SPEC_VERSION

DECLARATION = f"0={ROOT_DVALUE}{SPEC_VERSION}"
#: how often a writer tries to lock a folder that other writers keep removing
_ATTEMPTS = 100


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[int]:
    """Hold an exclusive ``flock`` on ``folder`` (which must exist); yields the descriptor."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


class StorageRoot:
    """An opened storage root: where it is and how ids map to paths."""

    def __init__(self, path: Path, layout: Layout) -> None:
        self.path = path
        self.layout = layout

    @classmethod
    def open(cls, path: str | os.PathLike[str], layout: Layout | None = None) -> StorageRoot:
        """Open the root at ``path``, creating it (with ``layout``, default 0003) when the folder
        is missing or empty."""
        root = Path(path).absolute()
        if not (root / DECLARATION).is_file():
            try:
                root.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError) as exc:
                raise PackageError("the OCFL storage root is not a folder", file=str(root)) \
                    from exc
            with folder_lock(root):
                cls._initialize(root, layout or Layout())
        found = read_layout(root)
        if found is None:
            raise PackageError("the OCFL storage root names no storage layout (ocfl_layout.json)"
                               ", so the converter cannot tell where an object goes",
                               file=str(root))
        return cls(root, found)

    @staticmethod
    def _initialize(root: Path, layout: Layout) -> None:
        """Write the layout files, then the declaration (the caller holds the root's lock)."""
        names = set(os.listdir(root))
        if DECLARATION in names:
            return  # another writer made it while this one waited for the lock
        declared = [n for n in names if n.startswith("0=")]
        if declared:
            raise PackageError(f"the storage root declares {declared[0]}; the converter writes "
                               f"OCFL {SPEC_VERSION} roots only", file=str(root))
        # a root an interrupted writer began has only these; anything else is someone's folder
        if names - {LAYOUT_FILE, EXTENSIONS} or (
                EXTENSIONS in names and set(os.listdir(root / EXTENSIONS)) - {layout.name}):
            raise PackageError("the folder is neither empty nor an OCFL storage root; give an "
                               "empty or a new folder as the OCFL root", file=str(root))
        config = layout.config()
        if config:
            atomic_write_bytes(root / EXTENSIONS / layout.name / "config.json", _json(config))
        atomic_write_bytes(root / LAYOUT_FILE, _json(
            {"extension": layout.name, "description": DESCRIPTIONS[layout.name]}))
        atomic_write_bytes(root / DECLARATION, f"{DECLARATION[2:]}\n".encode())

    def object_path(self, object_id: str) -> Path:
        """The folder of the object with this id (it may not exist yet)."""
        if not object_id:
            raise PackageError("an OCFL object needs an id")
        return self.path.joinpath(*self.layout.path_for(object_id).split("/"))

    @contextlib.contextmanager
    def locked(self, object_id: str) -> Iterator[Path]:
        """Hold the object's lock; yields the object's path. See the module docstring."""
        target = self.object_path(object_id)
        parent = target.parent
        with contextlib.ExitStack() as stack:
            for _ in range(_ATTEMPTS):
                try:
                    parent.mkdir(parents=True, exist_ok=True)
                    fd = stack.enter_context(folder_lock(parent))
                    if os.path.samestat(os.fstat(fd), os.stat(parent)):
                        break
                except FileNotFoundError:
                    pass  # a writer of a neighbouring object removed an empty folder just now
                stack.close()  # the folder was removed while this writer waited: lock anew
            else:
                raise PackageError("cannot lock the object's folder: it keeps disappearing",
                                   file=str(parent))
            try:
                yield target
            finally:
                self.prune(parent)

    def prune(self, folder: Path) -> None:
        """Remove empty folders from ``folder`` up to the root: a storage root has none (E073)."""
        while folder != self.path and self.path in folder.parents:
            try:
                folder.rmdir()
            except OSError:  # not empty, or gone: either way done
                return
            folder = folder.parent


def _json(data: object) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")
