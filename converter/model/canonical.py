"""The canonical inline form that every reader produces and lossless round trips compare in."""

from __future__ import annotations

import dataclasses
import re

from .nodes import (
    Citation,
    Emphasis,
    Image,
    Inline,
    LineBreak,
    Link,
    Quoted,
    SmallCaps,
    Strikeout,
    Strong,
    Subscript,
    Superscript,
    Text,
    Underline,
)

_SPACES = re.compile(r"\s+")
#: formatting containers that mean the same when split in two: adjacent ones merge
_MERGEABLE = (Emphasis, Strong, Superscript, Subscript, SmallCaps, Strikeout, Underline)
_CONTAINERS = (*_MERGEABLE, Link, Quoted, Image, Citation)


def _is_blank(node: Inline) -> bool:
    return isinstance(node, LineBreak) or (isinstance(node, Text) and not node.text.strip())


def _strip_edges(content: list[Inline]) -> tuple[list[Inline], bool, bool]:
    """Remove one space at each edge of ``content``; say which edges had one."""
    lead = bool(content) and isinstance(content[0], Text) and content[0].text.startswith(" ")
    trail = bool(content) and isinstance(content[-1], Text) and content[-1].text.endswith(" ")
    if lead:
        content[0] = Text(content[0].text[1:])  # type: ignore[attr-defined]
    if trail:
        content[-1] = Text(content[-1].text[:-1])  # type: ignore[attr-defined]
    return [n for n in content if not (isinstance(n, Text) and not n.text)], lead, trail


def normalize_inlines(inlines: list[Inline], *, strip: bool = True) -> list[Inline]:
    """The canonical form of an inline list, which every reader produces.

    Whitespace runs become one space; adjacent texts merge; empty texts go; spaces at the edges of
    formatting move outside it; adjacent formatting of the same kind merges; no space follows a
    line break; with ``strip`` (a block's whole line) the edges lose their spaces and line breaks.
    Writers may rely on this form, and lossless round trips compare in it.
    """
    out: list[Inline] = []

    def push_text(text: str) -> None:
        if out and isinstance(out[-1], LineBreak):
            text = text.lstrip()
        if not text:
            return
        if out and isinstance(out[-1], Text):
            out[-1] = Text(_SPACES.sub(" ", out[-1].text + text))
        else:
            out.append(Text(_SPACES.sub(" ", text)))

    for node in inlines:
        if isinstance(node, Text):
            push_text(node.text)
        elif isinstance(node, LineBreak):
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].text.rstrip())
                if not out[-1].text:
                    out.pop()
            out.append(node)
        elif isinstance(node, _CONTAINERS):
            content, lead, trail = _strip_edges(normalize_inlines(node.content, strip=False))
            if lead:
                push_text(" ")
            node = dataclasses.replace(node, content=content)
            previous = out[-1] if out else None
            if isinstance(node, _MERGEABLE) and type(previous) is type(node):
                merged = [*previous.content, *node.content]
                out[-1] = dataclasses.replace(node, content=normalize_inlines(merged, strip=False))
            else:
                out.append(node)
            if trail:
                push_text(" ")
        else:
            out.append(node)
    if strip:
        while out and _is_blank(out[0]):
            out.pop(0)
        while out and _is_blank(out[-1]):
            out.pop()
        if out and isinstance(out[0], Text):
            out[0] = Text(out[0].text.lstrip())
        if out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text.rstrip())
    return out
