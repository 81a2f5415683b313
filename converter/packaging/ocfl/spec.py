"""What the OCFL specification fixes, shared by the writer and the verifier: names, digest
algorithms, version directory names, path rules and the problem report.

References are to the Oxford Common File Layout Specification 1.1 (https://ocfl.io/1.1/spec/);
1.0 (https://ocfl.io/1.0/spec/) is read too. Error and warning codes are the specification's
(``E001`` ... ``E112``, ``W001`` ... ``W016``, https://ocfl.io/1.1/spec/validation-codes.html).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

#: the specification versions this package reads; it writes the newest
SPEC_VERSIONS = ("1.0", "1.1")
SPEC_VERSION = "1.1"
#: NAMASTE declarations (3.2 and 4.2): file name ``0=<dvalue>``, content ``<dvalue>\n``
OBJECT_DVALUE = "ocfl_object_"
ROOT_DVALUE = "ocfl_"
INVENTORY = "inventory.json"
LAYOUT_FILE = "ocfl_layout.json"
EXTENSIONS = "extensions"
LOGS = "logs"
DEFAULT_CONTENT_DIRECTORY = "content"


def inventory_type(spec: str) -> str:
    """The inventory ``type`` of a specification version (3.5.1)."""
    return f"https://ocfl.io/{spec}/spec/#inventory"


#: every key an inventory may have (3.5, E102)
INVENTORY_KEYS = frozenset({"id", "type", "digestAlgorithm", "head", "contentDirectory",
                            "manifest", "versions", "fixity"})
#: algorithms for content addressing (3.4, E025)
CONTENT_ALGORITHMS = ("sha512", "sha256")


class Hasher(Protocol):
    """What :mod:`hashlib` objects offer."""

    @property
    def digest_size(self) -> int: ...

    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


def _blake2b(bits: int) -> Callable[[], Hasher]:
    return lambda: hashlib.blake2b(digest_size=bits // 8)


def _sha512_256() -> Hasher:
    return hashlib.new("sha512_256")


#: fixity algorithms: the specification's table (3.4) and the Digest Algorithms extension
#: (0009, which replaces 0001), each with its hasher
HASHERS: dict[str, Callable[[], Hasher]] = {
    "md5": hashlib.md5, "sha1": hashlib.sha1, "sha256": hashlib.sha256,
    "sha512": hashlib.sha512, "blake2b-512": _blake2b(512),
    "blake2b-160": _blake2b(160), "blake2b-256": _blake2b(256), "blake2b-384": _blake2b(384),
    "sha512/256": _sha512_256,
}
#: ``size`` (0009) is a digest too: the byte count in decimal
FIXITY_ALGORITHMS = frozenset({*HASHERS, "size"})
_HEX_LENGTH = {name: factory().digest_size * 2 for name, factory in HASHERS.items()}

#: extension names registered at https://ocfl.github.io/extensions/ (W013, W016, E071)
REGISTERED_EXTENSIONS = frozenset({
    "0001-digest-algorithms", "0002-flat-direct-storage-layout",
    "0003-hash-and-id-n-tuple-storage-layout", "0004-hashed-n-tuple-storage-layout",
    "0005-mutable-head", "0006-flat-omit-prefix-storage-layout",
    "0007-n-tuple-omit-prefix-storage-layout", "0008-schema-registry", "0009-digest-algorithms",
    "0010-differential-n-tuple-omit-prefix-storage-layout", "0011-direct-clean-path-layout",
    "0012-hash-and-no-prefix-id-n-tuple-storage-layout",
})

_VERSION = re.compile(r"v(0*)([1-9][0-9]*)\Z")
#: RFC 3339 date-time (3.5.3.1, E049): seconds required, a zone (``Z`` or an offset) required
_RFC3339 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
                      r"([Zz]|[+-][0-9]{2}:[0-9]{2})\Z")
#: a URI scheme then something (RFC 3986 section 3.1), as W005 and W009 ask
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+\Z")
#: a sidecar line (3.6): the digest, spaces or tabs, ``inventory.json``, an optional newline
_SIDECAR = re.compile(r"([0-9A-Fa-f]+)[ \t]+inventory\.json\n?\Z")


def parse_version(name: str) -> tuple[int, int] | None:
    """``v3`` -> (3, 0); ``v003`` -> (3, 4), the padded width; anything else -> None (3.3)."""
    match = _VERSION.match(name)
    if match is None:
        return None
    number = int(match.group(2))
    return (number, len(name)) if match.group(1) else (number, 0)


def version_name(number: int, width: int = 0) -> str:
    """The directory name of version ``number`` (``width``: the zero-padded length, 0: none)."""
    return f"v{number:0{width - 1}d}" if width else f"v{number}"


def is_rfc3339(value: str) -> bool:
    return _RFC3339.match(value) is not None


def is_uri(value: str) -> bool:
    return _URI.match(value) is not None


def sidecar_digest(text: str) -> str | None:
    """The digest a sidecar states, or None when it does not follow ``DIGEST inventory.json``."""
    match = _SIDECAR.match(text)
    return match.group(1) if match else None


def digest_form_ok(algorithm: str, digest: str) -> bool:
    """Does ``digest`` look like a digest of ``algorithm`` (hex of the right length)?"""
    if algorithm == "size":
        return digest.isdigit() and digest.isascii()
    length = _HEX_LENGTH.get(algorithm)
    return (length is None or len(digest) == length) and all(
        c in "0123456789abcdefABCDEF" for c in digest) and bool(digest)


def path_problem(path: str) -> str | None:
    """Why a content or logical path breaks 3.5.2 / 3.5.3.1 (E099/E100, E052/E053), or None.

    Returns ``"ends"`` (begins or ends with ``/``) or ``"element"`` (``.``, ``..`` or empty)."""
    if path.startswith("/") or path.endswith("/"):
        return "ends"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "element"
    return None


def conflicts(paths: Iterable[str]) -> list[str]:
    """Paths that are also a directory of another path (``a`` and ``a/b``): E095, E101."""
    names = set(paths)
    found = []
    for name in sorted(names):
        parts = name.split("/")
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            if prefix in names:
                found.append(prefix)
    return sorted(set(found))


class FileDigests:
    """Digests of one file by algorithm, computed once each (1 MiB blocks, never following a
    link)."""

    BLOCK = 1 << 20

    def __init__(self, path: Path) -> None:
        self.path = path
        self.known: dict[str, str] = {}

    def get(self, algorithm: str) -> str | None:
        """The lowercase digest, or None for an algorithm this package cannot compute."""
        if algorithm not in self.known:
            self.compute([algorithm])
        return self.known.get(algorithm)

    def compute(self, algorithms: Iterable[str]) -> None:
        wanted = [a for a in algorithms if a not in self.known and a in FIXITY_ALGORITHMS]
        if not wanted:
            return
        hashers = {a: HASHERS[a]() for a in wanted if a in HASHERS}
        size = 0
        fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as handle:
            while block := handle.read(self.BLOCK):
                size += len(block)
                for hasher in hashers.values():
                    hasher.update(block)
        for name, hasher in hashers.items():
            self.known[name] = hasher.hexdigest()
        if "size" in wanted:
            self.known["size"] = str(size)


@dataclass(frozen=True)
class Problem:
    """One finding: the specification's code (``E040``, ``W004``), where, and what."""

    code: str
    message: str
    where: str = ""

    def __str__(self) -> str:
        return f"{self.code} {self.where}: {self.message}" if self.where else \
            f"{self.code}: {self.message}"


@dataclass
class OcflReport:
    """What verifying an OCFL object or storage root found; valid when there are no errors."""

    path: Path
    #: ``object`` or ``root``
    kind: str = "object"
    #: the specification version declared (``1.1``), when one is
    spec_version: str | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    #: a root: how many objects it holds and how many of them are valid
    objects: int = 0
    valid_objects: int = 0

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def codes(self) -> set[str]:
        """Every code reported, errors and warnings."""
        return {p.code for p in (*self.errors, *self.warnings)}

    def add(self, code: str, message: str, where: str = "") -> None:
        """Record a finding: ``W`` codes are warnings, the rest (``E`` codes, ``unreadable``)
        errors."""
        problem = Problem(code, message, where)
        target = self.warnings if code.startswith("W") else self.errors
        if problem not in target:
            target.append(problem)
