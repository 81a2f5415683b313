"""Writer for JATS 1.3 Journal Archiving and Interchange XML (ANSI/NISO Z39.96-2021), DTD-valid.

Follows the JATS 1.3 Archiving tag library (https://jats.nlm.nih.gov/archiving/tag-library/1.3/)
and the PMC tagging guidelines where they choose between valid options (``article-type`` values).
docs/jats.md has the full mapping; in short:

* front: ``article-meta`` carries ids, title, contributors, dates, ``pub-history`` (the source
  publication), permissions, abstract and one ``kwd-group`` per subject list; ``custom-meta-group``
  holds what JATS has no element for (``extra`` as JSON, image credits, media, discarded text), so
  nothing in the model is dropped and the JATS reader gets it all back;
* body: sections are built from heading levels; an interview turn is a ``speech``;
* back: acknowledgements, the reference list, and every footnote in one ``fn-group``.

Where the DTD demands an element the model does not have (a ``speech`` without paragraphs, a list
without items), the writer adds an empty one marked ``specific-use="placeholder"`` (or
``content-type`` where that is the only attribute), which the reader skips. The tree is built
directly with lxml; validation against the DTD runs when ``WriteOptions.jats_dtd`` is set.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree

from ..errors import WriterError
from ..formats.jats.vocabulary import (
    ALI,
    CANONICAL_ID,
    CITED_KEY,
    DISCLAIMER,
    DISPLAY,
    DOCTYPE,
    EXTRA_JOURNAL,
    EXTRA_LICENSE_TEXT,
    FORMATTING,
    GENERATED,
    GENERATOR,
    HEADING_PREFIX,
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
    XLINK,
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
    Contributor,
    DefinitionList,
    Emphasis,
    Figure,
    Heading,
    HorizontalRule,
    Image,
    Inline,
    LineBlock,
    LineBreak,
    Link,
    Math,
    Note,
    OrderedList,
    Paragraph,
    Quoted,
    Reference,
    SmallCaps,
    Speech,
    Strikeout,
    Strong,
    Subscript,
    Superscript,
    Table,
    TableCell,
    TableRow,
    Text,
    Underline,
    inline_text,
)
from ..options import WriteOptions

#: PMC's article-type values (PMC Tagging Guidelines); anything else is written as "other"
PMC_ARTICLE_TYPES = frozenset({
    "abstract", "addendum", "announcement", "article-commentary", "book-review",
    "books-received", "brief-report", "calendar", "case-report", "collection", "correction",
    "data-paper", "discussion", "dissertation", "editorial", "expression-of-concern", "in-brief",
    "introduction", "letter", "meeting-report", "methods-article", "news", "obituary", "oration",
    "other", "partial-retraction", "product-review", "rapid-communication", "reply", "reprint",
    "research-article", "retraction", "review-article", "systematic-review", "translation",
})

# ---- where the DTD allows what (tests/test_jats_writer.py checks these against the DTD)
#: containers where headings become nested ``sec``
SECTIONED = frozenset({"body", "sec", "abstract", "ack", "notes", "bio"})
#: block elements allowed directly in each container; anything else is wrapped in a ``p``
FLOW = frozenset({"p", "list", "def-list", "disp-quote", "speech", "verse-group", "preformat",
                  "code", "table-wrap", "fig"})
ALLOWED: dict[str, frozenset[str]] = {
    **{tag: FLOW for tag in SECTIONED}, "disp-quote": FLOW,
    "fig": FLOW - {"fig"},
    "td": FLOW - {"table-wrap", "fig"}, "th": FLOW - {"table-wrap", "fig"},
    "list-item": frozenset({"p", "list", "def-list"}),
    "def": frozenset({"p"}), "speech": frozenset({"p"}), "fn": frozenset({"p"}),
    "caption": frozenset({"p"}),
}
#: inline parents that accept ``break``; elsewhere a line break is a named-content
BREAK_PARENTS = frozenset({"title", "article-title", "subtitle", "italic", "bold", "monospace",
                           "sc", "strike", "underline", "sub", "sup", "xref", "td", "th", "label",
                           "attrib"})
#: inline parents that accept ``disp-formula``; elsewhere displayed math is an inline-formula
DISPLAY_PARENTS = frozenset({"p", "td", "th", "term", "named-content"})
#: elements whose content is elements only, so indenting inside them changes no text
ELEMENT_ONLY = frozenset({
    "article", "processing-meta", "front", "journal-meta", "journal-title-group", "publisher",
    "article-meta", "article-categories", "subj-group", "title-group", "contrib-group", "contrib",
    "name", "name-alternatives", "pub-date", "date", "pub-history", "event",
    "permissions", "license", "abstract", "kwd-group", "custom-meta-group", "custom-meta",
    "notes", "bio", "body", "back", "sec", "ack", "list", "list-item", "def-list", "def-item",
    "def", "disp-quote", "verse-group", "speech", "table-wrap", "table", "thead", "tbody",
    "tfoot", "tr", "fig", "caption", "graphic", "fn-group", "fn", "ref-list", "ref",
})
#: ... and where the writer indents: those, and ``history`` (it may hold text; we write none)
INDENTED = ELEMENT_ONLY | {"history"}
#: the JATS element of each formatting inline
INLINE_TAGS: dict[type, str] = {cls: tag for tag, cls in FORMATTING.items()}

_NAME_START = ("A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
               "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
               "\U00010000-\U000effff")
#: an XML NCName: what an ID attribute may hold in a namespace-aware document
NCNAME = re.compile(f"[{_NAME_START}][{_NAME_START}.0-9\u00b7\u0300-\u036f\u203f-\u2040-]*")
#: characters XML 1.0 cannot carry at all
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def is_ncname(value: str) -> bool:
    return NCNAME.fullmatch(value) is not None


def to_alpha(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa (list labels)."""
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


def to_roman(n: int) -> str:
    out = ""
    for value, digits in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                          (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                          (4, "iv"), (1, "i")):
        count, n = divmod(n, value)
        out += digits * count
    return out


def list_label(number: int, style: str) -> str:
    """The label of item ``number`` in an ordered list of ``style`` (decimal when not possible)."""
    if number > 0 and style.endswith("alpha"):
        label = to_alpha(number)
    elif number > 0 and style.endswith("roman"):
        label = to_roman(number)
    else:
        return str(number)
    return label.upper() if style.startswith("upper") else label


def meta_json(value: Any) -> str:
    """The JSON text of a ``custom-meta`` value."""
    return json.dumps(value, ensure_ascii=False)


def record(obj: Any) -> str:
    """A dataclass record (MediaResource, Discarded) as JSON, unset fields left out."""
    return meta_json({k: v for k, v in dataclasses.asdict(obj).items() if v is not None})


def journal_fields(value: Any) -> dict[str, Any] | None:
    """``extra["journal"]`` when it has the shape the JATS reader gives it, else None."""
    if not isinstance(value, dict) or not value:
        return None
    for key, item in value.items():
        if key in ("ids", "issn"):
            if not (isinstance(item, dict) and item and all(
                    isinstance(k, str) and k and isinstance(v, str) and v
                    for k, v in item.items())):
                return None
        elif key not in JOURNAL_TEXT or not isinstance(item, str) or not item:
            return None
    # what the DTD cannot hold: a last page without a first, pages and an elocation-id,
    # a publisher's place without its name
    if ("lpage" in value and "fpage" not in value) or (
            "fpage" in value and "elocation_id" in value) or (
            "publisher_location" in value and "publisher" not in value):
        return None
    return value


#: ``extra["journal"]`` text fields, in the order of the JATS elements they become
JOURNAL_TEXT = ("title", "abbrev_title", "publisher", "publisher_location", "volume", "issue",
                "fpage", "lpage", "elocation_id")


class JatsWriter:
    """Article -> JATS 1.3 Archiving XML (UTF-8, DOCTYPE with the official public identifier)."""

    name = "jats"
    extension = ".xml"

    def write(self, article: Article, options: WriteOptions) -> bytes:
        root = build_tree(article)
        if options.jats_dtd is not None:
            from ..formats.jats.validate import tree_problems

            problems = tree_problems(etree.ElementTree(root), options.jats_dtd)
            if problems:
                raise WriterError("JATS output is not valid against the DTD: "
                                  + "; ".join(problems[:5]))
        return serialize(root)


def build_tree(article: Article) -> etree._Element:
    """The JATS ``article`` element for an article (not yet validated)."""
    try:
        return _Builder(article).build()
    except ValueError as exc:  # lxml refusing a value the cleaning missed
        raise WriterError(f"cannot build JATS: {exc}") from exc


def serialize(root: etree._Element) -> bytes:
    indent(root)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, doctype=DOCTYPE) + b"\n"


def indent(element: etree._Element, depth: int = 0) -> None:
    """Indent inside element-only elements; mixed content (p, td, titles) is left exactly as is."""
    children = [c for c in element if isinstance(c.tag, str)]
    if element.tag in INDENTED and children:
        pad = "\n" + "  " * (depth + 1)
        element.text = pad
        for child in children:
            child.tail = pad
        children[-1].tail = "\n" + "  " * depth
    for child in children:
        indent(child, depth + 1)


# --------------------------------------------------------------------------- building


def _walk(node: Any) -> Iterator[Any]:
    """Every dataclass node below ``node`` (lists and fields), in document order."""
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        yield node
        for f in dataclasses.fields(node):
            if f.name not in ("resources", "provenance", "extra"):
                yield from _walk(getattr(node, f.name))


class _Builder:
    """Builds one article's tree; holds the ids and footnotes collected on the way."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.used: set[str] = set()  # ids written so far
        self.targets: dict[str, str] = {}  # model id -> xref ref-type of its element
        self.reference_ids: set[str] = set()
        self.footnotes: list[etree._Element] = []
        self.cited_keys: dict[str, str] = {}  # citation key without reference -> ref id
        self.reported: set[tuple[str, str]] = set()
        self._collect_ids()

    # ---- helpers

    def diagnose(self, code: str, message: str, place: str | None = None) -> None:
        """Tell once per article what the writer could not render as is."""
        if (code, message) in self.reported:
            return
        self.reported.add((code, message))
        provenance = self.article.provenance
        if provenance and any(d.code == code and d.message == message
                              for d in provenance.diagnostics):
            return
        self.article.diagnose("warning", code, message, place)

    def clean(self, text: str) -> str:
        """Text XML can carry: characters XML 1.0 forbids become U+FFFD, with a diagnostic."""
        if _NOT_XML.search(text) is None:
            return text
        self.diagnose("jats-invalid-character", "characters XML cannot carry (control "
                      "characters, lone surrogates) were replaced by U+FFFD")
        return _NOT_XML.sub("\ufffd", text)

    def sub(self, parent: etree._Element, tag: str, text: str | None = None,
            **attrs: str | None) -> etree._Element:
        el = etree.SubElement(parent, tag)
        for key, value in attrs.items():
            if value is not None:
                el.set(_attr_name(key), self.clean(value))
        if text is not None:
            el.text = self.clean(text)
        return el

    def add_text(self, parent: etree._Element, text: str) -> None:
        if not text:
            return
        text = self.clean(text)
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + text
        else:
            parent.text = (parent.text or "") + text

    def new_id(self, base: str) -> str:
        n = 1
        while f"{base}{n}" in self.used or f"{base}{n}" in self.targets:
            n += 1
        self.used.add(f"{base}{n}")
        return f"{base}{n}"

    def take_id(self, el: etree._Element, value: str | None) -> None:
        """Give ``el`` a model id when it is a valid, not yet used XML ID."""
        if value is None:
            return
        if value in self.targets and value not in self.used:
            self.used.add(value)
            el.set("id", value)
            return
        reason = "is not a valid XML ID" if not is_ncname(value) else "is used twice"
        self.diagnose("jats-id-dropped", f"id {value!r} {reason}; left out of the JATS output")

    def _collect_ids(self) -> None:
        kinds = {Heading: "sec", Table: "table", Figure: "fig"}
        a = self.article
        nodes = [a.abstract, a.notes, [c.bio for c in a.contributors], a.body,
                 a.acknowledgements, a.references]
        for node in _walk(nodes):
            ident = getattr(node, "id", None)
            if ident is None or not is_ncname(ident) or ident in self.targets:
                continue
            if type(node) in kinds:
                self.targets[ident] = kinds[type(node)]
            elif isinstance(node, Reference):
                self.targets[ident] = "bibr"
                self.reference_ids.add(ident)

    # ---- the article

    def build(self) -> etree._Element:
        a = self.article
        rights = a.rights
        nsmap = {"xlink": XLINK}
        if rights is not None and rights.license_url:
            nsmap["ali"] = ALI
        root = etree.Element("article", nsmap=nsmap)
        root.set("dtd-version", "1.3")
        interview = a.article_type == "interview" or any(isinstance(b, Speech)
                                                         for b in a.body)
        if a.article_type is not None:
            root.set("article-type", a.article_type if a.article_type in PMC_ARTICLE_TYPES
                     else "other")
        if a.language and re.fullmatch(r"[A-Za-z0-9-]+", a.language):
            root.set(XML_LANG, a.language)
        elif a.language:
            self.diagnose("jats-language", f"language {a.language!r} is not a language tag; "
                          "left out of xml:lang")
        processing = self.sub(root, "processing-meta", **{
            "tagset-family": "jats", "base-tagset": "archiving", "table-model": "xhtml",
            "math-representation": "tex"})
        self.custom_meta(self.sub(processing, "custom-meta-group"), "generator", GENERATOR)
        front = self.sub(root, "front")
        journal = journal_fields(a.extra.get(EXTRA_JOURNAL))
        self.journal_meta(front, journal)
        self.article_meta(self.sub(front, "article-meta"), journal, interview)
        if a.notes:
            self.flow(self.sub(front, "notes"), a.notes)
        if rights is not None and rights.disclaimer is not None:
            notes = self.sub(front, "notes", **{"notes-type": DISCLAIMER})
            self.sub(notes, "p", rights.disclaimer)
        body = self.sub(root, "body")
        self.flow(body, a.body)
        back = etree.Element("back")
        if a.acknowledgements:
            self.flow(self.sub(back, "ack"), a.acknowledgements)
        self.references(back)
        if self.footnotes:
            group = self.sub(back, "fn-group")
            group.extend(self.footnotes)
        if len(back):
            root.append(back)
        return root

    def journal_meta(self, front: etree._Element, journal: dict[str, Any] | None) -> None:
        """``journal-meta`` only with real values (the JATS reader's ``extra["journal"]``)."""
        if not journal or not any(k in journal for k in ("ids", "title", "abbrev_title", "issn",
                                                         "publisher")):
            return
        meta = self.sub(front, "journal-meta")
        for kind, value in journal.get("ids", {}).items():
            self.sub(meta, "journal-id", value, **{"journal-id-type": kind})
        if journal.get("title") or journal.get("abbrev_title"):
            group = self.sub(meta, "journal-title-group")
            if journal.get("title"):
                self.sub(group, "journal-title", journal["title"])
            if journal.get("abbrev_title"):
                self.sub(group, "abbrev-journal-title", journal["abbrev_title"])
        for kind, value in journal.get("issn", {}).items():
            attr = "pub-type" if kind in ("epub", "ppub", "epub-ppub") else "publication-format"
            self.sub(meta, "issn", value, **{attr: kind})
        if journal.get("publisher"):
            publisher = self.sub(meta, "publisher")
            self.sub(publisher, "publisher-name", journal["publisher"])
            if journal.get("publisher_location"):
                self.sub(publisher, "publisher-loc", journal["publisher_location"])

    def article_meta(self, meta: etree._Element, journal: dict[str, Any] | None,
                     interview: bool) -> None:
        a = self.article
        if a.id is not None:
            self.sub(meta, "article-id", a.id, **{"pub-id-type": "other",
                                                  "specific-use": CANONICAL_ID})
        for identifier in a.identifiers:
            self.sub(meta, "article-id", identifier.value, **{"pub-id-type": identifier.scheme})
        if interview:
            group = self.sub(self.sub(meta, "article-categories"), "subj-group",
                             **{"subj-group-type": "heading", "specific-use": GENERATED})
            self.sub(group, "subject", "Interview")
        titles = self.sub(meta, "title-group")
        self.sub(titles, "article-title", a.title)
        if a.subtitle is not None:
            self.sub(titles, "subtitle", a.subtitle)
        self.contributors(meta)
        if "published" in a.dates:
            self.date(meta, "pub-date", a.dates["published"], "pub")
        for key in ("volume", "issue", "fpage", "lpage", "elocation_id"):
            if journal and key in journal:
                self.sub(meta, key.replace("_", "-"), journal[key])
        others = [(k, v) for k, v in a.dates.items() if k != "published"]
        if others:
            history = self.sub(meta, "history")
            for key, value in others:
                self.date(history, "date", value, key)
        self.pub_history(meta)
        self.permissions(meta)
        if a.abstract:
            self.flow(self.sub(meta, "abstract"), a.abstract)
        for key, values in a.subjects.items():
            group = self.sub(meta, "kwd-group", **{"kwd-group-type": key})
            for value in values:
                self.sub(group, "kwd", value)
        self.custom_meta_group(meta, journal)

    def contributors(self, meta: etree._Element) -> None:
        group: etree._Element | None = None
        kind = None
        for person in self.article.contributors:
            if group is None or person.kind != kind:
                group, kind = self.sub(meta, "contrib-group"), person.kind
            self.contributor(group, person)

    def contributor(self, group: etree._Element, person: Contributor) -> None:
        contrib = self.sub(group, "contrib", **{"contrib-type": person.kind})
        if person.orcid is not None:
            self.sub(contrib, "contrib-id", person.orcid, **{"contrib-id-type": "orcid"})
        if person.surname is not None or person.given_names is not None:
            parts = [p for p in (person.given_names, person.surname) if p]
            alternatives = " ".join(parts) != person.name
            holder = self.sub(contrib, "name-alternatives") if alternatives else contrib
            name = self.sub(holder, "name")
            if person.surname is not None:
                self.sub(name, "surname", person.surname)
            if person.given_names is not None:
                self.sub(name, "given-names", person.given_names)
            if alternatives:
                self.sub(holder, "string-name", person.name)
        else:
            self.sub(contrib, "string-name", person.name)
        if person.role is not None:
            self.sub(contrib, "role", person.role)
        for affiliation in person.affiliations:
            self.sub(contrib, "aff", affiliation)
        if person.email is not None:
            self.sub(contrib, "email", person.email)
        if person.bio:
            self.flow(self.sub(contrib, "bio"), person.bio)

    def date(self, parent: etree._Element, tag: str, value: str, date_type: str) -> None:
        el = self.sub(parent, tag, **{"date-type": date_type, "iso-8601-date": value})
        year, month, day = value[:4], value[5:7], value[8:10]
        if day:
            self.sub(el, "day", day)
        if month:
            self.sub(el, "month", month)
        self.sub(el, "year", year)

    def pub_history(self, meta: etree._Element) -> None:
        source = self.article.source_publication
        if source is None:
            return
        event = self.sub(self.sub(meta, "pub-history"), "event", **{
            "specific-use": SOURCE_PUBLICATION, "event-type": source.relation})
        self.sub(event, "event-desc", source.name)
        if source.date is not None:
            self.date(event, "date", source.date, "pub")
        if source.url is not None:
            self.sub(event, "self-uri", source.url, **{"xlink:href": source.url})

    def permissions(self, meta: etree._Element) -> None:
        rights = self.article.rights
        license_text = self.article.extra.get(EXTRA_LICENSE_TEXT)
        if not isinstance(license_text, str):
            license_text = None
        if rights is None and license_text is None:
            return
        parts = (rights.statement, rights.year, rights.holder, rights.license_url,
                 rights.disclaimer) if rights is not None else ()
        if license_text is None and not any(p is not None for p in parts[:4]) and (
                parts and parts[4] is not None):
            return  # only a disclaimer, which goes to front/notes
        el = self.sub(meta, "permissions")
        if rights is not None:
            if rights.statement is not None:
                self.sub(el, "copyright-statement", rights.statement)
            if rights.year is not None:
                self.sub(el, "copyright-year", rights.year)
            if rights.holder is not None:
                self.sub(el, "copyright-holder", rights.holder)
        url = rights.license_url if rights is not None else None
        if url is not None or license_text is not None:
            lic = self.sub(el, "license", **{"xlink:href": url})
            if url is not None:
                self.sub(lic, f"{{{ALI}}}license_ref", url)
            if license_text is not None:
                self.sub(lic, "license-p", license_text)

    def custom_meta(self, group: etree._Element, name: str, value: str,
                    use: str | None = None) -> None:
        meta = self.sub(group, "custom-meta", **{"specific-use": use})
        self.sub(meta, "meta-name", name)
        self.sub(meta, "meta-value", value)

    def custom_meta_group(self, meta: etree._Element, journal: dict[str, Any] | None) -> None:
        """Everything JATS has no element for, so the JATS reader gets it all back."""
        a = self.article
        group = etree.Element("custom-meta-group")
        if a.article_type is not None and a.article_type not in PMC_ARTICLE_TYPES:
            self.custom_meta(group, "article-type", a.article_type, META_ARTICLE_TYPE)
        for credit in a.image_credits:
            self.custom_meta(group, "image credit", credit, META_IMAGE_CREDIT)
        for media in a.media:
            self.custom_meta(group, "media", record(media), META_MEDIA)
        for key, value in a.extra.items():
            if (key == EXTRA_JOURNAL and journal is not None) or (
                    key == EXTRA_LICENSE_TEXT and isinstance(value, str)):
                continue
            self.custom_meta(group, key, meta_json(value), META_EXTRA)
        for item in a.discarded:
            self.custom_meta(group, "discarded", record(item), META_DISCARDED)
        if len(group):
            meta.append(group)

    def references(self, back: etree._Element) -> None:
        refs = self.article.references
        if not refs and not self.cited_keys:
            return
        ref_list = self.sub(back, "ref-list")
        for ref in refs:
            el = self.sub(ref_list, "ref")
            self.take_id(el, ref.id)
            if ref.label is not None:
                self.sub(el, "label", ref.label)
            self.inlines(self.sub(el, "mixed-citation"), ref.content)
        for key, ident in self.cited_keys.items():
            el = self.sub(ref_list, "ref", id=ident, **{"content-type": CITED_KEY})
            self.sub(el, "mixed-citation", key)

    # ---- blocks

    def flow(self, container: etree._Element, blocks: Iterable[Block]) -> None:
        """Write blocks into a container; in a sectioned one, headings open nested ``sec``."""
        if container.tag not in SECTIONED:
            allowed = ALLOWED[container.tag]
            for block in blocks:
                self.block(container, block, allowed)
            return
        stack: list[tuple[int, etree._Element]] = []
        for block in blocks:
            if isinstance(block, Heading):
                while stack and stack[-1][0] >= block.level:
                    stack.pop()
                sec = self.sub(stack[-1][1] if stack else container, "sec")
                self.take_id(sec, block.id)
                if block.level != len(stack) + 1:
                    sec.set("disp-level", str(block.level))
                self.inlines(self.sub(sec, "title"), block.content)
                stack.append((block.level, sec))
            else:
                self.block(stack[-1][1] if stack else container, block, FLOW)

    def placeholder(self, parent: etree._Element, tag: str = "p") -> None:
        self.sub(parent, tag, **{"specific-use": PLACEHOLDER})

    def block(self, parent: etree._Element, block: Block, allowed: frozenset[str]) -> None:
        el = self.make_block(block)
        if el.tag in allowed:
            parent.append(el)
        else:
            self.sub(parent, "p").append(el)

    def make_block(self, block: Block) -> etree._Element:
        match block:
            case Paragraph():
                el = etree.Element("p")
                self.inlines(el, block.content)
            case Heading():  # where no sec may stand
                el = etree.Element("p", {"content-type": f"{HEADING_PREFIX}{block.level}"})
                self.take_id(el, block.id)
                self.inlines(el, block.content)
            case BulletList() | OrderedList():
                el = self.make_list(block)
            case DefinitionList():
                el = etree.Element("def-list")
                for item in block.items:
                    entry = self.sub(el, "def-item")
                    self.inlines(self.sub(entry, "term"), item.term)
                    for definition in item.definitions:
                        self.container(self.sub(entry, "def"), definition)
            case BlockQuote():
                el = etree.Element("disp-quote")
                self.flow(el, block.blocks)
            case CodeBlock():
                el = etree.Element("code" if block.language else "preformat")
                if block.language:
                    el.set("language", self.clean(block.language))
                el.text = self.clean(block.text)
            case HorizontalRule():
                el = etree.Element("hr")
            case LineBlock():
                el = etree.Element("verse-group")
                for line in block.lines:
                    self.inlines(self.sub(el, "verse-line"), line)
                if not block.lines:
                    self.placeholder(el, "verse-line")
            case Table():
                el = self.make_table(block)
            case Figure():
                el = self.make_figure(block)
            case Speech():
                el = etree.Element("speech")
                self.sub(el, "speaker", block.speaker, **{"content-type": block.speaker_role})
                self.container(el, block.blocks)
            case _:
                raise WriterError(f"the JATS writer does not know block type {block.type!r}")
        return el

    def container(self, el: etree._Element, blocks: list[Block]) -> None:
        """Blocks of an element that needs at least one ``p`` (def, speech, fn, list-item)."""
        self.flow(el, blocks)
        if not blocks:
            self.placeholder(el)

    def make_list(self, block: BulletList | OrderedList) -> etree._Element:
        el = etree.Element("list")
        if isinstance(block, OrderedList):
            el.set("list-type", LIST_TYPES[block.style])
            labelled = block.start != 1
        else:
            el.set("list-type", "bullet")
            labelled = False
        for number, item in enumerate(block.items):
            entry = self.sub(el, "list-item")
            if labelled and isinstance(block, OrderedList):
                self.sub(entry, "label", list_label(block.start + number, block.style))
            self.container(entry, item)
        if not block.items:
            self.placeholder(self.sub(el, "list-item", **{"specific-use": PLACEHOLDER}))
        return el

    def make_table(self, table: Table) -> etree._Element:
        wrap = etree.Element("table-wrap")
        self.take_id(wrap, table.id)
        if table.caption:
            self.flow(self.sub(wrap, "caption"), table.caption)
        el = self.sub(wrap, "table")
        for column in table.columns:
            self.sub(el, "col", align=_align(column.align),
                     width=None if column.width is None else f"{column.width!r}*")
        for tag, rows in (("thead", table.head), ("tfoot", table.foot), ("tbody", table.body)):
            if rows:
                self.rows(self.sub(el, tag), rows, "th" if tag == "thead" else "td")
        if not table.body:
            section = self.sub(el, "tbody", **{"content-type": PLACEHOLDER})
            self.sub(self.sub(section, "tr"), "td")
        return wrap

    def rows(self, section: etree._Element, rows: list[TableRow], tag: str) -> None:
        for row in rows:
            tr = self.sub(section, "tr")
            for cell in row.cells:
                self.cell(tr, cell, tag)
            if not row.cells:
                self.sub(tr, "td", **{"content-type": PLACEHOLDER})

    def cell(self, tr: etree._Element, cell: TableCell, tag: str) -> None:
        el = self.sub(tr, tag, align=_align(cell.align),
                      colspan=str(cell.colspan) if cell.colspan != 1 else None,
                      rowspan=str(cell.rowspan) if cell.rowspan != 1 else None)
        blocks = cell.blocks
        if len(blocks) == 1 and isinstance(blocks[0], Paragraph) and blocks[0].content:
            self.inlines(el, blocks[0].content)  # the common case: text right in the cell
        else:
            self.flow(el, blocks)

    def make_figure(self, figure: Figure) -> etree._Element:
        el = etree.Element("fig")
        self.take_id(el, figure.id)
        if figure.caption:
            self.flow(self.sub(el, "caption"), figure.caption)
        for block in figure.content:
            if (isinstance(block, Paragraph) and len(block.content) == 1
                    and isinstance(block.content[0], Image)):
                self.graphic(el, block.content[0], "graphic")
            else:
                self.block(el, block, ALLOWED["fig"])
        return el

    def graphic(self, parent: etree._Element, image: Image, tag: str) -> None:
        el = self.sub(parent, tag, **{"xlink:href": image.url, "xlink:title": image.title})
        if image.content:
            if any(not isinstance(n, Text) for n in image.content):
                self.diagnose("jats-alt-text-flattened", "image alt text is plain text in JATS "
                              "(alt-text); its formatting was dropped")
            self.sub(el, "alt-text", inline_text(image.content))

    # ---- inlines

    def inlines(self, parent: etree._Element, nodes: Iterable[Inline]) -> None:
        for node in nodes:
            self.inline(parent, node)

    def inline(self, parent: etree._Element, node: Inline) -> None:
        match node:
            case Text():
                self.add_text(parent, node.text)
            case Emphasis() | Strong() | Superscript() | Subscript() | SmallCaps() | \
                    Strikeout() | Underline():
                self.inlines(self.sub(parent, INLINE_TAGS[type(node)]), node.content)
            case Code():
                self.sub(parent, "monospace", node.text)
            case Link():
                self.link(parent, node)
            case LineBreak():
                if parent.tag in BREAK_PARENTS:
                    self.sub(parent, "break")
                else:
                    self.sub(parent, "named-content", **{"content-type": LINE_BREAK})
            case Quoted():
                el = self.sub(parent, "named-content", **{"content-type": QUOTED[node.quote]})
                opening, closing = QUOTE_MARKS[node.quote]
                self.add_text(el, opening)
                self.inlines(el, node.content)
                self.add_text(el, closing)
            case Note():
                self.note(parent, node)
            case Image():
                self.graphic(parent, node, "inline-graphic")
            case Math():
                if node.display and parent.tag in DISPLAY_PARENTS:
                    formula = self.sub(parent, "disp-formula")
                else:
                    formula = self.sub(parent, "inline-formula", **{
                        "content-type": DISPLAY if node.display else None})
                self.sub(formula, "tex-math", node.text)
            case Citation():
                ids = [key if key in self.reference_ids else self.cited_key(key)
                       for key in node.keys]
                el = self.sub(parent, "xref", **{"ref-type": "bibr", "rid": " ".join(ids)})
                self.inlines(el, node.content)
            case _:
                raise WriterError(f"the JATS writer does not know inline type {node.type!r}")

    def link(self, parent: etree._Element, link: Link) -> None:
        target = link.url[1:] if link.url.startswith("#") else None
        kind = self.targets.get(target) if target else None
        if kind is not None and kind != "bibr" and link.title is None:
            el = self.sub(parent, "xref", **{"ref-type": kind, "rid": target})
        else:
            el = self.sub(parent, "ext-link", **{"ext-link-type": "uri", "xlink:href": link.url,
                                                 "xlink:title": link.title})
        self.inlines(el, link.content)

    def note(self, parent: etree._Element, note: Note) -> None:
        ident = self.new_id("fn")
        label = str(len(self.footnotes) + 1)
        self.sub(parent, "xref", label, **{"ref-type": "fn", "rid": ident})
        fn = etree.Element("fn", id=ident)
        self.footnotes.append(fn)  # numbered in reading order, notes inside notes after it
        self.sub(fn, "label", label)
        self.container(fn, note.blocks)

    def cited_key(self, key: str) -> str:
        """The id of the reference-list entry standing for a key that names no reference."""
        if key not in self.cited_keys:
            base = key if is_ncname(key) and key not in self.targets and key not in self.used \
                else "cite-" + (re.sub(r"[^A-Za-z0-9.-]", "", key)[:20] or "key")
            ident = base
            n = 1
            while ident in self.used or ident in self.targets:
                n += 1
                ident = f"{base}-{n}"
            self.used.add(ident)
            self.cited_keys[key] = ident
        return self.cited_keys[key]


def _align(value: str | None) -> str | None:
    """An alignment the DTD's enumeration has (the model's Literal, unless a caller broke it)."""
    return value if value in ("left", "center", "right") else None


def _attr_name(key: str) -> str:
    if key.startswith("xlink:"):
        return f"{{{XLINK}}}{key[6:]}"
    return key

