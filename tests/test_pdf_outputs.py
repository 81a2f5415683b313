"""Every corpus PDF with a text layer through every writer: the issue's definition of done.

``converter convert paper.pdf -o out --to json,markdown,jats,epub,bag``: the JATS is valid against
the JATS 1.3 DTD, the EPUB passes EPUBCheck (all books in one JVM), the bag verifies and holds the
PDF byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import bagit
import pytest
from epubcheck_util import epubcheck_messages

from converter.formats.jats.validate import validate_jats_bytes
from converter.options import ReadOptions, WriteOptions
from converter.pipeline import convert

pytestmark = pytest.mark.slow

FORMATS = ("json", "markdown", "jats", "epub", "bag")


@pytest.fixture(scope="module")
def converted(corpus: Path, jats_dtd: Path, tmp_path_factory: pytest.TempPathFactory
              ) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf-out")
    done: dict[str, Path] = {}
    for path in sorted((corpus / "pdf-articles").glob("*.pdf")):
        if path.stem.startswith("scanned"):
            continue
        truth = json.loads(path.with_name(path.stem + ".truth.json").read_text("utf-8"))
        result = convert(path, out / path.stem, FORMATS,
                         ReadOptions(password=truth.get("password")),
                         WriteOptions(jats_dtd=jats_dtd))
        assert {r.format for r in result.outputs} >= set(FORMATS)
        done[path.stem] = out / path.stem
    return done


def test_jats_is_dtd_valid(converted: dict[str, Path], jats_dtd: Path) -> None:
    for stem, folder in converted.items():
        validate_jats_bytes((folder / f"{stem}.xml").read_bytes(), jats_dtd)


def test_epubs_pass_epubcheck(converted: dict[str, Path]) -> None:
    books = [folder / f"{stem}.epub" for stem, folder in converted.items()]
    messages = epubcheck_messages(books)
    assert {book.name: found for book, found in messages.items() if found} == {}


def test_bag_holds_the_pdf_byte_for_byte(converted: dict[str, Path], corpus: Path) -> None:
    for stem, folder in converted.items():
        bag = bagit.Bag(str(folder / f"{stem}.bag"))
        bag.validate()
        original = folder / f"{stem}.bag" / "data" / "original" / f"{stem}.pdf"
        assert original.read_bytes() == (corpus / "pdf-articles" / f"{stem}.pdf").read_bytes()
