"""Runs to text lines: the first layout step, done per page.

A line is a row of runs drawn one after another along the same baseline (the order PDFium reads
the content stream, ISO 32000-1 §9.4). A horizontal gap wider than about one em starts a new line
even on the same row: that is a column gutter or a table cell. Each line keeps its runs' text
with their style (bold, italic, monospace, raised or lowered), its box and its dominant font size.
Ligature code points are expanded (Unicode compatibility mappings of U+FB00..U+FB06).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from .extract import Run

#: style flags of a line part
BOLD, ITALIC, MONO, SUP, SUB = 1, 2, 4, 8, 16
_LIGATURES = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)}
_LIGATURES.update({"\u00ad": "", "\x02": "-", "\u2010": "-", "\u2011": "-"})
_TRANSLATE = str.maketrans(_LIGATURES)
#: a gap wider than this many ems ends a line (gutter, table cell)
GAP_EMS = 1.1


@dataclass(slots=True)
class Line:
    """One line of text on a page, with its style and where it stands."""

    parts: list[tuple[str, int]]
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    flags: int  # the style most of its characters share
    page: int
    font: str
    #: x extents of its runs, for table grids
    spans: list[tuple[float, float]] = field(default_factory=list)
    #: set by the layout: furniture reason, or the column box it was read in
    furniture: str | None = None
    col_x0: float = 0.0
    col_x1: float = 0.0

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts)

    @property
    def bold(self) -> bool:
        return bool(self.flags & BOLD)

    @property
    def italic(self) -> bool:
        return bool(self.flags & ITALIC)

    @property
    def mono(self) -> bool:
        return bool(self.flags & MONO)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def width(self) -> float:
        return self.x1 - self.x0


def build_lines(runs: list[Run], page: int) -> tuple[list[Line], list[Run]]:
    """The page's lines, and the runs of rotated text (margin banners) set apart."""
    groups: list[list[Run]] = []
    rotated: list[Run] = []
    current: list[Run] = []
    for run in runs:
        if run.font.rotated:
            rotated.append(run)
            continue
        if current and _continues(current, run):
            current.append(run)
        else:
            if current:
                groups.append(current)
            current = [run]
    if current:
        groups.append(current)
    return [_make_line(group, page) for group in _merge_rows(groups)], rotated


def _merge_rows(groups: list[list[Run]]) -> list[list[Run]]:
    """Join pieces of one line that the content stream drew apart (a marker drawn later)."""
    if len(groups) < 2:
        return groups
    boxes = [(min(r.top for r in g), max(r.bottom for r in g), g) for g in groups]
    boxes.sort(key=lambda b: (b[0], min(r.x0 for r in b[2])))
    rows: list[list[tuple[float, float, list[Run]]]] = []
    for box in boxes:
        if rows and _same_row(rows[-1][0], box):
            rows[-1].append(box)
        else:
            rows.append([box])
    out: list[list[Run]] = []
    for row in rows:
        row.sort(key=lambda b: min(r.x0 for r in b[2]))
        merged = [row[0][2]]
        for _, _, group in row[1:]:
            last = merged[-1]
            size = max(max(r.font.size for r in last), max(r.font.size for r in group), 1.0)
            gap = min(r.x0 for r in group) - max(r.x1 for r in last)
            if -0.3 * size <= gap <= GAP_EMS * size:
                merged[-1] = sorted(last + group, key=lambda r: r.x0)
            else:
                merged.append(group)
        out.extend(merged)
    return out


def _same_row(a: tuple[float, float, object], b: tuple[float, float, object]) -> bool:
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    return overlap > 0.5 * min(a[1] - a[0], b[1] - b[0])


def _continues(current: list[Run], run: Run) -> bool:
    last = current[-1]
    size = max(last.font.size, run.font.size, 1.0)
    top = min(r.top for r in current[-3:])
    bottom = max(r.bottom for r in current[-3:])
    overlap = min(bottom, run.bottom) - max(top, run.top)
    if overlap < 0.4 * min(bottom - top, run.bottom - run.top):
        return False
    gap = run.x0 - last.x1
    return -0.5 * size <= gap <= GAP_EMS * size


def _make_line(runs: list[Run], page: int) -> Line:
    weights: Counter[float] = Counter()
    fonts: Counter[str] = Counter()
    for run in runs:
        weights[run.font.size] += len(run.text)
        fonts[run.font.name] += len(run.text)
    size = weights.most_common(1)[0][0]
    main = [r for r in runs if r.font.size == size]
    base_top = min(r.top for r in main)
    base_bottom = max(r.bottom for r in main)
    middle = (base_top + base_bottom) / 2
    parts: list[tuple[str, int]] = []
    style_weight: Counter[int] = Counter()
    previous: Run | None = None
    for index, run in enumerate(runs):
        flags = _flags(run)
        if run.font.size < 0.85 * size:
            centre = (run.top + run.bottom) / 2
            if centre < middle - 0.12 * size:
                flags |= SUP
            elif centre > middle + 0.12 * size:
                flags |= SUB
        style_weight[flags & (BOLD | ITALIC | MONO)] += len(run.text)
        text = run.text.translate(_TRANSLATE)
        if previous is not None:
            gap = run.x0 - previous.x1
            drop_cap = index == 1 and _is_drop_cap(previous, size)
            if not (run.glued and gap < 0.2 * size) and not (gap < 0.08 * size and flags & SUP) \
                    and not drop_cap:
                text = " " + text
        parts.append((text, flags))
        previous = run
    flags = style_weight.most_common(1)[0][0]
    return Line(
        parts=_merge_parts(parts),
        x0=min(r.x0 for r in runs), x1=max(r.x1 for r in runs),
        top=base_top, bottom=base_bottom,
        size=size, flags=flags, page=page, font=fonts.most_common(1)[0][0],
        spans=[(r.x0, r.x1) for r in runs],
    )


def _is_drop_cap(run: Run, size: float) -> bool:
    return len(run.text) == 1 and run.text.isalpha() and run.font.size > 1.8 * size


def _flags(run: Run) -> int:
    font = run.font
    return (BOLD if font.bold else 0) | (ITALIC if font.italic else 0) | (MONO if font.mono else 0)


def _merge_parts(parts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    merged: list[tuple[str, int]] = []
    for text, flags in parts:
        if merged and merged[-1][1] == flags:
            merged[-1] = (merged[-1][0] + text, flags)
        elif merged and text.startswith(" ") and merged[-1][1] != flags:
            merged[-1] = (merged[-1][0] + " ", merged[-1][1])
            merged.append((text[1:], flags))
        else:
            merged.append((text, flags))
    return merged


def merge_drop_caps(lines: list[Line]) -> list[Line]:
    """Join a drop capital (one letter, much larger, beside a paragraph's first line) to it."""
    sizes = sorted(line.size for line in lines)
    if not sizes:
        return lines
    median = sizes[len(sizes) // 2]
    dropped: set[int] = set()
    for i, cap in enumerate(lines):
        text = cap.text.strip()
        if len(text) != 1 or not text.isalpha() or cap.size < 2 * median:
            continue
        beside = [line for line in lines if line is not cap and 0 <= line.x0 - cap.x1 < cap.size
                  and abs(line.top - cap.top) < 0.6 * cap.height]
        if beside:
            first = min(beside, key=lambda line: line.top)
            head, flags = first.parts[0]
            first.parts[0] = (text + head.lstrip(), flags)
            first.x0 = cap.x0
            dropped.add(i)
    return [line for i, line in enumerate(lines) if i not in dropped]
