"""Build one article's bag (RFC 8493, BagIt 1.0), verify it, then move it into place.

Layout (see docs/bagit.md)::

    <stem>.bag/
      bagit.txt                    BagIt-Version: 1.0, Tag-File-Character-Encoding: UTF-8
      bag-info.txt                 Source-Organization ... BagIt-Profile-Identifier
      aptrust-info.txt             only with profile="aptrust"
      manifest-sha512.txt          one per algorithm, lines sorted by path
      manifest-sha256.txt
      tagmanifest-sha512.txt       every tag file, same algorithms
      tagmanifest-sha256.txt
      metadata/premis.xml          PREMIS 3 provenance
      data/original/<input name>   the input, byte for byte
      data/article.json, .md, .xml, .epub   the renditions asked for
      data/media/...               the article's resources, at their own relative paths

The bag is written from read-only inputs into a temporary folder beside the destination
(``.<name>.*.converter-part``), re-read and verified, and only then renamed into place, so an
interrupted run leaves no partial bag. Names are NFC-normalized; two names that collide after
normalization are refused. Every file is 0644, every folder 0755, every time the build time.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO, Literal

from lxml import etree

from ..._version import __version__
from ...errors import PackageError
from ...fsutil import atomic_directory, temp_dir_beside
from ...model import Article, Diagnostic
from ...options import WriteOptions, build_time, source_date_epoch
from ...registry import Rendition
from ..premis import FileRecord, PremisContext, premis_xml
from .manifest import digest_bytes, digest_stream, manifest_bytes
from .profile import APTRUST_ACCESS, APTRUST_STORAGE, BagSettings, resolve
from .serialize import SUFFIXES, bag_name_for, write_archive
from .verify import path_problem, verify_bag

BAG_SOFTWARE_AGENT = f"article-converter {__version__}"
DEFAULT_ORGANIZATION = "unspecified"
PREMIS_PATH = "metadata/premis.xml"
_SPACE = re.compile(r"\s+")


def destination_for(out_dir: Path, stem: str, settings: BagSettings) -> Path:
    """``<stem>.bag`` for a folder, ``<stem>.bag.tar`` / ``.bag.tgz`` / ``.bag.zip`` otherwise."""
    return out_dir / f"{stem}.bag{SUFFIXES.get(settings.serialization, '')}"


def bag_clock(options: WriteOptions) -> datetime:
    """The one time the bag uses: the project clock, or midnight of an explicit Bagging-Date.

    Unlike a rendition, a bag is dated when it is made: the article's own date is no fallback.
    """
    if options.build_time is None and source_date_epoch() is None and options.bag.bagging_date:
        return datetime.combine(date.fromisoformat(options.bag.bagging_date), datetime.min.time(),
                                UTC)
    return build_time(options)


def write_bag(article: Article, destination: Path, options: WriteOptions,
              renditions: Mapping[str, Rendition]) -> list[Diagnostic]:
    """Build the bag at ``destination`` (a folder, or an archive per the serialization) from the
    renditions the pipeline made; return what the bag writer noticed."""
    settings = resolve(options.bag)
    destination = Path(destination)
    if settings.serialization == "dir":
        with atomic_directory(destination) as tmp:
            builder = _Builder(article, tmp, destination.name, options, settings, renditions)
            builder.build()
            _require_valid(tmp, destination)
        return builder.package_diagnostics
    work = temp_dir_beside(destination)
    try:
        bag_dir = work / bag_name_for(destination.name)
        bag_dir.mkdir(mode=0o755)
        builder = _Builder(article, bag_dir, bag_dir.name, options, settings, renditions)
        builder.build()
        _require_valid(bag_dir, destination)
        archive = work / destination.name
        try:
            write_archive(bag_dir, archive, settings.serialization, builder.clock)
        except OSError as exc:
            raise PackageError(f"cannot write the archive: {exc}", file=str(destination)) from exc
        os.chmod(archive, 0o644)
        _require_valid(archive, destination)
        if destination.is_dir() and not destination.is_symlink():
            raise PackageError("a folder is in the way of the archive", file=str(destination))
        os.replace(archive, destination)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return builder.package_diagnostics


def _require_valid(path: Path, destination: Path) -> None:
    report = verify_bag(path)
    if not report.valid:
        more = f" (and {len(report.errors) - 1} more)" if len(report.errors) > 1 else ""
        raise PackageError(f"the new bag failed verification: {report.errors[0]}{more}",
                           file=str(destination))


@dataclass
class _Payload:
    path: str
    role: str
    media_type: str
    data: bytes | None = None
    source: Path | None = None
    note: str | None = None
    original_name: str | None = None
    writer: str | None = None
    writer_version: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)


class _Builder:
    """Writes one bag into an empty folder the caller owns."""

    def __init__(self, article: Article, root: Path, bag_name: str, options: WriteOptions,
                 settings: BagSettings, renditions: Mapping[str, Rendition]) -> None:
        self.article = article
        self.root = root
        self.bag_name = bag_name
        self.options = options
        self.settings = settings
        self.made = renditions
        self.clock = bag_clock(options)
        self.algorithms = settings.algorithms
        self.digests: dict[str, dict[str, str]] = {}  # bag path -> algorithm -> hex
        self.sizes: dict[str, int] = {}
        self.tag_files: dict[str, bytes] = {}
        self.original_matches: bool | None = None
        #: what the bag writer itself reported (the PREMIS package-creation event lists it)
        self.package_diagnostics: list[Diagnostic] = []

    def build(self) -> None:
        prov = self.article.provenance
        read_diagnostics = list(prov.diagnostics) if prov else []
        organization = self.options.bag.source_organization
        if not organization:
            self.diagnose("info", "bag-no-organization", "no source organization given; "
                          f"bag-info.txt says '{DEFAULT_ORGANIZATION}'")
        payload = [*self.renditions(), *self.resources(), *self.original()]
        self.check_names(payload)
        for item in payload:
            self.write_payload(item)
        records = [FileRecord(p.path, self.sizes[p.path], self.digests[p.path], p.media_type,
                              p.role, p.original_name, p.writer, p.writer_version,
                              tuple(p.diagnostics), p.note) for p in payload]
        ctx = PremisContext(
            bag_name=self.bag_name, when=self.clock, algorithms=self.algorithms, files=records,
            read_diagnostics=tuple(read_diagnostics), organization=organization,
            source_relative=self.options.source_relative, original_matches=self.original_matches,
            package_diagnostics=tuple(self.package_diagnostics))
        try:
            record = premis_xml(self.article, ctx)
        except (ValueError, etree.Error) as exc:
            raise PackageError(f"cannot write the PREMIS record: {exc}") from exc
        self.tag(PREMIS_PATH, record)
        self.tag("bagit.txt", b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
        self.tag("bag-info.txt", self.bag_info(organization or DEFAULT_ORGANIZATION))
        if self.settings.aptrust:
            self.tag("aptrust-info.txt", _tag_lines([
                ("Title", _one_line(self.article.title) or "(untitled)"),
                ("Access", APTRUST_ACCESS), ("Storage-Option", APTRUST_STORAGE)]))
        for algorithm in self.algorithms:
            self.tag(f"manifest-{algorithm}.txt", manifest_bytes(
                {path: sums[algorithm] for path, sums in self.digests.items()}))
        tag_sums = {path: digest_bytes(data, self.algorithms)
                    for path, data in self.tag_files.items()}
        for algorithm in self.algorithms:
            self.tag(f"tagmanifest-{algorithm}.txt", manifest_bytes(
                {path: sums[algorithm] for path, sums in tag_sums.items()}), listed=False)
        self.fix_times()

    def diagnose(self, level: Literal["info", "warning", "error"], code: str,
                 message: str) -> None:
        """Note a problem; the pipeline records it in the article's provenance."""
        self.package_diagnostics.append(Diagnostic(level, code, message))

    # ------------------------------------------------------------------ payload

    def renditions(self) -> list[_Payload]:
        """One payload file per rendition, each writer once (``md`` and ``markdown`` are one)."""
        items: list[_Payload] = []
        seen: set[str] = set()
        for rendition in self.made.values():
            if rendition.writer in seen:
                continue
            seen.add(rendition.writer)
            if not rendition.extension:
                raise PackageError(f"a {rendition.format!r} rendition cannot go into a bag: it "
                                   "is not a single file")
            name = f"data/article{rendition.extension}"
            items.append(_Payload(
                name, "rendition", _media_type(name), data=rendition.data,
                note=rendition.description or None, writer=rendition.writer,
                writer_version=rendition.version, diagnostics=list(rendition.diagnostics)))
        return items

    def resources(self) -> list[_Payload]:
        types = {m.path: m.media_type for m in self.article.media}
        items = []
        for key in sorted(self.article.resources):
            problem = path_problem(key) if isinstance(key, str) else "not a string"
            if problem:
                raise PackageError(f"media file {key!r}: {problem}")
            items.append(_Payload(f"data/{key}", "media",
                                  types.get(key) or _media_type(key),
                                  data=bytes(self.article.resources[key])))
        for media in self.article.media:
            if media.path not in self.article.resources and "://" not in media.path:
                self.diagnose("warning", "bag-media-missing",
                              f"media file {media.path} has no bytes; not in the bag")
        return items

    def original(self) -> list[_Payload]:
        source = self.options.source_path
        prov = self.article.provenance
        if source is None:
            self.diagnose("warning", "bag-no-original",
                          "the original file is unknown; the bag holds renditions only")
            return []
        name = Path(source).name
        readable = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        if readable != name:
            self.diagnose("warning", "bag-original-name",
                          f"the input's file name is not UTF-8; packed as {readable!r}")
            name = readable
        reader = prov.format if prov and prov.format else None
        return [_Payload(f"data/original/{name}", "original", _media_type(name),
                         source=Path(source), original_name=name,
                         note=f"read as {reader}" if reader else None)]

    def check_names(self, payload: Sequence[_Payload]) -> None:
        """NFC names, no traversal, no two names that collide (also after normalization)."""
        seen: dict[str, str] = {}
        for item in payload:
            nfc = unicodedata.normalize("NFC", item.path)
            problem = path_problem(nfc) or _not_utf8(nfc)
            if problem:
                raise PackageError(f"{item.path!r}: {problem}")
            if nfc in seen:
                same = "" if seen[nfc] == item.path else " after Unicode normalization"
                raise PackageError(f"{item.path!r} and {seen[nfc]!r} collide{same}")
            seen[nfc] = item.path
            item.path = nfc
        names = set(seen)
        for name in names:
            parts = name.split("/")
            for i in range(1, len(parts)):
                if "/".join(parts[:i]) in names:
                    raise PackageError(f"{name!r} would need {'/'.join(parts[:i])!r} to be both "
                                       "a file and a folder")

    def write_payload(self, item: _Payload) -> None:
        target = self.prepare(item.path)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as out:
                os.fchmod(out.fileno(), 0o644)
                if item.data is not None:
                    out.write(item.data)
                    sums = digest_bytes(item.data, self.algorithms)
                    size = len(item.data)
                else:
                    assert item.source is not None
                    sums, size = self.copy_original(item.source, out)
        except OSError as exc:
            raise PackageError(f"cannot write {item.path}: {exc.strerror or exc}") from exc
        self.digests[item.path] = sums
        self.sizes[item.path] = size

    def copy_original(self, source: Path, out: BinaryIO) -> tuple[dict[str, str], int]:
        """Copy the input byte for byte (never through a link), hashing as it streams."""
        try:
            fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise PackageError("the input is a symbolic link; bags never follow links",
                                   file=str(source)) from exc
            raise PackageError(f"cannot read the original: {exc.strerror or exc}",
                               file=str(source)) from exc
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise PackageError("the original is not a regular file", file=str(source))
            wanted = tuple(dict.fromkeys((*self.algorithms, "sha256")))
            sums, size = digest_stream(handle, wanted, copy_to=out)
        recorded = self.article.provenance.sha256 if self.article.provenance else None
        if recorded:
            if sums["sha256"] != recorded:
                raise PackageError("the input changed since it was read (its SHA-256 differs "
                                   "from the one recorded when parsing)", file=str(source))
            self.original_matches = True
        return {a: sums[a] for a in self.algorithms}, size

    def prepare(self, rel: str) -> Path:
        """The target path of a bag file, creating its folders (0755)."""
        target = self.root.joinpath(*rel.split("/"))
        folder = self.root
        for part in rel.split("/")[:-1]:
            folder = folder / part
            if not folder.is_dir():
                folder.mkdir(mode=0o755)
                os.chmod(folder, 0o755)
        return target

    # ------------------------------------------------------------------ tag files

    def tag(self, rel: str, data: bytes, *, listed: bool = True) -> None:
        target = self.prepare(rel)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as out:
                os.fchmod(out.fileno(), 0o644)
                out.write(data)
        except OSError as exc:
            raise PackageError(f"cannot write {rel}: {exc.strerror or exc}") from exc
        if listed:
            self.tag_files[rel] = data

    def bag_info(self, organization: str) -> bytes:
        octets = sum(self.sizes.values())
        bagging_date = self.options.bag.bagging_date or self.clock.date().isoformat()
        source = self.options.source_relative or (
            self.options.source_path.name if self.options.source_path else None)
        elements = [
            ("Source-Organization", _one_line(organization)),
            ("Bagging-Date", bagging_date),
            ("Payload-Oxum", f"{octets}.{len(self.sizes)}"),
            ("Bag-Size", human_size(octets)),
            ("External-Identifier", _one_line(self.article.id or self.article.content_id())),
            ("External-Description", _one_line(self.article.title) or "(untitled)"),
            ("Internal-Sender-Identifier", _one_line(source) if source else None),
            ("Bag-Software-Agent", BAG_SOFTWARE_AGENT),
            ("BagIt-Profile-Identifier", self.settings.profile_identifier),
        ]
        return _tag_lines([(k, v) for k, v in elements if v])

    def fix_times(self) -> None:
        """Every file and folder gets the build time (folders last, deepest first)."""
        stamp = max(0, int(self.clock.timestamp()))
        folders: list[Path] = []
        for folder, dirnames, filenames in os.walk(self.root):
            for name in filenames:
                os.utime(os.path.join(folder, name), (stamp, stamp), follow_symlinks=False)
            folders.extend(Path(folder) / d for d in dirnames)
        for folder_path in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            os.utime(folder_path, (stamp, stamp), follow_symlinks=False)
        os.chmod(self.root, 0o755)
        os.utime(self.root, (stamp, stamp), follow_symlinks=False)


def _tag_lines(elements: Sequence[tuple[str, str | None]]) -> bytes:
    text = "".join(f"{label}: {value}\n" for label, value in elements)
    return text.encode("utf-8", "replace")  # a lone surrogate in a title becomes '?'


def _not_utf8(path: str) -> str | None:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return "not encodable as UTF-8 (a lone surrogate)"
    return None


def _one_line(text: str) -> str:
    """A tag value on one line: control characters and line breaks become single spaces."""
    cleaned = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    return _SPACE.sub(" ", cleaned).strip()


def human_size(octets: int) -> str:
    """``Bag-Size`` as people write it: ``812 B``, ``3.4 KB``, ``1.2 GB`` (decimal units)."""
    if octets < 1000:
        return f"{octets} B"
    value = float(octets)
    for unit in ("KB", "MB", "GB", "TB", "PB"):
        value /= 1000
        if value < 1000 or unit == "PB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


#: media types by extension; a fixed table (not the system's mime.types) keeps bags reproducible
_TYPES = {
    ".json": "application/json", ".md": "text/markdown", ".markdown": "text/markdown",
    ".xml": "application/xml", ".nxml": "application/xml", ".epub": "application/epub+zip",
    ".txt": "text/plain", ".text": "text/plain", ".html": "text/html", ".htm": "text/html",
    ".xhtml": "application/xhtml+xml", ".pdf": "application/pdf", ".rtf": "application/rtf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text", ".tex": "application/x-tex",
    ".rst": "text/x-rst", ".org": "text/x-org", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp",
    ".tif": "image/tiff", ".tiff": "image/tiff", ".css": "text/css",
}


def _media_type(name: str) -> str:
    return _TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")


__all__ = ["bag_clock", "destination_for", "human_size", "write_bag"]
