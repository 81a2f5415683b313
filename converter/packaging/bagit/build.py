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
      data/ro-crate-metadata.json  RO-Crate 1.3: data/ is the crate's root (packaging/rocrate.py)
      data/original/<input name>   the input, byte for byte
      data/article.json, .md, .xml, .epub   the renditions asked for
      data/media/...               the article's resources, at their own relative paths

The bag is written from read-only inputs into a temporary folder beside the destination
(``.<name>.*.converter-part``), re-read and verified, and only then renamed into place, so an
interrupted run leaves no partial bag. Names are NFC-normalized; two names that collide after
normalization are refused. Every file is 0644, every folder 0755, every time the build time.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

from lxml import etree

from ..._version import __version__
from ...errors import PackageError
from ...fsutil import atomic_directory, temp_dir_beside
from ...model import Article, Diagnostic
from ...options import WriteOptions, build_time, source_date_epoch
from ...registry import Check, Rendition
from ..contents import Contents, PackageFile, prepare
from ..identify import Tool
from ..mets import mets_xml
from ..premis import premis_bytes, premis_tree
from ..record import FileRecord, PremisContext, file_records, tool_versions
from ..rocrate import crate_file
from .manifest import digest_bytes, manifest_bytes
from .profile import APTRUST_ACCESS, APTRUST_STORAGE, BagSettings, resolve
from .serialize import SUFFIXES, bag_name_for, write_archive
from .verify import verify_bag

BAG_SOFTWARE_AGENT = f"article-converter {__version__}"
DEFAULT_ORGANIZATION = "unspecified"
PREMIS_PATH = "metadata/premis.xml"
METS_PATH = "metadata/mets.xml"
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


class _Builder:
    """Writes one bag into an empty folder the caller owns."""

    def __init__(self, article: Article, root: Path, bag_name: str, options: WriteOptions,
                 settings: BagSettings, renditions: Mapping[str, Rendition]) -> None:
        self.article = article
        self.root = root
        self.bag_name = bag_name
        self.options = options
        self.settings = settings
        self.clock = bag_clock(options)
        self.algorithms = settings.algorithms
        self.contents = Contents(article, options, renditions, self.algorithms, self.diagnose,
                                 prefix="data/", noun="bag")
        self.digests: dict[str, dict[str, str]] = {}  # bag path -> algorithm -> hex
        self.sizes: dict[str, int] = {}
        self.tag_files: dict[str, bytes] = {}
        #: what the bag writer itself reported (the PREMIS package-creation event lists it)
        self.package_diagnostics: list[Diagnostic] = []

    def build(self) -> None:
        prov = self.article.provenance
        read_diagnostics = list(prov.diagnostics) if prov else []
        organization = self.options.bag.source_organization
        if not organization:
            self.diagnose("info", "bag-no-organization", "no source organization given; "
                          f"bag-info.txt says '{DEFAULT_ORGANIZATION}'")
        payload = self.contents.plan()
        for item in payload:
            self.contents.write(item, self.root)
            self.digests[item.path], self.sizes[item.path] = item.digests, item.size
        records, identifier = self.add_crate(payload, organization)
        self.tag("bagit.txt", b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
        self.tag("bag-info.txt", self.bag_info(organization or DEFAULT_ORGANIZATION))
        if self.settings.aptrust:
            self.tag("aptrust-info.txt", _tag_lines([
                ("Title", _one_line(self.article.title) or "(untitled)"),
                ("Access", APTRUST_ACCESS), ("Storage-Option", APTRUST_STORAGE)]))
        for algorithm in self.algorithms:
            self.tag(f"manifest-{algorithm}.txt", manifest_bytes(
                {path: sums[algorithm] for path, sums in self.digests.items()}))
        check = self.verify_payload()
        ctx = PremisContext(
            bag_name=self.bag_name, when=self.clock, algorithms=self.algorithms, files=records,
            read_diagnostics=tuple(read_diagnostics), organization=organization,
            source_relative=self.options.source_relative,
            original_matches=self.contents.original_matches,
            package_diagnostics=tuple(self.package_diagnostics), checks=(check,),
            identifier=identifier, tools=tool_versions(self.article, records))
        try:
            premis = premis_tree(self.article, ctx)  # built once: METS embeds the same record
            self.tag(PREMIS_PATH, premis_bytes(premis))
            self.tag(METS_PATH, mets_xml(self.article, ctx, premis=premis))
        except (ValueError, etree.Error) as exc:
            raise PackageError(f"cannot write the PREMIS and METS records: {exc}") from exc
        tag_sums = {path: digest_bytes(data, self.algorithms)
                    for path, data in self.tag_files.items()}
        for algorithm in self.algorithms:
            self.tag(f"tagmanifest-{algorithm}.txt", manifest_bytes(
                {path: sums[algorithm] for path, sums in tag_sums.items()}), listed=False)
        self.fix_times()

    def add_crate(self, payload: list[PackageFile], organization: str | None
                  ) -> tuple[list[FileRecord], Tool | None]:
        """Identify the content, then describe it in ``data/ro-crate-metadata.json`` (with the
        PUIDs found), which is payload too: the records returned hold every payload file."""
        records, identifier = file_records(payload, self.root)
        found = [r.identification for r in records]
        puids = {r.path: i.puid for r, i in zip(records, found, strict=True) if i and i.known}
        names = {i.puid: f"{i.format} {i.version}".strip() for i in found if i and i.known}
        crate = crate_file(self.article, payload, self.clock, prefix="data/", puids=puids,
                           format_names=names, organization=organization)
        self.contents.write(crate, self.root)
        self.digests[crate.path], self.sizes[crate.path] = crate.digests, crate.size
        crate_records, tool = file_records([crate], self.root)
        return [*records, *crate_records], identifier or tool

    def verify_payload(self) -> Check:
        """Verify the bag as it stands before its records are added (payload, manifests,
        Payload-Oxum): a file that changed on disk since it was written is caught here, and the
        result is the bag's validation event in PREMIS. The finished bag is verified again."""
        report = verify_bag(self.root)
        if not report.valid:
            more = f" (and {len(report.errors) - 1} more)" if len(report.errors) > 1 else ""
            raise PackageError(f"the new bag failed verification: {report.errors[0]}{more}")
        return Check("bagit", "article-converter BagIt verifier", __version__, True,
                     "RFC 8493 verification of the bag's payload: every file listed in every "
                     "manifest, every checksum recomputed, Payload-Oxum matched (the finished bag "
                     "is verified again before it is put in place)", tuple(report.warnings))

    def diagnose(self, level: Literal["info", "warning", "error"], code: str,
                 message: str) -> None:
        """Note a problem; the pipeline records it in the article's provenance."""
        self.package_diagnostics.append(Diagnostic(level, code, message))

    def prepare(self, rel: str) -> Path:
        return prepare(self.root, rel)

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


__all__ = ["bag_clock", "destination_for", "human_size", "write_bag"]
