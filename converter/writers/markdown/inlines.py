"""Inline formatting of the Markdown writer: delimiters where they keep their meaning, else HTML.

``*``, ``**``, ``~~``, ``^``, ``~``, ``$`` and backticks mean formatting only where CommonMark 0.31
(section 6.2, "Emphasis and strong emphasis": left- and right-flanking delimiter runs) and pandoc's
Markdown (which scans ``^...^``, ``~...~`` and ``$...$`` as raw text first) agree that they do;
next to punctuation, another delimiter or a quote mark they may not. There the writer uses the HTML
form of the same formatting (:data:`converter.formats.markdown.HTML_TAGS`), which both read alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from ...formats.markdown import HTML_TAGS, MATH_CLASS, SINGLE_QUOTE_CLASS, escape_text
from ...model import (
    Code,
    Emphasis,
    Inline,
    Math,
    Quoted,
    Strikeout,
    Strong,
    Subscript,
    Superscript,
)

#: pandoc trims a code span and joins its lines: code with such whitespace is written as HTML
_INNER_WS = re.compile(r"\s")
#: what pandoc's raw scan of ``^...^`` and ``~...~`` would misread (spaces, escapes, notes, ...)
_UNSAFE_SCRIPT = re.compile(r"[\s\\`$^~&]|\[\^")


def _is_punct(c: str) -> bool:
    return bool(c) and unicodedata.category(c)[0] in "PS"


def _is_space(c: str) -> bool:
    return not c or c.isspace()


#: characters of the delimiters ``*``, ``~``, ``^`` (and ``_``): two runs must never touch
_DELIMS = frozenset("*~^_")


@dataclass(frozen=True)
class Context:
    """Where inlines are rendered."""

    #: the first inline begins a line (block markers count)
    line_start: bool = True
    #: a line break cannot end the line here (headings, terms, line blocks, metadata lines)
    single_line: bool = False
    heading: bool = False
    #: formatting written with Markdown delimiters around this point
    open: frozenset[type] = frozenset()
    #: quotation kinds written with quote marks around this point (pandoc cannot nest them)
    quotes: frozenset[str] = frozenset()
    in_link: bool = False
    in_note: bool = False


def inner_context(ctx: Context, node: Inline | None) -> Context:
    """The context inside formatting ``node`` (None: inside a bracket construct)."""
    opened = ctx.open | {type(node)} if node is not None else ctx.open
    return replace(ctx, line_start=False, open=opened)


def fits(node: Inline, text: str, before: str, after: str) -> bool:
    """Whether a delimited inline keeps its meaning between ``before`` and ``after``."""
    if isinstance(node, Math):
        return not (after.isdigit() or after == "$" or before == "$")
    if isinstance(node, Code):
        return before != "`" and after != "`"
    if before in _DELIMS or after in _DELIMS:
        return False
    if isinstance(node, Quoted):
        if before.isalnum() or before in ".*_\"'`$\\":
            return False  # pandoc reads a quote mark right after a word as an apostrophe
        return not (node.quote == "single" and after.isalnum())
    if isinstance(node, Superscript | Subscript):
        return before != "[" and not (isinstance(node, Subscript) and before == "~")
    # CommonMark's flanking rules for `*` and `~~` runs
    size = 2 if isinstance(node, Strong | Strikeout) else 1
    first, last = text[size], text[-size - 1]
    if _is_punct(first) and not (_is_space(before) or _is_punct(before)):
        return False
    return not (_is_punct(last) and not (_is_space(after) or _is_punct(after)))


#: formatting written between delimiters, with an HTML form for when they would be ambiguous
DELIMITED = (Emphasis, Strong, Strikeout, Superscript, Subscript, Quoted)


def delimited(node: Inline, inner: str, ctx: Context) -> str | None:
    """The Markdown form of formatting around rendered content, or None where it is unsafe."""
    if not inner:
        return None
    if isinstance(node, Quoted):
        mark = '"' if node.quote == "double" else "'"
        # pandoc cannot nest a quotation in one of its kind; after `$math$` it reads `'` as an
        # apostrophe
        if node.quote in ctx.quotes or _is_space(inner[0]) or _is_space(inner[-1]) or (
                mark == "'" and inner[-1] == "$"):
            return None
        return mark + inner + mark
    if type(node) in ctx.open or inner[0] in _DELIMS or inner[-1] in _DELIMS:
        return None
    if isinstance(node, Superscript | Subscript):
        # pandoc scans ^...^ and ~...~ as raw text first: only simple content is safe there
        if _UNSAFE_SCRIPT.search(inner) or (isinstance(node, Subscript) and Strikeout in ctx.open):
            return None
        mark = "^" if isinstance(node, Superscript) else "~"
        return mark + inner + mark
    if _is_space(inner[0]) or _is_space(inner[-1]):
        return None
    mark = {Emphasis: "*", Strong: "**", Strikeout: "~~"}[type(node)]
    return mark + inner + mark


def html_form(node: Inline, inner: str) -> str:
    """The HTML form of formatting (``inner``: its content as rendered)."""
    if isinstance(node, Math):
        kind = "display" if node.display else "inline"
        return f'<span class="{MATH_CLASS} {kind}">' + escape_text(node.text, exact=True) + (
            "</span>")
    tag = HTML_TAGS[type(node)]
    if isinstance(node, Code):
        return f"<{tag}>" + escape_text(node.text, exact=True) + f"</{tag}>"
    if isinstance(node, Quoted) and node.quote == "single":
        return f'<q class="{SINGLE_QUOTE_CLASS}">{inner}</q>'
    return f"<{tag}>{inner}</{tag}>"


def code_span(node: Code) -> str:
    text = node.text
    if not text or text != text.strip() or _INNER_WS.sub(" ", text) != text:
        return html_form(node, "")  # pandoc trims code spans and joins their lines
    runs = {len(r) for r in re.findall(r"`+", text)}
    size = 1
    while size in runs:
        size += 1
    fence = "`" * size
    pad = " " if text[0] == "`" or text[-1] == "`" or size >= 3 else ""
    return fence + pad + text + pad + fence


def math_span(node: Math) -> str:
    text = node.text
    if node.display:
        if text and "$$" not in text and "\n" not in text and text[0] != "$" and (
                text[-1] != "$"):
            return "$$" + text + "$$"
    elif (text and not text[0].isspace() and not text[-1].isspace() and "$" not in text
          and "\n" not in text and (len(text) - len(text.rstrip("\\"))) % 2 == 0):
        return "$" + text + "$"
    return html_form(node, "")
