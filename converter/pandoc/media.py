"""Media a pandoc-based reader finds: files pandoc extracted, images in ``data:`` URIs (RFC 2397).

Each becomes one resource of the article under a collision-free, content-derived path
(``media/<sha1>.<ext>``); its type comes from the file name, else from its first bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

#: image types by file extension; anything else is sniffed or application/octet-stream
MEDIA_TYPES = {
    "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
    "svg": "image/svg+xml", "webp": "image/webp", "tif": "image/tiff", "tiff": "image/tiff",
    "bmp": "image/bmp", "emf": "image/emf", "wmf": "image/wmf", "ico": "image/vnd.microsoft.icon",
    "avif": "image/avif", "mp3": "audio/mpeg", "mp4": "video/mp4", "webm": "video/webm",
    "pdf": "application/pdf", "css": "text/css", "ttf": "font/ttf", "otf": "font/otf",
    "woff": "font/woff", "woff2": "font/woff2",
}
_EXTENSIONS = {v: k for k, v in reversed(MEDIA_TYPES.items())} | {"image/jpeg": "jpg"}
_MAGIC = ((b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF8", "gif"), (b"%PDF", "pdf"),
          (b"BM", "bmp"), (b"II*\x00", "tif"), (b"MM\x00*", "tif"))


@dataclass(frozen=True)
class MediaFile:
    """One resource a reader found (extracted by pandoc or decoded from a data: URI)."""

    data: bytes
    extension: str

    @property
    def path(self) -> str:
        """The collision-free path in the article: ``media/<sha1>.<ext>``."""
        return f"media/{hashlib.sha1(self.data).hexdigest()}.{self.extension}"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES.get(self.extension, "application/octet-stream")


def media_file(name: str, data: bytes) -> MediaFile:
    """A resource named ``name``; the extension comes from the name, else from the bytes."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
    if not re.fullmatch(r"[a-z0-9]{1,8}", extension):
        extension = sniff_extension(data)
    return MediaFile(data, extension)


def sniff_extension(data: bytes) -> str:
    for magic, extension in _MAGIC:
        if data.startswith(magic):
            return extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if b"<svg" in data[:1024]:
        return "svg"
    return "bin"


def decode_data_uri(url: str) -> MediaFile | None:
    """The bytes of a ``data:`` URI (RFC 2397), or None when it is malformed."""
    header, sep, payload = url[5:].partition(",")
    if not sep:
        return None
    media_type = header.split(";", 1)[0].strip().lower()
    try:
        data = (base64.b64decode(payload, validate=False) if header.endswith(";base64")
                else unquote_to_bytes(payload))
    except (binascii.Error, ValueError):
        return None
    extension = _EXTENSIONS.get(media_type) or sniff_extension(data)
    return MediaFile(data, extension)
