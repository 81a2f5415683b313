"""BagIt speed: hashing throughput against hashlib alone, and small-bag build + verify per article.

1. Hashing: one large payload file hashed with the bag's default algorithms (sha512 + sha256)
   by converter.bagit.manifest.digest_stream (1 MiB blocks, one read for all algorithms), against
   hashlib updating the same algorithms over the same bytes already in memory (no I/O at all).
2. Small bags: seed article 000 (json rendition) built as a folder bag and verified, per article,
   median of many runs; bagit-python's make_bag + validate of the same payload for reference
   (bagit-python only measures here; it never builds our bags).

Prints numbers, asserts nothing. Usage::

    .venv/bin/python bench/bench_bagit.py [--size-mib 512] [--runs 200]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = Path(os.environ.get("CONVERTER_SHARED", ROOT.parent / "shared")) / "seeds" / \
    "000_9e481615abfa1823.txt"
ALGORITHMS = ("sha512", "sha256")


def hashing(size_mib: int, folder: Path) -> None:
    from converter.bagit.manifest import BLOCK_SIZE, digest_stream

    block = os.urandom(BLOCK_SIZE)
    path = folder / "payload.bin"
    with open(path, "wb") as handle:
        for _ in range(size_mib):
            handle.write(block)
    gib = size_mib / 1024

    def baseline() -> float:
        started = time.perf_counter()
        hashers = [hashlib.new(a) for a in ALGORITHMS]
        for _ in range(size_mib):
            for hasher in hashers:
                hasher.update(block)
        return time.perf_counter() - started

    def ours() -> float:
        started = time.perf_counter()
        with open(path, "rb") as handle:
            digest_stream(handle, ALGORITHMS)
        return time.perf_counter() - started

    ours()  # warm the page cache: we measure hashing, not the disk
    base = mine = float("inf")
    for _ in range(5):  # alternate, best of five: a busy machine slows both alike
        base = min(base, baseline())
        mine = min(mine, ours())
    print(f"hashing {size_mib} MiB with {' + '.join(ALGORITHMS)}:")
    print(f"  hashlib alone (in memory)     {base / gib:6.2f} s/GiB")
    print(f"  digest_stream (file, 1 MiB)   {mine / gib:6.2f} s/GiB  "
          f"({(mine / base - 1) * 100:+.1f}% vs hashlib)")


def small_bags(runs: int, folder: Path) -> None:
    import logging

    import bagit
    from converter.bagit.build import write_bag
    from converter.bagit.verify import verify_bag

    from converter.options import BagOptions, WriteOptions
    from converter.pipeline import parse

    logging.getLogger("bagit").setLevel(logging.ERROR)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    article = parse(SEED)
    options = WriteOptions(source_path=SEED, source_relative=SEED.name,
                           bag=BagOptions(renditions=("json",)))
    times, verify_times = [], []
    for i in range(runs):
        bag = folder / f"ours-{i}.bag"
        started = time.perf_counter()
        write_bag(article, bag, options)  # builds, re-reads and verifies, renames
        middle = time.perf_counter()
        report = verify_bag(bag)
        verify_times.append(time.perf_counter() - middle)
        times.append(middle - started)
        assert report.valid
        shutil.rmtree(bag)

    payload = folder / "payload"
    reference = []
    for i in range(runs):
        target = payload / str(i)
        (target / "original").mkdir(parents=True)
        shutil.copyfile(SEED, target / "original" / SEED.name)
        (target / "article.json").write_text(article.to_json(), encoding="utf-8")
        started = time.perf_counter()
        bag = bagit.make_bag(str(target), checksums=list(ALGORITHMS))
        bag.validate()
        reference.append(time.perf_counter() - started)
        shutil.rmtree(target)

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:6.2f} ms"

    print(f"small bag (seed 000, json rendition), median of {runs}:")
    print(f"  write_bag (build + verify + rename)   {ms(times)}")
    print(f"  verify_bag alone                      {ms(verify_times)}")
    print(f"  bagit-python make_bag + validate      {ms(reference)}  (reference)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=512)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-bagit-", dir=ROOT) as tmp:
        hashing(args.size_mib, Path(tmp))
    with tempfile.TemporaryDirectory(prefix="bench-bagit-", dir=ROOT) as tmp:
        small_bags(args.runs, Path(tmp))


if __name__ == "__main__":
    main()
