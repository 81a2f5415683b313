"""Metadata given by people (``--title``, ``--meta key=value``, sidecars, catalog CSV rows).

Keys are the field names of :mod:`converter.model.vocabulary` and their synonyms (``title``,
``author``, ``date``, ``dc.creator``, ``dcterms.issued``, ... as in an Archivematica
metadata.csv), plus ``dates.<name>`` and ``subjects.<name>`` (or a subject list's own name:
``topics``, ``regions``, ...); anything else goes to ``extra`` verbatim. Identifiers are read by
:func:`converter.model.vocabulary.identifier` (``doi:10.1/x``, a URL is scheme ``url``).

:func:`dublin_core` goes the other way: an article's fields as Dublin Core columns (an
Archivematica ``metadata.csv`` row), which :func:`apply_overrides` reads back as the same fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import UsageError
from .article import Article, Contributor, Rights, SourcePublication
from .nodes import Paragraph, Text, block_text
from .vocabulary import (
    DUBLIN_CORE,
    LIST_FIELDS,
    SUBJECT_LISTS,
    field_for,
    identifier,
    identifier_text,
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


def subject_terms(article: Article) -> list[str]:
    """Every subject term of every named list, once each, in order (Dublin Core has one list)."""
    terms = (term.strip() for terms in article.subjects.values() for term in terms)
    return list(dict.fromkeys(term for term in terms if term))


def rights_text(article: Article) -> str | None:
    """The rights statement, or ``© <year> <holder>`` built from its parts."""
    rights = article.rights
    if rights is None:
        return None
    if rights.statement and rights.statement.strip():
        return rights.statement.strip()
    parts = [p.strip() for p in (rights.year, rights.holder) if p and p.strip()]
    return "© " + " ".join(parts) if parts else None


def dublin_core(article: Article) -> list[tuple[str, list[str]]]:
    """The article as Dublin Core columns (``model.vocabulary.DUBLIN_CORE``), each with its
    values (none, one, or several for creators, subjects and identifiers).

    Read back through :func:`apply_overrides` they give the same title, authors' names, subject
    terms (in one ``keywords`` list), abstract text, published date, identifiers, language,
    rights statement and licence URL. Contributors other than authors, named subject lists and
    the other dates are not Dublin Core elements here.
    """
    rights = article.rights
    licence = rights.license_url.strip() if rights and rights.license_url else ""
    values: dict[str, list[str]] = {
        "title": [article.title.strip()],
        "authors": [c.name.strip() for c in article.contributors
                    if c.kind.strip().lower() in ("author", "") and c.name.strip()],
        "keywords": subject_terms(article),
        "abstract": [block_text(article.abstract)],
        "published": [article.dates.get("published", "").strip()],
        "identifier": list(dict.fromkeys(identifier_text(i) for i in article.identifiers
                                         if i.value.strip())),
        "language": [article.language or ""],
        "rights": [rights_text(article) or ""],
        "license": [licence] if licence.startswith(("http://", "https://")) else [],
    }
    return [(column, [v for v in values[field] if v]) for field, column in DUBLIN_CORE]
