"""Options: one dataclass per direction (reading, writing), plus the injected clock.

Writers that need settings of their own find them in a nested dataclass (``WriteOptions.bag``,
``WriteOptions.epub``, ``WriteOptions.ocfl``, ...); plug-ins read theirs from
``WriteOptions.extra``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import UsageError

#: refuse inputs larger than this unless told otherwise (bytes)
DEFAULT_MAX_INPUT = 200 * 1024 * 1024
#: refuse zip containers (docx, odt, epub) whose members inflate to more than this (bytes)
DEFAULT_MAX_EXPANDED = 512 * 1024 * 1024


@dataclass(frozen=True)
class ReadOptions:
    """How to read one input."""

    #: the input's file name, for provenance and messages
    file_name: str | None = None
    #: a reader name that overrides detection (``--from``)
    format: str | None = None
    #: metadata that overrides what the reader found (``--title``, ``--meta key=value``)
    overrides: Mapping[str, Any] = field(default_factory=dict)
    #: section headings that start site boilerplate, added to the text reader's defaults
    boilerplate_headings: tuple[str, ...] = ()
    #: seconds and bytes one pandoc call may use
    pandoc_timeout: float = 120.0
    max_input_bytes: int = DEFAULT_MAX_INPUT
    max_expanded_bytes: int = DEFAULT_MAX_EXPANDED
    #: the password of an encrypted input (PDF; ``--password``)
    password: str | None = None


@dataclass(frozen=True)
class BagOptions:
    """Settings of the BagIt writer (RFC 8493)."""

    #: ``dir``, ``tar``, ``tgz`` or ``zip``
    serialization: str = "dir"
    checksums: tuple[str, ...] = ("sha512", "sha256")
    #: the writers whose outputs go into the payload
    renditions: tuple[str, ...] = ("json", "markdown", "jats", "epub")
    source_organization: str | None = None
    #: ``None`` for our own profile, or ``aptrust``
    profile: str | None = None
    #: ISO date for Bagging-Date; default: from the clock
    bagging_date: str | None = None


@dataclass(frozen=True)
class OcflOptions:
    """Settings of the OCFL writer (OCFL 1.1): where the objects are kept, and who and why each
    version records (its ``user`` and ``message``)."""

    #: the OCFL storage root (created with its declaration when missing); outside the output
    #: folder, which holds only a receipt per article
    root: Path | None = None
    #: the version's ``user``: a name, and an address (a ``mailto:`` or personal identifier URI;
    #: without one, OCFL validators warn W008)
    user_name: str = "article-converter"
    user_address: str | None = None
    #: the version's ``message``; default: what was converted, from what, by which converter
    message: str | None = None


@dataclass(frozen=True)
class EpubOptions:
    """Settings of the EPUB writer."""

    #: title of a collection EPUB (several articles in one book)
    collection_title: str | None = None


@dataclass(frozen=True)
class Companion:
    """Another original of the same article (``--group-renditions``): packed beside the
    article's own original, byte for byte."""

    path: Path
    #: its path relative to the input root
    relative: str
    #: its SHA-256 when it was read (packing refuses a file that changed since)
    sha256: str


@dataclass(frozen=True)
class WriteOptions:
    """How to write outputs."""

    #: fixed build time (UTC); default: SOURCE_DATE_EPOCH, else the article's date, else now
    build_time: datetime | None = None
    #: the original input, which the bag writer packs byte-exact
    source_path: Path | None = None
    #: the input path relative to the input root, for bag-info Internal-Sender-Identifier
    source_relative: str | None = None
    #: the other originals of the same article, when several inputs became one package
    companions: tuple[Companion, ...] = ()
    #: folder of the JATS DTDs (default: $CONVERTER_JATS_DTD)
    jats_dtd: Path | None = None
    bag: BagOptions = field(default_factory=BagOptions)
    epub: EpubOptions = field(default_factory=EpubOptions)
    #: the OCFL writer's settings; it holds the renditions ``bag.renditions`` names
    ocfl: OcflOptions = field(default_factory=OcflOptions)
    #: settings for plug-in writers, by writer name
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: check every rendition with its external validator (``--check``: EPUBCheck on EPUBs) and
    #: read the Markdown and EPUB ones back through pandoc (JSON and JATS always are)
    check: bool = False
    #: the share of the body's words a rendition must keep when read back (docs/preservation.md)
    fidelity_threshold: float = 1.0
    #: keep a rendition that failed a check (``--keep-invalid``); its input still fails
    keep_invalid: bool = False


def source_date_epoch() -> datetime | None:
    """The time fixed by ``SOURCE_DATE_EPOCH`` (reproducible-builds.org), if set."""
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw.strip() == "":
        return None
    try:
        seconds = int(raw)
    except ValueError as exc:
        raise UsageError(f"SOURCE_DATE_EPOCH must be an integer, got {raw!r}") from exc
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise UsageError(f"SOURCE_DATE_EPOCH is out of range (years 1 to 9999): {raw!r}"
                         ) from exc


def build_time(options: WriteOptions, article_date: str | None = None) -> datetime:
    """The one clock writers use: options, SOURCE_DATE_EPOCH, the article's date, then now."""
    if options.build_time is not None:
        return options.build_time.astimezone(UTC)
    fixed = source_date_epoch()
    if fixed is not None:
        return fixed
    if article_date:
        parsed = parse_partial_date(article_date)
        if parsed is not None:
            return parsed
    return datetime.now(UTC).replace(microsecond=0)


def parse_partial_date(value: str) -> datetime | None:
    """``2013``, ``2013-04``, ``2013-04-05`` or a full ISO date-time, as a UTC datetime."""
    text = value.strip()
    for fmt, length in (("%Y", 4), ("%Y-%m", 7), ("%Y-%m-%d", 10)):
        if len(text) == length:
            try:
                return datetime.strptime(text, fmt).replace(tzinfo=UTC)
            except ValueError:
                return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
