"""Reference lists in JATS: each ``ref`` one model reference, its citations read as text.

``mixed-citation`` keeps its own punctuation; ``element-citation`` (and NLM's ``nlm-citation``)
has its parts joined the way a reference list separates them. Entries the writer added for citation
keys that name no reference (``content-type="cited-key"``) are skipped.
"""

from __future__ import annotations

from lxml import etree

from ...formats.jats.vocabulary import CITED_KEY
from ...model import Emphasis, Inline, Reference, Text, normalize_inlines
from .document import Document
from .inline import InlineReader


class ReferenceReader:
    """Reads ``ref-list`` into the article's references."""

    def __init__(self, doc: Document, inline: InlineReader) -> None:
        self.doc = doc
        self.inline = inline

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
                    part = self.inline.inlines(child)
                if content and part:
                    content.append(Text(" "))
                content += part
            self.doc.article.references.append(Reference(
                normalize_inlines(content), ref.get("id"),
                self.doc.text(label) if label is not None else None))

    def structured_citation(self, citation: etree._Element) -> list[Inline]:
        """An element-citation as text: its parts in order, separated as a reference list is."""
        out: list[Inline] = []
        for child in citation:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == "person-group" or tag in ("name", "string-name", "collab", "etal"):
                part: list[Inline] = [Text(self.inline.people(child))]
            elif tag == "source":
                part = [Emphasis(self.inline.inlines(child))]
            elif tag == "pub-id":
                kind = child.get("pub-id-type")
                part = [Text(f"{kind}:{self.doc.text(child)}" if kind else self.doc.text(child))]
            elif tag == "lpage" and out:
                out.append(Text("–"))
                out += self.inline.inlines(child)
                continue
            else:
                part = self.inline.inlines(child)
            if out and part:
                out.append(Text(". "))
            out += part
        return out
