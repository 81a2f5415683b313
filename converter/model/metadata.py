"""Metadata given by people (``--title``, ``--meta key=value``, sidecars, catalog CSV rows).

Keys are the field names of :mod:`converter.model.vocabulary` and their synonyms (``title``,
``author``, ``date``, ``dc.creator``, ``dcterms.issued``, ... as in an Archivematica
metadata.csv), plus ``dates.<name>`` and ``subjects.<name>`` (or a subject list's own name:
``topics``, ``regions``, ...); anything else goes to ``extra`` verbatim. Identifiers are read by
:func:`converter.model.vocabulary.identifier` (``doi:10.1/x``, a URL is scheme ``url``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import UsageError
from .article import Article, Contributor, Rights, SourcePublication
from .nodes import Paragraph, Text
from .vocabulary import (
    LIST_FIELDS,
    SUBJECT_LISTS,
    field_for,
    identifier,
    language_tag,
    normalize_key,
)


def split_key(raw_key: str) -> tuple[str | None, str | None]:
    """The field a key names and, for named lists and dates, the name: ``subjects.topics`` ->
    ``("subjects", "topics")``, ``dates.received`` -> ``("dates", "received")``, ``topics`` ->
    ``("subjects", "topics")``, ``dc.creator`` -> ``("authors", None)``, unknown -> ``(None,
    None)``."""
    prefix, dot, name = raw_key.strip().partition(".")
    head = normalize_key(prefix)
    if dot and head in ("subjects", "subject"):
        return "subjects", name.strip()
    if dot and head in ("dates", "date"):
        return "dates", name.strip()
    field = field_for(raw_key)
    if field is None and normalize_key(raw_key) in SUBJECT_LISTS:
        return "subjects", normalize_key(raw_key)
    return field, None


def is_list_key(raw_key: str) -> bool:
    """Whether the key takes several values (authors, subjects, identifiers)."""
    field, _name = split_key(raw_key)
    return field in LIST_FIELDS or field == "subjects"


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value)
    sep = "|" if "|" in text else (";" if ";" in text else None)
    parts = text.split(sep) if sep else [text]
    return [p.strip() for p in parts if p.strip()]


def apply_overrides(article: Article, overrides: Mapping[str, Any]) -> None:
    """Set or replace article fields from a flat mapping (values: strings or JSON values)."""
    for raw_key, value in overrides.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        field, name = split_key(raw_key)
        text = str(value).strip()
        if field in ("title", "subtitle", "article_type", "id"):
            setattr(article, field, text)
        elif field == "language":
            article.language = language_tag(text) or text
        elif field == "abstract":
            article.abstract = [Paragraph([Text(text)])]
        elif field in ("rights", "license"):
            rights = article.rights or Rights()
            if field == "license" and text.startswith(("http://", "https://")):
                rights.license_url = text
            else:
                rights.statement = text
            article.rights = rights
        elif field in ("published", "modified"):
            article.dates[field] = text
        elif field == "dates" and name:
            article.dates[name] = text
        elif field == "authors":
            article.contributors = [Contributor(name=n) for n in _strings(value)]
        elif field == "source":
            url = article.source_publication.url if article.source_publication else None
            article.source_publication = SourcePublication(name=text, url=url)
        elif field == "source_url":
            if article.source_publication:
                article.source_publication.url = text
            else:
                article.extra["source_url"] = value
        elif field in ("subjects", "keywords"):
            if field == "subjects" and not name:
                raise UsageError(f"empty subject list name in {raw_key!r}")
            article.subjects[name or "keywords"] = _strings(value)
        elif field in ("identifier", "doi"):
            for item in _strings(value):
                ident = identifier(item, "doi" if field == "doi" else None)
                if ident not in article.identifiers:
                    article.identifiers.append(ident)
        else:
            article.extra[raw_key] = value
