"""JATS speed: writing a seed-sized article, reading it back, and validating against the DTD.

Per article, median of many runs, in one process (the DTD is loaded once, then reused):

1. write: the two seed articles (converter.pipeline.parse of ../shared/seeds) -> JATS bytes;
2. validate: those bytes against the JATS 1.3 Archiving DTD (converter.formats.jats.validate);
3. read: the bytes back into an article (converter.readers.jats);
4. the corpus: every JATS file of ../shared/corpus/jats read and written once.

The writer's aim is 2 ms or less per seed-sized article. Prints numbers, asserts nothing. Usage::

    .venv/bin/python bench/bench_jats.py [--runs 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from converter.formats.jats.validate import validate_jats_bytes
from converter.options import ReadOptions, WriteOptions
from converter.pipeline import parse
from converter.readers.jats import JatsReader
from converter.writers.jats import JatsWriter

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CONVERTER_SHARED", ROOT.parent / "shared"))
DTD = Path(os.environ.get("CONVERTER_JATS_DTD", SHARED / "jats-dtd"))


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    runs = parser.parse_args().runs
    writer, reader, options = JatsWriter(), JatsReader(), WriteOptions()
    for seed in sorted((SHARED / "seeds").glob("*.txt")):
        article = parse(seed)
        data = writer.write(article, options)
        validate_jats_bytes(data, DTD)  # the first call loads the DTD
        write = median_ms(lambda a=article: writer.write(a, options), runs)
        check = median_ms(lambda d=data: validate_jats_bytes(d, DTD), runs)
        read = median_ms(lambda d=data: reader.read(d, ReadOptions()), runs)
        print(f"{seed.name}: {len(data):6d} bytes  write {write:6.2f} ms  "
              f"validate {check:6.2f} ms  read {read:6.2f} ms")
    files = sorted((SHARED / "corpus" / "jats").glob("*.xml"))
    started = time.perf_counter()
    for source in files:
        writer.write(parse(source, ReadOptions(format="jats")), options)
    seconds = time.perf_counter() - started
    print(f"corpus/jats: {len(files)} articles read and written in {seconds:.2f} s "
          f"({seconds / len(files) * 1000:.1f} ms each)")


if __name__ == "__main__":
    main()
