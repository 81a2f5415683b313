"""Interview turns (``Speaker: text`` -> Speech) and the body's blocks."""

from __future__ import annotations

import re
from collections import Counter

from ...model import (
    Article,
    Block,
    BulletList,
    Heading,
    OrderedList,
    Paragraph,
    Speech,
    Text,
)
from .clues import is_label_like, label_key, squash, starts_paragraph
from .shapes import (
    EDITORIAL_NOTE,
    HEADING_MAX_WORDS,
    INNER_SENTENCE_END,
    LABEL,
    LINKISH,
    PROSE_END,
    Chunk,
)


def _chunk_label(chunk: Chunk) -> tuple[str, str] | None:
    """(label, text) of a paragraph that opens with a label."""
    if chunk.kind != "para":
        return None
    match = LABEL.match(chunk.text)
    if match is None or not is_label_like(match["label"]):
        return None
    return match["label"].strip(), match["text"]


def find_speakers(chunks: list[Chunk], article: Article) -> set[str]:
    """Labels that name speakers: they recur and alternate, or name a contributor or the
    publication (by name or initials)."""
    sequence = [label_key(found[0]) for c in chunks if (found := _chunk_label(c))]
    counts = Counter(sequence)
    speakers = {key for key in counts if _names_party(key, article)}
    last_seen: dict[str, int] = {}
    for position, key in enumerate(sequence):
        previous = last_seen.get(key)
        if previous is not None and position - previous > 1:
            speakers.add(key)  # recurs, with another label between two of its turns
        last_seen[key] = position
    return speakers


def _names_party(key: str, article: Article) -> bool:
    return _names_publication(key, article) or any(
        key == c.name.casefold() or (key == c.name.split()[-1].casefold() and len(key) > 2)
        for c in article.contributors)


def _names_publication(key: str, article: Article) -> bool:
    source = article.source_publication
    if source is None:
        return False
    compact = key.replace(".", "").replace(" ", "").upper()
    return key == source.name.casefold() or compact in _initials(source.name)


def _initials(name: str) -> set[str]:
    """``The Review of Books`` -> {``TROB``, ``TRB``}: with and without lowercase words."""
    words = re.findall(r"[^\W\d_][\w'’-]*", name)
    every = "".join(w[0] for w in words).upper()
    capitalised = "".join(w[0] for w in words if w[0].isupper())
    return {i for i in (every, capitalised) if len(i) >= 2}


def speaker_roles(chunks: list[Chunk], speakers: set[str],
                   article: Article) -> dict[str, str]:
    """Interviewer: the publication's side, else the side that asks; interviewee: the others."""
    if len(speakers) < 2:
        return {}
    interviewers = {key for key in speakers if _names_publication(key, article)}
    if not interviewers:
        asked: Counter[str] = Counter()
        turns: Counter[str] = Counter()
        for chunk in chunks:
            found = _chunk_label(chunk)
            if found and (key := label_key(found[0])) in speakers:
                turns[key] += 1
                asked[key] += found[1].rstrip(" \"'”’)").endswith("?")
        interviewers = {key for key in speakers if asked[key] * 2 > turns[key]}
    if not interviewers or interviewers == speakers:
        return {}
    return {key: "interviewer" if key in interviewers else "interviewee" for key in speakers}


# --------------------------------------------------------------------------- blocks


def make_blocks(chunks: list[Chunk], speakers: set[str], roles: dict[str, str]) -> list[Block]:
    """Chunks as blocks: turns gather the paragraphs that follow them until a heading or note."""
    body: list[Block] = []
    turn: Speech | None = None
    for index, chunk in enumerate(chunks):
        found = _chunk_label(chunk)
        if found and label_key(found[0]) in speakers:
            key = label_key(found[0])
            turn = Speech(found[0], [Paragraph([Text(found[1])])], roles.get(key))
            body.append(turn)
            continue
        previous = chunks[index - 1] if index else None
        following = chunks[index + 1] if index + 1 < len(chunks) else None
        if chunk.kind == "para" and _is_heading(chunk, previous, following):
            turn = None
            body.append(Heading(2, [Text(chunk.text)]))
            continue
        if turn is not None and chunk.kind == "para" and EDITORIAL_NOTE.match(squash(chunk.text)):
            turn = None
        _append(turn.blocks if turn is not None else body, chunk)
    return body


def _append(blocks: list[Block], chunk: Chunk) -> None:
    """Add a paragraph, or an item to the list it continues."""
    paragraph = Paragraph([Text(chunk.text)])
    last = blocks[-1] if blocks else None
    if chunk.kind == "bullet":
        if isinstance(last, BulletList):
            last.items.append([paragraph])
        else:
            blocks.append(BulletList([[paragraph]]))
    elif chunk.kind == "ordered":
        if isinstance(last, OrderedList):
            last.items.append([paragraph])
        else:
            blocks.append(OrderedList([[paragraph]], start=chunk.start))
    else:
        blocks.append(paragraph)


def _is_heading(chunk: Chunk, previous: Chunk | None, following: Chunk | None) -> bool:
    """A short line standing alone between blank lines, with no closing punctuation, that
    introduces a paragraph of prose (so runs of short lines, like dates or items, are not)."""
    return (chunk.alone and following is not None and following.kind == "para"
            and _heading_shaped(chunk.text) and not _heading_shaped(following.text)
            and (previous is None or not _heading_shaped(previous.text))
            and (following.text[-1] in PROSE_END or len(following.text) >= 2 * len(chunk.text)))


def _heading_shaped(text: str) -> bool:
    words = text.split()
    return (len(words) <= HEADING_MAX_WORDS and len(text) <= 100
            and (text[0].isupper() or text[0].isdigit())
            and text[-1] not in ".,;:!?…\"'”’)]" and not starts_paragraph(text)
            and LINKISH.search(text) is None and INNER_SENTENCE_END.search(text) is None)
