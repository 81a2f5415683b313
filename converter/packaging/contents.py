"""What every package of an article holds, whatever its layout: the original byte for byte (and
the other originals of the same article, when several inputs became one package), the
renditions the pipeline made, the article's media files; written into a folder with their
checksums. A bag puts them under ``data/``, an OCFL object into a version's ``content/``.

Names are NFC-normalized and checked (no traversal, no two names that collide, also after
normalization, no name that is both a file and a folder). The original is copied without following
links, hashed as it streams, and refused when its SHA-256 is no longer the one recorded when it
was read (the file changed on disk between reading and packing).
"""

from __future__ import annotations

import errno
import os
import stat
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

from ..errors import PackageError
from ..model import Article, Diagnostic
from ..options import WriteOptions
from ..registry import Check, Rendition
from .bagit.manifest import digest_bytes, digest_stream
from .bagit.verify import path_problem

Role = Literal["original", "rendition", "media", "metadata"]
Level = Literal["info", "warning", "error"]


@dataclass
class PackageFile:
    """One file of a package's content, before and after it is written."""

    path: str
    role: Role
    media_type: str
    data: bytes | None = None
    source: Path | None = None
    note: str | None = None
    original_name: str | None = None
    #: an original's path relative to the input root
    relative: str | None = None
    #: the SHA-256 an original must still have (None: the article's recorded one)
    expected_sha256: str | None = None
    writer: str | None = None
    writer_version: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: the checks a rendition passed or failed (JATS DTD, EPUBCheck, fidelity)
    checks: tuple[Check, ...] = ()
    #: filled when written: size and digests by algorithm
    size: int = 0
    digests: dict[str, str] = field(default_factory=dict)


class Contents:
    """Plans an article's package content and writes it under a folder, with checksums."""

    def __init__(self, article: Article, options: WriteOptions,
                 renditions: Mapping[str, Rendition], algorithms: Sequence[str],
                 diagnose: Callable[[Level, str, str], None], prefix: str = "",
                 noun: str = "package") -> None:
        self.article = article
        self.noun = noun
        self.options = options
        self.made = renditions
        self.algorithms = tuple(algorithms)
        self.diagnose = diagnose
        self.prefix = prefix
        #: does the original still hash to the reader's SHA-256? (None: nothing to compare)
        self.original_matches: bool | None = None

    def plan(self) -> list[PackageFile]:
        """Renditions, media, then the original; names checked."""
        files = [*self.renditions(), *self.resources(), *self.original()]
        self.check_names(files)
        return files

    def renditions(self) -> list[PackageFile]:
        """One file per rendition, each writer once (``md`` and ``markdown`` are one)."""
        items: list[PackageFile] = []
        seen: set[str] = set()
        for rendition in self.made.values():
            if rendition.writer in seen:
                continue
            seen.add(rendition.writer)
            if not rendition.extension:
                raise PackageError(f"a {rendition.format!r} rendition cannot go into a "
                                   f"{self.noun}: it is not a single file")
            name = f"article{rendition.extension}"
            items.append(PackageFile(
                self.prefix + name, "rendition", media_type(name), data=rendition.data,
                note=rendition.description or None, writer=rendition.writer,
                writer_version=rendition.version, diagnostics=list(rendition.diagnostics),
                checks=rendition.checks))
        return items

    def resources(self) -> list[PackageFile]:
        types = {m.path: m.media_type for m in self.article.media}
        items = []
        for key in sorted(self.article.resources):
            problem = path_problem(key) if isinstance(key, str) else "not a string"
            if problem:
                raise PackageError(f"media file {key!r}: {problem}")
            items.append(PackageFile(self.prefix + key, "media", types.get(key) or media_type(key),
                                     data=bytes(self.article.resources[key])))
        for media in self.article.media:
            if media.path not in self.article.resources and "://" not in media.path:
                self.diagnose("warning", "bag-media-missing",
                              f"media file {media.path} has no bytes; not in the {self.noun}")
        return items

    def original(self) -> list[PackageFile]:
        """The input under ``original/``, and the other originals of the same article (a
        group's companions) beside it."""
        source = self.options.source_path
        prov = self.article.provenance
        if source is None:
            self.diagnose("warning", "bag-no-original",
                          f"the original file is unknown; the {self.noun} holds renditions only")
            return []
        reader = prov.format if prov and prov.format else None
        name = self.readable(source)
        items = [PackageFile(f"{self.prefix}original/{name}", "original",
                             media_type(source.name), source=Path(source), original_name=name,
                             relative=self.options.source_relative,
                             note=f"read as {reader}" if reader else None)]
        names = {items[0].path}
        for number, other in enumerate(self.options.companions, start=2):
            name = f"{self.prefix}original/{self.readable(other.path)}"
            if name in names:  # two inputs of one name in different folders
                name = f"{self.prefix}original/{number}/{self.readable(other.path)}"
            names.add(name)
            items.append(PackageFile(name, "original", media_type(other.path.name),
                                     source=other.path, original_name=other.path.name,
                                     relative=other.relative, expected_sha256=other.sha256,
                                     note="another original of the same article"))
        return items

    def readable(self, source: Path) -> str:
        """The file name as UTF-8 (a name that is not gets U+FFFD and a warning)."""
        name = Path(source).name
        readable = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        if readable != name:
            self.diagnose("warning", "bag-original-name",
                          f"the input's file name is not UTF-8; packed as {readable!r}")
        return readable

    @staticmethod
    def check_names(files: Sequence[PackageFile]) -> None:
        """NFC names, no traversal, no two names that collide (also after normalization)."""
        seen: dict[str, str] = {}
        for item in files:
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

    # ------------------------------------------------------------------ writing

    def write(self, item: PackageFile, root: Path, path: str | None = None) -> None:
        """Write ``item`` at ``root/<path>`` (default: its own path), filling size and digests."""
        target = prepare(root, path or item.path)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as out:
                os.fchmod(out.fileno(), 0o644)
                if item.data is not None:
                    out.write(item.data)
                    item.digests = digest_bytes(item.data, self.algorithms)
                    item.size = len(item.data)
                else:
                    assert item.source is not None
                    item.digests, item.size = self.copy_original(item.source, out,
                                                                 item.expected_sha256)
        except OSError as exc:
            raise PackageError(f"cannot write {item.path}: {exc.strerror or exc}") from exc

    def copy_original(self, source: Path, out: BinaryIO, expected: str | None = None
                      ) -> tuple[dict[str, str], int]:
        """Copy an original byte for byte (never through a link), hashing as it streams; it must
        still have the SHA-256 it had when read (``expected``, else the article's)."""
        try:
            fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise PackageError(f"the input is a symbolic link; {self.noun}s never follow "
                                   "links", file=str(source)) from exc
            raise PackageError(f"cannot read the original: {exc.strerror or exc}",
                               file=str(source)) from exc
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise PackageError("the original is not a regular file", file=str(source))
            wanted = tuple(dict.fromkeys((*self.algorithms, "sha256")))
            sums, size = digest_stream(handle, wanted, copy_to=out)
        recorded = expected or (self.article.provenance.sha256 if self.article.provenance
                                else None)
        if recorded:
            if sums["sha256"] != recorded:
                raise PackageError("the input changed since it was read (its SHA-256 differs "
                                   "from the one recorded when parsing)", file=str(source))
            if expected is None:
                self.original_matches = True
        return {a: sums[a] for a in self.algorithms}, size


def prepare(root: Path, rel: str) -> Path:
    """The target path of a package file, creating its folders (0755)."""
    target = root.joinpath(*rel.split("/"))
    folder = root
    for part in rel.split("/")[:-1]:
        folder = folder / part
        if not folder.is_dir():
            folder.mkdir(mode=0o755)
            os.chmod(folder, 0o755)
    return target


def _not_utf8(path: str) -> str | None:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return "not encodable as UTF-8 (a lone surrogate)"
    return None


#: media types by extension; a fixed table (not the system's mime.types) keeps packages
#: reproducible
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


def media_type(name: str) -> str:
    """The media type of a file name, from a fixed table (``application/octet-stream`` else)."""
    return _TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")
