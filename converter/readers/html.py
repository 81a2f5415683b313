"""Reader for web pages (HTML5, WHATWG Living Standard): the main article, not the whole page.

trafilatura finds the article's main text and its metadata (title, author, date, site name,
description, categories and tags); its cleaned HTML then goes through pandoc's HTML reader
(:func:`converter.readers.pandoc.read_with_pandoc`), so tables, lists, quotes, links and images
map like every other pandoc input. A page where trafilatura finds no article is converted whole,
with a warning. ``--from pandoc:html`` skips extraction altogether.

Settings: precision-leaning extraction keeping tables, formatting and links, but not images (on
news pages they bring captions, credits and logos; web images are remote and never fetched). On
the 30 pages of the article-extraction-benchmark sample in ../shared/corpus/html-articles this
beats trafilatura's defaults (docs/benchmarks.md, bench/html_f1.py).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from .._version import __version__
from ..errors import InputError
from ..model import (
    Article,
    Contributor,
    Identifier,
    Paragraph,
    Provenance,
    Rights,
    SourcePublication,
    Text,
)
from ..model.vocabulary import language_tag, normalize_date
from ..options import ReadOptions
from .decode import decode_text
from .pandoc import read_with_pandoc

_LANG_RE = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([^\"'\s>]+)",
                      re.IGNORECASE)
_CHARSET_RE = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_META_TAG_RE = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTR_RE = re.compile(r"([A-Za-z:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ROLE_KINDS = {"written": "author", "edited": "editor", "translated": "translator"}
_HTML_RE = re.compile(rb"^(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
                      re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class DecodedPage:
    """A page's text, the encoding it was read with, and what went wrong on the way."""

    text: str
    encoding: str
    #: a warning to record (bytes that do not fit the declared or marked encoding)
    problem: str | None = None


def decode_html(data: bytes) -> DecodedPage:
    """The page as text: BOM, the declared charset, else the shared rule (UTF-8, windows-1252).

    Bytes that break the encoding the page declares are never read silently some other way:
    the page is decoded by the shared rule and the result says why (a warning diagnostic)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return DecodedPage(data[3:].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError as exc:
            return DecodedPage(data[3:].decode("utf-8", errors="replace"), "utf-8-sig",
                               f"not valid UTF-8 despite its byte-order mark ({exc.reason} at "
                               f"byte {exc.start + 3}); bad bytes replaced with U+FFFD")
    declared = _CHARSET_RE.search(data[:4096])
    problem = None
    if declared:
        name = declared.group(1).decode("ascii", "replace")
        try:
            return DecodedPage(data.decode(name, errors="strict"), name.lower())
        except LookupError:
            problem = f"declares an unknown charset {name!r}"
        except UnicodeDecodeError as exc:
            problem = f"declares {name} but is not valid {name} ({exc.reason} at byte {exc.start})"
    decoded = decode_text(data)
    if problem:
        problem += f"; decoded as {decoded.encoding}"
    elif decoded.legacy:
        problem = f"not UTF-8 and no charset declared; decoded as {decoded.encoding}"
    return DecodedPage(decoded.text, decoded.encoding, problem)


def extract_main(text: str) -> tuple[str | None, Any]:
    """trafilatura's cleaned HTML of the main article (None when it finds none) and metadata."""
    import trafilatura
    from trafilatura.htmlprocessing import build_html_output

    try:
        # images off: on news pages they bring captions, credits and logos, not article text
        # (mean F1 0.938 with them, 0.960 without); precision over recall (0.960 vs 0.955)
        document = trafilatura.bare_extraction(
            text, with_metadata=True, include_comments=False, include_tables=True,
            include_formatting=True, include_links=True, include_images=False,
            favor_precision=True)
    except (ValueError, TypeError, AttributeError) as exc:
        raise InputError(f"main-text extraction failed: {type(exc).__name__}: {exc}") from exc
    if isinstance(document, dict) or document is None or document.body is None or not (
            document.text or "").strip():
        metadata = trafilatura.extract_metadata(text) if text.strip() else None
        return None, metadata
    return build_html_output(document), document


def contributors(byline: str) -> list[Contributor]:
    """People in a byline: "A; B and C", with "Edited by D" / "Translated by E" for other roles."""
    people: list[Contributor] = []
    kind = "author"
    for part in re.split(r"\s*(?:;|\band\b|\b(?=(?:edited|translated) by\b))\s*", byline,
                         flags=re.IGNORECASE):
        role = re.match(r"(written|edited|translated) by\s+", part, flags=re.IGNORECASE)
        if role:
            kind = _ROLE_KINDS[role.group(1).lower()]
            part = part[role.end():]
        name = " ".join(part.split()).strip(" ,")
        if name:
            people.append(Contributor(name=name, kind=kind))
    return people


def page_meta(page: bytes, *names: str) -> str | None:
    """The content of the first ``<meta name|property=...>`` among ``names`` in the page head."""
    head = page[:65536].decode("utf-8", errors="replace")
    found: dict[str, str] = {}
    for tag in _META_TAG_RE.findall(head):
        attrs = {k.lower(): html.unescape(v1 or v2) for k, v1, v2 in _ATTR_RE.findall(tag)}
        key = (attrs.get("property") or attrs.get("name") or "").lower()
        if key in names and attrs.get("content", "").strip():
            found.setdefault(key, attrs["content"])
    return next((found[n] for n in names if n in found), None)


def _apply_metadata(article: Article, meta: Any, page: bytes) -> None:
    """trafilatura's metadata over what pandoc found; what the model has no field for -> extra."""
    if meta is None:
        return
    if meta.author:
        article.contributors = contributors(meta.author)
    if meta.date:
        date = normalize_date(meta.date)
        if date:
            article.dates["published"] = date
    if meta.sitename:
        article.source_publication = SourcePublication(meta.sitename.strip(), meta.url or None)
    if meta.url:
        article.identifiers.append(Identifier("url", meta.url))
    description = meta.description or page_meta(page, "og:description", "twitter:description")
    if description and description.strip():
        article.abstract = [Paragraph([Text(" ".join(description.split()))])]
    if meta.tags:
        article.subjects["keywords"] = [t.strip() for t in meta.tags if t.strip()]
    if meta.categories:
        article.subjects["categories"] = [c.strip() for c in meta.categories if c.strip()]
    if meta.license:
        licence = meta.license.strip()
        article.rights = Rights(license_url=licence) if licence.startswith("http") else Rights(
            statement=licence)
    found = _LANG_RE.search(page[:8192])
    stated = getattr(meta, "language", None) or (
        found.group(1).decode("ascii", "replace") if found else None)
    if language_tag(stated):
        article.language = language_tag(stated)
    elif stated:
        article.extra["lang"] = stated
    for key in ("hostname", "image", "pagetype"):
        value = getattr(meta, key, None)
        if value:
            article.extra[key] = value


class HtmlReader:
    """Reader ``html``: a web page's main article (trafilatura), mapped through pandoc."""

    name = "html"
    version = __version__

    def sniff(self, data: bytes, file_name: str | None) -> bool:
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        return bool(_HTML_RE.match(head))

    def read(self, data: bytes, options: ReadOptions) -> Article:
        limit = options.max_input_bytes
        if len(data) > limit:
            raise InputError(f"input is {len(data)} bytes, over the {limit}-byte limit")
        page = decode_html(data)
        main, meta = extract_main(page.text)
        title = meta.title if meta is not None and meta.title else None
        if main is None:
            article = read_with_pandoc(page.text.encode("utf-8"), "html", options, title=title)
            article.diagnose("warning", "no-main-text",
                             "no main article found on the page; converted the whole page")
        else:
            article = read_with_pandoc(main.encode("utf-8"), "html", options, title=title)
            article.diagnose("info", "main-text",
                             "main article extracted from the page (trafilatura); the rest of "
                             "the page is left out (the original is kept in the bag)")
        _apply_metadata(article, meta, data)
        prov = article.provenance or Provenance()
        prov.format = "html"
        prov.encoding = page.encoding
        article.provenance = prov
        if page.problem:
            article.diagnose("warning", "encoding", page.problem)
        return article
