"""Executors: what runs the jobs of a batch. The parent plans, owns the ledger and the report;
an executor only runs :func:`converter.batch.job.run_job` somewhere and hands back outcomes.

* :class:`WorkerPool`: worker processes on this machine, one job each at a time; a worker that
  crashes or passes the time limit is killed and replaced, and only its input fails. The default.
* :class:`InlineExecutor`: this process, for a batch without a time limit (``timeout=0``) and a
  single worker; nothing can stop a job that hangs, so the CLI never uses it by default.

Both follow :class:`Executor`; ``converter.batch.dask`` adds one for a Dask cluster.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkContext, ForkServerContext, SpawnContext
from typing import Any, Protocol

from ..packaging.identify import warm_up
from ..registry import Registry
from .job import Outcome, run_job
from .plan import Job

#: prctl(2) option: the signal a process gets when its parent dies
_PR_SET_PDEATHSIG = 1

class Executor(Protocol):
    """Runs jobs; the batch submits while ``free`` and collects until nothing is ``running``."""

    @property
    def free(self) -> int:
        """How many more jobs may be submitted now."""

    @property
    def running(self) -> list[Job]:
        """The jobs submitted and not yet collected."""

    def submit(self, job: Job) -> None: ...

    def collect(self) -> list[tuple[Job, Outcome]]:
        """Wait for at least one submitted job to end (finished, crashed or timed out)."""

    def close(self) -> None:
        """Stop everything; jobs still running are abandoned (their workers killed)."""


class InlineExecutor:
    """Runs each job in this process when it is collected."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.running: list[Job] = []

    @property
    def free(self) -> int:
        return 0 if self.running else 1

    def submit(self, job: Job) -> None:
        self.running.append(job)

    def collect(self) -> list[tuple[Job, Outcome]]:
        job = self.running[0]
        outcome = run_job(job, self.registry)
        self.running.clear()
        return [(job, outcome)]

    def close(self) -> None:
        self.running.clear()


def _worker_main(conn: Connection, environ: Mapping[str, str | None]) -> None:
    """A worker: its own registry, jobs in, outcomes out, until told to stop.

    ``environ`` is the batch's own view of the variables that shape outputs
    (``SOURCE_DATE_EPOCH``...): a worker forked from the batch inherits them anyway, but one from
    a forkserver inherits the server's (started for an earlier batch, or on a Dask worker).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C stops
    _die_with_parent()
    for name, value in environ.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    warm_up()  # Siegfried loads while the first input is read and parsed
    registry = Registry.default()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        outcome = run_job(job, registry)
        try:
            conn.send(outcome)
        except OSError:  # the parent is gone: nobody to tell
            return
        except Exception as exc:  # an unpicklable article: still report the input
            with contextlib.suppress(OSError):
                conn.send(Outcome(job.index, "failed", errors=[
                    f"{job.display}: internal error: cannot return the result: {exc}"]))


def _die_with_parent() -> None:
    """Have Linux kill this worker when the process that started it dies.

    Nobody else enforces the time limit: a worker whose parent was killed (``kill -9`` of the
    batch, or of the Dask worker that runs it) would otherwise finish its input unwatched, or
    hang for ever on a bad one, and could write outputs after the batch has settled that input.
    From a forkserver the parent is the server, which exits when its own parent dies.
    """
    if sys.platform != "linux":  # pragma: no cover - elsewhere a worker ends at its next job
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    job: Job | None = None
    deadline: float | None = None
    #: inputs converted so far
    done: int = 0


#: a worker is replaced after this many inputs: Siegfried (Go, inside pygfried) keeps about
#: 5-10 KB of native memory per identified file (an input and each of its outputs) that the
#: worker cannot give back, so a worker that lived through a whole batch of 100,000 inputs
#: would grow by gigabytes; a fresh worker costs a fork and 0.15 s of loading signatures
JOBS_PER_WORKER = 500


class WorkerPool:
    """Worker processes with one job each at a time; a dead or late worker is replaced, and so
    is one that has converted :data:`JOBS_PER_WORKER` inputs (it gives its memory back).

    Workers are forked from this process while it has a single thread (the CLI's case): they
    inherit the imported readers and writers and the compiled schema validator, so a pool costs
    next to nothing to start. A process with other threads (a library caller, a progress bar)
    cannot fork safely; then workers come from a forkserver that preloads ``preload`` modules.
    ``environ``: variables each worker sets before its first job (``None``: unset).
    """

    def __init__(self, size: int, timeout: float | None, preload: Sequence[str] = (),
                 environ: Mapping[str, str | None] | None = None) -> None:
        self.size = size
        self.timeout = timeout or None
        self.preload = ["converter.batch.pool", *preload]
        self.environ = dict(environ or {})
        self.idle: list[_Worker] = []
        self.busy: list[_Worker] = []

    def _context(self) -> ForkContext | ForkServerContext | SpawnContext:
        methods = multiprocessing.get_all_start_methods()
        # Siegfried (pygfried) runs Go threads that threading cannot see and fork cannot copy:
        # a process that has identified a file must not fork its workers
        forkable = threading.active_count() == 1 and "pygfried" not in sys.modules
        if sys.platform == "linux" and "fork" in methods and forkable:
            return multiprocessing.get_context("fork")
        if "forkserver" in methods:
            context = multiprocessing.get_context("forkserver")
            # one forkserver per process: a server already running keeps its preload list
            context.set_forkserver_preload(self.preload)
            return context
        return multiprocessing.get_context("spawn")  # pragma: no cover - not POSIX

    def start(self) -> None:
        """Start every worker now (before the caller starts threads of its own)."""
        while len(self.idle) + len(self.busy) < self.size:
            self.idle.append(self._spawn())

    def _spawn(self) -> _Worker:
        context = self._context()
        parent, child = context.Pipe()
        process = context.Process(target=_worker_main, args=(child, self.environ),
                                  daemon=True,
                                  name="converter-worker")
        # a forked child shares the parent's memory until it writes to it; keep its garbage
        # collector from touching (and so copying) every object the parent holds
        gc.freeze()
        try:
            process.start()
        finally:
            gc.unfreeze()
        child.close()
        return _Worker(process, parent)

    def submit(self, job: Job) -> None:
        worker = self.idle.pop() if self.idle else self._spawn()
        worker.job = job
        worker.deadline = time.monotonic() + self.timeout if self.timeout else None
        try:
            worker.conn.send(job)
        except (OSError, ValueError):  # died while idle: a fresh one takes the job
            self._kill(worker)
            worker = self._spawn()
            worker.job, worker.deadline = job, (time.monotonic() + self.timeout
                                                if self.timeout else None)
            worker.conn.send(job)
        self.busy.append(worker)

    @property
    def free(self) -> int:
        return self.size - len(self.busy)

    @property
    def running(self) -> list[Job]:
        return [w.job for w in self.busy if w.job is not None]

    def collect(self) -> list[tuple[Job, Outcome]]:
        """Wait for at least one job to end (finished, crashed or timed out)."""
        deadlines = [w.deadline for w in self.busy if w.deadline is not None]
        wait_for = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        handles: list[Any] = [w.conn for w in self.busy] + [w.process.sentinel for w in self.busy]
        ready = set(wait(handles, timeout=wait_for))
        outcomes = []
        now = time.monotonic()
        for worker in list(self.busy):
            job = worker.job
            assert job is not None
            if worker.conn in ready or worker.process.sentinel in ready:
                outcome = self._receive(worker, job)
            elif worker.deadline is not None and now >= worker.deadline:
                self._kill(worker)
                outcome = Outcome(job.index, "failed", errors=[
                    f"{job.display}: timed out after {self.timeout:g} s; the worker was stopped"],
                    seconds=self.timeout or 0.0, lost=True)
            else:
                continue
            self.busy.remove(worker)
            outcomes.append((job, outcome))
        return outcomes

    def _receive(self, worker: _Worker, job: Job) -> Outcome:
        try:
            if worker.conn.poll():
                outcome: Outcome = worker.conn.recv()
                worker.job = worker.deadline = None
                worker.done += 1
                if worker.done >= JOBS_PER_WORKER:
                    self._retire(worker)  # the next submit() starts a fresh one
                else:
                    self.idle.append(worker)
                return outcome
        except (EOFError, OSError):
            pass
        worker.process.join(5)
        code = worker.process.exitcode
        self._kill(worker)
        if code is not None and code < 0:
            try:
                how = f"was killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"was killed by signal {-code}"
        else:
            how = f"exited with code {code}"
        return Outcome(job.index, "failed", lost=True, errors=[
            f"{job.display}: the worker process {how} while converting it"])

    def _retire(self, worker: _Worker) -> None:
        """Let an idle worker end (it exits when told to stop)."""
        with contextlib.suppress(Exception):
            worker.conn.send(None)
        worker.process.join(5)
        if worker.process.is_alive():
            self._kill(worker)
        with contextlib.suppress(Exception):
            worker.conn.close()

    def _kill(self, worker: _Worker) -> None:
        with contextlib.suppress(Exception):
            worker.process.kill()
            worker.process.join(5)
        with contextlib.suppress(Exception):
            worker.conn.close()

    def processes(self) -> list[multiprocessing.process.BaseProcess]:
        """The workers converting now (another thread may kill one; collect() then reports its
        job as lost)."""
        return [w.process for w in self.busy]

    def close(self) -> None:
        """Stop every worker (idle ones politely, busy ones by force).

        A busy worker is killed and reaped before this returns: the batch settles its job as
        lost right after, and a worker left running would go on writing outputs that the
        parent has already removed or accounted for (half an input's renditions after Ctrl-C).
        """
        for worker in self.busy:
            self._kill(worker)
        for worker in self.idle:
            self._retire(worker)
        self.busy, self.idle = [], []
