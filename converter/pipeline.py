"""One direction of flow: input -> detect -> reader -> Article -> validate -> writers -> outputs.

This module is the library's engine; ``converter/__init__.py`` re-exports the public calls and the
CLI and batch layers only call these.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from ._version import __version__
from .checks import Checkers
from .checks.fidelity import READ_BACKS
from .errors import (
    ConverterError,
    InputError,
    OutputExistsError,
    PackageError,
    UsageError,
    ValidationError,
    WriterError,
)
from .formats.data import loads_json
from .fsutil import atomic_write_bytes, ensure_inside
from .model import Article, Diagnostic, Provenance
from .model.metadata import apply_overrides
from .model.schema import TOO_DEEP, validate_article
from .options import ReadOptions, WriteOptions
from .packaging.identify import Identification, identify_file
from .readers.language import fill_language
from .registry import Check, PackageWriter, Registry, Rendition, Writer, default_registry

log = logging.getLogger(__name__)

#: sniffing order when the extension says nothing: the most specific formats first
#: (``%PDF-`` is unmistakable; pandoc claims only zip containers and unmistakable magic: docx,
#: odt, epub, rtf, LaTeX, ...)
SNIFF_ORDER = ("pdf", "json", "pandoc", "jats", "html", "markdown", "text")


def read_input(path: Path, options: ReadOptions | None = None) -> bytes:
    """The bytes of an input file, refusing folders, special files and oversized inputs."""
    limit = (options or ReadOptions()).max_input_bytes
    try:
        if path.is_dir():
            raise InputError("is a folder, not a file", file=str(path))
        if not path.is_file():
            raise InputError("not a regular file" if path.exists() else "no such file",
                             file=str(path))
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"file is {size} bytes, over the {limit}-byte limit", file=str(path))
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from exc


def detect_format(data: bytes, file_name: str | None, registry: Registry | None = None,
                  forced: str | None = None) -> str:
    """The reader name for an input: ``forced``, else its extension, else its content."""
    registry = registry or default_registry()
    if forced:
        return registry.info("reader", forced.partition(":")[0]).name
    if file_name:
        by_extension = registry.reader_for_extension(file_name)
        if by_extension:
            return by_extension
    for name in SNIFF_ORDER:
        if registry.reader(name).sniff(data, file_name):
            return name
    raise InputError("unrecognised format; name one with --from", file=file_name)


class _LibraryLogs(logging.Handler):
    """Collects what third-party libraries log on this thread while it reads one input.

    trafilatura, htmldate, lxml and friends log through :mod:`logging` ("discarding data: None");
    those lines name no file and would reach the terminal unexplained. They become the article's
    diagnostics instead (info, or warning from ERROR up), attached to the input they concern.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.thread = threading.get_ident()
        self.records: list[logging.LogRecord] = []

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread == self.thread and not record.name.startswith("converter")

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> _LibraryLogs:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        logging.getLogger().removeHandler(self)

    def diagnose(self, article: Article) -> None:
        for record in self.records:
            article.diagnose("warning" if record.levelno >= logging.ERROR else "info",
                             "library-log",
                             f"{record.name}: {record.getMessage()}".strip())


def parse_bytes(data: bytes, options: ReadOptions | None = None,
                registry: Registry | None = None) -> Article:
    """Read one input's bytes into a validated article with its provenance filled in."""
    options = options or ReadOptions()
    registry = registry or default_registry()
    name = options.file_name
    fmt = detect_format(data, name, registry, options.format)
    reader = registry.reader(fmt)
    try:
        with _LibraryLogs() as library_logs:
            article = reader.read(data, options)
        library_logs.diagnose(article)
    except ConverterError as exc:
        raise (exc.located(name) if name else exc) from exc.__cause__
    except RecursionError as exc:  # a reader that recurses over the input's own nesting
        raise InputError(TOO_DEEP, file=name) from exc
    except Exception as exc:  # a reader bug must still be one line naming the file
        raise InputError(f"{fmt} reader failed: {type(exc).__name__}: {exc}", file=name) from exc
    if options.overrides:
        apply_overrides(article, options.overrides)
    if not article.language and fmt != "json":  # the input does not say: tell it from the text
        fill_language(article)  # (canonical JSON is already an article: read as it is)
    fill_provenance(article, data, fmt, reader.version, name)
    if not article.id:
        article.id = article.content_id()
    validate_article(article)
    return article


def fill_provenance(article: Article, data: bytes, fmt: str, reader_version: str,
                    file_name: str | None) -> None:
    """Record where the article came from; keeps what the reader already noted."""
    prov = article.provenance or Provenance()
    prov.file_name = printable_name(Path(file_name).name) if file_name else prov.file_name
    prov.size = len(data)
    prov.sha256 = hashlib.sha256(data).hexdigest()
    prov.format = prov.format or fmt
    prov.reader = fmt
    prov.reader_version = reader_version
    for diagnostic in prov.diagnostics:
        diagnostic.file = diagnostic.file or prov.file_name
    article.provenance = prov


def printable_name(name: str) -> str:
    """A file name as valid Unicode: undecodable bytes (surrogates in Python) become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def parse(source: str | Path | bytes, options: ReadOptions | None = None,
          registry: Registry | None = None) -> Article:
    """Read a file (path) or bytes into a validated :class:`Article`."""
    options = options or ReadOptions()
    if isinstance(source, bytes):
        return parse_bytes(source, options, registry)
    path = Path(source)
    data = read_input(path, options)
    if options.file_name is None:
        options = replace(options, file_name=str(path))
    return parse_bytes(data, options, registry)


def make_rendition(article: Article, writer_name: str, options: WriteOptions | None = None,
                   registry: Registry | None = None, checkers: Checkers | None = None
                   ) -> Rendition:
    """One single-file rendition with what its writer noticed, who made it and the checks it
    went through (``checkers``: the services a batch shares; by default this process's own).
    A failed check of level ``error`` is a :class:`ValidationError` unless
    ``options.keep_invalid``; one of level ``warning`` (the fidelity read-back) is a warning."""
    registry = registry or default_registry()
    options = options or WriteOptions()
    writer = registry.writer(writer_name)
    if isinstance(writer, PackageWriter):
        raise WriterError(f"the {writer.name} writer makes a folder or an archive, not bytes; "
                          "write it with convert() or write_package()")
    try:
        made = writer.write(article, options)
    except (ConverterError, OSError):  # an OSError is the machine's (a full disk), not a bug
        raise
    except Exception as exc:
        raise WriterError(f"{writer.name} writer failed: {type(exc).__name__}: {exc}") from exc
    rendition = made if isinstance(made, Rendition) else Rendition(made)
    info = registry.writer_info(writer_name)
    # a pandoc variant says so (``pandoc:docx``): packages record pandoc as a tool that ran
    name = f"pandoc:{writer.name}" if info.name == "pandoc" else writer.name
    rendition = replace(rendition, format=writer_name, writer=name, version=info.version,
                        extension=writer.extension, description=info.description)
    rendition = (checkers or Checkers()).check(article, rendition, options, registry)
    return enforce_checks(rendition, options)


def enforce_checks(rendition: Rendition, options: WriteOptions) -> Rendition:
    """A rendition that failed a check of level ``error`` fails its input, unless
    ``keep_invalid`` keeps it (with an error diagnostic; the input still counts as failed). A
    failed check of level ``warning`` brought its warning diagnostic with it."""
    failed = [c for c in rendition.checks if not c.passed and c.level == "error"]
    if not failed:
        return rendition
    first = failed[0]
    message = (f"{rendition.writer or rendition.format} rendition failed {first.name} "
               f"({first.tool} {first.version})" + (f": {first.notes[0]}" if first.notes else ""))
    if not options.keep_invalid:
        raise ValidationError(message + "; not written (--keep-invalid keeps it)",
                              [message, *first.notes[1:]])
    return replace(rendition, diagnostics=(*rendition.diagnostics, Diagnostic(
        "error", f"{first.name}-failed", message + "; kept (--keep-invalid)")))


#: what ``converter check-fidelity`` renders by default: every rendition that is read back
FIDELITY_FORMATS = tuple(READ_BACKS)


def check_fidelity(article: Article, formats: Iterable[str] = FIDELITY_FORMATS,
                   options: WriteOptions | None = None, registry: Registry | None = None
                   ) -> dict[str, Check]:
    """Render ``article`` in each format in memory and read each rendition back (the pandoc
    ones too): the fidelity check of each format, in the order asked.

    Only the read-back runs, not the other checks of ``options.check`` (EPUBCheck). What the
    writers noticed, and the warning of a failed read-back, go to the article's provenance as
    with :func:`render`. Raises :class:`UsageError` for a format that is not read back.
    """
    options = options or WriteOptions()
    registry = registry or default_registry()
    wanted = list(dict.fromkeys(formats))
    for fmt in wanted:
        if registry.writer_info(fmt).name not in READ_BACKS:
            raise UsageError(f"{fmt!r} renditions are not read back; the fidelity read-back "
                             f"reads {', '.join(READ_BACKS)}")
    checkers = Checkers()
    results: dict[str, Check] = {}
    for fmt in wanted:
        rendition = make_rendition(article, fmt, replace(options, check=False), registry,
                                   checkers)
        if not any(c.name == "fidelity" for c in rendition.checks):  # the pandoc read-backs
            rendition = checkers.read_back(article, rendition, options, registry, force=True)
        record_diagnostics(article, rendition.diagnostics)
        check = next((c for c in rendition.checks if c.name == "fidelity"), None)
        if check is None:
            reader = READ_BACKS[registry.writer_info(fmt).name].reader
            raise UsageError(f"{fmt!r} renditions cannot be read back: no {reader} reader")
        results[fmt] = check
    return results


def render(article: Article, writer_name: str, options: WriteOptions | None = None,
           registry: Registry | None = None) -> bytes:
    """One rendition of an article as bytes (single-file writers only); what the writer noticed
    is recorded in the article's provenance."""
    rendition = make_rendition(article, writer_name, options, registry)
    record_diagnostics(article, rendition.diagnostics)
    return rendition.data


def record_diagnostics(article: Article, diagnostics: Iterable[Diagnostic]) -> None:
    """Add a writer's diagnostics to the article's provenance, each once."""
    for diagnostic in diagnostics:
        article.diagnose(diagnostic.level, diagnostic.code, diagnostic.message, diagnostic.place)


@dataclass
class OutputRecord:
    """One file or folder a conversion produced, with what Siegfried says it is."""

    format: str
    path: Path
    sha256: str | None
    size: int
    identification: Identification | None = None
    #: the checks that ran on it (the fidelity read-back, EPUBCheck, the JATS DTD)
    checks: tuple[Check, ...] = ()


@dataclass
class ConversionResult:
    """What converting one input produced, for reports and callers."""

    source: Path
    article: Article | None
    outputs: list[OutputRecord] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0


def destination_for(writer: Writer, out_dir: Path, stem: str, options: WriteOptions) -> Path:
    """Where a writer's output goes: ``out_dir/<stem><ext>``, or where a package writer says
    (the bag's archives are ``<stem>.bag.tar`` / ``.bag.tgz`` / ``.bag.zip``)."""
    if isinstance(writer, PackageWriter):
        return Path(writer.destination_for(out_dir, stem, options))
    return out_dir / f"{stem}{writer.extension}"


def write_package(article: Article, destination: Path, options: WriteOptions | None = None,
                  registry: Registry | None = None, writer_name: str = "bag",
                  made: Mapping[str, Rendition] | None = None,
                  checkers: Checkers | None = None) -> list[Diagnostic]:
    """Build a package (the bag) at ``destination`` from the renditions it holds.

    Renditions already ``made`` with these very options are reused (the ones written beside the
    package); the rest are made here. Returns, and records, what the package writer noticed.
    """
    options = options or WriteOptions()
    registry = registry or default_registry()
    writer = registry.writer(writer_name)
    if not isinstance(writer, PackageWriter):
        raise WriterError(f"the {writer_name} writer does not make packages")
    render_options = writer.render_options(options)
    names = writer.renditions(options)
    inputs: dict[str, Rendition] = dict(made or {}) if names is None else {}
    for name in names or ():
        reused = (made or {}).get(name) if render_options == options else None
        inputs[name] = reused or _package_rendition(article, name, writer.name, render_options,
                                                   registry, checkers)
    try:
        noticed = list(writer.write_to(article, destination, options, inputs))
    except (ConverterError, OSError):
        raise
    except Exception as exc:
        raise WriterError(f"{writer.name} writer failed: {type(exc).__name__}: {exc}") from exc
    # what the renditions made for the package noticed comes after what was known before it
    for name, rendition in inputs.items():
        if rendition is not (made or {}).get(name):
            record_diagnostics(article, rendition.diagnostics)
    record_diagnostics(article, noticed)
    return noticed


def _package_rendition(article: Article, name: str, package: str, options: WriteOptions,
                       registry: Registry, checkers: Checkers | None) -> Rendition:
    """A rendition for a package, or a PackageError that says why it cannot be one."""
    try:
        writer = registry.writer(name)
    except (ImportError, AttributeError) as exc:
        raise PackageError(f"cannot put a {name!r} rendition in the {package}: its writer is not "
                           f"available ({type(exc).__name__}: {exc})") from exc
    if isinstance(writer, PackageWriter) or not writer.extension:
        raise PackageError(f"a {name!r} rendition cannot go into a {package}: it is not a "
                           "single file")
    return make_rendition(article, name, options, registry, checkers)


def write_outputs(article: Article, out_dir: Path, stem: str, formats: Iterable[str],
                  options: WriteOptions | None = None, registry: Registry | None = None,
                  may_replace: Callable[[Path], bool] | None = None,
                  output_root: Path | None = None,
                  made: dict[str, Rendition] | None = None,
                  checkers: Checkers | None = None) -> list[OutputRecord]:
    """Write each format's rendition as ``out_dir/<stem><ext>``, atomically.

    Single-file renditions are made first and handed to package writers (the bag), so nothing is
    rendered twice; a caller writing one format at a time passes the same ``made`` dict to every
    call. ``may_replace(path)`` decides whether an existing destination may be replaced (default:
    never); ``output_root`` bounds where writes may land. The article's media resources
    (images extracted from docx, odt, epub, ...) are written too, at ``out_dir/<path>``
    (``media/<sha1>.<ext>``), so that the relative links in the renditions resolve; they follow
    the renditions' records, as format ``media``.
    """
    options = options or WriteOptions()
    registry = registry or default_registry()
    root = output_root or out_dir
    records = []
    made = {} if made is None else made
    writers = [(fmt, registry.writer(fmt)) for fmt in formats]
    # package writers last, so they can pack what the others made
    for fmt, writer in sorted(writers, key=lambda w: isinstance(w[1], PackageWriter)):
        target = ensure_inside(root, destination_for(writer, out_dir, stem, options))
        if target.exists() and not (may_replace and may_replace(target)):
            raise OutputExistsError(
                "exists and was not written by the converter; use --force to replace it",
                file=str(target))
        checks: tuple[Check, ...] = ()
        if isinstance(writer, PackageWriter):
            write_package(article, target, options, registry, fmt, made, checkers)
            size, digest = _measure(target)
        else:
            rendition = make_rendition(article, fmt, options, registry, checkers)
            record_diagnostics(article, rendition.diagnostics)
            made[writer.name] = rendition
            atomic_write_bytes(target, rendition.data)
            size, digest = len(rendition.data), hashlib.sha256(rendition.data).hexdigest()
            checks = rendition.checks
        found = identify_output(article, target, digest)
        records.append(OutputRecord(writer.name if ":" not in fmt else fmt, target, digest, size,
                                    found, checks))
    records.extend(write_media(article, out_dir, root, may_replace))
    return records


def identify_output(article: Article, target: Path, sha256: str | None) -> Identification | None:
    """What Siegfried says an output file is (a folder is not identified); a file it cannot
    identify is ``UNKNOWN`` with a warning, never a guess."""
    if not target.is_file():
        return None
    found = identify_file(target, sha256)
    if not found.known:
        article.diagnose("warning", "format-unidentified",
                         f"{target.name}: Siegfried cannot identify it ({found.warning})")
    return found


def write_media(article: Article, out_dir: Path, output_root: Path | None = None,
                may_replace: Callable[[Path], bool] | None = None) -> list[OutputRecord]:
    """Write ``article.resources`` at ``out_dir/<path>``, atomically, contained in the root.

    Media paths are content-addressed, so a file that already holds the same bytes is kept as is.
    """
    root = output_root or out_dir
    records = []
    for path, data in sorted(article.resources.items()):
        relative = PurePosixPath(path)
        if not path or relative.is_absolute() or "\\" in path or any(
                part in ("", ".", "..") for part in path.split("/")):
            raise WriterError(f"refusing a media path that leaves the output folder: {path!r}")
        target = ensure_inside(root, out_dir.joinpath(*relative.parts))
        if not (target.is_file() and target.read_bytes() == data):
            if target.exists() and not (may_replace and may_replace(target)):
                raise OutputExistsError(
                    "exists and was not written by the converter; use --force to replace it",
                    file=str(target))
            atomic_write_bytes(target, data)
        digest = hashlib.sha256(data).hexdigest()
        records.append(OutputRecord("media", target, digest, len(data),
                                    identify_output(article, target, digest)))
    return records


def _measure(target: Path) -> tuple[int, str | None]:
    if target.is_file():
        data = target.read_bytes()
        return len(data), hashlib.sha256(data).hexdigest()
    return sum(p.stat().st_size for p in target.rglob("*") if p.is_file()), None


def convert(source: str | Path, out_dir: str | Path, formats: Iterable[str] = ("json",
            "markdown"), read_options: ReadOptions | None = None,
            write_options: WriteOptions | None = None, *, force: bool = False,
            registry: Registry | None = None, stem: str | None = None) -> ConversionResult:
    """Parse one file and write the renditions into ``out_dir`` (library entry point)."""
    started = time.perf_counter()
    path = Path(source)
    read_options = read_options or ReadOptions()
    write_options = write_options or WriteOptions()
    article = parse(path, read_options, registry)
    if write_options.source_path is None:
        write_options = replace(write_options, source_path=path,
                                source_relative=write_options.source_relative or path.name)
    out = Path(out_dir)
    records = write_outputs(article, out, stem or path.stem, formats, write_options, registry,
                            may_replace=(lambda _p: True) if force else None)
    diagnostics = list(article.provenance.diagnostics) if article.provenance else []
    return ConversionResult(path, article, records, diagnostics, time.perf_counter() - started)


def parse_meta_overrides(pairs: Iterable[str]) -> Mapping[str, Any]:
    """``key=value`` strings (``--meta``) as a mapping; values may be JSON."""
    result: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--meta wants key=value, got {pair!r}")
        try:
            result[key.strip()] = loads_json(value)
        except ValueError:  # not JSON (or NaN, Infinity): the text itself
            result[key.strip()] = value
    return result


__all__ = [
    "FIDELITY_FORMATS", "ConversionResult", "OutputRecord", "__version__", "check_fidelity",
    "convert", "detect_format", "parse", "parse_bytes", "render", "write_media", "write_outputs",
]
