"""Adding a version to an OCFL object (sections 3.1-3.7), atomically; the first version creates
the object.

The caller holds the object's lock (:meth:`StorageRoot.locked`) and hands over the new logical
state (logical path -> digest) with the files in a staging folder. Then:

1. an interrupted earlier commit is finished first (:meth:`ObjectWriter.recover`);
2. a state equal to the head's adds nothing;
3. the new version folder (its content: only files whose digest is new, 3.4), its inventory
   and sidecar (3.7, 3.6) are built in a temporary folder beside the object, fsynced, and
   renamed into place whole; the root inventory is replaced next and its sidecar last (3.6:
   the sidecar is the last step). A first version builds the whole object and renames it.

A commit cut short leaves the new version folder complete but the root inventory older: the
next writer (step 1) copies that version's inventory and sidecar to the root, so nothing
written is lost and no version is written twice.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import PackageError
from ...fsutil import PART_SUFFIX, remove_path, temp_dir_beside
from .inventory import (
    VersionInfo,
    add_version,
    head_state,
    inventory_bytes,
    load_inventory,
    new_inventory,
    next_version,
    sidecar_bytes,
)
from .inventory_check import InventoryCheck
from .object_check import inventory_digest, read_file
from .spec import INVENTORY, OBJECT_DVALUE, SPEC_VERSION, OcflReport, parse_version, sidecar_digest

DECLARATION = f"0={OBJECT_DVALUE}{SPEC_VERSION}"


@dataclass(frozen=True)
class Committed:
    """What a write did: the object's head afterwards and whether this write added it."""

    head: str
    added: bool
    #: sha512 of the root inventory afterwards
    inventory_sha512: str
    #: content paths stored by this version (empty when nothing was added)
    stored: tuple[str, ...] = ()


class ObjectWriter:
    """One object at ``path`` with id ``object_id``; the caller holds its lock."""

    def __init__(self, path: Path, object_id: str) -> None:
        self.path = path
        self.object_id = object_id
        self.inventory: dict[str, Any] | None = None

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def load(self) -> None:
        """Read the object's root inventory (after finishing an interrupted commit)."""
        if not self.exists:
            return
        if not (self.path / DECLARATION).is_file():
            raise PackageError("the folder where the object goes is not an OCFL 1.1 object",
                               file=str(self.path))
        self.recover()
        raw = read_file(self.path / INVENTORY)
        self.inventory = load_inventory(raw, self.object_id)
        self.check_sidecar(self.path, raw)

    @property
    def algorithm(self) -> str:
        return str((self.inventory or new_inventory(self.object_id))["digestAlgorithm"])

    def head(self) -> str | None:
        return str(self.inventory["head"]) if self.inventory else None

    def state(self) -> dict[str, str]:
        """The head's logical state, logical path -> digest (lowercase)."""
        if self.inventory is None:
            return {}
        return {path: digest.lower() for path, digest in head_state(self.inventory).items()}

    def next_version(self) -> str:
        return next_version(self.inventory or new_inventory(self.object_id))

    def unchanged(self) -> Committed:
        """The result of a write that added nothing."""
        assert self.inventory is not None
        raw = read_file(self.path / INVENTORY)
        return Committed(str(self.inventory["head"]), False, inventory_digest(raw, "sha512"))

    # ------------------------------------------------------------------ recovery

    def check_sidecar(self, folder: Path, raw: bytes, algorithm: str | None = None) -> bool:
        """Does ``folder``'s sidecar state the digest of ``raw``?"""
        algorithm = algorithm or self.algorithm
        try:
            text = read_file(folder / f"{INVENTORY}.{algorithm}").decode("ascii")
        except (OSError, UnicodeDecodeError):
            return False
        stated = sidecar_digest(text)
        return stated is not None and stated.lower() == inventory_digest(raw, algorithm)

    def recover(self) -> None:
        """Finish a commit that stopped after its version folder was renamed into place: the
        root inventory is the previous version's (copy the new one and its sidecar), or it is
        the new one and only the sidecar is missing (copy the sidecar). Anything else that does
        not add up is damage, for a person to look at."""
        numbered = sorted((parsed[0], name) for name in os.listdir(self.path)
                          if (parsed := parse_version(name)) and (self.path / name).is_dir())
        if not numbered:
            return
        top_number, top_name = numbered[-1]
        top = self.path / top_name
        try:
            root_raw = read_file(self.path / INVENTORY)
            root = load_inventory(root_raw, None)
        except (OSError, PackageError) as exc:
            raise PackageError(f"the object is damaged: {exc}; check it with converter verify",
                               file=str(self.path)) from exc
        root_number = (parse_version(str(root["head"])) or (0, 0))[0]
        if root_number == top_number and self.check_sidecar(
                self.path, root_raw, str(root["digestAlgorithm"])):
            return  # nothing to finish
        try:
            raw = read_file(top / INVENTORY)
            found = load_inventory(raw, None)
        except (OSError, PackageError):
            found = None
        algorithm = str(found["digestAlgorithm"]) if found else ""
        unfinished = found is not None and found["head"] == top_name and self.check_sidecar(
            top, raw, algorithm) and (root_number == top_number - 1 or root_raw == raw)
        if not unfinished:
            raise PackageError(f"the object is damaged: its inventory (head {root['head']}) "
                               f"does not match its sidecar or its newest version {top_name}; "
                               "check it with converter verify", file=str(self.path))
        work = temp_dir_beside(self.path)
        try:
            for name in (INVENTORY, f"{INVENTORY}.{algorithm}"):  # the sidecar last
                shutil.copyfile(top / name, work / name)
                os.chmod(work / name, 0o644)
                _fsync(work / name)
                os.replace(work / name, self.path / name)
            _fsync_dir(self.path)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    # ------------------------------------------------------------------ commit

    def commit(self, state: Mapping[str, str], staged: Path, info: VersionInfo) -> Committed:
        """Add ``state`` (logical path -> digest in :attr:`algorithm`), whose files are at
        ``staged/<logical path>``, as the next version."""
        version = self.next_version()
        inventory, stored = add_version(self.inventory or new_inventory(self.object_id),
                                        version, state, info)
        raw = inventory_bytes(inventory)
        self.require_valid(raw)
        sidecar = sidecar_bytes(raw, str(inventory["digestAlgorithm"]))
        sidecar_name = f"{INVENTORY}.{inventory['digestAlgorithm']}"
        work = temp_dir_beside(self.path)
        try:
            base = work / "object" if self.inventory is None else work
            version_dir = base / version
            version_dir.mkdir(parents=True)
            for content_path, logical in sorted(stored.items()):
                target = base.joinpath(*content_path.split("/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged.joinpath(*logical.split("/")), target)
                _fsync(target)
            for folder in (version_dir, base):
                for name, data in ((INVENTORY, raw), (sidecar_name, sidecar)):
                    (folder / name).write_bytes(data)
                    os.chmod(folder / name, 0o644)
                    _fsync(folder / name)
            if self.inventory is None:
                (base / DECLARATION).write_bytes(f"{DECLARATION[2:]}\n".encode())
                _fsync(base / DECLARATION)
                _fix_modes(base)
                os.rename(base, self.path)  # fails if something is there: never replaced
            else:
                _fix_modes(version_dir)
                os.rename(version_dir, self.path / version)
                _fsync_dir(self.path)
                os.replace(base / INVENTORY, self.path / INVENTORY)
                os.replace(base / sidecar_name, self.path / sidecar_name)
            _fsync_dir(self.path)
            _fsync_dir(self.path.parent)
        except OSError as exc:
            raise PackageError(f"cannot write version {version}: {exc.strerror or exc}",
                               file=str(self.path)) from exc
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self.inventory = inventory
        return Committed(version, True, inventory_digest(raw, "sha512"), tuple(sorted(stored)))

    def require_valid(self, raw: bytes) -> None:
        """The new inventory passes the inventory checks before anything is renamed."""
        report = OcflReport(self.path)
        InventoryCheck(report, INVENTORY, SPEC_VERSION, root=True).run(raw)
        if report.errors:
            raise PackageError(f"the new inventory failed verification: {report.errors[0]}",
                               file=str(self.path))


def remove_stale_work(folder: Path) -> None:
    """Remove what killed writers left beside objects in ``folder`` (the caller holds the lock,
    so no living writer has a temporary folder there)."""
    if not folder.is_dir():
        return
    for entry in os.scandir(folder):
        if entry.name.startswith(".") and entry.name.endswith(PART_SUFFIX):
            remove_path(Path(entry.path))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # some file systems cannot sync a folder
        _fsync(path)


def _fix_modes(folder: Path) -> None:
    """Files 0644, folders 0755, whatever the umask."""
    os.chmod(folder, 0o755)
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames:
            os.chmod(os.path.join(dirpath, name), 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
