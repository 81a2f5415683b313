"""Batch conversion on a Dask cluster (docs/scaling.md), on real clusters only.

A LocalCluster of processes, and ``dask scheduler`` plus ``dask worker`` processes on 127.0.0.1,
each compared byte for byte with the local worker pool: outputs, report and ledger. Faults are
real too: a worker ``kill -9``-ed while it converts, the whole cluster killed, a scheduler that
hangs (SIGSTOP), a worker that does not see the input folder. Tests wait for states (an output,
a worker's mark), never for a guessed duration, and kill every process they start.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from batch_support import by_relative, cli_env, load_report, run_cli, write_json_inputs
from dask_support import (
    EPOCH,
    Batch,
    Cluster,
    assert_bags_valid,
    assert_same_files,
    cluster_env,
    comparable,
    dask_worker_of,
    nap_site,
    wait_until,
)

from converter.batch import BatchOptions, run_batch
from converter.batch.ledger import Ledger

FULL = "json,markdown,jats,epub,bag"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return nap_site(tmp_path / "site")


@pytest.fixture
def marks(tmp_path: Path) -> Path:
    folder = tmp_path / "marks"
    folder.mkdir()
    return folder


@pytest.fixture
def cluster(tmp_path: Path, site: Path, marks: Path) -> Iterator[Cluster]:
    """A scheduler and two workers, started as separate processes; killed after the test."""
    work = tmp_path / "cluster"
    work.mkdir()
    started = Cluster(work, cluster_env(site, marks))
    try:
        yield started.start(workers=2)
    finally:
        started.stop()


def convert_args(src: Path, out: Path, formats: str, *extra: str | Path) -> list[str]:
    return [sys.executable, "-m", "converter", "convert", str(src), "-o", str(out), "--to",
            formats, *map(str, extra)]


def start_batch(args: list[str], site: Path, **env: str) -> Batch:
    return Batch(args, cli_env([site], SOURCE_DATE_EPOCH=EPOCH, **env))


def local_pool_run(src: Path, out: Path, formats: str, site: Path, *extra: str) -> Path:
    """The same batch through the local worker pool (the reference)."""
    done = run_cli("convert", src, "-o", out, "--to", formats, "--jobs", "2", "--quiet", *extra,
                   pythonpath=[site], timeout=300, SOURCE_DATE_EPOCH=EPOCH)
    assert done.returncode in (0, 1), done.stderr
    return out


def nap_inputs(src: Path, count: int, seconds: float) -> None:
    folder = src / "naps"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"nap-{n:02}.nap").write_text(f"NAP {seconds} input {n}", encoding="utf-8")


# --------------------------------------------------------------------------- the library


def test_dask_is_imported_only_when_a_scheduler_is_given() -> None:
    code = ("import sys, converter, converter.cli, converter.batch, converter.batch.run; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.strip() == "[]"


def test_without_the_dask_extra_a_scheduler_is_a_usage_error(tmp_path: Path) -> None:
    hidden = tmp_path / "hide"  # a distributed that cannot be imported, as if not installed
    (hidden / "distributed").mkdir(parents=True)
    (hidden / "distributed" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'distributed'\", name='distributed')\n")
    write_json_inputs(tmp_path / "in", ["a.json"])
    done = run_cli("convert", tmp_path / "in", "-o", tmp_path / "out", "--scheduler", "local",
                   pythonpath=[hidden])
    assert done.returncode == 2
    assert "--scheduler needs Dask" in done.stderr
    assert "pip install 'article-converter[dask]'" in done.stderr


def test_a_local_cluster_writes_what_the_local_pool_writes(
        tmp_path: Path, seed_plain: Path, seed_scraped: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import dask
    from distributed import Client, LocalCluster

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    src = tmp_path / "in"
    write_json_inputs(src, [f"box{n % 3}/article-{n:02}.json" for n in range(30)])
    (src / "seeds").mkdir()
    for seed in (seed_plain, seed_scraped):
        shutil.copy(seed, src / "seeds" / seed.name)
    options = BatchOptions(formats=tuple(FULL.split(",")), jobs=2, quiet=True)
    local = run_batch([src], tmp_path / "local", options)
    assert local.exit_code == 0

    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=":0")
    with cluster, Client(cluster) as client:
        most, stop = [0], threading.Event()

        def sample() -> None:  # the scheduler never holds more than the executor's window
            while not stop.is_set():
                most[0] = max(most[0], client.run_on_scheduler(_task_count))
                stop.wait(0.01)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            result = run_batch([src], tmp_path / "dask", replace(options, scheduler=client))
        finally:
            stop.set()
            sampler.join()
        assert client.status == "running"  # the caller's client is left open
        report = load_report(tmp_path / "dask" / "report.json")
        again = run_batch([src], tmp_path / "dask", replace(options, scheduler=client))

    assert result.exit_code == 0
    assert 0 < most[0] <= 8
    assert_same_files(tmp_path / "dask", tmp_path / "local")
    assert comparable(report) == comparable(load_report(tmp_path / "local" / "report.json"))
    with Ledger(tmp_path / "dask").opened() as ledger:
        on_dask = ledger.entries()
    with Ledger(tmp_path / "local").opened() as ledger:
        in_pool = ledger.entries()
    del on_dask["report.json"], in_pool["report.json"]  # its digest changes with the times
    assert on_dask == in_pool
    assert assert_bags_valid(tmp_path / "dask") == 32
    assert [r.reason for r in again.inputs] == ["unchanged"] * 32  # resume works on Dask too
    assert not list((tmp_path / "dask" / ".converter").glob("dask-*"))


def _task_count(dask_scheduler: object) -> int:
    return len(dask_scheduler.tasks)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- separate processes


def test_a_worker_killed_mid_task_is_retried_and_every_output_matches_the_local_pool(
        tmp_path: Path, cluster: Cluster, site: Path, marks: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_json_inputs(src, [f"articles/article-{n:02}.json" for n in range(8)])
    nap_inputs(src, 6, 1.5)
    (src / "bad").mkdir()
    (src / "bad" / "crash.nap").write_text("CRASH", encoding="utf-8")
    (src / "bad" / "hang.nap").write_text("HANG", encoding="utf-8")
    # nap after json: an input killed while napping has its JSON at the final path already
    formats = "json,nap,markdown,jats,epub,bag"
    args = convert_args(src, out, formats, "--scheduler", cluster.address, "--timeout", "4")

    with start_batch(args, site, NAP_MARKS=str(marks)) as batch:
        wait_until("an input is napping", lambda: any(marks.glob("*.pid")), batch)
        mark = next(marks.glob("*.pid"))
        wait_until("its mark is written", lambda: mark.read_text() != "", batch)
        dask_worker_of(int(mark.read_text())).kill()
        stderr = batch.finish(300)

    assert batch.returncode == 1, stderr  # the crashing and the hanging input
    items = by_relative(load_report(out / "report.json"))
    victim = next(i for i in items.values() if i["relative"].endswith(".nap")
                  and f"{mark.stem}" == (src / i["relative"]).read_text())
    assert victim["status"] == "ok" and victim["attempts"] == 2
    assert f"{victim['input']}: retried" in stderr
    assert "timed out after 4 s" in items["bad/hang.nap"]["errors"][0]
    assert "exited with code 7" in items["bad/crash.nap"]["errors"][0]
    for item in items.values():  # tasks the dead worker held ran again: at most twice
        assert item.get("attempts", 1) <= 2

    local = local_pool_run(src, tmp_path / "local", formats, site, "--timeout", "4")
    assert_same_files(out, local)
    assert comparable(load_report(out / "report.json")) == comparable(
        load_report(local / "report.json"))
    assert assert_bags_valid(out) == 14
    assert not [p for p in out.rglob("*") if ".converter-" in p.name]
    with Ledger(out).opened() as ledger:
        entries = ledger.entries()
    assert all(entry.complete for key, entry in entries.items() if key != "report.json")
    assert len(entries) == 1 + 14 * 6  # the report, six outputs of each input that converted


def test_an_input_that_kills_its_worker_each_time_fails_and_the_batch_goes_on(
        tmp_path: Path, site: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write_json_inputs(src, ["a.json", "b.json", "c.json"])
    (src / "murder.nap").write_text("MURDER", encoding="utf-8")
    work = tmp_path / "cluster"
    work.mkdir()
    # the scheduler gives up on a task after its first worker dies (default: the fourth)
    cluster = Cluster(work, cluster_env(site, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0"))
    try:
        cluster.start(workers=1)
        done = run_cli("convert", src, "-o", out, "--to", "json", "--scheduler",
                       cluster.address, pythonpath=[site], timeout=300)
    finally:
        cluster.stop()

    assert done.returncode == 1 and (out / "report.json").exists(), done.stderr
    items = by_relative(load_report(out / "report.json"))
    died = "the Dask worker converting it died each time it was tried"
    assert items["murder.nap"]["status"] == "failed"
    assert died in items["murder.nap"]["errors"][0]
    assert items["murder.nap"]["outputs"] == [] and not (out / "murder.json").exists()
    for name in ("a.json", "b.json", "c.json"):  # Dask counts a death against every task the
        item = items[name]                       # worker held: one queued there fails too
        assert item["status"] == "ok" or died in item["errors"][0], item
    assert sum(items[n]["status"] == "ok" for n in ("a.json", "b.json", "c.json")) >= 2


def test_a_stopped_cluster_ends_the_batch_with_a_clear_error_and_the_rerun_resumes(
        tmp_path: Path, cluster: Cluster, site: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    nap_inputs(src, 24, 0.4)
    write_json_inputs(src, [f"articles/article-{n:02}.json" for n in range(4)])
    formats = "json,nap,markdown,bag"
    args = convert_args(src, out, formats, "--scheduler", cluster.address)

    with start_batch(args, site) as batch:
        wait_until("some inputs are settled", lambda: batch.settled() >= 4, batch)
        cluster.stop()
        stderr = batch.finish(120)

    assert batch.returncode == 1
    assert "lost the connection to the Dask scheduler" in stderr
    assert "run the same command again" in stderr
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.nap-out")}

    rerun = run_cli(*convert_args(src, out, formats, "--scheduler", "local", "--jobs", "2")[3:],
                    pythonpath=[site], timeout=300, SOURCE_DATE_EPOCH=EPOCH)
    assert rerun.returncode == 0, rerun.stderr
    report = load_report(out / "report.json")
    assert report["summary"]["ok"] + report["summary"]["skipped"] == 28
    skipped = [i for i in report["inputs"] if i["status"] == "skipped"]
    assert skipped  # what was settled before the cluster went is not converted again
    for item in skipped:
        for output in item["outputs"]:
            if output["format"] == "nap":
                assert (out / output["path"]).stat().st_mtime_ns == before[out / output["path"]]
    local = local_pool_run(src, tmp_path / "local", formats, site)
    assert_same_files(out, local)
    assert_bags_valid(out)
    assert not [p for p in out.rglob("*") if ".converter-" in p.name]


def test_ctrl_c_on_a_local_cluster_stops_every_conversion_before_the_report(
        tmp_path: Path, site: Path, marks: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    nap_inputs(src, 12, 2.0)
    args = convert_args(src, out, "json,nap,markdown", "--scheduler", "local", "--jobs", "2")

    with start_batch(args, site, NAP_MARKS=str(marks)) as batch:
        wait_until("two inputs are napping", lambda: len(list(marks.glob("*.pid"))) >= 2, batch)
        os.killpg(batch.process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        stderr = batch.finish(120)
        wait_until("every process of the run has ended", lambda: not batch.group_alive())

    assert batch.returncode == 130, stderr
    assert "Traceback" not in stderr
    report = load_report(out / "report.json")
    assert report["interrupted"] is True
    for item in report["inputs"]:  # no output of an interrupted input, not even a late one
        stem = Path(item["relative"]).stem
        assert item["status"] == "ok" or not list(out.glob(f"naps/{stem}.*")), item
    rerun = run_cli("convert", src, "-o", out, "--to", "json,nap,markdown", pythonpath=[site],
                    timeout=300, SOURCE_DATE_EPOCH=EPOCH)  # the local pool finishes the rest
    assert rerun.returncode == 0, rerun.stderr


def test_a_hung_scheduler_ends_the_batch_within_the_connect_timeout(
        tmp_path: Path, cluster: Cluster, site: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    nap_inputs(src, 20, 0.3)
    args = convert_args(src, out, "json,nap", "--scheduler", cluster.address)

    with start_batch(args, site, DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="3s") as batch:
        wait_until("an input is done", lambda: any((out / "naps").glob("*.nap-out")), batch)
        assert cluster.scheduler is not None
        os.kill(cluster.scheduler.pid, signal.SIGSTOP)
        stderr = batch.finish(120)

    assert batch.returncode == 1
    assert "the Dask scheduler did not answer within 3 s" in stderr


def test_a_worker_that_cannot_see_the_input_folder_is_a_clear_error(
        tmp_path: Path, site: Path) -> None:
    namespace = ["unshare", "--user", "--map-root-user", "--mount"]
    try:
        usable = subprocess.run([*namespace, "true"], capture_output=True, timeout=30,
                                check=False).returncode == 0
    except FileNotFoundError:
        usable = False
    if not usable:
        pytest.skip("unshare cannot make a mount namespace here (needed to hide a folder)")
    src, out = tmp_path / "in", tmp_path / "out"
    write_json_inputs(src, ["a.json", "b.json"])
    work = tmp_path / "cluster"
    work.mkdir()
    cluster = Cluster(work, cluster_env(site))
    try:
        # the worker runs with an empty file system mounted over the input folder
        cluster.start(workers=1, prefix=[*namespace, "sh", "-c",
                                         'mount -t tmpfs none "$0" && exec "$@"', str(src)])
        done = run_cli("convert", src, "-o", out, "--scheduler", cluster.address,
                       pythonpath=[site], timeout=120)
    finally:
        cluster.stop()

    assert done.returncode == 1
    assert f"cannot see {src / 'a.json'}" in done.stderr, done.stderr
    assert "must be on a file system every worker mounts at the same path" in done.stderr
    assert not (out / "a.json").exists()


def test_every_relative_path_a_job_holds_is_made_absolute_for_the_workers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Dask worker does not share the batch's working folder: a group's members, the ledger's
    keys, nested options all travel with absolute paths; values without paths are not copied."""
    from converter.batch.dask import _absolute
    from converter.batch.plan import Member

    monkeypatch.chdir(tmp_path)
    member = Member(1, Path("in/b.txt"), "in/b.txt", "b.txt", {"title": "T"}, (),
                    (Path("out/b.json"),))
    found = _absolute({Path("out/a.json"): (member, frozenset({Path("out/a.md")}))})
    [(key, (moved, targets))] = found.items()
    assert key == tmp_path / "out" / "a.json"
    assert moved.source == tmp_path / "in" / "b.txt"
    assert moved.earlier == (tmp_path / "out" / "b.json",)
    assert moved.display == "in/b.txt" and moved.catalog_overrides == {"title": "T"}
    assert targets == frozenset({tmp_path / "out" / "a.md"})
    untouched = Member(2, tmp_path / "c.txt", "c.txt", "c.txt", {}, ())
    assert _absolute(untouched) is untouched
