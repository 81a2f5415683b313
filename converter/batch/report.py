"""What a batch produced: one record per input, what was left out, and ``report.json``.

The report is canonical JSON (:func:`converter.model.canonical_json`), written in pieces
(:func:`json_chunks`) so that 100,000 inputs never sit in memory as one text. Progress goes to a
:class:`Reporter`; the library's default only logs, the CLI passes the console one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from .._version import __version__
from ..model import Diagnostic, canonical_json
from ..registry import Check

log = logging.getLogger("converter.batch")

Status = Literal["ok", "failed", "skipped"]
IgnoreReason = Literal["hidden", "sidecar", "unsupported", "not a regular file",
                       "link out of the input folder", "link to a folder", "converter output"]


@dataclass(frozen=True, slots=True)
class CheckInfo:
    """A check that ran on an output, as the report lists it (PREMIS has the rest)."""

    name: str
    passed: bool
    #: a measure where the check has one (fidelity: the share of the body's words kept)
    score: float | None
    notes: tuple[str, ...] = ()

    @classmethod
    def of(cls, check: Check) -> CheckInfo:
        return cls(check.name, check.passed, check.score, check.notes)


@dataclass(slots=True)
class OutputInfo:
    """One output as the report lists it (``path`` relative to OUT when inside it)."""

    format: str
    path: str
    sha256: str | None
    size: int
    #: what Siegfried says the file is (PRONOM PUID, name, version, MIME type, basis, warning)
    identification: dict[str, str] | None = None
    #: the checks that ran on it (fidelity read-back, EPUBCheck, JATS DTD); left out when none
    checks: list[CheckInfo] = field(default_factory=list)


@dataclass(slots=True)
class InputResult:
    """What happened to one input."""

    input: str
    relative: str
    status: Status
    format: str | None = None
    outputs: list[OutputInfo] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: why an input was skipped (``unchanged``, ``not started: --fail-fast``)
    reason: str | None = None
    seconds: float = 0.0
    #: what Siegfried says the input is
    identification: dict[str, str] | None = None
    #: the input whose outputs hold this one (``--group-renditions``: one article, several
    #: inputs)
    grouped_with: str | None = None
    #: how many times it was started: more than 1 when the worker converting it died (a Dask
    #: worker killed or lost) and the cluster ran it again elsewhere
    attempts: int = 1

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 4)
        for optional in ("identification", "grouped_with"):
            if data[optional] is None:
                del data[optional]
        for output in data["outputs"]:
            if output["identification"] is None:
                del output["identification"]
            if not output["checks"]:
                del output["checks"]
        if self.reason is None:
            del data["reason"]
        if self.attempts == 1:  # the usual case says nothing, as before retries existed
            del data["attempts"]
        return data


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """Inputs whose texts are one article (:mod:`converter.batch.similarity`)."""

    #: their paths relative to the input root, sorted
    inputs: tuple[str, ...]
    #: the lowest estimated containment between linked members (1.0: one text holds the other)
    similarity: float
    #: they became one package (``--group-renditions``)
    packaged: bool = False


@dataclass(frozen=True, slots=True)
class Ignored:
    """A file or folder the batch did not convert, and why."""

    path: str
    reason: IgnoreReason


@dataclass
class BatchResult:
    """The outcome of :func:`converter.batch.run_batch`; ``exit_code`` is the CLI's."""

    output: Path
    report_path: Path
    inputs: list[InputResult] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    #: batch-level problems (catalog rows that match nothing, orphan sidecars, skipped links)
    warnings: list[str] = field(default_factory=list)
    collection: InputResult | None = None
    #: the Archivematica transfer (``--to transfer``)
    transfer: InputResult | None = None
    #: inputs recognised as one article in several shapes
    groups: list[GroupInfo] = field(default_factory=list)
    #: the run was stopped (Ctrl-C) before every input was done
    interrupted: bool = False
    seconds: float = 0.0

    def count(self, status: Status) -> int:
        return sum(1 for r in self.inputs if r.status == status)

    @property
    def failed(self) -> bool:
        batch_failed = any(r is not None and r.status == "failed"
                           for r in (self.collection, self.transfer))
        return batch_failed or any(r.status == "failed" for r in self.inputs)

    @property
    def exit_code(self) -> int:
        """0 when every input converted (or was unchanged), 1 when any failed."""
        return 1 if self.failed else 0

    def summary(self) -> dict[str, Any]:
        ignored: dict[str, int] = {}
        for item in self.ignored:
            ignored[item.reason] = ignored.get(item.reason, 0) + 1
        return {
            "inputs": len(self.inputs), "ok": self.count("ok"), "failed": self.count("failed"),
            "skipped": self.count("skipped"), "ignored": dict(sorted(ignored.items())),
            "outputs": sum(len(r.outputs) for r in self.inputs),
            "warnings": len(self.warnings),
        }

    def to_dict(self, inputs: bool = True) -> dict[str, Any]:
        """The report: inputs sorted by path; only ``seconds`` fields vary between runs."""
        data: dict[str, Any] = {
            "converter": __version__,
            "output": str(self.output),
            "summary": self.summary(),
            "inputs": [r.to_dict() for r in self.inputs] if inputs else [],
            "ignored": [asdict(i) for i in self.ignored],
            "warnings": list(self.warnings),
            "groups": [asdict(g) for g in self.groups],
        }
        if self.collection is not None:
            data["collection"] = self.collection.to_dict()
        if self.transfer is not None:
            data["transfer"] = self.transfer.to_dict()
        if self.interrupted:
            data["interrupted"] = True
        data["seconds"] = round(self.seconds, 3)
        return data

    def to_json(self) -> str:
        """The report as canonical JSON text."""
        return "".join(self.json_chunks())

    def json_chunks(self) -> Iterator[str]:
        """The report's text in pieces, encoded one input at a time."""
        return json_chunks(self.to_dict(inputs=False), "inputs",
                           (r.to_dict() for r in self.inputs))


class Reporter(Protocol):
    """Receives progress; the CLI's console reporter prints, the default one logs."""

    def start(self, total: int) -> None: ...

    def problem(self, line: str, fatal: bool) -> None:
        """One ``file: place: reason`` line (``fatal``: an input failed)."""

    def advance(self, result: InputResult) -> None: ...

    def finish(self, result: BatchResult) -> None: ...


class LogReporter:
    """The library default: progress and problems through :mod:`logging`, nothing printed."""

    def start(self, total: int) -> None:
        log.info("converting %d input(s)", total)

    def problem(self, line: str, fatal: bool) -> None:
        log.log(logging.ERROR if fatal else logging.WARNING, "%s", line)

    def advance(self, result: InputResult) -> None:
        log.info("%s %s", result.status, result.input)

    def finish(self, result: BatchResult) -> None:
        log.info("batch done: %s", result.summary())


def json_chunks(data: Mapping[str, Any], key: str, members: Iterable[Any]) -> Iterator[str]:
    """The text of ``canonical_json(data)`` with ``data[key]`` filled from ``members``, in pieces.

    ``data[key]`` is an empty list (``members`` are its items) or an empty dict (``members`` are
    ``(name, value)`` pairs). Joined, the pieces are exactly the canonical JSON of the whole
    structure, but neither it nor its text is ever held in memory at once.
    """
    indent = " " * 4
    name = json.dumps(key, ensure_ascii=False)
    opening, closing = ("{", "}") if isinstance(data[key], dict) else ("[", "]")
    head, marker, tail = canonical_json(data).partition(f"\n  {name}: {opening}{closing}")
    if not marker:
        raise ValueError(f"{key!r} is not a top-level member of the document")
    yield f"{head}\n  {name}: "
    count = 0
    for member in members:
        if opening == "{":
            label, value = member
            prefix = f"{json.dumps(label, ensure_ascii=False)}: "
        else:
            prefix, value = "", member
        text = json.dumps(value, ensure_ascii=False, indent=2,
                          allow_nan=False).replace("\n", "\n" + indent)
        yield f"{opening if count == 0 else ','}\n{indent}{prefix}{text}"
        count += 1
    yield (f"\n  {closing}" if count else f"{opening}{closing}") + tail
