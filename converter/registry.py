"""The one registry of readers and writers: a table of built-ins plus entry-point plug-ins.

Built-ins are listed here by name, aliases and file extensions and imported only when used, so
``converter --help`` stays fast. Plug-ins extend the table through the entry-point groups
``converter.readers`` and ``converter.writers`` (see docs/plugins.md); an entry point names an
object (class or instance) that follows :class:`Reader` or :class:`Writer`.

Calling conventions (the protocols below):

* :class:`Reader`: ``read(data: bytes, options: ReadOptions) -> Article`` and
  ``sniff(data: bytes, file_name: str | None) -> bool`` (does the content look like this format?).
* :class:`Writer`: ``write(article, options: WriteOptions) -> Rendition | bytes``: the bytes and
  what the writer noticed (a writer never changes the article it is handed; the pipeline records
  the diagnostics). Plain ``bytes`` is a rendition with nothing to say.
* :class:`PackageWriter`: writers whose output is a folder or an archive made of other
  renditions (the bag), or a version of an object kept elsewhere (OCFL, with a receipt as
  ``destination``). They name the renditions they hold; the pipeline makes them (or reuses the
  ones written beside the package) and hands them to ``write_to``, which builds ``destination``
  atomically.

The registry sits at the bottom of the layers with the model: readers, writers and packaging
may import it for these protocols; it imports none of them (built-ins are named as strings).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Literal, Protocol, cast, runtime_checkable

from ._version import __version__
from .errors import UnknownFormatError
from .model import Article, Diagnostic
from .options import ReadOptions, WriteOptions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    """A check that ran on a rendition or a package, with its verdict: PREMIS records each as a
    ``validation`` event (a check that did not run is never claimed), report.json lists them."""

    #: what was checked: ``schema``, ``jats-dtd``, ``epubcheck``, ``fidelity``, ``bagit``, ...
    name: str
    #: the tool and its version (the PREMIS agent)
    tool: str
    version: str
    passed: bool
    #: what was checked, how (the PREMIS event detail)
    detail: str
    #: the tool's messages or the differences found (PREMIS outcome details)
    notes: tuple[str, ...] = ()
    #: a measure where the check has one (fidelity: the share of the body's words kept, in order)
    score: float | None = None
    #: what a failure is: an ``error`` fails the input (EPUBCheck, the JATS DTD); a ``warning``
    #: is a warning diagnostic, which fails it only with ``--fail-on-warnings`` (the fidelity
    #: read-back)
    level: Literal["error", "warning"] = "error"


@dataclass(frozen=True)
class Rendition:
    """One rendition: its bytes, what its writer noticed, and (filled in by the pipeline) who
    made it, which packaging writers record (PREMIS)."""

    data: bytes
    diagnostics: tuple[Diagnostic, ...] = ()
    #: the name it was asked for (``json``, ``docx``, ``pandoc:docx``)
    format: str = ""
    #: the writer's registry name, version, output extension and description
    writer: str = ""
    version: str = ""
    extension: str = ""
    description: str = ""
    #: the checks it passed or failed (DTD, EPUBCheck, fidelity read-back)
    checks: tuple[Check, ...] = ()


@runtime_checkable
class Reader(Protocol):
    name: str
    version: str

    def sniff(self, data: bytes, file_name: str | None) -> bool: ...

    def read(self, data: bytes, options: ReadOptions) -> Article: ...


@runtime_checkable
class Writer(Protocol):
    name: str
    #: output file extension with the dot (``.md``); a folder writer's suffix (``.bag``)
    extension: str

    def write(self, article: Article, options: WriteOptions) -> Rendition | bytes: ...


@runtime_checkable
class VariantWriter(Protocol):
    """A writer for a family of formats (pandoc: ``pandoc:docx``, or just ``docx``)."""

    def knows(self, variant: str) -> bool: ...

    def for_format(self, variant: str) -> Writer: ...


@runtime_checkable
class PackageWriter(Protocol):
    """A writer whose output is a folder or an archive holding other renditions (the bag)."""

    name: str
    extension: str

    def destination_for(self, out_dir: Path, stem: str, options: WriteOptions) -> Path:
        """Where the package goes (``<stem>.bag`` or ``<stem>.bag.tgz``, ...)."""

    def renditions(self, options: WriteOptions) -> tuple[str, ...] | None:
        """The writer names of the single-file renditions the package holds (``None``: those
        written beside it in the same conversion)."""

    def render_options(self, options: WriteOptions) -> WriteOptions:
        """The options its renditions are made with (``options`` unless it pins something)."""

    def write_to(self, article: Article, destination: Path, options: WriteOptions,
                 renditions: Mapping[str, Rendition]) -> Sequence[Diagnostic]:
        """Build the package at ``destination`` atomically; return what it noticed."""


@dataclass(frozen=True)
class FormatInfo:
    """One reader or writer as the registry lists it."""

    name: str
    kind: str  # "reader" or "writer"
    target: str  # "module:attribute", imported on first use
    description: str
    aliases: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()  # readers: input extensions; writers: the output extension
    builtin: bool = True
    #: the version recorded in provenance (built-ins: the converter's)
    version: str = __version__


def _r(name: str, target: str, description: str, aliases: Iterable[str] = (),
       extensions: Iterable[str] = ()) -> FormatInfo:
    return FormatInfo(name, "reader", target, description, tuple(aliases), tuple(extensions))


def _w(name: str, target: str, description: str, aliases: Iterable[str] = (),
       extension: str = "") -> FormatInfo:
    return FormatInfo(name, "writer", target, description, tuple(aliases), (extension,))


#: pandoc input formats the pandoc reader handles, by file extension
PANDOC_INPUTS = {
    ".docx": "docx", ".odt": "odt", ".html": "html", ".htm": "html", ".xhtml": "html",
    ".rst": "rst", ".tex": "latex", ".latex": "latex", ".org": "org", ".epub": "epub",
    ".rtf": "rtf", ".textile": "textile", ".wiki": "mediawiki", ".dbk": "docbook",
    ".ipynb": "ipynb", ".fb2": "fb2", ".opml": "opml", ".typ": "typst",
}

BUILTIN_READERS: tuple[FormatInfo, ...] = (
    _r("text", "converter.readers.text:TextReader",
       "plain article text, or text scraped from a web page with a JSON metadata header",
       ("txt", "article-text"), (".txt", ".text")),
    _r("markdown", "converter.readers.markdown:MarkdownReader",
       "CommonMark with YAML front matter, as the markdown writer makes it",
       ("md", "commonmark"), (".md", ".markdown")),
    _r("json", "converter.readers.json:JsonReader",
       "the canonical article JSON (schemas/article.schema.json)", ("canonical",), (".json",)),
    _r("jats", "converter.readers.jats:JatsReader",
       "JATS 1.0-1.4 and NLM 3.0 journal articles", ("nlm", "jats-xml"), (".xml", ".nxml")),
    _r("html", "converter.readers.html:HtmlReader",
       "a web page: the main article is extracted (trafilatura), then read through pandoc",
       ("web",), (".html", ".htm", ".xhtml")),
    _r("pdf", "converter.readers.pdf:PdfReader",
       "born-digital PDF articles: structure from the page layout (PDFium); no OCR",
       ("acrobat",), (".pdf",)),
    _r("pandoc", "converter.readers.pandoc:PandocReader",
       "anything pandoc reads: docx, odt, rst, latex, org, epub, ... (or --from pandoc:FMT)",
       tuple(sorted(set(PANDOC_INPUTS.values()) - {"html"})),
       tuple(ext for ext, fmt in PANDOC_INPUTS.items() if fmt != "html")),
)

BUILTIN_WRITERS: tuple[FormatInfo, ...] = (
    _w("json", "converter.writers.json:JsonWriter", "the canonical article JSON",
       ("canonical",), ".json"),
    _w("markdown", "converter.writers.markdown:MarkdownWriter",
       "CommonMark with YAML front matter (pandoc-compatible)", ("md",), ".md"),
    _w("jats", "converter.writers.jats:JatsWriter",
       "JATS 1.3 Archiving and Interchange XML, DTD-valid", ("xml", "jats-xml"), ".xml"),
    _w("epub", "converter.writers.epub:EpubWriter", "EPUB 3.3 (EPUBCheck-clean, accessible)",
       ("epub3",), ".epub"),
    _w("mets", "converter.packaging.mets:MetsWriter",
       "METS 1.12 with PREMIS 3 describing the outputs written beside it and the original",
       (), ".mets.xml"),
    _w("bag", "converter.packaging.bag:BagWriter",
       "a BagIt 1.0 package (RFC 8493) of the original and the renditions", ("bagit",), ".bag"),
    _w("ocfl", "converter.packaging.ocfl.writer:OcflWriter",
       "an OCFL 1.1 object per article in --ocfl-root (original, renditions, PREMIS, METS), "
       "a version per change; a receipt in the output folder", (), ".ocfl.json"),
    _w("pandoc", "converter.writers.pandoc:PandocWriter",
       "any pandoc output format: --to pandoc:FMT or just the format name (docx, odt, html, ...)",
       (), ""),
)


@dataclass
class Registry:
    """Readers and writers by name; built-ins plus plug-ins, loaded lazily."""

    formats: list[FormatInfo] = field(default_factory=list)
    _loaded: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def default(cls, plugins: bool = True) -> Registry:
        """The built-ins, plus every installed plug-in when ``plugins`` is true."""
        registry = cls(list(BUILTIN_READERS) + list(BUILTIN_WRITERS))
        if plugins:
            registry.add_entry_points()
        return registry

    def add_entry_points(self) -> None:
        """Add readers and writers from the ``converter.readers``/``converter.writers`` groups.

        A plug-in is loaded here so that its ``extensions`` (readers), ``extension`` (writers),
        ``aliases`` and ``description`` (or docstring) reach the table; one that fails to load
        is left out with a logged warning instead of breaking every command.
        """
        for kind in ("reader", "writer"):
            for ep in entry_points(group=f"converter.{kind}s"):
                try:
                    obj = ep.load()
                except Exception as exc:
                    log.warning("plug-in %s %s (%s) cannot be loaded: %s: %s", kind, ep.name,
                                ep.value, type(exc).__name__, exc)
                    continue
                self.formats = [f for f in self.formats
                                if not (f.kind == kind and f.name == ep.name)]
                self.formats.append(_plugin_info(ep.name, kind, ep.value, obj))

    def names(self, kind: str) -> list[str]:
        return [f.name for f in self.formats if f.kind == kind]

    def info(self, kind: str, name: str) -> FormatInfo:
        """The reader or writer called ``name`` (or one of its aliases)."""
        wanted = name.strip().lower()
        for f in self.formats:
            if f.kind == kind and (wanted == f.name or wanted in f.aliases):
                return f
        raise UnknownFormatError(
            f"unknown {kind} {name!r}; valid {kind}s: {', '.join(sorted(self.names(kind)))}"
        )

    def _instance(self, info: FormatInfo) -> Any:
        key = (info.kind, info.name)
        with self._lock:
            if key not in self._loaded:
                module_name, _, attr = info.target.partition(":")
                obj: Any = importlib.import_module(module_name)
                for part in attr.split("."):
                    obj = getattr(obj, part)
                self._loaded[key] = obj() if isinstance(obj, type) else obj
            return self._loaded[key]

    def reader(self, name: str) -> Reader:
        instance: Reader = self._instance(self.info("reader", name))
        return instance

    def writer(self, name: str) -> Writer:
        """The writer for ``name``; a pandoc output format name gives the pandoc writer for it."""
        info, variant = self._resolve_writer(name)
        writer = self._instance(info)
        if not variant:
            return cast(Writer, writer)
        if not isinstance(writer, VariantWriter):
            raise UnknownFormatError(f"the {info.name} writer has no variants: {name!r}")
        return writer.for_format(variant)

    def writer_info(self, name: str) -> FormatInfo:
        """The table entry of the writer ``name`` resolves to (``docx``: the pandoc writer)."""
        return self._resolve_writer(name)[0]

    def _resolve_writer(self, name: str) -> tuple[FormatInfo, str]:
        base, _, variant = name.partition(":")
        try:
            return self.info("writer", base), variant
        except UnknownFormatError:
            pandoc = self._instance(self.info("writer", "pandoc"))
            if variant or not (isinstance(pandoc, VariantWriter) and pandoc.knows(base)):
                raise
            return self.info("writer", "pandoc"), base

    def reader_for_extension(self, file_name: str) -> str | None:
        """The reader registered for a file's extension, if any."""
        suffix = Path(file_name).suffix.lower()
        for f in self.formats:
            if f.kind == "reader" and suffix in f.extensions:
                return f.name
        return None

    def input_extensions(self) -> set[str]:
        return {ext for f in self.formats if f.kind == "reader" for ext in f.extensions}


def _plugin_info(name: str, kind: str, target: str, obj: Any) -> FormatInfo:
    """The table entry of a loaded plug-in, from the attributes its class declares."""
    doc = (getattr(obj, "__doc__", None) or "").strip().splitlines()
    description = str(getattr(obj, "description", None) or (doc[0] if doc else f"plug-in {target}"))
    if kind == "reader":
        extensions = tuple(str(e).lower() for e in getattr(obj, "extensions", ()) or ())
    else:
        extensions = (str(getattr(obj, "extension", "")),)
    aliases = tuple(str(a) for a in getattr(obj, "aliases", ()) or ())
    version = str(getattr(obj, "version", None) or "unknown")
    return FormatInfo(name, kind, target, description, aliases, extensions, builtin=False,
                      version=version)


_default: Registry | None = None
_default_lock = threading.Lock()


def default_registry() -> Registry:
    """A process-wide registry, built once (read-only after construction)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Registry.default()
        return _default
