"""4. The tail: the author section (roles, bios) and site boilerplate, which is discarded with
its reason."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ...model import (
    Article,
    Contributor,
    Discarded,
    Paragraph,
    Text,
)
from .clues import (
    add_disclaimer,
    is_disclaimer,
    is_list_item,
    is_name,
    source_line,
    squash,
    take_source,
)
from .shapes import AUTHOR_HEADING, Line

# --------------------------------------------------------------------------- 4. tail


def boilerplate_pattern(headings: Iterable[str]) -> re.Pattern[str]:
    """One pattern matching a line that is, or begins with, one of ``headings``."""
    names = sorted({" ".join(h.strip().rstrip(":").split()) for h in headings if h.strip()},
                   key=len, reverse=True)
    alternatives = "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in names)
    return re.compile(rf"^(?:{alternatives})(?:\s.*)?:?$" if names else r"(?!)", re.IGNORECASE)


def _is_boilerplate_heading(text: str, boilerplate: re.Pattern[str]) -> bool:
    return (len(text) <= 80 and len(text.split()) <= 10 and text[-1] not in ".!?"
            and boilerplate.match(text) is not None)


def is_section_end(text: str, boilerplate: re.Pattern[str]) -> bool:
    return bool(text) and len(text) <= 80 and (AUTHOR_HEADING.match(squash(text)) is not None
                                               or _is_boilerplate_heading(text, boilerplate))


def read_tail(article: Article, lines: list[Line], start: int,
               boilerplate: re.Pattern[str]) -> None:
    """The author section fills contributors; the rest is boilerplate, kept in ``discarded``."""
    section: str | None = None
    teaser: list[Line] = []
    index = start
    while index < len(lines):
        line = lines[index]
        text = line.text
        if teaser and (not text or is_list_item(text) or is_section_end(text, boilerplate)
                       or is_disclaimer(text)):
            _discard_teaser(article, teaser, section)
            teaser = []
        if not text:
            index += 1
            continue
        if AUTHOR_HEADING.match(squash(text)):
            article.discarded.append(Discarded(text, "author section heading (the section fills "
                                               "the contributors)", f"line {line.number}"))
            index = _read_author_section(article, lines, index + 1, boilerplate)
            continue
        elif _is_boilerplate_heading(text, boilerplate):
            section = text
            article.discarded.append(Discarded(text, "boilerplate section heading",
                                               f"line {line.number}"))
        elif is_disclaimer(text):
            add_disclaimer(article, text)
        elif is_list_item(text) or teaser:
            teaser.append(line)
        elif not take_source(article, line):
            article.discarded.append(Discarded(
                text, f"boilerplate under “{section}”" if section
                else "boilerplate after the article", f"line {line.number}"))
        index += 1
    if teaser:
        _discard_teaser(article, teaser, section)


def _discard_teaser(article: Article, teaser: list[Line], section: str | None) -> None:
    where = f"under “{section}”" if section else "after the article"
    place = f"lines {teaser[0].number}-{teaser[-1].number}" if len(teaser) > 1 else \
        f"line {teaser[0].number}"
    article.discarded.append(Discarded("\n".join(line.text for line in teaser),
                                       f"boilerplate teaser (title, summary, byline) {where}",
                                       place))


def _read_author_section(article: Article, lines: list[Line], start: int,
                         boilerplate: re.Pattern[str]) -> int:
    """Name, role and bio lines under "About the author"; returns where the section ends."""
    current = article.contributors[0] if len(article.contributors) == 1 else None
    may_add = not article.contributors
    index = start
    while index < len(lines):
        text = lines[index].text
        if text and _ends_author_section(text, boilerplate):
            break
        if text:
            current = _read_author_line(article, text, current, lines[index].number, may_add)
        index += 1
    return index


def _ends_author_section(text: str, boilerplate: re.Pattern[str]) -> bool:
    return bool(is_list_item(text) or is_disclaimer(text)
                or is_section_end(text, boilerplate) or source_line(text))


def _read_author_line(article: Article, text: str, current: Contributor | None, number: int,
                      may_add: bool) -> Contributor | None:
    """A name line selects (or, in an article without authors, adds) a contributor; a short line
    under it is the role; other lines are bio paragraphs of the one they name or follow."""
    named = _contributor_named(article, text)
    if named is not None:
        return named
    if may_add and (current is None or current.bio) and is_name(text):
        contributor = Contributor(name=text)
        article.contributors.append(contributor)
        return contributor
    opener = _contributor_opening(article, text) or current
    if opener is None:
        article.notes.append(Paragraph([Text(text)]))
        article.diagnose("info", "unmatched-bio", "author section text not matched to a "
                         "contributor; kept in notes", f"line {number}")
        return current
    if opener.role is None and not opener.bio and opener is current and _is_role_line(text):
        opener.role = text
    else:
        opener.bio.append(Paragraph([Text(text)]))
    return opener


def _contributor_named(article: Article, text: str) -> Contributor | None:
    key = text.casefold()
    return next((c for c in article.contributors if c.name.casefold() == key), None)


def _contributor_opening(article: Article, text: str) -> Contributor | None:
    key = text.casefold()
    return next((c for c in article.contributors if key.startswith(c.name.casefold() + " ")),
                None)


def _is_role_line(text: str) -> bool:
    """A job title: short, no sentence."""
    return len(text) <= 120 and len(text.split()) <= 12 and text[-1] not in ".!?"
