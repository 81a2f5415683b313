"""Running the bundled pandoc (3.9, from pypandoc-binary) safely, one process per document.

The binary is located once through ``pypandoc.get_pandoc_path()`` and then started directly with
:mod:`subprocess`: pypandoc's own ``convert_text`` starts three extra processes per call to check
format names (nine on the first call), which doubles the cost of a small document.

Every run follows the advice of pandoc's manual (section "A note on security"):

* no shell: the argument list goes to ``execve`` as is;
* ``--sandbox``: readers and writers may read no file but their input, and fetch nothing over the
  network, so a hostile document cannot pull ``/etc/passwd`` in as an "image";
* a size limit (checked by the caller before pandoc starts), a time limit (the process is killed
  when it runs over) and a heap cap (``+RTS -M``) per document;
* a private working folder as ``HOME`` and a fixed ``C.UTF-8`` locale, so user data files and
  locale settings cannot change the output.

Failures become one :class:`~converter.errors.ConverterError` line carrying pandoc's own message.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConverterError, UsageError

#: heap cap for one pandoc process: generous for real documents, fatal for decompression bombs
MIN_HEAP_BYTES = 1024 * 1024 * 1024
HEAP_PER_INPUT_BYTE = 16

_MESSAGE_LIMIT = 400


@dataclass(frozen=True)
class PandocResult:
    """What one pandoc run produced: its output and the warnings it printed."""

    output: bytes
    warnings: list[str]


@functools.cache
def pandoc_path() -> str:
    """The bundled pandoc binary (cached: asking pypandoc costs a file-system walk)."""
    try:
        import pypandoc

        path = str(pypandoc.get_pandoc_path())
    except (OSError, ImportError) as exc:
        raise UsageError(f"pandoc is not available: {exc}; install pypandoc-binary") from exc
    return path


@functools.cache
def pandoc_version() -> str:
    """The bundled pandoc's version (``3.9``), for provenance records."""
    import subprocess

    try:
        done = subprocess.run([pandoc_path(), "--version"], capture_output=True, timeout=60,
                              check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    first = done.stdout.decode("utf-8", "replace").split("\n", 1)[0]
    return first.split()[-1] if first.strip() else "unknown"


def split_format(name: str) -> str:
    """The base name of a pandoc format spec (``gfm-raw_html+smart`` -> ``gfm``)."""
    return re.split(r"[+-]", name, maxsplit=1)[0].strip().lower()


def one_line(text: str, limit: int = _MESSAGE_LIMIT) -> str:
    """Pandoc's (often multi-line) message as one line, shortened to ``limit`` characters."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    if len(lines) >= 2 and lines[-1] == "^":  # a parse error quotes the line and marks a column
        lines = lines[:-2]
    joined = ""
    for line in filter(None, lines):
        joined += ("" if not joined else " " if joined.endswith(":") else "; ") + line
    return joined if len(joined) <= limit else joined[: limit - 1] + "…"


def run_pandoc(args: Sequence[str], data: bytes, *, timeout: float, workdir: Path,
               error: type[ConverterError], action: str,
               env: Mapping[str, str] | None = None) -> PandocResult:
    """Run pandoc once on ``data`` (its stdin) and return its stdout.

    ``workdir`` is a private folder of the caller (pandoc's ``HOME``); ``error`` is the exception
    class to raise (InputError when reading, WriterError when writing); ``action`` completes the
    sentence "pandoc could not ..." in messages.
    """
    heap = max(MIN_HEAP_BYTES, HEAP_PER_INPUT_BYTE * len(data)) // (1024 * 1024)
    command = [pandoc_path(), "+RTS", f"-M{heap}m", "-RTS", "--sandbox", *args]
    environment = {"HOME": str(workdir), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
                   "PATH": os.defpath, **(env or {})}
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=timeout,
                              env=environment, cwd=workdir, check=False)
    except subprocess.TimeoutExpired as exc:
        raise error(f"pandoc could not {action}: stopped after the {timeout:g}-second time limit"
                    ) from exc
    except OSError as exc:
        raise error(f"pandoc could not {action}: cannot start pandoc: {exc}") from exc
    stderr = done.stderr.decode("utf-8", errors="replace")
    if done.returncode != 0:
        message = one_line(stderr) or f"exit status {done.returncode}"
        raise error(f"pandoc could not {action}: {message}")
    warnings = [one_line(w) for w in re.split(r"^\[WARNING\] ", stderr, flags=re.MULTILINE)
                if w.strip()]
    return PandocResult(done.stdout, warnings)
