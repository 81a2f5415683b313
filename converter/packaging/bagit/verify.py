"""Verify BagIt packages (RFC 8493 BagIt 1.0, drafts 0.93-0.97 too), stricter than bagit-python.

A bag is checked as a folder, or as a tar, tgz or zip serialization, which is first extracted into
a private temporary folder with path-traversal, absolute-path, link and duplicate checks (see
:mod:`converter.bagit.serialize`). Symbolic links inside a bag are never followed: they are errors.

Checks, each failure listed per file:

* ``bagit.txt``: exactly the two lines ``BagIt-Version: M.N`` and
  ``Tag-File-Character-Encoding: ENC``, UTF-8 without a byte-order mark, a known encoding;
* every payload manifest lists every payload file (1.0; earlier drafts allowed one manifest per
  file), every listed file exists, no path leaves the bag (``..``, ``/``, ``~``, drive letters),
  no file is listed twice, every checksum matches;
* tag manifests: every listed tag file exists and matches; they list every payload manifest and no
  tag manifest (1.0), and should list every other tag file;
* ``bag-info.txt``: well-formed ``Label: value`` lines (continuations allowed) and a
  ``Payload-Oxum`` that matches the payload's octet and file counts;
* ``fetch.txt``: ``URL LENGTH PATH`` lines, absolute URLs, paths inside ``data/`` and listed in
  every payload manifest; a file not fetched yet makes the bag incomplete, hence invalid
  (RFC 8493 section 3); this verifier never fetches anything.

Warnings (the bag stays valid): md5sum ``*`` markers, ``./`` prefixes, names listed twice with the
same checksum (before 1.0) or differing only in case or Unicode normalization, operating-system
litter such as ``.DS_Store``, tag files no tag manifest covers, unknown algorithms.
"""

from __future__ import annotations

import codecs
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .manifest import (
    VERIFY_ALGORITHMS,
    ManifestLine,
    decode_path,
    digest_bytes,
    digest_stream,
    parse_manifest_line,
    split_lines,
)

KNOWN_VERSIONS = {(0, 93), (0, 94), (0, 95), (0, 96), (0, 97), (1, 0)}
#: files operating systems leave behind; harmless but worth a warning
SYSTEM_FILES = {".ds_store", "thumbs.db", "desktop.ini", ".spotlight-v100", ".trashes",
                ".fseventsd", "ehthumbs.db", "icon\r"}
_HEX_LENGTH = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}
_MANIFEST_NAME = re.compile(r"(tag)?manifest-([A-Za-z0-9_-]+)\.txt\Z")
_VERSION_LINE = re.compile(r"BagIt-Version: ([0-9]+)\.([0-9]+)\Z")
_ENCODING_LINE = re.compile(r"Tag-File-Character-Encoding: ([A-Za-z0-9._:-]+)\Z")
_OXUM = re.compile(r"([0-9]+)\.([0-9]+)\Z")


@dataclass
class VerifyReport:
    """What :func:`verify_bag` found; the bag is valid when there are no errors."""

    path: Path
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: ``dir``, ``tar``, ``tgz`` or ``zip``
    serialization: str = "dir"
    version: str | None = None
    encoding: str | None = None
    #: algorithms of the payload manifests
    algorithms: list[str] = field(default_factory=list)
    payload_files: int = 0
    payload_bytes: int = 0
    #: bag-info.txt elements in order (labels as written)
    info: list[tuple[str, str]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def info_values(self, label: str) -> list[str]:
        """Every value of a bag-info element (labels compare case-insensitively)."""
        return [v for k, v in self.info if k.lower() == label.lower()]


def verify_bag(path: str | os.PathLike[str]) -> VerifyReport:
    """Verify a bag folder or a tar/tgz/zip serialization; never raises for a bad bag."""
    bag = Path(path)
    report = VerifyReport(bag)
    try:
        _verify(bag, report)
    except OSError as exc:  # unreadable files: the bag cannot be shown valid
        report.errors.append(f"cannot read {exc.filename or bag}: {exc.strerror or exc}")
    return report


def _verify(bag: Path, report: VerifyReport) -> None:
    from .serialize import archive_kind, extract_archive

    if bag.is_dir():
        _Checker(bag, report).run()
        return
    if not bag.is_file():
        report.errors.append("no such bag (neither a folder nor a file)")
        return
    kind = archive_kind(bag)
    if kind is None:
        report.errors.append("not a bag: neither a folder nor a tar, tgz or zip archive")
        return
    report.serialization = kind
    with tempfile.TemporaryDirectory(prefix="converter-verify-") as tmp:
        root, problems, notes = extract_archive(bag, Path(tmp), kind)
        report.errors.extend(f"archive: {p}" for p in problems)
        report.warnings.extend(f"archive: {n}" for n in notes)
        if root is not None:
            _Checker(root, report).run()


@dataclass
class _Manifest:
    name: str
    algorithm: str
    tag: bool
    #: path -> digest (lowercase); the first line wins, duplicates are reported
    entries: dict[str, str] = field(default_factory=dict)


class _Checker:
    """One verification of an unpacked bag folder; results go into the report."""

    def __init__(self, root: Path, report: VerifyReport) -> None:
        self.root = root
        self.report = report
        self.version = (1, 0)
        self.encoding = "utf-8"
        self.files: dict[str, int] = {}  # regular files: relative path -> size
        self.dirs: set[str] = set()
        self.cache: dict[str, bytes] = {}

    # ------------------------------------------------------------------ helpers

    def error(self, message: str) -> None:
        self.report.errors.append(message)

    def warn(self, message: str) -> None:
        self.report.warnings.append(message)

    def strict(self, message: str) -> None:
        """An error for BagIt 1.0, where the rule became a MUST; a warning for earlier drafts."""
        if self.v1:
            self.error(message)
        else:
            self.warn(message)

    @property
    def v1(self) -> bool:
        return self.version >= (1, 0)

    def read(self, rel: str) -> bytes:
        """A tag file's bytes, read once (fixity checks reuse them)."""
        if rel not in self.cache:
            fd = os.open(self.root / rel, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb") as handle:
                self.cache[rel] = handle.read()
        return self.cache[rel]

    def tag_text(self, rel: str) -> str | None:
        """A tag file decoded with the bag's Tag-File-Character-Encoding."""
        try:
            data = self.read(rel)
        except OSError as exc:
            self.error(f"{rel}: cannot read: {exc.strerror or exc}")
            return None
        try:
            text = data.decode(self.encoding)
        except (UnicodeDecodeError, LookupError):
            self.error(f"{rel}: not valid {self.encoding} (the bag's Tag-File-Character-Encoding)")
            return None
        if text.startswith("\ufeff"):
            self.warn(f"{rel}: starts with a byte-order mark")
            text = text[1:]
        return text

    # ------------------------------------------------------------------ steps

    def run(self) -> None:
        self.inventory()
        self.check_bagit_txt()
        if "data" not in self.dirs:
            self.error("data/: the payload folder is missing")
        info = self.check_bag_info()
        manifests = self.load_manifests()
        fetch = self.check_fetch(manifests)
        self.check_payload(manifests, fetch)
        self.check_tag_manifests(manifests)
        self.check_oxum(info, fetch)
        self.check_names()

    def inventory(self) -> None:
        """Every file and folder under the bag, links refused (never followed)."""
        stack = [""]
        while stack:
            prefix = stack.pop()
            try:
                entries = list(os.scandir(self.root / prefix if prefix else self.root))
            except OSError as exc:
                self.error(f"{prefix or '.'}: cannot list: {exc.strerror or exc}")
                continue
            for entry in entries:
                rel = f"{prefix}{entry.name}"
                if entry.is_symlink():
                    self.error(f"{rel}: a symbolic link (bags must not hold links; not followed)")
                elif entry.is_dir(follow_symlinks=False):
                    self.dirs.add(rel)
                    stack.append(rel + "/")
                elif entry.is_file(follow_symlinks=False):
                    self.files[rel] = entry.stat(follow_symlinks=False).st_size
                else:
                    self.error(f"{rel}: not a regular file or folder")
        for rel in self.files:
            if any(0xDC80 <= ord(c) <= 0xDCFF for c in rel):
                self.warn(f"{rel!r}: the file name is not valid UTF-8")

    def check_bagit_txt(self) -> None:
        if "bagit.txt" not in self.files:
            self.error("bagit.txt: missing")
            return
        data = self.read("bagit.txt")
        if data.startswith(codecs.BOM_UTF8):
            self.error("bagit.txt: starts with a byte-order mark (it must be UTF-8 without one)")
            data = data[len(codecs.BOM_UTF8):]
        try:
            lines = split_lines(data.decode("utf-8"))
        except UnicodeDecodeError:
            self.error("bagit.txt: not UTF-8")
            return
        if len(lines) != 2:
            self.error(f"bagit.txt: must be exactly two lines, found {len(lines)}")
        version = _VERSION_LINE.match(lines[0]) if lines else None
        if version is None:
            self.error(f"bagit.txt: line 1 must be 'BagIt-Version: M.N', found "
                       f"{lines[0] if lines else ''!r}")
        else:
            self.version = (int(version.group(1)), int(version.group(2)))
            self.report.version = f"{self.version[0]}.{self.version[1]}"
            if self.version not in KNOWN_VERSIONS:
                self.warn(f"bagit.txt: unknown BagIt-Version {self.report.version}; "
                          "checked by the rules of 1.0")
        encoding = _ENCODING_LINE.match(lines[1]) if len(lines) > 1 else None
        if encoding is None:
            self.error("bagit.txt: line 2 must be 'Tag-File-Character-Encoding: ENCODING', "
                       f"found {lines[1] if len(lines) > 1 else ''!r}")
            return
        name = encoding.group(1)
        try:
            self.encoding = codecs.lookup(name).name
        except LookupError:
            self.error(f"bagit.txt: unknown Tag-File-Character-Encoding {name!r}")
            return
        self.report.encoding = name
        if self.encoding != "utf-8" and self.v1:
            self.warn(f"bagit.txt: tag files are {name}; BagIt 1.0 recommends UTF-8")

    def check_bag_info(self) -> list[tuple[str, str]]:
        name = "bag-info.txt"
        if name not in self.files and self.version < (0, 96) and "package-info.txt" in self.files:
            name = "package-info.txt"
        if name not in self.files:
            return []
        text = self.tag_text(name)
        if text is None:
            return []
        elements: list[tuple[str, str]] = []
        for number, line in enumerate(split_lines(text), 1):
            where = f"{name}: line {number}"
            if not line.strip():
                self.warn(f"{where}: blank line")
            elif line[0] in " \t":
                if not elements:
                    self.error(f"{where}: continuation line without an element before it")
                else:
                    label, value = elements[-1]
                    elements[-1] = (label, f"{value} {line.strip()}".strip())
            elif ":" not in line:
                self.error(f"{where}: not a 'Label: value' line: {line!r}")
            else:
                label, value = line.split(":", 1)
                if self.v1 and label != label.strip():
                    self.error(f"{where}: the label {label!r} starts or ends with whitespace")
                if self.v1 and value and value[0] not in " \t":
                    self.warn(f"{where}: no space after the colon")
                if not label.strip():
                    self.error(f"{where}: empty label")
                elements.append((label.strip(), value.strip()))
        self.report.info = elements
        return elements

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

    def check_oxum(self, info: list[tuple[str, str]], fetch: dict[str, int | None]) -> None:
        values = [v for k, v in info if k.lower() == "payload-oxum"]
        if len(values) > 1:
            self.warn("bag-info.txt: Payload-Oxum appears more than once")
        files, octets = self.report.payload_files, self.report.payload_bytes
        unfetched = [length for path, length in fetch.items() if path not in self.files]
        for value in values:
            match = _OXUM.match(value)
            if match is None:
                self.error(f"bag-info.txt: Payload-Oxum {value!r} is not 'octets.files'")
                continue
            want_octets, want_files = int(match.group(1)), int(match.group(2))
            if want_files != files + len(unfetched):
                self.error(f"bag-info.txt: Payload-Oxum says {want_files} files, the payload "
                           f"has {files + len(unfetched)}")
            if None in unfetched:
                continue  # sizes of files still to fetch are unknown
            total = octets + sum(n for n in unfetched if n is not None)
            if want_octets != total:
                self.error(f"bag-info.txt: Payload-Oxum says {want_octets} octets, the payload "
                           f"has {total}")

    def check_names(self) -> None:
        """Operating-system litter and names that collide on other file systems."""
        folded: dict[str, str] = {}
        for path in sorted(self.files):
            if not path.startswith("data/"):
                continue
            base = path.rsplit("/", 1)[-1]
            if base.lower() in SYSTEM_FILES or base.startswith("._"):
                self.warn(f"{path}: an operating-system file ({base})")
            key = _fold(path)
            if key in folded:
                self.warn(f"{path} and {folded[key]} differ only in case or Unicode "
                          "normalization (they collide on some file systems)")
            folded.setdefault(key, path)


def path_problem(path: str) -> str | None:
    """Why a manifest or fetch path is unsafe or malformed, or ``None``."""
    if not path:
        return "empty path"
    if "\x00" in path:
        return "NUL character in the path"
    if path.startswith("/"):
        return "absolute path (outside the bag)"
    if path.startswith("~"):
        return "home-folder shortcut '~' (outside the bag)"
    if re.match(r"[A-Za-z]:[\\/]|\\\\|%[A-Za-z]+%", path):
        return "Windows absolute path (outside the bag)"
    parts = path.split("/")
    if ".." in parts:
        return "'..' leaves the bag"
    if "." in parts or "" in parts:
        return "not a normalized relative path ('.' or empty segment)"
    return None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _fold(text: str) -> str:
    return _nfc(_nfc(text).casefold())
