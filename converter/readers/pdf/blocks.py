"""Lines in reading order to typed blocks: paragraphs, headings, list items, captions, tables,
footnotes and code.

Typographic conventions decide, as a reader's eye does: a new block starts where the line pitch
opens up, the style changes, the first line is indented, the line before stopped short after a
full stop, or a bullet, a caption label (``Figure 2:``, ``Table 1.``) or a table row begins. A
block is a heading when it is short and set in a heading style (larger, bold, or italic set
apart), or numbered like ``2.1``; its level follows the style's rank and the numbering depth.
Rows whose cells stand apart on one line make a table grid (best effort). A paragraph cut by a
column or page break, a figure or a footnote is joined again when its last line is open.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from .lines import BOLD, ITALIC, SUP, Line

CAPTION = re.compile(
    r"^(?P<label>(?P<kind>fig(?:ure)?|table|tab|listing|scheme|chart|plate|box|exhibit)\.?"
    r"\s*(?:[A-Z]?\d+(?:[.\-–]\d+)*[a-z]?|[IVX]+))(?P<rest>\s*[.:|\-–—]\s*|\s+(?=[A-Z(\[])|$)",
    re.IGNORECASE)
BULLET = re.compile(r"^(?P<marker>[•◦▪‣∙●○■□◆▸►✓➢\u2022\u2023\u25e6\u2043\u2219*–—-])\s+\S")
ENUMERATOR = re.compile(
    r"^(?P<marker>\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])\s+\S")
NUMBERED_HEADING = re.compile(
    r"^(?P<number>\d{1,2}(?:\.\d{1,2}){0,4}\.?|[A-Z]\.(?:\d{1,2}(?:\.\d{1,2}){0,3})?)\s+\S")
_SENTENCE_END = re.compile(r"[.?!:;]['’”\")\]]*$")
_LABEL_ONLY = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2}){0,4}\.?|[A-Z]\.|(?:fig(?:ure)?|table|tab|listing)\.?\s*"
    r"[\dIVX]+(?:[.\-–]\d+)*[.:]?)$", re.IGNORECASE)
_FOOTNOTE_MARK = re.compile(r"^(?P<mark>\d{1,2}|[*†‡§¶#a-z])\s*\S")


@dataclass
class Block:
    """A typed group of lines; tables carry their rows of cells."""

    kind: str  # paragraph heading caption list_item table footnote code
    lines: list[Line]
    level: int = 0
    marker: str = ""
    rows: list[list[Line]] = field(default_factory=list)  # a table's rows of cells

    @property
    def text(self) -> str:
        return " ".join(line.text.strip() for line in self.lines)

    @property
    def first(self) -> Line:
        return self.lines[0]

    @property
    def last(self) -> Line:
        return self.lines[-1]

    @property
    def page(self) -> int:
        return self.lines[0].page


@dataclass
class Context:
    """Document-wide measures the rules compare against."""

    size: float
    pitch: dict[float, float]

    def normal_pitch(self, size: float) -> float:
        return self.pitch.get(round(size * 2) / 2, 1.25 * size)


def measure(columns: list[list[Line]], size: float) -> Context:
    """The usual line pitch of each font size (its most common baseline-to-baseline distance)."""
    pitches: defaultdict[float, Counter[float]] = defaultdict(Counter)
    for lines in columns:
        for a, b in pairwise(lines):
            step = b.top - a.top
            if abs(a.size - b.size) < 0.3 and 0.9 * a.size <= step <= 3.2 * a.size:
                pitches[round(a.size * 2) / 2][round(step)] += 1
    return Context(size, {k: float(c.most_common(1)[0][0]) for k, c in pitches.items()})


def build_blocks(columns: list[list[Line]], ctx: Context) -> list[Block]:
    """Typed blocks in reading order from the columns of every page."""
    blocks: list[Block] = []
    for lines in columns:
        blocks.extend(_column_blocks(_join_labels(lines), ctx))
    _classify(blocks, ctx)
    return _rejoin(blocks, ctx)


def _rows(lines: list[Line]) -> list[list[Line]]:
    rows: list[list[Line]] = []
    for line in lines:
        if rows:
            first = rows[-1][0]
            middle = (line.top + line.bottom) / 2
            if first.top <= middle <= first.bottom and line.x0 >= rows[-1][-1].x1 - 1:
                rows[-1].append(line)
                continue
        rows.append([line])
    return rows


def _join_labels(lines: list[Line]) -> list[list[Line]]:
    """Rows of a column; a label set apart from its text (``5.1   Results``) joins it."""
    out: list[list[Line]] = []
    for row in _rows(lines):
        while len(row) >= 2 and _LABEL_ONLY.match(row[0].text.strip()):
            label, rest = row[0], row[1]
            rest.parts = [*label.parts, (" ", label.flags), *rest.parts]
            rest.x0 = label.x0
            row = [rest, *row[2:]]
        out.append(row)
    return out


def _column_blocks(rows: list[list[Line]], ctx: Context) -> list[Block]:
    blocks: list[Block] = []
    table: list[list[Line]] = []
    for row in rows:
        if len(row) > 1:
            table.append(row)
            continue
        if table:
            blocks.extend(_table_or_lines(table))
            table = []
        line = row[0]
        current = blocks[-1] if blocks and blocks[-1].kind != "table" else None
        if current is not None and not _breaks(current, line, ctx):
            current.lines.append(line)
        else:
            blocks.append(Block("paragraph", [line]))
    if table:
        blocks.extend(_table_or_lines(table))
    return blocks


def _table_or_lines(rows: list[list[Line]]) -> list[Block]:
    """Two or more rows of cells make a table; a lone split row is read as lines."""
    if len(rows) >= 2:
        return [Block("table", [line for row in rows for line in row], rows=rows)]
    return [Block("paragraph", [line]) for line in rows[0]]


def _breaks(block: Block, line: Line, ctx: Context) -> bool:
    """Whether ``line`` starts a new block after ``block``."""
    last = block.last
    if abs(last.size - line.size) > 0.6 or ((last.flags & (BOLD | ITALIC)) != (
            line.flags & (BOLD | ITALIC)) and not _mixed(block, line)):
        return True
    step = line.top - last.top
    if step > 1.3 * ctx.normal_pitch(line.size) or step < 0:
        return True
    text = line.text.strip()
    if CAPTION.match(text) or BULLET.match(text) or (
            ENUMERATOR.match(text) and not _continues_sentence(last)):
        return True
    left = line.col_x0
    indent = line.x0 - left
    listed = bool(BULLET.match(block.first.text.strip()) or ENUMERATOR.match(
        block.first.text.strip()))
    if indent > 0.7 * line.size and last.x0 - left < 0.3 * line.size and not listed:
        return True
    if line.x0 < block.first.x0 - 0.7 * line.size and (
            BULLET.match(block.first.text.strip()) or ENUMERATOR.match(block.first.text.strip())):
        return True
    width = line.col_x1 - left
    short = last.x1 < line.col_x1 - max(2.5 * line.size, 0.12 * width)
    if short and last.bold and last.size <= 1.1 * ctx.size and last.x1 < left + 0.8 * width:
        return True  # a short line in a heading style stands alone
    return short and bool(_SENTENCE_END.search(last.text.strip()))


def _mixed(block: Block, line: Line) -> bool:
    """A line whose style differs only because a few words are styled (not a new block)."""
    return len(line.text) > 60 and len(block.last.text) > 60


def _continues_sentence(line: Line) -> bool:
    return not _SENTENCE_END.search(line.text.strip())


# --------------------------------------------------------------------------- classification


def _classify(blocks: list[Block], ctx: Context) -> None:
    for index, block in enumerate(blocks):
        if block.kind == "table":
            continue
        text = block.text
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        previous = blocks[index - 1] if index else None
        if CAPTION.match(text) and _caption_like(block, ctx):
            block.kind = "caption"
        elif m := BULLET.match(text) or ENUMERATOR.match(text):
            block.kind, block.marker = "list_item", m.group("marker")
        elif all(line.mono for line in block.lines):
            block.kind = "code"
        elif _is_heading(block, ctx, previous, following):
            block.kind = "heading"
        elif _is_footnote(block, ctx, following):
            block.kind = "footnote"
            mark = _FOOTNOTE_MARK.match(text)
            block.marker = mark.group("mark") if mark else ""
    _levels([b for b in blocks if b.kind == "heading"])


def _caption_like(block: Block, ctx: Context) -> bool:
    match = CAPTION.match(block.text)
    if match is None:
        return False
    rest = block.text[match.end():]
    styled = block.first.parts[0][1] & (BOLD | ITALIC) or block.first.size < 0.97 * ctx.size
    return bool(match.group("rest").strip()) or bool(styled) or not rest[:1].islower()


def _is_heading(block: Block, ctx: Context, previous: Block | None,
                following: Block | None) -> bool:
    text = block.text
    if len(block.lines) > 3 or len(text) > 200 or len(text) < 2 or not re.search(r"[^\W\d_]", text):
        return False
    if (text.endswith((".", ",", ";")) and not NUMBERED_HEADING.match(text)) or text.endswith("-"):
        return False
    line = block.first
    numbered = bool(NUMBERED_HEADING.match(text)) and len(text.split()) <= 14
    if line.size >= 1.12 * ctx.size:
        return len(text.split()) <= 20  # longer: a deck or a pull quote, not a heading
    if line.bold and line.size >= 0.85 * ctx.size:
        return len(text.split()) <= 16 or numbered
    if line.italic and len(block.lines) == 1 and len(text.split()) <= 10 and text[:1].isupper():
        set_apart = previous is None or (line.top - previous.last.top
                                         > 1.3 * ctx.normal_pitch(line.size))
        body_follows = following is not None and following.kind in ("paragraph", "list_item") \
            and not following.first.italic
        return set_apart and body_follows
    return False


def _is_footnote(block: Block, ctx: Context, following: Block | None) -> bool:
    first = block.first
    if first.size > 0.9 * ctx.size or not _FOOTNOTE_MARK.match(block.text):
        return False
    starts_marked = bool(first.parts[0][1] & SUP) or bool(re.match(r"^\d{1,2}\s*\S", block.text))
    ends_page = following is None or following.page != block.page or following.first.top < first.top
    return starts_marked and ends_page


def _levels(headings: list[Block]) -> None:
    """Heading levels: numbering depth where numbered, else the rank of the heading's style."""
    styles = sorted({_style(b) for b in headings}, key=lambda s: (-s[0], -s[1], s[2]))
    for block in headings:
        number = NUMBERED_HEADING.match(block.text)
        if number and re.match(r"^\d", number.group("number")):
            block.level = min(6, number.group("number").count(".") + 1)
        else:
            block.level = min(6, styles.index(_style(block)) + 1)


def _style(block: Block) -> tuple[float, int, int]:
    line = block.first
    return round(line.size * 2) / 2, int(line.bold), int(line.italic)


# --------------------------------------------------------------------------- continuation


def _rejoin(blocks: list[Block], ctx: Context) -> list[Block]:
    """Join paragraphs cut by a column or page break, or by floats between their halves."""
    out: list[Block] = []
    open_paragraph: Block | None = None
    for block in blocks:
        if block.kind == "paragraph" and open_paragraph is not None and _continues(
                open_paragraph, block, ctx):
            open_paragraph.lines.extend(block.lines)
            continue
        out.append(block)
        if block.kind == "paragraph":
            open_paragraph = block
        elif block.kind not in ("caption", "table", "footnote"):
            open_paragraph = None
    return out


def _continues(previous: Block, block: Block, ctx: Context) -> bool:
    last, first = previous.last, block.first
    if abs(last.size - first.size) > 0.6 or last.bold != first.bold:
        return False
    moved = first.page != last.page or abs(first.col_x0 - last.col_x0) > 1 or first.top < last.top
    if not moved:
        return False
    text = last.text.rstrip()
    start = first.text.lstrip()
    indented = first.x0 - first.col_x0 > 0.7 * first.size
    if text.endswith("-"):
        return True
    if _SENTENCE_END.search(text):
        return False
    return not indented and bool(start) and (start[0].islower() or not start[0].isalpha())
