"""The bag as a folder of tag files: the state one verification keeps, its inventory, and the
checks of ``bagit.txt``, ``bag-info.txt`` (with Payload-Oxum) and file names (RFC 8493 sections
2.1, 2.2, 4 and 7)."""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .manifest import (
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


@dataclass
class _Manifest:
    name: str
    algorithm: str
    tag: bool
    #: path -> digest (lowercase); the first line wins, duplicates are reported
    entries: dict[str, str] = field(default_factory=dict)


class BagFolder:
    """One verification of an unpacked bag folder; results go into the report.

    This part knows the folder and its tag files; :class:`ManifestChecks` adds the manifests.
    """

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
