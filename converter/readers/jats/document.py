"""One parsed JATS document and what reading it collects (JATS 1.0-1.4 tag libraries).

:class:`Document` holds the tree, the article being filled, the ids that cross-reference
(footnotes, affiliations, correspondence, cited keys) and the losses: every element the model
cannot hold as is, counted by kind for one diagnostic each at the end. It also gives the text of
elements, with entities resolved (declared in the document, HTML 5, or the DTD's ISO sets).
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Iterable
from typing import Any

from lxml import etree

from ...errors import InputError
from ...formats.jats.vocabulary import CITED_KEY, GENERATOR
from ...model import Article
from ...options import ReadOptions

#: extra keys this reader fills
EXTRA_UNMAPPED = "jats_unmapped"
EXTRA_CUSTOM_META = "custom_meta"
_SPACES = re.compile(r"\s+")
_KEY = re.compile(r"^[a-z][a-z0-9_-]*$")


def collapse(text: str, *, strip: bool = True) -> str:
    """Whitespace runs as one space; ``strip=False`` keeps a space at either edge (the text
    of ``monospace`` ends where its element ends, so ``(the </monospace><ext-link>`` keeps the
    space before the link's word)."""
    text = _SPACES.sub(" ", text)
    return text.strip() if strip else text


def model_key(raw: str | None, default: str) -> str:
    """A name usable as a ``subjects``/``dates`` key (``Discipline v2`` -> ``discipline-v2``)."""
    key = re.sub(r"[^a-z0-9_-]+", "-", (raw or "").strip().lower()).strip("-")
    if key and not key[0].isalpha():
        key = f"x-{key}"
    return key if _KEY.match(key) else default


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def raw_text(el: etree._Element | None) -> str:
    """The exact text of an element (our own markers: no entities, no normalization)."""
    return "".join(el.itertext()) if el is not None else ""  # type: ignore[arg-type]


class Document:
    """One parsed document; collects cross-references and losses while it is read."""

    def __init__(self, tree: etree._ElementTree, options: ReadOptions) -> None:
        root = tree.getroot()
        if root.tag != "article":  # JATS has no namespace: {docbook}article is not one
            raise InputError(f"not a JATS article: the root element is <{root.tag}>")
        self.tree = tree
        self.root = root
        self.options = options
        self.article = Article(title="Untitled")
        self.ours = any(
            collapse(raw_text(m.find("meta-value"))) == GENERATOR
            for m in root.iterfind("processing-meta/custom-meta-group/custom-meta"))
        self.fns = {fn.get("id"): fn for fn in root.iter("fn") if fn.get("id")}
        self.used_fns: set[str] = set()
        self.open_fns: set[str] = set()
        self.cited_keys = {ref.get("id"): raw_text(ref.find("mixed-citation"))
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

    def place(self, el: etree._Element) -> str:
        if not isinstance(el.tag, str):  # lxml cannot give an entity node's path
            parent = el.getparent()
            return self.tree.getpath(parent) if parent is not None else ""
        return self.tree.getpath(el)

    def lose(self, el: etree._Element, what: str) -> None:
        """Count an element the model cannot hold as is; one diagnostic per kind at the end."""
        tag = el.tag if isinstance(el.tag, str) else "entity"
        entry = self.losses.setdefault(f"<{local_name(tag)}> {what}", [0, self.place(el)])
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
            from ...formats.jats.validate import character_entity

            value = character_entity(name)
        if value is None:
            self.lose(node, f"&{name}; (an external or unknown entity) kept as its name")
            return f"&{name};"
        return value

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
