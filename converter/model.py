"""The canonical article model: the only thing that crosses from readers to writers.

Every class here mirrors one definition of ``schemas/article.schema.json`` name for name (class
``BulletList`` is ``$defs/BulletList``, its fields are the definition's properties, its ``type`` tag
is ``"bullet_list"``). A test compares the two, so they cannot drift.

The body vocabulary follows pandoc's AST (the proven anchor) with what articles need on top:
``Speech`` is one interview turn. Optional fields default to ``None`` or an empty collection and are
left out of the JSON form; ``to_dict``/``from_dict`` round-trip exactly.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
import types
import typing
import uuid
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeVar, Union

from .errors import one_line

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


# --------------------------------------------------------------------------- inlines


class Node:
    """Base of blocks and inlines; ``type`` is the schema's discriminator."""

    type: ClassVar[str]


class Inline(Node):
    """Base of inline nodes."""


class Block(Node):
    """Base of block nodes."""


@dataclass
class Text(Inline):
    type: ClassVar[str] = "text"
    text: str


@dataclass
class Emphasis(Inline):
    type: ClassVar[str] = "emphasis"
    content: list[Inline] = field(default_factory=list)


@dataclass
class Strong(Inline):
    type: ClassVar[str] = "strong"
    content: list[Inline] = field(default_factory=list)


@dataclass
class Superscript(Inline):
    type: ClassVar[str] = "superscript"
    content: list[Inline] = field(default_factory=list)


@dataclass
class Subscript(Inline):
    type: ClassVar[str] = "subscript"
    content: list[Inline] = field(default_factory=list)


@dataclass
class SmallCaps(Inline):
    type: ClassVar[str] = "small_caps"
    content: list[Inline] = field(default_factory=list)


@dataclass
class Strikeout(Inline):
    type: ClassVar[str] = "strikeout"
    content: list[Inline] = field(default_factory=list)


@dataclass
class Underline(Inline):
    type: ClassVar[str] = "underline"
    content: list[Inline] = field(default_factory=list)


@dataclass
class Code(Inline):
    type: ClassVar[str] = "code"
    text: str


@dataclass
class Link(Inline):
    type: ClassVar[str] = "link"
    url: str
    content: list[Inline] = field(default_factory=list)
    title: str | None = None


@dataclass
class LineBreak(Inline):
    type: ClassVar[str] = "line_break"


@dataclass
class Quoted(Inline):
    type: ClassVar[str] = "quoted"
    quote: Literal["double", "single"] = "double"
    content: list[Inline] = field(default_factory=list)


@dataclass
class Note(Inline):
    """A footnote; its blocks stand where the note is referenced."""

    type: ClassVar[str] = "note"
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Image(Inline):
    """An image; ``url`` is a link or a path in ``Article.media``; ``content`` is the alt text."""

    type: ClassVar[str] = "image"
    url: str
    content: list[Inline] = field(default_factory=list)
    title: str | None = None


@dataclass
class Math(Inline):
    """TeX math, inline or displayed."""

    type: ClassVar[str] = "math"
    text: str
    display: bool = False


@dataclass
class Citation(Inline):
    """A citation of one or more ``Reference`` ids, with the text shown for it."""

    type: ClassVar[str] = "citation"
    keys: list[str] = field(default_factory=list)
    content: list[Inline] = field(default_factory=list)


# --------------------------------------------------------------------------- blocks


@dataclass
class Paragraph(Block):
    type: ClassVar[str] = "paragraph"
    content: list[Inline] = field(default_factory=list)


@dataclass
class Heading(Block):
    type: ClassVar[str] = "heading"
    level: int
    content: list[Inline] = field(default_factory=list)
    id: str | None = None


@dataclass
class BulletList(Block):
    type: ClassVar[str] = "bullet_list"
    items: list[list[Block]] = field(default_factory=list)


@dataclass
class OrderedList(Block):
    type: ClassVar[str] = "ordered_list"
    items: list[list[Block]] = field(default_factory=list)
    start: int = 1
    style: Literal["decimal", "lower-alpha", "upper-alpha", "lower-roman", "upper-roman"] = (
        "decimal"
    )


@dataclass
class DefinitionItem:
    term: list[Inline] = field(default_factory=list)
    definitions: list[list[Block]] = field(default_factory=list)


@dataclass
class DefinitionList(Block):
    type: ClassVar[str] = "definition_list"
    items: list[DefinitionItem] = field(default_factory=list)


@dataclass
class BlockQuote(Block):
    type: ClassVar[str] = "blockquote"
    blocks: list[Block] = field(default_factory=list)


@dataclass
class CodeBlock(Block):
    type: ClassVar[str] = "code_block"
    text: str
    language: str | None = None


@dataclass
class HorizontalRule(Block):
    type: ClassVar[str] = "horizontal_rule"


@dataclass
class LineBlock(Block):
    """Lines whose breaks matter (verse, addresses)."""

    type: ClassVar[str] = "line_block"
    lines: list[list[Inline]] = field(default_factory=list)


@dataclass
class TableCell:
    blocks: list[Block] = field(default_factory=list)
    colspan: int = 1
    rowspan: int = 1
    align: Literal["left", "center", "right"] | None = None


@dataclass
class TableRow:
    cells: list[TableCell] = field(default_factory=list)


@dataclass
class ColumnSpec:
    align: Literal["left", "center", "right"] | None = None
    width: float | None = None


@dataclass
class Table(Block):
    """A table; ``head`` may be empty (no header row), cells span and hold blocks."""

    type: ClassVar[str] = "table"
    body: list[TableRow] = field(default_factory=list)
    head: list[TableRow] = field(default_factory=list)
    foot: list[TableRow] = field(default_factory=list)
    columns: list[ColumnSpec] = field(default_factory=list)
    caption: list[Block] = field(default_factory=list)
    id: str | None = None


@dataclass
class Figure(Block):
    type: ClassVar[str] = "figure"
    content: list[Block] = field(default_factory=list)
    caption: list[Block] = field(default_factory=list)
    id: str | None = None


@dataclass
class Speech(Block):
    """One turn of an interview: who speaks, in which role, and what they say."""

    type: ClassVar[str] = "speech"
    speaker: str
    blocks: list[Block] = field(default_factory=list)
    speaker_role: str | None = None


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
        return _dump(self)  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Build an article from its JSON form (validate it first: see converter.schema)."""
        return _load(cls, data)  # type: ignore[no-any-return]

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
        """Record a non-fatal problem in the provenance."""
        if self.provenance is None:
            self.provenance = Provenance()
        diagnostic = Diagnostic(level, code, message, self.provenance.file_name, place)
        if diagnostic not in self.provenance.diagnostics:  # a writer run twice says it once
            self.provenance.diagnostics.append(diagnostic)


def canonical_json(data: Any) -> str:
    """The one JSON text form used for files and hashing (RFC 8259: no NaN or Infinity, which
    are not JSON; a ValueError names them)."""
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


#: every node class by its ``type`` tag; the schema's block and inline unions
BLOCK_TYPES: dict[str, type[Block]] = {
    c.type: c
    for c in (Paragraph, Heading, BulletList, OrderedList, DefinitionList, BlockQuote, CodeBlock,
              HorizontalRule, LineBlock, Table, Figure, Speech)
}
INLINE_TYPES: dict[str, type[Inline]] = {
    c.type: c
    for c in (Text, Emphasis, Strong, Superscript, Subscript, SmallCaps, Strikeout, Underline,
              Code, Link, LineBreak, Quoted, Note, Image, Math, Citation)
}
#: every class that has a ``$defs`` entry in the schema
MODEL_CLASSES: tuple[type, ...] = (
    Article, Contributor, SourcePublication, Identifier, Rights, Reference, MediaResource,
    Discarded, Provenance, Diagnostic, DefinitionItem, TableCell, TableRow, ColumnSpec,
    *BLOCK_TYPES.values(), *INLINE_TYPES.values(),
)


def inline_text(inlines: list[Inline]) -> str:
    """The plain text of inlines (notes left out): a derived view, never stored."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Text | Code | Math):
            out.append(node.text)
        elif isinstance(node, LineBreak):
            out.append("\n")
        elif isinstance(node, Note):
            continue
        elif isinstance(node, Quoted):
            mark = '"' if node.quote == "double" else "'"
            out.append(mark + inline_text(node.content) + mark)
        else:
            out.append(inline_text(getattr(node, "content", [])))
    return "".join(out)


def block_text(blocks: list[Block]) -> str:
    """The plain text of blocks, one paragraph a line."""
    lines: list[str] = []
    for block in blocks:
        for child in iter_children(block):
            if isinstance(child, list):
                if child and isinstance(child[0], Inline):
                    lines.append(inline_text(child))
                else:
                    lines.append(block_text(child))  # type: ignore[arg-type]
        if isinstance(block, CodeBlock):
            lines.append(block.text)
    return "\n".join(line for line in lines if line)


def iter_children(block: Block) -> list[list[Inline] | list[Block]]:
    """The inline and block lists directly inside a block, in reading order."""
    match block:
        case Paragraph() | Heading():
            return [block.content]
        case BulletList() | OrderedList():
            return list(block.items)
        case DefinitionList():
            out: list[list[Inline] | list[Block]] = []
            for item in block.items:
                out.append(item.term)
                out.extend(item.definitions)
            return out
        case BlockQuote() | Speech():
            return [block.blocks]
        case LineBlock():
            return list(block.lines)
        case Table():
            rows = [*block.head, *block.body, *block.foot]
            return [block.caption, *[c.blocks for r in rows for c in r.cells]]
        case Figure():
            return [block.content, block.caption]
    return []


# --------------------------------------------------------------------------- (de)serialization

_T = TypeVar("_T")


@functools.cache
def _plan(cls: type) -> tuple[tuple[str, Any, Any], ...]:
    """(name, type hint, default) of each serialized field, cached per class."""
    hints = typing.get_type_hints(cls)
    plan = []
    for f in dataclasses.fields(cls):
        if f.name == "resources":
            continue
        if f.default is not dataclasses.MISSING:
            default: Any = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = dataclasses.MISSING
        plan.append((f.name, hints[f.name], default))
    return tuple(plan)


def _dump(value: Any) -> Any:
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        if isinstance(value, Node):
            out["type"] = value.type
        for name, _hint, default in _plan(type(value)):
            v = getattr(value, name)
            if default is not dataclasses.MISSING and v == default and name != "schema_version":
                continue
            out[name] = _dump(v)
        return out
    return value


def _load(hint: Any, data: Any) -> Any:
    origin = typing.get_origin(hint)
    if hint is Any or hint in (str, int, bool):
        return data
    if hint is float:
        return float(data)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if data is None else _load(args[0], data)
    if origin is Literal:
        return data
    if origin is list:
        (item,) = typing.get_args(hint)
        return [_load(item, v) for v in data]
    if origin is dict:
        _, val = typing.get_args(hint)
        return {k: _load(val, v) for k, v in data.items()}
    if hint is Block:
        return _load(BLOCK_TYPES[data["type"]], data)
    if hint is Inline:
        return _load(INLINE_TYPES[data["type"]], data)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        kwargs = {name: _load(h, data[name]) for name, h, _ in _plan(hint) if name in data}
        return hint(**kwargs)
    raise TypeError(f"cannot load {hint!r}")


# --------------------------------------------------------------------------- canonical form

_SPACES = re.compile(r"\s+")
#: formatting containers that mean the same when split in two: adjacent ones merge
_MERGEABLE = (Emphasis, Strong, Superscript, Subscript, SmallCaps, Strikeout, Underline)
_CONTAINERS = (*_MERGEABLE, Link, Quoted, Image, Citation)


def _is_blank(node: Inline) -> bool:
    return isinstance(node, LineBreak) or (isinstance(node, Text) and not node.text.strip())


def _strip_edges(content: list[Inline]) -> tuple[list[Inline], bool, bool]:
    """Remove one space at each edge of ``content``; say which edges had one."""
    lead = bool(content) and isinstance(content[0], Text) and content[0].text.startswith(" ")
    trail = bool(content) and isinstance(content[-1], Text) and content[-1].text.endswith(" ")
    if lead:
        content[0] = Text(content[0].text[1:])  # type: ignore[attr-defined]
    if trail:
        content[-1] = Text(content[-1].text[:-1])  # type: ignore[attr-defined]
    return [n for n in content if not (isinstance(n, Text) and not n.text)], lead, trail


def normalize_inlines(inlines: list[Inline], *, strip: bool = True) -> list[Inline]:
    """The canonical form of an inline list, which every reader produces.

    Whitespace runs become one space; adjacent texts merge; empty texts go; spaces at the edges of
    formatting move outside it; adjacent formatting of the same kind merges; no space follows a
    line break; with ``strip`` (a block's whole line) the edges lose their spaces and line breaks.
    Writers may rely on this form, and lossless round trips compare in it.
    """
    out: list[Inline] = []

    def push_text(text: str) -> None:
        if out and isinstance(out[-1], LineBreak):
            text = text.lstrip()
        if not text:
            return
        if out and isinstance(out[-1], Text):
            out[-1] = Text(_SPACES.sub(" ", out[-1].text + text))
        else:
            out.append(Text(_SPACES.sub(" ", text)))

    for node in inlines:
        if isinstance(node, Text):
            push_text(node.text)
        elif isinstance(node, LineBreak):
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].text.rstrip())
                if not out[-1].text:
                    out.pop()
            out.append(node)
        elif isinstance(node, _CONTAINERS):
            content, lead, trail = _strip_edges(normalize_inlines(node.content, strip=False))
            if lead:
                push_text(" ")
            node = dataclasses.replace(node, content=content)
            previous = out[-1] if out else None
            if isinstance(node, _MERGEABLE) and type(previous) is type(node):
                merged = [*previous.content, *node.content]
                out[-1] = dataclasses.replace(node, content=normalize_inlines(merged, strip=False))
            else:
                out.append(node)
            if trail:
                push_text(" ")
        else:
            out.append(node)
    if strip:
        while out and _is_blank(out[0]):
            out.pop(0)
        while out and _is_blank(out[-1]):
            out.pop()
        if out and isinstance(out[0], Text):
            out[0] = Text(out[0].text.lstrip())
        if out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text.rstrip())
    return out
