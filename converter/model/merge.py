"""One article from several sources that are the same article (a clean text and the web page it
was scraped from): metadata merged field by field, with the source of every field recorded.

The rule, field by field (sources in order of preference, see :func:`preference`):

* single values (title, subtitle, language, article type, id): the first source that *states*
  one; a title a reader made up from the first words (``title-fallback``) counts only when no
  source states one, and an id derived from the content is derived again from the merged one;
  a differing stated value is a conflict;
* structured values (source publication, rights): the first source's, its empty parts filled from
  the others; a differing part is a conflict;
* lists and maps (contributors, identifiers, subjects, dates, image credits, extra): the union,
  in order, without repeats; the same contributor (by name) is completed from every source;
* text (abstract, body, notes, acknowledgements, references, media): the first source that has
  any, whole; texts are never spliced.

Nothing is dropped: every conflict is kept in ``extra["merged"]["conflicts"]`` with each
source's value and reported as a ``merge-conflict`` warning; ``extra["merged"]["fields"]`` says
which source gave each field. The sources themselves travel in the package as originals.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

from .article import Article, Contributor, Diagnostic, Provenance, add_once
from .nodes import block_text

#: diagnostics with which readers say that they made the title up
FALLBACK_TITLE_CODES = frozenset({"title-fallback", "jats-no-title", "pdf-no-title"})
_SINGLE = ("title", "subtitle", "language", "article_type", "id")
_STRUCTURED = ("source_publication", "rights")
_TEXT = ("abstract", "body", "notes", "acknowledgements", "references", "media")


def stated_title(article: Article) -> bool:
    """False when the reader made the title up (from the first words or the file name)."""
    prov = article.provenance
    return not (prov and any(d.code in FALLBACK_TITLE_CODES and d.level != "info"
                             for d in prov.diagnostics))


def _states(article: Article, name: str) -> bool:
    """Whether a value came from the input, not from a reader's or the pipeline's guess."""
    if name == "title":
        return stated_title(article)
    if name == "id":
        return article.id != article.content_id()
    return True


def richness(article: Article) -> int:
    """How much metadata an article states: the measure of which source comes first."""
    values = [article.subtitle, article.language, article.article_type,
              article.source_publication, article.rights, article.abstract, article.dates,
              article.identifiers, article.subjects]
    people = sum(1 + bool(c.bio) + bool(c.affiliations) for c in article.contributors)
    return 2 * stated_title(article) + people + sum(1 for v in values if v)


def preference(articles: Sequence[Article]) -> list[int]:
    """Source indices, best first: most stated metadata, then the longer body, then input
    order."""
    return sorted(range(len(articles)), key=lambda i: (
        -richness(articles[i]), -len(block_text(articles[i].body)), i))


class _Merge:
    def __init__(self, names: Sequence[str], articles: Sequence[Article]) -> None:
        self.names = names
        self.articles = articles
        self.sources: dict[str, str | list[str]] = {}
        self.conflicts: list[dict[str, Any]] = []

    def conflict(self, name: str, values: dict[str, Any]) -> None:
        self.conflicts.append({"field": name, "values": values})

    def single(self, merged: Article, name: str) -> None:
        stated = [(n, getattr(a, name)) for n, a in zip(self.names, self.articles, strict=True)
                  if getattr(a, name) and _states(a, name)]
        if not stated and name == "title":
            stated = [(n, a.title) for n, a in zip(self.names, self.articles, strict=True)
                      if a.title]
        if not stated:
            return
        source, value = stated[0]
        setattr(merged, name, value)
        self.sources[name] = source
        others = {n: v for n, v in stated if v != value}
        if others:
            self.conflict(name, {source: value, **others})

    def structured(self, merged: Article, name: str) -> None:
        present = [(n, getattr(a, name)) for n, a in zip(self.names, self.articles, strict=True)
                   if getattr(a, name) is not None]
        if not present:
            return
        source, first = present[0]
        value = replace(first)
        used = {source}
        for part in fields(value):
            mine = getattr(value, part.name)
            for other_name, other in present[1:]:
                theirs = getattr(other, part.name)
                if theirs in (None, "", []) or theirs == mine:
                    continue
                if mine in (None, "", []):
                    setattr(value, part.name, theirs)
                    mine = theirs
                    used.add(other_name)
                else:
                    self.conflict(f"{name}.{part.name}", {source: mine, other_name: theirs})
        setattr(merged, name, value)
        self.sources[name] = source if len(used) == 1 else \
            [n for n, _ in present if n in used]

    def text(self, merged: Article, name: str) -> None:
        for source, article in zip(self.names, self.articles, strict=True):
            if getattr(article, name):
                setattr(merged, name, copy.deepcopy(getattr(article, name)))
                self.sources[name] = source
                return

    def union(self, merged: Article) -> None:
        people: dict[str, Contributor] = {}
        for source, article in zip(self.names, self.articles, strict=True):
            for person in article.contributors:
                known = people.get(_key(person.name))
                if known is None:
                    people[_key(person.name)] = copy.deepcopy(person)
                    self._from(source, "contributors")
                    continue
                for part in fields(person):
                    theirs, mine = getattr(person, part.name), getattr(known, part.name)
                    if part.name == "affiliations":
                        known.affiliations += [x for x in theirs if x not in mine]
                    elif theirs and not mine:
                        setattr(known, part.name, copy.deepcopy(theirs))
                        self._from(source, "contributors")
            for ident in article.identifiers:
                if ident not in merged.identifiers:
                    merged.identifiers.append(replace(ident))
                    self._from(source, "identifiers")
            for vocabulary, terms in article.subjects.items():
                kept = merged.subjects.setdefault(vocabulary, [])
                if any(t not in kept for t in terms):
                    kept.extend(t for t in terms if t not in kept)
                    self._from(source, "subjects")
            for kind, date in article.dates.items():
                if kind not in merged.dates:
                    merged.dates[kind] = date
                    self._from(source, "dates")
                elif merged.dates[kind] != date:
                    self.conflict(f"dates.{kind}", {self._first("dates", kind): merged.dates[kind],
                                                    source: date})
            merged.image_credits += [c for c in article.image_credits
                                     if c not in merged.image_credits]
            for key, value in article.extra.items():
                if key not in merged.extra:
                    merged.extra[key] = copy.deepcopy(value)
                elif merged.extra[key] != value:
                    self.conflict(f"extra.{key}", {source: value})
            merged.discarded += [replace(d, place=f"{source}: {d.place}" if d.place else source)
                                 for d in article.discarded]
        merged.contributors = list(people.values())

    def _from(self, source: str, name: str) -> None:
        names = self.sources.setdefault(name, [])
        if isinstance(names, list) and source not in names:
            names.append(source)

    def _first(self, name: str, kind: str) -> str:
        for source, article in zip(self.names, self.articles, strict=True):
            if kind in getattr(article, name):
                return source
        return self.names[0]


def merge(names: Sequence[str], articles: Sequence[Article]) -> Article:
    """One article from ``articles`` (named ``names``, e.g. their input paths), best source
    first (order them with :func:`preference`); see the module docstring."""
    if not articles:
        raise ValueError("nothing to merge")
    work = _Merge(names, articles)
    first = articles[0]
    merged = Article(title=first.title, schema_version=first.schema_version,
                     provenance=copy.deepcopy(first.provenance) or Provenance())
    for name in _SINGLE:
        work.single(merged, name)
    for name in _STRUCTURED:
        work.structured(merged, name)
    for name in _TEXT:
        work.text(merged, name)
    work.union(merged)
    if merged.id is None:  # none stated: derived from the merged content, like any article's
        merged.id = merged.content_id()
    media_source = next((a for a in articles if a.media), first)
    merged.resources = dict(media_source.resources)
    merged.extra["merged"] = {"sources": list(names), "fields": work.sources,
                              "conflicts": work.conflicts}
    prov = merged.provenance
    assert prov is not None
    for article in articles[1:]:
        for diagnostic in article.provenance.diagnostics if article.provenance else []:
            add_once(prov.diagnostics, replace(diagnostic))
    add_once(prov.diagnostics, Diagnostic(
        "info", "merged", f"one article from {len(names)} sources ({', '.join(names)}); "
        f"title, body and abstract from {_named(work.sources, 'title')}, "
        f"{_named(work.sources, 'body')} and {_named(work.sources, 'abstract')}",
        prov.file_name))
    for item in work.conflicts:
        values = "; ".join(f"{k}: {v!r}" for k, v in item["values"].items())
        add_once(prov.diagnostics, Diagnostic(
            "warning", "merge-conflict", f"{item['field']} differs between sources ({values}); "
            "the first is used, all are kept in extra.merged", prov.file_name, item["field"]))
    return merged


def _named(sources: dict[str, str | list[str]], name: str) -> str:
    value = sources.get(name)
    return value if isinstance(value, str) else ", ".join(value or ["no source"])


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


__all__ = ["FALLBACK_TITLE_CODES", "merge", "preference", "richness", "stated_title"]
