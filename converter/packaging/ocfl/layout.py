"""Storage layouts: how an object id becomes a path under an OCFL storage root (OCFL 1.1
section 4.3, and the community extensions that define the mappings).

New roots use 0003, "Hashed Truncated N-tuple Trees with Object ID Encapsulating Directory"
(https://ocfl.github.io/extensions/0003-hash-and-id-n-tuple-storage-layout.html), with its
defaults: the sha256 of the id cut into three 3-character folders, then the id itself,
percent-encoded, as the object's folder (longer than 100 characters: cut, then ``-<digest>``)::

    urn:uuid:5d1e...  ->  2b7/a9c/0f1/urn%3auuid%3a5d1e...

Every character but ``A-Z a-z 0-9 - _`` is encoded, so an id never makes an unsafe name, and
the id stays readable in the path. 0002 (flat direct) and 0004 (hashed n-tuple) roots are read
too. A layout's settings live in ``extensions/<name>/config.json``; ``ocfl_layout.json`` names
the layout.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import PackageError

HASHED_ID = "0003-hash-and-id-n-tuple-storage-layout"
FLAT = "0002-flat-direct-storage-layout"
HASHED = "0004-hashed-n-tuple-storage-layout"
DESCRIPTIONS = {
    HASHED_ID: "Hashed Truncated N-tuple Trees with Object ID Encapsulating Directory for OCFL "
               "Storage Hierarchies (OCFL community extension 0003)",
    FLAT: "Flat Direct Storage Layout (OCFL community extension 0002)",
    HASHED: "Hashed N-tuple Storage Layout (OCFL community extension 0004)",
}
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_HASHES = {"md5", "sha1", "sha256", "sha512"}


@dataclass(frozen=True)
class Layout:
    """One storage layout with its parameters."""

    name: str = HASHED_ID
    digest_algorithm: str = "sha256"
    tuple_size: int = 3
    number_of_tuples: int = 3
    short_object_root: bool = False

    def config(self) -> dict[str, Any]:
        """``extensions/<name>/config.json`` (0002 has none)."""
        if self.name == FLAT:
            return {}
        config: dict[str, Any] = {
            "extensionName": self.name, "digestAlgorithm": self.digest_algorithm,
            "tupleSize": self.tuple_size, "numberOfTuples": self.number_of_tuples}
        if self.name == HASHED:
            config["shortObjectRoot"] = self.short_object_root
        return config

    def path_for(self, object_id: str) -> str:
        """The object's folder relative to the storage root, ``/``-separated."""
        if self.name == FLAT:
            if object_id in ("", ".", "..") or "/" in object_id or "\\" in object_id:
                raise PackageError(f"the object id {object_id!r} cannot be a folder name in a "
                                   "flat (0002) storage root")
            return object_id
        digest = hashlib.new(self.digest_algorithm, object_id.encode("utf-8")).hexdigest()
        cut = self.tuple_size * self.number_of_tuples
        tuples = [digest[i:i + self.tuple_size] for i in range(0, cut, self.tuple_size)]
        if self.name == HASHED:
            last = digest[cut:] if self.short_object_root else digest
        else:
            last = encapsulation(object_id, digest)
        return "/".join([*tuples, last])


def encapsulation(object_id: str, digest: str) -> str:
    """0003's object folder: the percent-encoded id (lowercase hex of its UTF-8 bytes), cut at
    100 characters and followed by ``-<digest>`` when longer."""
    encoded = "".join(c if c in _SAFE else "".join(f"%{b:02x}" for b in c.encode("utf-8"))
                      for c in object_id)
    return f"{encoded[:100]}-{digest}" if len(encoded) > 100 else encoded


def layout_from(name: str, config: Mapping[str, Any] | None) -> Layout:
    """The layout an ``ocfl_layout.json`` names, with its ``config.json``; PackageError for one
    this package cannot follow."""
    if name not in DESCRIPTIONS:
        raise PackageError(f"the storage root uses the layout {name!r}; the converter follows "
                           f"{', '.join(sorted(DESCRIPTIONS))}")
    if name == FLAT:
        return Layout(FLAT)
    config = config or {}
    layout = Layout(name, str(config.get("digestAlgorithm", "sha256")),
                    _int(config, "tupleSize"), _int(config, "numberOfTuples"),
                    bool(config.get("shortObjectRoot", False)))
    if layout.digest_algorithm not in _HASHES:
        raise PackageError(f"layout {name}: digest algorithm {layout.digest_algorithm!r} is "
                           "not supported")
    length = len(hashlib.new(layout.digest_algorithm).hexdigest())
    if (layout.tuple_size == 0) != (layout.number_of_tuples == 0) or \
            layout.tuple_size * layout.number_of_tuples > length:
        raise PackageError(f"layout {name}: tupleSize {layout.tuple_size} and numberOfTuples "
                           f"{layout.number_of_tuples} do not fit a {length}-character digest")
    return layout


def _int(config: Mapping[str, Any], key: str) -> int:
    value = config.get(key, 3)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 32:
        raise PackageError(f"layout config: {key} must be an integer from 0 to 32")
    return value


def read_layout(root: Path) -> Layout | None:
    """The layout of an existing storage root, or None when it declares none."""
    declared = root / "ocfl_layout.json"
    if not declared.is_file():
        return None
    try:
        name = json.loads(declared.read_bytes())["extension"]
        config_file = root / "extensions" / str(name) / "config.json"
        config = json.loads(config_file.read_bytes()) if config_file.is_file() else None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PackageError(f"cannot read the storage layout: {exc}", file=str(declared)) from exc
    if config is not None and not isinstance(config, dict):
        raise PackageError("the layout's config.json is not a JSON object", file=str(declared))
    return layout_from(str(name), config)
