"""Lines to inline content: joining lines, undoing line-end hyphenation, keeping emphasis.

A line-end hyphen is removed only where the joined word is a word: the document's own vocabulary
decides (the joined form used elsewhere in it, or the second half being no word of its own, as in
``informa-tion``); a hyphenated compound seen elsewhere (``model-based``) keeps its hyphen. Style
flags of line parts become :class:`~converter.model.Strong`, :class:`~converter.model.Emphasis`,
:class:`~converter.model.Code`, :class:`~converter.model.Superscript` and
:class:`~converter.model.Subscript`.
"""

from __future__ import annotations

import re
from collections import Counter

from ...model import Code, Emphasis, Inline, Strong, Subscript, Superscript, Text, normalize_inlines
from .lines import BOLD, ITALIC, MONO, SUB, SUP, Line

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_TAIL = re.compile(r"([^\W\d_]+)-$")
_HEAD = re.compile(r"^([^\W\d_]+)")
#: a web address that goes on on the next line (it ends on a separator)
_URL_BREAK = re.compile(r"(?:https?:|www\.)\S*[/:_\-.=?&%#]$")
_URL_TAIL = re.compile(r"(?:https?:|www\.)\S*$")
#: second halves that are no words by themselves: a hyphen before them broke a word
_SUFFIXES = frozenset((
    "tion", "tions", "sion", "sions", "ment", "ments", "ing", "ings", "ed", "ly", "ity", "ities",
    "ness", "ance", "ances", "ence", "ences", "able", "ible", "ive", "ives", "ous", "al", "ally",
    "er", "ers", "est", "ism", "isms", "ist", "ists", "ize", "ized", "izes", "ise", "ised",
    "ation", "ations", "ure", "ures", "ogy", "ical", "ically", "ship", "ships", "ful", "less",
    "ant", "ants", "ent", "ents", "ary", "ery", "ory", "ic", "ics", "tive", "tively", "ative",
    "ate", "ated", "ates", "ating", "ple", "ples", "ble", "bles", "cal", "cally",
))


class Vocabulary:
    """Word counts of a document, to judge line-end hyphens."""

    def __init__(self, lines: list[Line]) -> None:
        self.words: Counter[str] = Counter()
        for line in lines:
            text = line.text
            # the last word of a hyphen-ended line is half a word: leave it out
            if text.endswith("-"):
                text = text[: text.rfind(" ") + 1] if " " in text else ""
            self.words.update(w.lower() for w in _WORD.findall(text))

    def join(self, first: str, second: str) -> bool:
        """Whether ``first-`` at a line end and ``second`` at the next line's start are one word."""
        head, tail = first.lower(), second.lower()
        if not head or not tail:
            return False
        joined, compound = head + tail, f"{head}-{tail}"
        if self.words[compound] > self.words[joined]:
            return False
        if self.words[joined]:
            return True
        if second[0].isupper():
            return False
        if tail in _SUFFIXES or len(tail) <= 2:
            return True
        return not (self.words[tail] and self.words[head])


def join_lines(lines: list[Line], vocabulary: Vocabulary) -> list[tuple[str, int]]:
    """The parts of lines joined into one run of text, hyphens undone where they broke a word."""
    out: list[tuple[str, int]] = []
    for line in lines:
        parts = [(text, flags) for text, flags in line.parts if text]
        if not parts:
            continue
        if out:
            last_text, last_flags = out[-1]
            tail = _TAIL.search(last_text)
            head = _HEAD.search(parts[0][0].lstrip())
            if tail and head and vocabulary.join(tail.group(1), head.group(1)):
                out[-1] = (last_text[:-1], last_flags)
                parts[0] = (parts[0][0].lstrip(), parts[0][1])
            elif last_text.endswith("-") and head and not parts[0][0].startswith(" "):
                parts[0] = (parts[0][0].lstrip(), parts[0][1])  # a compound: keep the hyphen
            elif _URL_BREAK.search(last_text) or (_URL_TAIL.search(last_text)
                                                   and parts[0][0].lstrip()[:1] in "/%_#?&="):
                parts[0] = (parts[0][0].lstrip(), parts[0][1])  # a web address broken over lines
            else:
                parts[0] = (" " + parts[0][0].lstrip(), parts[0][1])
        out.extend(parts)
    return out


def inlines(parts: list[tuple[str, int]], *, base: int = 0, plain: bool = False) -> list[Inline]:
    """Model inlines for styled text parts; ``base`` is the block's own style, not marked up
    (``plain``: one text, no styling)."""
    if plain:
        return normalize_inlines([Text("".join(text for text, _ in parts))])
    nodes: list[Inline] = []
    for text, all_flags in parts:
        flags = all_flags & ~base
        node: Inline = Code(text.strip()) if flags & MONO and text.strip() else Text(text)
        if isinstance(node, Code):
            lead = " " if text.startswith(" ") else ""
            trail = " " if text.endswith(" ") else ""
            if lead:
                nodes.append(Text(lead))
            nodes.append(node)
            if trail:
                nodes.append(Text(trail))
            continue
        if flags & SUP:
            node = Superscript([node])
        elif flags & SUB:
            node = Subscript([node])
        if flags & ITALIC:
            node = Emphasis([node])
        if flags & BOLD:
            node = Strong([node])
        nodes.append(node)
    return normalize_inlines(nodes)


def plain_text(parts: list[tuple[str, int]]) -> str:
    return re.sub(r"\s+", " ", "".join(text for text, _ in parts)).strip()
