"""A benchmark corpus made from the sample articles: N distinct texts of varied length.

Variant ``i`` of a sample repeats each body paragraph (lines over 200 characters) ``1 + i % 6``
times and marks the first one with its number, so every article is distinct (distinct ids,
digests and bags) and lengths range over about six times the sample's.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def samples() -> list[bytes]:
    """The sample articles the corpus is made from (samples/*.txt, sorted)."""
    found = sorted(SAMPLES.glob("*.txt"))
    if not found:
        raise SystemExit(f"no sample articles in {SAMPLES}")
    return [p.read_bytes() for p in found]


def variant(text: str, i: int) -> str:
    """The ``i``-th variant of one sample text."""
    repeat = 1 + i % 6
    out: list[str] = []
    marked = False
    for line in text.split("\n"):
        if len(line) > 200:
            if not marked:
                line, marked = f"{line} (Variant {i}.)", True
            out.extend([line] * repeat)
        else:
            out.append(line)
    if not marked:
        out.append(f"Variant {i}.")
    return "\n".join(out)


def relative_path(i: int) -> str:
    """Where article ``i`` sits in the corpus tree (folders of 100, as an archive might be)."""
    return f"box-{i // 100:03}/article-{i:05}.txt"


def make_corpus(folder: Path, count: int) -> list[Path]:
    """Write ``count`` articles under ``folder``; returns their paths in order."""
    texts = [s.decode("utf-8") for s in samples()]
    paths = []
    for i in range(count):
        path = folder / relative_path(i)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(variant(texts[i % len(texts)], i), encoding="utf-8")
        paths.append(path)
    return paths
