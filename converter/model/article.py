"""The article: metadata, body, what the reader set aside, and its provenance.

Every class mirrors one ``$defs`` entry of schemas/article.schema.json name for name; optional
fields default to ``None`` or an empty collection and are left out of the JSON form.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import one_line
from .nodes import (
    BLOCK_TYPES,
    INLINE_TYPES,
    Block,
    ColumnSpec,
    DefinitionItem,
    Inline,
    TableCell,
    TableRow,
)
from .serialize import dump, load

SCHEMA_VERSION = "1.0"

# --------------------------------------------------------------------------- diagnostics


@dataclass
class Diagnostic:
    """A non-fatal problem found while reading or writing one document."""

    level: Literal["info", "warning", "error"]
    code: str
    message: str
    file: str | None = None
    place: str | None = None

    def __str__(self) -> str:
        parts = [one_line(p) for p in (self.file, self.place) if p]
        return ": ".join([*parts, f"{self.level}: {one_line(self.message)} [{self.code}]"])


# --------------------------------------------------------------------------- metadata


@dataclass
class Contributor:
    name: str
    kind: str = "author"
    given_names: str | None = None
    surname: str | None = None
    role: str | None = None
    affiliations: list[str] = field(default_factory=list)
    email: str | None = None
    orcid: str | None = None
    bio: list[Block] = field(default_factory=list)


@dataclass
class SourcePublication:
    """Where the article appeared first (``relation``: e.g. "originally appeared in")."""

    name: str
    url: str | None = None
    relation: str | None = None
    date: str | None = None


@dataclass
class Identifier:
    scheme: str
    value: str


@dataclass
class Rights:
    statement: str | None = None
    holder: str | None = None
    year: str | None = None
    license_url: str | None = None
    disclaimer: str | None = None


@dataclass
class Reference:
    content: list[Inline] = field(default_factory=list)
    id: str | None = None
    label: str | None = None


@dataclass
class MediaResource:
    """A file the article embeds (an image); its bytes travel in ``Article.resources``."""

    path: str
    media_type: str
    size: int | None = None
    sha256: str | None = None
    alt: str | None = None


@dataclass
class Discarded:
    """Text a reader removed (boilerplate, raw markup), kept with the reason."""

    text: str
    reason: str
    place: str | None = None


@dataclass
class Provenance:
    file_name: str | None = None
    size: int | None = None
    sha256: str | None = None
    format: str | None = None
    encoding: str | None = None
    reader: str | None = None
    reader_version: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(kw_only=True)
class Article:
    """One article: metadata, body, and what the reader set aside."""

    schema_version: str = SCHEMA_VERSION
    id: str | None = None
    title: str
    subtitle: str | None = None
    abstract: list[Block] = field(default_factory=list)
    language: str | None = None
    article_type: str | None = None
    contributors: list[Contributor] = field(default_factory=list)
    source_publication: SourcePublication | None = None
    dates: dict[str, str] = field(default_factory=dict)
    identifiers: list[Identifier] = field(default_factory=list)
    subjects: dict[str, list[str]] = field(default_factory=dict)
    rights: Rights | None = None
    notes: list[Block] = field(default_factory=list)
    image_credits: list[str] = field(default_factory=list)
    body: list[Block] = field(default_factory=list)
    acknowledgements: list[Block] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    media: list[MediaResource] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    discarded: list[Discarded] = field(default_factory=list)
    provenance: Provenance | None = None
    #: bytes of the files listed in ``media``, by path; not part of the JSON form
    resources: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, fields in schema order, defaults left out."""
        return dump(self)  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Build an article from its JSON form (validate it first: see converter.model.schema)."""
        return load(cls, data)  # type: ignore[no-any-return]

    def to_json(self) -> str:
        """Canonical JSON text: UTF-8, stable key order, two-space indent, final newline."""
        return canonical_json(self.to_dict())

    def content_id(self) -> str:
        """A stable ``urn:uuid`` derived from the content (metadata and body, not provenance)."""
        data = self.to_dict()
        for volatile in ("id", "provenance", "schema_version"):
            data.pop(volatile, None)
        digest = hashlib.sha256(canonical_json(data).encode("utf-8")).digest()
        return "urn:uuid:" + str(uuid.UUID(bytes=digest[:16], version=5))

    def diagnose(self, level: Literal["info", "warning", "error"], code: str, message: str,
                 place: str | None = None) -> None:
        """Record a non-fatal problem in the provenance (once: see :func:`add_once`)."""
        if self.provenance is None:
            self.provenance = Provenance()
        add_once(self.provenance.diagnostics,
                 Diagnostic(level, code, message, self.provenance.file_name, place))


def add_once(diagnostics: list[Diagnostic], diagnostic: Diagnostic) -> bool:
    """Append ``diagnostic`` unless an equal one (level, code, message, file and place) is there:
    the one rule every collector of diagnostics follows, so that a problem met twice (a writer
    run twice, the same warning for every cell of a table) is said once. True when added."""
    if diagnostic in diagnostics:
        return False
    diagnostics.append(diagnostic)
    return True


def canonical_json(data: Any) -> str:
    """The one JSON text form used for files and hashing (RFC 8259: no NaN or Infinity, which
    are not JSON; a ValueError names them)."""
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


#: every class that has a ``$defs`` entry in the schema
MODEL_CLASSES: tuple[type, ...] = (
    Article, Contributor, SourcePublication, Identifier, Rights, Reference, MediaResource,
    Discarded, Provenance, Diagnostic, DefinitionItem, TableCell, TableRow, ColumnSpec,
    *BLOCK_TYPES.values(), *INLINE_TYPES.values(),
)
