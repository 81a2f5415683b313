"""What runs on the Dask workers of a batch (:mod:`.dask` is the parent's side).

Every scheduler and worker imports this module by name, so they need the same converter
installed as the parent (docs/scaling.md). Per Dask worker process:

* :class:`WorkerState`, a worker plugin, keeps converter worker processes: a
  :class:`~.pool.WorkerPool` of one per task running at once (a Dask worker thread). Dask never
  stops a running task, so the converter's own child process is what enforces the time limit
  and keeps a crashing reader from taking the Dask worker down: the same isolation as the
  local pool, with the same messages. The child dies with the Dask worker (``kill -9``), so a
  killed worker leaves nothing running behind the retry Dask starts elsewhere.
* :func:`convert` is the task: a few :class:`~.plan.Job` in, their :class:`~.job.Outcome` out.
  It never raises for an input's problem; an exception means the cluster could not run it.
* :func:`check_worker` answers the parent's start-up check (:func:`Client.run`): whether this
  worker sees the input and output folders, runs the same converter, and may start processes.
* :func:`abandon` stops this batch's conversions when the parent stops (Ctrl-C), before the
  parent removes their outputs, so none is written afterwards.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin, get_worker
from distributed.worker import Worker

from .._version import __version__
from .job import Outcome
from .plan import Job
from .pool import WorkerPool

#: the plugin's name on the workers; one converter version per cluster (see check_worker)
PLUGIN = f"converter-{__version__}"


@dataclass(frozen=True, slots=True)
class Settings:
    """What every task of one batch shares (sent with each task; small)."""

    #: the batch's id: part of every task key, and what :func:`abandon` names
    token: str
    #: seconds one input may take (``None``: no limit)
    timeout: float | None
    #: modules the converter worker processes import before their first job
    preload: tuple[str, ...]
    #: the parent's values of the variables that shape outputs (``SOURCE_DATE_EPOCH``)
    environ: tuple[tuple[str, str | None], ...]
    #: a file the parent wrote under OUT: a worker that cannot see it cannot see OUT
    marker: Path
    #: the parent's converter version: another one may write other bytes
    version: str


@dataclass
class _Slot:
    """One task's converter pool while it runs, and the child converting one of its inputs."""

    token: str
    pool: WorkerPool
    process: multiprocessing.process.BaseProcess | None = None


class WorkerState(WorkerPlugin):
    """The converter's processes on one Dask worker, shared by the tasks of every batch."""

    idempotent = True  # a second batch on the same cluster keeps the first one's processes

    def __init__(self, ignore_interrupts: bool = False) -> None:
        #: a cluster the batch started (``--scheduler local``) shares the terminal's process
        #: group: Ctrl-C must reach the parent only, which then stops the conversions itself
        #: (as the local pool's workers ignore it). Another cluster's workers keep theirs.
        self.ignore_interrupts = ignore_interrupts
        self._reset()

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[tuple[Any, ...], list[WorkerPool]] = {}
        self._running: list[_Slot] = []
        self._abandoned: set[str] = set()

    def __getstate__(self) -> dict[str, Any]:
        # sent to the workers without locks and processes: those are made there
        return {"ignore_interrupts": self.ignore_interrupts}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.ignore_interrupts = bool(state.get("ignore_interrupts"))
        self._reset()

    def setup(self, worker: Worker) -> None:
        if self.ignore_interrupts and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    def teardown(self, worker: Worker) -> None:
        """The Dask worker closes: stop every converter process it started."""
        with self._lock:
            pools = [p for pools in self._idle.values() for p in pools]
            pools += [slot.pool for slot in self._running]
            self._idle, self._running = {}, []
        for pool in pools:
            pool.close()

    def run(self, jobs: Sequence[Job], settings: Settings) -> list[Outcome]:
        """Convert inputs one after the other in a converter worker process, each with the
        batch's time limit."""
        key = (settings.timeout, settings.preload, settings.environ)
        with self._lock:
            idle = self._idle.get(key)
            pool = idle.pop() if idle else WorkerPool(
                1, settings.timeout, settings.preload, dict(settings.environ))
            slot = _Slot(settings.token, pool)
            self._running.append(slot)
        try:
            return [self._run_one(job, slot) for job in jobs]
        finally:
            with self._lock:
                self._running.remove(slot)
                self._idle.setdefault(key, []).append(pool)

    def _run_one(self, job: Job, slot: _Slot) -> Outcome:
        with self._lock:
            if slot.token in self._abandoned:
                return _interrupted(job)
        slot.pool.submit(job)
        with self._lock:  # abandon() may have come since the check above
            slot.process = slot.pool.processes()[0]
            if slot.token in self._abandoned:
                slot.process.kill()
        while not (done := slot.pool.collect()):  # woken a little before the deadline
            pass
        with self._lock:
            slot.process = None
        return done[0][1]

    def abandon(self, token: str) -> int:
        """Kill the processes converting this batch's inputs, and start none for it again."""
        with self._lock:
            self._abandoned.add(token)
            victims = [s.process for s in self._running if s.token == token and s.process]
        for process in victims:
            process.kill()
        return len(victims)


def _interrupted(job: Job) -> Outcome:
    return Outcome(job.index, "failed", lost=True, errors=[
        f"{job.display}: interrupted; its outputs were removed"])


def convert(jobs: Sequence[Job], settings: Settings) -> list[Outcome]:
    """The task: inputs converted on this Dask worker, in order (see :class:`WorkerState`)."""
    worker = get_worker()
    if settings.version != __version__:  # raised: the batch stops with this line
        raise RuntimeError(f"the Dask worker {worker.address} runs converter {__version__}, "
                           f"the batch {settings.version}")
    state = worker.plugins.get(PLUGIN)
    if not isinstance(state, WorkerState):
        raise RuntimeError(f"the {PLUGIN} worker plugin is missing on {worker.address}")
    if not settings.marker.is_file():  # a worker that joined after the start-up check
        return [Outcome(job.index, "failed", errors=[
            f"{job.display}: the Dask worker {worker.address} ({socket.gethostname()}) cannot "
            f"see the output folder {job.output}; inputs and outputs must be on a file system "
            "every worker mounts at the same path"]) for job in jobs]
    return state.run(jobs, settings)


def check_worker(paths: Sequence[str], marker: str, token: str, version: str,
                 dask_worker: Worker) -> list[str]:
    """What keeps this worker from converting the batch, one phrase each (empty: nothing)."""
    problems = []
    if version != __version__:
        problems.append(f"runs converter {__version__}, not {version}")
    if multiprocessing.current_process().daemon:
        problems.append("is a daemonic process, which cannot start the converter's worker "
                        "processes: start it with DASK_DISTRIBUTED__WORKER__DAEMON=False")
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        problems.append(f"cannot see {', '.join(missing)}")
    try:
        seen = Path(marker).read_text(encoding="utf-8")
    except OSError:
        seen = None
    if seen != token:
        problems.append(f"cannot see the output folder ({marker} is missing there)")
    return problems


def abandon(token: str, dask_worker: Worker) -> int:
    """Stop this batch's conversions on this worker (:meth:`WorkerState.abandon`)."""
    state = dask_worker.plugins.get(PLUGIN)
    return state.abandon(token) if isinstance(state, WorkerState) else 0
