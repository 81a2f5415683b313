"""Measuring commands: wall time, and peak resident memory of a whole process group.

Memory is read from ``/proc``: ``VmHWM`` (``status``), the peak resident set of each process, and
``Pss`` (``smaps_rollup``), the proportional set size summed over the process group at each sample:
forked workers share pages with their parent, and PSS counts a shared page once overall.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


def run(args: Sequence[str | Path], env: dict[str, str] | None = None,
        check: bool = True) -> float:
    """Run a command, output discarded; its wall time in seconds."""
    started = time.perf_counter()
    done = subprocess.run([str(a) for a in args], env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - started
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} exited {done.returncode}: "
                           f"{done.stderr.decode(errors='replace')[-2000:]}")
    return seconds


def median_wall(args: Sequence[str | Path], times: int, env: dict[str, str] | None = None,
                before: list[Path] | None = None) -> float:
    """The median wall time of ``times`` runs (``before``: folders removed before each run)."""
    import shutil

    walls = []
    for _ in range(times):
        for folder in before or []:
            shutil.rmtree(folder, ignore_errors=True)
        walls.append(run(args, env))
    return statistics.median(walls)


def _status_kb(pid: int, field: str, name: str = "status") -> int:
    try:
        with open(f"/proc/{pid}/{name}", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the command: state, ppid, pgrp, ...
            members.append(int(entry))
    return members


@dataclass
class Memory:
    """Peak memory of a command's process group, in MiB (``total_peak``: summed PSS)."""

    seconds: float
    parent_peak: float
    worker_peak: float
    total_peak: float


def peak_memory(args: Sequence[str | Path], env: dict[str, str] | None = None,
                interval: float = 0.05) -> Memory:
    """Run a command in its own session and sample its process group's memory."""
    started = time.perf_counter()
    process = subprocess.Popen([str(a) for a in args], env=env, start_new_session=True,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    peaks: dict[int, int] = {}
    total = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal total
        while not stop.is_set():
            members = _group_members(process.pid)
            now = 0
            for pid in members:
                peaks[pid] = max(peaks.get(pid, 0), _status_kb(pid, "VmHWM"))
                now += _status_kb(pid, "Pss", "smaps_rollup")
            total = max(total, now)
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    stop.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} exited {process.returncode}: "
                           f"{stderr.decode(errors='replace')[-2000:]}")
    parent = peaks.pop(process.pid, 0)
    return Memory(seconds, parent / 1024, max(peaks.values(), default=0) / 1024, total / 1024)
