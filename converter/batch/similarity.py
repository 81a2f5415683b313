"""Recognising one article that arrives in several shapes: MinHash signatures of the text, and
groups of inputs whose texts are the same article.

An article's text (abstract and body, lower-cased words) is cut into overlapping 4-word shingles,
each hashed to 32 bits (its words' CRC-32s mixed by position). The signature is the minimum over
the shingles of 128 multiply-shift hash functions ``(a*h + b) mod 2**64 >> 32`` (MinHash, Broder
1997; multiply-shift, Dietzfelbinger 1996: no division, so NumPy computes it fast): the share of
equal positions in two signatures estimates the Jaccard similarity of their shingle sets.
Candidates are found with locality-sensitive hashing (42 bands of 3 values: two texts with a
Jaccard similarity of 0.5 meet in some band with probability 0.996, of 0.4 with 0.94, of 0.3
with 0.68, of 0.02 with 0.0003), so a batch of 100,000 inputs is never compared pair by pair
(a clean text inside a page twice its length has a Jaccard similarity near 0.5); each candidate
pair is then checked on its estimated *containment*: the share of the smaller text found in the
larger one (a scraped page holds the clean article plus site furniture). Inputs with a
containment of at least :data:`THRESHOLD` join one group (transitively). Inputs that share a band
with more than :data:`MOST_SHAPES` others (a thousand copies of one notice) are no article's
shapes: their bands make no candidates, which keeps the work linear, and the batch says so.

Why not ``datasketch``: it needs SciPy (40 MB) for this, keeps its LSH index in memory, and a
signature has to be stored in the ledger for inputs that a rerun skips; the 100 lines here use
NumPy (already installed for language detection). Words are hashed with CRC-32, never Python's
``hash`` (salted per process), so signatures are the same in every process and every run.
"""

from __future__ import annotations

import functools
import hashlib
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._version import __version__
from ..model import Article, block_text
from ..options import ReadOptions

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

#: permutations, and their split into LSH bands
PERMUTATIONS = 128
BANDS, ROWS = 42, 3  # 126 of the 128 values
#: the containment from which two inputs are one article
THRESHOLD = 0.8
#: the most inputs that can be one article's shapes (text, page, PDF, docx, EPUB, JATS...):
#: inputs sharing a band with more others than this are copies or boilerplate, not grouped
MOST_SHAPES = 16
SHINGLE = 4
#: an odd multiplier that mixes a shingle's word hashes
_MIX = 0x9E3779B1
_WORD = re.compile(r"\w+")


@functools.cache
def _parameters() -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
    """The hash functions' coefficients, derived from fixed seeds: the same in every process
    (``a`` odd, as multiply-shift hashing needs). NumPy loads only when a text is signed."""
    import numpy as np

    a, b = [], []
    for n in range(PERMUTATIONS):
        digest = hashlib.blake2b(f"article-converter minhash {n}".encode(), digest_size=16)
        value = int.from_bytes(digest.digest(), "big")
        a.append((value >> 64) | 1)
        b.append(value & 0xFFFFFFFFFFFFFFFF)
    return np.array(a, dtype=np.uint64), np.array(b, dtype=np.uint64)



@dataclass(frozen=True)
class Signature:
    """An article's MinHash signature and how many shingles its text has."""

    values: tuple[int, ...]
    shingles: int

    def to_bytes(self) -> bytes:
        return self.shingles.to_bytes(4, "big") + b"".join(
            v.to_bytes(4, "big") for v in self.values)

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        count = int.from_bytes(data[:4], "big")
        values = tuple(int.from_bytes(data[i:i + 4], "big") for i in range(4, len(data), 4))
        return cls(values, count)

    def bands(self) -> list[bytes]:
        """One key per LSH band (the band's number and its values)."""
        return [hashlib.blake2b(repr((band, self.values[band * ROWS:(band + 1) * ROWS]))
                                .encode(), digest_size=12).digest() for band in range(BANDS)]


def signature_reader(read: ReadOptions) -> str:
    """What a stored signature depends on besides the input's bytes: the converter (its
    readers), the reader asked for, and the signature's own parameters."""
    return f"converter {__version__}; from {read.format or 'auto'}; minhash {PERMUTATIONS}"


def article_text(article: Article) -> str:
    return f"{block_text(article.abstract)}\n{block_text(article.body)}"


def signature(article: Article) -> Signature | None:
    """The signature of an article's text; ``None`` when the text is shorter than a shingle."""
    words = _WORD.findall(article_text(article).lower())
    if len(words) < SHINGLE:
        return None
    import numpy as np

    multipliers, offsets = _parameters()
    hashed: dict[str, int] = {}
    codes = np.fromiter((hashed.setdefault(w, _word_hash(w)) for w in words), dtype=np.uint64,
                        count=len(words))
    # a shingle's 32-bit hash: its words' hashes mixed position by position (mod 2**32)
    shingles = np.zeros(len(words) - SHINGLE + 1, dtype=np.uint64)
    for offset in range(SHINGLE):
        shingles = (shingles * np.uint64(_MIX) + codes[offset:offset + len(shingles)]) \
            & np.uint64(0xFFFFFFFF)
    unique = np.unique(shingles)
    # wraps mod 2**64, then the high 32 bits
    permuted = (np.outer(multipliers, unique) + offsets[:, None]) >> np.uint64(32)
    values = permuted.min(axis=1)
    return Signature(tuple(int(v) for v in values), len(unique))


def _word_hash(word: str) -> int:
    return zlib.crc32(word.encode("utf-8"))


def jaccard(one: Signature, other: Signature) -> float:
    """The estimated Jaccard similarity of two texts' shingle sets."""
    equal = sum(x == y for x, y in zip(one.values, other.values, strict=True))
    return equal / PERMUTATIONS


def containment(one: Signature, other: Signature) -> float:
    """The estimated share of the smaller text's shingles found in the larger one."""
    j = jaccard(one, other)
    if j == 0.0:
        return 0.0
    union = (one.shingles + other.shingles) / (1 + j)
    return min(1.0, j * union / min(one.shingles, other.shingles))


@dataclass(frozen=True)
class Group:
    """Inputs (by index) whose texts are one article, and the lowest containment between a
    member and the rest (the group's weakest link)."""

    members: tuple[int, ...]
    similarity: float


def groups(pairs: Iterable[tuple[int, int]], signature_of: Callable[[int], Signature | None]
           ) -> list[Group]:
    """Groups from LSH candidate pairs, each pair checked on its estimated containment."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    links: dict[tuple[int, int], float] = {}
    for i, j in pairs:
        one, other = signature_of(i), signature_of(j)
        if one is None or other is None:
            continue
        score = containment(one, other)
        if score >= THRESHOLD:
            links[(min(i, j), max(i, j))] = score
            parent[find(max(i, j))] = find(min(i, j))
    members: dict[int, set[int]] = {}
    weakest: dict[int, float] = {}
    for (i, j), score in links.items():
        root = find(i)
        members.setdefault(root, set()).update((i, j))
        weakest[root] = min(weakest.get(root, 1.0), score)
    return sorted((Group(tuple(sorted(indices)), round(weakest[root], 4))
                   for root, indices in members.items()), key=lambda g: g.members)
