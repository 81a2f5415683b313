"""1. The metadata header of scraped pages: a byline, a JSON object (RFC 8259) whose keys the
metadata vocabulary maps onto the model, and an image credit glued after it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ...formats.data import STRICT_JSON
from ...model import (
    Article,
    Contributor,
    Discarded,
    Identifier,
)
from ...model.vocabulary import (
    SUBJECT_LISTS,
    field_for,
    is_date,
    is_list_name,
    language_tag,
)
from .clues import is_name, split_names, squash
from .shapes import BYLINE, BYLINE_MAX_LINES, HEADER_OPEN, JSONISH, Front, Header, Line

# --------------------------------------------------------------------------- 1. JSON header


def find_header(lines: list[Line]) -> Header | None:
    """A JSON object opening within the first lines, after at most a short byline."""
    byline: list[Line] = []
    for index, line in enumerate(lines):
        if not line.text:
            continue
        if HEADER_OPEN.match(line.text):
            return _parse_header(lines, index, byline)
        if len(byline) >= BYLINE_MAX_LINES or len(line.text.split()) > 8:
            return None
        byline.append(line)
    return None


def _parse_header(lines: list[Line], start: int, byline: list[Line]) -> Header:
    rest = "\n".join(line.text for line in lines[start:])
    try:
        data, end = STRICT_JSON.raw_decode(rest)
    except ValueError as exc:  # not JSON, or NaN / Infinity, which JSON does not have
        stop, glued = _malformed_extent(lines, start)
        raw = "\n".join(line.text for line in lines[start:stop])
        if glued:
            raw = raw[: len(raw) - len(glued)]
        error = (f"{exc.msg} at line {exc.lineno + start} column {exc.colno}"
                 if isinstance(exc, json.JSONDecodeError) else str(exc))
        return Header(byline, None, raw, glued, lines[start].number, stop, error)
    consumed = rest[:end]
    last = start + consumed.count("\n")
    glued = lines[last].text[len(consumed.rsplit("\n", 1)[-1]):].strip()
    return Header(byline, data, consumed, glued, lines[start].number, last + 1)


def _malformed_extent(lines: list[Line], start: int) -> tuple[int, str]:
    """Where a header that is not valid JSON ends: its closing brace, or its last JSON-like line."""
    for index in range(start + 1, len(lines)):
        text = lines[index].text
        if text.startswith("}"):
            return index + 1, text[1:].strip()
        if text and not JSONISH.match(text):
            return index, ""
    return len(lines), ""


def apply_header(article: Article, header: Header, front: Front) -> None:
    if header.data is None:
        article.discarded.append(Discarded(header.raw, "malformed JSON metadata header",
                                           f"line {header.first_line}"))
        article.diagnose("warning", "malformed-header",
                         f"the JSON metadata header is not valid JSON ({header.error}); "
                         "it is kept in discarded and the text is read without it",
                         f"line {header.first_line}")
    else:
        _map_header(article, header.data, front)
    _take_byline(article, header.byline)


def _map_header(article: Article, data: Mapping[str, Any], front: Front) -> None:
    """Map known keys onto the model; every other key (and unusable values) -> ``extra``."""
    for key, value in data.items():
        if not _map_header_key(article, key, value, front):
            article.extra[key] = value


def _map_header_key(article: Article, original: str, value: Any, front: Front) -> bool:
    """Set the field the key names (:mod:`converter.model.vocabulary`); false when the key or
    its value does not fit the model (the caller keeps it in ``extra``)."""
    key = original.casefold()
    field = field_for(original)
    if key in SUBJECT_LISTS:
        items = _string_list(value)
        if not items or not is_list_name(key):
            return False  # an empty list says nothing: kept verbatim in extra
        article.subjects[key] = items
    elif field == "authors" and key != "contributors":
        names = _author_names(value)
        if not names:
            return False
        article.contributors.extend(Contributor(name=name) for name in names)
    elif field == "title" and _nonempty_str(value) and front.header_title is None:
        front.header_title = (original, value.strip())
    elif field == "subtitle" and _nonempty_str(value) and article.subtitle is None:
        article.subtitle = value.strip()
    elif field == "abstract" and _nonempty_str(value) and front.header_abstract is None:
        front.header_abstract = (original, value.strip())
    elif field == "language" and language_tag(value) and article.language is None:
        article.language = language_tag(value)
    elif field in ("published", "modified") and _nonempty_str(value) and is_date(value.strip()):
        article.dates.setdefault(field, value.strip())
    elif field == "doi" and _nonempty_str(value):
        article.identifiers.append(Identifier("doi", value.strip()))
    else:
        return False
    return True


def _nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _string_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    return []


def _author_names(value: Any) -> list[str]:
    """Names from a string, a list of strings, or a list of objects with a ``name``."""
    if isinstance(value, str):
        return split_names(value)
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []
    names = []
    for item in value:
        if isinstance(item, dict):
            item = item.get("name")
        if not _nonempty_str(item):
            return []
        names.append(item.strip())
    return names


def _take_byline(article: Article, byline: list[Line]) -> None:
    """Byline lines above the header: contributors, unless the header already named them."""
    if not byline:
        return
    text = " ".join(line.text for line in byline)
    match = BYLINE.match(squash(text))
    names = split_names(match["names"] if match else text)
    known = {c.name.casefold() for c in article.contributors}
    place = f"line {byline[0].number}"
    if not known and names and all(is_name(n, 1 if match else 2) for n in names):
        article.contributors.extend(Contributor(name=name) for name in names)
    elif {n.casefold() for n in names} == known:
        article.discarded.append(Discarded(text, "byline repeating the header's authors", place))
    else:
        article.extra.setdefault("byline", text)
