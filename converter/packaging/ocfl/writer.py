"""The ``ocfl`` writer: each article as an OCFL 1.1 object (https://ocfl.io/1.1/spec/) in a
storage root outside the output folder, one version per conversion that changes something.

A version's logical state holds what a bag holds: ``original/<input name>`` byte for byte, the
renditions ``BagOptions.renditions`` names (``article.json``, ``.md``, ``.xml``, ``.epub``), the
article's media at their own paths, and the metadata files of :func:`metadata_files`
(``metadata/premis.xml``, ``metadata/mets.xml``). The object id is the article's id (a
content-derived ``urn:uuid`` when the input gives none); the storage layout (0003) maps it to a
folder.

Converting again adds ``v2``, ``v3``, ... when the original, a rendition or a media file
changed; content already stored is not stored again (3.4). When only the metadata files would
differ (their dates, the converter's version), no version is added: the metadata describe the
content, and unchanged content is unchanged. Each version records ``created`` (the build clock:
``SOURCE_DATE_EPOCH`` when set), ``message`` and ``user`` (:class:`~converter.options.OcflOptions`).

The writer's destination in the output folder is a receipt, ``<stem>.ocfl.json``: the object
id, root and path, the head version, whether this conversion added it, and the sha512 of the
root inventory. The batch's ledger, resume and report treat it like any output.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from ..._version import __version__
from ...errors import PackageError, UsageError, WriterError
from ...fsutil import atomic_write_bytes, temp_dir_beside
from ...model import Article, Diagnostic
from ...options import WriteOptions, build_time
from ...registry import Check, Rendition
from ..contents import Contents, PackageFile, prepare
from .inventory import VersionInfo
from .metadata import METADATA_FOLDER, RECORD_FILES, VersionRecord, metadata_files
from .object import Committed, ObjectWriter, remove_stale_work
from .root import StorageRoot
from .spec import FileDigests

#: the digests Contents computes: sha512 addresses content (3.4); both go into PREMIS and METS
ALGORITHMS = ("sha512", "sha256")
RECEIPT_SUFFIX = ".ocfl.json"


class OcflWriter:
    name = "ocfl"
    extension = RECEIPT_SUFFIX
    version = __version__

    def write(self, article: Article, options: WriteOptions) -> bytes:
        """An OCFL object lives in its storage root: use :meth:`write_to`."""
        raise WriterError("the ocfl writer writes into a storage root (write_to), not to bytes")

    def destination_for(self, out_dir: Path, stem: str, options: WriteOptions) -> Path:
        """The receipt, ``<stem>.ocfl.json``; the object itself goes to ``OcflOptions.root``."""
        if options.ocfl.root is None:
            raise UsageError("--to ocfl needs --ocfl-root: the folder of the OCFL storage root "
                             "(OcflOptions.root)")
        return out_dir / f"{stem}{RECEIPT_SUFFIX}"

    def renditions(self, options: WriteOptions) -> tuple[str, ...]:
        return tuple(options.bag.renditions)

    def render_options(self, options: WriteOptions) -> WriteOptions:
        return options

    def write_to(self, article: Article, destination: Path, options: WriteOptions,
                 renditions: Mapping[str, Rendition]) -> Sequence[Diagnostic]:
        """Add a version to the article's object (if anything changed), then write the
        receipt at ``destination``."""
        if options.ocfl.root is None:
            raise UsageError("the ocfl writer needs OcflOptions.root")
        root = StorageRoot.open(options.ocfl.root)
        version = _Version(article, options, renditions)
        committed = version.write(root)
        atomic_write_bytes(destination, receipt(root, version.object_id, committed))
        return version.diagnostics


def object_id(article: Article, options: WriteOptions) -> str:
    """The OCFL object of an article: its id when the input (or ``--meta id=``) states one;
    otherwise one derived from the input's path relative to its input folder, so that converting
    the same input again, changed, adds a version instead of starting another object (an id
    derived from the content would change with every corrected word)."""
    if article.id and article.id != article.content_id():
        return article.id
    name = options.source_relative or (options.source_path.name if options.source_path else None)
    if name is None:
        return article.id or article.content_id()
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"article-converter:input/{name}"))


class _Version:
    """One conversion's write into one object."""

    def __init__(self, article: Article, options: WriteOptions,
                 renditions: Mapping[str, Rendition]) -> None:
        self.article = article
        self.options = options
        self.object_id = object_id(article, options)
        self.diagnostics: list[Diagnostic] = []
        self.contents = Contents(article, options, renditions, ALGORITHMS, self.diagnose,
                                 noun="OCFL object")
        self.clock = build_time(options)

    def diagnose(self, level: Literal["info", "warning", "error"], code: str,
                 message: str) -> None:
        self.diagnostics.append(Diagnostic(level, code, message))

    def write(self, root: StorageRoot) -> Committed:
        files = self.contents.plan()
        if any(f.path.startswith(METADATA_FOLDER) for f in files):
            raise PackageError(f"a media file would sit among the metadata files "
                               f"({METADATA_FOLDER})")
        if not self.options.ocfl.user_address:
            self.diagnose("info", "ocfl-no-address", "no --ocfl-address given: the versions' "
                          "user has no address (OCFL validators warn W008)")
        with root.locked(self.object_id) as path:
            remove_stale_work(path.parent)
            target = ObjectWriter(path, self.object_id)
            target.load()
            staged = _Staging(path)
            try:
                for item in files:
                    self.contents.write(item, staged.folder)
                algorithm = target.algorithm
                state = {f.path: f.digests[algorithm] for f in files}
                if target.inventory is not None and _content(target.state()) == _content(state):
                    return target.unchanged()
                version = target.next_version()
                check = staged.check(files, algorithm)
                record = VersionRecord(self.object_id, version, self.clock, files,
                                       staged.folder, ALGORITHMS, self.options,
                                       self.contents.original_matches, tuple(self.diagnostics),
                                       (check,))
                for logical, data in sorted(metadata_files(self.article, record).items()):
                    staged.add(logical, data)
                    state[logical] = hashlib.new(algorithm, data).hexdigest()
                return target.commit(state, staged.folder, self.info(target.head()))
            finally:
                staged.remove()

    def info(self, previous: str | None) -> VersionInfo:
        settings = self.options.ocfl
        message = settings.message
        if not message:
            source = self.options.source_relative or (
                self.options.source_path.name if self.options.source_path else "the article")
            message = (f"{'updated' if previous else 'converted'} from {source} by "
                       f"article-converter {__version__}")
        return VersionInfo(self.clock, message, settings.user_name, settings.user_address)


def _content(state: Mapping[str, str]) -> dict[str, str]:
    """A state without the metadata files, digests lowercase."""
    return {p: d.lower() for p, d in state.items() if p not in RECORD_FILES}


class _Staging:
    """A temporary folder beside the object for the version's files."""

    def __init__(self, object_path: Path) -> None:
        self.folder = temp_dir_beside(object_path)

    def add(self, logical: str, data: bytes) -> None:
        target = prepare(self.folder, logical)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
        except OSError as exc:
            raise PackageError(f"cannot write {logical}: {exc.strerror or exc}") from exc

    def check(self, files: Sequence[PackageFile], algorithm: str) -> Check:
        """Re-read every content file as staged and recompute its digest: a file that changed
        on disk since it was written is caught before the version exists, and the result is
        the version's validation event in PREMIS."""
        for item in files:
            found = FileDigests(self.folder.joinpath(*item.path.split("/"))).get(algorithm)
            if found != item.digests[algorithm].lower():
                raise PackageError(f"{item.path} changed on disk while the version was written")
        return Check("ocfl", "article-converter OCFL writer", __version__, True,
                     f"every content file of the version re-read and its {algorithm} recomputed "
                     "against the inventory's state before the version was committed; the new "
                     "inventory is checked against OCFL 1.1 before it replaces the old")

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def receipt(root: StorageRoot, object_id: str, committed: Committed) -> bytes:
    """The receipt's JSON: where the object is and what this conversion did to it."""
    data: dict[str, Any] = {
        "ocfl_object": object_id,
        "storage_root": str(root.path),
        "object_path": root.layout.path_for(object_id),
        "head": committed.head,
        "added": committed.added,
        "note": (f"this conversion added {committed.head}" if committed.added else
                 f"nothing changed since {committed.head}: no version added"),
        "inventory_sha512": committed.inventory_sha512,
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

