"""RO-Crate metadata for a package's content: ``ro-crate-metadata.json`` (RO-Crate 1.3).

The crate describes the content root it sits in: the root dataset (``./``) holds every file
(``hasPart``) and has the article as its main entity, a ``ScholarlyArticle`` with its title,
authors, dates, subjects, identifiers and licence; the original and the renditions are the
article's ``encoding``, its media files its ``associatedMedia``. Each file has its size, media
type, SHA-256 (when the package computed one) and, where the caller knows it, its PRONOM format
as an ``encodingFormat`` entity ``https://www.nationalarchives.gov.uk/PRONOM/<puid>``.

It is written as plain JSON-LD, not through the ``rocrate`` library: one document with sorted
keys, two-space indent and the entities in a fixed order (the metadata descriptor, the root, then
the rest by ``@id``), so the same package always gives the same bytes. The version is the one the
``rocrate`` library writes today, 1.3 (``https://w3id.org/ro/crate/1.3``); roc-validator checks it
in the tests (see docs/repositories.md for running it offline).

Where it goes: a bag's payload root, ``data/ro-crate-metadata.json``, as RO-Crate 1.3's
Implementation notes say ("Adding RO-Crate to BagIt": ``data/`` is the RO-Crate Root, and the
bag's manifests list the crate like any payload file); an OCFL object's content root the same
way. :func:`crate_file` is the one call for both.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from ..errors import PackageError
from ..model import Article, Contributor, block_text
from ..model.metadata import rights_text, subject_terms
from ..model.vocabulary import identifier_text
from .contents import PackageFile

CRATE_FILE = "ro-crate-metadata.json"
RO_CRATE_VERSION = "1.3"
CONTEXT = f"https://w3id.org/ro/crate/{RO_CRATE_VERSION}/context"
PROFILE = f"https://w3id.org/ro/crate/{RO_CRATE_VERSION}"
PRONOM = "https://www.nationalarchives.gov.uk/PRONOM/"
ARTICLE_ID = "#article"
#: the root's licence when the article states none (RO-Crate requires one; text is allowed)
NO_LICENCE = "unknown: the source states no licence"

_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
_PUID = re.compile(r"^(?:x-)?fmt/\d+$")
_DESCRIPTIONS = {
    "original": "The original file, byte for byte",
    "rendition": "A rendition of the article",
    "media": "A media file of the article",
}

Entity = dict[str, Any]


def crate_file(article: Article, files: Sequence[PackageFile], when: datetime, *,
               prefix: str = "", puids: Mapping[str, str] | None = None,
               format_names: Mapping[str, str] | None = None,
               organization: str | None = None) -> PackageFile:
    """The crate of ``files`` as a package file at ``<prefix>ro-crate-metadata.json``, ready for
    :meth:`~converter.packaging.contents.Contents.write`.

    ``files`` are the content already written (sizes and digests filled in), their paths
    starting with ``prefix`` (``data/`` in a bag), which the crate's ids leave out. ``puids``
    gives PRONOM identifiers (``fmt/101``) by package path, for the files that were identified,
    ``format_names`` their names by PUID (``Extensible Markup Language 1.0``); ``when`` is the
    package's date (the crate's ``datePublished``); ``organization`` the publisher of the
    package (the bag's Source-Organization), when given.
    """
    path = prefix + CRATE_FILE
    if any(item.path == path for item in files):
        raise PackageError(f"{path!r} is the RO-Crate metadata file; no content file may have "
                           "that name")
    document = crate_document(article, files, when, prefix=prefix, puids=puids,
                              format_names=format_names, organization=organization)
    data = crate_json(document)
    return PackageFile(path, "metadata", "application/ld+json", data=data,
                       note=f"RO-Crate {RO_CRATE_VERSION} metadata")


def crate_json(document: Mapping[str, Any]) -> bytes:
    """The canonical text of a crate: sorted keys, two-space indent, UTF-8, final newline."""
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False)
    return (text + "\n").encode("utf-8", "replace")  # a lone surrogate in a title becomes '?'


def crate_document(article: Article, files: Sequence[PackageFile], when: datetime, *,
                   prefix: str = "", puids: Mapping[str, str] | None = None,
                   format_names: Mapping[str, str] | None = None,
                   organization: str | None = None) -> dict[str, Any]:
    """The crate as a JSON-LD document (see the module docstring)."""
    return _Crate(article, prefix, puids or {}, format_names or {}).build(files, when,
                                                                        organization)


def file_id(path: str) -> str:
    """A crate-relative path as a data entity's ``@id``: a relative URI, percent-encoded."""
    return quote(path, safe="/")


class _Crate:
    def __init__(self, article: Article, prefix: str, puids: Mapping[str, str],
                 format_names: Mapping[str, str]) -> None:
        self.article = article
        self.prefix = prefix
        self.puids = puids
        self.format_names = format_names
        self.entities: dict[str, Entity] = {}

    def add(self, entity: Entity) -> dict[str, str]:
        """Add a contextual entity (once per ``@id``); returns a reference to it."""
        self.entities.setdefault(entity["@id"], entity)
        return {"@id": entity["@id"]}

    def build(self, files: Sequence[PackageFile], when: datetime,
              organization: str | None) -> dict[str, Any]:
        article = self.article
        title = _text(article.title) or "(untitled)"
        references = {item.path: self.file(item) for item in sorted(files, key=lambda f: f.path)}
        licence = self.licence()
        root: Entity = {
            "@id": "./", "@type": "Dataset", "name": title,
            "description": f"The article “{title}”: its original file, the renditions "
                           "article-converter made of it and their media files.",
            "datePublished": when.isoformat(timespec="seconds"),
            "license": licence,
            "hasPart": list(references.values()),
            "mainEntity": {"@id": ARTICLE_ID},
        }
        if article.id:
            root["identifier"] = article.id
        if organization and organization.strip():
            root["publisher"] = self.add({"@id": "#publisher", "@type": "Organization",
                                          "name": _text(organization)})
        by_role: dict[str, list[dict[str, str]]] = {}
        for item in files:
            by_role.setdefault(item.role, []).append(references[item.path])
        originals = by_role.get("original", [])
        for item in files:  # a rendition is made from the original
            if item.role == "rendition" and originals:
                self.entities[references[item.path]["@id"]]["isBasedOn"] = originals
        self.add(self.scholarly_article(title, licence, originals + by_role.get("rendition", []),
                                        by_role.get("media", [])))
        descriptor = {"@id": CRATE_FILE, "@type": "CreativeWork", "about": {"@id": "./"},
                      "conformsTo": {"@id": PROFILE}}
        rest = [self.entities[key] for key in sorted(self.entities)]
        return {"@context": CONTEXT, "@graph": [_compact(e) for e in (descriptor, root, *rest)]}

    # ------------------------------------------------------------------ entities

    def file(self, item: PackageFile) -> dict[str, str]:
        if not item.path.startswith(self.prefix):
            raise PackageError(f"{item.path!r} is outside the crate's root {self.prefix!r}")
        relative = item.path[len(self.prefix):]
        entity: Entity = {
            "@id": file_id(relative), "@type": "File", "name": relative.rsplit("/", 1)[-1],
            "contentSize": str(item.size),
            "description": _DESCRIPTIONS.get(item.role, "A file of the package") + (
                f": {item.note}" if item.note else ""),
        }
        encoding: list[Any] = [item.media_type]
        puid = (self.puids.get(item.path) or "").strip()
        if _PUID.match(puid):
            name = _text(self.format_names.get(puid, "")) or f"PRONOM {puid}"
            encoding.append(self.add({"@id": PRONOM + puid, "@type": "WebPage",
                                      "name": name}))
        entity["encodingFormat"] = encoding if len(encoding) > 1 else encoding[0]
        if "sha256" in item.digests:
            entity["sha256"] = item.digests["sha256"]
        return self.add(entity)

    def licence(self) -> Any:
        """A licence entity (its URL), else the rights statement, else :data:`NO_LICENCE`."""
        rights = self.article.rights
        url = (rights.license_url or "").strip() if rights else ""
        if url.startswith(("http://", "https://")):
            return self.add({"@id": url, "@type": "CreativeWork", "name": url,
                             "description": "The licence the article states"})
        return rights_text(self.article) or NO_LICENCE

    def scholarly_article(self, title: str, licence: Any, encodings: list[dict[str, str]],
                          media: list[dict[str, str]]) -> Entity:
        article = self.article
        entity: Entity = {"@id": ARTICLE_ID, "@type": "ScholarlyArticle", "name": title,
                          "headline": title, "license": licence}
        optional: dict[str, Any] = {
            "alternativeHeadline": _text(article.subtitle or ""),
            "abstract": block_text(article.abstract).strip(),
            "inLanguage": article.language or "",
            "genre": _text(article.article_type or ""),
            "datePublished": article.dates.get("published", ""),
            "dateModified": article.dates.get("modified", ""),
            "keywords": subject_terms(article),
            "identifier": self.identifiers(),
            "encoding": encodings,
            "associatedMedia": media,
        }
        roles: dict[str, list[dict[str, str]]] = {}
        for number, person in enumerate(article.contributors, start=1):
            if person.name.strip():
                kind = person.kind.strip().lower()
                prop = {"author": "author", "": "author", "editor": "editor",
                        "translator": "translator"}.get(kind, "contributor")
                roles.setdefault(prop, []).append(self.person(person, number))
        optional.update(roles)
        rights = article.rights
        if rights:
            optional["copyrightHolder"] = _text(rights.holder or "")
            optional["copyrightNotice"] = _text(rights.statement or "")
            year = (rights.year or "").strip()
            optional["copyrightYear"] = int(year) if year.isdigit() else year
        source = article.source_publication
        if source and source.name.strip():
            part: Entity = {"@id": "#source", "@type": "CreativeWork", "name": _text(source.name)}
            if source.relation and source.relation.strip():
                part["description"] = _text(source.relation)
            if source.date:
                part["datePublished"] = source.date
            optional["isPartOf"] = self.add(part)
            if source.url and source.url.strip().startswith(("http://", "https://")):
                optional["url"] = source.url.strip()
        entity.update({key: value for key, value in optional.items() if value not in ("", [])})
        return entity

    def identifiers(self) -> list[str]:
        """The article's identifiers, a DOI as its https://doi.org/ URL."""
        out = []
        for ident in self.article.identifiers:
            value = ident.value.strip()
            if not value:
                continue
            if ident.scheme.strip().lower() == "doi":
                out.append("https://doi.org/" + quote(value, safe="/:;()._-"))
            else:
                out.append(identifier_text(ident))
        return list(dict.fromkeys(out))

    def person(self, person: Contributor, number: int) -> dict[str, str]:
        orcid = _ORCID.search((person.orcid or "").strip())
        entity: Entity = {
            "@id": f"https://orcid.org/{orcid.group(1)}" if orcid else f"#person-{number}",
            "@type": "Person", "name": _text(person.name)}
        optional = {"givenName": person.given_names, "familyName": person.surname,
                    "jobTitle": person.role, "email": person.email}
        entity.update({key: _text(value) for key, value in optional.items()
                       if value and value.strip()})
        affiliations = [self.add({"@id": f"#organization-{_slug(name)}",
                                  "@type": "Organization", "name": _text(name)})
                        for name in person.affiliations if name.strip()]
        if affiliations:
            entity["affiliation"] = affiliations
        return self.add(entity)


def _compact(entity: Entity) -> Entity:
    """One value where a property has one (RO-Crate 1.3 prefers it to a one-item list)."""
    return {key: value[0] if isinstance(value, list) and len(value) == 1 else value
            for key, value in entity.items()}


def _text(text: str) -> str:
    """One line: line breaks and runs of spaces become single spaces."""
    return " ".join(text.split())


def _slug(text: str) -> str:
    """A short, stable fragment for an organization's local id (its name's SHA-256, 12 hex)."""
    return hashlib.sha256(_text(text).encode("utf-8", "replace")).hexdigest()[:12]


__all__ = ["CRATE_FILE", "PRONOM", "RO_CRATE_VERSION", "crate_document", "crate_file",
           "crate_json", "file_id"]
