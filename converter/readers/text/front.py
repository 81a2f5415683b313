"""2. The title line and the dek (summary, ``Source: X``, ``By X``); the title fallback."""

from __future__ import annotations

from collections import Counter

from ...model import (
    Article,
    Discarded,
    Paragraph,
    Text,
    block_text,
)
from ...model.vocabulary import (
    field_for,
)
from ...options import ReadOptions
from .clues import (
    credit_of,
    is_front_credit,
    is_list_item,
    is_wrapped,
    label_key,
    skip_blank,
    source_line,
    squash,
    take_byline_line,
    take_credit,
    take_source,
)
from .shapes import (
    BYLINE,
    DEK_MAX_LINES,
    FALLBACK_SENTENCE_MAX,
    FALLBACK_TRUNCATE,
    LABEL,
    ORDINAL_END,
    SENTENCE_END,
    TITLE_MAX_CHARS,
    TITLE_MAX_WORDS,
    Front,
    Line,
)

# --------------------------------------------------------------------------- 2. title and dek


def read_front(article: Article, lines: list[Line], start: int, front: Front,
                labels: Counter[str], lead_image: bool) -> int:
    """Lead-image credits, the title line and the dek; returns where the body starts."""
    index = skip_blank(lines, start)
    while index < len(lines) and is_front_credit(lines[index].text, lead_image):
        take_credit(article, lines[index].text)
        index = skip_blank(lines, index + 1)
    if index >= len(lines) or not _is_title_line(lines[index].text, labels):
        return index
    if skip_blank(lines, index + 1) >= len(lines):
        return index  # a lone line is the text, not its title
    front.title = lines[index]
    return _read_dek(article, lines, index + 1, front)


def _read_dek(article: Article, lines: list[Line], start: int, front: Front) -> int:
    """Lines right under the title: a summary, a ``Source:`` line, a ``By`` line."""
    run = []
    for line in lines[start:start + DEK_MAX_LINES + 1]:
        if not line.text:
            break
        run.append(line)
    if not run:
        return start
    closed = len(run) <= DEK_MAX_LINES and skip_blank(lines, start + len(run)) < len(lines)
    if not closed:  # no blank line under the dek: it reaches at most its Source line
        ends = [i for i, line in enumerate(run[:DEK_MAX_LINES]) if source_line(line.text)]
        if not ends:
            return start
        run = run[: ends[0] + 1]
    summary = [line for line in run
               if not (take_source(article, line) or take_byline_line(article, line.text))]
    if is_wrapped(summary):
        front.abstract.append(" ".join(line.text for line in summary))
    else:
        front.abstract.extend(line.text for line in summary)
    return start + len(run)


def _is_title_line(text: str, labels: Counter[str]) -> bool:
    """A short line without closing punctuation that is no speaker turn, list item or credit."""
    if len(text) > TITLE_MAX_CHARS or len(text.split()) > TITLE_MAX_WORDS:
        return False
    if text[-1] in ".,;:" or is_list_item(text):
        return False
    if credit_of(text) or source_line(text) or BYLINE.match(squash(text)):
        return False
    label = LABEL.match(text)
    return not (label and labels[label_key(label["label"])] > 1)


def finish_front(article: Article, front: Front, title_given: bool) -> None:
    """Title and abstract: the header's and the text's, else a fallback title (with a warning)."""
    if front.abstract:
        article.abstract = [Paragraph([Text(text)]) for text in front.abstract]
        if front.header_abstract and front.header_abstract[1] != " ".join(front.abstract):
            article.extra[front.header_abstract[0]] = front.header_abstract[1]
    elif front.header_abstract:
        article.abstract = [Paragraph([Text(front.header_abstract[1])])]
    line = front.title
    if front.header_title:
        article.title = front.header_title[1]
        if line and line.text.casefold() != article.title.casefold():
            article.discarded.append(Discarded(line.text, "title line differing from the "
                                               "header's title", f"line {line.number}"))
    elif line:
        article.title = line.text
    else:
        _fallback_title(article, title_given)


def title_overridden(options: ReadOptions) -> bool:
    """Whether the caller supplies the title (``--title``), which the pipeline sets later."""
    return any(field_for(key) == "title" and str(value).strip()
               for key, value in options.overrides.items() if value is not None)


def _fallback_title(article: Article, title_given: bool) -> None:
    """Title from the first words; a warning, or only a note when the caller gives the title."""
    first = next((text for block in article.body + article.abstract
                  if (text := block_text([block]).split("\n", 1)[0].strip())), None)
    article.title = title_from_text(first) if first else "Untitled"
    article.diagnose("info" if title_given else "warning", "title-fallback",
                     f"no title line; title taken from the first words of the text: "
                     f"{article.title!r}" if first else "no title line and no text; "
                     "title set to 'Untitled'", "title")


def title_from_text(text: str) -> str:
    """The first sentence of four words or more when short, else the first words up to a word
    boundary, with '…'."""
    plain = squash(text)
    sentence = plain
    for match in SENTENCE_END.finditer(plain):
        candidate = plain[: match.end()]
        if ORDINAL_END.search(candidate):
            continue  # "Am 12. November": a German ordinal, not a full stop
        if len(candidate.split()) >= 4 or match.group() in "。！？":
            sentence = candidate
            break
    if sentence.endswith(".") and not sentence.endswith("..") and len(sentence) > 1:
        sentence = sentence[:-1]
    if len(sentence) <= FALLBACK_SENTENCE_MAX:
        return sentence
    cut = sentence[: FALLBACK_TRUNCATE + 1]
    cut = cut[: cut.rfind(" ")] if " " in cut[1:] else cut[:FALLBACK_TRUNCATE]
    return cut.rstrip(" ,;:–—-") + "…"
