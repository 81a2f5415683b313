"""Verify OCFL storage roots and objects (OCFL 1.1, and 1.0), reporting the specification's
error and warning codes.

:func:`verify_ocfl` takes either: a storage root (a folder with ``0=ocfl_1.1``) is checked as
section 4 asks and every object in it as section 3 asks; an object (``0=ocfl_object_1.1``, or
an ``inventory.json``) on its own. The object checks are in
:mod:`converter.packaging.ocfl.object_check` and :mod:`converter.packaging.ocfl.inventory_check`.

Storage root checks (4.1-4.4): exactly one declaration ``0=ocfl_<version>`` holding
``ocfl_<version>\\n`` (E069, E076-E080); ``ocfl_layout.json``, if present, a JSON object with
``extension`` and ``description`` (E070) naming a registered extension (E071); the
``extensions`` folder holds only folders (E112) with registered names (W016); below the root
only storage hierarchies ending in object roots: no file outside an object (E072, E084), no
empty folder (E073), no link (E090); objects declare the root's version or an earlier one
(E081); ids are unique (E037); when the root names a layout this package can follow (0002,
0003, 0004), every object is where the layout puts its id (E083). Other files directly in the
root are ignored, as E087 asks.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ...errors import PackageError
from .layout import Layout, read_layout
from .object_check import ObjectCheck, read_file
from .spec import (
    EXTENSIONS,
    INVENTORY,
    LAYOUT_FILE,
    OBJECT_DVALUE,
    REGISTERED_EXTENSIONS,
    ROOT_DVALUE,
    SPEC_VERSIONS,
    OcflReport,
)


def ocfl_kind(path: str | os.PathLike[str]) -> str | None:
    """``root``, ``object`` or None: what an OCFL verifier should take ``path`` for."""
    folder = Path(path)
    if not folder.is_dir():
        return None
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    if any(n.startswith("0=" + OBJECT_DVALUE) for n in names):
        return "object"
    if any(n.startswith("0=" + ROOT_DVALUE) for n in names):
        return "root"
    if INVENTORY in names and "bagit.txt" not in names:
        return "object"
    return None


def verify_ocfl(path: str | os.PathLike[str]) -> OcflReport:
    """Verify a storage root or an object (see :func:`ocfl_kind`); never raises for a bad one."""
    folder = Path(path)
    if ocfl_kind(folder) == "root":
        report = OcflReport(folder, "root")
        try:
            _RootCheck(folder, report).run()
        except OSError as exc:
            report.add("unreadable", f"cannot read {exc.filename or folder}: "
                       f"{exc.strerror or exc}")
        return report
    from .object_check import verify_object

    return verify_object(folder)


class _RootCheck:
    def __init__(self, root: Path, report: OcflReport) -> None:
        self.root = root
        self.report = report
        self.spec: str | None = None
        self.layout: Layout | None = None
        self.ids: dict[str, str] = {}

    def note(self, code: str, message: str, where: str = "") -> None:
        self.report.add(code, message, where)

    def run(self) -> None:
        entries = {e.name: e for e in os.scandir(self.root)}
        self.declaration(entries)
        self.layout_file(entries)
        for name, entry in sorted(entries.items()):
            if entry.is_symlink():
                self.note("E090", "a symbolic link; links must not be used", name)
            elif not entry.is_dir(follow_symlinks=False):
                continue  # files in the root are allowed, and ignored (E087)
            elif name == EXTENSIONS:
                self.extensions(self.root / name)
            else:
                self.hierarchy(self.root / name, name)

    def declaration(self, entries: dict[str, os.DirEntry[str]]) -> None:
        """4.2: one ``0=ocfl_<version>`` file holding ``ocfl_<version>`` and a newline."""
        names = sorted(n for n in entries if n.startswith("0="))
        if not names:
            self.note("E069", "no storage root declaration (0=ocfl_1.1)")
            return
        if len(names) > 1:
            self.note("E076", "more than one declaration: " + ", ".join(names))
        dvalue = names[0][2:]
        version = dvalue[len(ROOT_DVALUE):]
        if not dvalue.startswith(ROOT_DVALUE) or version not in SPEC_VERSIONS:
            self.note("E079", f"{names[0]} is not 0=ocfl_ and a known OCFL version")
            return
        self.spec = self.report.spec_version = version
        if read_file(self.root / names[0]) != f"{dvalue}\n".encode():
            self.note("E080", f"must hold exactly '{dvalue}' and a newline", names[0])

    def layout_file(self, entries: dict[str, os.DirEntry[str]]) -> None:
        """4.1: ``ocfl_layout.json`` (E070, E071), then the layout's own settings."""
        if LAYOUT_FILE not in entries:
            return
        try:
            data = json.loads(read_file(self.root / LAYOUT_FILE).decode("utf-8"))
        except (OSError, ValueError) as exc:
            self.note("E070", f"not readable JSON: {exc}", LAYOUT_FILE)
            return
        if not isinstance(data, dict) or not isinstance(data.get("extension"), str) \
                or not isinstance(data.get("description"), str):
            self.note("E070", "must be a JSON object with 'extension' and 'description' "
                      "strings", LAYOUT_FILE)
            return
        if data["extension"] not in REGISTERED_EXTENSIONS:
            self.note("E071", f"{data['extension']!r} is not a registered extension name",
                      LAYOUT_FILE)
            return
        try:
            self.layout = read_layout(self.root)
        except PackageError:
            self.layout = None  # a registered layout we do not follow: nothing to compare

    def extensions(self, folder: Path) -> None:
        """4.4: only extension folders (E112), registered names (W016)."""
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            where = f"{EXTENSIONS}/{entry.name}"
            if not entry.is_dir(follow_symlinks=False):
                self.note("E112", "the extensions folder may hold only extension folders",
                          where)
            elif entry.name not in REGISTERED_EXTENSIONS:
                self.note("W016", "not a registered extension name", where)

    def hierarchy(self, folder: Path, where: str) -> None:
        """4.3: walk a storage hierarchy down to its object roots."""
        entries = {e.name: e for e in os.scandir(folder)}
        if not entries:
            self.note("E073", "an empty folder in the storage root", where)
            return
        if any(n.startswith("0=" + OBJECT_DVALUE) for n in entries):
            self.object(folder, where)
            return
        files = sorted(n for n, e in entries.items() if not e.is_dir(follow_symlinks=False))
        if files:
            has_dirs = len(files) < len(entries)
            self.note("E084" if has_dirs else "E072", f"files outside any OCFL object "
                      f"({', '.join(files[:3])}{', ...' if len(files) > 3 else ''})", where)
        for name, entry in sorted(entries.items()):
            if entry.is_symlink():
                self.note("E090", "a symbolic link; links must not be used", f"{where}/{name}")
            elif entry.is_dir(follow_symlinks=False):
                self.hierarchy(folder / name, f"{where}/{name}")

    def object(self, folder: Path, where: str) -> None:
        before = len(self.report.errors)
        check = ObjectCheck(folder, self.report, where + "/")
        inventory = check.run()
        self.report.objects += 1
        if check.spec and self.spec and check.spec > self.spec:
            self.note("E081", f"the object declares OCFL {check.spec}, newer than the root's "
                      f"{self.spec}", where)
        ident = inventory.id if inventory else None
        if ident is not None:
            if ident in self.ids:
                self.note("E037", f"the id {ident!r} is also the id of {self.ids[ident]}", where)
            else:
                self.ids[ident] = where
            if self.layout is not None:
                try:
                    expected = self.layout.path_for(ident)
                except PackageError as exc:
                    expected = f"no folder ({exc})"
                if expected != where:
                    self.note("E083", f"the layout {self.layout.name} puts {ident!r} at "
                              f"{expected}", where)
        if len(self.report.errors) == before:
            self.report.valid_objects += 1
