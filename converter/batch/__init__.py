"""Batch conversion: folders in, a mirrored tree of outputs, a ledger, a report.

Modules, in the order a run goes through them::

    options.py    BatchOptions: the settings of one run
    run.py        run_batch: the one entry point (lock, discover, plan, execute, report)
    discovery.py  which files are inputs (links, special files, our own outputs)
    metadata.py   sidecar files and catalog CSVs (archivists' metadata)
    plan.py       each input's destinations; collisions and protected files refused early
    ledger.py     what the converter wrote under OUT (SQLite), for ownership and resume
    pool.py       executors: worker processes with a time limit per input, or inline
    dask.py       the executor for a Dask cluster (imported only with a scheduler; the extra
                  ``article-converter[dask]``)
    dask_tasks.py what runs on the Dask workers: the task, the worker plugin, the checks
    job.py        converting one input (runs in a worker)
    execute.py    jobs out, outcomes settled into the ledger and the report; Ctrl-C
    transfer.py   the batch's Archivematica transfer (--to transfer), written at the end
    report.py     InputResult, BatchResult, report.json, the Reporter protocol
    console.py    the terminal reporter the CLI uses
"""

from .options import BatchOptions
from .report import BatchResult, Ignored, InputResult, OutputInfo, Reporter
from .run import default_jobs, run_batch

__all__ = ["BatchOptions", "BatchResult", "Ignored", "InputResult", "OutputInfo", "Reporter",
           "default_jobs", "run_batch"]
