"""Inline content of an XHTML content document: text, formatting, links, notes, images.

Links must be valid hyperlinks (:mod:`.urls`) and cannot nest (HTML has no ``<a>`` in ``<a>``):
a link inside a link is kept as text, and a note reference inside a link follows it. A link kept
as text shows its address after the word its text ends in (``<a>Publication</a>s`` gives
"Publications <address>", never "Publication <address>s"). ``#id``
links are pointed at the rendered element once the whole document exists. Note references follow
EPUB 3 Structural Semantics (``epub:type="noteref"``) and DPUB-ARIA 1.1 (``doc-noteref``).
Images are embedded only when their bytes are a core media type; otherwise their description
stands in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from lxml import etree

from ...model import (
    Citation,
    Code,
    Emphasis,
    Image,
    Inline,
    LineBreak,
    Link,
    Math,
    MediaResource,
    Note,
    Quoted,
    SmallCaps,
    Strikeout,
    Strong,
    Subscript,
    Superscript,
    Text,
    Underline,
    inline_text,
)
from .context import Context
from .images import Resource, sniff_image
from .urls import SCHEME, safe_href
from .xhtml import EPUB_TYPE, H, append_text, sub


class InlineRenderer:
    """Renders inlines into an element of one content document; owns its links and note marks."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.t = ctx.t
        self.report = ctx.report
        #: ``#id`` links, resolved when the document is complete
        self.internal_links: list[tuple[etree._Element, str]] = []
        #: notes met inside a link, referenced after it
        self.deferred: list[Note] = []
        self.link_depth = 0

    def inlines(self, parent: etree._Element, inlines: Sequence[Inline]) -> None:
        address: str | None = None  # of a link kept as text, shown once its word is complete
        for node in inlines:
            if address is not None:
                rest = _WORD_REST.match(node.text) if isinstance(node, Text) else None
                if rest is not None:
                    append_text(parent, self.t(rest.group()))
                    node = Text(rest.string[rest.end():])
                append_text(parent, f" <{self.t(address)}>")
                address = None
            if isinstance(node, Link):
                address = self.render_link(parent, node)
            else:
                self.inline(parent, node)
        if address is not None:
            append_text(parent, f" <{self.t(address)}>")

    def inline(self, parent: etree._Element, node: Inline) -> None:
        match node:
            case Text():
                append_text(parent, self.t(node.text))
            case Emphasis():
                self.inlines(sub(parent, "em"), node.content)
            case Strong():
                self.inlines(sub(parent, "strong"), node.content)
            case Superscript():
                self.inlines(sub(parent, "sup"), node.content)
            case Subscript():
                self.inlines(sub(parent, "sub"), node.content)
            case SmallCaps():
                self.inlines(sub(parent, "span", {"class": "smallcaps"}), node.content)
            case Strikeout():
                self.inlines(sub(parent, "s"), node.content)
            case Underline():
                self.inlines(sub(parent, "u"), node.content)
            case Code():
                sub(parent, "code", text=self.t(node.text))
            case Math():
                css = "math display" if node.display else "math"
                sub(parent, "span", {"class": css}, self.t(node.text))
            case LineBreak():
                sub(parent, "br")
            case Quoted():
                marks = ("\u201c", "\u201d") if node.quote == "double" else ("\u2018", "\u2019")
                append_text(parent, marks[0])
                self.inlines(parent, node.content)
                append_text(parent, marks[1])
            case Link():  # with the address it may show after it
                self.inlines(parent, [node])
            case Note():
                self.noteref(parent, node)
            case Image():
                self.render_image(parent, node)
            case Citation():
                self.render_citation(parent, node)
            case _:
                self.report.diagnose("error", "epub-unknown-inline",
                                     f"cannot render a {type(node).__name__} inline", "epub")

    def enter_link(self) -> None:
        self.link_depth += 1

    def leave_link(self, parent: etree._Element) -> None:
        """After the outermost link: the note references found inside it (no links in links)."""
        self.link_depth -= 1
        if self.link_depth == 0:
            deferred, self.deferred = self.deferred, []
            for note in deferred:
                self.noteref(parent, note)

    def render_link(self, parent: etree._Element, node: Link) -> str | None:
        """A hyperlink, or a ``span.link``; then returns the address the text must show (the
        caller puts it after the word the link's text ends in)."""
        url = node.url.strip()
        fragment = url[1:] if url.startswith("#") and len(url) > 1 else None
        href = None if fragment else safe_href(url, self.ctx.base)
        if self.link_depth or (href is None and fragment is None):
            element = sub(parent, "span", {"class": "link"})
            reason = ("a link inside a link" if self.link_depth
                      else "a link that cannot be an EPUB hyperlink")
            self.report.diagnose("info", "epub-link-as-text",
                                 f"{reason} ({url!r}) is kept as text with its address", "epub")
        else:
            element = sub(parent, "a", {"href": href or "#"})
            if fragment is not None:
                self.internal_links.append((element, fragment))
        if node.title:
            element.set("title", self.t(node.title))
        self.enter_link()
        if node.content:
            self.inlines(element, node.content)
        else:
            append_text(element, self.t(url))
        self.leave_link(parent)
        if element.tag == H + "span" and url and inline_text(node.content).strip() != url:
            return url
        return None

    def noteref(self, parent: etree._Element, note: Note) -> None:
        if self.link_depth:
            self.deferred.append(note)
            return
        n = len(self.ctx.notes) + 1
        ref_id, note_id = self.ctx.new_id(f"noteref-{n}"), self.ctx.new_id(f"note-{n}")
        self.ctx.notes.append((note, ref_id, note_id))
        sub(parent, "a", {"href": f"#{note_id}", "id": ref_id, "class": "noteref",
                          EPUB_TYPE: "noteref", "role": "doc-noteref"}, str(n))

    def render_citation(self, parent: etree._Element, node: Citation) -> None:
        target = next((self.ctx.model_ids[k] for k in node.keys if self.ctx.model_ids.get(k)), None)
        if target and not self.link_depth:
            element = sub(parent, "a", {"href": f"#{target}", "class": "citation",
                                        "role": "doc-biblioref"})
        else:
            element = sub(parent, "span", {"class": "citation"})
            if not target:
                self.report.diagnose("info", "epub-citation-unresolved",
                                     f"citation of {', '.join(node.keys) or 'nothing'} matches no "
                                     "reference id; kept as text", "epub")
        self.enter_link()
        if node.content:
            self.inlines(element, node.content)
        else:
            append_text(element, self.t("[" + "; ".join(node.keys) + "]"))
        self.leave_link(parent)

    def render_image(self, parent: etree._Element, node: Image) -> None:
        media = self.ctx.media.get(node.url)
        alt = " ".join(self.t(inline_text(node.content)).split())
        if not alt and media and media.alt:
            alt = " ".join(self.t(media.alt).split())
        if _flattened(node.content):
            self.report.diagnose("info", "epub-alt-text-flattened",
                                 f"image {node.url!r}: links and images inside its description "
                                 "are kept as plain alt text", "epub")
        resource = self.image_resource(node.url, media)
        if resource is not None:
            attrib = {"src": resource.href, "alt": alt}
            if node.title:
                attrib["title"] = self.t(node.title)
            sub(parent, "img", attrib)
            self.ctx.images.count += 1
            if not alt:
                self.ctx.images.without_alt += 1
                self.report.diagnose("warning", "epub-image-no-alt",
                                     f"image {node.url!r} has no text alternative", "epub")
        else:
            external = SCHEME.match(node.url) is not None and not self.link_depth
            href = safe_href(node.url) if external else None
            holder = (sub(parent, "a", {"href": href, "class": "image-fallback"}) if href
                      else sub(parent, "span", {"class": "image-fallback"}))
            if node.title:
                holder.set("title", self.t(node.title))
            self.ctx.label(holder, "image")
            append_text(holder, ": " + (alt or self.t(node.url)))
            if not href:
                append_text(holder, f" <{self.t(node.url)}>")
        for note in _notes_in(node.content):
            self.noteref(parent, note)

    def image_resource(self, url: str, media: MediaResource | None) -> Resource | None:
        """The package image for ``url``, or ``None`` (with a diagnostic saying why)."""
        data = self.ctx.article.resources.get(url)
        if data is None:
            if SCHEME.match(url):
                why = "is external (EPUB allows no remote images)"
            elif media is not None:
                why = "is listed in media but its bytes are missing"
            else:
                why = "is neither in media nor in the resources"
            self.report.diagnose("warning", "epub-image-not-embedded",
                                 f"image {url!r} {why}; its description is shown instead", "epub")
            return None
        actual = sniff_image(data)
        if actual is None:
            self.report.diagnose("warning", "epub-image-unsupported",
                                 f"image {url!r} is not PNG, JPEG, GIF, WebP or SVG; its "
                                 "description is shown instead", "epub")
            return None
        if media is not None and media.media_type != actual:
            self.report.diagnose("info", "epub-image-media-type",
                                 f"image {url!r} is {actual}, not {media.media_type} as listed",
                                 "epub")
        return self.ctx.images.add(data, actual)

    def resolve_internal_links(self) -> None:
        """Point ``#id`` links at the rendered element; a missing target leaves plain text."""
        for element, fragment in self.internal_links:
            target = self.ctx.model_ids.get(fragment)
            if target:
                element.set("href", f"#{target}")
            else:
                element.tag = H + "span"
                for name in ("href", "title"):
                    if name in element.attrib:
                        del element.attrib[name]
                element.set("class", "link")
                self.report.diagnose("info", "epub-link-target-missing",
                                     f"link to #{fragment} has no target in the article; "
                                     "kept as text", "epub")


#: what continues a word after a link's text: ``s`` in ``<a>Author</a>s``, ``'s``, ``-based``
_WORD_REST = re.compile(r"(?:\w|['\u2019-](?=\w))+")


def _notes_in(inlines: Sequence[Inline]) -> Iterator[Note]:
    for node in inlines:
        if isinstance(node, Note):
            yield node
        else:
            yield from _notes_in(getattr(node, "content", []))


def _flattened(inlines: Sequence[Inline]) -> bool:
    """Whether plain text of ``inlines`` loses a link, an image or a citation's target."""
    for node in inlines:
        if isinstance(node, Link | Image | Citation):
            return True
        if _flattened(getattr(node, "content", [])):
            return True
    return False
