"""Checking an OCFL object on disk: its root (3.1), declaration (3.2), version directories and
their content (3.3, 3.3.1), digests (3.4, 3.5.2, 3.5.4), inventory sidecars (3.6), version
inventories and how they agree with the root inventory (3.7, 3.7.1), logs (3.8) and
extensions (3.9). Each inventory's own JSON is checked by
:mod:`converter.packaging.ocfl.inventory_check`.

Links are never followed: a symbolic link anywhere in the object is an error (4.6, E090).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .inventory_check import Inventory, InventoryCheck
from .spec import (
    EXTENSIONS,
    HASHERS,
    INVENTORY,
    LOGS,
    OBJECT_DVALUE,
    REGISTERED_EXTENSIONS,
    SPEC_VERSIONS,
    FileDigests,
    OcflReport,
    parse_version,
    sidecar_digest,
)


def read_file(path: Path) -> bytes:
    """A file's bytes, never through a link."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def inventory_digest(raw: bytes, algorithm: str) -> str:
    hasher = HASHERS[algorithm]()
    hasher.update(raw)
    return hasher.hexdigest()


@dataclass
class VersionDir:
    """What one version directory holds."""

    name: str
    inventory: Inventory | None = None
    #: content path -> file
    files: dict[str, Path] = field(default_factory=dict)


class ObjectCheck:
    """One object's checks; findings go into ``report``, located under ``prefix``."""

    def __init__(self, root: Path, report: OcflReport, prefix: str = "") -> None:
        self.root = root
        self.report = report
        self.prefix = prefix
        self.spec: str | None = None
        self.inventory: Inventory | None = None
        self.versions: dict[str, VersionDir] = {}
        self.digests: dict[str, FileDigests] = {}

    def note(self, code: str, message: str, where: str = "") -> None:
        self.report.add(code, message, self.prefix + where if where else self.prefix.rstrip("/"))

    def run(self) -> Inventory | None:
        """Check the object; returns its root inventory when that could be read."""
        if not self.root.is_dir() or self.root.is_symlink():
            self.note("E003", "not an OCFL object: no such folder")
            return None
        entries = {e.name: e for e in os.scandir(self.root)}
        self.declaration(entries)
        if self.spec is not None and self.report.spec_version is None:
            self.report.spec_version = self.spec
        inventory_entry = entries.get(INVENTORY)
        if inventory_entry is None or not inventory_entry.is_file(follow_symlinks=False):
            self.note("E063", "the object root has no inventory.json")
        else:
            raw = read_file(self.root / INVENTORY)
            self.inventory = InventoryCheck(self.report, self.prefix + INVENTORY, self.spec,
                                            root=True).run(raw)
            self.sidecar(self.root, "", raw, self.inventory, entries)
        self.root_entries(entries)
        inventory = self.inventory
        if inventory is None:
            return None
        for name in inventory.versions:
            self.version_dir(name, entries.get(name), inventory)
        self.version_inventories(inventory)
        self.content(inventory)
        return inventory

    # ------------------------------------------------------------------ the object root

    def declaration(self, entries: dict[str, os.DirEntry[str]]) -> None:
        """3.2: exactly one ``0=ocfl_object_<version>`` holding ``ocfl_object_<version>\\n``."""
        names = sorted(n for n in entries if n.startswith("0="))
        if not names:
            self.note("E003", "no declaration file (0=ocfl_object_1.1)")
            return
        if len(names) > 1:
            self.note("E003", "more than one declaration file: " + ", ".join(names))
        name = names[0]
        dvalue = name[2:]
        version = dvalue[len(OBJECT_DVALUE):] if dvalue.startswith(OBJECT_DVALUE) else None
        if version not in SPEC_VERSIONS:
            self.note("E006", f"{name} is not 0=ocfl_object_ and a known OCFL version")
            return
        self.spec = version
        try:
            text = read_file(self.root / name)
        except OSError as exc:
            self.note("E007", f"cannot read: {exc.strerror or exc}", name)
            return
        if text != f"{dvalue}\n".encode():
            self.note("E007", f"must hold exactly '{dvalue}' and a newline", name)

    def root_entries(self, entries: dict[str, os.DirEntry[str]]) -> None:
        """3.1: nothing but the declaration, the inventory and its sidecar, the versions,
        ``logs`` and ``extensions`` (E001); a version directory the inventory does not know
        (E046)."""
        inventory = self.inventory
        known = set(inventory.versions) if inventory else set()
        sidecar = f"{INVENTORY}.{inventory.algorithm}" if inventory and inventory.algorithm \
            else None
        for name, entry in sorted(entries.items()):
            if entry.is_symlink():
                self.note("E090", "a symbolic link; links must not be used", name)
                continue
            is_dir = entry.is_dir(follow_symlinks=False)
            if name.startswith("0=") or name == INVENTORY:
                continue
            if name.startswith(INVENTORY + ".") and not is_dir and (
                    sidecar is None or name == sidecar):
                continue
            if is_dir and (name in known or name == LOGS):
                continue
            if is_dir and name == EXTENSIONS:
                self.extensions(self.root / name, EXTENSIONS + "/")
            elif is_dir and parse_version(name) and inventory is not None:
                self.note("E046", f"the version directory {name} is not in the inventory "
                           f"(head {inventory.head})", name)
            else:
                self.note("E001", f"an unexpected {'folder' if is_dir else 'file'} in the "
                           "object root", name)

    def extensions(self, folder: Path, where: str) -> None:
        """3.9: only extension folders (E067), with registered names (W013)."""
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if not entry.is_dir(follow_symlinks=False):
                self.note("E067", "the extensions folder may hold only extension folders",
                           where + entry.name)
            elif entry.name not in REGISTERED_EXTENSIONS:
                self.note("W013", "not a registered extension name", where + entry.name)

    def sidecar(self, folder: Path, where: str, raw: bytes, inventory: Inventory | None,
                entries: dict[str, os.DirEntry[str]]) -> None:
        """3.6: ``inventory.json.<algorithm>`` holds ``<digest> inventory.json`` (E058, E060,
        E061)."""
        algorithm = inventory.algorithm if inventory else None
        if algorithm is None:  # the inventory does not say which: check what is there
            found = sorted(n[len(INVENTORY) + 1:] for n in entries
                           if n.startswith(INVENTORY + "."))
            algorithm = next((a for a in found if a in HASHERS), None)
            if algorithm is None:
                if not found:
                    self.note("E058", "no inventory sidecar", where + INVENTORY)
                return
        name = f"{INVENTORY}.{algorithm}"
        if name not in entries or not entries[name].is_file(follow_symlinks=False):
            self.note("E058", f"no sidecar {name}", where + INVENTORY)
            return
        try:
            text = read_file(folder / name).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        stated = sidecar_digest(text)
        if stated is None:
            self.note("E061", "must hold one line: the digest, a space, 'inventory.json'",
                       where + name)
        elif stated.lower() != inventory_digest(raw, algorithm):
            self.note("E060", f"states a {algorithm} digest the inventory does not have",
                       where + name)

    # ------------------------------------------------------------------ version directories

    def version_dir(self, name: str, entry: os.DirEntry[str] | None,
                    inventory: Inventory) -> None:
        """3.3: the directory exists (E009, E010); it holds its inventory, its sidecar and the
        content directory only (E015, W002); content: no empty folders (E024, W003)."""
        if entry is None or not entry.is_dir(follow_symlinks=False):
            first = name == inventory.versions[0]
            self.note("E009" if first else "E010", f"version {name} has no directory: the "
                       "version directories are not a continuous sequence", name)
            return
        folder = self.root / name
        found = VersionDir(name)
        self.versions[name] = found
        entries = {e.name: e for e in os.scandir(folder)}
        content = inventory.content_directory
        for child, item in sorted(entries.items()):
            where = f"{name}/{child}"
            if item.is_symlink():
                self.note("E090", "a symbolic link; links must not be used", where)
            elif item.is_dir(follow_symlinks=False):
                if child == content:
                    self.content_files(folder / child, f"{name}/{child}", found)
                else:
                    self.note("W002", "a version directory should hold no folder but "
                               f"'{content}'", where)
            elif child != INVENTORY and not child.startswith(INVENTORY + "."):
                self.note("E015", "a version directory may hold only its inventory, its "
                           "sidecar and the content directory", where)
        if INVENTORY in entries and entries[INVENTORY].is_file(follow_symlinks=False):
            raw = read_file(folder / INVENTORY)
            found.inventory = InventoryCheck(self.report, f"{self.prefix}{name}/{INVENTORY}",
                                             self.spec, root=False).run(raw)
            self.sidecar(folder, f"{name}/", raw, found.inventory, entries)
        else:
            self.note("W010", "every version directory should hold an inventory.json", name)

    def content_files(self, folder: Path, where: str, found: VersionDir) -> None:
        """Every file under a content directory, by content path; empty folders are errors."""
        empty = True
        for dirpath, dirnames, filenames in os.walk(folder):
            rel = os.path.relpath(dirpath, folder)
            base = where if rel == "." else f"{where}/{Path(rel).as_posix()}"
            if not dirnames and not filenames and rel != ".":
                self.note("E024", "an empty folder in a content directory", base)
            for name in list(dirnames):
                if os.path.islink(os.path.join(dirpath, name)):
                    self.note("E090", "a symbolic link; links must not be used",
                               f"{base}/{name}")
                    dirnames.remove(name)
            for name in filenames:
                path = os.path.join(dirpath, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    self.note("E090", "a link or a special file; only regular files may be "
                               "content", f"{base}/{name}")
                    continue
                found.files[f"{base}/{name}"] = Path(path)
                empty = False
        with os.scandir(folder) as entries:
            if empty and not any(entries):
                self.note("W003", "an empty content directory should not exist", where)

    # ------------------------------------------------------------------ version inventories

    def version_inventories(self, inventory: Inventory) -> None:
        """3.7: the head's inventory is the root's (E064); every other one says the same about
        its versions (E066, W011), names its own version as head (E040), keeps the id (E037)
        and the content directory (E019, E020); 3.7.1: no older specification after a newer
        one (E103)."""
        previous_spec: tuple[str, str] | None = None
        for index, name in enumerate(inventory.versions):
            found = self.versions.get(name)
            other = found.inventory if found else None
            where = f"{name}/{INVENTORY}"
            spec = other.spec if other else (inventory.spec if name == inventory.head else None)
            if spec is not None:
                if previous_spec is not None and spec < previous_spec[1]:
                    self.note("E103", f"conforms to OCFL {spec}, earlier than {previous_spec[0]} "
                               f"(OCFL {previous_spec[1]})", where)
                previous_spec = (name, spec)
            if other is None:
                continue
            if name == inventory.head and other.raw != inventory.raw:
                self.note("E064", "the head version's inventory differs from the root "
                           "inventory", where)
            if other.head is not None and other.head != name:
                self.note("E040", f"head is {other.head!r} in the inventory of version {name}",
                           where)
            if other.id is not None and inventory.id is not None and other.id != inventory.id:
                self.note("E037", f"id {other.id!r} differs from the root inventory's "
                           f"{inventory.id!r}", where)
            if other.content_directory != inventory.content_directory:
                self.note("E019" if index == 0 else "E020", f"contentDirectory "
                           f"{other.content_directory!r} differs from "
                           f"{inventory.content_directory!r} in the root inventory", where)
            if name != inventory.head or other.raw != inventory.raw:
                self.same_versions(other, inventory, where)

    def same_versions(self, other: Inventory, inventory: Inventory, where: str) -> None:
        """E066: each version block of an older inventory has the logical state of the same
        version in the root inventory (compared by content path when the algorithms differ);
        W011: and the same created, message and user."""
        wanted = inventory.versions[:len(other.versions)]
        if other.versions != wanted:
            self.note("E066", f"holds versions {', '.join(other.versions) or 'none'}, not "
                       f"{', '.join(wanted)} as the root inventory says", where)
        for name in other.versions:
            if name not in inventory.states or name not in other.states:
                continue
            mine, theirs = other.states[name], inventory.states[name]
            if set(mine) != set(theirs):
                self.note("E066", f"version {name}: the logical paths differ from the root "
                           "inventory's", where)
                continue
            if other.algorithm == inventory.algorithm:
                changed = [p for p in mine if mine[p].lower() != theirs[p].lower()]
            else:
                old = {d.lower(): set(paths) for d, paths in other.manifest.items()}
                new = {d.lower(): set(paths) for d, paths in inventory.manifest.items()}
                changed = [p for p in mine if not old.get(mine[p].lower(), set())
                           & new.get(theirs[p].lower(), set())]
            if changed:
                self.note("E066", f"version {name}: {changed[0]} has other content than in "
                           "the root inventory", where)
            for key in ("created", "message", "user"):
                if other.blocks[name].get(key) != inventory.blocks[name].get(key):
                    self.note("W011", f"version {name}: {key!r} differs from the root "
                               "inventory's", where)

    # ------------------------------------------------------------------ content and digests

    def content(self, inventory: Inventory) -> None:
        """3.3.1 and 3.5.2: every content file is in the manifest (E023), every manifest path
        exists and has its digest (E092); 3.5.4: fixity digests match (E093). The same for each
        version inventory over the versions it covers."""
        files: dict[str, Path] = {}
        for found in self.versions.values():
            files.update(found.files)
        checks = [(inventory, inventory.versions)]
        for found in self.versions.values():
            if found.inventory is not None and found.inventory.raw != inventory.raw:
                upto = inventory.versions[:inventory.versions.index(found.name) + 1]
                checks.append((found.inventory, upto))
        for checked, covered in checks:
            where = checked.where[len(self.prefix):]
            scope = {p: f for p, f in files.items() if p.split("/", 1)[0] in covered}
            listed = checked.content_paths()
            for path in sorted(set(scope) - set(listed)):
                self.note("E023", f"the content file {path} is not in the manifest", where)
            for path, digest in sorted(listed.items()):
                if path.split("/", 1)[0] not in covered:
                    continue
                if path not in files:
                    self.note("E092", f"the manifest lists {path}, which does not exist", where)
                elif checked.algorithm and self.digest(path, files[path], checked.algorithm) \
                        != digest.lower():
                    self.note("E092", f"{path} does not have the {checked.algorithm} digest "
                               "the manifest gives", where)
            for algorithm, block in sorted(checked.fixity.items()):
                for digest, paths in block.items():
                    for path in paths:
                        if path not in files:
                            self.note("E093", f"fixity: {path} does not exist", where)
                            continue
                        actual = self.digest(path, files[path], algorithm)
                        if actual is not None and actual != digest.lower():
                            self.note("E093", f"fixity: {path} does not have the {algorithm} "
                                       f"digest {digest}", where)

    def digest(self, path: str, file: Path, algorithm: str) -> str | None:
        if path not in self.digests:
            self.digests[path] = FileDigests(file)
        return self.digests[path].get(algorithm)


def verify_object(path: str | os.PathLike[str]) -> OcflReport:
    """Verify one OCFL object (1.1 or 1.0); never raises for a bad object."""
    report = OcflReport(Path(path), "object")
    try:
        ObjectCheck(Path(path), report).run()
    except OSError as exc:
        report.add("unreadable", f"cannot read {exc.filename or path}: {exc.strerror or exc}")
    return report
