"""A preservation step with the library: read, check, convert, bag, verify, inspect diagnostics.

Run it as ``python docs/examples/preservation.py ARTICLE OUT``; tests/test_api.py runs it too, and
checks that docs/api.md shows exactly this file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from converter import (
    BagOptions,
    ConverterError,
    ReadOptions,
    WriteOptions,
    convert,
    parse,
    validate,
    verify,
)


def preserve(source: Path, out: Path) -> dict[str, object]:
    """Convert one article into archival renditions and a verified BagIt package."""
    # 1. Read: the archivist's catalogue data overrides what the reader found.
    read = ReadOptions(overrides={"rights": "© the author; archived with permission",
                                  "subjects.collection": "Interviews 2013"})
    article = parse(source, read)
    validate(article)  # the canonical schema (parse already checked; shown for stored JSON)

    # 2. Non-fatal problems travel with the article: decide what is acceptable.
    problems = [d for d in article.provenance.diagnostics if d.level != "info"] \
        if article.provenance else []
    for diagnostic in problems:
        print(f"note: {diagnostic}", file=sys.stderr)

    # 3. Convert: every rendition plus a bag holding the original and the renditions.
    write = WriteOptions(bag=BagOptions(source_organization="Example Archive",
                                        checksums=("sha512", "sha256")))
    result = convert(source, out, ("json", "markdown", "jats", "epub", "bag"), read, write,
                     force=True)
    bag = next(o.path for o in result.outputs if o.format == "bag")

    # 4. Verify the package as a receiving repository would: completeness and fixity.
    report = verify(bag)
    if not report.valid:
        raise ConverterError("; ".join(report.errors), file=str(bag))
    return {
        "title": article.title,
        "outputs": {o.format: o.sha256 for o in result.outputs},
        "bag": bag,
        "payload_files": report.payload_files,
        "problems": [str(d) for d in problems],
    }


if __name__ == "__main__":
    summary = preserve(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{summary['title']}: bag {summary['bag']} verified, "
          f"{summary['payload_files']} payload files")
