"""Writing OCFL 1.1 inventories (section 3.5) and their sidecars (3.6).

An inventory is JSON with sorted keys, two-space indents and a final newline, UTF-8 without
escapes; lists are sorted. The same object state therefore always gives the same bytes, so the
sha512 in ``inventory.json.sha512`` is reproducible (with ``SOURCE_DATE_EPOCH`` fixing
``created``).

Each version is the full logical state (logical path -> digest, 3.5.3.1); content is stored once
per digest (3.4, forward delta): a version's ``content`` folder holds only files whose digest no
earlier version stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ...errors import PackageError
from .spec import (
    DEFAULT_CONTENT_DIRECTORY,
    INVENTORY,
    SPEC_VERSION,
    inventory_type,
    parse_version,
    version_name,
)

INVENTORY_TYPE = inventory_type(SPEC_VERSION)
#: the digest algorithm of new objects (3.4: SHOULD be sha512)
ALGORITHM = "sha512"


@dataclass(frozen=True)
class VersionInfo:
    """What a version block says besides its state (3.5.3.1)."""

    created: datetime
    message: str
    user_name: str
    user_address: str | None = None

    def block(self, state: Mapping[str, str]) -> dict[str, Any]:
        """The version block for a logical state (logical path -> digest)."""
        user: dict[str, str] = {"name": self.user_name}
        if self.user_address:
            user["address"] = self.user_address
        return {"created": rfc3339(self.created), "message": self.message, "user": user,
                "state": by_digest(state)}


def rfc3339(moment: datetime) -> str:
    """``2024-05-01T12:00:00Z``: UTC, to the second (3.5.3.1, E049)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def by_digest(paths: Mapping[str, str]) -> dict[str, list[str]]:
    """path -> digest as OCFL writes it: digest -> sorted paths."""
    result: dict[str, list[str]] = {}
    for path, digest in paths.items():
        result.setdefault(digest, []).append(path)
    return {digest: sorted(found) for digest, found in sorted(result.items())}


def new_inventory(object_id: str) -> dict[str, Any]:
    """An inventory without versions yet."""
    return {"id": object_id, "type": INVENTORY_TYPE, "digestAlgorithm": ALGORITHM, "head": "",
            "contentDirectory": DEFAULT_CONTENT_DIRECTORY, "manifest": {}, "versions": {}}


def load_inventory(raw: bytes, object_id: str | None) -> dict[str, Any]:
    """An existing object's root inventory, if it is one this writer can add a version to
    (and, unless ``object_id`` is None, the object with that id)."""
    try:
        inventory = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackageError(f"the object's inventory.json is not readable JSON: {exc}") from exc
    if not isinstance(inventory, dict) or inventory.get("type") != INVENTORY_TYPE:
        raise PackageError(f"the object's inventory is not an OCFL {SPEC_VERSION} inventory; "
                           "the converter adds versions to OCFL 1.1 objects only")
    if object_id is not None and inventory.get("id") != object_id:
        raise PackageError(f"the object at this path has the id {inventory.get('id')!r}, not "
                           f"{object_id!r}")
    if inventory.get("digestAlgorithm") not in ("sha512", "sha256") or not isinstance(
            inventory.get("manifest"), dict) or not isinstance(inventory.get("versions"), dict) \
            or parse_version(str(inventory.get("head"))) is None:
        raise PackageError("the object's inventory is damaged (digestAlgorithm, manifest, "
                           "versions or head); check it with converter verify")
    return inventory


def head_state(inventory: Mapping[str, Any]) -> dict[str, str]:
    """The head version's logical state: logical path -> digest (empty for a new object)."""
    head = inventory.get("head")
    if not head:
        return {}
    state = inventory["versions"][head]["state"]
    return {path: digest for digest, paths in state.items() for path in paths}


def next_version(inventory: Mapping[str, Any]) -> str:
    """The next version name, following the object's naming (``v2``, or ``v002``)."""
    head = inventory.get("head")
    if not head:
        return version_name(1)
    parsed = parse_version(str(head))
    assert parsed is not None  # load_inventory checked it
    number, width = parsed
    name = version_name(number + 1, width)
    if width and len(name) > width:
        raise PackageError(f"the object's zero-padded versions end at {head}: no version can "
                           "follow it (OCFL 3.3)")
    return name


def add_version(inventory: Mapping[str, Any], version: str, state: Mapping[str, str],
                info: VersionInfo) -> tuple[dict[str, Any], dict[str, str]]:
    """The inventory with ``version`` added as head, and what it stores anew: content path ->
    logical path, one per digest no earlier version stored. Digests the manifest already has
    are written as the manifest spells them (a state digest must match a manifest key exactly,
    E050)."""
    manifest = {digest: list(paths) for digest, paths in inventory["manifest"].items()}
    spelled = {digest.lower(): digest for digest in manifest}
    content = inventory.get("contentDirectory") or DEFAULT_CONTENT_DIRECTORY
    stored: dict[str, str] = {}
    written: dict[str, str] = {}
    for path, digest in sorted(state.items()):
        if digest.lower() not in spelled:
            spelled[digest.lower()] = digest
            content_path = f"{version}/{content}/{path}"
            manifest[digest] = [content_path]
            stored[content_path] = path
        written[path] = spelled[digest.lower()]
    result = dict(inventory)
    result["manifest"] = {digest: sorted(paths) for digest, paths in sorted(manifest.items())}
    result["versions"] = {**inventory["versions"], version: info.block(written)}
    result["head"] = version
    return result, stored


def inventory_bytes(inventory: Mapping[str, Any]) -> bytes:
    """The inventory as written: sorted keys, two-space indent, UTF-8, a final newline."""
    return (json.dumps(inventory, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
            ).encode("utf-8")


def sidecar_bytes(raw: bytes, algorithm: str) -> bytes:
    """``<digest> inventory.json`` and a newline (3.6)."""
    return f"{hashlib.new(algorithm, raw).hexdigest()} {INVENTORY}\n".encode("ascii")
