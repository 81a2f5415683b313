"""Manifest lines and checksums as RFC 8493 (BagIt 1.0) section 2.1.3 writes them.

A manifest line is ``<checksum> <path>``: hex digest, linear whitespace, then the path relative to
the bag's base directory with ``/`` as separator. In a path, CR, LF and ``%`` (and only those) are
percent-encoded; :func:`encode_path` and :func:`decode_path` are exact inverses. Lines are split on
CR, LF or CRLF only (never on the other characters :meth:`str.splitlines` treats as breaks, which
are legal in file names).

Checksums are computed in one pass: every payload file is read once, in 1 MiB blocks, and each
block feeds all the chosen algorithms, so memory does not grow with file size.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

#: read and hash files in blocks of this size
BLOCK_SIZE = 1 << 20

#: algorithms our bags may be built with (the ones every profile we target allows)
BUILD_ALGORITHMS = ("md5", "sha1", "sha256", "sha512")
#: algorithms the verifier can check (BagIt's registered names, as hashlib spells them)
VERIFY_ALGORITHMS = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
#: PREMIS messageDigestAlgorithm names (Library of Congress cryptographicHashFunctions vocabulary)
PREMIS_NAMES = {"md5": "MD5", "sha1": "SHA-1", "sha224": "SHA-224", "sha256": "SHA-256",
                "sha384": "SHA-384", "sha512": "SHA-512"}

_ENCODE = {"%": "%25", "\n": "%0A", "\r": "%0D"}
_ENCODE_RE = re.compile("[%\n\r]")
_DECODE_RE = re.compile("%(25|0[AaDd])")
_LINE_BREAK = re.compile("\r\n|\r|\n")


def encode_path(path: str) -> str:
    """Percent-encode CR, LF and ``%`` in a manifest or fetch path (RFC 8493 2.1.3)."""
    return _ENCODE_RE.sub(lambda m: _ENCODE[m.group()], path)


def decode_path(path: str) -> str:
    """Undo :func:`encode_path`; other ``%XX`` sequences stay as they are (they are literal)."""
    return _DECODE_RE.sub(lambda m: chr(int(m.group(1), 16)), path)


def split_lines(text: str) -> list[str]:
    """Lines ended by LF, CR or CRLF; a missing final line break is allowed."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def manifest_bytes(digests: Mapping[str, str]) -> bytes:
    """A manifest: ``<digest>  <encoded path>`` lines, sorted by path, UTF-8, LF endings."""
    return "".join(f"{digests[path]}  {encode_path(path)}\n"
                   for path in sorted(digests)).encode("utf-8")


@dataclass(frozen=True)
class ManifestLine:
    """One parsed manifest or tag manifest line."""

    number: int
    digest: str
    #: the path as written (still percent-encoded)
    raw_path: str
    #: the path after decoding, and after a leading ``./`` or md5sum ``*`` marker is dropped
    path: str
    #: the md5sum binary-mode marker (``<digest> *<path>``) was present
    binary_marker: bool = False
    dot_slash: bool = False


_MANIFEST_LINE = re.compile(r"([^ \t]+)([ \t]+)(.*)\Z", re.DOTALL)


def parse_manifest_line(number: int, line: str, *, decode: bool) -> ManifestLine | None:
    """Parse one line; ``None`` when it has no path. ``decode``: the bag is BagIt 1.0 or later."""
    match = _MANIFEST_LINE.match(line)
    if match is None or not match.group(3):
        return None
    digest, gap, raw = match.groups()
    path, binary, dot = raw, False, False
    if gap == " " and path.startswith("*"):
        path, binary = path[1:], True
    if path.startswith("./"):
        path, dot = path[2:], True
    if decode:
        path = decode_path(path)
    return ManifestLine(number, digest, raw, path, binary, dot)


class Readable(Protocol):
    def readinto(self, buffer: bytearray, /) -> int | None: ...


class Writable(Protocol):
    def write(self, data: memoryview, /) -> object: ...


class MultiHasher:
    """Feeds every chosen algorithm from one stream of blocks."""

    def __init__(self, algorithms: Iterable[str]) -> None:
        self.algorithms = tuple(algorithms)
        self._hashers = [hashlib.new(name) for name in self.algorithms]
        self.size = 0

    def update(self, data: bytes | memoryview) -> None:
        for hasher in self._hashers:
            hasher.update(data)
        self.size += len(data)

    def hexdigests(self) -> dict[str, str]:
        return {name: h.hexdigest() for name, h in zip(self.algorithms, self._hashers, strict=True)}


def digest_bytes(data: bytes, algorithms: Iterable[str]) -> dict[str, str]:
    """Checksums of bytes already in memory."""
    hasher = MultiHasher(algorithms)
    hasher.update(data)
    return hasher.hexdigests()


def digest_stream(stream: Readable, algorithms: Iterable[str],
                  copy_to: Writable | None = None) -> tuple[dict[str, str], int]:
    """Checksums and size of a stream read once in blocks; optionally copy it as it is read."""
    hasher = MultiHasher(algorithms)
    buffer = bytearray(BLOCK_SIZE)
    view = memoryview(buffer)
    while True:
        count = stream.readinto(buffer)
        if not count:
            break
        block = view[:count]
        hasher.update(block)
        if copy_to is not None:
            copy_to.write(block)
    return hasher.hexdigests(), hasher.size
