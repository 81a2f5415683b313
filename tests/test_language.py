"""Language detection (py3langid) and its model, unpacked once into the cache and mapped by
every later process: the mapped model must classify exactly as the packaged one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import SEEDS

from converter.readers import language


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CONVERTER_CACHE_DIR", str(tmp_path))
    return tmp_path


TEXTS = [
    "This is an English sentence about the weather, the sea and the ships that sail on it.",
    "Ceci est une phrase en français sur la météo, la mer et les bateaux qui y naviguent.",
    "Dies ist ein deutscher Satz über das Wetter, das Meer und die Schiffe darauf.",
    "Это русское предложение о погоде, о море и о кораблях.",
    "これは天気と海と船についての日本語の文です。",
    "",
]


def test_the_mapped_model_classifies_as_the_packaged_one(fresh_cache: Path) -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    packaged = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    unpacked = language._mapped_model()  # unpacks into the cache
    assert unpacked is not None
    assert [p.name for p in fresh_cache.iterdir()] and all(
        not p.name.startswith(".") for p in fresh_cache.iterdir())
    mapped = language._mapped_model()  # maps what the first call unpacked
    assert mapped is not None and isinstance(mapped.tk_nextmove, memoryview)
    texts = [*TEXTS, *(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))]
    for text in texts:
        assert mapped.rank(text) == packaged.rank(text)
        assert mapped.classify(text) == packaged.classify(text)


def test_an_unwritable_cache_falls_back_to_the_packaged_model(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CONVERTER_CACHE_DIR", str(blocker))
    assert language._mapped_model() is None
    monkeypatch.setattr(language, "_identifier", None)
    assert language.detect(TEXTS[0] * 4) == ("en", pytest.approx(1.0, abs=0.01))


def test_the_unpacked_model_is_named_by_its_recorded_digest_not_its_mtime(tmp_path: Path) -> None:
    """Every virtualenv installs the model with a new mtime: the cache entry must not follow it,
    or each fresh install would add 70 MB to the user's cache."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    real = Path(MODEL_DIR) / MODEL_FILE
    copy = tmp_path / "data" / real.name
    copy.parent.mkdir()
    shutil.copyfile(real, copy)
    os.utime(copy, (0, 0))
    assert language._cache_name(copy) == language._cache_name(real)
    assert str(int(real.stat().st_mtime)) not in language._cache_name(real)
