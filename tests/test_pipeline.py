"""The pipeline's own guarantees: provenance, names, detection and diagnostics."""

from __future__ import annotations

import os
from pathlib import Path

from converter import model as m
from converter.pipeline import detect_format, parse, render


def test_input_name_that_is_not_utf8_still_gives_valid_json(tmp_path: Path,
                                                            seed_plain: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/caf\xe9.txt"
    with open(raw, "wb") as handle:
        handle.write(seed_plain.read_bytes())
    article = parse(Path(os.fsdecode(raw)))
    assert article.provenance is not None
    assert article.provenance.file_name == "caf\ufffd.txt"
    assert b'"file_name": "caf\xef\xbf\xbd.txt"' in render(article, "json")


def test_provenance_records_the_input(seed_scraped: Path) -> None:
    article = parse(seed_scraped)
    prov = article.provenance
    assert prov is not None
    assert (prov.file_name, prov.size, prov.format, prov.reader) == (
        seed_scraped.name, seed_scraped.stat().st_size, "text", "text")
    assert prov.sha256 is not None and len(prov.sha256) == 64


def test_the_same_diagnostic_is_recorded_once() -> None:
    article = m.Article(title="T")
    for _ in range(2):
        article.diagnose("warning", "epub-x", "cannot render x", "body[0]")
    assert article.provenance is not None and len(article.provenance.diagnostics) == 1


def test_detection_by_content_when_the_extension_says_nothing(seed_plain: Path) -> None:
    assert detect_format(seed_plain.read_bytes(), "article.unknown") == "text"
    assert detect_format(b'{"schema_version": "1.0", "title": "T"}', None) == "json"
    assert detect_format(b"<?xml version='1.0'?><article><front/></article>", None) == "jats"


def test_json_with_a_lone_surrogate_is_refused_in_one_line() -> None:
    import pytest

    from converter.errors import InputError

    with pytest.raises(InputError, match="lone surrogate"):
        parse(b'{"schema_version": "1.0", "title": "bad \\ud800 text"}')


def test_the_bag_packs_the_renditions_written_beside_it(tmp_path: Path, seed_scraped: Path,
                                                        monkeypatch: object) -> None:
    """Each rendition is made once: the bag holds the very bytes written beside it."""
    from converter.options import BagOptions, WriteOptions
    from converter.pipeline import convert
    from converter.registry import default_registry

    calls: list[str] = []
    writer = default_registry().writer("markdown")
    original = writer.write

    def counting(article: m.Article, options: WriteOptions) -> bytes:
        calls.append("markdown")
        return original(article, options)

    monkeypatch.setattr(writer, "write", counting)  # type: ignore[attr-defined]
    options = WriteOptions(bag=BagOptions(renditions=("json", "markdown")))
    convert(seed_scraped, tmp_path, ["bag", "md", "json"], write_options=options)
    bag = tmp_path / f"{seed_scraped.stem}.bag" / "data"
    assert (bag / "article.md").read_bytes() == (tmp_path / f"{seed_scraped.stem}.md").read_bytes()
    assert (bag / "article.json").read_bytes() == (
        tmp_path / f"{seed_scraped.stem}.json").read_bytes()
    assert calls == ["markdown"]
