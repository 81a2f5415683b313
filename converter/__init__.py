"""article-converter: articles in, one canonical model, archival outputs out.

Subpackages and modules, in the order data flows through them::

    readers/      bytes -> Article      text, markdown, json, jats, html, pandoc (docx, odt, ...)
    model.py      Article and its blocks and inlines (mirrors schemas/article.schema.json)
    schema.py     validation against the canonical schema, errors with JSON paths
    writers/      Article -> bytes      json, markdown, jats, epub, bagit, pandoc (any format)
    registry.py   the table of readers and writers, plus entry-point plug-ins
    pipeline.py   parse, render, convert: the library's engine
    batch.py      folders, parallel workers, report, resume
    bagit/        building and verifying BagIt packages (RFC 8493)
    errors.py     the exception tree; options.py: ReadOptions, WriteOptions
    cli.py        the typer command line (thin)

Library use::

    from converter import parse, convert, validate, verify
    article = parse("article.txt")
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

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
from .model import Article, Diagnostic
from .options import BagOptions, EpubOptions, ReadOptions, WriteOptions

if TYPE_CHECKING:
    from .pipeline import ConversionResult


def parse(source: Any, options: ReadOptions | None = None) -> Article:
    """Read a file path or bytes into a validated :class:`Article`."""
    from .pipeline import parse as _parse

    return _parse(source, options)


def convert(source: Any, out_dir: Any, formats: Any = ("json", "markdown"),
            read_options: ReadOptions | None = None, write_options: WriteOptions | None = None,
            *, force: bool = False) -> ConversionResult:
    """Parse one file and write its renditions into ``out_dir``."""
    from .pipeline import convert as _convert

    return _convert(source, out_dir, formats, read_options, write_options, force=force)


def validate(document: Article | dict[str, Any]) -> None:
    """Raise :class:`SchemaError` unless the article (or its JSON form) matches the schema."""
    from .schema import validate_article, validate_document

    if isinstance(document, Article):
        validate_article(document)
    else:
        validate_document(document)


def verify(bag: Any) -> Any:
    """Check a BagIt package (folder, tar, tgz or zip); returns a report with ``.valid``."""
    from .bagit.verify import verify_bag

    return verify_bag(bag)


__all__ = [
    "Article", "BagOptions", "ConverterError", "Diagnostic", "EpubOptions", "InputError",
    "OutputExistsError", "PackageError", "ReadOptions", "SchemaError", "UnknownFormatError",
    "UsageError", "ValidationError", "WriteOptions", "WriterError", "__version__", "convert",
    "parse", "validate", "verify",
]
