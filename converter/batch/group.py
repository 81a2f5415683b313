"""A group's conversion, in its job (``--group-renditions``): every input of the group read with
its own options (catalog row, sidecar), the articles merged into one
(:func:`converter.model.merge.merge`, best-described source first), and the write options
pointed at every original, so that each package holds them all.

Which inputs form a group is decided before, in the parent (:mod:`.groups`); the job's own
input is the group's first by path, which names the outputs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from ..model import Article
from ..model.merge import merge, preference
from ..model.schema import validate_article
from ..options import Companion, ReadOptions, WriteOptions
from ..pipeline import parse_bytes, read_input
from ..registry import Registry
from .metadata import layered_read
from .plan import Job, Member


@dataclass(frozen=True)
class ReadMember:
    """One other input of the group, read: its bytes, their SHA-256 and its options."""

    member: Member
    data: bytes
    sha256: str
    read: ReadOptions
    notes: tuple[tuple[str, str], ...]


def read_member(job: Job, member: Member) -> ReadMember:
    data = read_input(member.source, job.read)
    read, notes = layered_read(job.read, member.source, member.display,
                               member.catalog_overrides, member.catalog_notes)
    return ReadMember(member, data, hashlib.sha256(data).hexdigest(), read, tuple(notes))


@dataclass(frozen=True)
class _Source:
    relative: str
    path: Path
    article: Article
    sha256: str


def merge_group(job: Job, article: Article, write: WriteOptions, members: list[ReadMember],
                registry: Registry) -> tuple[Article, WriteOptions]:
    """The group's one article and the write options that pack every original (the job's own
    article and options as they are when the job has no group)."""
    if not members:
        return article, write
    own_sha = article.provenance.sha256 if article.provenance else None
    sources = [_Source(job.relative, job.source, article, own_sha or "")]
    for item in members:
        read = parse_bytes(item.data, item.read, registry)
        for code, message in item.notes:
            read.diagnose("warning", code, message)
        sources.append(_Source(item.member.relative, item.member.source, read, item.sha256))
    ranked = [sources[i] for i in preference([s.article for s in sources])]
    merged = merge([s.relative for s in ranked], [s.article for s in ranked])
    validate_article(merged)
    first = ranked[0]
    return merged, replace(write, source_path=first.path, source_relative=first.relative,
                           companions=tuple(Companion(s.path, s.relative, s.sha256)
                                            for s in ranked[1:]))


__all__ = ["ReadMember", "merge_group", "read_member"]
