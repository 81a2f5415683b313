"""Our Markdown dialect: the spellings its writer and the pandoc AST mapping agree on.

The dialect is CommonMark 0.31 (https://spec.commonmark.org/0.31.2/) with pandoc's Markdown
extensions (pandoc 3 user's guide, "Pandoc's Markdown") where CommonMark has no form;
docs/markdown.md describes it. :mod:`converter.writers.markdown` writes it; pandoc parses it and
:mod:`converter.pandoc` maps the result onto the model, reading back the same names. Keeping both
sides' names and rules here means neither imports the other:

* the class and attribute names of fenced divs (speech turns, figures, ordered lists) and bracketed
  spans (citations, math), and the attributes that carry what Markdown cannot say (exact URLs,
  code languages, column widths);
* text escaping: every character CommonMark or pandoc could read as markup is escaped, so text
  always comes back literally;
* the syntax of attribute blocks, link destinations, fenced divs, citation keys and ordered-list
  markers (which numbering styles and starts pandoc reads back).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal
from urllib.parse import unquote

from ..model import Code, Emphasis, Inline, Quoted, Strikeout, Strong, Subscript, Superscript

# --------------------------------------------------------------------------- the dialect's names

#: fenced-div classes and attributes
SPEECH_CLASS = "speech"
SPEAKER_ATTR = "speaker"
SPEAKER_ROLE_ATTR = "speaker_role"
FIGURE_CLASS = "figure"
CAPTION_CLASS = "caption"
#: an ordered list whose start or numbering pandoc's list markers cannot express
ORDERED_LIST_CLASS = "ordered-list"
START_ATTR = "start"
STYLE_ATTR = "style"
#: bracketed-span classes
CITATION_CLASS = "citation"
CITES_ATTR = "data-cites"
MATH_CLASS = "math"
#: the exact URL of a link or image whose URL pandoc would percent-encode
URL_ATTR = "url"
#: a code block language that is not a plain word
LANGUAGE_ATTR = "lang"
#: the exact column width on ``<col>``
WIDTH_ATTR = "data-width"
#: the comment that keeps two adjacent lists apart
SEPARATOR = "<!-- -->"
#: HTML forms of inline formatting, by tag (``<q class="single">`` is a single-quoted quotation)
HTML_TAGS: dict[type[Inline], str] = {
    Emphasis: "em", Strong: "strong", Superscript: "sup", Subscript: "sub", Strikeout: "s",
    Quoted: "q", Code: "code",
}
SINGLE_QUOTE_CLASS = "single"
#: roman numerals, largest first (ordered-list markers)
ROMAN = (("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90), ("l", 50),
         ("xl", 40), ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))
#: pandoc's ordered-list numbering styles, by the model's names
Style = Literal["decimal", "lower-alpha", "upper-alpha", "lower-roman", "upper-roman"]

# --------------------------------------------------------------------------- text escaping

#: characters escaped wherever they stand (ASCII punctuation, so CommonMark takes the escape too)
_ALWAYS = re.compile(r"[\\`*\[\]~^${\"'@]")
#: a quick test: can this text need escaping beyond its line start?
_SPECIAL = re.compile(r"[\\`*\[\]~^${\"'_<&@#.!:-]|\s\s|[^\S ]|[\x00-\x1f\x7f-\x9f]")
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # `_` not inside a word
_TAG_START = re.compile(r"<(?=[^\W\d_]|[/!?])")  # `<` that could open HTML or an autolink
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")  # `&` that could start a character reference
_DASHES = re.compile(r"(?<=-)-")  # pandoc's smart `--` and `---`
_DOTS = re.compile(r"(?<=\.\.)\.")  # pandoc's smart `...`
_EMOJI = re.compile(r":(?=(?:[a-z0-9_+-]*[a-z_+-][a-z0-9_+-]*|100|1234):)")  # GFM `:smile:`
#: block markers at a line start: headings, quotes, lists, setext underlines, definitions, line
#: blocks, pandoc title blocks
_LINE_MARK = re.compile(r"^[#>+=:|%-]")
_LIST_MARK = re.compile(r"^(\(?(?:[0-9]+|[A-Za-z]|[ivxlcdmIVXLCDM]+))([.)])(?=\s|$)")
#: whitespace other than a single space between words, and control characters
_ODD_SPACE = re.compile(r"[\t\n\r\f\v\x00-\x08\x0e-\x1f\x7f-\x9f\u2028\u2029]|(?<= ) ")
_EDGE_SPACE = re.compile(r"^ | $")


def _entity(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"&#{code if code else 0xFFFD};"


def escape_text(text: str, *, line_start: bool = False, heading: bool = False,
                exact: bool = False) -> str:
    """``text`` as Markdown that CommonMark and pandoc both read back as exactly ``text``.

    ``line_start``: the text begins a line, where block markers count. ``heading``: inside an ATX
    heading, where ``#`` counts everywhere. ``exact``: spaces at the edges are kept too (code and
    math written as HTML), which the canonical form never needs elsewhere.
    """
    out = text
    if _SPECIAL.search(text):
        out = _ALWAYS.sub(r"\\\g<0>", out)
        if "_" in out:
            out = _UNDERSCORE.sub(r"\\_", out)
        if "<" in out:
            out = _TAG_START.sub(r"\\<", out)
        if "&" in out:
            out = _ENTITY.sub(r"\\&", out)
        if "--" in out:
            out = _DASHES.sub(r"\\-", out)
        if "..." in out:
            out = _DOTS.sub(r"\\.", out)
        if ":" in out:
            out = _EMOJI.sub(r"\\:", out)
        if heading and "#" in out:
            out = out.replace("#", "\\#")
        out = _ODD_SPACE.sub(_entity, out)
    if exact:
        out = _EDGE_SPACE.sub("&#32;", out)
    if line_start and out:
        if out[0] == " ":
            out = "&#32;" + out[1:]
        out = _LINE_MARK.sub(r"\\\g<0>", out)
        out = _LIST_MARK.sub(r"\1\\\2", out)
    return out


def escape_attribute(value: str) -> str:
    """A pandoc attribute value, double-quoted (``\\`` and ``"`` escaped, ``&`` as a reference)."""
    value = value.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
    return '"' + _ODD_SPACE.sub(_entity, value) + '"'


def escape_html_attribute(value: str) -> str:
    """A value for a double-quoted HTML attribute (in the dialect's raw HTML: table ids)."""
    return (value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


# --------------------------------------------------------------------------- attribute blocks

_IDENTIFIER = re.compile(r"[^\W\d_][\w:.-]*")
_CLASS_WORD = re.compile(r"[a-z0-9][a-z0-9_.#/-]*")


def attributes(identifier: str | None = None, classes: Iterable[str] = (),
               pairs: Iterable[tuple[str, str]] = ()) -> str:
    """A pandoc attribute block: ``{#id .class key="value"}``."""
    parts: list[str] = []
    if identifier:
        parts.append(f"#{identifier}" if _IDENTIFIER.fullmatch(identifier)
                     else f"id={escape_attribute(identifier)}")
    parts.extend(f".{c}" for c in classes)
    parts.extend(f"{k}={escape_attribute(v)}" for k, v in pairs)
    return "{" + " ".join(parts) + "}"


def code_info(language: str | None) -> str:
    """The info string of a fenced code block for ``language`` (pandoc renames or lowercases
    anything but a plain word, so other names travel as a class or a ``lang`` attribute)."""
    if not language:
        return ""
    if _CLASS_WORD.fullmatch(language) and language not in ("c++", "objective-c"):
        return language
    if _IDENTIFIER.fullmatch(language):
        return " " + attributes(classes=[language])
    return " " + attributes(pairs=[(LANGUAGE_ATTR, language)])


# --------------------------------------------------------------------------- links and images


def destination(url: str, title: str | None) -> str:
    """A link destination and title, as ``(url "title")``.

    Brackets, backticks, dollars and ``<`` are escaped too: pandoc finds the end of a link text
    or bracketed span by counting brackets while skipping code, math and HTML, destinations and
    titles included.
    """
    dest = _URL_ESCAPES.sub(r"\\\g<0>", url)
    dest = _ENTITY.sub(r"\\&", dest)
    if not dest or any(c in dest for c in " <>\t\n") or not _balanced(dest):
        dest = "<" + dest.replace("<", "\\<").replace(">", "\\>") + ">"
        dest = _ODD_SPACE.sub(_entity, dest)
    if title:
        quoted = _TITLE_ESCAPES.sub(r"\\\g<0>", title)
        dest += ' "' + _ODD_SPACE.sub(_entity, _ENTITY.sub(r"\\&", quoted)) + '"'
    # pandoc percent-encodes these in destinations: the exact URL travels as an attribute too
    exact = attributes(pairs=[(URL_ATTR, url)]) if _PERCENT_ENCODED.search(url) else ""
    return "(" + dest + ")" + exact


_PERCENT_ENCODED = re.compile(r"[\s<>|\"{}\[\]^`]")
_URL_ESCAPES = re.compile(r"[\\\[\]`$]")
_TITLE_ESCAPES = re.compile(r"[\\\[\]\"`$<]")


def _balanced(url: str) -> bool:
    depth = 0
    for c in url:
        depth += (c == "(") - (c == ")")
        if depth < 0:
            return False
    return depth == 0


# --------------------------------------------------------------------------- divs and citations


def fenced_div(attrs: str, inner: str) -> str:
    """A pandoc fenced div; the fence is longer than any fence nested inside it."""
    longest = max((len(m) for m in re.findall(r"^ *(:{3,})", inner, re.MULTILINE)), default=2)
    fence = ":" * max(3, longest + 1)
    return f"{fence} {attrs}\n{inner}\n{fence}" if inner else f"{fence} {attrs}\n{fence}"


def quote_key(key: str) -> str:
    """A citation key inside the space-separated ``data-cites`` list."""
    return re.sub(r"[%\s]", lambda m: f"%{ord(m.group()):02X}", key) if key else "%"


def unquote_key(key: str) -> str:
    """A citation key as :func:`quote_key` wrote it (``%`` alone is the empty key)."""
    return unquote(key) if key != "%" else ""


# --------------------------------------------------------------------------- ordered-list markers


def expressible(style: Style, start: int, count: int) -> bool:
    """Whether pandoc reads the list markers back as this numbering style and start."""
    if style == "decimal":
        return start >= 0
    if start < 1:
        return False
    if style in ("lower-alpha", "upper-alpha"):
        return start + count - 1 <= 26 and start != 9  # `i.` reads as roman one
    return roman(start) not in ("v", "x", "l", "c", "d", "m")  # single letters read as alpha


def list_marker(style: Style, number: int) -> str:
    """The marker of item ``number`` in ``style``, spaced as pandoc reads it back."""
    if style == "decimal":
        return f"{number}."
    if style == "lower-alpha":
        # pandoc reads `p. 5` as a page reference, not an item: two spaces, as after `A.`
        return "p. " if number == 16 else f"{chr(ord('a') + number - 1)}."
    if style == "upper-alpha":
        return f"{chr(ord('A') + number - 1)}. "  # pandoc wants two spaces after `A.`
    if style == "lower-roman":
        return f"{roman(number)}."
    return f"{roman(number).upper()}. "


def roman(number: int) -> str:
    """``number`` in lower-case roman numerals."""
    out = []
    for letters, value in ROMAN:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)
