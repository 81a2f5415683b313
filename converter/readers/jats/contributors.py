"""Contributors in JATS front matter: names, roles, affiliations, email, ORCID, bio.

Affiliations and correspondence are found inside ``contrib`` or through its ``xref``; a name is
``name`` (parts in the order its ``name-style`` says), ``string-name``, a ``collab`` or anonymous.
"""

from __future__ import annotations

from lxml import etree

from ...model import Contributor
from .body import BlockReader
from .document import Document


class ContributorReader:
    """Reads one ``contrib`` into a model contributor."""

    def __init__(self, doc: Document, blocks: BlockReader) -> None:
        self.doc = doc
        self.blocks = blocks

    def contributor(self, contrib: etree._Element) -> Contributor | None:
        holder = contrib.find("name-alternatives")
        if holder is None:
            holder = contrib
        name = holder.find("name")
        string_name = holder.find("string-name")
        given = surname = display = None
        if name is not None:
            surname = self.doc.optional(name.find("surname"))
            given = self.doc.optional(name.find("given-names"))
            display = self.compose(name)
        if string_name is not None:
            display = self.doc.text(string_name)
            if name is None:
                surname = self.doc.optional(string_name.find("surname"))
                given = self.doc.optional(string_name.find("given-names"))
        if not display:
            collab = contrib.find("collab")
            if collab is None:
                collab = contrib.find("collab-alternatives/collab")
            if collab is not None:
                display = self.doc.text(collab, ("fn", "label", "contrib-group", "xref"))
            elif contrib.find("anonymous") is not None:
                display = "Anonymous"
        if not display:
            self.doc.keep_unmapped(contrib)
            return None
        person = Contributor(display, kind=contrib.get("contrib-type") or "author",
                             given_names=given, surname=surname)
        roles = [self.doc.text(r) for r in contrib.findall("role")]
        person.role = "; ".join(r for r in roles if r) or None
        affs = contrib.findall("aff")
        emails = [self.doc.text(e) for e in [*contrib.findall("email"),
                                             *contrib.findall("address/email")]]
        for xref in contrib.findall("xref"):
            for rid in (xref.get("rid") or "").split():
                if rid in self.doc.affs and xref.get("ref-type") in ("aff", None):
                    self.doc.used_affs.add(rid)
                    affs.append(self.doc.affs[rid])
                elif rid in self.doc.corresp:
                    emails += [self.doc.text(e) for e in self.doc.corresp[rid].iter("email")]
        for aff in affs:  # an address may end with the person's email (eLife)
            text = self.doc.text(aff, ("label", "fn", "email"))
            if text:
                person.affiliations.append(text)
            emails += [self.doc.text(e) for e in aff.findall("email")]
        emails = [e for e in emails if e]
        person.email = emails[0] if emails else None
        for ident in contrib.findall("contrib-id"):
            value = self.doc.text(ident)
            if value and (ident.get("contrib-id-type") == "orcid" or "orcid.org" in value):
                person.orcid = value
        bio = contrib.find("bio")
        if bio is not None:
            person.bio = self.blocks.flow(bio)
        for child in contrib:
            if isinstance(child.tag, str) and child.tag in ("degrees", "on-behalf-of",
                                                            "author-comment", "etal"):
                self.doc.lose(child, "of a contributor not kept")
        return person

    def compose(self, name: etree._Element) -> str:
        """A person's name as displayed, from ``name`` parts."""
        parts = {tag: self.doc.text(name.find(tag))
                 for tag in ("prefix", "given-names", "surname", "suffix")}
        order = (("surname", "given-names") if name.get("name-style") == "eastern"
                 else ("prefix", "given-names", "surname", "suffix"))
        return " ".join(parts[t] for t in order if parts[t])
