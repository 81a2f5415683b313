"""Reader for every input format pandoc 3.9 reads (docx, odt, epub, rst, LaTeX, org, RTF, ...).

Follows pandoc's manual for the formats (``--from``) and pandoc-types 1.23 for the JSON AST, which
:mod:`converter.pandoc` maps onto the model. One sandboxed pandoc process per document
(:mod:`converter.pandoc.run`); media in containers (docx, odt, epub, ...) are extracted into a
private temporary folder and carried in ``Article.media``/``resources`` as ``media/<sha1>.<ext>``.

The format is, in this order: ``--from pandoc:FMT`` or a pandoc alias (``--from docx``), the file
extension (:data:`converter.registry.PANDOC_INPUTS`), then the content (zip members, magic).
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import quote

from .._version import __version__
from ..errors import InputError, UsageError
from ..model import Article, Provenance
from ..model.schema import TOO_DEEP
from ..options import ReadOptions
from ..pandoc.formats import PANDOC_INPUT_FORMATS
from ..pandoc.media import MediaFile, media_file
from ..pandoc.read_meta import article_from_pandoc
from ..pandoc.run import run_pandoc, split_format
from ..registry import PANDOC_INPUTS
from .decode import decode_text

#: formats pandoc reads as bytes (zip containers); every other format is text, read as UTF-8
BINARY_FORMATS = frozenset({"docx", "odt", "epub", "pptx", "xlsx"})
_ZIP_MIMETYPES = {
    b"application/epub+zip": "epub",
    b"application/vnd.oasis.opendocument.text": "odt",
}
_OOXML_PARTS = (("word/", "docx"), ("ppt/", "pptx"), ("xl/", "xlsx"))


def sniff_format(data: bytes) -> str | None:
    """The pandoc input format the bytes look like, for formats no other reader claims."""
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"{") and b'"nbformat"' in data[:65536]:
        return "ipynb"
    if b"<FictionBook" in head:
        return "fb2"
    if re.search(rb"<opml[\s>]", head):
        return "opml"
    if b"docbook.org/ns/docbook" in head or b"//DTD DocBook" in head:
        return "docbook"
    if re.search(rb"\\documentclass|\\begin\{document\}", data[:65536]):
        return "latex"
    if re.search(rb"^#\+(title|TITLE|author|AUTHOR|begin_src|BEGIN_SRC)", head, re.MULTILINE):
        return "org"
    return None


def _sniff_zip(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:  # a few bytes, never the whole member (it may be a bomb)
                with archive.open("mimetype") as member:
                    return _ZIP_MIMETYPES.get(member.read(100).strip())
            if "[Content_Types].xml" in names:
                for prefix, fmt in _OOXML_PARTS:
                    if any(name.startswith(prefix) for name in names):
                        return fmt
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    return None


#: the largest zip member read whole here (a package document is a few kilobytes)
_MEMBER_LIMIT = 16 << 20


def _member(archive: zipfile.ZipFile, name: str) -> bytes:
    """One member's bytes, refusing one that inflates past :data:`_MEMBER_LIMIT`."""
    with archive.open(name) as member:
        data = member.read(_MEMBER_LIMIT + 1)
    if len(data) > _MEMBER_LIMIT:
        raise ValueError(f"{name} inflates past {_MEMBER_LIMIT} bytes")
    return data


def check_expansion(data: bytes, limit: int) -> None:
    """Refuse a zip container (docx, odt, epub) whose members inflate past ``limit`` bytes in
    all: a zip bomb would otherwise fill memory or disk in pandoc."""
    if not data.startswith(b"PK\x03\x04"):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"not a readable zip container: {exc}") from exc
    if total > limit:
        raise InputError(f"the zip container inflates to {total} bytes, over the {limit}-byte "
                         "limit")


_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"


def epub_package_metadata(data: bytes) -> tuple[str | None, str | None, list[str]]:
    """Main title, subtitle and creators in document order, from an EPUB's package document.

    pandoc 3.9's EPUB reader reverses repeated ``dc:title``/``dc:creator`` elements and ignores
    the EPUB 3 ``title-type`` refinements, so a book's subtitle can come out as its title.
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            container = etree.fromstring(_member(archive, "META-INF/container.xml"), parser)
            rootfile = container.find(f".//{_CONTAINER}rootfile")
            if rootfile is None or not rootfile.get("full-path"):
                return None, None, []
            package = etree.fromstring(_member(archive, str(rootfile.get("full-path"))), parser)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, etree.XMLSyntaxError):
        return None, None, []
    kinds = {str(meta.get("refines", "")).lstrip("#"): (meta.text or "").strip()
             for meta in package.iter(f"{_OPF}meta") if meta.get("property") == "title-type"}
    titles = [(kinds.get(str(t.get("id", "")), ""), " ".join((t.text or "").split()))
              for t in package.iter(f"{_DC}title")]
    titles = [(kind, text) for kind, text in titles if text]
    main = next((t for k, t in titles if k == "main"), titles[0][1] if titles else None)
    subtitle = next((t for k, t in titles if k == "subtitle"), None)
    creators = [" ".join((c.text or "").split()) for c in package.iter(f"{_DC}creator")]
    return main, subtitle, [c for c in creators if c]


def _fix_epub_metadata(article: Article, data: bytes) -> None:
    title, subtitle, creators = epub_package_metadata(data)
    if title:
        article.title = title
        article.subtitle = subtitle
    by_name = {c.name: c for c in article.contributors}
    if sorted(by_name) == sorted(creators):
        article.contributors = [by_name[name] for name in creators]


def input_format(data: bytes, options: ReadOptions) -> str:
    """Which pandoc input format to use for this input (see the module docstring)."""
    forced = (options.format or "").strip()
    if forced:
        base, _, variant = forced.partition(":")
        fmt = variant.strip() if base.strip().lower() == "pandoc" else forced
        if fmt:
            if split_format(fmt) not in PANDOC_INPUT_FORMATS:
                raise UsageError(f"pandoc cannot read {fmt!r}; pandoc input formats: "
                                 f"{', '.join(sorted(PANDOC_INPUT_FORMATS))}")
            return fmt
    if options.file_name:
        by_extension = PANDOC_INPUTS.get(Path(options.file_name).suffix.lower())
        if by_extension:
            return by_extension
    sniffed = sniff_format(data)
    if sniffed:
        return sniffed
    raise InputError("cannot tell which pandoc format this is; name one with --from pandoc:FMT")


def _as_utf8(data: bytes, fmt: str, notes: list[str]) -> bytes:
    """Text input as UTF-8 (pandoc assumes UTF-8 and falls back to Latin-1 silently).

    Decoded by the shared rule of :mod:`converter.readers.decode` (BOM, UTF-8, windows-1252), so
    the same bytes always read the same; RTF is 7-bit with its own escapes and goes as it is.
    """
    if split_format(fmt) == "rtf":
        return data
    decoded = decode_text(data)
    if decoded.encoding not in ("utf-8", "utf-8-sig"):
        notes.append(decoded.encoding)
    return decoded.text.encode("utf-8")


def _collect_media(folder: Path) -> dict[str, MediaFile]:
    """The files pandoc extracted, by every spelling of the URL pandoc may have written."""
    found: dict[str, MediaFile] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        resource = media_file(path.name, path.read_bytes())
        spelled = str(path)
        for key in (spelled, quote(spelled, safe="/:"), path.relative_to(folder).as_posix()):
            found[key] = resource
    return found


def read_with_pandoc(data: bytes, fmt: str, options: ReadOptions,
                     fallback_title: str | None = None, title: str | None = None) -> Article:
    """Read ``data`` in pandoc format ``fmt`` into an article: one sandboxed pandoc process.

    ``title`` (when known from elsewhere) wins; ``fallback_title`` serves when the document names
    none and has no heading (default: the file name's stem).
    """
    limit = options.max_input_bytes
    if len(data) > limit:
        raise InputError(f"input is {len(data)} bytes, over the {limit}-byte limit for pandoc")
    check_expansion(data, options.max_expanded_bytes)
    encodings: list[str] = []
    if split_format(fmt) not in BINARY_FORMATS:
        data = _as_utf8(data, fmt, encodings)
    with tempfile.TemporaryDirectory(prefix="converter-pandoc-") as tmp:
        workdir = Path(tmp)
        media_dir = workdir / "media"
        result = run_pandoc(["--from", fmt, "--to", "json", f"--extract-media={media_dir}"],
                            data, timeout=options.pandoc_timeout, workdir=workdir,
                            error=InputError, action=f"read the input as {fmt}")
        media = _collect_media(media_dir)
        if not fallback_title and options.file_name:
            fallback_title = Path(options.file_name).stem
        try:
            document = json.loads(result.output)
            article = article_from_pandoc(document, media, fallback_title, title)
        except RecursionError as exc:
            raise InputError(TOO_DEEP) from exc
        except ValueError as exc:
            raise InputError(f"pandoc printed no valid JSON AST: {exc}") from exc
        leaked = str(workdir)
        for image_url in _image_urls(document):
            if image_url.startswith(leaked) and image_url not in media:
                article.diagnose("warning", "media-missing",
                                 f"pandoc named an extracted file it did not write: {image_url}")
    prov = article.provenance or Provenance()
    prov.format = split_format(fmt)
    if encodings:
        prov.encoding = encodings[0]
        article.diagnose("warning", "encoding", f"not UTF-8: decoded as {encodings[0]}; "
                         "convert the file to UTF-8 if the text looks wrong")
    article.provenance = prov
    for warning in result.warnings:
        article.diagnose("warning", "pandoc", warning)
    return article


def _image_urls(node: object) -> list[str]:
    """The URL of every image in a pandoc JSON document."""
    out: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("t") == "Image":
                out.append(item["c"][2][0])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out


class PandocReader:
    """Reader ``pandoc``: anything pandoc reads, through its JSON AST."""

    name = "pandoc"
    version = __version__

    def sniff(self, data: bytes, file_name: str | None) -> bool:
        return sniff_format(data) is not None

    def read(self, data: bytes, options: ReadOptions) -> Article:
        fmt = input_format(data, options)
        article = read_with_pandoc(data, fmt, options)
        if split_format(fmt) == "epub":
            _fix_epub_metadata(article, data)
        return article
