"""One record of an article's package, whatever the package's layout (a bag, an OCFL version):
the files with their fixity and format identification, the checks that ran, the tools that ran
them. PREMIS (:mod:`.premis`) and METS (:mod:`.mets`) are two views of this record; every
packaging writer builds it once with :func:`build_record`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..model import Article, Diagnostic
from ..registry import Check
from .contents import PackageFile
from .identify import Identification, Tool, identify_files
from .identify import tool as siegfried


@dataclass(frozen=True)
class FileRecord:
    """One file of the package as the record describes it."""

    path: str
    size: int
    digests: Mapping[str, str]
    media_type: str
    #: ``original``, ``rendition`` or ``media``
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
                          f.checks)
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
