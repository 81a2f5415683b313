"""Reader for JATS journal articles (ANSI/NISO Z39.96 JATS 1.0-1.4) and NLM 3.0 articles.

Follows the JATS tag libraries (https://jats.nlm.nih.gov/: Archiving, Publishing and Authoring,
1.0 to 1.4; NLM Journal Publishing 3.0 uses the same names). docs/jats.md has the mapping. In short:

* front matter -> title, subtitle, contributors (names, affiliations, roles, bios, ORCID, email),
  abstract, keywords and subject groups -> ``subjects``, dates, ``article-id`` -> identifiers,
  permissions -> rights, journal metadata -> ``extra["journal"]``;
* body -> blocks: ``sec`` titles become headings, ``speech`` an interview turn, ``fn`` and
  ``xref`` to a footnote a :class:`~converter.model.Note`, ``xref`` to a reference a citation;
* back -> acknowledgements, ``references`` (one entry per ``ref``), notes.

What the model cannot hold is never dropped silently: front-matter elements without a home are
kept verbatim (as XML) in ``extra["jats_unmapped"]`` by their path, body elements without a model
type are read as text, and either way a diagnostic names the element and its place.

Parsing is safe for hostile files: no DTD is loaded, no entity is resolved by the parser (named
character entities are looked up in the HTML 5 / ISO entity table, entities a document declares
itself are expanded one level deep), no network, no huge trees. A document that is not well-formed
but whose root is still ``article`` is read in libxml2's recovery mode, with a warning. MathML
without a TeX alternative is turned into TeX by pandoc (texmath), in one run per document.

The JATS writer's own output (``processing-meta`` names the generator) reads back to the article
it was written from; converter.formats.jats.vocabulary has its conventions (placeholders, markers).
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
import html.entities
import json
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lxml import etree

from .._version import __version__
from ..errors import ConverterError, InputError
from ..formats.jats.vocabulary import (
    ALI,
    CANONICAL_ID,
    CITED_KEY,
    DISCLAIMER,
    DISPLAY,
    EXTRA_JOURNAL,
    EXTRA_LICENSE_TEXT,
    FORMATTING,
    GENERATED,
    GENERATOR,
    HEADING_PREFIX,
    HREF,
    LINE_BREAK,
    LIST_TYPES,
    META_ARTICLE_TYPE,
    META_DISCARDED,
    META_EXTRA,
    META_IMAGE_CREDIT,
    META_MEDIA,
    PLACEHOLDER,
    QUOTE_MARKS,
    QUOTED,
    SOURCE_PUBLICATION,
    TITLE,
    XML_LANG,
)
from ..model import (
    Article,
    Block,
    BlockQuote,
    BulletList,
    Citation,
    Code,
    CodeBlock,
    ColumnSpec,
    Contributor,
    DefinitionItem,
    DefinitionList,
    Discarded,
    Emphasis,
    Figure,
    Heading,
    HorizontalRule,
    Identifier,
    Image,
    Inline,
    LineBlock,
    LineBreak,
    Link,
    Math,
    MediaResource,
    Note,
    OrderedList,
    Paragraph,
    Quoted,
    Reference,
    Rights,
    SourcePublication,
    Speech,
    Strong,
    Table,
    TableCell,
    TableRow,
    Text,
    normalize_inlines,
)
from ..options import ReadOptions

MATHML = "http://www.w3.org/1998/Math/MathML"
MML_MATH = f"{{{MATHML}}}math"
#: extra keys this reader fills
EXTRA_UNMAPPED = "jats_unmapped"
EXTRA_CUSTOM_META = "custom_meta"

#: block-level elements that may stand inside a ``p`` (the paragraph is split around them)
P_BLOCKS = frozenset({
    "list", "def-list", "disp-quote", "speech", "statement", "verse-group", "preformat", "code",
    "table-wrap", "table-wrap-group", "fig", "fig-group", "boxed-text", "hr", "array",
    "chem-struct-wrap", "supplementary-material", "media", "address", "ack", "question",
    "question-wrap", "question-wrap-group", "answer", "answer-set", "explanation",
    "block-alternatives", "disp-formula-group",
})
#: ... and inside a table cell, where paragraphs may stand too
CELL_BLOCKS = P_BLOCKS | {"p"}
#: inline elements read as their content without a word (no model type, nothing to lose)
TRANSPARENT = frozenset({
    "styled-content", "named-content", "abbrev", "roman", "sans-serif", "fixed-case", "x",
    "target", "person-group", "string-name", "surname", "given-names", "prefix", "suffix",
    "source", "year", "month", "day", "season", "volume", "issue", "fpage", "lpage",
    "page-range", "article-title", "chapter-title", "part-title", "publisher-name",
    "publisher-loc", "edition", "series", "collab", "comment", "pub-id", "elocation-id", "size",
    "trans-title", "trans-source", "conf-name", "conf-loc", "conf-date", "data-title",
    "version", "std", "institution", "institution-wrap", "issn", "isbn", "date-in-citation",
    "access-date", "gov", "patent", "role", "degrees", "addr-line", "country", "city", "state",
    "postal-code", "phone", "fax", "funding-source", "award-id", "string-date", "date",
    "inline-supplementary-material", "related-object", "label", "title", "element-citation",
    "mixed-citation", "nlm-citation", "citation-alternatives", "object-id", "annotation",
    "milestone-start", "milestone-end", "index-term-range-end", "note",
})
#: root elements of JATS fragments (pandoc writes them without --standalone)
FRAGMENTS = frozenset({"body", "sec", "p", "table-wrap", "fig", "list", "def-list", "disp-quote",
                       "boxed-text", "speech", "verse-group", "preformat", "code"})
ORDERED = {jats: style for style, jats in LIST_TYPES.items()}
BULLETS = frozenset("•◦▪▫‣⁃–—-*·●○■□")
_SPACES = re.compile(r"\s+")
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_DOCTYPE = re.compile(rb"\s*<!DOCTYPE\s+([\w:.-]+)([^>\[]*)", re.I)
_FIRST_TAG = re.compile(rb"\s*(?:<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>\s*)?<([\w:.-]+)([^>]*)", re.S)
_JATS_IDS = re.compile(rb"JATS|//NLM//DTD|Journal Archiving|Journal Publishing|Article Authoring")
_PROLOG_NOISE = re.compile(rb"<\?.*?\?>|<!--.*?-->", re.S)


def collapse(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


@functools.cache
def _date_pattern() -> re.Pattern[str]:
    from ..schema import article_schema

    return re.compile(article_schema()["$defs"]["Date"]["pattern"])


_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_KEY = re.compile(r"^[a-z][a-z0-9_-]*$")


def model_key(raw: str | None, default: str) -> str:
    """A name usable as a ``subjects``/``dates`` key (``Discipline v2`` -> ``discipline-v2``)."""
    key = re.sub(r"[^a-z0-9_-]+", "-", (raw or "").strip().lower()).strip("-")
    if key and not key[0].isalpha():
        key = f"x-{key}"
    return key if _KEY.match(key) else default


def from_alpha(label: str) -> int:
    n = 0
    for ch in label.lower():
        n = n * 26 + ord(ch) - ord("a") + 1
    return n


def from_roman(label: str) -> int | None:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    text = label.lower()
    if not text or any(ch not in values for ch in text):
        return None
    total = 0
    for i, ch in enumerate(text):
        value = values[ch]
        total += -value if i + 1 < len(text) and values[text[i + 1]] > value else value
    return total


def parse_label(label: str, style: str) -> int | None:
    """The number an ordered-list label shows (``3.``, ``(c)``, ``iv)``), or None."""
    text = label.strip().strip(".)(:")
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if style.endswith("roman"):
        return from_roman(text)
    if style.endswith("alpha") and text.isascii() and text.isalpha():
        return from_alpha(text)
    return None


class JatsReader:
    """JATS / NLM XML -> Article."""

    name = "jats"
    version = __version__

    def sniff(self, data: bytes, file_name: str | None) -> bool:
        """A JATS or NLM DOCTYPE, or a root ``article`` in no namespace (DocBook 5 has one)."""
        head = data[:16384]
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            head = head.decode("utf-16", errors="ignore").encode("utf-8")
        head = _PROLOG_NOISE.sub(b"", head.removeprefix(b"\xef\xbb\xbf"))
        doctype = _DOCTYPE.match(head)
        if doctype and _JATS_IDS.search(doctype.group(2)):
            return True
        if doctype and b"PUBLIC" in doctype.group(2).upper():
            return False  # another public DTD: DocBook 4, XHTML, TEI
        first = _FIRST_TAG.match(head)
        return bool(first and first.group(1) == b"article"
                    and not re.search(rb"\sxmlns\s*=", first.group(2)))

    def read(self, data: bytes, options: ReadOptions) -> Article:
        tree, problem = parse_safely(data)
        fragment = tree.getroot().tag
        if fragment != "article" and fragment in FRAGMENTS:
            tree = _as_article(tree.getroot())
        article = _Reader(tree, options).read()
        if fragment != "article":
            article.diagnose("warning", "jats-fragment", f"a JATS fragment (<{fragment}>), not an "
                             "article: read as the body of an untitled article", "/article/body")
        if problem:
            article.diagnose("warning", "jats-recovered", f"not well-formed XML ({problem}); "
                             "read in recovery mode, some markup may be lost")
        return article


def parse_safely(data: bytes) -> tuple[etree._ElementTree, str | None]:
    """Parse without DTD, entity expansion or network; recover a broken ``article`` if needed."""

    def parser(recover: bool) -> etree.XMLParser:
        return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                               huge_tree=False, remove_comments=True, remove_pis=True,
                               recover=recover)

    try:
        root = etree.fromstring(data, parser(False))
        return root.getroottree(), None
    except etree.XMLSyntaxError as exc:
        if "Excessive depth" in str(exc):  # libxml2's limit; recovering would cut the tree
            raise InputError(f"elements nest too deeply: {exc}") from exc
        problem = str(exc)
    except ValueError as exc:  # e.g. a unicode string with an encoding declaration
        raise InputError(f"not readable XML: {exc}") from exc
    try:
        root = etree.fromstring(data, parser(True))
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not well-formed XML: {problem}") from exc
    if root is None or root.tag not in ("article", *FRAGMENTS):
        raise InputError(f"not well-formed XML: {problem}")
    return root.getroottree(), problem


# --------------------------------------------------------------------------- the reader


class _Reader:
    """Reads one parsed document; collects diagnostics and cross-references on the way."""

    def __init__(self, tree: etree._ElementTree, options: ReadOptions) -> None:
        root = tree.getroot()
        if root.tag != "article":  # JATS has no namespace: {docbook}article is not one
            raise InputError(f"not a JATS article: the root element is <{root.tag}>")
        self.tree = tree
        self.root = root
        self.options = options
        self.article = Article(title="Untitled")
        self.ours = any(
            collapse(_raw(m.find("meta-value"))) == GENERATOR
            for m in root.iterfind("processing-meta/custom-meta-group/custom-meta"))
        self.fns = {fn.get("id"): fn for fn in root.iter("fn") if fn.get("id")}
        self.used_fns: set[str] = set()
        self.open_fns: set[str] = set()
        self.cited_keys = {ref.get("id"): _raw(ref.find("mixed-citation"))
                           for ref in root.iter("ref")
                           if ref.get("content-type") == CITED_KEY and ref.get("id")}
        self.affs = {aff.get("id"): aff for aff in root.iter("aff") if aff.get("id")}
        self.used_affs: set[str] = set()
        self.corresp = {c.get("id"): c for c in root.iter("corresp") if c.get("id")}
        self.referenced = {rid for x in root.iter("xref") for rid in (x.get("rid") or "").split()}
        self.losses: dict[str, list[Any]] = {}
        self.unmapped: dict[str, str] = {}
        internal = tree.docinfo.internalDTD
        self.declared: dict[str, str] = {
            e.name: e.content
            for e in (internal.entities() if internal is not None else [])  # type: ignore[attr-defined]
            if e.name and isinstance(e.content, str) and "&" not in e.content}
        self.math = self._convert_mathml()

    # ---- bookkeeping

    def place(self, el: etree._Element) -> str:
        if not isinstance(el.tag, str):  # lxml cannot give an entity node's path
            parent = el.getparent()
            return self.tree.getpath(parent) if parent is not None else ""
        return self.tree.getpath(el)

    def lose(self, el: etree._Element, what: str) -> None:
        """Count an element the model cannot hold as is; one diagnostic per kind at the end."""
        tag = el.tag if isinstance(el.tag, str) else "entity"
        entry = self.losses.setdefault(f"<{_local(tag)}> {what}", [0, self.place(el)])
        entry[0] += 1

    def keep_unmapped(self, el: etree._Element) -> None:
        """Front matter without a model home: kept verbatim as XML in extra, by its path."""
        self.unmapped[self.place(el)] = etree.tostring(el, encoding="unicode", with_tail=False)
        self.lose(el, f"kept as XML in extra[{EXTRA_UNMAPPED!r}]")

    def entity(self, node: etree._Element) -> str:
        name = str(node.name)  # type: ignore[attr-defined]
        if name in self.declared:
            return self.declared[name]
        value = html.entities.html5.get(f"{name};")
        if value is None:  # the DTD's own sets (&b.alpha;), from the local catalog if there is one
            from ..formats.jats.validate import character_entity

            value = character_entity(name)
        if value is None:
            self.lose(node, f"&{name}; (an external or unknown entity) kept as its name")
            return f"&{name};"
        return value

    # ---- text

    def text(self, el: etree._Element | None, skip: Iterable[str] = ("fn", "label")) -> str:
        """The whitespace-normalized text of an element, footnotes and labels left out."""
        return collapse(self.raw(el, frozenset(skip))) if el is not None else ""

    def raw(self, el: etree._Element, skip: frozenset[str] = frozenset()) -> str:
        """The exact text of an element (entities resolved)."""
        parts = [el.text or ""]
        for child in el:
            if child.tag is etree.Entity:
                parts.append(self.entity(child))
            elif isinstance(child.tag, str) and child.tag not in skip and not (
                    child.tag == "xref" and child.get("ref-type") in ("fn", "table-fn")
                    and "fn" in skip):
                parts.append(self.raw(child, skip))
            parts.append(child.tail or "")
        return "".join(parts)

    def optional(self, el: etree._Element | None) -> str | None:
        return self.text(el) if el is not None else None

    # ---- the whole article

    def read(self) -> Article:
        a = self.article
        root = self.root
        language = root.get(XML_LANG)
        if language and _LANGUAGE.match(language):
            a.language = language
        elif language:
            a.extra["language"] = language
            a.diagnose("warning", "jats-language", f"xml:lang {language!r} is not a BCP 47 "
                       "language tag; kept in extra['language']", "/article")
        a.article_type = root.get("article-type")
        processing = root.find("processing-meta")
        if processing is not None and not self.ours:
            self.keep_unmapped(processing)
        front = root.find("front")
        if front is not None:
            self.front(front)
        body = root.find("body")
        if body is not None:
            a.body = self.flow(body)
        back = root.find("back")
        if back is not None:
            self.back(back)
        floats = root.find("floats-group")
        if floats is not None:
            a.body += self.flow(floats)
            self.lose(floats, "read into the end of the body")
        for sub in [*root.findall("sub-article"), *root.findall("response")]:
            a.body += self.sub_article(sub)
        # footnotes no xref pointed to and not read in place: their text goes to the notes
        for fn in root.iter("fn"):
            if self._inside_table_foot(fn) or (fn.get("id") in self.used_fns) or (
                    not fn.get("id") and self._inside_p(fn)):
                continue
            a.notes += self.fn_blocks(fn)
        if self.unmapped:
            a.extra[EXTRA_UNMAPPED] = self.unmapped
        if root.find("front/article-meta/title-group/article-title") is None or \
                a.title == "Untitled":
            a.diagnose("warning", "jats-no-title", "no article-title: titled 'Untitled'")
        for what, (count, place) in self.losses.items():
            a.diagnose("info", "jats-unmapped", f"{count} × {what}", place)
        return a

    def _inside_table_foot(self, el: etree._Element) -> bool:
        return any(p.tag == "table-wrap-foot" for p in el.iterancestors())

    def _inside_p(self, el: etree._Element) -> bool:
        return any(p.tag in ("p", "td", "th", "title") for p in el.iterancestors())

    # ---- front matter

    def front(self, front: etree._Element) -> None:
        a = self.article
        for child in front:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == "journal-meta":
                self.journal_meta(child)
            elif tag == "article-meta":
                self.article_meta(child)
            elif tag == "notes":
                if child.get("notes-type") == DISCLAIMER and self.disclaimer(child):
                    continue
                a.notes += self.titled(child)
            elif tag in ("list", "def-list", "bio", "glossary"):
                a.notes += self.block(child)
            elif tag == "ack":
                a.acknowledgements += self.flow(child)
            elif tag == "fn-group":
                continue  # footnotes: referenced ones become notes inline, others notes
            else:
                self.keep_unmapped(child)

    def disclaimer(self, notes: etree._Element) -> bool:
        paragraphs = [c for c in notes if isinstance(c.tag, str)]
        if len(paragraphs) != 1 or paragraphs[0].tag != "p":
            return False
        rights = self.article.rights or Rights()
        rights.disclaimer = self.text(paragraphs[0])
        self.article.rights = rights
        return True

    def journal_meta(self, meta: etree._Element) -> None:
        journal: dict[str, Any] = {}
        ids: dict[str, str] = {}
        issn: dict[str, str] = {}
        for child in meta:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            text = self.text(child)
            if tag == "journal-id" and text:
                ids.setdefault(child.get("journal-id-type") or "other", text)
            elif tag == "journal-title-group":
                for part, key in (("journal-title", "title"),
                                  ("abbrev-journal-title", "abbrev_title")):
                    value = self.text(child.find(part))
                    if value:
                        journal.setdefault(key, value)
            elif tag == "issn" and text:
                issn.setdefault(child.get("pub-type") or child.get("publication-format")
                                or "issn", text)
            elif tag == "publisher":
                name = self.text(child.find("publisher-name"))
                if name:
                    journal["publisher"] = name
                    location = self.text(child.find("publisher-loc"))
                    if location:
                        journal["publisher_location"] = location
            elif text:
                self.keep_unmapped(child)
        if ids:
            journal["ids"] = ids
        if issn:
            journal["issn"] = issn
        if journal:
            self.article.extra.setdefault(EXTRA_JOURNAL, {}).update(journal)

    def article_meta(self, meta: etree._Element) -> None:
        a = self.article
        doi = None
        abstracts: list[etree._Element] = []
        journal: dict[str, str] = {}
        for child in meta:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == "article-id":
                value = self.text(child)
                if not value:
                    continue
                if child.get("specific-use") == CANONICAL_ID:
                    a.id = value
                    continue
                scheme = child.get("pub-id-type") or "other"
                a.identifiers.append(Identifier(scheme, value))
                if scheme == "doi" and doi is None:
                    doi = value
            elif tag == "article-categories":
                self.categories(child)
            elif tag == "title-group":
                self.title_group(child)
            elif tag == "contrib-group":
                for contrib in child:
                    if contrib.tag == "contrib":
                        person = self.contributor(contrib)
                        if person is not None:
                            a.contributors.append(person)
                    elif isinstance(contrib.tag, str) and not (
                            contrib.tag == "aff" and contrib.get("id")):
                        self.keep_unmapped(contrib)
            elif tag in ("aff", "aff-alternatives"):
                if not any(aff.get("id") for aff in child.iter("aff")):
                    self.keep_unmapped(child)  # no contributor can point to it
                # the others are read through the contributors' xrefs; unused ones below
            elif tag == "author-notes":
                self.author_notes(child)
            elif tag in ("pub-date", "history"):
                for date in ([child] if tag == "pub-date" else child.findall("date")):
                    self.date(date, pub=tag == "pub-date")
            elif tag in ("volume", "issue", "fpage", "lpage", "elocation-id"):
                value = self.text(child)
                if value:
                    journal.setdefault(tag.replace("-", "_"), value)
            elif tag == "pub-history":
                self.pub_history(child)
            elif tag == "permissions":
                self.permissions(child)
            elif tag == "related-article" and child.get("related-article-type") == \
                    "republished-article" and a.source_publication is None:
                a.source_publication = SourcePublication(
                    self.text(child) or child.get(HREF, ""), url=child.get(HREF))
            elif tag in ("abstract", "trans-abstract"):
                abstracts.append(child)
            elif tag == "kwd-group":
                key = model_key(child.get("kwd-group-type"), "keywords")
                for kwd in child:
                    if isinstance(kwd.tag, str) and kwd.tag in ("kwd", "compound-kwd"):
                        value = self.text(kwd)
                        if value:
                            a.subjects.setdefault(key, []).append(value)
                a.subjects.setdefault(key, [])
            elif tag == "custom-meta-group":
                self.custom_meta(child)
            else:
                self.keep_unmapped(child)
        if journal:
            a.extra.setdefault(EXTRA_JOURNAL, {}).update(journal)
        if a.id is None and doi is not None and not self.ours:
            a.id = f"https://doi.org/{doi}"
        main = next((x for x in abstracts if x.tag == "abstract" and not x.get("abstract-type")),
                    abstracts[0] if abstracts else None)
        for abstract in abstracts:
            if abstract is main:
                a.abstract = self.flow(abstract)
            else:
                name = abstract.get("abstract-type") or "abstract"
                a.notes += self.titled(abstract, name.replace("-", " ").capitalize())
        for ident, aff in self.affs.items():
            parent = aff.getparent()
            if ident not in self.used_affs and parent is not None and parent.tag in (
                    "article-meta", "contrib-group", "aff-alternatives"):
                self.keep_unmapped(aff)

    def title_group(self, group: etree._Element) -> None:
        a = self.article
        for child in group:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "article-title":
                title = self.text(child)
                if title:
                    a.title = title
            elif child.tag == "subtitle" and a.subtitle is None:
                a.subtitle = self.text(child)
            elif child.tag == "fn-group":
                continue
            else:
                self.keep_unmapped(child)

    def categories(self, categories: etree._Element) -> None:
        def walk(group: etree._Element, inherited: str) -> None:
            key = model_key(group.get("subj-group-type"), inherited)
            for child in group:
                if not isinstance(child.tag, str):
                    continue
                if child.tag in ("subject", "compound-subject"):
                    value = self.text(child)
                    if value:
                        self.article.subjects.setdefault(key, []).append(value)
                elif child.tag == "subj-group":
                    walk(child, key)

        for child in categories:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "subj-group":
                if child.get("specific-use") != GENERATED:
                    walk(child, "subject")
            else:
                self.keep_unmapped(child)

    def contributor(self, contrib: etree._Element) -> Contributor | None:
        holder = contrib.find("name-alternatives")
        if holder is None:
            holder = contrib
        name = holder.find("name")
        string_name = holder.find("string-name")
        given = surname = display = None
        if name is not None:
            surname = self.optional(name.find("surname"))
            given = self.optional(name.find("given-names"))
            display = self.compose(name)
        if string_name is not None:
            display = self.text(string_name)
            if name is None:
                surname = self.optional(string_name.find("surname"))
                given = self.optional(string_name.find("given-names"))
        if not display:
            collab = contrib.find("collab")
            if collab is None:
                collab = contrib.find("collab-alternatives/collab")
            if collab is not None:
                display = self.text(collab, ("fn", "label", "contrib-group", "xref"))
            elif contrib.find("anonymous") is not None:
                display = "Anonymous"
        if not display:
            self.keep_unmapped(contrib)
            return None
        person = Contributor(display, kind=contrib.get("contrib-type") or "author",
                             given_names=given, surname=surname)
        roles = [self.text(r) for r in contrib.findall("role")]
        person.role = "; ".join(r for r in roles if r) or None
        affs = contrib.findall("aff")
        emails = [self.text(e) for e in [*contrib.findall("email"),
                                         *contrib.findall("address/email")]]
        for xref in contrib.findall("xref"):
            for rid in (xref.get("rid") or "").split():
                if rid in self.affs and xref.get("ref-type") in ("aff", None):
                    self.used_affs.add(rid)
                    affs.append(self.affs[rid])
                elif rid in self.corresp:
                    emails += [self.text(e) for e in self.corresp[rid].iter("email")]
        for aff in affs:  # an address may end with the person's email (eLife)
            text = self.text(aff, ("label", "fn", "email"))
            if text:
                person.affiliations.append(text)
            emails += [self.text(e) for e in aff.findall("email")]
        emails = [e for e in emails if e]
        person.email = emails[0] if emails else None
        for ident in contrib.findall("contrib-id"):
            value = self.text(ident)
            if value and (ident.get("contrib-id-type") == "orcid" or "orcid.org" in value):
                person.orcid = value
        bio = contrib.find("bio")
        if bio is not None:
            person.bio = self.flow(bio)
        for child in contrib:
            if isinstance(child.tag, str) and child.tag in ("degrees", "on-behalf-of",
                                                            "author-comment", "etal"):
                self.lose(child, "of a contributor not kept")
        return person

    def compose(self, name: etree._Element) -> str:
        """A person's name as displayed, from ``name`` parts."""
        parts = {tag: self.text(name.find(tag)) for tag in ("prefix", "given-names", "surname",
                                                            "suffix")}
        order = (("surname", "given-names") if name.get("name-style") == "eastern"
                 else ("prefix", "given-names", "surname", "suffix"))
        return " ".join(parts[t] for t in order if parts[t])

    def author_notes(self, notes: etree._Element) -> None:
        for child in notes:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "corresp":
                if child.get("id") not in self.referenced:
                    self.article.notes.append(Paragraph(normalize_inlines(self.inlines(child))))
            elif child.tag == "p":
                self.article.notes += self.para(child)
            elif child.tag != "fn":
                self.keep_unmapped(child)

    def date(self, el: etree._Element, pub: bool) -> None:
        value = self.date_value(el)
        if value is None:
            self.keep_unmapped(el)
            return
        kind = el.get("date-type") or el.get("pub-type")
        dates = self.article.dates
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
        year = self.text(el.find("year"))
        if not re.fullmatch(r"\d{4}", year):
            return None
        value = year
        month_text = self.text(el.find("month")).lower()
        month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.strip("."))
        if month and 1 <= month <= 12:
            value += f"-{month:02d}"
            day = self.text(el.find("day"))
            if day.isdigit() and 1 <= int(day) <= 31:
                value += f"-{int(day):02d}"
        return value if pattern.fullmatch(value) else year

    def pub_history(self, history: etree._Element) -> None:
        for event in history.findall("event"):
            if event.get("specific-use") != SOURCE_PUBLICATION:
                self.keep_unmapped(event)
                continue
            uri = event.find("self-uri")
            date = event.find("date")
            self.article.source_publication = SourcePublication(
                self.text(event.find("event-desc")),
                url=uri.get(HREF) if uri is not None else None,
                relation=event.get("event-type"),
                date=self.date_value(date) if date is not None else None)

    def permissions(self, permissions: etree._Element) -> None:
        rights = self.article.rights or Rights()
        texts: list[str] = []
        for child in permissions:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == "copyright-statement" and rights.statement is None:
                rights.statement = self.text(child)
            elif tag == "copyright-year" and rights.year is None:
                rights.year = self.text(child)
            elif tag == "copyright-holder" and rights.holder is None:
                rights.holder = self.text(child)
            elif tag == "license" and rights.license_url is None and not texts:
                ref = child.find(f"{{{ALI}}}license_ref")
                url = child.get(HREF) or (self.text(ref) if ref is not None else None)
                rights.license_url = url or None
                texts = [self.text(p) for p in child.findall("license-p")]
            else:
                self.keep_unmapped(child)
        self.article.rights = rights
        text = " ".join(t for t in texts if t)
        if text:
            self.article.extra[EXTRA_LICENSE_TEXT] = text

    def custom_meta(self, group: etree._Element) -> None:
        a = self.article
        for meta in group.findall("custom-meta"):
            use = meta.get("specific-use")
            name = _raw(meta.find("meta-name"))
            value = _raw(meta.find("meta-value"))
            try:
                if use == META_ARTICLE_TYPE:
                    a.article_type = value
                elif use == META_IMAGE_CREDIT:
                    a.image_credits.append(value)
                elif use == META_EXTRA:
                    a.extra[name] = json.loads(value)
                elif use == META_MEDIA:
                    a.media.append(_record(MediaResource, value))
                elif use == META_DISCARDED:
                    a.discarded.append(_record(Discarded, value))
                else:
                    a.extra.setdefault(EXTRA_CUSTOM_META, []).append(
                        {"name": collapse(name), "value": collapse(value)})
            except (ValueError, TypeError) as exc:
                a.diagnose("warning", "jats-custom-meta", f"custom-meta {name!r} ({use}) is "
                           f"not what the JATS writer makes ({exc}); kept as text in extra",
                           self.place(meta))
                a.extra.setdefault(EXTRA_CUSTOM_META, []).append({"name": name, "value": value})

    # ---- back matter

    def back(self, back: etree._Element) -> None:
        a = self.article
        for child in back:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == "ack":
                a.acknowledgements += self.flow(child)
            elif tag == "ref-list":
                self.ref_list(child)
            elif tag in ("fn-group", "label", "title"):
                continue
            elif tag in ("notes", "sec", "glossary", "bio"):
                a.notes += self.titled(child)
            elif tag in ("app-group", "app"):
                a.body += self.titled(child)
                self.lose(child, "(appendix) read into the end of the body")
            else:
                a.notes += self.block(child)

    def ref_list(self, ref_list: etree._Element) -> None:
        for ref in ref_list.iter("ref"):
            if ref.get("content-type") == CITED_KEY:
                continue
            label = ref.find("label")
            content: list[Inline] = []
            for child in ref:
                if not isinstance(child.tag, str) or child.tag == "label":
                    continue
                if child.tag == "citation-alternatives":
                    child = next((c for c in child if isinstance(c.tag, str)), child)
                if child.tag in ("element-citation", "nlm-citation"):
                    part = self.structured_citation(child)
                else:
                    part = self.inlines(child)
                if content and part:
                    content.append(Text(" "))
                content += part
            self.article.references.append(Reference(
                normalize_inlines(content), ref.get("id"),
                self.text(label) if label is not None else None))

    def structured_citation(self, citation: etree._Element) -> list[Inline]:
        """An element-citation as text: its parts in order, separated as a reference list is."""
        out: list[Inline] = []
        for child in citation:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == "person-group" or tag in ("name", "string-name", "collab", "etal"):
                part: list[Inline] = [Text(self.people(child))]
            elif tag == "source":
                part = [Emphasis(self.inlines(child))]
            elif tag == "pub-id":
                kind = child.get("pub-id-type")
                part = [Text(f"{kind}:{self.text(child)}" if kind else self.text(child))]
            elif tag == "lpage" and out:
                out.append(Text("–"))
                out += self.inlines(child)
                continue
            else:
                part = self.inlines(child)
            if out and part:
                out.append(Text(". "))
            out += part
        return out

    def people(self, el: etree._Element) -> str:
        if el.tag == "name":
            surname = self.text(el.find("surname"))
            given = self.text(el.find("given-names"))
            return " ".join(p for p in (surname, given) if p)
        if el.tag == "etal":
            return self.text(el) or "et al."
        if el.tag != "person-group":
            return self.text(el)
        names = [self.people(c) for c in el if isinstance(c.tag, str)]
        return ", ".join(n for n in names if n)

    def sub_article(self, sub: etree._Element) -> list[Block]:
        """A sub-article (an eLife decision letter, a reply) as a section at the body's end."""
        title = sub.find("front-stub/title-group/article-title")
        if title is None:
            title = sub.find("front/article-meta/title-group/article-title")
        content: list[Inline] = self.inlines(title) if title is not None else [
            Text(sub.get("article-type") or "Sub-article")]
        out: list[Block] = [Heading(1, normalize_inlines(content), sub.get("id"))]
        body = sub.find("body")
        if body is not None:
            out += self.flow(body, depth=1)
        for part in sub:
            if isinstance(part.tag, str) and part.tag not in ("body",):
                self.keep_unmapped(part)
        self.lose(sub, "read as a section at the end of the body")
        return out

    # ---- block containers

    def flow(self, container: etree._Element, depth: int = 0) -> list[Block]:
        """The blocks of an element: its children, ``sec`` as headings with their content."""
        out: list[Block] = []
        for child in container:
            if not isinstance(child.tag, str) or child.tag in (
                    "title", "label", "sec-meta", "object-id", "caption", "attrib"):
                continue
            out += self.block(child, depth)
        return out

    def titled(self, el: etree._Element, title: str | None = None) -> list[Block]:
        """A titled part (notes, a back-matter sec, an extra abstract) as heading + blocks."""
        heading = el.find("title")
        content: list[Inline] = (normalize_inlines(self.inlines(heading)) if heading is not None
                                 else [Text(title)] if title else [])
        out: list[Block] = [Heading(1, content, el.get("id"))] if content else []
        if el.tag == "glossary" or el.tag == "app-group":
            for child in el:
                if isinstance(child.tag, str) and child.tag in ("glossary", "app"):
                    out += self.titled(child)
                elif isinstance(child.tag, str) and child.tag not in ("title", "label"):
                    out += self.block(child, 1)
            return out
        return out + self.flow(el, depth=1 if content else 0)

    def section(self, sec: etree._Element, depth: int) -> list[Block]:
        title = sec.find("title")
        label = sec.find("label")
        out: list[Block] = []
        if title is not None or label is not None:
            content: list[Inline] = []
            if label is not None:
                content += [*self.inlines(label), Text(" ")]
            if title is not None:
                content += self.inlines(title)
            level = depth
            shown = sec.get("disp-level") or ""
            if shown.isdigit() and 1 <= int(shown) <= 6:
                level = int(shown)
            elif depth > 6:
                level = 6
                self.lose(sec, "nested deeper than six levels, read as a level-6 heading")
            out.append(Heading(level, normalize_inlines(content), sec.get("id")))
        return out + self.flow(sec, depth)

    def block(self, el: etree._Element, depth: int = 0) -> list[Block]:
        """The blocks one element stands for."""
        tag = el.tag
        if not isinstance(tag, str) or PLACEHOLDER in (el.get("specific-use"),
                                                      el.get("content-type")):
            return []
        match tag:
            case "sec":
                return self.section(el, depth + 1)
            case "p":
                return self.para(el)
            case "list":
                return self.list_block(el)
            case "def-list":
                return self.def_list(el)
            case "disp-quote":
                blocks = self.flow(el, depth)
                for attrib in el.findall("attrib"):
                    blocks.append(Paragraph(normalize_inlines(self.inlines(attrib))))
                return [BlockQuote(blocks)]
            case "speech":
                return [self.speech(el)]
            case "verse-group":
                return self.verse(el)
            case "preformat" | "code":
                language = el.get("language") if tag == "code" else None
                return [CodeBlock(self.raw(el).strip("\n"), language or None)]
            case "table-wrap":
                return self.table_wrap(el)
            case "fig":
                return [self.figure(el)]
            case "table-wrap-group" | "fig-group" | "disp-formula-group":
                return self.caption(el) + self.flow(el, depth)
            case "graphic" | "media":
                return self.graphic_block(el)
            case "disp-formula" | "tex-math" | "inline-formula":
                return [Paragraph(normalize_inlines(self.inline(el)))]
            case "alternatives" | "block-alternatives":
                best = self.preferred(el)
                return self.block(best, depth) if best is not None else []
            case "hr":
                return [HorizontalRule()]
            case "boxed-text" | "statement" | "question-wrap" | "question-wrap-group":
                self.lose(el, "read as a block quote")
                return [BlockQuote(self.caption(el) + self.flow(el, depth))]
            case "ack" | "notes" | "glossary" | "app" | "bio" | "answer" | "explanation" | \
                    "question" | "answer-set":
                return self.titled(el)
            case "ref-list":
                self.ref_list(el)
                return []
            case "fn-group" | "fn" | "x":
                return []  # footnotes are read where they are referenced, or into the notes
            case "supplementary-material":
                return self.graphic_block(el)
            case "related-article" | "related-object":
                return [Paragraph(normalize_inlines(self.linked(el)))]
            case _:
                if tag == MML_MATH:
                    return [Paragraph(normalize_inlines(self.inline(el)))]
                text = self.text(el)
                self.lose(el, "read as a plain paragraph" if text else "left out (no text)")
                return [Paragraph([Text(text)])] if text else []

    def para(self, p: etree._Element) -> list[Block]:
        kind = p.get("content-type") or ""
        if PLACEHOLDER in (kind, p.get("specific-use")):
            return []
        level = kind.removeprefix(HEADING_PREFIX)
        if kind.startswith(HEADING_PREFIX) and level.isdigit() and 1 <= int(level) <= 6:
            return [Heading(int(level), normalize_inlines(self.inlines(p)), p.get("id"))]
        return self.mixed(p, P_BLOCKS, empty=True)

    def mixed(self, el: etree._Element, blocks: frozenset[str], empty: bool) -> list[Block]:
        """Mixed content split into paragraphs around the block elements standing in it."""
        out: list[Block] = []
        run: list[Inline] = [Text(el.text)] if el.text else []
        split = False
        for child in el:
            if isinstance(child.tag, str) and child.tag in blocks:
                split = True
                inlines = normalize_inlines(run)
                if inlines:
                    out.append(Paragraph(inlines))
                run = []
                out += self.block(child)
            else:
                run += self.inline(child)
            if child.tail:
                run.append(Text(child.tail))
        inlines = normalize_inlines(run)
        if inlines or (empty and not split):
            out.append(Paragraph(inlines))
        return out

    def list_block(self, el: etree._Element) -> list[Block]:
        kind = el.get("list-type") or ""
        style = ORDERED.get(kind)
        items: list[list[Block]] = []
        labels: list[str | None] = []
        for item in el.findall("list-item"):
            if item.get("specific-use") == PLACEHOLDER:
                continue
            label = item.find("label")
            labels.append(self.text(label) if label is not None else None)
            items.append([b for child in item
                          if isinstance(child.tag, str) and child.tag != "label"
                          for b in (self.titled(child) if child.tag == "title" else
                                    self.block(child))])
        title = el.find("title")
        before = [Paragraph([Strong(normalize_inlines(self.inlines(title)))])] \
            if title is not None else []
        start = parse_label(labels[0], style) if style and labels and labels[0] else None
        if style is None or (labels and labels[0] and start is None):
            for blocks, shown in zip(items, labels, strict=True):
                if shown and shown not in BULLETS:
                    _prepend(blocks, shown)
        result: Block
        if style is not None:
            result = OrderedList(items, start if start is not None else 1, style)  # type: ignore[arg-type]
        else:
            result = BulletList(items)
        return [*before, result]

    def def_list(self, el: etree._Element) -> list[Block]:
        items = []
        for item in el.findall("def-item"):
            terms = [normalize_inlines(self.inlines(t)) for t in item.findall("term")]
            term: list[Inline] = []
            for part in terms:
                term += [Text("; "), *part] if term else part
            definitions = [self.flow(d) for d in item.findall("def")]
            items.append(DefinitionItem(normalize_inlines(term), definitions))
        out: list[Block] = []
        title = el.find("title")
        if title is not None:
            out.append(Paragraph([Strong(normalize_inlines(self.inlines(title)))]))
        out.append(DefinitionList(items))
        for nested in el.findall("def-list"):
            out += self.def_list(nested)
        return out

    def speech(self, el: etree._Element) -> Speech:
        speaker = el.find("speaker")
        name = self.text(speaker)
        if not name:
            name = "Unnamed speaker"
            self.lose(el, "without a speaker name, read as 'Unnamed speaker'")
        blocks = [b for child in el if isinstance(child.tag, str) and child.tag != "speaker"
                  for b in self.block(child)]
        role = speaker.get("content-type") if speaker is not None else None
        return Speech(name, blocks, role)

    def verse(self, el: etree._Element) -> list[Block]:
        lines: list[list[Inline]] = []
        out: list[Block] = []
        for child in el:
            if not isinstance(child.tag, str) or child.get("specific-use") == PLACEHOLDER:
                continue
            if child.tag == "verse-line":
                lines.append(normalize_inlines(self.inlines(child)))
            elif child.tag == "verse-group":
                for block in self.verse(child):
                    if isinstance(block, LineBlock):
                        lines += block.lines
            elif child.tag in ("title", "subtitle", "label", "attrib"):
                lines.append(normalize_inlines(self.inlines(child)))
        out.append(LineBlock(lines))
        return out

    # ---- tables and figures

    def caption(self, el: etree._Element) -> list[Block]:
        """Label, caption title and caption paragraphs of a table, figure or group."""
        out: list[Block] = []
        heading: list[Inline] = []
        label = el.find("label")
        caption = el.find("caption")
        if label is not None:
            heading += self.inlines(label)
        title = caption.find("title") if caption is not None else None
        if title is not None:
            heading += [Text(" "), *self.inlines(title)]
        heading = normalize_inlines(heading)
        if heading:
            out.append(Paragraph([Strong(heading)]))
        if caption is not None:
            for child in caption:
                if isinstance(child.tag, str) and child.tag != "title":
                    out += self.block(child)
        return out

    def table_wrap(self, wrap: etree._Element) -> list[Block]:
        caption = self.caption(wrap)
        table = next(wrap.iter("table"), None)
        result: Table | Figure
        if table is None:
            self.lose(wrap, "without an XHTML table (an image or OASIS table), read as a figure")
            content = [b for child in wrap if isinstance(child.tag, str)
                       and child.tag in ("graphic", "alternatives", "media", "preformat")
                       for b in self.block(child)]
            result = Figure(content, caption, wrap.get("id"))
        else:
            result = Table(caption=caption, id=wrap.get("id"))
            for col in table.iter("col"):
                result.columns.append(ColumnSpec(_align(col.get("align")),
                                                 _width(col.get("width"))))
            for child in table:
                if not isinstance(child.tag, str) or child.get("content-type") == PLACEHOLDER:
                    continue
                rows = [child] if child.tag == "tr" else child.findall("tr")
                target = {"thead": result.head, "tfoot": result.foot}.get(child.tag, result.body)
                if child.tag in ("thead", "tfoot", "tbody", "tr"):
                    target += [self.row(tr) for tr in rows]
        # the foot's notes and paragraphs, credits and permissions: after the caption
        for part in wrap.iterfind("table-wrap-foot/*"):
            if not isinstance(part.tag, str) or part.tag in ("title", "label"):
                continue
            fns = part.findall("fn") if part.tag == "fn-group" else (
                [part] if part.tag == "fn" else [])
            if not fns:
                result.caption += self.block(part)
            for fn in fns:
                if fn.get("id") not in self.used_fns:
                    result.caption += self.fn_blocks(fn)
        for child in wrap:
            if isinstance(child.tag, str) and child.tag in ("attrib", "permissions"):
                text = self.text(child)
                if text:
                    result.caption.append(Paragraph([Text(text)]))
        return [result]

    def row(self, tr: etree._Element) -> TableRow:
        cells = []
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag not in ("td", "th") or \
                    cell.get("content-type") == PLACEHOLDER:
                continue
            cells.append(TableCell(self.mixed(cell, CELL_BLOCKS, empty=False),
                                   _span(cell.get("colspan")), _span(cell.get("rowspan")),
                                   _align(cell.get("align"))))
        return TableRow(cells)

    def figure(self, fig: etree._Element) -> Figure:
        caption = self.caption(fig)
        content: list[Block] = []
        for child in fig:
            if not isinstance(child.tag, str) or child.tag in (
                    "label", "caption", "object-id", "alt-text", "long-desc"):
                continue
            if child.tag in ("attrib", "permissions"):
                text = self.text(child)
                if text:
                    caption.append(Paragraph([Text(text)]))
                continue
            content += self.block(child)
        return Figure(content, caption, fig.get("id"))

    def graphic_block(self, el: etree._Element) -> list[Block]:
        """A graphic standing alone (a figure when captioned); media and supplements as links."""
        if el.tag == "graphic":
            image = Paragraph([self.image(el)])
            caption = self.caption(el)
            return [Figure([image], caption, el.get("id"))] if caption else [image]
        self.lose(el, "read as a link with its caption")
        return [*self.caption(el), Paragraph(normalize_inlines(self.linked(el)))]

    def linked(self, el: etree._Element) -> list[Inline]:
        href = el.get(HREF)
        content = self.inlines(el) if el.tag != "supplementary-material" else []
        if not any(isinstance(n, Text) and n.text.strip() for n in content) and len(content) < 2:
            content = [Text(href or self.text(el))] if (href or self.text(el)) else []
        return [Link(href, content)] if href else content

    def fn_blocks(self, fn: etree._Element) -> list[Block]:
        return [b for child in fn if isinstance(child.tag, str) and child.tag != "label"
                for b in self.block(child)]

    # ---- inlines

    def inlines(self, el: etree._Element) -> list[Inline]:
        """The inline content of an element (not yet normalized)."""
        out: list[Inline] = [Text(el.text)] if el.text else []
        for child in el:
            out += self.inline(child)
            if child.tail:
                out.append(Text(child.tail))
        return out

    def inline(self, el: etree._Element) -> list[Inline]:
        tag = el.tag
        if tag is etree.Entity:
            return [Text(self.entity(el))]
        if not isinstance(tag, str):
            return []
        if tag in FORMATTING:
            return [FORMATTING[tag](self.inlines(el))]
        match tag:
            case "monospace":
                return [Code(collapse(self.raw(el)))]
            case "ext-link" | "uri":
                href = el.get(HREF) or self.text(el)
                return [Link(href, self.inlines(el), el.get(TITLE))]
            case "email":
                return [Link(f"mailto:{self.text(el)}", self.inlines(el))]
            case "xref":
                return self.xref(el)
            case "fn":
                if el.get("id"):
                    self.used_fns.add(el.get("id", ""))
                return [Note(self.fn_blocks(el))]
            case "break":
                return [LineBreak()]
            case "named-content" if el.get("content-type") == LINE_BREAK:
                return [LineBreak()]
            case "named-content" if el.get("content-type") in QUOTED.values():
                quote = "double" if el.get("content-type") == QUOTED["double"] else "single"
                content = normalize_inlines(self.inlines(el), strip=False)
                opening, closing = QUOTE_MARKS[quote]
                if content and isinstance(content[0], Text) and \
                        content[0].text.startswith(opening):
                    content[0] = Text(content[0].text[1:])
                if content and isinstance(content[-1], Text) and \
                        content[-1].text.endswith(closing):
                    content[-1] = Text(content[-1].text[:-1])
                return [Quoted(quote, content)]  # type: ignore[arg-type]
            case "inline-formula" | "disp-formula" | "tex-math":
                display = tag == "disp-formula" or el.get("content-type") == DISPLAY
                out: list[Inline] = [self.formula(el, display)]
                for part in el:  # an equation number, or text that is not the formula itself
                    if isinstance(part.tag, str) and part.tag not in (
                            "tex-math", MML_MATH, "alternatives") and self.text(part):
                        out.append(Text(f" {self.text(part)}"))
                        if part.tag != "label":
                            self.lose(part, "inside a formula read as text after it")
                return out
            case "alternatives":
                best = self.preferred(el)
                return self.inline(best) if best is not None else []
            case "inline-graphic" | "graphic":
                return [self.image(el)]
            case "hr":
                self.lose(el, "inside a phrase left out")
                return []
            case "index-term":
                self.lose(el, "(an index entry, not running text) left out")
                return []
            case "etal":
                return [Text(self.text(el) or "et al.")]
            case "name":
                return [Text(self.people(el))]
            case "related-article" | "inline-supplementary-material" | "related-object":
                return self.linked(el)
        if tag == MML_MATH:
            return [self.formula(el, el.get("display") == "block")]
        if tag not in TRANSPARENT:
            self.lose(el, "read as plain text")
        return self.inlines(el)

    def xref(self, el: etree._Element) -> list[Inline]:
        kind = el.get("ref-type")
        rids = (el.get("rid") or "").split()
        fns = [r for r in rids if r in self.fns]
        if fns and (kind in ("fn", "table-fn", None) or len(fns) == len(rids)):
            out: list[Inline] = []
            for rid in fns:
                if rid in self.open_fns:  # a footnote pointing to itself
                    return self.inlines(el)
                self.used_fns.add(rid)
                self.open_fns.add(rid)
                out.append(Note(self.fn_blocks(self.fns[rid])))
                self.open_fns.discard(rid)
            return out
        if kind == "bibr" and rids:
            return [Citation([self.cited_keys.get(r) or r for r in rids], self.inlines(el))]
        if rids:
            return [Link(f"#{rids[0]}", self.inlines(el))]
        return self.inlines(el)

    def image(self, el: etree._Element) -> Image:
        alt = el.find("alt-text")
        content: list[Inline] = [Text(self.text(alt))] if alt is not None and self.text(alt) \
            else []
        return Image(el.get(HREF) or "", content, el.get(TITLE))

    def preferred(self, el: etree._Element) -> etree._Element | None:
        """The child of an ``alternatives`` the model holds best: TeX, MathML, table, graphic."""
        children = [c for c in el if isinstance(c.tag, str)]
        for wanted in ("tex-math", MML_MATH, "table", "graphic", "inline-graphic"):
            for child in children:
                if child.tag == wanted:
                    return child
        return children[0] if children else None

    def formula(self, el: etree._Element, display: bool) -> Math:
        tex = el if el.tag == "tex-math" else next(el.iter("tex-math"), None)
        if tex is not None:
            return Math(self.raw(tex).strip(), display)
        mathml = el if el.tag == MML_MATH else next(el.iter(MML_MATH), None)
        if mathml is not None:
            converted = self.math.get(self.place(mathml))
            if converted is not None:
                return Math(converted, display)
            self.lose(mathml, "(MathML) read as its text, not TeX")
            return Math(collapse(self.raw(mathml)), display)
        self.lose(el, "without TeX or MathML read as its text")
        return Math(self.text(el), display)

    def _convert_mathml(self) -> dict[str, str]:
        """TeX for every MathML formula without a TeX alternative: one pandoc run (texmath)."""
        wanted = []
        for math in self.root.iter(MML_MATH):
            holder = math.getparent()
            while holder is not None and holder.tag not in (
                    "inline-formula", "disp-formula", "alternatives"):
                holder = holder.getparent()
            if holder is None or next(holder.iter("tex-math"), None) is None:
                wanted.append(math)
        if not wanted:
            return {}
        from ..pandoc_run import run_pandoc

        page = "".join(f'<div id="m{i}"><p>{etree.tostring(_unprefixed(m), encoding="unicode")}'
                       "</p></div>" for i, m in enumerate(wanted))
        try:
            with tempfile.TemporaryDirectory(prefix="converter-jats-") as workdir:
                result = run_pandoc(["-f", "html", "-t", "json"], page.encode("utf-8"),
                                    timeout=self.options.pandoc_timeout, workdir=Path(workdir),
                                    error=InputError, action="convert MathML to TeX")
            found = _tex_by_div(json.loads(result.output)["blocks"])
        except (ConverterError, ValueError, LookupError, TypeError, AttributeError) as exc:
            self.article.diagnose("warning", "jats-mathml", f"MathML kept as text: {exc}")
            return {}
        return {self.place(math): found[f"m{i}"] for i, math in enumerate(wanted)
                if f"m{i}" in found}


# --------------------------------------------------------------------------- helpers


def _tex_by_div(blocks: list[Any]) -> dict[str, str]:
    """The first TeX formula of each pandoc ``Div [[id, classes, attrs], [Para [...]]]``."""
    out: dict[str, str] = {}
    for block in blocks:
        if block["t"] != "Div":
            continue
        tex = [node["c"][1] for para in block["c"][1] if para["t"] == "Para"
               for node in para["c"] if node["t"] == "Math"]
        if tex:
            out[block["c"][0][0]] = tex[0]
    return out


def _as_article(fragment: etree._Element) -> etree._ElementTree:
    """A fragment (a ``table-wrap``, a ``sec``) moved into the body of an empty article."""
    article = etree.Element("article")
    body = fragment if fragment.tag == "body" else etree.Element("body")
    etree.SubElement(article, "front")
    article.append(body)
    if body is not fragment:
        body.append(fragment)
    return article.getroottree()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _raw(el: etree._Element | None) -> str:
    """The exact text of an element (our own markers: no entities, no normalization)."""
    return "".join(el.itertext()) if el is not None else ""  # type: ignore[arg-type]


def _record(cls: type[Any], text: str) -> Any:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    names = {f.name for f in dataclasses.fields(cls)}
    if not set(data) <= names:
        raise ValueError(f"unknown fields {sorted(set(data) - names)}")
    return cls(**data)


def _prepend(blocks: list[Block], label: str) -> None:
    if blocks and isinstance(blocks[0], Paragraph):
        blocks[0] = Paragraph(normalize_inlines([Text(f"{label} "), *blocks[0].content]))
    else:
        blocks.insert(0, Paragraph([Text(label)]))


def _span(value: str | None) -> int:
    try:
        return max(1, int((value or "1").strip()))
    except ValueError:
        return 1


def _align(value: str | None) -> Any:
    return value if value in ("left", "center", "right") else None


def _width(value: str | None) -> float | None:
    """Column width: ``0.25*`` (the writer's fraction) or ``25%``; pixels say nothing."""
    text = (value or "").strip()
    try:
        if text.endswith("*"):
            return float(text[:-1])
        if text.endswith("%"):
            return float(text[:-1]) / 100
    except ValueError:
        return None
    return None


def _unprefixed(math: etree._Element) -> etree._Element:
    """A MathML element in the default namespace (what pandoc's HTML reader expects)."""

    def copy(el: etree._Element, parent: etree._Element | None) -> etree._Element:
        name = f"{{{MATHML}}}{_local(el.tag)}" if isinstance(el.tag, str) else "mi"
        new = (etree.SubElement(parent, name) if parent is not None
               else etree.Element(name, nsmap={None: MATHML}))  # type: ignore[dict-item]
        for key, value in el.attrib.items():
            if not str(key).startswith("{"):
                new.set(key, value)
        new.text = el.text
        for child in el:
            if isinstance(child.tag, str):
                copy(child, new).tail = child.tail
        return new

    return copy(math, None)
