"""Ordered-list labels both ways: numbers as letters (a, b, ..., z, aa) and Roman numerals.

The JATS writer writes labels (``list-item/label``); the JATS reader reads them back into the
model's start number, so the two directions live together here.
"""

from __future__ import annotations

import re

_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
          (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def to_alpha(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa."""
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


def from_alpha(label: str) -> int:
    """a -> 1, z -> 26, aa -> 27."""
    n = 0
    for ch in label.lower():
        n = n * 26 + ord(ch) - ord("a") + 1
    return n


def to_roman(n: int) -> str:
    """4 -> iv, 1999 -> mcmxcix."""
    out = ""
    for value, digits in _ROMAN:
        count, n = divmod(n, value)
        out += digits * count
    return out


def from_roman(label: str) -> int | None:
    """iv -> 4; None when ``label`` is not made of Roman digits."""
    text = label.lower()
    if not text or any(ch not in _ROMAN_VALUES for ch in text):
        return None
    total = 0
    for i, ch in enumerate(text):
        value = _ROMAN_VALUES[ch]
        total += -value if i + 1 < len(text) and _ROMAN_VALUES[text[i + 1]] > value else value
    return total


def list_label(number: int, style: str) -> str:
    """The label of item ``number`` in an ordered list of ``style`` (decimal when not possible)."""
    if number > 0 and style.endswith("alpha"):
        label = to_alpha(number)
    elif number > 0 and style.endswith("roman"):
        label = to_roman(number)
    else:
        return str(number)
    return label.upper() if style.startswith("upper") else label


def parse_label(label: str, style: str) -> int | None:
    """The number an ordered-list label shows (``3.``, ``(c)``, ``iv)``), or None."""
    text = label.strip().strip(".)(:")
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if style.endswith("roman"):
        return from_roman(text)
    if style.endswith("alpha") and text.isascii() and text.isalpha():
        return from_alpha(text)
    return None
