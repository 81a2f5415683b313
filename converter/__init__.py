"""article-converter: articles in, one canonical model, archival outputs out.

Subpackages and modules, in the order data flows through them (docs/architecture.md)::

    readers/      bytes -> Article      text, markdown, json, jats, html, pdf, pandoc (docx, ...)
    model/        Article, its blocks and inlines, JSON form, schema, metadata vocabulary
    writers/      Article -> Rendition  json, markdown, jats, epub, pandoc (any format)
    checks/       renditions checked after writing: EPUBCheck, the fidelity read-back
    packaging/    renditions + original -> packages: BagIt, OCFL, PREMIS, METS
    pandoc/       the bundled pandoc and its AST;  formats/: what a reader and writer share
    registry.py   the table of readers and writers, plus entry-point plug-ins
    pipeline.py   parse, render, convert: the library's engine
    batch/        folders, worker processes, ledger, resume, report; sidecars and catalogs
    errors.py     the exception tree; options.py: ReadOptions, WriteOptions; fsutil.py
    cli.py        the typer command line (thin)

Library use (docs/api.md)::

    from converter import parse, convert, validate, verify
    article = parse("article.txt")

Every call takes its settings as arguments (frozen option dataclasses), keeps no global mutable
state, never changes the working directory and is safe to call from several threads at once.
Heavy modules are imported on first use, so ``import converter`` stays cheap.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import (
    ConverterError,
    InputError,
    OutputExistsError,
    PackageError,
    SchemaError,
    UnknownFormatError,
    UsageError,
    ValidationError,
    WriterError,
)

# a library logs but never prints: without the application configuring logging, nothing shows
# (logging's last-resort handler would otherwise print warnings to stderr)
logging.getLogger(__name__).addHandler(logging.NullHandler())

_MODEL_NAMES = (
    "Article", "Block", "BlockQuote", "BulletList", "Citation", "Code",
    "CodeBlock", "ColumnSpec", "Contributor", "DefinitionItem", "DefinitionList", "Diagnostic",
    "Discarded", "Emphasis", "Figure", "Heading", "HorizontalRule", "Identifier",
    "Image", "Inline", "LineBlock", "LineBreak", "Link", "Math",
    "MediaResource", "Note", "OrderedList", "Paragraph", "Provenance", "Quoted",
    "Reference", "Rights", "SmallCaps", "SourcePublication", "Speech", "Strikeout",
    "Strong", "Subscript", "Superscript", "Table", "TableCell", "TableRow",
    "Text", "Underline",
)

if TYPE_CHECKING:
    from .batch import BatchOptions, BatchResult, InputResult, Reporter
    from .model import (
        Article,
        Block,
        BlockQuote,
        BulletList,
        Citation,
        Code,
        CodeBlock,
        ColumnSpec,
        Contributor,
        DefinitionItem,
        DefinitionList,
        Diagnostic,
        Discarded,
        Emphasis,
        Figure,
        Heading,
        HorizontalRule,
        Identifier,
        Image,
        Inline,
        LineBlock,
        LineBreak,
        Link,
        Math,
        MediaResource,
        Note,
        OrderedList,
        Paragraph,
        Provenance,
        Quoted,
        Reference,
        Rights,
        SmallCaps,
        SourcePublication,
        Speech,
        Strikeout,
        Strong,
        Subscript,
        Superscript,
        Table,
        TableCell,
        TableRow,
        Text,
        Underline,
    )
    from .options import BagOptions, EpubOptions, OcflOptions, ReadOptions, WriteOptions
    from .packaging.bagit.verify import VerifyReport
    from .packaging.ocfl.spec import OcflReport
    from .pipeline import ConversionResult, OutputRecord
    from .registry import Check, Registry

#: names served lazily from their modules (``from converter import Article``), so that
#: ``import converter`` (and ``converter --help``) loads none of them
_LAZY = {
    **dict.fromkeys(_MODEL_NAMES, "model"),
    **dict.fromkeys(("BagOptions", "EpubOptions", "OcflOptions", "ReadOptions", "WriteOptions"),
                    "options"),
    "BatchOptions": "batch", "BatchResult": "batch", "InputResult": "batch",
    "ConversionResult": "pipeline", "OutputRecord": "pipeline", "Registry": "registry",
    "Check": "registry",
    "VerifyReport": "packaging.bagit.verify", "OcflReport": "packaging.ocfl.spec",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'converter' has no attribute {name!r}")


def parse(source: str | os.PathLike[str] | bytes, options: ReadOptions | None = None, *,
          registry: Registry | None = None) -> Article:
    """Read a file (a path) or raw bytes into a validated :class:`Article`.

    The reader is ``options.format``, else the one for the file's extension, else the first whose
    ``sniff`` recognises the content. Raises :class:`InputError` or :class:`SchemaError`.
    """
    from .pipeline import parse as _parse

    return _parse(source if isinstance(source, bytes) else Path(source), options, registry)


def render(article: Article, writer: str, options: WriteOptions | None = None, *,
           registry: Registry | None = None) -> bytes:
    """One rendition of an article as bytes (``json``, ``markdown``, ``jats``, ``epub``, ...)."""
    from .pipeline import render as _render

    return _render(article, writer, options, registry)


def convert(source: str | os.PathLike[str], out_dir: str | os.PathLike[str],
            formats: Iterable[str] = ("json", "markdown"),
            read_options: ReadOptions | None = None, write_options: WriteOptions | None = None,
            *, force: bool = False, registry: Registry | None = None,
            stem: str | None = None) -> ConversionResult:
    """Parse one file and write its renditions as ``out_dir/<stem><ext>``, atomically.

    An existing destination is replaced only with ``force`` (:class:`OutputExistsError`
    otherwise). The result lists every output with its sha256 and the article's diagnostics.
    """
    from .pipeline import convert as _convert

    return _convert(Path(source), Path(out_dir), formats, read_options, write_options,
                    force=force, registry=registry, stem=stem)


def run_batch(inputs: Sequence[str | os.PathLike[str]], output: str | os.PathLike[str],
              options: BatchOptions | None = None, reporter: Reporter | None = None
              ) -> BatchResult:
    """Convert files and folders into ``output`` like ``converter convert`` (see batch.py)."""
    from .batch import BatchOptions
    from .batch import run_batch as _run_batch

    return _run_batch([Path(p) for p in inputs], Path(output), options or BatchOptions(),
                      reporter)


def check_fidelity(source: str | os.PathLike[str] | bytes,
                   formats: Iterable[str] = ("json", "markdown", "jats", "epub"),
                   read_options: ReadOptions | None = None,
                   write_options: WriteOptions | None = None, *,
                   registry: Registry | None = None) -> dict[str, Check]:
    """Parse an input, render each format in memory, read each rendition back and compare it
    with the article: the fidelity :class:`Check` of each format (``check.passed``,
    ``check.score``: the share of the body's words kept in order, ``check.notes``: what differs).

    ``write_options.fidelity_threshold`` sets the share a rendition must keep (default 1.0).
    """
    from .pipeline import check_fidelity as _check_fidelity

    article = parse(source, read_options, registry=registry)
    return _check_fidelity(article, formats, write_options, registry)


def validate(document: Article | dict[str, Any]) -> None:
    """Raise :class:`SchemaError` unless the article (or its JSON form) matches the schema."""
    from .model import Article
    from .model.schema import validate_article, validate_document

    if isinstance(document, Article):
        validate_article(document)
    else:
        validate_document(document)


def verify(path: str | os.PathLike[str]) -> VerifyReport | OcflReport:
    """Check a package; the report's ``valid`` says the verdict, ``errors`` and ``warnings``
    what was found. A bad package gives a report, not an exception.

    An OCFL storage root (``0=ocfl_1.1``) is checked with every object in it, an OCFL object
    (``0=ocfl_object_1.1``) on its own, with the OCFL specification's codes; anything else as
    a BagIt package (folder, tar, tgz or zip).
    """
    from .packaging.ocfl.verify import ocfl_kind, verify_ocfl

    if ocfl_kind(path):
        return verify_ocfl(path)
    from .packaging.bagit.verify import verify_bag

    return verify_bag(path)


__all__ = [
    "Article", "BagOptions", "BatchOptions", "BatchResult", "Block", "BlockQuote", "BulletList",
    "Check", "Citation", "Code", "CodeBlock", "ColumnSpec", "Contributor", "ConversionResult",
    "ConverterError", "DefinitionItem", "DefinitionList", "Diagnostic", "Discarded", "Emphasis",
    "EpubOptions", "Figure", "Heading", "HorizontalRule", "Identifier", "Image", "Inline",
    "InputError", "InputResult", "LineBlock", "LineBreak", "Link", "Math", "MediaResource", "Note",
    "OcflOptions", "OcflReport", "OrderedList", "OutputExistsError", "OutputRecord",
    "PackageError", "Paragraph", "Provenance", "Quoted", "ReadOptions", "Reference", "Registry",
    "Rights", "SchemaError", "SmallCaps", "SourcePublication", "Speech", "Strikeout", "Strong",
    "Subscript", "Superscript", "Table", "TableCell", "TableRow", "Text", "Underline",
    "UnknownFormatError", "UsageError", "ValidationError", "VerifyReport", "WriteOptions",
    "WriterError", "__version__", "check_fidelity", "convert", "parse", "render", "run_batch",
    "validate", "verify",
]
