"""Format identification with Siegfried (PRONOM) through pygfried, as archives' ingest does it.

Siegfried (https://www.itforarchivists.com/siegfried) matches a file against the PRONOM
registry's signatures (The National Archives, UK) and answers with a PUID (``fmt/101``), the
format's name and version, the basis of the match and any warning. pygfried embeds Siegfried and
its signature files, so nothing is downloaded at run time; identification follows the embedded
signatures, which is why pygfried's version is pinned.

A file Siegfried cannot identify is ``UNKNOWN`` with Siegfried's own warning: never a guess.
Results are cached per content and file extension (the extension is evidence for Siegfried), so
a rendition packed twice (beside the bag and inside it) is identified once.

Careful with processes: Siegfried runs Go code whose threads do not survive ``fork``; a process
that has loaded pygfried must not fork workers (converter.batch.pool then uses a forkserver).
pygfried is therefore imported here only when a file is identified.
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

UNKNOWN = "UNKNOWN"
_lock = threading.Lock()


@dataclass(frozen=True)
class Identification:
    """What Siegfried says a file is."""

    #: the PRONOM identifier (``fmt/101``), or ``UNKNOWN``
    puid: str
    #: the format's name and version in PRONOM (empty when unknown)
    format: str = ""
    version: str = ""
    mime: str = ""
    #: why Siegfried matched (``extension match xml; byte match at 0, 19``)
    basis: str = ""
    #: Siegfried's warning (``match on extension only``, ``no match``)
    warning: str = ""

    @property
    def known(self) -> bool:
        return self.puid != UNKNOWN

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}


@dataclass(frozen=True)
class Tool:
    """Siegfried and its signatures, as PREMIS records the agent."""

    name: str
    version: str
    #: the signature file and the PRONOM releases it holds
    signature: str


@functools.cache
def tool() -> Tool:
    """Siegfried's version and signature files (from a probe of pygfried itself)."""
    data = _detailed_probe()
    details = "; ".join(i.get("details", "") for i in data.get("identifiers", []))
    signature = f"{data.get('signature', '')} ({details}; created {data.get('created', '')})"
    return Tool("Siegfried", str(data.get("siegfried", "")), signature)


def _detailed_probe() -> dict[str, Any]:
    import pygfried

    with tempfile.NamedTemporaryFile(suffix=".txt") as probe:
        probe.write(b"probe\n")
        probe.flush()
        with _lock:
            result = cast(dict[str, Any], pygfried.identify(probe.name, detailed=True))
    return result


_warming: list[threading.Thread] = []


def warm_up() -> None:
    """Load Siegfried's signatures now, in the background (about 0.3 s, which Go spends
    without holding Python's lock), so that the first identification, after the caller has
    parsed its input, does not wait for them. Only for a process that will never fork again
    (a batch worker): the thread starts Go's."""
    with _lock:
        if _warming:
            return
        thread = threading.Thread(target=tool, name="siegfried-warm-up", daemon=True)
        _warming.append(thread)
    thread.start()


def identify_file(path: Path, sha256: str | None = None) -> Identification:
    """What the file at ``path`` is; ``sha256`` (its content's, when known) keys the cache."""
    digest = sha256 or _sha256(path)
    return _identify_cached(digest, path.suffix.lower(), str(path))


def identify_files(paths: Sequence[Path], sha256s: Sequence[str | None] = ()) -> list[
        Identification]:
    """:func:`identify_file` for several files."""
    digests = list(sha256s) + [None] * (len(paths) - len(sha256s))
    return [identify_file(p, d) for p, d in zip(paths, digests, strict=True)]


def identify_bytes(data: bytes, name: str) -> Identification:
    """What ``data`` is, named ``name`` (its extension counts as evidence)."""
    digest = hashlib.sha256(data).hexdigest()
    suffix = Path(name).suffix.lower()
    cached = _cache.get((digest, suffix))
    if cached is not None:
        return cached
    with tempfile.TemporaryDirectory(prefix="converter-identify-") as tmp:
        target = Path(tmp) / f"file{suffix}"
        target.write_bytes(data)
        return _identify_cached(digest, suffix, str(target))


_cache: dict[tuple[str, str], Identification] = {}


def _identify_cached(digest: str, suffix: str, path: str) -> Identification:
    key = (digest, suffix)
    found = _cache.get(key)
    if found is None:
        found = _identify(path)
        _cache[key] = found
    return found


def _identify(path: str) -> Identification:
    import pygfried

    try:
        with _lock:
            data = cast(dict[str, Any], pygfried.identify(path, detailed=True))
    except OSError as exc:  # an empty file, a file that went away
        return Identification(UNKNOWN, warning=str(exc).strip() or type(exc).__name__)
    files = data.get("files") or [{}]
    entry = files[0]
    matches = [m for m in entry.get("matches", []) if m.get("ns") == "pronom"]
    if entry.get("errors"):
        return Identification(UNKNOWN, warning=str(entry["errors"]))
    if not matches or matches[0].get("id") in (None, "", UNKNOWN):
        warning = matches[0].get("warning", "no match") if matches else "no match"
        return Identification(UNKNOWN, warning=str(warning))
    match = matches[0]
    return Identification(str(match["id"]), str(match.get("format", "")),
                           str(match.get("version", "")), str(match.get("mime", "")),
                           str(match.get("basis", "")), str(match.get("warning", "")))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
