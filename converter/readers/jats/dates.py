"""Dates in JATS front matter: ``pub-date``, ``history/date``, and ``pub-history`` events.

A date becomes an ISO 8601 date as precise as the element is (year, month, day), under a key from
its ``date-type``/``pub-type``; the first publication date is ``published``.
"""

from __future__ import annotations

import calendar
import functools
import re

from lxml import etree

from ...formats.jats.vocabulary import HREF, SOURCE_PUBLICATION
from ...model import SourcePublication
from .document import Document, model_key

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}


@functools.cache
def _date_pattern() -> re.Pattern[str]:
    from ...model.schema import article_schema

    return re.compile(article_schema()["$defs"]["Date"]["pattern"])


class DateReader:
    """Reads dates and the source publication into the article."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def date(self, el: etree._Element, pub: bool) -> None:
        value = self.date_value(el)
        if value is None:
            self.doc.keep_unmapped(el)
            return
        kind = el.get("date-type") or el.get("pub-type")
        dates = self.doc.article.dates
        if pub and kind in (None, "pub", "epub", "epub-ppub") and "published" not in dates:
            key = "published"
        else:
            key = model_key(kind or el.get("publication-format"), "pub-date" if pub else "date")
        if key in dates:
            n = 2
            while f"{key}-{n}" in dates:
                n += 1
            key = f"{key}-{n}"
        dates[key] = value

    def date_value(self, el: etree._Element) -> str | None:
        pattern = _date_pattern()
        iso = (el.get("iso-8601-date") or "").strip()
        if iso and pattern.fullmatch(iso):
            return iso
        year = self.doc.text(el.find("year"))
        if not re.fullmatch(r"\d{4}", year):
            return None
        value = year
        month_text = self.doc.text(el.find("month")).lower()
        month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.strip("."))
        if month and 1 <= month <= 12:
            value += f"-{month:02d}"
            day = self.doc.text(el.find("day"))
            if day.isdigit() and 1 <= int(day) <= 31:
                value += f"-{int(day):02d}"
        return value if pattern.fullmatch(value) else year

    def pub_history(self, history: etree._Element) -> None:
        for event in history.findall("event"):
            if event.get("specific-use") != SOURCE_PUBLICATION:
                self.doc.keep_unmapped(event)
                continue
            uri = event.find("self-uri")
            date = event.find("date")
            self.doc.article.source_publication = SourcePublication(
                self.doc.text(event.find("event-desc")),
                url=uri.get(HREF) if uri is not None else None,
                relation=event.get("event-type"),
                date=self.date_value(date) if date is not None else None)
