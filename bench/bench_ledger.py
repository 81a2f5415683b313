"""The batch ledger at scale: what recording 100,000 inputs costs (docs/guarantees.md).

Per input, a batch records its destinations as in flight before the job starts and settles them
with its outputs afterwards: two SQLite transactions. This measures both, then a reopening (which
settles anything left in flight) and the lookups a rerun's plan makes, with the process's peak
memory. Usage::

    .venv/bin/python bench/bench_ledger.py [N]        # default N = 100,000 inputs, 5 outputs each
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from converter.batch.ledger import LEDGER_FILE, STATE_DIR, Ledger, LedgerEntry

SUFFIXES = (".json", ".md", ".xml", ".epub", ".bag")


def main(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as tmp:
        out = Path(tmp)
        started = time.perf_counter()
        with Ledger(out).opened() as ledger:
            for n in range(count):
                targets = [out / f"d{n // 1000}" / f"a{n}{s}" for s in SUFFIXES]
                ledger.begin(targets)
                ledger.finish(targets, {t: LedgerEntry("0" * 64, 1234, t.suffix[1:],
                                                       f"/in/d{n // 1000}/a{n}.txt", "1" * 64,
                                                       "2" * 64) for t in targets})
        recorded = time.perf_counter() - started
        started = time.perf_counter()
        with Ledger(out).opened() as ledger:
            opened = time.perf_counter() - started
            started = time.perf_counter()
            for n in range(count):
                for s in SUFFIXES:
                    ledger.get(out / f"d{n // 1000}" / f"a{n}{s}")
            looked_up = time.perf_counter() - started
        size = (out / STATE_DIR / LEDGER_FILE).stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"inputs: {count:,} with {len(SUFFIXES)} outputs each")
    print(f"record (begin + finish): {recorded:.2f} s, {recorded / count * 1e6:.0f} us per input")
    print(f"reopen (settle in flight): {opened * 1000:.1f} ms")
    print(f"plan lookups: {looked_up / count * 1e6:.0f} us per input ({len(SUFFIXES)} gets)")
    print(f"ledger size: {size / 1e6:.1f} MB; peak memory of this process: {peak:.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
