"""Fidelity read-back: a rendition read back by our own reader and compared with its article.

Each rendition that a reader of ours can read is read back: JSON, Markdown and JATS with their own
readers, EPUB with the pandoc reader (``pandoc:epub``). What was read is compared with the
canonical article it was written from, on what the format carries (:data:`READ_BACKS`):

* the title and subtitle, whitespace folded;
* the contributors' names, in order (EPUB: the authors, its ``dc:creator`` entries);
* the abstract's words (EPUB: sought in the text, where the book's title page carries them);
* the body's words, in order. The **score** is the share of the canonical body's words that the
  read-back keeps in the same order, a longest-common-subsequence measure (:class:`Alignment`):
  paragraph-sized units are aligned first, exactly, then the words between the units kept whole.
  Words the read-back adds are a difference too, except in EPUB, whose text also holds the
  title page, the speaker labels and the back matter;
* the number of speech turns (not in EPUB: pandoc reads a turn as ordinary paragraphs), tables
  and notes in the body.

Words are NFC-normalized runs of letters, digits and underscores (``\\w``), and each Han or kana
character is one word (those scripts put no spaces between words): quotation marks, escapes,
markup and whitespace do not count, letters do. A speech turn's words begin with the speaker's
name and a note's words stand where it is referenced, as every format places them.

The check passes when the score reaches the threshold (``WriteOptions.fidelity_threshold``,
default 1.0: every word kept), the words added stay within the rest (at 0.99, 1% of the body's
words) and nothing else differs; otherwise the pipeline adds a warning
(code ``fidelity``) next to the :class:`~converter.registry.Check`. A rendition that cannot be
read back fails with the reader's message and no score. docs/preservation.md has the reasons.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from .._version import __version__
from ..errors import ConverterError, UnknownFormatError, UsageError, one_line
from ..model import (
    Article,
    Block,
    Code,
    CodeBlock,
    Diagnostic,
    Inline,
    LineBreak,
    Math,
    Note,
    Speech,
    Table,
    Text,
    iter_children,
)
from ..options import ReadOptions, WriteOptions
from ..registry import Check, Registry

TOOL = "article-converter fidelity read-back"


@dataclass(frozen=True)
class ReadBack:
    """How one writer's renditions are read back, and what the comparison expects of them."""

    #: the registry name of the reader, and its ``--from`` (the pandoc reader needs its format)
    reader: str
    format: str | None = None
    #: cheap enough to run on every conversion (our own parser, no pandoc process); the others
    #: run when checks are asked for (``WriteOptions.check``, ``--check``)
    always: bool = False
    #: only the contributors of kind ``author`` are compared (EPUB: ``dc:creator``)
    authors_only: bool = False
    #: the abstract reads back as the abstract (False: its words are sought in the text)
    abstract_field: bool = True
    #: speech turns read back as turns
    speech: bool = True
    #: the read-back body is the body alone (False: the words it adds are expected)
    body_only: bool = True
    #: what is compared differently, and why (the check's detail says it)
    caveat: str = ""


#: the renditions that are read back, by writer (registry name)
READ_BACKS: dict[str, ReadBack] = {
    "json": ReadBack("json", always=True),
    "markdown": ReadBack("markdown"),
    "jats": ReadBack("jats", always=True),
    "epub": ReadBack(
        "pandoc", "pandoc:epub", authors_only=True, abstract_field=False, speech=False,
        body_only=False,
        caveat="pandoc's EPUB reader gives the book's text as one body (title page, abstract, "
               "speaker labels and back matter included) and its creators as the contributors, "
               "and knows no speech turns: the authors are compared, the abstract's words are "
               "sought in the text, words added to the body and the number of speech turns are "
               "not compared"),
}


def fidelity_runs(writer: str, options: WriteOptions) -> bool:
    """Whether the read-back runs for a rendition of ``writer`` (registry name) with these
    options: always for the cheap ones, for the others when checks are asked for."""
    how = READ_BACKS.get(writer)
    return how is not None and (how.always or options.check)


def check_rendition(article: Article, data: bytes, writer: str, registry: Registry,
                    threshold: float = 1.0) -> Check | None:
    """Read a rendition of ``article`` made by ``writer`` (registry name) back and compare.

    ``None`` when the check cannot run (no read-back for this writer, or its reader is not in
    the registry): a check that did not run is not claimed.
    """
    if not 0.0 <= threshold <= 1.0:
        raise UsageError(f"the fidelity threshold is a share of the body's words, from 0 to 1; "
                         f"got {threshold}")
    how = READ_BACKS.get(writer)
    if how is None:
        return None
    try:
        reader = registry.reader(how.reader)
    except (UnknownFormatError, ImportError, AttributeError):
        return None
    detail = _detail(writer, how, threshold)
    options = ReadOptions(file_name=f"rendition.{writer}", format=how.format)
    try:
        back = reader.read(data, options)
    except ConverterError as exc:
        return _check(False, detail, (f"cannot be read back: {one_line(exc.message)}",))
    except Exception as exc:  # a reader's bug is still a verdict on this rendition
        return _check(False, detail, (f"cannot be read back: {type(exc).__name__}: "
                                      f"{one_line(str(exc))}",))
    found = compare(article, back, how)
    return _check(found.passes(threshold), detail, found.notes,
                  math.floor(found.share * 10000) / 10000)


def _check(passed: bool, detail: str, notes: tuple[str, ...], score: float | None = None
           ) -> Check:
    """The verdict; a failure is a warning (the issue: a drop below the threshold warns, and
    fails the input only with --fail-on-warnings)."""
    return Check("fidelity", TOOL, __version__, passed, detail, notes, score, level="warning")


def fidelity_warning(check: Check, writer: str, threshold: float) -> Diagnostic | None:
    """The warning a failed fidelity check adds to its rendition's diagnostics."""
    if check.passed:
        return None
    score = "" if check.score is None else f"score {check.score:g}, "
    return Diagnostic("warning", "fidelity",
                      f"the {writer} rendition does not read back as written ({score}threshold "
                      f"{threshold:g}): {'; '.join(check.notes)}", place=writer)


def _detail(writer: str, how: ReadBack, threshold: float) -> str:
    reader = f"the {how.reader} reader" + (f" ({how.format})" if how.format else "")
    if threshold >= 1.0:
        rule = "every word of the body is kept in order" + (
            ", none is added" if how.body_only else "")
    else:
        rule = f"at least {threshold:g} of the body's words are kept in order" + (
            f", at most {1.0 - threshold:g} added" if how.body_only else "")
    text = (f"the {writer} rendition read back with {reader} and compared with the "
            "canonical article (title, contributors, abstract, body words in order, speech "
            f"turns, tables, notes); passes when {rule}, and nothing else differs")
    return f"{text}; {how.caveat}" if how.caveat else text


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Comparison:
    """What a read-back kept of its article."""

    #: the share of the body's words kept in order (the score)
    share: float
    #: the words added to the body, as a share of the body's words (0 where not compared)
    added: float
    #: every difference found, one line each
    notes: tuple[str, ...]
    #: a difference outside the body's words (title, contributors, abstract, counts)
    other: bool

    def passes(self, threshold: float) -> bool:
        """The body's words are judged by the threshold, lost and added alike (at 0.99, up to
        1% of them may be lost and 1% added); any other difference fails."""
        return self.share >= threshold and self.added <= 1.0 - threshold and not self.other


def compare(article: Article, back: Article, how: ReadBack) -> Comparison:
    """How ``back``, a rendition of ``article`` read back, differs from it (module docstring)."""
    notes: list[str] = []
    for name, ours, theirs in (("title", article.title, back.title),
                               ("subtitle", article.subtitle, back.subtitle)):
        if _fold(ours) != _fold(theirs):
            notes.append(f"{name}: {_quote(ours)} read back as {_quote(theirs)}")
    names, back_names = _names(article, how), _names(back, how)
    if names != back_names:
        notes.append(f"contributors: {_names_text(names)} read back as {_names_text(back_names)}")
    other = bool(notes)
    body, back_body = units(article.body), units(back.body)
    body_match = Alignment(body, back_body)
    total = len(body_match.ours)
    added = body_match.added if how.body_only else 0
    if body_match.kept < total:
        notes.append(f"body: {body_match.kept} of {_words_count(total)} kept in order; "
                     f"{body_match.lost()}")
    if added:
        notes.append(f"body: {_words_count(added)} added; {body_match.added_text()}")
    body_notes = len(notes)
    abstract = units(article.abstract)
    if how.abstract_field:
        abstract_match = Alignment(abstract, units(back.abstract))
        if abstract_match.kept < len(abstract_match.ours) or abstract_match.added:
            notes.append(f"abstract: {abstract_match.kept} of "
                         f"{_words_count(len(abstract_match.ours))} kept in order, "
                         f"{abstract_match.added} added")
    else:
        abstract_match = Alignment(abstract, back_body)
        if abstract_match.kept < len(abstract_match.ours):
            notes.append(f"abstract: {abstract_match.kept} of "
                         f"{_words_count(len(abstract_match.ours))} found in the text; "
                         f"{abstract_match.lost()}")
    ours_count, theirs_count = count_nodes(article.body), count_nodes(back.body)
    for kind in ("speech turns", "tables", "notes"):
        if kind == "speech turns" and not how.speech:
            continue
        if ours_count[kind] != theirs_count[kind]:
            notes.append(f"{kind}: {ours_count[kind]} read back as {theirs_count[kind]}")
    share = body_match.kept / total if total else 1.0
    return Comparison(share, added / total if total else float(added > 0), tuple(notes),
                      other or len(notes) > body_notes)


def _fold(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _quote(text: str | None) -> str:
    folded = _fold(text)
    if not folded:
        return "(none)"
    return repr(folded if len(folded) <= 80 else folded[:79] + "…")


def _names(article: Article, how: ReadBack) -> list[str]:
    return [_fold(c.name) for c in article.contributors
            if not how.authors_only or c.kind.strip().lower() in ("author", "")]


def _names_text(names: list[str]) -> str:
    return "[" + ", ".join(names) + "]" if names else "(none)"


def count_nodes(blocks: Sequence[Block]) -> dict[str, int]:
    """Speech turns, tables and notes in ``blocks``, nested ones included."""
    counts = {"speech turns": 0, "tables": 0, "notes": 0}
    for node in _nodes(blocks):
        if isinstance(node, Speech):
            counts["speech turns"] += 1
        elif isinstance(node, Table):
            counts["tables"] += 1
        elif isinstance(node, Note):
            counts["notes"] += 1
    return counts


def _nodes(blocks: Sequence[Block]) -> Iterator[Block | Inline]:
    for block in blocks:
        yield block
        for child in iter_children(block):
            for node in child:
                if isinstance(node, Block):
                    yield from _nodes([node])
                else:
                    yield from _inline_nodes([node])


def _inline_nodes(inlines: Sequence[Inline]) -> Iterator[Block | Inline]:
    for node in inlines:
        yield node
        if isinstance(node, Note):
            yield from _nodes(node.blocks)
        else:
            yield from _inline_nodes(getattr(node, "content", None) or [])


# --------------------------------------------------------------------------- words

#: scripts written without spaces between words: each character is a word
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_UNSPACED}]|(?:(?![{_UNSPACED}])\w)+")


def words(blocks: Sequence[Block]) -> list[str]:
    """The words of ``blocks`` in reading order (module docstring)."""
    return [w for unit in units(blocks) for w in unit]


def units(blocks: Sequence[Block]) -> list[tuple[str, ...]]:
    """The words of ``blocks`` by unit (a paragraph, a heading, a cell, a speaker's name), in
    reading order; units without words are left out."""
    out = []
    for text in _texts(blocks):
        found = tuple(_WORD.findall(unicodedata.normalize("NFC", text)))
        if found:
            out.append(found)
    return out


def _texts(blocks: Sequence[Block]) -> Iterator[str]:
    """The text of each paragraph-like unit, in reading order (notes after their reference)."""
    for block in blocks:
        if isinstance(block, Speech):
            yield block.speaker
        if isinstance(block, CodeBlock):
            yield block.text
        for child in iter_children(block):
            if child and isinstance(child[0], Inline):
                notes: list[Note] = []
                yield _inline_text(child, notes)
                for note in notes:
                    yield from _texts(note.blocks)
            else:
                yield from _texts(child)  # type: ignore[arg-type]


def _inline_text(inlines: Sequence[Inline], notes: list[Note]) -> str:
    """Inline text as it reads; a note is a word break here, its text follows (``notes``)."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Text | Code | Math):
            out.append(node.text)
        elif isinstance(node, LineBreak):
            out.append(" ")
        elif isinstance(node, Note):
            out.append(" ")
            notes.append(node)
        else:
            out.append(_inline_text(getattr(node, "content", None) or [], notes))
    return "".join(out)


class Alignment:
    """The words of ``ours`` that ``theirs`` keeps in order (see the module docstring).

    Both are lists of units (a paragraph's, a heading's, a cell's words). The units are aligned
    first, as whole tuples: a longest common subsequence (:func:`common_subsequence`), quick
    because nearly every unit is unique. The words are then aligned only inside the stretches
    between units kept whole, with :class:`difflib.SequenceMatcher` (autojunk off).

    Past the bounds (more than :data:`UNIT_LIMIT` pairs of equal units, a text that repeats
    itself thousands of times; a stretch of more than :data:`FINE_LIMIT` word pairs, two texts
    cut into paragraphs in wholly different ways) SequenceMatcher's greedy matching, and for
    words its popular-word heuristic, stand in: they can only count fewer words kept, never more.
    """

    #: how many lost or added words a note quotes
    QUOTE = 8
    #: the most pairs of equal units the exact alignment of units considers
    UNIT_LIMIT = 1_000_000
    #: the largest stretch (words of ours times words of theirs) aligned word by word exactly
    FINE_LIMIT = 4_000_000

    def __init__(self, ours: Sequence[Sequence[str]], theirs: Sequence[Sequence[str]]) -> None:
        self.ours = [w for unit in ours for w in unit]
        self.theirs = [w for unit in theirs for w in unit]
        self.lost_runs: list[tuple[int, int]] = []
        self.added_runs: list[tuple[int, int]] = []
        self.kept = 0
        if self.ours != self.theirs:
            ours_at, theirs_at = _offsets(ours), _offsets(theirs)
            a, b = [tuple(u) for u in ours], [tuple(u) for u in theirs]
            pairs = common_subsequence(a, b, self.UNIT_LIMIT)
            if pairs is None:
                pairs = [(m.a + k, m.b + k) for m in SequenceMatcher(
                    None, a, b, autojunk=False).get_matching_blocks() for k in range(m.size)]
            i0 = j0 = 0
            for i, j in [*pairs, (len(a), len(b))]:
                if i > i0 or j > j0:
                    self._words(ours_at[i0], ours_at[i], theirs_at[j0], theirs_at[j])
                if i < len(a):
                    self.kept += len(a[i])
                i0, j0 = i + 1, j + 1
        else:
            self.kept = len(self.ours)
        self.added = len(self.theirs) - self.kept

    def _words(self, a0: int, a1: int, b0: int, b1: int) -> None:
        """Align the words of one stretch whose units differ."""
        ours, theirs = self.ours[a0:a1], self.theirs[b0:b1]
        matcher = SequenceMatcher(None, ours, theirs,
                                  autojunk=len(ours) * len(theirs) > self.FINE_LIMIT)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                self.kept += i2 - i1
                continue
            if i2 > i1:
                self.lost_runs.append((a0 + i1, a0 + i2))
            if j2 > j1:
                self.added_runs.append((b0 + j1, b0 + j2))

    def lost(self) -> str:
        """Where the first lost words were, quoted."""
        return self._runs("lost", self.ours, self.lost_runs)

    def added_text(self) -> str:
        return self._runs("added", self.theirs, self.added_runs)

    def _runs(self, what: str, sequence: Sequence[str], runs: list[tuple[int, int]]) -> str:
        quoted = []
        for start, end in runs[:3]:
            text = " ".join(sequence[start:min(end, start + self.QUOTE)])
            more = "…" if end - start > self.QUOTE else ""
            quoted.append(f"{_words_count(end - start)} from word {start + 1} ({text!r}{more})")
        rest = f" and {len(runs) - 3} more passages" if len(runs) > 3 else ""
        return f"{what}: " + ", ".join(quoted) + rest


def common_subsequence(a: Sequence[Hashable], b: Sequence[Hashable], limit: int
                       ) -> list[tuple[int, int]] | None:
    """The index pairs of a longest common subsequence of ``a`` and ``b`` (Hunt and Szymanski,
    1977: every pair of equal items in turn, the shortest tail of each length kept in a sorted
    list), or ``None`` when there are more than ``limit`` pairs of equal items to consider."""
    where: dict[Hashable, list[int]] = {}
    for j, item in enumerate(b):
        where.setdefault(item, []).append(j)
    if sum(len(where.get(item, ())) for item in a) > limit:
        return None
    tails: list[int] = []  # tails[k]: the smallest j that ends a common subsequence of k + 1
    ends: list[int] = []  # ends[k]: its last node
    nodes: list[tuple[int, int, int]] = []  # (i, j, the node before or -1)
    for i, item in enumerate(a):
        for j in reversed(where.get(item, ())):  # descending: one j per i in any chain
            k = bisect_left(tails, j)
            nodes.append((i, j, ends[k - 1] if k else -1))
            if k == len(tails):
                tails.append(j)
                ends.append(len(nodes) - 1)
            else:
                tails[k] = j
                ends[k] = len(nodes) - 1
    pairs = []
    node = ends[-1] if ends else -1
    while node >= 0:
        i, j, node = nodes[node]
        pairs.append((i, j))
    return pairs[::-1]


def _offsets(units: Sequence[Sequence[str]]) -> list[int]:
    """Where each unit's words start in the flat list, and the end."""
    out = [0]
    for unit in units:
        out.append(out[-1] + len(unit))
    return out


def _words_count(n: int) -> str:
    return f"{n} word" if n == 1 else f"{n} words"


__all__ = ["READ_BACKS", "TOOL", "Alignment", "Comparison", "ReadBack", "check_rendition",
           "common_subsequence", "compare", "count_nodes", "fidelity_runs", "fidelity_warning",
           "units", "words"]
