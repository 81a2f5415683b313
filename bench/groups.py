"""False groups on the shared corpus: every article the converter reads in ../shared/corpus,
signed as a batch signs it, grouped as a batch groups them; prints each group and the rate of
groups that join different articles (issue: one package per article in several shapes).

    python bench/groups.py [CORPUS]

A group is *true* when all its members are one document: the same name stem (a PDF and the JATS
it was made from, ``x.pdf``/``x.truth-source.jats.xml``), one page folder of Readability's tests
(the page and Readability's extract of it), or one of the same-document families in ``SAME``,
which the corpus's SOURCES files and the documents' own titles establish. Anything else is a
false group. Every pair is compared (no LSH) to find the groups; the batch's LSH candidates are
then checked to find the same groups.
"""

from __future__ import annotations

import gzip
import sys
import time
from pathlib import Path

from converter import parse
from converter.batch.similarity import Signature, groups, signature
from converter.errors import ConverterError
from converter.options import ReadOptions
from converter.registry import Registry

#: files of the corpus that are one document in several formats (pandoc's writer tests are
#: its test suite, testsuite.txt, written by each writer)
SAME = [
    # "Pandoc Test Suite": the test document, the writers' renderings of it and the readers'
    # tests adapted from it
    {"pandoc-tests/testsuite.txt", "pandoc-tests/writer.html5", "pandoc-tests/writer.latex",
     "pandoc-tests/writer.org", "pandoc-tests/writer.rst", "pandoc-tests/writer.jats_archiving",
     "pandoc-tests/latex-reader.latex", "pandoc-tests/html-reader.html",
     "pandoc-tests/jats-reader.xml"},
    # pandoc's table tests, the same tables in Org and reStructuredText
    {"pandoc-tests/tables.org", "pandoc-tests/tables.rst"},
    # docling's "Table with rich cells" test document, in Word and in ODF
    {"real-world/docling/docx_rich_cells.docx", "real-world/docling/text_document_03.odt"},
]
FOLDERS = ("html-articles", "jats", "pdf-articles", "pandoc-tests", "real-world")


def same_document(names: list[str]) -> bool:
    stems = {name.split("/")[-1].split(".")[0] for name in names}
    pages = {name.rsplit("/", 1)[0] for name in names}
    readability = len(pages) == 1 and "/readability/" in names[0]
    return len(stems) == 1 or readability or any(set(names) <= family for family in SAME)


def band_pairs(signatures: list[Signature | None]) -> list[tuple[int, int]]:
    """The batch's candidates: inputs that share an LSH band."""
    buckets: dict[bytes, list[int]] = {}
    for index, found in enumerate(signatures):
        for band in found.bands() if found else []:
            buckets.setdefault(band, []).append(index)
    return sorted({(a, b) for members in buckets.values() for a in members for b in members
                   if a < b})


def main(corpus: Path) -> int:
    extensions = Registry.default().input_extensions()
    names: list[str] = []
    signatures: list[Signature | None] = []
    started = time.perf_counter()
    for folder in FOLDERS:
        for path in sorted((corpus / folder).rglob("*")):
            if not path.is_file() or path.name.startswith("SOURCES") or not any(
                    path.name.endswith(e) for e in (*extensions, ".html.gz")):
                continue
            try:  # the web pages of html-articles are stored gzipped
                article = parse(gzip.decompress(path.read_bytes()),
                                ReadOptions(file_name=path.name[:-3])) \
                    if path.name.endswith(".html.gz") else parse(path)
            except ConverterError as exc:
                print(f"  unreadable: {exc}")
                continue
            names.append(path.relative_to(corpus).as_posix())
            signatures.append(signature(article))
    pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
    found = groups(pairs, lambda i: signatures[i])
    false = [g for g in found if not same_document([names[i] for i in g.members])]
    candidates = band_pairs(signatures)
    by_lsh = groups(candidates, lambda i: signatures[i])
    for group in found:
        kind = "false" if group in false else "true "
        print(f"{kind} {group.similarity:.3f} " + ", ".join(names[i] for i in group.members))
    print(f"{len(names)} articles, {len(pairs)} pairs compared, {len(found)} groups, "
          f"{len(false)} false ({len(false) / max(1, len(found)):.1%} of groups; "
          f"{len(false) / max(1, len(pairs)):.2e} of pairs), "
          f"{time.perf_counter() - started:.0f} s")
    print(f"LSH: {len(candidates)} candidate pairs, {len(by_lsh)} groups, "
          f"{'the same' if by_lsh == found else 'NOT the same'} as comparing every pair")
    return 1 if false or by_lsh != found else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus")))
