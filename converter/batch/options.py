"""The settings of one batch run (the ``convert`` command's options, as a frozen dataclass)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..options import ReadOptions, WriteOptions

if TYPE_CHECKING:  # dask is an extra, imported only when a batch runs on a cluster
    from distributed import Client


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch."""

    #: writer names; ``epub`` with ``write.epub.collection_title`` makes one collection EPUB;
    #: ``transfer`` makes one Archivematica transfer of the batch (:mod:`.transfer`)
    formats: tuple[str, ...] = ("json", "markdown")
    #: read options for every input (``overrides`` are the command line's ``--meta``/``--title``)
    read: ReadOptions = field(default_factory=ReadOptions)
    write: WriteOptions = field(default_factory=WriteOptions)
    #: worker processes; ``None``: the CPU count
    jobs: int | None = None
    #: run the inputs on a Dask cluster (docs/scaling.md): a scheduler address
    #: (``tcp://10.0.0.5:8786``), a scheduler file, ``"local"`` (a LocalCluster of ``jobs``
    #: processes) or a ``distributed.Client`` the caller owns (left open). ``None``: the local
    #: worker pool
    scheduler: str | Client | None = None
    #: replace files the converter did not write; redo unchanged inputs. Never an input, a
    #: sidecar or the catalog: those are refused with or without ``force``
    force: bool = False
    fail_fast: bool = False
    #: an input with warning diagnostics counts as failed (and keeps no outputs)
    fail_on_warnings: bool = False
    #: where the JSON report goes (default ``OUT/report.json``)
    report_path: Path | None = None
    #: a catalog CSV (Archivematica ``metadata.csv`` style)
    catalog: Path | None = None
    #: seconds one input may take (each input runs in a worker process); ``None`` or 0: no
    #: limit, and a single input or ``jobs=1`` then runs in this process
    timeout: float | None = 300.0
    #: follow symbolic links that lead out of an input folder (default: skip them, with a line)
    follow_links: bool = False
    quiet: bool = False
    verbose: bool = False
    #: the transfer's folder name, ``OUT/transfer/<name>`` (default: the output folder's name)
    transfer_name: str | None = None
    #: put each input's renditions and media into the transfer too (``objects/renditions/``)
    transfer_renditions: bool = False
    #: inputs whose texts are one article (a clean text and its scraped web page) become one
    #: package: one set of outputs with every original and the metadata merged
    #: (:mod:`.groups`); without it, the groups are only listed in the report
    group_renditions: bool = False
