"""Golden files, both directions: the feature article through every writer, each seed to JSON.

Outputs must match byte for byte (the clock is fixed, so they are reproducible). After an intended
change, regenerate with ``UPDATE_GOLDEN=1 make test`` and review the diff like code.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from feature_article import feature_article

from converter.options import BagOptions, WriteOptions
from converter.pipeline import parse, render, write_package
from converter.registry import default_registry

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
OPTIONS = WriteOptions(build_time=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
                       bag=BagOptions(renditions=("json", "markdown", "jats"),
                                      source_organization="Golden Archive",
                                      bagging_date="2024-01-02"),
                       source_relative="feature.txt")


def check(path: Path, actual: bytes) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual)
    if not path.exists():
        pytest.fail(f"golden file {path.name} missing: run UPDATE_GOLDEN=1 make test")
    assert actual == path.read_bytes(), f"{path.name} differs from the golden file"


@pytest.mark.parametrize("writer", ["json", "markdown", "jats", "epub"])
def test_feature_article_matches_golden(writer: str) -> None:
    extension = default_registry().writer(writer).extension
    data = render(feature_article(), writer, OPTIONS)
    check(GOLDEN / f"feature{extension}", data)


def test_feature_article_bag_matches_golden(tmp_path: Path) -> None:
    """The bag's tag files (manifests, bag-info, provenance) pin down every byte of it."""
    source = tmp_path / "feature.txt"
    source.write_text("the original bytes\n", encoding="utf-8")
    target = tmp_path / "feature.bag"
    write_package(feature_article(), target,
                  WriteOptions(**{**OPTIONS.__dict__, "source_path": source}))
    tag_files = sorted(p for p in target.iterdir() if p.is_file())
    summary = b"".join(b"== " + p.name.encode() + b"\n" + p.read_bytes() for p in tag_files)
    check(GOLDEN / "feature.bag.txt", summary)


@pytest.mark.parametrize("seed", ["000_9e481615abfa1823.txt", "001_9b75ff939e830440.txt"])
def test_seed_reads_to_golden_json(seed: str, shared: Path) -> None:
    article = parse(shared / "seeds" / seed)
    check(GOLDEN / "seeds" / seed.replace(".txt", ".json"), article.to_json().encode())
