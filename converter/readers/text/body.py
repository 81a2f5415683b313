"""3. The body: paragraphs, lists, hard-wrapped lines; source lines, notes and disclaimers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ...model import (
    Article,
    Block,
)
from .clues import (
    add_disclaimer,
    is_disclaimer,
    is_source_credit,
    is_wrapped,
    make_chunk,
    starts_paragraph,
    take_byline_line,
    take_credit,
    take_source,
)
from .shapes import Chunk, Line
from .turns import find_speakers, make_blocks, speaker_roles

# --------------------------------------------------------------------------- 3. body


def read_body(article: Article, lines: list[Line]) -> list[Block]:
    """Paragraphs, lists, headings and interview turns; notes and source lines taken out."""
    chunks = [c for c in _chunks(lines) if not _take_note_line(article, c)]
    chunks = _take_edge_lines(article, chunks)
    speakers = find_speakers(chunks, article)
    roles = speaker_roles(chunks, speakers, article)
    return make_blocks(chunks, speakers, roles)


def _chunks(lines: list[Line]) -> Iterator[Chunk]:
    """Paragraphs and list items: blank-line blocks, split into lines unless hard-wrapped."""
    block: list[Line] = []
    for line in [*lines, Line(0, "")]:
        if line.text:
            block.append(line)
            continue
        if len(block) == 1:
            yield replace(make_chunk(block[0].text, block[0].number), alone=True)
        elif block:
            yield from _block_chunks(block)
        block = []


def _block_chunks(block: list[Line]) -> Iterator[Chunk]:
    for segment in _segments(block):
        if is_wrapped(segment):
            yield make_chunk(" ".join(line.text for line in segment), segment[0].number)
        else:
            yield from (make_chunk(line.text, line.number) for line in segment)


def _segments(block: list[Line]) -> Iterator[list[Line]]:
    """Split a block before every list item or labelled line (they start a paragraph)."""
    segment: list[Line] = []
    for line in block:
        if segment and starts_paragraph(line.text):
            yield segment
            segment = []
        segment.append(line)
    if segment:
        yield segment


def _take_note_line(article: Article, chunk: Chunk) -> bool:
    """Disclaimers go to ``rights``, standalone photo credits to ``image_credits``."""
    if chunk.kind != "para":
        return False
    if is_disclaimer(chunk.text):
        add_disclaimer(article, chunk.text)
        return True
    return not is_source_credit(chunk.text) and take_credit(article, chunk.text)


def _take_edge_lines(article: Article, chunks: list[Chunk]) -> list[Chunk]:
    """Source lines closing the body, and source or ``By`` lines opening it, are metadata."""
    start, end = 0, len(chunks)
    while end > start and take_source(article, Line(chunks[end - 1].line, chunks[end - 1].text)):
        end -= 1
    while start < end and chunks[start].kind == "para" and (
            take_source(article, Line(chunks[start].line, chunks[start].text))
            or take_byline_line(article, chunks[start].text)):
        start += 1
    return chunks[start:end]
