"""Text runs, graphics and metadata out of a PDF, through PDFium (pypdfium2).

PDFium's text page (ISO 32000-1 §9: text objects, fonts, ToUnicode maps) gives every character
with its Unicode value, loose box (font ascent to descent) and the text object that drew it. This
module groups characters into *runs*: the characters of one text object between two spaces, so a
run is a word or the part of a word in one font. One ctypes call per character (which object drew
it) plus two per run (its first and last character's box) keeps extraction near 3 ms a page; asking
PDFium for each character's box, font and size would cost four times that.

Coordinates are turned top-down (``top`` grows down the page), in PDF points. Images and filled
shapes are kept as boxes (where figures are); thin horizontal and vertical strokes as rules (where
tables are). The document information dictionary and the XMP packet come along for metadata.
"""

from __future__ import annotations

import ctypes
import math
import re
from dataclasses import dataclass, field
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pypdfium2_raw.bindings as pdfium_bindings

from ...errors import InputError

#: characters that separate runs (PDFium writes generated spaces and CR LF between lines)
_SEPARATORS = frozenset(" \t\r\n\u00a0\u2002\u2003\u2009\u200a\u3000")
#: what PDFium puts in place of a hyphen it judged to end a line
_LINE_END_HYPHEN = "\ufffe"
_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
#: TeX's fonts say it in their names: cmbx10, SFBX1000 (bold extended), cmti, cmsl, cmtt
_BOLD = re.compile(r"bold|black|heavy|semibold|demi|medi\b|-b$|(?:cm|sf|ec|lm|tc)bx|\bbx|extrabold",
                   re.I)
_ITALIC = re.compile(r"italic|oblique|-it$|-ital|(?:cm|sf|ec|lm|tc)(?:ti|sl|bxti|bxsl)\d|slant|"
                     r"\bit\b|-bi$", re.I)
_MONO = re.compile(r"mono|courier|(?:cm|sf|ec|lm|tc)(?:tt|sltt|itt)\d|consol|code|typewriter|"
                   r"menlo|inconsolata", re.I)
_FIXED_PITCH, _ITALIC_FLAG = 1, 64


@dataclass(frozen=True, slots=True)
class Font:
    """What a run's font says about its text."""

    name: str
    size: float
    bold: bool
    italic: bool
    mono: bool
    rotated: bool


@dataclass(slots=True)
class Run:
    """Characters of one text object between two separators: a word or a styled part of one."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    font: Font
    #: no separator between this run and the one before it in PDFium's text stream
    glued: bool


@dataclass(frozen=True, slots=True)
class Box:
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(slots=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    runs: list[Run] = field(default_factory=list)
    #: images drawn on the page
    images: list[Box] = field(default_factory=list)
    #: filled shapes (drawn figures, shaded boxes)
    shapes: list[Box] = field(default_factory=list)
    #: thin horizontal or vertical strokes (table rules, separators)
    rules: list[Box] = field(default_factory=list)


@dataclass
class Document:
    pages: list[Page]
    info: dict[str, str]
    xmp: bytes | None


class _Calls:
    """PDFium functions declared with plain ``c_void_p`` results, so object handles compare as
    integers; the shared library is pypdfium2's own (already loaded, same version)."""

    def __init__(self) -> None:
        lib: Any = pdfium_bindings._libs["pdfium"]
        vp, i, d = ctypes.c_void_p, ctypes.c_int, ctypes.c_double
        self.text_object = _proto(lib, "FPDFText_GetTextObject", vp, [vp, i])
        self.unicode = _proto(lib, "FPDFText_GetUnicode", ctypes.c_uint, [vp, i])
        self.loose_box = _proto(lib, "FPDFText_GetLooseCharBox", i, [vp, i, vp])
        self.font_size = _proto(lib, "FPDFText_GetFontSize", d, [vp, i])
        self.font_info = _proto(lib, "FPDFText_GetFontInfo", ctypes.c_ulong,
                                [vp, i, vp, ctypes.c_ulong, vp])
        self.font_weight = _proto(lib, "FPDFText_GetFontWeight", i, [vp, i])
        self.matrix = _proto(lib, "FPDFText_GetMatrix", i, [vp, i, vp])


def _proto(lib: Any, name: str, restype: Any, argtypes: list[Any]) -> Any:
    function = lib[name]  # item access makes a new function object: pypdfium2's stays untouched
    function.restype = restype
    function.argtypes = argtypes
    return function


_calls: _Calls | None = None


def _c() -> _Calls:
    global _calls
    if _calls is None:
        _calls = _Calls()
    return _calls


def open_document(data: bytes, password: str | None) -> pdfium.PdfDocument:
    """The PDFium document, or an :class:`InputError` that says why it cannot be opened."""
    try:
        return pdfium.PdfDocument(data, password=password)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            if password:
                raise InputError("the PDF password is wrong") from exc
            raise InputError("the PDF is encrypted and needs a password (--password)") from exc
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise InputError("the PDF uses an unsupported security handler") from exc
        raise InputError("not a readable PDF (malformed or truncated)") from exc


def extract(doc: pdfium.PdfDocument) -> Document:
    """Every page's runs and graphics, and the document's metadata."""
    pages = [extract_page(doc, index) for index in range(len(doc))]
    return Document(pages, _info(doc), None)


def extract_page(doc: pdfium.PdfDocument, index: int) -> Page:
    page = doc[index]
    try:
        width, height = page.get_size()
        result = Page(index + 1, width, height)
        textpage = page.get_textpage()
        try:
            result.runs = _runs(textpage, height)
        finally:
            textpage.close()
        _graphics(page, result)
        return result
    finally:
        page.close()


def _runs(textpage: pdfium.PdfTextPage, page_height: float) -> list[Run]:
    c = _c()
    handle = ctypes.cast(textpage.raw, ctypes.c_void_p).value
    count = pdfium_c.FPDFText_CountChars(textpage.raw)
    if count <= 0:
        return []
    # one call per character: FPDFText_GetText's string is not aligned with character indices
    # once PDFium skips a control character
    unicode = c.unicode
    text = "".join([chr(unicode(handle, k) or 0xFFFD) for k in range(count)])
    objects = [c.text_object(handle, k) for k in range(count)]
    fonts: dict[int, Font] = {}
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    runs: list[Run] = []
    start = -1
    glued = False
    for k in range(count + 1):
        ch = text[k] if k < count else " "
        boundary = ch in _SEPARATORS or (start >= 0 and objects[k] != objects[start])
        if start >= 0 and boundary:
            obj = objects[start] or 0
            font = fonts.get(obj)
            if font is None:
                font = fonts[obj] = _font(c, handle, start)
            c.loose_box(handle, start, rect_ref)
            x0, top, bottom = rect.left, rect.top, rect.bottom
            c.loose_box(handle, k - 1, rect_ref)
            x0, x1 = min(x0, rect.left), max(rect.left, rect.right)
            top, bottom = max(top, rect.top), min(bottom, rect.bottom)
            piece = text[start:k].replace(_LINE_END_HYPHEN, "-")
            runs.append(Run(piece, x0, x1, page_height - top, page_height - bottom, font, glued))
            start = -1
            glued = ch not in _SEPARATORS
        if ch in _SEPARATORS:
            glued = False
        elif start < 0 and ch not in ("\x00", "\ufffd") and objects[k]:
            start = k
    return runs


def _font(c: _Calls, handle: int | None, index: int) -> Font:
    buffer = ctypes.create_string_buffer(128)
    flags = ctypes.c_int(0)
    c.font_info(handle, index, buffer, 128, ctypes.byref(flags))
    name = _SUBSET_PREFIX.sub("", buffer.value.decode("latin-1", "replace"))
    weight = c.font_weight(handle, index)
    matrix = pdfium_c.FS_MATRIX()
    if not c.matrix(handle, index, ctypes.byref(matrix)):
        matrix.a, matrix.b, matrix.c, matrix.d = 1.0, 0.0, 0.0, 1.0
    # the size the reader sees: the font size times the vertical scale of text and page matrices
    scale = math.hypot(matrix.c, matrix.d) or 1.0
    rotated = abs(matrix.b) > 0.2 * abs(matrix.a) or matrix.a < 0
    return Font(
        name=name,
        size=round(float(c.font_size(handle, index)) * scale, 2),
        bold=weight >= 600 or bool(_BOLD.search(name)),
        italic=bool(flags.value & _ITALIC_FLAG) or bool(_ITALIC.search(name)),
        mono=bool(flags.value & _FIXED_PITCH) or bool(_MONO.search(name)),
        rotated=rotated,
    )


def _graphics(page: pdfium.PdfPage, result: Page) -> None:
    """Boxes of images and filled shapes, and thin strokes, from the page's objects.

    Objects inside form XObjects are placed on the page through the forms' matrices.
    """
    count = pdfium_c.FPDFPage_CountObjects(page.raw)
    objects = [pdfium_c.FPDFPage_GetObject(page.raw, i) for i in range(count)]
    _walk(objects, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), result, 0)


_Matrix = tuple[float, float, float, float, float, float]


def _walk(objects: list[Any], matrix: _Matrix, result: Page, depth: int) -> None:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    fill, stroke = ctypes.c_int(0), ctypes.c_int(0)
    for obj in objects:
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 4:
            form = pdfium_c.FS_MATRIX()
            pdfium_c.FPDFPageObj_GetMatrix(obj, form)
            inner = _compose((form.a, form.b, form.c, form.d, form.e, form.f), matrix)
            children = [pdfium_c.FPDFFormObj_GetObject(obj, i)
                        for i in range(pdfium_c.FPDFFormObj_CountObjects(obj))]
            _walk(children, inner, result, depth + 1)
            continue
        if kind not in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE):
            continue
        if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            continue
        box = _place((left.value, bottom.value, right.value, top.value), matrix, result.height)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            if box.width > 2 and box.height > 2:
                result.images.append(box)
            continue
        if min(box.width, box.height) <= 2.5:
            if max(box.width, box.height) > 5:
                result.rules.append(box)
            continue
        pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke))
        if fill.value and box.width > 3 and box.height > 3:
            result.shapes.append(box)


def _compose(inner: _Matrix, outer: _Matrix) -> _Matrix:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def _place(bounds: tuple[float, float, float, float], m: _Matrix, height: float) -> Box:
    """A box in form space, on the page, top-down."""
    x0, y0, x1, y1 = bounds
    if m == (1.0, 0.0, 0.0, 1.0, 0.0, 0.0):
        return Box(x0, height - y1, x1, height - y0)
    xs, ys = [], []
    for x, y in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
        xs.append(m[0] * x + m[2] * y + m[4])
        ys.append(m[1] * x + m[3] * y + m[5])
    return Box(min(xs), height - max(ys), max(xs), height - min(ys))


def _info(doc: pdfium.PdfDocument) -> dict[str, str]:
    """The document information dictionary, empty values left out."""
    try:
        raw = doc.get_metadata_dict(skip_empty=True)
    except pdfium.PdfiumError:
        return {}
    return {str(k): str(v).strip() for k, v in raw.items() if str(v).strip()}
