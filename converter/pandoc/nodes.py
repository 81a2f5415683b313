"""Pandoc's JSON AST: the vocabulary both directions of the mapping share (pandoc-types 1.23).

The AST is specified by the Haskell package pandoc-types (``Text.Pandoc.Definition``, API version
1.23 as the bundled pandoc 3.9 speaks it); its JSON form is what ``pandoc -t json`` prints: a node
is ``{"t": tag, "c": content}`` and an ``Attr`` is ``[identifier, [classes], [[key, value]]]``.
These tables say which model type each node, alignment and list style corresponds to, read one
way by :mod:`.read_ast` and the other by :mod:`.write_ast`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Literal

from ..model import (
    Emphasis,
    Inline,
    SmallCaps,
    Strikeout,
    Strong,
    Subscript,
    Superscript,
    Underline,
)

#: the pandoc-types API version the bundled pandoc speaks (``pandoc-api-version`` in its JSON)
PANDOC_API_VERSION = (1, 23, 1, 1)

Json = Any
Align = Literal["left", "center", "right"]
ListStyle = Literal["decimal", "lower-alpha", "upper-alpha", "lower-roman", "upper-roman"]

ALIGN_IN: dict[str, Align | None] = {
    "AlignLeft": "left", "AlignCenter": "center", "AlignRight": "right", "AlignDefault": None,
}
ALIGN_OUT = {v: k for k, v in ALIGN_IN.items()}
STYLE_IN: dict[str, ListStyle] = {
    "LowerAlpha": "lower-alpha", "UpperAlpha": "upper-alpha", "LowerRoman": "lower-roman",
    "UpperRoman": "upper-roman",
}
STYLE_OUT = {v: k for k, v in STYLE_IN.items()} | {"decimal": "Decimal"}
#: inline nodes that only wrap other inlines, by pandoc tag
WRAPPERS_IN: dict[str, Callable[[list[Inline]], Inline]] = {
    "Emph": Emphasis, "Strong": Strong, "Superscript": Superscript, "Subscript": Subscript,
    "SmallCaps": SmallCaps, "Strikeout": Strikeout, "Underline": Underline,
}
WRAPPERS_OUT: dict[type[Inline], str] = {
    Emphasis: "Emph", Strong: "Strong", Superscript: "Superscript", Subscript: "Subscript",
    SmallCaps: "SmallCaps", Strikeout: "Strikeout", Underline: "Underline",
}
#: span classes (``Span`` nodes and HTML ``<span>``) that mean a model node
SPAN_CLASSES: dict[str, Callable[[list[Inline]], Inline]] = {
    "smallcaps": SmallCaps, "small-caps": SmallCaps, "underline": Underline, "ul": Underline,
}
#: an ``Attr`` with no identifier, classes or attributes
EMPTY_ATTR: Json = ["", [], []]


def split_attr(node: Json) -> tuple[str, list[str], dict[str, str]]:
    """An ``Attr`` as identifier, classes and a dictionary of its key-value pairs."""
    ident, classes, pairs = node
    return ident, list(classes), {k: v for k, v in pairs}


def raw_format(node: Json) -> str:
    """The format of a ``RawBlock`` or ``RawInline``, lower-cased."""
    fmt = node["c"][0]
    return str(fmt["c"] if isinstance(fmt, dict) else fmt).lower()


def ast_text(nodes: Iterable[Json]) -> str:
    """Pandoc inlines as their text, spaces exactly as written."""
    out: list[str] = []
    for node in nodes:
        kind, content = node.get("t"), node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak"):
            out.append(" ")
        elif kind == "LineBreak":
            out.append("\n")
        elif kind in ("Code", "Math"):
            out.append(content[1])
        elif kind == "Quoted":
            mark = '"' if content[0]["t"] == "DoubleQuote" else "'"
            out.append(mark + ast_text(content[1]) + mark)
        elif kind in WRAPPERS_IN:
            out.append(ast_text(content))
        elif kind in ("Span", "Link", "Image", "Cite"):
            out.append(ast_text(content[1]))
    return "".join(out)
