"""The batch's Archivematica transfer (``--to transfer``): ``OUT/transfer/<name>/``.

Like the collection EPUB it is one output of the whole batch, written once at the end: every
worker sends back its input's metadata.csv row (the Dublin Core cells of the article it read, see
:func:`converter.packaging.transfer.transfer_row`) instead of the article, the parent keeps the
rows with the inputs' paths, and :func:`write_batch_transfer` has
:mod:`converter.packaging.transfer` lay the folder out: the originals of every input that
converted (or was unchanged), their renditions and media with ``--transfer-renditions``,
``metadata/metadata.csv`` and ``metadata/checksum.sha256``. An input that failed is left out,
with a warning.

The folder is recorded in the ledger like any output: a later run replaces it only when it is
unchanged since (or with ``--force``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from pathlib import Path, PurePosixPath

from ..errors import ConverterError, PackageError, UsageError, describe_os_error
from ..fsutil import NAME_MAX, digest_path, ensure_inside
from ..model import Diagnostic
from ..packaging.transfer import RENDITIONS, Row, TransferFile, write_transfer
from .execute import relative_to
from .ledger import Ledger, LedgerEntry
from .report import BatchResult, InputResult, OutputInfo, Reporter

#: the ``--to`` name that asks for a transfer
TRANSFER = "transfer"
#: the folder under OUT that holds the transfer folder
FOLDER = "transfer"


def transfer_path(output: Path, name: str | None) -> Path:
    """``OUT/transfer/<name>``; the name defaults to the output folder's own name."""
    chosen = name if name is not None else (output.resolve().name or "transfer")
    encoded = chosen.encode("utf-8", "surrogateescape")
    if (not chosen.strip() or chosen in (".", "..") or chosen.startswith(".")
            or any(c in chosen for c in "/\\\x00") or len(encoded) > NAME_MAX):
        raise UsageError(f"--transfer-name must be a folder name (no '/', not hidden), got "
                         f"{chosen!r}")
    return output / FOLDER / chosen


def write_batch_transfer(path: Path, originals: Mapping[str, TransferFile], result: BatchResult,
                         renditions: bool, packages: Collection[str], ledger: Ledger,
                         reporter: Reporter, check_ours: Callable[[Path], None],
                         folders: Mapping[str, Row] | None = None) -> InputResult:
    """Write the transfer at ``path`` from the originals the workers sent rows for, with the
    renditions each input wrote when ``renditions`` (package outputs, the ``packages`` formats,
    stay out); ``check_ours`` refuses to replace a folder the converter did not write;
    ``folders``: the rows of groups' folders (``--group-renditions``)."""
    started = time.perf_counter()
    item = InputResult(f"transfer {path.name!r}", relative_to(path, result.output), "failed",
                       TRANSFER)
    try:
        inside = _outputs_inside(path, result)
        if inside:
            raise UsageError(f"the output {inside[0]} is inside the transfer folder {path}; "
                             "choose another --transfer-name")
        check_ours(ensure_inside(result.output, path))
        files = list(originals.values())
        if renditions:
            files.extend(_renditions(originals, result, packages))
        summary = write_transfer(path, files, folders)
        digest = digest_path(path)
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        ledger.finish([path], {path: LedgerEntry(digest, size, TRANSFER)})
        item.outputs.append(OutputInfo(TRANSFER, relative_to(path, result.output), digest,
                                       size))
        item.status = "ok"
        left_out = [r.relative for r in result.inputs if r.relative not in originals]
        if left_out:
            more = f" and {len(left_out) - 3} more" if len(left_out) > 3 else ""
            item.diagnostics.append(Diagnostic(
                "warning", "transfer-incomplete",
                f"{len(left_out)} input(s) did not convert and are not in the transfer: "
                f"{', '.join(left_out[:3])}{more}", str(path)))
        if not summary.files:
            item.diagnostics.append(Diagnostic("warning", "transfer-empty",
                                               "no input converted; the transfer is empty",
                                               str(path)))
    except ConverterError as exc:
        item.errors.append(str(exc))
    except OSError as exc:
        item.errors.append(f"{path}: {describe_os_error(exc)}")
    for error in item.errors:
        reporter.problem(error, fatal=True)
    for diagnostic in item.diagnostics:
        reporter.problem(str(diagnostic), fatal=False)
    item.seconds = time.perf_counter() - started
    return item


def _outputs_inside(path: Path, result: BatchResult) -> list[str]:
    """Outputs of this batch that lie in the transfer folder (replacing it would lose them)."""
    top = relative_to(path, result.output)
    return [o.path for r in result.inputs for o in r.outputs
            if o.path == top or o.path.startswith(top + "/")]


def _renditions(originals: Mapping[str, TransferFile], result: BatchResult,
                packages: Collection[str]) -> list[TransferFile]:
    """Each converted input's single-file outputs and media, under ``objects/renditions/`` at
    their paths in OUT (so the renditions' relative links to their media still resolve)."""
    files: dict[str, TransferFile] = {}
    for record in result.inputs:
        if record.relative not in originals:
            continue
        for output in record.outputs:
            source = result.output / output.path
            if output.format in packages or PurePosixPath(output.path).is_absolute() \
                    or not source.is_file():
                continue
            name = f"{RENDITIONS}/{output.path}"
            # media are content-addressed: two inputs of one folder may share one media file
            files.setdefault(name, TransferFile(name, source, output.sha256))
    for name in originals:
        if name == RENDITIONS or name.startswith(RENDITIONS + "/"):
            raise PackageError(f"the input {name} would be mixed with the renditions in "
                               f"objects/{RENDITIONS}/; leave out --transfer-renditions or "
                               "rename its folder")
    return list(files.values())


__all__ = ["FOLDER", "TRANSFER", "transfer_path", "write_batch_transfer"]
