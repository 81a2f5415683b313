"""The bag's manifests: payload and tag manifests, fetch.txt, completeness and fixity
(RFC 8493 sections 2.1.3, 2.2.1, 2.2.3 and 3)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from .folder import _HEX_LENGTH, _MANIFEST_NAME, BagFolder, _fold, _Manifest, _nfc, path_problem
from .manifest import (
    VERIFY_ALGORITHMS,
    ManifestLine,
    decode_path,
    digest_bytes,
    digest_stream,
    parse_manifest_line,
    split_lines,
)


class ManifestChecks(BagFolder):
    """The manifest checks of one verification."""

    def load_manifests(self) -> list[_Manifest]:
        manifests: list[_Manifest] = []
        for rel in sorted(self.files):
            match = _MANIFEST_NAME.match(rel)
            if match is None:
                continue
            tag, algorithm = bool(match.group(1)), match.group(2).lower()
            if algorithm not in VERIFY_ALGORITHMS:
                self.warn(f"{rel}: unknown algorithm {algorithm!r}; its checksums are not checked")
                continue
            manifest = _Manifest(rel, algorithm, tag)
            self.parse_manifest(manifest)
            manifests.append(manifest)
        payload = [m for m in manifests if not m.tag]
        self.report.algorithms = [m.algorithm for m in payload]
        if not any(_MANIFEST_NAME.match(r) and not r.startswith("tag") for r in self.files):
            self.error("no payload manifest (manifest-<algorithm>.txt)")
        elif not payload:
            self.error("no payload manifest with an algorithm this verifier can check")
        return manifests

    def parse_manifest(self, manifest: _Manifest) -> None:
        text = self.tag_text(manifest.name)
        if text is None:
            return
        length = _HEX_LENGTH[manifest.algorithm]
        seen_fold: dict[str, str] = {}
        for number, line in enumerate(split_lines(text), 1):
            where = f"{manifest.name}: line {number}"
            if not line.strip():
                self.warn(f"{where}: blank line")
                continue
            entry = parse_manifest_line(number, line, decode=self.v1)
            if entry is None:
                self.error(f"{where}: not a '<checksum> <path>' line: {line!r}")
                continue
            if not re.fullmatch(f"[0-9a-fA-F]{{{length}}}", entry.digest):
                self.error(f"{where}: {entry.digest!r} is not a {manifest.algorithm} checksum")
                continue
            if not self.path_ok(where, entry, payload=not manifest.tag):
                continue
            digest = entry.digest.lower()
            previous = manifest.entries.get(entry.path)
            if previous is not None:
                if previous != digest:
                    self.error(f"{where}: {entry.path} is listed twice with different checksums")
                elif self.v1:
                    self.error(f"{where}: {entry.path} is listed twice")
                else:
                    self.warn(f"{where}: {entry.path} is listed twice (same checksum)")
                continue
            folded = _fold(entry.path)
            other = seen_fold.get(folded)
            if other is not None:
                kind = ("Unicode normalization" if _nfc(other) == _nfc(entry.path) else "case")
                self.warn(f"{where}: {entry.path} and {other} differ only in {kind} "
                          "(the same file on some file systems)")
            seen_fold.setdefault(folded, entry.path)
            manifest.entries[entry.path] = digest

    def path_ok(self, where: str, entry: ManifestLine, *, payload: bool) -> bool:
        """Report a path that leaves the bag or is malformed; warn about tolerated forms."""
        problem = path_problem(entry.path)
        if problem:
            self.error(f"{where}: {entry.raw_path!r}: {problem}")
            return False
        if entry.binary_marker:
            self.warn(f"{where}: md5sum binary marker '*' before {entry.path}")
        if entry.dot_slash:
            self.warn(f"{where}: path {entry.raw_path!r} starts with './'")
        if "\\" in entry.path:
            self.warn(f"{where}: {entry.path!r} holds a backslash (a separator on Windows)")
        if payload and not entry.path.startswith("data/"):
            self.error(f"{where}: {entry.path} is outside the payload folder data/")
            return False
        if not payload and entry.path.startswith("data/"):
            self.error(f"{where}: a tag manifest lists the payload file {entry.path}")
            return False
        return True

    def check_fetch(self, manifests: list[_Manifest]) -> dict[str, int | None]:
        """fetch.txt entries: path -> length (None for '-')."""
        if "fetch.txt" not in self.files:
            return {}
        text = self.tag_text("fetch.txt")
        if text is None:
            return {}
        fetch: dict[str, int | None] = {}
        payload = [m for m in manifests if not m.tag]
        for number, line in enumerate(split_lines(text), 1):
            where = f"fetch.txt: line {number}"
            parts = re.split(r"[ \t]+", line.strip(" \t"), maxsplit=2) if line.strip() else []
            if not parts:
                self.warn(f"{where}: blank line")
                continue
            if len(parts) != 3:
                self.error(f"{where}: not a 'URL LENGTH PATH' line: {line!r}")
                continue
            url, length, raw = parts
            path = decode_path(raw) if self.v1 else raw
            problem = path_problem(path)
            if problem:
                self.error(f"{where}: {raw!r}: {problem}")
                continue
            if not path.startswith("data/"):
                self.error(f"{where}: {path} is outside the payload folder data/")
                continue
            split = urlsplit(url)
            if not split.scheme or not (split.netloc or split.path):
                self.error(f"{where}: {url!r} is not an absolute URL")
            if length != "-" and not length.isdigit():
                self.error(f"{where}: length {length!r} is neither a number nor '-'")
            for manifest in payload:
                if path not in manifest.entries:
                    self.error(f"{where}: {path} is not listed in {manifest.name}")
            fetch[path] = int(length) if length.isdigit() else None
        return fetch

    def check_payload(self, manifests: list[_Manifest], fetch: dict[str, int | None]) -> None:
        payload = [m for m in manifests if not m.tag]
        on_disk = {p: s for p, s in self.files.items() if p.startswith("data/")}
        self.report.payload_files = len(on_disk)
        self.report.payload_bytes = sum(on_disk.values())
        if not payload:
            return
        for path in sorted(on_disk):
            missing_from = [m.name for m in payload if path not in m.entries]
            if len(missing_from) == len(payload):
                self.error(f"{path}: not listed in any payload manifest")
            elif missing_from:
                message = f"{path}: not listed in {', '.join(missing_from)}"
                if self.v1:
                    self.error(message + " (every manifest must list every payload file)")
                else:
                    self.warn(message)
        for manifest in payload:
            for path, digest in manifest.entries.items():
                if path in on_disk or path in fetch:
                    continue
                if path in self.dirs:
                    self.error(f"{path}: listed in {manifest.name} but is a folder")
                elif alias := self.alias_of(manifest, path, digest, on_disk):
                    self.warn(f"{path}: not found, but {alias} (listed with the same checksum) "
                              "differs from it only in case or Unicode normalization")
                else:
                    self.error(f"{path}: listed in {manifest.name} but missing")
        for path in sorted(fetch):
            if path not in on_disk:
                self.error(f"{path}: listed in fetch.txt but not fetched yet: the bag is "
                           "incomplete (fetch the file, then verify again)")
        self.check_fixity(payload, on_disk)

    def alias_of(self, manifest: _Manifest, path: str, digest: str,
                 present: dict[str, int]) -> str | None:
        folded = _fold(path)
        for other, other_digest in manifest.entries.items():
            if other != path and other in present and _fold(other) == folded \
                    and other_digest == digest:
                return other
        return None

    def check_fixity(self, manifests: list[_Manifest], present: Iterable[str]) -> None:
        """Read each listed file once, hashing with every algorithm that lists it."""
        for path in sorted(present):
            wanted = [(m, m.entries[path]) for m in manifests if path in m.entries]
            if not wanted:
                continue
            algorithms = sorted({m.algorithm for m, _ in wanted})
            try:
                if path in self.cache:
                    actual = digest_bytes(self.cache[path], algorithms)
                else:
                    fd = os.open(self.root / path, os.O_RDONLY | os.O_NOFOLLOW)
                    with os.fdopen(fd, "rb") as handle:
                        actual, _ = digest_stream(handle, algorithms)
            except OSError as exc:
                self.error(f"{path}: cannot read: {exc.strerror or exc}")
                continue
            for manifest, expected in wanted:
                if actual[manifest.algorithm] != expected:
                    self.error(f"{path}: {manifest.algorithm} checksum mismatch ({manifest.name} "
                               f"says {expected}, the file has {actual[manifest.algorithm]})")

    def check_tag_manifests(self, manifests: list[_Manifest]) -> None:
        tag_manifests = [m for m in manifests if m.tag]
        if not tag_manifests:
            return
        present = {p for p in self.files if not p.startswith("data/")}
        for manifest in tag_manifests:
            for path in manifest.entries:
                if path not in present:
                    self.error(f"{path}: listed in {manifest.name} but missing")
                elif _MANIFEST_NAME.match(path) and path.startswith("tag"):
                    self.strict(f"{manifest.name}: lists the tag manifest {path}")
            for path in sorted(present):
                if path in manifest.entries or path.startswith("tagmanifest-"):
                    continue
                if _MANIFEST_NAME.match(path):
                    self.strict(f"{manifest.name}: does not list the payload manifest {path}")
                else:
                    self.warn(f"{path}: tag file not listed in {manifest.name}")
        self.check_fixity(tag_manifests, [p for p in present if not p.startswith("tagmanifest-")])
