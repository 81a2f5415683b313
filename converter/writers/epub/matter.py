"""Front and back matter of an XHTML content document: what surrounds the article's body.

The header holds the title, subtitle, bylines, dateline, source and abstract; after the body
come acknowledgements, references, the contributors' details, a colophon ("About this article":
notes, dates, identifiers, subjects, image credits, rights) and the endnotes. Each section carries
its EPUB 3 Structural Semantics type and DPUB-ARIA 1.1 role (``doc-abstract``,
``doc-bibliography``, ``doc-endnotes``, ...) and a generated heading that enters the contents.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lxml import etree

from ...model import Block, Contributor, Inline
from .blocks import BlockRenderer
from .context import Context
from .inlines import InlineRenderer
from .urls import SCHEME, safe_href
from .xhtml import EPUB_TYPE, LABELS, H, append_text, sub

#: byline wording per contributor kind (other kinds: "<kind>: names")
_KIND_PHRASES = {
    "author": "By", "editor": "Edited by", "translator": "Translated by",
    "interviewer": "Interview by", "interviewee": "Interviewee:", "illustrator": "Illustrations by",
    "photographer": "Photographs by", "reviewer": "Reviewed by",
}


class FrontMatter:
    """The header of one content document (the title is its ``h1``)."""

    def __init__(self, ctx: Context, blocks: BlockRenderer) -> None:
        self.ctx = ctx
        self.t = ctx.t
        self.blocks: Callable[[etree._Element, Sequence[Block]], None] = blocks.blocks

    def render_header(self, root: etree._Element) -> None:
        article = self.ctx.article
        header = sub(root, "header")
        sub(header, "h1", {"id": self.ctx.new_id("title")}, self.ctx.title)
        if article.subtitle:
            sub(header, "p", {"class": "subtitle", "role": "doc-subtitle",
                              EPUB_TYPE: "subtitle"}, self.t(article.subtitle))
        self.render_byline(header)
        published = article.dates.get("published")
        if published:
            line = sub(header, "p", {"class": "dateline"})
            self.ctx.label(line, "published")
            append_text(line, " ")
            self.ctx.time(line, published)
        if article.source_publication and article.source_publication.name.strip():
            line = sub(header, "p", {"class": "source"})
            self.source_line(line)
        if article.abstract:
            section = self.ctx.section(header, "summary", "abstract", "abstract", "doc-abstract")
            self.blocks(section, article.abstract)

    def render_byline(self, header: etree._Element) -> None:
        kinds: dict[str, list[Contributor]] = {}
        for person in self.ctx.article.contributors:
            if person.name.strip():
                kinds.setdefault(person.kind.strip().lower() or "author", []).append(person)
        for kind, people in kinds.items():
            line = sub(header, "p", {"class": "byline" if kind == "author" else
                                     "byline contributor-kind"})
            phrase = _KIND_PHRASES.get(kind)
            if phrase is None:
                append_text(line, self.t(kind.capitalize()) + ": ")
            elif self.ctx.label_language:
                self.ctx.labelled(sub(line, "span", text=phrase))
                append_text(line, " ")
            else:
                append_text(line, phrase + " ")
            for i, person in enumerate(people):
                if i:
                    if i == len(people) - 1:
                        append_text(line, " ")
                        self.ctx.label(line, "and")
                        append_text(line, " ")
                    else:
                        append_text(line, ", ")
                sub(line, "span", {"class": "contributor"}, self.t(person.name.strip()))

    def source_line(self, line: etree._Element) -> None:
        source = self.ctx.article.source_publication
        assert source is not None
        relation = self.t(source.relation.strip()) if source.relation else ""
        if relation:
            append_text(line, relation[0].upper() + relation[1:] + " ")
        else:
            self.ctx.label(line, "source")
            append_text(line, ": ")
        href = safe_href(source.url) if source.url else None
        name = self.t(source.name.strip())
        if href:
            sub(line, "a", {"href": href}, name)
        else:
            sub(line, "cite", text=name)
            if source.url:
                append_text(line, f" ({self.t(source.url)})")
        if source.date:
            append_text(line, ", ")
            self.ctx.time(line, source.date)


class BackMatter:
    """Everything after the body of one content document, endnotes last."""

    def __init__(self, ctx: Context, blocks: BlockRenderer, inlines: InlineRenderer) -> None:
        self.ctx = ctx
        self.t = ctx.t
        self.blocks: Callable[[etree._Element, Sequence[Block]], None] = blocks.blocks
        self.nested: Callable[[etree._Element, Sequence[Block]], None] = blocks.nested
        self.inlines: Callable[[etree._Element, Sequence[Inline]], None] = inlines.inlines

    def render_back_matter(self, root: etree._Element) -> None:
        article = self.ctx.article
        if article.acknowledgements:
            section = self.ctx.section(root, "acknowledgements", "acknowledgements",
                                       "acknowledgments", "doc-acknowledgments")
            self.blocks(section, article.acknowledgements)
        if article.references:
            self.render_references(root)
        described = [p for p in article.contributors if p.name.strip() and (
            p.bio or p.role or p.affiliations or p.email or p.orcid)]
        if described:
            if all(p.kind.strip().lower() in ("author", "") for p in described):
                key = "author" if len(described) == 1 else "authors"
            else:
                key = "contributors"
            section = self.ctx.section(root, key, "contributors")
            for person in described:
                self.render_contributor(section, person)
        self.render_colophon(root)

    def render_references(self, root: etree._Element) -> None:
        refs = self.ctx.article.references
        section = self.ctx.section(root, "references", "references", "bibliography",
                                   "doc-bibliography")
        labelled = any(ref.label for ref in refs)
        listing = sub(section, "ul" if labelled else "ol")
        for ref, ref_id in zip(refs, self.ctx.reference_ids, strict=True):
            item = sub(listing, "li", {"id": ref_id})
            if ref.label:
                sub(item, "span", {"class": "reference-label"}, self.t(ref.label))
                append_text(item, " ")
            self.inlines(item, ref.content)

    def render_contributor(self, section: etree._Element, person: Contributor) -> None:
        box = sub(section, "div", {"class": "contributor"})
        line = sub(box, "p", {"class": "contributor-name"})
        sub(line, "strong", text=self.t(person.name.strip()))
        details = [d for d in (person.role, *person.affiliations) if d and d.strip()]
        if details:
            append_text(line, ", " + "; ".join(self.t(d.strip()) for d in details))
        if person.email:
            href = safe_href("mailto:" + person.email.strip())
            append_text(line, " ")
            if href:
                sub(line, "a", {"href": href}, self.t(person.email.strip()))
            else:
                append_text(line, self.t(person.email))
        if person.orcid:
            orcid = person.orcid.strip()
            href = safe_href(orcid if "://" in orcid else f"https://orcid.org/{orcid}")
            append_text(line, " ")
            self.ctx.label(line, "orcid")
            append_text(line, " ")
            if href:
                sub(line, "a", {"href": href}, self.t(orcid))
            else:
                append_text(line, self.t(orcid))
        self.blocks(box, person.bio)

    def render_colophon(self, root: etree._Element) -> None:
        """About this article: notes, details, image credits, rights and disclaimer."""
        article = self.ctx.article
        details: list[tuple[str, str, bool]] = []  # (term, value, is-date)
        if article.article_type:
            details.append((LABELS["type"], article.article_type, False))
        for name, value in article.dates.items():
            details.append((name.replace("_", " ").capitalize(), value, True))
        for ident in article.identifiers:
            value = ident.value.strip()
            if ident.scheme.strip().lower() == "doi" and not SCHEME.match(value):
                value = f"https://doi.org/{value}"
            details.append((ident.scheme.upper() if len(ident.scheme) <= 4
                            else ident.scheme.capitalize(), value, False))
        for name, terms in article.subjects.items():
            if words := [term.strip() for term in terms if term.strip()]:
                details.append((name.replace("_", " ").capitalize(), ", ".join(words), False))
        rights = article.rights
        has_rights = rights is not None and any(
            (rights.statement, rights.holder, rights.year, rights.license_url, rights.disclaimer))
        if not (article.notes or details or article.image_credits or has_rights):
            return
        section = self.ctx.section(root, "about", "colophon", "colophon", "doc-colophon")
        self.blocks(section, article.notes)
        if details:
            listing = sub(section, "dl", {"class": "details"})
            for term, value, is_date in details:
                dt = sub(listing, "dt", text=self.t(term))
                if term in LABELS.values():
                    self.ctx.labelled(dt)
                dd = sub(listing, "dd")
                href = safe_href(value) if not is_date and "://" in value else None
                if is_date:
                    self.ctx.time(dd, value)
                elif href:
                    sub(dd, "a", {"href": href}, self.t(value))
                else:
                    append_text(dd, self.t(value))
        if article.image_credits:
            credits = self.ctx.section(section, "credits", "credits", "credits", "doc-credits",
                                       level=3)
            listing = sub(credits, "ul")
            for credit in article.image_credits:
                sub(listing, "li", text=self.t(credit))
        if rights is not None and has_rights:
            self.render_rights(section)

    def render_rights(self, parent: etree._Element) -> None:
        rights = self.ctx.article.rights
        assert rights is not None
        section = self.ctx.section(parent, "rights", "rights", "copyright-page", level=3)
        if rights.year or rights.holder:
            line = sub(section, "p")
            self.ctx.label(line, "copyright")
            words = [self.t(w.strip()) for w in (rights.year, rights.holder) if w and w.strip()]
            append_text(line, " " + " ".join(words))
        if rights.statement:
            sub(section, "p", text=self.t(rights.statement))
        if rights.license_url:
            line = sub(section, "p", {"class": "license"})
            self.ctx.label(line, "license")
            append_text(line, " ")
            href = safe_href(rights.license_url)
            if href:
                sub(line, "a", {"href": href, "rel": "license"}, self.t(rights.license_url))
            else:
                append_text(line, self.t(rights.license_url))
        if rights.disclaimer:
            line = sub(section, "p", {"class": "disclaimer"})
            self.ctx.label(line, "disclaimer")
            append_text(line, " " + self.t(rights.disclaimer))

    def render_notes(self, root: etree._Element) -> None:
        """The notes, numbered in reading order, each with a link back to its reference."""
        if not self.ctx.notes:
            return
        section = self.ctx.section(root, "notes", "endnotes", "endnotes", "doc-endnotes")
        listing = sub(section, "ol")
        done = 0
        while done < len(self.ctx.notes):  # rendering a note may add notes inside it
            note, ref_id, note_id = self.ctx.notes[done]
            done += 1
            item = sub(listing, "li", {"id": note_id})
            self.nested(item, note.blocks)
            last = item[-1] if len(item) else None
            if last is not None and last.tag == H + "p":
                append_text(last, " ")
                holder = last
            else:
                holder = sub(item, "p", {"class": "backlink"})
            back = sub(holder, "a", {"href": f"#{ref_id}", "role": "doc-backlink",
                                     "class": "backlink",
                                     "aria-label": LABELS["backlink"].format(n=str(done))},
                       "\u21a9")
            self.ctx.labelled(back)
