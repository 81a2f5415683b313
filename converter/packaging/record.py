"""One record of an article's package, whatever the package's layout (a bag, an OCFL version):
the files with their fixity and format identification, the checks that ran, the tools that ran
them. PREMIS (:mod:`.premis`) and METS (:mod:`.mets`) are two views of this record; every
packaging writer builds it once with :func:`build_record`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..model import Article, Diagnostic, add_once
from ..options import WriteOptions
from ..registry import Check, Rendition
from .contents import PackageFile, media_type
from .identify import Identification, Tool, identify_bytes, identify_files
from .identify import tool as siegfried


@dataclass(frozen=True)
class FileRecord:
    """One file of the package as the record describes it."""

    path: str
    size: int
    digests: Mapping[str, str]
    media_type: str
    #: ``original``, ``rendition``, ``media`` or ``metadata`` (the RO-Crate)
    role: str
    #: the file's name before it was packed (the original's own name)
    original_name: str | None = None
    #: the writer that made a rendition, its version, and what it reported
    writer: str | None = None
    writer_version: str | None = None
    diagnostics: Sequence[Diagnostic] = ()
    note: str | None = None
    #: what Siegfried says the file is (None: not identified)
    identification: Identification | None = None
    #: the checks the file passed or failed (JATS DTD, EPUBCheck, fidelity read-back)
    checks: Sequence[Check] = ()
    #: an original's path relative to the input root
    relative: str | None = None


@dataclass(frozen=True)
class PremisContext:
    """What the record needs besides the article."""

    #: the package's name and what kind of package it is
    bag_name: str
    when: datetime
    algorithms: Sequence[str]
    files: Sequence[FileRecord]
    #: the reader's diagnostics (before any writer ran)
    read_diagnostics: Sequence[Diagnostic] = ()
    organization: str | None = None
    source_relative: str | None = None
    #: does the original still hash to the provenance's sha256? (None: nothing to compare)
    original_matches: bool | None = None
    #: what the packaging writer itself reported
    package_diagnostics: Sequence[Diagnostic] = ()
    #: ``BagIt 1.0 bag (RFC 8493)``, ``OCFL 1.1 object version v2``, ...
    package_kind: str = "BagIt 1.0 bag (RFC 8493)"
    #: checks of the package itself (the bag's verification)
    checks: Sequence[Check] = ()
    #: the identification tool, when files were identified
    identifier: Tool | None = None
    #: versions of other tools that took part (``pandoc``: the version the reader ran)
    tools: Mapping[str, str] = field(default_factory=dict)


def file_records(files: Sequence[PackageFile], root: Path, identify: bool = True
                 ) -> tuple[list[FileRecord], Tool | None]:
    """Records of written package files (``root``: the folder their paths are relative to),
    identified with Siegfried."""
    identifications: list[Identification | None] = [None] * len(files)
    tool = None
    if identify and files:
        found = identify_files([root.joinpath(*f.path.split("/")) for f in files],
                               [f.digests.get("sha256") for f in files])
        identifications = list(found)
        tool = siegfried()
    records = [FileRecord(f.path, f.size, f.digests, f.media_type, f.role, f.original_name,
                          f.writer, f.writer_version, tuple(f.diagnostics), f.note, ident,
                          f.checks, f.relative)
               for f, ident in zip(files, identifications, strict=True)]
    return records, tool


def tool_versions(article: Article, files: Sequence[FileRecord]) -> dict[str, str]:
    """Versions of the outside tools that took part: pandoc, when it read the input or wrote a
    rendition."""
    prov = article.provenance
    used = (prov is not None and prov.reader in ("pandoc", "markdown", "html")) or any(
        f.writer and f.writer.startswith("pandoc:") for f in files)
    if not used:
        return {}
    from ..pandoc.run import pandoc_version

    return {"pandoc": pandoc_version()}


def beside_records(article: Article, options: WriteOptions, renditions: Mapping[str, Rendition],
                   stem: str, folder: Path, noticed: list[Diagnostic]) -> list[FileRecord]:
    """Records of the files one conversion wrote side by side in ``folder`` (``<stem>.json``,
    ``media/...``) and of its original (its path relative to ``folder``), for a METS beside."""
    records: list[FileRecord] = []
    source = options.source_path
    if source is not None and source.is_file():
        data = source.read_bytes()
        name = os.path.relpath(source, folder).replace(os.sep, "/")
        records.append(_record(name, data, "original", media_type(source.name),
                               original_name=source.name))
    for rendition in renditions.values():
        records.append(_record(f"{stem}{rendition.extension}", rendition.data, "rendition",
                               media_type(f"x{rendition.extension}"), writer=rendition.writer,
                               writer_version=rendition.version,
                               diagnostics=rendition.diagnostics, checks=rendition.checks,
                               note=rendition.description or None))
    for path, data in sorted(article.resources.items()):
        records.append(_record(path, bytes(data), "media", media_type(path)))
    for record in records:
        if record.identification is not None and not record.identification.known:
            add_once(noticed, Diagnostic("warning", "format-unidentified",
                                         f"{record.path}: Siegfried cannot identify it "
                                         f"({record.identification.warning})"))
    return records


def _record(path: str, data: bytes, role: str, kind: str, **fields: Any) -> FileRecord:
    digests = {"sha512": hashlib.sha512(data).hexdigest(),
               "sha256": hashlib.sha256(data).hexdigest()}
    return FileRecord(path, len(data), digests, kind, role,
                      identification=identify_bytes(data, path), **fields)
