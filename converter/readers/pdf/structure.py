"""Typed blocks to the article: title, authors, abstract, sections, references, notes.

The order follows how scholarly articles are set (JATS 1.3's front, body and back are the
target): the title is the largest text on the first page (or the PDF's own title when the page
shows none); what stands between it and the abstract or first section is front matter (authors,
affiliations, correspondence, keywords); the abstract is the text after an "Abstract" label, or a
block set apart in its own style before the first heading; a "References" heading opens the
reference list, split into entries at labels (``[12]``, ``12.``) or at paragraph breaks.
Captions become figures (or tables, when a grid was found beside them); footnotes become notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal

from ...model import (
    Block,
    BulletList,
    CodeBlock,
    Contributor,
    Figure,
    Heading,
    Inline,
    Note,
    OrderedList,
    Paragraph,
    Reference,
    Table,
    TableCell,
    TableRow,
    Text,
    normalize_inlines,
)
from . import blocks as b
from .inline import Vocabulary, inlines, join_lines, plain_text
from .lines import BOLD, ITALIC, SUP, Line

_REFERENCES = re.compile(
    r"^(?:\d{1,2}\.?\s+|[A-Z]\.\s+)?(?:references?(?: list| and notes| cited)?|bibliography|"
    r"literature(?: cited)?|works cited|cited literature|sources)\s*:?$", re.IGNORECASE)
_ABSTRACT = re.compile(r"^(?:abstract|a\s?b\s?s\s?t\s?r\s?a\s?c\s?t|summary of the article)"
                       r"(?P<rest>\s*[.:—–-]\s*|\s*$)", re.IGNORECASE)
_KEYWORDS = re.compile(r"^(?:key\s?words?|index terms|subjects?)\s*[:.—–-]?\s*", re.IGNORECASE)
_ACKNOWLEDGEMENTS = re.compile(r"^(?:\d{1,2}\.?\s+)?acknowledge?ments?\s*:?$", re.IGNORECASE)
#: headings inside a structured abstract
_ABSTRACT_PARTS = frozenset((
    "background", "backgrounds", "objective", "objectives", "aim", "aims", "aims and objectives",
    "purpose", "methods", "method", "materials and methods", "methods and findings", "design",
    "setting", "participants", "interventions", "measurements", "results", "findings",
    "conclusion", "conclusions", "interpretation", "context", "importance", "significance",
    "main outcome measures", "main outcomes and measures", "evidence review", "observations",
    "limitations", "funding", "introduction", "discussion",
))
_FRONT_HEADINGS = re.compile(
    r"^(?:affiliations?|author (?:information|details|affiliations?)|(?:address for )?"
    r"correspondence|corresponding authors?|contact|running title|short title|orcid|"
    r"author notes?)\s*:?$", re.IGNORECASE)
_DEGREES = re.compile(r"^(?:[A-Z]{2,5}|Ph\.?D\.?|M\.?D\.?|B\.?S\.?c?|M\.?Sc?\.?|Dr\.?|Prof\.?|"
                      r"MPH|FACC|FRCP|RN)$")
_NAME = re.compile(r"^[A-ZÀ-Ý][\w'’.-]*(?:\s+(?:[a-z]{1,3}\s+)?[A-ZÀ-Ý][\w'’.-]*){1,4}$")
_REF_LABEL = re.compile(r"^\s*(?:\[(?P<a>\d{1,4})\]|(?P<b>\d{1,3})\.)\s+")
_AFFIL_MARK = re.compile(r"(?:^|\s)(?P<mark>\d{1,2}|[*†‡§¶#])\s*(?=[A-Z])")


@dataclass
class Parts:
    """What the structure step hands to the reader."""

    title: str = ""
    title_found: str = ""  # "page" or "" (not found on the page)
    contributors: list[Contributor] = field(default_factory=list)
    abstract: list[Block] = field(default_factory=list)
    body: list[Block] = field(default_factory=list)
    acknowledgements: list[Block] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    notes: list[Block] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    set_aside: list[tuple[str, str, int]] = field(default_factory=list)  # text, reason, page
    diagnostics: list[tuple[str, str, str]] = field(default_factory=list)


def build(blocks: list[b.Block], ctx: b.Context, vocabulary: Vocabulary,
          metadata_title: str | None) -> Parts:
    """The article's parts from its blocks, in reading order."""
    parts = Parts()
    start = _title(blocks, ctx, metadata_title, parts)
    rest = _front(blocks[start:], ctx, vocabulary, parts)
    _body(rest, ctx, vocabulary, parts)
    return parts


# --------------------------------------------------------------------------- title


def _title(blocks: list[b.Block], ctx: b.Context, metadata_title: str | None,
           parts: Parts) -> int:
    """Find the title block on the first page; return the index after it (0 if none)."""
    first_page = [(i, blk) for i, blk in enumerate(blocks[:40])
                  if blk.page == blocks[0].page and blk.kind in ("paragraph", "heading")
                  and len(blk.lines) <= 4 and len(blk.text) >= 3
                  and not b.NUMBERED_HEADING.match(blk.text)]
    candidate: tuple[int, b.Block] | None = None
    if first_page:
        biggest = max(blk.first.size for _, blk in first_page)
        if biggest >= 1.15 * ctx.size:
            candidate = next((i, blk) for i, blk in first_page if blk.first.size == biggest)
        elif first_page[0][1].first.bold and first_page[0][0] <= 2 and len(
                first_page[0][1].text.split()) >= 4:
            candidate = first_page[0]
    if candidate is not None:
        index, block = candidate
        parts.title, parts.title_found = plain_text(join_lines(block.lines, Vocabulary([]))), "page"
        for above in blocks[:index]:
            parts.set_aside.append((above.text, "banner above the title", above.page))
        return index + 1
    if metadata_title:
        parts.title = metadata_title
        return 0
    heading = next((blk for blk in blocks if blk.kind == "heading"), None)
    if heading is not None:
        parts.title = heading.text
        parts.diagnostics.append(("warning", "pdf-title-guessed",
                                  "no title on the first page or in the metadata: used the "
                                  "first heading"))
    return 0


# --------------------------------------------------------------------------- front matter


def _front(blocks: list[b.Block], ctx: b.Context, vocabulary: Vocabulary,
           parts: Parts) -> list[b.Block]:
    """Read authors, affiliations, notes and the abstract; return the blocks of the body."""
    end = 0
    section = False
    for end, block in enumerate(blocks):
        if end == 0 and _names(block):
            continue  # the byline, even when set bold like a heading
        if _ABSTRACT.match(block.text) or (block.kind == "heading" and not _FRONT_HEADINGS.match(
                block.text) and not _KEYWORDS.match(block.text)):
            break
        if block.kind == "heading":
            section = True
            continue
        if block.kind == "paragraph" and len(block.text.split()) >= 60:
            break
        body_style = abs(block.first.size - ctx.size) < 0.6 and not block.first.bold
        if block.kind == "paragraph" and body_style and not section and not _affiliations(block):
            break  # running text in the body's own style: the body has begun
    else:
        end = len(blocks)
    if parts.title_found != "page":
        end = 0
    front, rest = blocks[:end], blocks[end:]
    _front_matter(front, ctx, vocabulary, parts)
    return _abstract(rest, ctx, vocabulary, parts)


def _front_matter(front: list[b.Block], ctx: b.Context, vocabulary: Vocabulary,
                  parts: Parts) -> None:
    affiliations: dict[str, str] = {}
    authors_block: b.Block | None = None
    deck: list[b.Block] = []
    section = ""
    for block in front:
        text = block.text.strip()
        if block.kind == "heading" and (_FRONT_HEADINGS.match(text) or _KEYWORDS.match(text)):
            section = text.lower()
            continue
        if _KEYWORDS.match(text) or section.startswith(("key", "index", "subject")):
            parts.keywords.extend(_keywords(_KEYWORDS.sub("", text)))
            continue
        if authors_block is None and not section and _names(block):
            authors_block = block
            continue
        marks = _affiliations(block)
        if marks and (section.startswith("affil") or (authors_block is not None and not deck)):
            affiliations.update(marks)
            continue
        if section.startswith("affil"):
            affiliations[str(len(affiliations) + 1)] = text
            continue
        if not section and len(text.split()) >= 15 and (block.first.bold or block.first.size
                                                       > 1.05 * ctx.size or block.first.italic):
            deck.append(block)
            continue
        parts.notes.append(Paragraph(inlines(join_lines(block.lines, vocabulary))))
    if authors_block is not None:
        parts.contributors = _contributors(authors_block, affiliations)
    if deck:
        parts.abstract = [Paragraph(inlines(join_lines(d.lines, vocabulary), base=d.first.flags))
                          for d in deck]


def _names(block: b.Block) -> list[tuple[str, list[str]]]:
    """Author names (with their affiliation marks) if the block is a byline, else nothing."""
    if len(block.lines) > 4 or block.kind not in ("paragraph", "heading"):
        return []
    pieces: list[tuple[str, list[str]]] = []
    marks: list[str] = []
    text_parts: list[str] = []
    for text, flags in [p for line in block.lines for p in (*line.parts, (" ", 0))]:
        if flags & SUP or re.fullmatch(r"\s*[\d,*†‡§¶#]+\s*", text):
            marks.extend(m for m in re.split(r"[,\s]+", text) if m)
            text_parts.append(" ")
            continue
        text_parts.append(text)
    joined = re.sub(r"\s+", " ", "".join(text_parts))
    joined = re.sub(r"(?<=[a-zà-ÿ])(\d(?:,\d)*)(?=\s*[,;]|\s*$|\s+and\b)", " ", joined)
    separator = ";" if ";" in joined else ","
    for raw in re.split(rf"\s*{separator}\s*|\s+and\s+|\s*&\s*", joined):
        name = raw.strip(" ,;*†‡§¶#0123456789")
        if separator == ";":
            name = ", ".join(p for p in name.split(",") if not _DEGREES.match(p.strip())).strip(
                " ,")
        name = re.sub(r"^and\s+", "", name)
        if not name:
            continue
        if not _NAME.match(name):
            return []
        pieces.append((name, []))
    return pieces if 1 <= len(pieces) <= 40 else []


def _affiliations(block: b.Block) -> dict[str, str]:
    """``1 Institute ... 2 University ...``: affiliation texts by their marks."""
    text = block.text.strip()
    if not re.match(r"^(?:\d{1,2}|[*†‡§¶#])\s*[A-Z]", text):
        return {}
    marks = list(_AFFIL_MARK.finditer(text))
    out: dict[str, str] = {}
    for i, match in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out[match.group("mark")] = text[match.end():end].strip(" ;,")
    return out


def _contributors(block: b.Block, affiliations: dict[str, str]) -> list[Contributor]:
    names = _names(block)
    marks_by_name = _marks_by_name(block)
    out = []
    for name, _ in names:
        marks = marks_by_name.get(name, [])
        affs = [affiliations[m] for m in marks if m in affiliations]
        if not affs and len(affiliations) == 1:
            affs = list(affiliations.values())
        out.append(Contributor(name=name, affiliations=affs))
    return out


def _marks_by_name(block: b.Block) -> dict[str, list[str]]:
    """The marks written after each name (superscript numbers) in a byline."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in block.lines:
        for text, flags in line.parts:
            if flags & SUP or re.fullmatch(r"\s*[\d,]+\s*", text):
                if current:
                    out.setdefault(current, []).extend(
                        m for m in re.split(r"[,\s]+", text) if m.isdigit())
                continue
            pieces = [p.strip(" ,;") for p in re.split(r"[,;]|\band\b", text)]
            for piece in pieces:
                piece = re.sub(r"\s*\d+$", "", piece).strip()
                if piece and _NAME.match(piece):
                    current = piece
    return out


def _keywords(text: str) -> list[str]:
    return [k.strip(" .") for k in re.split(r"[;,·•]", text) if k.strip(" .")]


def _abstract(blocks: list[b.Block], ctx: b.Context, vocabulary: Vocabulary,
              parts: Parts) -> list[b.Block]:
    """Take the abstract after an "Abstract" label; return the rest."""
    if not blocks or not _ABSTRACT.match(blocks[0].text.strip()):
        return blocks
    label = blocks[0]
    rest_text = _ABSTRACT.sub("", label.text.strip(), count=1)
    out: list[Block] = []
    if rest_text and label.kind != "heading":
        out.append(Paragraph(inlines(_strip_label(join_lines(label.lines, vocabulary)))))
    index = 1
    while index < len(blocks):
        block = blocks[index]
        text = block.text.strip()
        if _KEYWORDS.match(text) and block.kind != "heading":
            parts.keywords.extend(_keywords(_KEYWORDS.sub("", text)))
            index += 1
            break
        if block.kind == "heading":
            if _KEYWORDS.match(text):
                index += 1
                if index < len(blocks):
                    parts.keywords.extend(_keywords(blocks[index].text))
                    index += 1
                break
            if text.lower().rstrip(":") not in _ABSTRACT_PARTS:
                break
            out.append(Heading(3, inlines(join_lines(block.lines, vocabulary), plain=True)))
        elif block.kind in ("paragraph", "list_item"):
            if out and label.kind != "heading" and not any(isinstance(x, Heading) for x in out) \
                    and block.first.size != label.first.size:
                break
            out.append(Paragraph(inlines(join_lines(block.lines, vocabulary))))
        else:
            break
        index += 1
    if out:
        parts.abstract = out
    return blocks[index:]


def _strip_label(parts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    text, flags = parts[0]
    parts[0] = (_ABSTRACT.sub("", text.lstrip(), count=1), flags)
    return parts


# --------------------------------------------------------------------------- body


def _body(blocks: list[b.Block], ctx: b.Context, vocabulary: Vocabulary, parts: Parts) -> None:
    target = parts.body
    in_references: b.Block | None = None
    reference_lines: list[list[Line]] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        text = block.text.strip()
        if block.kind == "heading":
            if in_references is not None and block.level > in_references.level:
                reference_lines.append(block.lines)
                index += 1
                continue
            in_references = None
            if _REFERENCES.match(text):
                in_references = block
                index += 1
                continue
            target = parts.acknowledgements if _ACKNOWLEDGEMENTS.match(text) else parts.body
            if target is parts.acknowledgements:
                index += 1
                continue
            target.append(Heading(block.level, inlines(join_lines(block.lines, vocabulary),
                                                       plain=True)))
        elif in_references is not None and block.kind in ("paragraph", "list_item", "footnote"):
            reference_lines.append(block.lines)
        elif block.kind == "caption":
            index = _caption(blocks, index, vocabulary, parts, target)
            continue
        elif block.kind == "table":
            target.append(_table(block, vocabulary, []))
            parts.diagnostics.append(("info", "pdf-table-uncaptioned",
                                      f"a table without caption on page {block.page}"))
        elif block.kind == "footnote":
            _footnote(block, vocabulary, parts)
        elif block.kind == "list_item":
            index = _list(blocks, index, vocabulary, target)
            continue
        elif block.kind == "code":
            target.append(CodeBlock("\n".join(line.text.strip() for line in block.lines)))
        else:
            target.append(Paragraph(inlines(join_lines(block.lines, vocabulary))))
        index += 1
    parts.references = _references(reference_lines, vocabulary)
    headings = [node for node in parts.body if isinstance(node, Heading)]
    shift = min((h.level for h in headings), default=1) - 1
    for heading in headings:  # the title's style took the first rank
        heading.level -= shift


def _caption(blocks: list[b.Block], index: int, vocabulary: Vocabulary, parts: Parts,
             target: list[Block]) -> int:
    block = blocks[index]
    caption: list[Block] = [Paragraph(inlines(join_lines(block.lines, vocabulary)))]
    match = b.CAPTION.match(block.text)
    is_table = bool(match and match.group("kind").lower().startswith("tab"))
    if is_table:
        neighbours = [i for i in (index + 1, index - 1) if 0 <= i < len(blocks)
                      and blocks[i].kind == "table" and blocks[i].page == block.page]
        if neighbours:
            grid = blocks[neighbours[0]]
            target.append(_table(grid, vocabulary, caption))
            if neighbours[0] == index + 1:
                return index + 2
            if target[-2:-1] and isinstance(target[-2], Table):  # the grid read just before
                del target[-2]
            return index + 1
        parts.diagnostics.append(("warning", "pdf-table-as-figure",
                                  f"table on page {block.page}: no grid recognised; kept as a "
                                  "figure placeholder with its caption"))
    target.append(Figure(content=[], caption=caption))
    return index + 1


def _table(block: b.Block, vocabulary: Vocabulary, caption: list[Block]) -> Table:
    """A grid: columns where the cells of the fullest row stand; other cells go to the nearest."""
    widest = max(block.rows, key=len)
    columns = [(cell.x0, cell.x1) for cell in widest]
    grid: list[list[list[Line]]] = []
    for row in block.rows:
        cells: list[list[Line]] = [[] for _ in columns]
        for line in row:
            centre = (line.x0 + line.x1) / 2
            nearest = min(range(len(columns)), key=lambda i: 0 if columns[i][0] <= centre
                          <= columns[i][1] else min(abs(centre - columns[i][0]),
                                                    abs(centre - columns[i][1])))
            cells[nearest].append(line)
        if grid and not cells[0] and grid[-1][0] and any(cells):
            # a sub-row: no row label of its own, it continues the row above cell by cell
            for previous, more in zip(grid[-1], cells, strict=True):
                previous.extend(more)
            continue
        grid.append(cells)
    rows = [TableRow([TableCell([Paragraph(inlines(join_lines(c, vocabulary)))] if c else [])
                      for c in cells]) for cells in grid]
    return Table(body=rows, caption=caption)


def _footnote(block: b.Block, vocabulary: Vocabulary, parts: Parts) -> None:
    """A footnote becomes a note where its mark stands in the text, else an article note."""
    content = join_lines(block.lines, vocabulary)
    text, flags = content[0]
    if block.marker and text.lstrip().startswith(block.marker):
        content[0] = (text.lstrip()[len(block.marker):].lstrip(), flags)
    note_blocks: list[Block] = [Paragraph(inlines(content))]
    if block.marker and _attach(parts.body, block.marker, note_blocks):
        return
    parts.notes.extend(note_blocks)


def _attach(body: list[Block], marker: str, note_blocks: list[Block]) -> bool:
    """Put a note after the last superscript ``marker`` in the body so far."""
    for block in reversed(body[-30:]):
        if not isinstance(block, Paragraph):
            continue
        for i in range(len(block.content) - 1, -1, -1):
            node = block.content[i]
            if type(node).__name__ == "Superscript" and _text_of(node) == marker:
                block.content[i] = Note(note_blocks)
                return True
    return False


def _text_of(node: Inline) -> str:
    if isinstance(node, Text):
        return node.text.strip()
    return "".join(_text_of(child) for child in getattr(node, "content", []))


def _list(blocks: list[b.Block], index: int, vocabulary: Vocabulary,
          target: list[Block]) -> int:
    first = blocks[index]
    ordered = bool(b.ENUMERATOR.match(first.text)) and not b.BULLET.match(first.text)
    items: list[list[Block]] = []
    while index < len(blocks) and blocks[index].kind == "list_item" and (
            bool(b.ENUMERATOR.match(blocks[index].text)) == ordered or not ordered):
        item = blocks[index]
        content = join_lines(item.lines, vocabulary)
        text, flags = content[0]
        content[0] = (text.lstrip()[len(item.marker):].lstrip(), flags)
        items.append([Paragraph(inlines(content))])
        index += 1
    if ordered:
        number = re.search(r"\d+", first.marker)
        start = int(number.group()) if number else 1
        target.append(OrderedList(items=items, start=start, style=_list_style(first.marker)))
    else:
        target.append(BulletList(items=items))
    return index


_ListStyle = Literal["decimal", "lower-alpha", "upper-alpha", "lower-roman", "upper-roman"]


def _list_style(marker: str) -> _ListStyle:
    core = marker.strip("().")
    if core.isdigit():
        return "decimal"
    if re.fullmatch(r"[ivx]+", core):
        return "lower-roman"
    return "lower-alpha" if core.islower() else "upper-alpha"


def _references(groups: list[list[Line]], vocabulary: Vocabulary) -> list[Reference]:
    """Reference entries, split where a label (``[12]``, ``12.``) starts a line, where a line
    comes back to the margin of a list set with hanging indents, or where the pitch opens up."""
    lines = [line for group in groups for line in group]
    out = []
    for entry in _entries(lines):
        text = plain_text(join_lines(entry, vocabulary))
        label = _REF_LABEL.match(text)
        if label:
            number = label.group("a") or label.group("b")
            out.append(Reference(normalize_inlines([Text(text[label.end():])]), label=number))
        elif text:
            out.append(Reference(normalize_inlines([Text(text)])))
    for i, reference in enumerate(out, 1):
        reference.id = f"ref{i}"
    return out


def _entries(lines: list[Line]) -> list[list[Line]]:
    if not lines:
        return []
    indents = [line.x0 - line.col_x0 for line in lines]
    size = lines[0].size
    hanging = sum(1 for i in indents if i > 0.5 * size) >= 0.2 * len(lines) and sum(
        1 for i in indents if i < 0.3 * size) >= 0.2 * len(lines)
    steps = sorted(b.top - a.top for a, b in pairwise(lines)
                   if b.page == a.page and b.col_x0 == a.col_x0 and b.top > a.top + 0.5 * size)
    base = steps[len(steps) // 4] if steps else 1.2 * size
    entries: list[list[Line]] = []
    previous: Line | None = None
    for line, indent in zip(lines, indents, strict=True):
        if previous is None or _REF_LABEL.match(line.text):
            new = True
        elif hanging:
            new = indent < 0.3 * line.size and abs(line.top - previous.top) > 0.3 * line.size
        elif line.page == previous.page and line.col_x0 == previous.col_x0 and (
                line.top > previous.top):
            new = line.top - previous.top > 1.3 * base
        else:
            new = bool(re.search(r"[.)]$", previous.text.strip()))
        if new:
            entries.append([line])
        else:
            entries[-1].append(line)
        previous = line
    return entries


def style_flags(line: Line) -> int:
    return line.flags & (BOLD | ITALIC)
