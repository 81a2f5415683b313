"""Checking one OCFL inventory on its own: its JSON (3.5), basic structure (3.5.1), manifest
(3.5.2), versions (3.3, 3.5.3, 3.5.3.1) and fixity (3.5.4) blocks, of OCFL 1.1 and 1.0.

What needs the files (digests, the version directories) or other inventories is checked in
:mod:`converter.packaging.ocfl.object_check`. Whatever the JSON holds, the check never raises: a
value of the wrong type is a finding, and the parts that are well formed are kept for the
object's checks in an :class:`Inventory`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .spec import (
    CONTENT_ALGORITHMS,
    DEFAULT_CONTENT_DIRECTORY,
    FIXITY_ALGORITHMS,
    INVENTORY_KEYS,
    SPEC_VERSIONS,
    OcflReport,
    conflicts,
    digest_form_ok,
    inventory_type,
    is_rfc3339,
    is_uri,
    parse_version,
    path_problem,
)

_VERSION_KEYS = frozenset({"created", "state", "message", "user"})


@dataclass
class Inventory:
    """The well-formed parts of one inventory, for the object's checks."""

    where: str
    raw: bytes
    id: str | None = None
    #: the specification version its ``type`` names
    spec: str | None = None
    algorithm: str | None = None
    head: str | None = None
    content_directory: str = DEFAULT_CONTENT_DIRECTORY
    content_directory_set: bool = False
    #: digest -> content paths (the digests as written)
    manifest: dict[str, list[str]] = field(default_factory=dict)
    #: version names in number order
    versions: list[str] = field(default_factory=list)
    #: version -> its block (a mapping, else the version is left out)
    blocks: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    #: version -> logical path -> digest
    states: dict[str, dict[str, str]] = field(default_factory=dict)
    #: algorithm -> digest -> content paths
    fixity: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def content_paths(self) -> dict[str, str]:
        """Content path -> digest, over the whole manifest."""
        return {path: digest for digest, paths in self.manifest.items() for path in paths}

    def digests_lower(self) -> dict[str, str]:
        """Manifest digests by their lowercase form."""
        return {digest.lower(): digest for digest in self.manifest}


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result


class InventoryCheck:
    """One inventory's checks; findings go into ``report`` located at ``where``."""

    def __init__(self, report: OcflReport, where: str, declared_spec: str | None,
                 *, root: bool) -> None:
        self.report = report
        self.where = where
        self.declared_spec = declared_spec
        self.root = root

    def error(self, code: str, message: str) -> None:
        self.report.add(code, message, self.where)

    def warn(self, code: str, message: str) -> None:
        self.report.add(code, message, self.where)

    @property
    def v11(self) -> bool:
        return (self.declared_spec or "1.1") >= "1.1"

    # ------------------------------------------------------------------ the whole inventory

    def run(self, raw: bytes) -> Inventory | None:
        """Parse and check ``raw``; None when it is not a JSON object at all (E033)."""
        try:
            data = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
        except (UnicodeDecodeError, ValueError) as exc:
            self.error("E033", f"not valid UTF-8 JSON: {exc}")
            return None
        if not isinstance(data, dict):
            self.error("E033", "the inventory is not a JSON object")
            return None
        inventory = Inventory(self.where, raw)
        for key in sorted(set(data) - INVENTORY_KEYS):
            self.error("E102", f"the key {key!r} is not one the specification describes")
        self.basics(data, inventory)
        self.versions(data, inventory)
        self.manifest(data, inventory)
        self.states(inventory)
        self.fixity(data, inventory)
        return inventory

    def basics(self, data: Mapping[str, Any], inventory: Inventory) -> None:
        """3.5.1: id, type, digestAlgorithm, head, contentDirectory."""
        for key in ("id", "type", "digestAlgorithm", "head"):
            if key not in data:
                self.error("E036", f"the {key!r} key is missing")
        ident = data.get("id")
        if "id" in data:
            if not isinstance(ident, str) or not ident:
                self.error("E037", "'id' must be a non-empty string")
            else:
                inventory.id = ident
                if not is_uri(ident):
                    self.warn("W005", f"the id {ident!r} should be a URI")
        kind = data.get("type")
        if "type" in data:
            known = {inventory_type(v): v for v in SPEC_VERSIONS}
            if not isinstance(kind, str) or kind not in known:
                self.error("E038", f"'type' {kind!r} is not an OCFL inventory type")
            else:
                inventory.spec = known[kind]
                if self.root and self.declared_spec and inventory.spec != self.declared_spec:
                    self.error("E038", f"'type' is {kind}, but the object declares OCFL "
                               f"{self.declared_spec} ({inventory_type(self.declared_spec)})")
        algorithm = data.get("digestAlgorithm")
        if "digestAlgorithm" in data:
            if algorithm not in CONTENT_ALGORITHMS:
                self.error("E025", f"digestAlgorithm {algorithm!r} is neither sha512 nor sha256")
            else:
                inventory.algorithm = str(algorithm)
                if algorithm == "sha256":
                    self.warn("W004", "digestAlgorithm should be sha512, not sha256")
        head = data.get("head")
        if "head" in data:
            if not isinstance(head, str):
                self.error("E040", f"'head' must be a version directory name, not {head!r}")
            else:
                inventory.head = head
        if "contentDirectory" in data:
            directory = data["contentDirectory"]
            if not isinstance(directory, str) or "/" in directory or not directory:
                self.error("E017", f"contentDirectory {directory!r} must be one directory name "
                           "without '/'")
            elif directory in (".", ".."):
                self.error("E018", f"contentDirectory must not be {directory!r}")
            else:
                inventory.content_directory = directory
                inventory.content_directory_set = True

    # ------------------------------------------------------------------ versions

    def versions(self, data: Mapping[str, Any], inventory: Inventory) -> None:
        """3.3 and 3.5.3: the version names, their sequence and ``head``; each version block."""
        if "versions" not in data:
            self.error("E041", "the 'versions' block is missing")
            return
        versions = data["versions"]
        if not isinstance(versions, dict):
            self.error("E044", "'versions' must be a JSON object")
            return
        if not versions:
            self.error("E008", "'versions' is empty: an object has at least one version")
        numbered: list[tuple[int, int, str]] = []
        for name in versions:
            parsed = parse_version(name)
            if parsed is None:
                self.error("E104", f"version {name!r} is not 'v' and a positive integer")
            else:
                numbered.append((parsed[0], parsed[1], name))
        numbered.sort()
        self.sequence(numbered)
        inventory.versions = [name for _, _, name in numbered]
        if numbered and inventory.head is not None and inventory.head != numbered[-1][2]:
            self.error("E040", f"head is {inventory.head!r}, but the highest version is "
                       f"{numbered[-1][2]!r}")
        for name in inventory.versions:
            block = versions[name]
            if not isinstance(block, dict):
                self.error("E047", f"version {name} must be a JSON object")
                continue
            inventory.blocks[name] = block
            self.version_block(name, block)

    def sequence(self, numbered: list[tuple[int, int, str]]) -> None:
        """Versions 1, 2, 3, ... (E009, E010), one naming convention (E011-E013, W001)."""
        if not numbered:
            return
        numbers = [n for n, _, _ in numbered]
        if numbers[0] != 1:
            self.error("E009", f"the versions start at {numbered[0][2]}, not at version 1")
        missing = sorted(set(range(1, numbers[-1] + 1)) - set(numbers))
        if missing:
            self.error("E010", "the version sequence skips " + ", ".join(
                f"version {n}" for n in missing))
        if len(set(numbers)) != len(numbers):
            self.error("E012", "a version number is used twice (differently padded)")
        _, width, first = numbered[0]
        if width:
            self.warn("W001", "version directory names should not be zero-padded "
                      f"({first})")
        for _, padded, name in numbered[1:]:
            if padded == width:
                continue
            if width and not padded and len(name) == width:
                self.error("E011", f"{name} does not start with 'v0' like the zero-padded "
                           f"{first}: the padded numbers ran out")
            self.error("E013", f"{name} does not follow the naming of {first}")

    def version_block(self, name: str, block: Mapping[str, Any]) -> None:
        """3.5.3.1: created, state, message and user of one version."""
        for key in sorted(set(block) - _VERSION_KEYS):
            self.error("E102", f"version {name}: the key {key!r} is not one the specification "
                       "describes")
        created = block.get("created")
        if "created" not in block:
            self.error("E048", f"version {name} has no 'created' date")
        elif not isinstance(created, str) or not is_rfc3339(created):
            self.error("E049", f"version {name}: 'created' {created!r} is not an RFC 3339 "
                       "date-time with seconds and a time zone")
        if "state" not in block:
            self.error("E048", f"version {name} has no 'state'")
        elif not isinstance(block["state"], dict):
            self.error("E050", f"version {name}: 'state' must be a JSON object")
        if "message" not in block:
            self.warn("W007", f"version {name} should have a 'message'")
        elif not isinstance(block["message"], str):
            self.error("E094", f"version {name}: 'message' must be a string")
        if "user" not in block:
            self.warn("W007", f"version {name} should have a 'user'")
            return
        user = block["user"]
        if not isinstance(user, dict):
            self.error("E054", f"version {name}: 'user' must be a JSON object")
            return
        if not isinstance(user.get("name"), str):
            self.error("E054", f"version {name}: 'user' must have a 'name' string")
        if "address" not in user:
            self.warn("W008", f"version {name}: 'user' should have an 'address'")
        elif not isinstance(user["address"], str):
            self.error("E054", f"version {name}: the user's 'address' must be a string")
        elif not is_uri(user["address"]):
            self.warn("W009", f"version {name}: the user's address {user['address']!r} should "
                      "be a URI (mailto: or a personal identifier)")

    # ------------------------------------------------------------------ manifest

    def manifest(self, data: Mapping[str, Any], inventory: Inventory) -> None:
        """3.5.2: digests (E096), content paths (E042, E099-E101) of known versions."""
        if "manifest" not in data:
            self.error("E041", "the 'manifest' block is missing")
            return
        manifest = data["manifest"]
        if not isinstance(manifest, dict):
            self.error("E106", "'manifest' must be a JSON object")
            return
        seen_digests: dict[str, str] = {}
        seen_paths: set[str] = set()
        for digest, paths in manifest.items():
            lower = digest.lower()
            if lower in seen_digests:
                self.error("E096", f"the manifest lists the digest {digest} twice (as "
                           f"{seen_digests[lower]} too)")
                continue
            seen_digests[lower] = digest
            if inventory.algorithm and not digest_form_ok(inventory.algorithm, digest):
                self.error("E025", f"manifest key {digest!r} is not a {inventory.algorithm} "
                           "digest")
            if not isinstance(paths, list) or not paths:
                self.error("E092", f"the manifest entry of {digest} must be a list of content "
                           "paths")
                continue
            kept = []
            for path in paths:
                if not self.content_path(path, "manifest", inventory):
                    continue
                if path in seen_paths:
                    self.error("E101", f"the content path {path} is listed twice")
                    continue
                seen_paths.add(path)
                kept.append(path)
            inventory.manifest[digest] = kept
        for prefix in conflicts(seen_paths):
            self.error("E101", f"the content path {prefix} is also a directory of another")

    def content_path(self, path: Any, block: str, inventory: Inventory) -> bool:
        """One content path of the manifest or a fixity block: safe (E099, E100) and inside a
        version's content directory (E042). False when it cannot be used."""
        if not isinstance(path, str):
            self.error("E092" if block == "manifest" else "E057",
                       f"{block}: {path!r} is not a content path string")
            return False
        problem = path_problem(path)
        if problem == "ends":
            self.error("E100", f"{block}: content path {path!r} begins or ends with '/'")
            return False
        if problem:
            self.error("E099", f"{block}: content path {path!r} has a '.', '..' or empty "
                       "element")
            return False
        parts = path.split("/")
        if block == "manifest" and (len(parts) < 3 or parts[0] not in inventory.versions
                                    or parts[1] != inventory.content_directory):
            self.error("E042", f"content path {path} is not inside a version's "
                       f"'{inventory.content_directory}' directory")
        return True

    # ------------------------------------------------------------------ states

    def states(self, inventory: Inventory) -> None:
        """3.5.3.1: every state digest is a manifest key (E050), logical paths are safe (E052,
        E053) and unique (E095); 1.1: every manifest digest is used (E107)."""
        used: set[str] = set()
        for name, block in inventory.blocks.items():
            state = block.get("state")
            if not isinstance(state, dict):
                continue
            logical: dict[str, str] = {}
            for digest, paths in state.items():
                used.add(digest)
                if digest not in inventory.manifest:
                    self.error("E050", f"version {name}: the state digest {digest} is not a "
                               "manifest key")
                if not isinstance(paths, list):
                    self.error("E050", f"version {name}: the state entry of {digest} must be a "
                               "list of logical paths")
                    continue
                for path in paths:
                    if not isinstance(path, str):
                        self.error("E051", f"version {name}: {path!r} is not a logical path")
                        continue
                    problem = path_problem(path)
                    if problem == "ends":
                        self.error("E053", f"version {name}: logical path {path!r} begins or "
                                   "ends with '/'")
                    elif problem:
                        self.error("E052", f"version {name}: logical path {path!r} has a '.', "
                                   "'..' or empty element")
                    if path in logical:
                        self.error("E095", f"version {name}: the logical path {path} is listed "
                                   "twice")
                    logical[path] = digest
            for prefix in conflicts(logical):
                self.error("E095", f"version {name}: the logical path {prefix} is also a "
                           "directory of another")
            inventory.states[name] = logical
        if self.v11 and (inventory.spec or "1.1") >= "1.1":
            for digest in sorted(set(inventory.manifest) - used):
                self.error("E107", f"the manifest digest {digest} is in no version's state")

    # ------------------------------------------------------------------ fixity

    def fixity(self, data: Mapping[str, Any], inventory: Inventory) -> None:
        """3.5.4: known algorithms (E056), the manifest's structure (E057), no digest twice
        (E097), content paths of the manifest (E057)."""
        if "fixity" not in data:
            return
        fixity = data["fixity"]
        if not isinstance(fixity, dict):
            self.error("E111", "'fixity' must be a JSON object")
            return
        paths_known = set(inventory.content_paths())
        for algorithm, block in fixity.items():
            if algorithm not in FIXITY_ALGORITHMS:
                self.error("E056", f"fixity: {algorithm!r} is not a known digest algorithm")
                continue
            if not isinstance(block, dict):
                self.error("E057", f"fixity: the {algorithm} block must be a JSON object")
                continue
            kept: dict[str, list[str]] = {}
            seen: dict[str, str] = {}
            for digest, paths in block.items():
                if digest.lower() in seen:
                    self.error("E097", f"fixity: the {algorithm} digest {digest} is listed "
                               "twice")
                    continue
                seen[digest.lower()] = digest
                if not digest_form_ok(algorithm, digest):
                    self.error("E057", f"fixity: {digest!r} is not a {algorithm} digest")
                if not isinstance(paths, list):
                    self.error("E057", f"fixity: the {algorithm} entry of {digest} must be a "
                               "list")
                    continue
                good = []
                for path in paths:
                    if not self.content_path(path, f"fixity {algorithm}", inventory):
                        continue
                    if path not in paths_known:
                        self.error("E057", f"fixity: {algorithm} lists {path}, which is not in "
                                   "the manifest")
                        continue
                    good.append(path)
                kept[digest] = good
            inventory.fixity[algorithm] = kept
