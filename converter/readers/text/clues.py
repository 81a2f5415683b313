"""What single lines and names are: list items, wrapped lines, source and credit lines,
disclaimers, speaker labels, personal names. The sections of the text reader all ask here."""

from __future__ import annotations

import re
from datetime import datetime

from ...model import (
    Article,
    Contributor,
    Discarded,
    Rights,
    SourcePublication,
)
from ...model.vocabulary import (
    is_date,
)
from .shapes import (
    ABBREVIATION_END,
    BULLET,
    BYLINE,
    CREDIT,
    DISCLAIMER,
    LABEL,
    MONTHS,
    NAME_PARTICLES,
    NAME_SPLIT,
    NOT_SPEAKERS,
    ORDERED,
    SOURCE_DATE,
    SOURCE_LINES,
    URL,
    WRAP_MAX,
    WRAP_MIN,
    Chunk,
    Line,
)


def split_names(text: str) -> list[str]:
    return [name for name in NAME_SPLIT.split(text.strip()) if name]


def take_credit(article: Article, text: str) -> bool:
    """An image credit line ("Photo: X") -> ``image_credits``."""
    credit = credit_of(text)
    if credit is None:
        return False
    article.image_credits.append(credit)
    return True


def credit_of(text: str) -> str | None:
    """The credit a line gives: "Photo: X", "Image credit: X", or a short "Courtesy of X"."""
    match = CREDIT.match(squash(text))
    if match is None:
        return None
    credit = match["credit"].strip()
    if match["kind"] is None and (len(credit.split()) > 8 or credit[-1] in ".,;!?"):
        return None  # "Courtesy of the archive, we saw ..." is a sentence
    return credit


def take_byline_line(article: Article, text: str) -> bool:
    match = BYLINE.match(squash(text))
    if match is None:
        return False
    names = split_names(match["names"])
    if not names or not all(is_name(name, 1) for name in names):
        return False
    known = {c.name.casefold() for c in article.contributors}
    article.contributors.extend(Contributor(name=n) for n in names if n.casefold() not in known)
    return True


def is_front_credit(text: str, lead_image: bool) -> bool:
    """A credit above the title; "Source: X" credits an image only right under a header."""
    return credit_of(text) is not None and (lead_image or not is_source_credit(text))


def is_source_credit(text: str) -> bool:
    match = CREDIT.match(squash(text))
    return match is not None and (match["kind"] or "").casefold() == "source"


def is_list_item(text: str) -> bool:
    return BULLET.match(text) is not None or ORDERED.match(text) is not None


def starts_paragraph(text: str) -> bool:
    """List items and labelled lines ("Name: ...") begin a paragraph of their own."""
    if is_list_item(text):
        return True
    label = LABEL.match(text)
    return label is not None and is_label_like(label["label"])


def is_wrapped(segment: list[Line]) -> bool:
    """Hard-wrapped prose: even line lengths, and lines that go on in lower case."""
    if len(segment) < 2:
        return False
    if any(not WRAP_MIN <= len(line.text) <= WRAP_MAX for line in segment[:-1]):
        return False
    if len(segment[-1].text) > WRAP_MAX:
        return False
    lower = sum(1 for line in segment[1:] if line.text[0].islower())
    return lower * 5 >= 2 * (len(segment) - 1)


def make_chunk(text: str, line: int) -> Chunk:
    if match := BULLET.match(text):
        return Chunk(match["text"], line, "bullet")
    if match := ORDERED.match(text):
        return Chunk(match["text"], line, "ordered", int(match["number"]))
    return Chunk(text, line)


def source_line(text: str) -> SourcePublication | None:
    """The publication a line names ("This article originally appeared in X.", "Source: X")."""
    if len(text) > 200:
        return None
    plain = squash(text)
    for pattern in SOURCE_LINES:
        match = pattern.match(plain)
        if match:
            source = _source_from(match["name"])
            if source:
                source.relation = " ".join(match["rel"].casefold().split())
                return source
    return None


def _source_from(raw: str) -> SourcePublication | None:
    name, url, date = raw.strip(), None, None
    if found := URL.search(name):
        url = found["url"].rstrip(".,;")
        name = (name[: found.start()] + name[found.end():]).strip(" ,;:-–—")
    if found := SOURCE_DATE.search(name):
        date = _iso_date(found)
        if date:
            name = name[: found.start()]
    if name.endswith(".") and not ABBREVIATION_END.search(name):
        name = name[:-1]
    name = name.strip(" *_\"'“”‘’")
    if not name and url:
        name = url
    if not name or len(name) > 100 or len(name.split()) > 12:
        return None
    if not (name[0].isupper() or name[0].isdigit() or url == name):
        return None
    return SourcePublication(name=name, url=url, date=date)


def _iso_date(match: re.Match[str]) -> str | None:
    if match["iso"]:
        return match["iso"] if is_date(match["iso"]) else None
    month, day, year = ((match["m1"], match["d1"], match["y1"]) if match["m1"]
                        else (match["m2"], match["d2"], match["y2"]))
    numbers = [i for i, m in enumerate(MONTHS, 1) if m.startswith(month.casefold()[:3])]
    if not numbers or len(month) < 3:
        return None
    try:
        return datetime(int(year), numbers[0], int(day)).date().isoformat()
    except ValueError:
        return None


def take_source(article: Article, line: Line) -> bool:
    """Record a source line; a second one is kept in ``discarded``."""
    source = source_line(line.text)
    if source is None:
        return False
    if article.source_publication is None:
        article.source_publication = source
    else:
        same = article.source_publication.name.casefold() == source.name.casefold()
        article.discarded.append(Discarded(
            line.text, "source line repeating the source publication" if same
            else "second source line (the first one is the source publication)",
            f"line {line.number}"))
    return True


def is_disclaimer(text: str) -> bool:
    return len(text) <= 600 and DISCLAIMER.search(squash(text)) is not None


def add_disclaimer(article: Article, text: str) -> None:
    rights = article.rights or Rights()
    rights.disclaimer = f"{rights.disclaimer}\n{text}" if rights.disclaimer else text
    article.rights = rights


# --------------------------------------------------------------------------- interview turns


def label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def is_label_like(label: str) -> bool:
    """A name, initials or role: up to five capitalised words, no sentence punctuation."""
    words = label.split()
    if not 1 <= len(words) <= 5 or not words[0][0].isupper():
        return False
    if any(ch in label for ch in '()[]{}"“”?!;,/@#=<>|*'):
        return False
    if label_key(label) in NOT_SPEAKERS:
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.casefold() in NAME_PARTICLES for w in words)


def is_name(text: str, fewest_words: int = 2) -> bool:
    """Two (or ``fewest_words``) to five capitalised words (particles aside): a name."""
    words = text.split()
    return (fewest_words <= len(words) <= 5 and len(text) <= 60
            and not any(c in text for c in ",:;()?!")
            and all(w[0].isupper() or w.casefold() in NAME_PARTICLES for w in words))


def squash(text: str) -> str:
    """Runs of any whitespace (no-break spaces too) as one space, for matching phrases."""
    return " ".join(text.split())


def skip_blank(lines: list[Line], index: int) -> int:
    while index < len(lines) and not lines[index].text:
        index += 1
    return index
