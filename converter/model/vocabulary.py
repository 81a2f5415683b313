"""The metadata vocabulary: which field a key names, and what a language tag, a date and an
identifier look like. Every reader, the ``--meta``/sidecar/catalog overrides and the EPUB and JATS
writers ask here, so that every way of supplying metadata means the same.

* Field names and their synonyms (:data:`SYNONYMS`), including the Dublin Core elements
  (``dc.title``, ``dcterms.issued``, ...) that an Archivematica ``metadata.csv`` uses. Keys are
  compared case-insensitively and without ``_``, ``-`` or spaces (``datePublished``,
  ``date_published`` and ``date-published`` are one key). :data:`DUBLIN_CORE` names the one
  column each field is written as (an Archivematica transfer's ``metadata.csv``); every such name
  is among the field's synonyms, so what is written reads back as the same field.
* Language tags and dates: the patterns are the schema's own (``$defs/Article/properties/language``
  and ``$defs/Date``), read from ``schemas/article.schema.json``, so a value accepted here always
  validates. :func:`well_formed_language_tag` is the stricter RFC 5646 grammar that EPUB and XML
  need (``xml:lang``, ``dc:language``).
* Identifiers: :func:`identifier` reads ``doi:10.1/x``, ``https://...`` (scheme ``url``),
  ``urn:...``, a bare DOI ``10.1234/...`` and ``isbn ...``.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Any

from .article import Identifier

#: field -> the keys that name it (normalized: lower case, no ``_``, ``-`` or spaces)
FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "dc.title"),
    "subtitle": ("subtitle", "dek"),
    "abstract": ("abstract", "summary", "description", "dc.description", "dcterms.abstract"),
    "language": ("language", "lang", "inlanguage", "locale", "dc.language"),
    "authors": ("author", "authors", "creator", "creators", "byline", "contributors",
                "dc.creator"),
    "published": ("date", "published", "datepublished", "publishdate", "publicationdate",
                  "dc.date", "dcterms.date", "issued", "dcterms.issued"),
    "modified": ("modified", "datemodified", "updated", "dcterms.modified"),
    "rights": ("rights", "copyright", "dc.rights"),
    "license": ("license", "licence", "dcterms.license"),
    "identifier": ("identifier", "identifiers", "dc.identifier"),
    "doi": ("doi",),
    "keywords": ("keywords", "subject", "dc.subject"),
    "source": ("source", "sourcepublication", "dc.source"),
    "source_url": ("sourceurl",),
    "article_type": ("articletype",),
    "id": ("id",),
}

#: field -> the Dublin Core column it is written as, in the order of Archivematica's metadata.csv
#: template (dc.title, dc.creator, dc.subject, dc.description, ..., dc.rights); ``license`` has no
#: element of its own in the 15 of ``dc.``, so it is the DCMI term ``dcterms.license``
DUBLIN_CORE: tuple[tuple[str, str], ...] = (
    ("title", "dc.title"), ("authors", "dc.creator"), ("keywords", "dc.subject"),
    ("abstract", "dc.description"), ("published", "dc.date"), ("identifier", "dc.identifier"),
    ("language", "dc.language"), ("rights", "dc.rights"), ("license", "dcterms.license"),
)

#: normalized key -> field
SYNONYMS: dict[str, str] = {key: name for name, keys in FIELDS.items() for key in keys}

#: fields that take several values (repeated catalog columns add up instead of replacing)
LIST_FIELDS = frozenset({"authors", "keywords", "identifier", "doi"})

#: keys whose value is a named list of subjects, kept under that name (``topics: [...]``)
SUBJECT_LISTS = frozenset({
    "centers", "collections", "regions", "topics", "programs", "projects", "tags", "keywords",
    "categories", "subjects", "sections", "countries", "issues", "series", "themes",
})

_NORMALIZE = re.compile(r"[\s_-]+")

# RFC 5646 well-formed language tags (without the grandfathered irregular ones)
_RFC5646 = re.compile(
    r"^(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[a-wyz\d](?:-[a-z\d]{2,8})+)*(?:-x(?:-[a-z\d]{1,8})+)?$",
    re.IGNORECASE)

#: how documents write dates when not in ISO 8601 (pandoc metadata, docx properties)
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %Y", "%Y/%m/%d",
                 "%Y.%m.%d", "%d.%m.%Y")


def normalize_key(key: str) -> str:
    """A key as :data:`SYNONYMS` lists it: lower case, without ``_``, ``-`` and spaces."""
    return _NORMALIZE.sub("", key.strip().casefold())


def field_for(key: str) -> str | None:
    """The model field a metadata key names (``dc.creator`` -> ``authors``), or ``None``."""
    return SYNONYMS.get(normalize_key(key))


# --------------------------------------------------------------------------- patterns


@functools.cache
def _schema_pattern(*path: str) -> re.Pattern[str]:
    from .schema import article_schema

    node: Any = article_schema()["$defs"]
    for part in path:
        node = node[part]
    return re.compile(node["pattern"])


def language_tag(value: object) -> str | None:
    """``value`` as a language tag the schema accepts (``en_GB`` -> ``en-GB``), or ``None``."""
    if not isinstance(value, str):
        return None
    tag = value.strip().replace("_", "-")
    return tag if _schema_pattern("Article", "properties", "language").match(tag) else None


def well_formed_language_tag(value: str) -> bool:
    """Whether ``value`` follows RFC 5646's grammar (what EPUB's ``dc:language`` requires)."""
    return bool(_RFC5646.match(value))


def is_date(value: object) -> bool:
    """Whether ``value`` is an ISO 8601 date the schema accepts (``2013``, ``2013-04``,
    ``2013-04-05``, or a date-time)."""
    return isinstance(value, str) and bool(_schema_pattern("Date").match(value))


def is_list_name(name: str) -> bool:
    """Whether ``name`` may name a subject list or a date (the schema's property names)."""
    return bool(_schema_pattern("Article", "properties", "subjects", "propertyNames").match(name))


def normalize_date(text: str) -> str | None:
    """An ISO 8601 date for the schema, from the common ways documents write one."""
    value = text.strip()
    if is_date(value) and "T" not in value:
        return value
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is not None:
        return parsed.isoformat() if parsed.tzinfo else parsed.date().isoformat() if (
            parsed.time() == datetime.min.time()) else parsed.isoformat(timespec="seconds")
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed.strftime("%Y-%m" if "%d" not in fmt else "%Y-%m-%d")
    return None


# --------------------------------------------------------------------------- identifiers


def identifier_text(ident: Identifier) -> str:
    """An identifier as one string, the one :func:`identifier` reads back as the same scheme and
    value when there is one: a DOI as ``doi:10.1/x``, a URL or a URN as it is, ``pmid:123``."""
    value, prefixed = ident.value.strip(), f"{ident.scheme}:{ident.value.strip()}"
    bare = ident.scheme.lower() in ("url", "urn", "uuid", "local")
    for text in ((value, prefixed) if bare else (prefixed, value)):
        if identifier(text) == Identifier(ident.scheme, value):
            return text
    return prefixed


def identifier(text: str, scheme: str | None = None) -> Identifier:
    """An identifier from text: ``scheme`` when given, else ``doi:``/``urn:`` prefixes, URLs
    (scheme ``url``), a bare DOI (``10.``), an ISBN or a UUID, else ``local``."""
    value = text.strip()
    if scheme:
        return Identifier(scheme, value)
    lowered = value.lower()
    prefix, sep, rest = value.partition(":")
    named = sep and prefix and " " not in prefix and rest.strip()
    if lowered.startswith(("http://", "https://")):
        return Identifier("url", value)
    if named and prefix.lower() in _SCHEMES:
        return Identifier(prefix.lower(), rest.strip())
    if lowered.startswith("10.") and "/" in value:
        return Identifier("doi", value)
    if "uuid" in lowered:
        return Identifier("uuid", value)
    if "isbn" in lowered:
        return Identifier("isbn", value)
    if named:
        return Identifier("urn", value) if prefix.lower() == "urn" else Identifier(
            prefix, rest.strip())
    return Identifier("local", value)


#: schemes written ``scheme:value`` whose prefix is not part of the value
_SCHEMES = frozenset({"doi", "isbn", "issn", "pmid", "pmcid", "arxiv", "handle"})
