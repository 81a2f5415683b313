"""The language of an article's text, when the input does not say it (BCP 47 primary subtags).

py3langid (BSD-3-Clause; the langid.py model of Lui and Baldwin, 97 languages, shipped inside
the package: nothing is downloaded) classifies the text. The text is cut into pieces of a few
hundred characters; the language must win most of them (by length) with a confident overall score,
else the text is called mixed and no language is given. Texts under a few sentences are too short
to tell. The model loads once per process, on first use, so inputs that state their language
never pay for it.

The model ships LZMA-compressed (4.5 MB; 68 MB unpacked): unpacking it and copying its tables
costs about a second in every process. The first process unpacks it once into the converter's
cache (:mod:`converter.cache`) as plain arrays, which every later process maps into memory
(about 20 ms, and the pages are shared between the workers of a batch). Should the cache be
unwritable or py3langid change its model layout, the model loads the packaged way.
"""

from __future__ import annotations

import json
import mmap
import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cache import store_folder
from ..model import Article, block_text

#: fewer letters than this: too short to tell
MIN_LETTERS = 200
#: the winner's share of the pieces (by length) and its overall probability
MIN_SHARE = 0.75
MIN_CONFIDENCE = 0.90
_PIECE = 400
_MAX_PIECES = 24
_LETTERS = re.compile(r"[^\W\d_]")

_identifier: Any = None
_lock = threading.Lock()


@dataclass(frozen=True)
class Assessment:
    """A detected language with its confidence, or why there is none."""

    language: str | None
    confidence: float
    reason: str = ""
    #: too little text to tell: nothing is wrong with the input (a mixed text is worth a look)
    too_short: bool = False


def detect(text: str) -> tuple[str, float] | None:
    """``(tag, confidence)`` for a text in one language, else ``None`` (too short or mixed)."""
    result = assess(text)
    return (result.language, result.confidence) if result.language else None


def assess(text: str) -> Assessment:
    """The language of ``text``, or the reason it cannot be told."""
    letters = len(_LETTERS.findall(text))
    if letters < MIN_LETTERS:
        return Assessment(None, 0.0, f"too short to tell ({letters} letters)", too_short=True)
    identifier = _model()
    pieces = _pieces(text)
    votes: Counter[str] = Counter()
    for piece in pieces:
        tag, _ = identifier.classify(piece)
        votes[str(tag)] += len(piece)
    sample = " ".join(pieces)
    tag, confidence = identifier.classify(sample)
    share = votes[str(tag)] / sum(votes.values())
    confidence = float(confidence)
    if share < MIN_SHARE or confidence < MIN_CONFIDENCE:
        shares = ", ".join(f"{t} {n / sum(votes.values()):.0%}" for t, n in votes.most_common(3))
        return Assessment(None, confidence, f"mixed or uncertain ({shares})")
    return Assessment(str(tag), round(confidence, 3))


def fill_language(article: Article) -> None:
    """Set ``article.language`` from its text when the input left it empty, and say so."""
    text = "\n".join((article.title, block_text(article.abstract), block_text(article.body)))
    result = assess(text)
    if result.language:
        article.language = result.language
        article.diagnose("info", "language-detected",
                         f"language {result.language} detected from the text (py3langid, "
                         f"confidence {result.confidence:.3f})")
    else:
        article.diagnose("info" if result.too_short else "warning", "language-undetermined",
                         f"the input does not state its language and the text does not tell: "
                         f"{result.reason}")


def _pieces(text: str) -> list[str]:
    """Pieces of about ``_PIECE`` characters, evenly spread over the text."""
    words = text.split()
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for word in words:
        current.append(word)
        size += len(word) + 1
        if size >= _PIECE:
            pieces.append(" ".join(current))
            current, size = [], 0
    if current and (size >= _PIECE / 4 or not pieces):
        pieces.append(" ".join(current))
    if len(pieces) > _MAX_PIECES:
        step = len(pieces) / _MAX_PIECES
        pieces = [pieces[int(i * step)] for i in range(_MAX_PIECES)]
    return pieces


def _model() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            _identifier = _mapped_model()
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _identifier


#: the unpacked model's files: name -> the array of py3langid's model file it holds
_ARRAYS = {"ptc.npy": "ptc", "pc.npy": "pc", "out_feat.npy": "out_feat"}
_TABLES = {"nextmove.bin": "nextmove", "nextmove_row.bin": "nextmove_row"}


def _mapped_model() -> Any | None:
    """The model from its unpacked copy in the cache (made now when missing), or ``None``."""
    try:
        import numpy as np
        from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

        packed = Path(MODEL_DIR) / MODEL_FILE
        folder = store_folder(_cache_name(packed), lambda tmp: _unpack(packed, tmp))
        if folder is None:
            return None
        arrays = {key: np.load(folder / file, mmap_mode="r") for file, key in _ARRAYS.items()}
        meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        tables = {key: _mapped(folder / file, meta["codes"][key]) for file, key in _TABLES.items()}
        return LanguageIdentifier(arrays["ptc"], np.asarray(arrays["pc"]), meta["classes"],
                                  tables["nextmove"], arrays["out_feat"].tolist(),
                                  norm_probs=True, tk_row=tables["nextmove_row"])
    except (OSError, ValueError, KeyError, ImportError, TypeError):
        return None


def _cache_name(packed: Path) -> str:
    """The unpacked model's name in the cache: py3langid's version and the packed file's digest
    as its wheel's RECORD states it, so every virtualenv with the same model shares one copy
    (an mtime would differ with each install); size and mtime when RECORD says nothing."""
    from importlib.metadata import files, version

    info = packed.stat()
    recorded = next((f.hash.value for f in files("py3langid") or ()
                     if f.hash and str(f).endswith("/" + packed.name)), None)
    stamp = recorded.replace("-", "").replace("_", "")[:16] if recorded else \
        f"{info.st_size}-{int(info.st_mtime)}"
    return f"py3langid-{version('py3langid')}-{stamp}"


def _unpack(packed: Path, folder: Path) -> None:
    """py3langid's ``model.npz.xz`` as plain ``.npy`` arrays and raw tables in ``folder``."""
    import lzma
    import shutil
    import tempfile

    import numpy as np

    with tempfile.TemporaryFile(suffix=".npz") as unpacked:
        with lzma.open(packed) as source:
            shutil.copyfileobj(source, unpacked, length=1 << 20)
        unpacked.seek(0)
        with np.load(unpacked, allow_pickle=False) as data:
            for file, key in _ARRAYS.items():
                np.save(folder / file, data[key], allow_pickle=False)
            codes = {}
            for file, key in _TABLES.items():
                table = np.ascontiguousarray(data[key])
                codes[key] = {2: "H", 4: "I", 8: "L"}[table.dtype.itemsize]
                (folder / file).write_bytes(table.tobytes())
            meta = {"classes": data["classes"].tolist(), "codes": codes}
    (folder / "model.json").write_text(json.dumps(meta), encoding="utf-8")


def _mapped(path: Path, code: str) -> Any:
    """A table of unsigned integers, mapped from its file (read-only, shared between processes);
    indexed like the ``array`` py3langid builds, without copying 40 MB."""
    with path.open("rb") as handle:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    view: Any = memoryview(mapped)
    return view.cast(code)
