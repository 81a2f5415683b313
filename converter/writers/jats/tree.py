"""The JATS tree of one article in the making (JATS 1.3 Archiving): elements, ids, diagnostics.

Every part of the writer (front matter, body, tables, inlines) adds its elements through one
:class:`Tree`, which cleans text for XML, hands out valid unique ids, collects the footnotes for
the back matter, and reports once per article what could not be rendered as is.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from ...formats.jats.vocabulary import XLINK
from ...formats.xml import clean_xml
from ...model import Article, Diagnostic, Figure, Heading, Reference, Table, add_once

_NAME_START = ("A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
               "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
               "\U00010000-\U000effff")
#: an XML NCName: what an ID attribute may hold in a namespace-aware document
NCNAME = re.compile(f"[{_NAME_START}][{_NAME_START}.0-9\u00b7\u0300-\u036f\u203f-\u2040-]*")


def is_ncname(value: str) -> bool:
    return NCNAME.fullmatch(value) is not None


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


class Tree:
    """One article's output: the ids taken, the footnotes and citation keys collected on the way."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.used: set[str] = set()  # ids written so far
        self.targets: dict[str, str] = {}  # model id -> xref ref-type of its element
        self.reference_ids: set[str] = set()
        self.footnotes: list[etree._Element] = []
        self.cited_keys: dict[str, str] = {}  # citation key without reference -> ref id
        #: what the writer could not render as is (the pipeline records it)
        self.noticed: list[Diagnostic] = []
        self._collect_ids()

    def diagnose(self, code: str, message: str, place: str | None = None) -> None:
        """Tell once what the writer could not render as is."""
        add_once(self.noticed, Diagnostic("warning", code, message, place=place))

    def clean(self, text: str) -> str:
        """Text XML can carry: characters XML 1.0 forbids become U+FFFD, with a diagnostic."""
        cleaned, count = clean_xml(text)
        if count:
            self.diagnose("jats-invalid-character", "characters XML cannot carry (control "
                          "characters, lone surrogates) were replaced by U+FFFD")
        return cleaned

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


def _attr_name(key: str) -> str:
    if key.startswith("xlink:"):
        return f"{{{XLINK}}}{key[6:]}"
    return key
