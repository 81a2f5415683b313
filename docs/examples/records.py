"""The whole PREMIS and METS record of one bag, kept beside docs/preservation.md.

``python docs/examples/records.py`` rewrites ``seed-000.premis.xml`` and ``seed-000.mets.xml``
here from ``samples/000_9e481615abfa1823.txt`` (with its sidecar) at a fixed
``SOURCE_DATE_EPOCH``; tests/test_docs.py makes them again and checks they are what is here, so
the example changes only with the converter and in the same commit.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from converter.batch import BatchOptions, run_batch

HERE = Path(__file__).resolve().parent
SEED = HERE.parent.parent / "samples" / "000_9e481615abfa1823.txt"
EPOCH = "1365120000"
#: the file in the bag -> the example's name here
RECORDS = {"premis.xml": "seed-000.premis.xml", "mets.xml": "seed-000.mets.xml"}


def write_records(folder: Path) -> list[Path]:
    """Convert the seed into a bag and copy its two records into ``folder``."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        with tempfile.TemporaryDirectory(prefix="converter-records-") as tmp:
            # as ``converter convert SEED -o TMP --to bag`` does it: the sidecar beside the seed
            # is read too
            result = run_batch([SEED], Path(tmp), BatchOptions(formats=("bag",), quiet=True))
            if result.exit_code != 0:
                raise SystemExit(f"{SEED}: the bag was not made (exit {result.exit_code})")
            bag = Path(tmp) / f"{SEED.stem}.bag"
            written = []
            for name, example in RECORDS.items():
                target = folder / example
                shutil.copyfile(bag / "metadata" / name, target)
                written.append(target)
            return written
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


if __name__ == "__main__":
    for path in write_records(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
