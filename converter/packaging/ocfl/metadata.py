"""The metadata files of an OCFL version: what describes the article's content, stored as
content beside it (OCFL 1.1 section 3: an object carries its own metadata).

:func:`metadata_files` is the one place that makes them: ``metadata/premis.xml`` (PREMIS 3, the
record the bag carries too, here about the version's logical files). METS and RO-Crate records
belong here as well, as more entries of the same mapping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from ...errors import PackageError
from ...model import Article, Diagnostic
from ...options import WriteOptions
from ..contents import PackageFile
from ..premis import FileRecord, PremisContext, premis_xml

#: where the metadata files go in each version's logical state
METADATA_FOLDER = "metadata/"
PREMIS_PATH = METADATA_FOLDER + "premis.xml"


@dataclass(frozen=True)
class VersionRecord:
    """What the metadata describes: one version of one object."""

    object_id: str
    version: str
    when: datetime
    #: the version's content files (original, renditions, media), written, with digests
    files: Sequence[PackageFile]
    algorithms: Sequence[str]
    options: WriteOptions
    #: does the original still hash to the reader's SHA-256? (None: nothing to compare)
    original_matches: bool | None = None
    #: what the OCFL writer itself reported
    package_diagnostics: Sequence[Diagnostic] = ()


def metadata_files(article: Article, record: VersionRecord) -> dict[str, bytes]:
    """The metadata files of one version, by logical path."""
    return {PREMIS_PATH: _premis(article, record)}


def _premis(article: Article, record: VersionRecord) -> bytes:
    prov = article.provenance
    files = [FileRecord(p.path, p.size, p.digests, p.media_type, p.role, p.original_name,
                        p.writer, p.writer_version, tuple(p.diagnostics), p.note)
             for p in record.files]
    ctx = PremisContext(
        bag_name=record.object_id, when=record.when, algorithms=record.algorithms, files=files,
        read_diagnostics=tuple(prov.diagnostics) if prov else (),
        organization=record.options.bag.source_organization,
        source_relative=record.options.source_relative,
        original_matches=record.original_matches,
        package_diagnostics=tuple(record.package_diagnostics),
        package_detail=f"OCFL 1.1 object {record.object_id}, version {record.version} "
                       "(https://ocfl.io/1.1/spec/)",
        digest_detail="(the version's logical files; sha512 addresses them in the OCFL "
                      "inventory's manifest)")
    try:
        return premis_xml(article, ctx)
    except (ValueError, etree.Error) as exc:
        raise PackageError(f"cannot write the PREMIS record: {exc}") from exc
