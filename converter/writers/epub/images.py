"""The images of one EPUB: each embedded once, named by its content, of a core media type.

EPUB 3.3 (section 3.2, "Core media types") lets a package hold PNG, JPEG, GIF, WebP and SVG
images without fallbacks; an article's resource is embedded only when its bytes really are one of
those (:func:`sniff_image`, whatever the article's media list says). The documents of a book share
one :class:`BookImages`, which also counts what the accessibility metadata may claim.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from lxml import etree

#: file extensions of the EPUB core image media types (what :func:`sniff_image` recognises)
_IMAGE_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif",
                     "image/webp": "webp", "image/svg+xml": "svg"}


@dataclass
class Resource:
    """One image file of the package."""

    uid: str
    href: str
    media_type: str
    data: bytes


@dataclass
class BookImages:
    """What the documents of one book share: their images, and what accessibility may claim."""

    resources: dict[str, Resource] = field(default_factory=dict)
    #: images shown in the documents, and how many of them have no text alternative
    count: int = 0
    without_alt: int = 0

    def add(self, data: bytes, media_type: str) -> Resource:
        digest = hashlib.sha256(data).hexdigest()[:16]
        href = f"images/{digest}.{_IMAGE_EXTENSIONS[media_type]}"
        if href not in self.resources:
            self.resources[href] = Resource(f"img-{digest}", href, media_type, data)
        return self.resources[href]


def sniff_image(data: bytes) -> str | None:
    """The EPUB core image media type ``data`` really is, or ``None``."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if b"<svg" in data[:4096] and b"<!DOCTYPE" not in data.upper():  # no DTDs, no entities
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError:
            return None
        if root.tag == "{http://www.w3.org/2000/svg}svg":
            return "image/svg+xml"
    return None
