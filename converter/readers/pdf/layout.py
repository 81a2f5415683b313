"""Page layout: reading order across columns, and what on a page is not the article.

Reading order is a recursive gutter cut, a variant of the XY-cut of Nagy and Seth (1984): in a
region, a *gutter* is a vertical band that no narrow line crosses, with lines on both sides that
stand beside each other. Lines that do cross it (a title or a figure caption over two columns)
cut the region into bands; in each band the left side is read before the right; both sides are cut
again (three columns, a sidebar beside two columns). A region without a gutter is read top down.

Furniture goes to the article's ``discarded`` list with a reason, never silently:

* running headers and footers: lines near the top or bottom edge whose text, digits aside, comes
  back on other pages (or, on a one-page document, a top line that carries a page number);
* page numbers: a bare number (``7``, ``- 7 -``, ``Page 7``, ``7 of 35``, ``vii``) near an edge;
* line numbers of manuscripts: a column of bare numbers beside the text;
* sidebars and banners: a narrow column of smaller print at the page's edge beside the text;
  rotated text in the margins (arXiv and medRxiv stamps);
* text inside figures: lines inside an image, or small print inside a drawn figure.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from .extract import Box, Page
from .lines import Line

_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?[-–—(]?\s*(?:\d{1,4}|[ivxlcdm]{1,7}|\d{1,2}[-–.]\d{1,4})\s*[-–—)]?"
    r"(?:\s*(?:of|/)\s*\d{1,4})?$",
    re.IGNORECASE)
_BARE_NUMBER = re.compile(r"^\d{1,4}$")
_DIGITS = re.compile(r"\d+")
_EDGE_BAND = 0.09  # fraction of the page height where headers and footers stand
_MIN_GUTTER = 6.0  # points
_MAX_DEPTH = 4


@dataclass
class Column:
    """Lines read together, top down, and the box they fill."""

    lines: list[Line]
    x0: float
    x1: float


def body_size(pages: list[list[Line]]) -> float:
    """The font size most characters of the document are set in."""
    weights: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            weights[round(line.size * 2) / 2] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def mark_figure_text(lines: list[Line], page: Page, size: float) -> None:
    """Lines inside an image, or small print inside a drawn figure, are figure text."""
    regions = _figure_regions(page)
    if not regions:
        return
    for line in lines:
        if line.furniture:
            continue
        cx, cy = (line.x0 + line.x1) / 2, (line.top + line.bottom) / 2
        for box, is_image in regions:
            if box.x0 <= cx <= box.x1 and box.top <= cy <= box.bottom and (
                    is_image or (line.size < 0.92 * size and not line.mono)):
                line.furniture = "text inside a figure"
                break


def _figure_regions(page: Page) -> list[tuple[Box, bool]]:
    """Images, and clusters of drawn shapes large enough to be a figure."""
    regions: list[tuple[Box, bool]] = [(b, True) for b in page.images
                                       if b.width * b.height > 2500]
    for cluster in _clusters(page.shapes + page.rules if page.shapes else []):
        if cluster.width > 60 and cluster.height > 40:
            regions.append((cluster, False))
    return regions


def _clusters(boxes: list[Box], slack: float = 8.0) -> list[Box]:
    """Boxes merged while they touch (within ``slack`` points)."""
    merged: list[Box] = []
    for box in sorted(boxes, key=lambda b: (b.top, b.x0)):
        for i, other in enumerate(merged):
            if (box.x0 <= other.x1 + slack and other.x0 <= box.x1 + slack
                    and box.top <= other.bottom + slack and other.top <= box.bottom + slack):
                merged[i] = Box(min(box.x0, other.x0), min(box.top, other.top),
                                max(box.x1, other.x1), max(box.bottom, other.bottom))
                break
        else:
            merged.append(box)
    if len(merged) < len(boxes):
        return _clusters(merged, slack) if len(merged) > 1 else merged
    return merged


def mark_line_numbers(lines: list[Line]) -> None:
    """A column of bare numbers left or right of all other text: manuscript line numbers."""
    numbers = [line for line in lines
               if not line.furniture and _BARE_NUMBER.match(line.text.strip())]
    text = [line for line in lines if not line.furniture and line not in numbers]
    if len(numbers) < 4 or not text:
        return
    left_edge = min(line.x0 for line in text)
    right_edge = max(line.x1 for line in text)
    beside = [line for line in numbers if line.x1 < left_edge - 1 or line.x0 > right_edge + 1]
    if len(beside) >= 4:
        for line in beside:
            line.furniture = "line number"


def mark_line_number_columns(pages: list[list[Line]]) -> None:
    """Where a document numbers its lines, a bare number standing where the line numbers stand
    is one too (pages with only a few lines)."""
    edges: Counter[int] = Counter(round(line.x1) for lines in pages for line in lines
                                  if line.furniture == "line number")
    if not edges:
        return
    column = edges.most_common(1)[0][0]
    for lines in pages:
        for line in lines:
            if not line.furniture and abs(line.x1 - column) <= 2 and _BARE_NUMBER.match(
                    line.text.strip()):
                line.furniture = "line number"


def mark_running(pages: list[list[Line]], heights: list[float]) -> None:
    """Page numbers, and headers and footers that repeat across pages."""
    seen: defaultdict[str, set[int]] = defaultdict(set)
    edge_lines: list[tuple[Line, str]] = []
    for lines, height in zip(pages, heights, strict=True):
        live = [line for line in lines if not line.furniture]
        if not live:
            continue
        top_most = min(line.top for line in live)
        bottom_most = max(line.bottom for line in live)
        for line in live:
            near_top = line.top < height * _EDGE_BAND or line.top <= top_most + 1
            near_bottom = line.bottom > height * (1 - _EDGE_BAND) or line.bottom >= bottom_most - 1
            if not (near_top or near_bottom):
                continue
            text = line.text.strip()
            if _PAGE_NUMBER.match(text):
                line.furniture = "page number"
                if near_top and len(pages) == 1:
                    _same_row_header(line, live)
                continue
            key = _DIGITS.sub("#", text.lower())
            key = re.sub(r"\s+", " ", key)
            seen[key].add(line.page)
            edge_lines.append((line, key))
    many = len(pages) >= 2
    for line, key in edge_lines:
        if many and len(seen[key]) >= 2:
            line.furniture = "running header or footer"
    if len(pages) == 1:
        _single_page_header(pages[0])


def _same_row_header(number: Line, lines: list[Line]) -> None:
    """A line beside a page number at the top of a page is its running header."""
    for line in lines:
        if line is not number and not line.furniture and not line.bold and (
                min(line.bottom, number.bottom) - max(line.top, number.top)
                > 0.5 * min(line.height, number.height)):
            line.furniture = "running header or footer"


def _single_page_header(lines: list[Line]) -> None:
    """On a lone page, a top line that ends or starts with a page number is a running header."""
    live = sorted((line for line in lines if not line.furniture), key=lambda line: line.top)
    if len(live) < 3:
        return
    first, second = live[0], live[1]
    text = first.text.strip()
    numbered = re.match(r"^\d{1,4}\s+\S", text) or re.search(r"\S\s+\d{1,4}$", text)
    if numbered and not first.bold and second.top - first.bottom > 0.8 * first.height:
        first.furniture = "running header or footer"


# --------------------------------------------------------------------------- reading order


def reading_order(lines: list[Line], page_width: float, size: float) -> list[Column]:
    """The page's live lines as columns, in reading order; sidebars marked as furniture."""
    live = [line for line in lines if not line.furniture]
    if not live:
        return []
    columns = _cut(live, 0, size, page_width)
    for column in columns:
        for line in column.lines:
            line.col_x0, line.col_x1 = column.x0, column.x1
    return [c for c in columns if any(not line.furniture for line in c.lines)]


def _cut(lines: list[Line], depth: int, size: float, page_width: float) -> list[Column]:
    x0 = min(line.x0 for line in lines)
    x1 = max(line.x1 for line in lines)
    gutter = _gutter(lines, x0, x1) if depth < _MAX_DEPTH and len(lines) >= 4 else None
    if gutter is None:
        return [Column(_rows(lines), x0, x1)]
    g0, g1 = gutter
    out: list[Column] = []
    band: list[Line] = []

    def flush() -> None:
        if not band:
            return
        left = [line for line in band if line.x1 <= g0 + 1]
        right = [line for line in band if line.x0 >= g1 - 1]
        _mark_sidebar(left, right, size, page_width, at_left=True)
        _mark_sidebar(right, left, size, page_width, at_left=False)
        for side in (left, right):
            if side:
                out.extend(_cut(side, depth + 1, size, page_width))
        band.clear()

    for line in sorted(lines, key=lambda line: (line.top, line.x0)):
        if line.x0 < g0 - 1 and line.x1 > g1 + 1:
            flush()
            out.append(Column([line], line.x0, line.x1))
        else:
            band.append(line)
    flush()
    return _merge_spanning(out)


def _merge_spanning(columns: list[Column]) -> list[Column]:
    """Consecutive one-line columns that span the gutter read as one column."""
    merged: list[Column] = []
    for column in columns:
        previous = merged[-1] if merged else None
        if (previous is not None and len(column.lines) == 1 and previous.lines
                and _spans_alike(previous, column)):
            previous.lines.append(column.lines[0])
            previous.x0, previous.x1 = min(previous.x0, column.x0), max(previous.x1, column.x1)
        else:
            merged.append(column)
    return merged


def _spans_alike(previous: Column, column: Column) -> bool:
    last = previous.lines[-1]
    line = column.lines[0]
    return abs(last.x0 - line.x0) < 30 and line.top - last.bottom < 2 * line.height and all(
        abs(other.x0 - line.x0) < 30 for other in previous.lines[-2:])


def _gutter(lines: list[Line], x0: float, x1: float) -> tuple[float, float] | None:
    """The best vertical band free of narrow lines, with text standing on both sides."""
    width = x1 - x0
    narrow = [line for line in lines if line.width < 0.55 * width]
    if len(narrow) < 4:
        return None
    spans = sorted((line.x0, line.x1) for line in narrow)
    best: tuple[float, tuple[float, float]] | None = None
    reach = spans[0][1]
    for start, end in spans[1:]:
        if start - reach >= _MIN_GUTTER:
            candidate = (reach, start)
            score = _gutter_score(lines, narrow, candidate)
            if score > 0 and (best is None or score > best[0]):
                best = (score, candidate)
        reach = max(reach, end)
    return best[1] if best else None


def _gutter_score(lines: list[Line], narrow: list[Line], gap: tuple[float, float]) -> float:
    g0, g1 = gap
    left = [line for line in narrow if line.x1 <= g0 + 0.5]
    right = [line for line in narrow if line.x0 >= g1 - 0.5]
    left_all = [line for line in lines if line.x1 <= g0 + 1]
    right_all = [line for line in lines if line.x0 >= g1 - 1]
    crossing = len(lines) - len(left_all) - len(right_all)
    if len(left_all) < 2 or len(right_all) < 2 or not left or not right:
        return 0.0
    fewer = min(len(left_all), len(right_all))
    if crossing > 0.5 * fewer or not (_text_like(left_all) and _text_like(right_all)):
        return 0.0
    # the two sides must stand beside each other, not one above the other
    top = max(min(line.top for line in left_all), min(line.top for line in right_all))
    bottom = min(max(line.bottom for line in left_all), max(line.bottom for line in right_all))
    if bottom - top < 2 * statistics.median(line.height for line in lines):
        return 0.0
    return fewer + (g1 - g0) / 100


def _text_like(lines: list[Line]) -> bool:
    """Lines of running text, not the cells of a table (mostly one or two words, numbers)."""
    worded = sum(1 for line in lines if len(line.text.split()) >= 3)
    return worded >= 0.5 * len(lines)


def _mark_sidebar(side: list[Line], other: list[Line], size: float, page_width: float,
                  at_left: bool) -> None:
    """A narrow column of smaller print at the page's edge, beside the text, is a sidebar."""
    if not side or not other:
        return
    extent = max(line.x1 for line in side) - min(line.x0 for line in side)
    chars_side = sum(len(line.text) for line in side)
    chars_other = sum(len(line.text) for line in other)
    sizes = statistics.median(line.size for line in side)
    edge = min(line.x0 for line in side) < 0.25 * page_width if at_left else (
        max(line.x1 for line in side) > 0.75 * page_width)
    if extent < 0.3 * page_width and sizes < 0.93 * size and chars_side < chars_other and edge:
        for line in side:
            line.furniture = "sidebar"


def _rows(lines: list[Line]) -> list[Line]:
    """Lines top down; lines on one row left to right."""
    ordered = sorted(lines, key=lambda line: (line.top, line.x0))
    rows: list[list[Line]] = []
    for line in ordered:
        if rows:
            row = rows[-1]
            middle = (line.top + line.bottom) / 2
            if row[0].top <= middle <= row[0].bottom:
                row.append(line)
                continue
        rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda line: line.x0)]
