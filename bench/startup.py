"""Where start-up time goes: imports of ``converter --help``, and a profile of one conversion.

Run as a script it profiles ``converter ARGS...`` in this process and prints the cumulative
seconds of a few known costs as JSON (run.py calls it in a fresh interpreter); the import figures
come from ``python -X importtime``.
"""

from __future__ import annotations

import contextlib
import cProfile
import json
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

#: (label, file name ending, function) looked up in the profile of the command as users run it
#: (one input goes to one worker process, which the parent waits for)
COSTS = (
    ("imports in the parent (typer, converter, writers)", "<frozen importlib._bootstrap>",
     "_find_and_load"),
    ("typer: parse the command line", "typer/core.py", "parse_args"),
    ("batch: everything in run_batch", "converter/batch/run.py", "run_batch"),
    ("  waiting for the worker (read, identify, write)", "converter/batch/pool.py", "collect"),
)
#: the same conversion in this one process (``--timeout 0``): what the worker spends on
JOB_COSTS = (
    ("the input's job, in all", "converter/batch/job.py", "run_job"),
    ("  read: detect, reader, overrides, validate", "converter/pipeline.py", "parse_bytes"),
    ("    language detection (py3langid, numpy loaded)", "converter/readers/language.py",
     "fill_language"),
    ("  Siegfried: load signatures, identify input and outputs", "converter/packaging/identify.py",
     "identify_file"),
    ("  write: renditions, atomically", "converter/pipeline.py", "write_outputs"),
)
#: modules whose cumulative import time is reported for ``converter --help``
IMPORTS = ("typer", "converter.model", "converter.options", "converter.cli", "converter")


def import_times(runs: int = 5) -> dict[str, float]:
    """Median cumulative import milliseconds of :data:`IMPORTS` under ``converter --help``."""
    samples: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "converter", "--help"],
                              capture_output=True, text=True, check=True)
        for line in done.stderr.splitlines():
            parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
            if len(parts) == 3 and parts[2] in samples and parts[1].isdigit():
                samples[parts[2]].append(int(parts[1]) / 1000)
    return {name: statistics.median(v) for name, v in samples.items() if v}


def profile_conversion(one: Path, work: Path) -> dict[str, float]:
    """Seconds per :data:`COSTS` entry (cumulative, under cProfile) for ``converter convert ONE
    -o OUT``, then per :data:`JOB_COSTS` entry for the same conversion in one process."""
    found = _profile(["convert", str(one), "-o", str(work / "profile-pool"), "--quiet"])
    inline = _profile(["convert", str(one), "-o", str(work / "profile-inline"), "--quiet",
                       "--timeout", "0"])
    found.update((label, inline[label]) for label, _, _ in JOB_COSTS)
    return found


def _profile(args: list[str]) -> dict[str, float]:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args],
                          capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def _main(args: list[str]) -> None:
    started = time.perf_counter()
    profile = cProfile.Profile()
    profile.enable()
    from converter.cli import main

    sys.argv = ["converter", *args]
    with contextlib.suppress(SystemExit):
        main()
    profile.disable()
    total = time.perf_counter() - started
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    found = {"total (profiled)": total}
    for label, ending, function in (*COSTS, *JOB_COSTS):
        found[label] = sum(entry[3] for (file, _line, name), entry in stats.items()
                           if file.endswith(ending) and name == function)
    print(json.dumps(found))


if __name__ == "__main__":
    _main(sys.argv[1:])
