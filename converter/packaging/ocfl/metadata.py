"""The metadata files of an OCFL version: what describes the article's content, stored as
content beside it (OCFL 1.1 section 3: an object carries its own metadata).

:func:`metadata_files` is the one place that makes them, from the package record every
packaging writer builds (:mod:`converter.packaging.record`): ``metadata/premis.xml`` (PREMIS 3)
and ``metadata/mets.xml`` (METS 1.12.1 with PREMIS inside), the same two views the bag carries,
here about the version's logical files (paths relative to the version's logical root).
and RO-Crate's ``ro-crate-metadata.json`` at the logical root (RO-Crate 1.3: the crate's root is
the folder its metadata file sits in).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lxml import etree

from ...errors import PackageError
from ...model import Article, Diagnostic
from ...options import WriteOptions
from ...registry import Check
from ..bagit.manifest import digest_bytes
from ..contents import PackageFile
from ..identify import identify_bytes
from ..mets import mets_xml
from ..premis import premis_xml
from ..record import FileRecord, PremisContext, file_records, tool_versions
from ..rocrate import CRATE_FILE, crate_file

#: where the metadata files go in each version's logical state
METADATA_FOLDER = "metadata/"
PREMIS_PATH = METADATA_FOLDER + "premis.xml"
METS_PATH = METADATA_FOLDER + "mets.xml"
#: the metadata files, which describe the content: they alone never make a new version
RECORD_FILES = frozenset({PREMIS_PATH, METS_PATH, CRATE_FILE})


@dataclass(frozen=True)
class VersionRecord:
    """What the metadata describes: one version of one object."""

    object_id: str
    version: str
    when: datetime
    #: the version's content files (original, renditions, media), written, with digests
    files: Sequence[PackageFile]
    #: the folder they were written to (at their logical paths), for identification
    folder: Path
    algorithms: Sequence[str]
    options: WriteOptions
    #: does the original still hash to the reader's SHA-256? (None: nothing to compare)
    original_matches: bool | None = None
    #: what the OCFL writer itself reported
    package_diagnostics: Sequence[Diagnostic] = ()
    #: checks of the version itself (its content re-read before the commit)
    checks: Sequence[Check] = ()


def metadata_files(article: Article, record: VersionRecord) -> dict[str, bytes]:
    """The metadata files of one version, by logical path: the RO-Crate at the version's
    logical root (the crate describes the content beside it, as in a bag's data/), then PREMIS
    and METS, which list the crate like any file."""
    prov = article.provenance
    files, identifier = file_records(record.files, record.folder)
    found = [f.identification for f in files]
    puids = {f.path: i.puid for f, i in zip(files, found, strict=True) if i and i.known}
    names = {i.puid: f"{i.format} {i.version}".strip() for i in found if i and i.known}
    crate = crate_file(article, record.files, record.when, puids=puids, format_names=names,
                       organization=record.options.bag.source_organization)
    assert crate.data is not None
    files.append(FileRecord(crate.path, len(crate.data), digest_bytes(
        crate.data, record.algorithms), crate.media_type, crate.role, note=crate.note,
        identification=identify_bytes(crate.data, crate.path)))
    ctx = PremisContext(
        bag_name=record.object_id, when=record.when, algorithms=record.algorithms, files=files,
        read_diagnostics=tuple(prov.diagnostics) if prov else (),
        organization=record.options.bag.source_organization,
        source_relative=record.options.source_relative,
        original_matches=record.original_matches,
        package_diagnostics=tuple(record.package_diagnostics),
        package_kind=f"OCFL 1.1 object version {record.version}", checks=tuple(record.checks),
        identifier=identifier, tools=tool_versions(article, files))
    try:
        return {crate.path: crate.data, PREMIS_PATH: premis_xml(article, ctx),
                METS_PATH: mets_xml(article, ctx, f"{record.object_id} {record.version}")}
    except (ValueError, etree.Error) as exc:
        raise PackageError(f"cannot write the PREMIS and METS records: {exc}") from exc
