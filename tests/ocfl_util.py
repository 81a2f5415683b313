"""ocfl-py (2.1), the OCFL validator of record in the tests, and small helpers to read what the
ocfl writer made.

ocfl-py imports ``pairtree``, which calls ``logging.basicConfig(level=INFO)`` when the root logger
has no handler, and logs through ``logging.info()``, which does the same: every call goes through
:func:`_quiet`, which puts the root logger back as it was.
``StorageRoot.validate()`` returns True even when objects inside are invalid, so
:func:`ocfl_py_root` compares ``good_objects`` with ``num_objects`` (research FINDINGS.md, 3).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def _quiet() -> Iterator[Any]:
    """ocfl-py, with the root logger as it was before and after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    root.addHandler(logging.NullHandler())  # so that basicConfig() does nothing
    root.setLevel(logging.WARNING)
    try:
        import ocfl
        import ocfl.validator

        yield ocfl
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)


def ocfl_py_object(path: Path) -> tuple[bool, set[str]]:
    """ocfl-py's verdict on one object and the codes it reported (warnings too)."""
    with _quiet() as ocfl:
        validator = ocfl.validator.Validator(log_warnings=True)
        valid = validator.validate_object(str(path))
    return bool(valid), set(validator.log.codes)


def ocfl_py_root(root: Path) -> tuple[bool, int, list[Any]]:
    """ocfl-py on a storage root: valid only when the root and every object in it are; the
    number of objects; its error lines (warnings included)."""
    with _quiet() as ocfl:
        storage = ocfl.StorageRoot(root=str(root))
        valid = storage.validate(log_warnings=True)
    ok = bool(valid) and storage.good_objects == storage.num_objects
    return ok, int(storage.num_objects), list(storage.errors)


def ocfl_py_object_path(root: Path, object_id: str) -> str:
    """Where ocfl-py's own implementation of the root's layout puts an id."""
    with _quiet() as ocfl:
        storage = ocfl.StorageRoot(root=str(root))
        storage.open_root_fs()
        storage.check_root_structure()
        return str(storage.object_path(object_id))


def object_dirs(root: Path) -> list[Path]:
    """Every object root under a storage root."""
    return sorted(p.parent for p in root.rglob("0=ocfl_object_1.1"))


def inventory(path: Path) -> dict[str, Any]:
    return dict(json.loads((path / "inventory.json").read_bytes()))


def state(inv: dict[str, Any], version: str) -> dict[str, str]:
    """logical path -> digest of one version."""
    return {p: d for d, paths in inv["versions"][version]["state"].items() for p in paths}


def content_files(path: Path) -> list[str]:
    """Every content file of an object, as content paths."""
    return sorted(p.relative_to(path).as_posix() for p in path.glob("v*/content/**/*")
                  if p.is_file())
