"""Shared fixtures: where the real data lives (../shared beside the checkout) and the seeds.

Validators and data the tests need are required, not optional: a missing ../shared, JATS DTD or
Java makes the tests fail, never skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CONVERTER_SHARED", ROOT.parent / "shared"))
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpus"
SEED_PLAIN = SEEDS / "000_9e481615abfa1823.txt"
SEED_SCRAPED = SEEDS / "001_9b75ff939e830440.txt"
JATS_DTD = Path(os.environ.get("CONVERTER_JATS_DTD", SHARED / "jats-dtd"))
DATA = Path(__file__).resolve().parent / "data"

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                     HealthCheck.data_too_large])
settings.load_profile("default")


def require(path: Path, what: str) -> Path:
    """Fail (not skip) when test data or a validator is missing."""
    if not path.exists():
        pytest.fail(f"{what} not found at {path}: CI needs ../shared beside the checkout")
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    return require(SHARED, "the shared data folder")


@pytest.fixture(scope="session")
def seed_plain() -> Path:
    return require(SEED_PLAIN, "seed 000")


@pytest.fixture(scope="session")
def seed_scraped() -> Path:
    return require(SEED_SCRAPED, "seed 001")


@pytest.fixture(scope="session")
def corpus() -> Path:
    return require(CORPUS, "the corpus")


@pytest.fixture(scope="session")
def jats_dtd() -> Path:
    return require(JATS_DTD / "catalog.xml", "the JATS DTD catalog").parent
