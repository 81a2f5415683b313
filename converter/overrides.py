"""Metadata given by people (``--title``, ``--meta key=value``, sidecars, catalog CSV rows).

One mapping of field names onto the model, so every way of supplying metadata means the same.
Keys: ``title subtitle id language article_type summary|abstract rights date|published
dates.<name> author|authors|contributors source|source_publication source_url subjects.<name>
keywords identifier|identifiers|doi``; Dublin Core names (``dc.title``, ``dc.creator``,
``dcterms.subject``, ... as in an Archivematica metadata.csv) mean the same through
:data:`DUBLIN_CORE`; anything else goes to ``extra`` verbatim.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import UsageError
from .model import Article, Contributor, Identifier, Paragraph, Rights, SourcePublication, Text

#: Dublin Core element (``dc.<name>`` or ``dcterms.<name>``) -> the key above it means
DUBLIN_CORE = {
    "title": "title", "creator": "authors", "date": "date", "issued": "date", "rights": "rights",
    "license": "license", "identifier": "identifier", "subject": "subject",
    "description": "abstract", "abstract": "abstract", "language": "language",
}

#: keys whose value is a list (repeated catalog columns add up instead of replacing)
LIST_KEYS = frozenset({"author", "authors", "creator", "contributors", "keywords", "topics",
                       "subject", "identifier", "identifiers", "doi"})


def canonical_key(raw_key: str) -> str:
    """The key as :func:`apply_overrides` understands it: normalized, Dublin Core resolved."""
    key = raw_key.strip().lower().replace("-", "_").replace(" ", "_")
    prefix, dot, name = key.partition(".")
    if dot and prefix in ("dc", "dcterms") and name in DUBLIN_CORE:
        return DUBLIN_CORE[name]
    return key


def is_list_key(raw_key: str) -> bool:
    """Whether the key takes several values (authors, subjects, identifiers)."""
    key = canonical_key(raw_key)
    return key in LIST_KEYS or key.startswith("subjects.")


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
        key = canonical_key(raw_key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key in ("title", "subtitle", "language", "article_type", "id"):
            setattr(article, key, str(value).strip())
        elif key in ("summary", "abstract", "description"):
            article.abstract = [Paragraph([Text(str(value).strip())])]
        elif key in ("rights", "license", "copyright"):
            rights = article.rights or Rights()
            if key == "license" and str(value).startswith(("http://", "https://")):
                rights.license_url = str(value)
            else:
                rights.statement = str(value).strip()
            article.rights = rights
        elif key in ("date", "published", "publication_date"):
            article.dates["published"] = str(value).strip()
        elif key.startswith("dates.") or key.startswith("date."):
            article.dates[key.split(".", 1)[1]] = str(value).strip()
        elif key in ("author", "authors", "creator", "contributors"):
            names = _strings(value)
            article.contributors = [Contributor(name=n) for n in names]
        elif key in ("source", "source_publication"):
            url = article.source_publication.url if article.source_publication else None
            article.source_publication = SourcePublication(name=str(value).strip(), url=url)
        elif key == "source_url":
            if article.source_publication:
                article.source_publication.url = str(value).strip()
            else:
                article.extra["source_url"] = value
        elif key.startswith("subjects.") or key in ("keywords", "topics", "subject"):
            name = key.split(".", 1)[1] if "." in key else ("keywords" if key == "subject" else key)
            if not name:
                raise UsageError(f"empty subject list name in {raw_key!r}")
            article.subjects[name] = _strings(value)
        elif key in ("identifier", "identifiers", "doi"):
            scheme = "doi" if key == "doi" else "local"
            for item in _strings(value):
                s, sep, v = item.partition(":")
                ident = (Identifier(s.strip(), v.strip()) if sep and key != "doi" and " " not in s
                         else Identifier(scheme, item))
                if ident not in article.identifiers:
                    article.identifiers.append(ident)
        else:
            article.extra[raw_key] = value
