"""The exception tree: every fatal problem the library raises.

::

    ConverterError                 anything this package raises on purpose
    ├── UsageError                 a bad option or an unknown reader/writer name
    │   └── UnknownFormatError
    ├── InputError                 the input cannot be read (binary, empty, undecodable, malformed)
    ├── SchemaError                a document breaks schemas/article.schema.json
    ├── WriterError                a writer cannot produce its output
    ├── PackageError               a BagIt package cannot be built
    ├── ValidationError            an output fails its external validator (JATS DTD, ...)
    └── OutputExistsError          the destination holds a file we did not write (use --force)

Every seam with a third-party library (lxml, ebooklib, jsonschema, pandoc, bagit) re-raises as
one of these with ``raise ... from exc``, so callers catch one type and the CLI prints one line.
Non-fatal problems are not exceptions: they are :class:`converter.model.Diagnostic` records.
"""

from __future__ import annotations

import errno
import re

#: characters that would break a one-line message: C0 controls (newline, tab, ...), DEL, C1
#: controls and the Unicode line and paragraph separators
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

#: how an OSError reads in a one-line message, by errno (the rest: its own strerror)
_OS_ERRORS = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENAMETOOLONG: "file name too long",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "read-only file system",
    errno.ENOENT: "no such file or folder",
    errno.EISDIR: "is a folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EEXIST: "exists",
    errno.EIO: "input/output error",
}


def one_line(text: str) -> str:
    """``text`` with every control character %-encoded (``\\n`` -> ``%0A``), as BagIt manifests
    encode line breaks: a file name with a newline must not split a message in two."""
    return _CONTROL.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), text)


def describe_os_error(exc: OSError) -> str:
    """``path: reason`` for an operating-system error, in words (``no space left on device``)."""
    reason = _OS_ERRORS.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
    where = exc.filename if exc.filename is not None else None
    return f"{one_line(str(where))}: {reason}" if where is not None else reason


class ConverterError(Exception):
    """Base of everything the converter raises on purpose.

    ``file`` and ``place`` locate the problem; ``str()`` gives the one-line form the CLI prints.
    """

    def __init__(self, message: str, *, file: str | None = None, place: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.place = place

    def __str__(self) -> str:
        parts = [one_line(p) for p in (self.file, self.place) if p]
        return ": ".join([*parts, _CONTROL.sub(" ", self.message)])

    def located(self, file: str) -> ConverterError:
        """Attach the input file name when the raiser did not know it."""
        if not self.file:
            self.file = file
        return self


class UsageError(ConverterError):
    """A caller mistake: bad option value, unknown format name."""


class UnknownFormatError(UsageError):
    """A reader or writer name that the registry does not know."""


class InputError(ConverterError):
    """The input cannot be turned into an article."""


class SchemaError(ConverterError):
    """A document does not validate against the canonical schema.

    ``errors`` holds every violation as ``path: message`` strings.
    """

    def __init__(self, message: str, errors: list[str] | None = None, **kw: str | None) -> None:
        super().__init__(message, **kw)
        self.errors = errors or [message]


class WriterError(ConverterError):
    """A writer cannot render the article."""


class PackageError(ConverterError):
    """A BagIt package cannot be built or serialized."""


class ValidationError(ConverterError):
    """An output or a file fails validation by an external validator.

    ``errors`` holds every violation the validator reported.
    """

    def __init__(self, message: str, errors: list[str] | None = None, **kw: str | None) -> None:
        super().__init__(message, **kw)
        self.errors = errors or message.splitlines()


class OutputExistsError(ConverterError):
    """The destination exists and was not written by the converter."""
