"""Input hygiene for every text-based reader: bytes in, clean Unicode text out, or one clear error.

Follows the Unicode Standard's byte-order marks (ch. 23.8) and the WHATWG Encoding Standard's name
for the legacy Western encoding (``windows-1252``). The decoding rule is deliberately simple and
deterministic, so the same bytes always give the same text:

1. A byte-order mark decides: UTF-8, UTF-16 or UTF-32 (the mark is removed).
2. Otherwise strict UTF-8.
3. Otherwise windows-1252 (cp1252: Latin-1 plus curly quotes and dashes in 0x80-0x9F), and if a byte
   is undefined there (0x81, 0x8D, 0x8F, 0x90, 0x9D), ISO-8859-1, which decodes any byte.

A statistical detector (charset-normalizer) was not used: on article-sized inputs it guesses
different single-byte code pages for the same Western text, and its answer can change between
versions, which would break byte-identical outputs. Inputs in other legacy encodings (Cyrillic,
CJK) should be converted to UTF-8 first; they decode without error as windows-1252 but read as
mojibake, which is why the reader warns whenever step 3 was taken.

Rejected with :class:`~converter.errors.InputError` (a one-line reason): empty and whitespace-only
inputs, NUL bytes, known binary signatures (PDF, ZIP, images, ...) and inputs dominated by control
characters. Line endings (CRLF, CR) become ``\\n``; the few stray control characters a text may
carry (not tab or newline) are removed, since XML outputs cannot hold them, and counted.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from ..errors import InputError

#: byte-order marks, longest first (a UTF-32-LE mark starts with the UTF-16-LE one)
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)

#: file signatures of binary formats people most often feed a text converter by mistake
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (docx, odt, epub, ...)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE2 document (old Word/Excel)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an executable"),
)

#: control characters that have no place in article text (everything below U+0020 except
#: tab, newline, carriage return and form feed, which becomes a paragraph break; and DEL)
_STRAY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
#: more than this share of stray control characters means the input is binary, not text
_BINARY_CONTROL_SHARE = 0.05


@dataclass(frozen=True)
class DecodedText:
    """Text ready for parsing, with how it was decoded."""

    #: the text, BOM removed, every line ending turned into ``\\n``
    text: str
    #: the encoding, as recorded in ``provenance.encoding`` (``utf-8``, ``utf-8-sig``,
    #: ``utf-16-le``, ``windows-1252``, ``iso-8859-1``, ...)
    encoding: str
    #: true when no Unicode encoding fitted and a legacy single-byte one was assumed
    legacy: bool = False
    #: how many stray control characters were removed
    removed_controls: int = 0


def decode_text(data: bytes) -> DecodedText:
    """Decode an input's bytes by the rule in the module docstring, or raise ``InputError``."""
    if not data:
        raise InputError("empty file: no text to read")
    signature = _binary_signature(data)
    if signature:
        raise InputError(f"binary data ({signature}), not text")
    text, encoding, legacy = _decode(data)
    if "\x00" in text:
        raise InputError("contains NUL bytes: binary data (or UTF-16 without a byte-order mark), "
                         "not text")
    text = normalize_newlines(text)
    if "\f" in text:  # a page break is a paragraph break
        text = text.replace("\f", "\n\n")
    stray = len(_STRAY_CONTROLS.findall(text))
    if stray and stray > _BINARY_CONTROL_SHARE * len(text):
        raise InputError(f"binary data: {stray} control characters in {len(text)}, not text")
    if stray:
        text = _STRAY_CONTROLS.sub("", text)
    if not text.strip():
        raise InputError("only whitespace: no text to read")
    return DecodedText(text, encoding, legacy, stray)


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR line endings as ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _binary_signature(data: bytes) -> str | None:
    for magic, what in _BINARY_SIGNATURES:
        if data.startswith(magic):
            return what
    return None


def _decode(data: bytes) -> tuple[str, str, bool]:
    """(text, encoding name, legacy?) by BOM, strict UTF-8, then windows-1252/ISO-8859-1."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), name, False
            except UnicodeDecodeError as exc:
                raise InputError(f"not valid {codec.upper()} despite its byte-order mark "
                                 f"({exc.reason} at byte {exc.start + len(bom)})") from exc
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252", True
    except UnicodeDecodeError:
        return data.decode("latin-1"), "iso-8859-1", True
