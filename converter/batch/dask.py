"""Running a batch on a Dask cluster: :class:`DaskExecutor` (docs/scaling.md).

Imported only when a batch is given a scheduler (``converter convert --scheduler ADDRESS``,
``BatchOptions.scheduler``), so ``import converter`` and the CLI load dask only then.

The parent does what it does with the local pool (:mod:`.execute`): it plans, records each
job's destinations in flight before submitting it, and settles each outcome into the ledger and
the report. The cluster only runs :func:`.dask_tasks.convert`, which runs the same
:func:`~.job.run_job` in a converter worker process on a Dask worker. Hence:

* the same outputs, byte for byte: the same code, and the batch's ``SOURCE_DATE_EPOCH`` travels
  with every task (:data:`~.job.OUTPUT_ENVIRONMENT`); the same time limit and isolation;
* inputs go out in a bounded window (:attr:`DaskExecutor.free`), so 100,000 inputs never sit in
  the scheduler, and each result is released as soon as it is settled: the parent stays flat;
* a Dask worker that dies mid-task (``kill -9``, the nanny's memory limit, a lost machine): the
  scheduler runs the task again on another worker, which replaces what the dead one completed
  (each rendition is written whole, :func:`~.job.run_job` lets a retry replace destinations that
  did not exist at planning time). The scheduler's ``remove-worker`` event names the tasks the
  worker had; their outcomes carry ``attempts``, which the report shows. After
  ``distributed.scheduler.allowed-failures`` + 1 deaths the input fails alone (KilledWorker);
* the scheduler gone (killed: Dask cancels every future at once) or silent for
  ``distributed.comm.timeouts.connect`` (hung: Dask would wait for ever): a
  :class:`ConverterError` ends the batch. What was settled stays in the ledger; what was in
  flight stays in flight, so the next run redoes exactly that (:mod:`.ledger`);
* inputs and outputs are paths every worker sees at the same place: checked when the executor
  starts (:func:`.dask_tasks.check_worker`) and by every task (a worker that joins later).
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any, TypeVar, cast

import dask
from dask.utils import parse_timedelta
from distributed import Client, Future, KilledWorker, LocalCluster, wait

from .._version import __version__
from ..errors import ConverterError
from .dask_tasks import PLUGIN, Settings, WorkerState, abandon, check_worker, convert
from .job import OUTPUT_ENVIRONMENT, Outcome
from .ledger import STATE_DIR
from .plan import Job

log = logging.getLogger("converter.batch")

#: the start of the name of the file each batch writes under ``OUT/.converter`` for the workers
MARKER_PREFIX = "dask-"
#: seconds between checks that the scheduler still answers, while no task ends
POLL = 5.0
#: seconds between asking the scheduler for its thread count while tasks do end (the window
#: follows a cluster that grows or shrinks)
REFRESH = 10.0
#: how often one task is sent again after its future was cancelled by a lost connection
RESEND = 3
#: what one task should take (Dask's advice: well above its ~1 ms of overhead per task; each
#: task here also costs a round trip and a result fetch); inputs per task follow from it
TASK_SECONDS = 0.5
FIRST_CHUNK = 4
MAX_CHUNK = 32
#: ``--scheduler local``: workers that may start processes (the converter's own, one per
#: task), and fewer wake-ups: with Dask's defaults an idle 2-worker LocalCluster keeps about a
#: tenth of a CPU busy (profiler every 10 ms, event-loop ticks every 20 ms, monitors), which a
#: 2-CPU machine takes from the conversions (docs/scaling.md)
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.daemon": False,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}


class DaskExecutor:
    """Runs jobs as tasks on a Dask cluster (the :class:`~.pool.Executor` protocol).

    Make one with :meth:`start`. Jobs go out in chunks, one task each: a Dask task costs the
    cluster milliseconds of bookkeeping, about what converting a small article costs, so each
    task carries enough inputs to take about :data:`TASK_SECONDS` (measured as results come
    in). The window holds ``window`` tasks (default: twice the cluster's threads, at least 8).
    ``owned``: what :meth:`close` closes besides the batch's tasks (the client and the cluster
    :meth:`start` made; a client the caller passed stays open).
    """

    def __init__(self, client: Client, settings: Settings, window: int | None = None,
                 owned: Sequence[Any] = (), on_this_machine: bool = False) -> None:
        self.client = client
        #: the workers run on this machine (``--scheduler local``): they may use its services
        self.on_this_machine = on_this_machine
        self.settings = settings
        self.address = str(client.scheduler.address if client.scheduler else "?")
        self.patience = float(parse_timedelta(
            dask.config.get("distributed.comm.timeouts.connect"), default="seconds") or 30.0)
        self.fixed_window = window
        self.window = window or 8
        self.threads = 1
        #: inputs per task, from the mean seconds per input so far
        self.chunk = FIRST_CHUNK
        self._mean: float | None = None
        self.owned = list(owned)
        self._waiting: list[Job] = []
        self._futures: dict[str, tuple[Future[list[Outcome]], list[Job]]] = {}
        #: per task key: how many workers died holding it (the scheduler's events)
        self._retries: dict[str, int] = {}
        #: tasks sent again after the client lost the scheduler for a moment: key -> times
        self._resent: dict[str, int] = {}
        #: per job index: deaths of earlier tasks that held it (a chunk sent again job by job)
        self._deaths: dict[int, int] = {}
        self._lock = threading.Lock()
        self._count = 0
        self._refreshed = 0.0
        self._lost = False
        self._closed = False

    # ------------------------------------------------------------------ starting

    @classmethod
    def start(cls, scheduler: str | Client, *, jobs: int, inputs: Sequence[Path],
              output: Path, timeout: float | None, preload: Sequence[str] = (),
              window: int | None = None) -> DaskExecutor:
        """Connect (or start a LocalCluster of ``jobs`` processes for ``"local"``), check the
        workers, and get ready to submit.

        ``scheduler``: ``"local"``, an address (``tcp://10.0.0.5:8786``), the path of a
        scheduler file (``dask scheduler --scheduler-file``), or a :class:`distributed.Client`.
        """
        client, owned = _connect(scheduler, jobs)
        token = uuid.uuid4().hex[:16]
        marker = Path(os.path.abspath(output)) / STATE_DIR / f"{MARKER_PREFIX}{token}"
        settings = Settings(token, timeout or None, tuple(preload), tuple(
            (name, os.environ.get(name)) for name in OUTPUT_ENVIRONMENT), marker, __version__)
        executor = cls(client, settings, window, owned, on_this_machine=scheduler == "local")
        try:
            for stale in marker.parent.glob(f"{MARKER_PREFIX}*"):  # OUT is locked: not ours
                stale.unlink(missing_ok=True)
            marker.write_text(token, encoding="utf-8")
            executor._check_workers(_landmarks(inputs))
            client.register_plugin(WorkerState(ignore_interrupts=scheduler == "local"),
                                   name=PLUGIN)
            client.subscribe_topic("all", executor._on_event)
        except BaseException:
            executor.close()
            raise
        return executor

    def _check_workers(self, paths: Sequence[str]) -> None:
        """Every worker present sees ``paths`` and OUT and runs this converter; a clear error
        naming the workers that do not (a worker that joins later is checked by each task)."""
        self._refresh()
        answers = self._call("checking the workers", self.client._run, check_worker, paths,
                             str(self.settings.marker), self.settings.token, __version__,
                             on_error="return")
        problems = []
        for worker, answer in sorted(answers.items()):
            if isinstance(answer, BaseException):
                answer = [f"failed the check: {type(answer).__name__}: {answer}"]
            problems += [f"the Dask worker {worker} {problem}" for problem in answer]
        if problems:
            raise ConverterError(
                "; ".join(problems) + ". Inputs and outputs must be on a file system every "
                f"worker mounts at the same path, and every worker needs converter "
                f"{__version__} (docs/scaling.md)", file=self.address)

    # ------------------------------------------------------------------ the Executor protocol

    @property
    def free(self) -> int:
        return self.window * self.chunk - len(self._waiting) - sum(
            len(jobs) for _future, jobs in self._futures.values())

    @property
    def running(self) -> list[Job]:
        return [*self._waiting, *(job for _future, jobs in self._futures.values()
                                  for job in jobs)]

    def submit(self, job: Job) -> None:
        """Queue the job; :meth:`collect` sends what is queued, in chunks."""
        self._waiting.append(job)

    def _send(self) -> None:
        """The queued jobs as tasks of about ``chunk`` inputs; at the start (nothing out yet),
        over at least as many tasks as the cluster has threads."""
        jobs, self._waiting = self._waiting, []
        count = -(-len(jobs) // self.chunk)
        if not self._futures:
            count = max(count, min(len(jobs), self.threads))
        # interleaved: neighbours in the plan tend to be alike in size
        self._dispatch([jobs[n::count] for n in range(count)])

    def _dispatch(self, parts: list[list[Job]]) -> list[str]:
        keys = []
        for part in parts:
            self._count += 1
            key = f"converter-{self.settings.token}-{self._count}"
            try:
                future = self.client.submit(
                    convert, [_for_workers(j, self.on_this_machine) for j in part],
                    self.settings, key=key, pure=False)
            except Exception as exc:
                raise self._lost_error(exc) from exc
            self._futures[key] = (future, part)
            keys.append(key)
        return keys

    def collect(self) -> list[tuple[Job, Outcome]]:
        """Send what is queued, then wait for at least one task to end; every few seconds
        without one, make sure the scheduler still answers (Dask never notices a hung one)."""
        if self._waiting:
            self._send()
        while True:
            try:
                done = wait([f for f, _jobs in self._futures.values()], timeout=POLL,
                            return_when="FIRST_COMPLETED").done
            except TimeoutError:
                done = set()
            except (OSError, CancelledError) as exc:
                raise self._lost_error(exc) from exc
            outcomes = []
            for future in done:
                outcomes += self._outcomes(future)
            if time.monotonic() - self._refreshed > REFRESH:
                self._refresh()
            if outcomes:
                self._learn(outcomes)
                return outcomes
            if not done:
                self._refresh()

    def _learn(self, outcomes: list[tuple[Job, Outcome]]) -> None:
        """Follow the mean seconds per input: chunks of about TASK_SECONDS."""
        for _job, outcome in outcomes:
            seconds = max(outcome.seconds, 0.001)
            self._mean = seconds if self._mean is None else 0.9 * self._mean + 0.1 * seconds
        self.chunk = max(1, min(MAX_CHUNK, round(TASK_SECONDS / (self._mean or TASK_SECONDS))))

    def _outcomes(self, future: Future[list[Outcome]]) -> list[tuple[Job, Outcome]]:
        """The outcomes of a task that ended (none: its result is not there after all, or
        its inputs were sent again one by one)."""
        key = str(future.key)
        jobs = self._futures[key][1]
        with self._lock:
            deaths = self._retries.get(key, 0)
        if future.status == "finished":
            try:
                outcomes: list[Outcome] = future.result(timeout=self.patience)
            except TimeoutError:  # its worker died since: the scheduler computes it again
                return []
            except (OSError, CancelledError) as exc:  # the scheduler went meanwhile
                raise self._lost_error(exc) from exc
            self._forget(key)
            pairs = list(zip(jobs, outcomes, strict=True))
            for job, outcome in pairs:
                outcome.attempts = 1 + deaths + self._deaths.pop(job.index, 0)
            return [(job, _local(outcome, job)) for job, outcome in pairs]
        if future.status == "error" and isinstance(future.exception(), KilledWorker):
            self._forget(key)
            for job in jobs:
                self._deaths[job.index] = self._deaths.get(job.index, 0) + deaths
            if len(jobs) > 1:  # one of them kills workers: each alone, so only it fails
                self._dispatch([[job] for job in jobs])
                return []
            tried = max(1, self._deaths.pop(jobs[0].index))  # no try after the last death
            return [(jobs[0], Outcome(jobs[0].index, "failed", lost=True, attempts=tried, errors=[
                f"{jobs[0].display}: the Dask worker converting it died each time it was "
                f"tried ({tried}); not tried again (distributed.scheduler.allowed-failures)"]))]
        if future.status == "error":
            error = future.exception()
            raise ConverterError(
                f"the Dask cluster could not run {jobs[0].display}: {type(error).__name__}: "
                f"{error}. The scheduler and every worker need converter {__version__} and the "
                "same packages (docs/scaling.md)", file=self.address)
        # cancelled: the client lost the scheduler; on a busy machine it may only have missed
        # a beat and be connected again, and then the task is sent once more (a few times)
        times = self._resent.get(key, 0) + 1
        if times <= RESEND and self._reconnected():
            self._forget(key)
            self._resend(jobs, times)
            return []
        raise self._lost_error(None)

    def _resend(self, jobs: list[Job], times: int) -> None:
        (key,) = self._dispatch([jobs])
        self._resent[key] = times

    def _reconnected(self) -> bool:
        """Whether the client is connected to the scheduler, waiting up to the patience for a
        connection it is making again."""
        deadline = time.monotonic() + self.patience
        while self.client.status in ("connecting", "newly-created") and \
                time.monotonic() < deadline:
            time.sleep(0.1)
        return self.client.status == "running"

    def _forget(self, key: str) -> None:
        self._futures.pop(key, None)
        self._resent.pop(key, None)
        with self._lock:
            self._retries.pop(key, None)

    def _on_event(self, event: tuple[float, Any]) -> None:
        """The scheduler's ``all`` topic (the client's thread): a worker was removed with tasks
        of ours on it, which the scheduler now runs again."""
        message = event[1]
        if not isinstance(message, dict) or message.get("action") != "remove-worker":
            return
        for key in (*message.get("processing-tasks", ()),
                    *message.get("lost-computed-tasks", ())):
            if key in self._futures:
                with self._lock:
                    self._retries[key] = self._retries.get(key, 0) + 1

    # ------------------------------------------------------------------ the scheduler

    def _refresh(self) -> None:
        """Ask the scheduler how many threads it has (the window follows), within the patience;
        a scheduler that does not answer ends the batch."""
        if not self._reconnected():
            raise self._lost_error(None)
        scheduler = self.client.scheduler
        if scheduler is None:
            raise self._lost_error(None)
        info = self._call("asked for its workers", scheduler.identity, n_workers=0)
        self._refreshed = time.monotonic()
        self.threads = max(1, int(info.get("total_threads") or 0))
        if self.fixed_window is None:
            self.window = max(8, 2 * self.threads)

    def _call(self, what: str, function: Callable[..., Any], *args: Any, **kwargs: Any
              ) -> Any:
        """A call to the cluster that gives up after ``patience`` seconds.

        The client's public methods wait for ever on a hung scheduler, so this drives the
        coroutines behind them (``Client._run`` behind ``Client.run``, ...) with a timeout.
        """
        try:
            return self.client.sync(function, *args, callback_timeout=self.patience, **kwargs)
        except TimeoutError as exc:
            self._lost = True
            raise ConverterError(
                f"the Dask scheduler did not answer within {self.patience:g} s ({what}); "
                "finished inputs are recorded: run the same command again to convert the "
                "rest", file=self.address) from exc
        except OSError as exc:
            raise self._lost_error(exc) from exc

    def _lost_error(self, exc: BaseException | None) -> ConverterError:
        self._lost = True
        # Dask cancels every future when the scheduler goes: its message lists them all
        why = f" ({type(exc).__name__}: {exc})" if isinstance(exc, OSError) else ""
        return ConverterError(
            f"lost the connection to the Dask scheduler{why}; finished inputs are recorded: "
            "run the same command again to convert the rest", file=self.address)

    def close(self) -> None:
        """Cancel the batch's tasks and stop those running (their outputs are about to be
        removed), then close what :meth:`start` opened. Never raises."""
        if self._closed:
            return
        self._closed = True
        futures = [f for f, _jobs in self._futures.values()]
        self._futures.clear()
        self._waiting.clear()
        if not self._lost and self.client.status == "running":
            with contextlib.suppress(Exception):
                if futures:
                    self._call("cancelling", self.client._cancel, futures)
                    self._call("stopping", self.client._run, abandon, self.settings.token,
                               on_error="ignore")
            with contextlib.suppress(Exception):
                self.client.unsubscribe_topic("all")
        self.settings.marker.unlink(missing_ok=True)
        for thing in self.owned:
            with contextlib.suppress(Exception):
                thing.close(timeout=self.patience)


def _connect(scheduler: str | Client, jobs: int) -> tuple[Client, list[Any]]:
    """A client for ``scheduler`` and what to close after (nothing for the caller's client)."""
    if isinstance(scheduler, Client):
        return scheduler, []
    if scheduler == "local":
        with dask.config.set(LOCAL_CLUSTER_CONFIG):
            cluster = LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                silence_logs=logging.ERROR,
                dashboard_address=":8787" if importlib.util.find_spec("bokeh") else ":0")
        try:
            client = Client(cluster, direct_to_workers=True)
        except BaseException:
            cluster.close()
            raise
        log.info("Dask LocalCluster of %d workers; dashboard: %s", jobs,
                 cluster.dashboard_link if importlib.util.find_spec("bokeh") else "none")
        return client, [client, cluster]
    try:
        if os.path.isfile(scheduler):
            client = Client(scheduler_file=scheduler)
        else:
            client = Client(scheduler)
    except Exception as exc:  # OSError, TimeoutError, ValueError for a bad address, ...
        raise ConverterError(f"cannot connect to the Dask scheduler: {exc}",
                             file=scheduler) from exc
    return client, [client]


def _landmarks(inputs: Sequence[Path]) -> list[str]:
    """Absolute paths a worker must see: each input, and one entry of each input folder (a
    worker with an empty folder mounted at that path does not see the inputs)."""
    paths = set()
    for path in inputs:
        if not os.path.exists(path):
            continue  # a missing input fails alone, in the parent
        paths.add(os.path.abspath(path))
        if os.path.isdir(path):
            with contextlib.suppress(OSError), os.scandir(path) as entries:
                first = min((e.name for e in entries), default=None)
                if first is not None:
                    paths.add(os.path.abspath(os.path.join(path, first)))
    return sorted(paths)


def _for_workers(job: Job, epubcheck: bool) -> Job:
    """The job as a worker elsewhere needs it: every path absolute (a worker does not share this
    process's working folder), in the options (``--jats-dtd``, the OCFL root) and a group's
    members too; without this machine's EPUBCheck socket unless ``epubcheck`` (its workers share
    the machine): each converter worker then starts its own EPUBCheck on first use."""
    return replace(_absolute(job), epubcheck=job.epubcheck if epubcheck else None)


_Value = TypeVar("_Value")


def _absolute(value: _Value) -> _Value:
    """``value`` with every relative path in it made absolute: in dataclasses, tuples, frozen
    sets and dictionaries (keys too), however deep. What holds none is returned as it is."""
    new: Any = value
    if isinstance(value, Path):
        new = value if value.is_absolute() else Path(os.path.abspath(value))
    elif is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _absolute(getattr(value, f.name)) for f in fields(value) if f.init}
        changes = {k: v for k, v in changes.items() if v is not getattr(value, k)}
        new = replace(value, **changes) if changes else value
    elif isinstance(value, (tuple, frozenset)) and not hasattr(value, "_fields"):
        items = [_absolute(item) for item in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            new = type(value)(items)
    elif isinstance(value, dict):
        pairs = [(_absolute(k), _absolute(v)) for k, v in value.items()]
        if any(k is not k0 or v is not v0 for (k, v), (k0, v0) in zip(pairs, value.items(),
                                                                        strict=True)):
            new = dict(pairs)
    return cast(_Value, new)


def _local(outcome: Outcome, job: Job) -> Outcome:
    """The outcome with output paths spelled as the parent planned them (see _for_workers)."""
    if job.output.is_absolute():
        return outcome
    root = Path(os.path.abspath(job.output))
    outputs = []
    for record in outcome.outputs:
        with contextlib.suppress(ValueError):
            record = replace(record, path=job.output / record.path.relative_to(root))
        outputs.append(record)
    outcome.outputs = outputs
    return outcome
