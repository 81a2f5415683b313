"""Markdown writer: CommonMark (0.31) with pandoc's Markdown extensions and a YAML front matter.

The dialect (docs/markdown.md) is the common ground of CommonMark and pandoc's ``markdown``
(pandoc 3 user's guide, "Pandoc's Markdown"): plain CommonMark wherever it can say what the model
means, pandoc's extensions where it cannot (footnotes, fenced divs for speech turns and figures,
bracketed spans, ``~~strike~~``, ``^sup^``, ``~sub~``, ``$math$``, definition lists, line blocks),
and raw HTML where neither has a form (tables with spans, block cells and footers; formatting whose
delimiters would be ambiguous in context). Every character that either syntax could read as markup
is escaped, so text always comes back literally.

The front matter is YAML 1.2 that YAML 1.1 parsers read the same way: pandoc's keys first (title,
subtitle, author, date, lang, abstract, keywords: what pandoc and its templates use), then the
whole canonical metadata under the model's own names. :mod:`converter.readers.markdown` reads it
all back losslessly. Output is deterministic (no clock, stable order), UTF-8, with a final newline;
the writer never calls pandoc.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from ..model import (
    Article,
    Block,
    BlockQuote,
    BulletList,
    Citation,
    Code,
    CodeBlock,
    DefinitionList,
    Emphasis,
    Figure,
    Heading,
    HorizontalRule,
    Image,
    Inline,
    LineBlock,
    LineBreak,
    Link,
    Math,
    Note,
    OrderedList,
    Paragraph,
    Quoted,
    SmallCaps,
    Speech,
    Strikeout,
    Strong,
    Subscript,
    Superscript,
    Table,
    TableCell,
    TableRow,
    Text,
    Underline,
    block_text,
)
from ..options import WriteOptions

# --------------------------------------------------------------------------- the dialect's names
# (the reader imports these, so both sides agree on one spelling)

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
#: pandoc's ordered-list numbering styles, by the model's names
ROMAN = (("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90), ("l", 50),
         ("xl", 40), ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))

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
_INNER_WS = re.compile(r"\s")
_UNSAFE_SCRIPT = re.compile(r"[\s\\`$^~&]|\[\^")


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


def _escape_html_attribute(value: str) -> str:
    return (value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


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


def _destination(url: str, title: str | None) -> str:
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


def _is_punct(c: str) -> bool:
    return bool(c) and unicodedata.category(c)[0] in "PS"


def _is_space(c: str) -> bool:
    return not c or c.isspace()


# --------------------------------------------------------------------------- YAML front matter

_YAML_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
#: plain (unquoted) YAML scalars: start with a letter, no comment or mapping indicators, nothing
#: YAML 1.1 would read as a boolean or null
_YAML_PLAIN = re.compile(r"[^\W\d_][^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]*")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
_YAML_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
_YAML_LITERAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")


def _yaml_string(value: str, indent: str) -> str:
    if (_YAML_PLAIN.fullmatch(value) and value == value.strip() and ": " not in value
            and " #" not in value and not value.endswith(":") and "\t" not in value
            and value.lower() not in _YAML_WORDS):
        return value
    if ("\n" in value and not _YAML_LITERAL_UNSAFE.search(value)
            and value.lstrip("\n")[:1] not in (" ", "\t", "")):
        body = value.rstrip("\n")
        trailing = len(value) - len(body)
        chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
        lines = body.split("\n") + [""] * (trailing - 1 if trailing > 1 else 0)
        inner = indent + "  "
        return f"|{chomp}\n" + "\n".join(inner + line if line else "" for line in lines)
    return _yaml_quoted(value)


def _yaml_quoted(value: str) -> str:
    """A double-quoted YAML scalar: JSON's escapes, plus those YAML wants for odd characters."""
    quoted = json.dumps(value, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _yaml_scalar(value: Any, indent: str) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if "e" in text and "." not in text.split("e")[0]:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"
        return text
    return _yaml_string(str(value), indent)


def _yaml_key(key: str) -> str:
    return key if _YAML_KEY.fullmatch(key) and key.lower() not in _YAML_WORDS else _yaml_quoted(
        key)


def yaml_lines(value: dict[str, Any] | list[Any], indent: str = "") -> list[str]:
    """Block-style YAML for JSON-like data (every parser reads it as the same data)."""
    lines: list[str] = []
    items: Iterable[tuple[str | None, Any]] = (
        value.items() if isinstance(value, dict) else ((None, v) for v in value))
    for key, item in items:
        lead = f"{indent}{_yaml_key(key)}:" if key is not None else f"{indent}-"
        if isinstance(item, dict | list) and item:
            if key is None:  # a list item: the first entry goes on the dash's line
                nested = yaml_lines(item, indent + "  ")
                lines.append(f"{lead} {nested[0].lstrip()}")
                lines.extend(nested[1:])
            else:
                lines.append(lead)
                lines.extend(yaml_lines(item, indent + "  "))
        elif isinstance(item, dict | list):
            lines.append(f"{lead} {'{}' if isinstance(item, dict) else '[]'}")
        else:
            lines.append(f"{lead} {_yaml_scalar(item, indent)}")
    return lines


# --------------------------------------------------------------------------- inline rendering

#: characters of the delimiters ``*``, ``~``, ``^`` (and ``_``): two runs must never touch
_DELIMS = frozenset("*~^_")


@dataclass(frozen=True)
class _Context:
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


class _Renderer:
    """Renders one article; holds the footnotes and reports what it could not write."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.notes: list[str] = []
        self.note_counts: dict[str, int] = {}
        self.prefix = ""
        self.place = "body"

    def diagnose(self, code: str, message: str) -> None:
        self.article.diagnose("warning", f"markdown-{code}", message, self.place)

    # ----------------------------------------------------------------- inlines

    def inlines(self, nodes: list[Inline], ctx: _Context) -> str:
        parts: list[str] = []
        inners: list[str | None] = []
        count = len(nodes)
        for i, node in enumerate(nodes):
            at_start = (ctx.line_start and i == 0) or (
                i > 0 and isinstance(nodes[i - 1], LineBreak) and parts[-1].endswith("\n"))
            node_ctx = ctx if at_start == ctx.line_start else replace(ctx, line_start=at_start)
            inner: str | None = None
            if isinstance(node, Text):
                part = self.text(node.text, node_ctx, nodes[i - 1] if i else None,
                                 nodes[i + 1] if i + 1 < count else None)
            elif isinstance(node, LineBreak):
                edge = ctx.single_line or i == 0 or i == count - 1
                part = "<br />" if edge else "\\\n"
            else:
                part, inner = self.inline(node, node_ctx)
            parts.append(part)
            inners.append(inner)
        # second pass: delimiters that would run into their neighbours fall back to HTML
        for i, node in enumerate(nodes):
            if not isinstance(node, (*HTML_TAGS, Math)) or parts[i].startswith("<"):
                continue
            before = parts[i - 1][-1:] if i else ""
            after = parts[i + 1][:1] if i + 1 < count else ""
            if not _fits(node, parts[i], before, after):
                parts[i] = _html(node, inners[i] or "")
        return "".join(parts)

    def text(self, text: str, ctx: _Context, previous: Inline | None, following: Inline | None
             ) -> str:
        out = escape_text(text, line_start=ctx.line_start, heading=ctx.heading)
        if following is not None and out.endswith("!"):
            out = out[:-1] + "\\!"  # `![` would start an image
        if isinstance(previous, Note) and out[:1] in (":", "("):
            out = "\\" + out  # `[^1]:` defines a note, `[^1](` may read as a link
        return out

    def inline(self, node: Inline, ctx: _Context) -> tuple[str, str | None]:
        """The node as Markdown, and for formatting also its content as rendered: a fallback to
        the HTML form reuses it (rendering twice would number footnotes twice)."""
        if isinstance(node, _DELIMITED):
            if isinstance(node, Quoted):
                inner_ctx = replace(_inner(ctx, None), quotes=ctx.quotes | {node.quote})
            else:
                inner_ctx = _inner(ctx, node)
            inner = self.inlines(node.content, inner_ctx)
            return (_delimited(node, inner, ctx) or _html(node, inner)), inner
        if isinstance(node, SmallCaps | Underline):
            word = "smallcaps" if isinstance(node, SmallCaps) else "underline"
            return "[" + self.inlines(node.content, _inner(ctx, None)) + "]{." + word + "}", None
        if isinstance(node, Code):
            return _code(node), None
        if isinstance(node, Math):
            return _math(node), None
        if isinstance(node, Link | Image):
            inner_ctx = replace(_inner(ctx, None), in_link=True)
            content = self.inlines(node.content, inner_ctx)
            if isinstance(node, Link) and ctx.in_link:
                self.diagnose("link-in-link", "a link inside a link is written as its text")
                return content, None
            bang = "!" if isinstance(node, Image) else ""
            return f"{bang}[{content}]" + _destination(node.url, node.title), None
        if isinstance(node, Citation):
            keys = " ".join(_quote_key(k) for k in node.keys)
            return ("[" + self.inlines(node.content, _inner(ctx, None)) + "]"
                    + attributes(classes=[CITATION_CLASS], pairs=[(CITES_ATTR, keys)])), None
        if isinstance(node, Note):
            return self.note(node, ctx), None
        self.diagnose("unknown-inline", f"no Markdown form for inline {node.type}")
        return "", None

    def note(self, node: Note, ctx: _Context) -> str:
        if ctx.in_note:
            self.diagnose("note-in-note", "a note inside a note cannot be written; its text "
                          "is kept in brackets")
            return "\\[" + escape_text(" ".join(block_text(node.blocks).split("\n"))) + "\\]"
        number = self.note_counts[self.prefix] = self.note_counts.get(self.prefix, 0) + 1
        label = f"{self.prefix}{number}"
        body = self.blocks(node.blocks, in_note=True)
        lines = body.split("\n") if body else []
        text = f"[^{label}]:" + ((" " + lines[0]) if lines and lines[0] else "")
        rest = _indent(lines[1:], "    ")
        self.notes.append(text + ("\n" + rest if rest else ""))
        return f"[^{label}]"

    # ----------------------------------------------------------------- blocks

    def blocks(self, blocks: list[Block], *, in_note: bool = False, place: str | None = None
               ) -> str:
        """Blocks separated by blank lines (``place``: name them in diagnostics, ``body[i]``)."""
        out: list[str] = []
        previous: Block | None = None
        for index, block in enumerate(blocks):
            if place is not None:
                self.place = f"{place}[{index}]"
            text = self.block(block, in_note)
            if text is None:
                continue
            if _is_list(previous) and _is_list(block):
                out.append(SEPARATOR)
            out.append(text)
            previous = block
        return "\n\n".join(out)

    def block(self, block: Block, in_note: bool = False) -> str | None:
        ctx = _Context(in_note=in_note)
        if isinstance(block, Paragraph):
            return self.inlines(block.content, ctx) if block.content else "[]{}"
        if isinstance(block, Heading):
            text = self.inlines(block.content, replace(ctx, line_start=False, single_line=True,
                                                       heading=True))
            level = min(max(block.level, 1), 6)
            attrs = " " + attributes(block.id) if block.id else ""
            return ("#" * level + (" " + text if text else "") + attrs)
        if isinstance(block, BulletList):
            return self.list_items(["-"] * len(block.items), block.items, in_note)
        if isinstance(block, OrderedList):
            return self.ordered_list(block, in_note)
        if isinstance(block, DefinitionList):
            items = []
            for item in block.items:
                term = self.inlines(item.term, replace(ctx, single_line=True)) or "[]{}"
                definitions = item.definitions
                if not definitions:
                    self.diagnose("definition_list", "a definition list term without "
                                  "definitions is written with one empty definition")
                    definitions = [[]]
                parts = [term]
                for definition in definitions:
                    lines = self.blocks(definition, in_note=in_note).split("\n")
                    first = (":   " + lines[0]) if lines[0] else ":"
                    rest = _indent(lines[1:], "    ")
                    parts.append(first + ("\n" + rest if rest else ""))
                items.append("\n\n".join(parts))
            return "\n\n".join(items)
        if isinstance(block, BlockQuote):
            inner = self.blocks(block.blocks, in_note=in_note)
            return "\n".join("> " + line if line else ">" for line in inner.split("\n"))
        if isinstance(block, CodeBlock):
            return self.code_block(block)
        if isinstance(block, HorizontalRule):
            return "* * *"
        if isinstance(block, LineBlock):
            if not block.lines:
                self.diagnose("line_block", "an empty line block has no Markdown form; left out")
                return None
            line_ctx = replace(ctx, single_line=True)
            return "\n".join(("| " + text) if text else "|" for text in (
                self.inlines(line, line_ctx) for line in block.lines))
        if isinstance(block, Table):
            return self.table(block, in_note)
        if isinstance(block, Figure):
            parts = [self.blocks(block.content, in_note=in_note)]
            if block.caption:
                caption = self.blocks(block.caption, in_note=in_note)
                parts.append(_fenced_div(CAPTION_CLASS, caption))
            return _fenced_div(attributes(block.id, [FIGURE_CLASS]),
                               "\n\n".join(p for p in parts if p))
        if isinstance(block, Speech):
            return self.speech(block, in_note)
        self.diagnose("unknown-block", f"no Markdown form for block {block.type}")
        return None

    def list_items(self, markers: list[str], items: list[list[Block]], in_note: bool) -> str:
        tight = all(len(item) <= 1 for item in items)
        out = []
        for marker, item in zip(markers, items, strict=True):
            lines = self.blocks(item, in_note=in_note).split("\n") if item else [""]
            pad = " " * (len(marker) + 1)
            first = f"{marker} {lines[0]}" if lines[0] else marker.rstrip()
            rest = _indent(lines[1:], pad)
            out.append(first + ("\n" + rest if rest else ""))
        return ("\n" if tight else "\n\n").join(out)

    def ordered_list(self, block: OrderedList, in_note: bool) -> str:
        style, start = block.style, block.start
        if _expressible(style, start, len(block.items)):
            markers = [_marker(style, start + i) for i in range(len(block.items))]
            return self.list_items(markers, block.items, in_note)
        # pandoc would read another start or numbering: say it in a div around a plain list
        markers = [f"{i + 1}." for i in range(len(block.items))]
        inner = self.list_items(markers, block.items, in_note)
        return _fenced_div(attributes(classes=[ORDERED_LIST_CLASS], pairs=[
            (START_ATTR, str(start)), (STYLE_ATTR, style)]), inner)

    def code_block(self, block: CodeBlock) -> str:
        text = block.text
        if "\r" in text:
            self.diagnose("code_block", "carriage returns in a code block become line ends")
        longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
        fence = "`" * max(3, longest + 1)
        language = block.language
        if not language:
            info = ""
        elif _CLASS_WORD.fullmatch(language) and language not in ("c++", "objective-c"):
            info = language  # pandoc would rename or lowercase anything else
        elif _IDENTIFIER.fullmatch(language):
            info = " " + attributes(classes=[language])
        else:
            info = " " + attributes(pairs=[(LANGUAGE_ATTR, language)])
        return f"{fence}{info}\n{text}\n{fence}" if text else f"{fence}{info}\n\n{fence}"

    def speech(self, block: Speech, in_note: bool) -> str:
        pairs = [(SPEAKER_ATTR, block.speaker)]
        if block.speaker_role is not None:
            pairs.append((SPEAKER_ROLE_ATTR, block.speaker_role))
        first = block.blocks[0] if block.blocks else None
        if isinstance(first, Paragraph):
            # the readable label before the first paragraph; the reader takes it off again
            label = "**" + escape_text(block.speaker + ":", exact=True) + "**"
            text = self.inlines(first.content, _Context(line_start=False, in_note=in_note))
            rest = self.blocks(block.blocks[1:], in_note=in_note)
            # an empty first paragraph is written `[]{}` after the label, as anywhere else
            inner = "\n\n".join(p for p in (label + " " + (text or "[]{}"), rest) if p)
        else:
            inner = self.blocks(block.blocks, in_note=in_note)
        return _fenced_div(attributes(classes=[SPEECH_CLASS], pairs=pairs), inner)

    def table(self, table: Table, in_note: bool) -> str:
        """An HTML table whose cells hold Markdown (CommonMark HTML blocks end at blank lines)."""
        lines = ["<table" + (f' id="{_escape_html_attribute(table.id)}"' if table.id else "")
                 + ">"]
        if table.caption:
            lines += ["<caption>", "", self.blocks(table.caption, in_note=in_note), "",
                      "</caption>"]
        if table.columns:
            lines.append("<colgroup>")
            for column in table.columns:
                attrs = ""
                if column.align:
                    attrs += f' style="text-align: {column.align}"'
                if column.width is not None:
                    attrs += f' {WIDTH_ATTR}="{column.width!r}"'
                lines.append(f"<col{attrs} />")
            lines.append("</colgroup>")
        for tag, rows, cell_tag in (("thead", table.head, "th"), ("tbody", table.body, "td"),
                                    ("tfoot", table.foot, "td")):
            if not rows and tag != "tbody":
                continue
            lines.append(f"<{tag}>")
            for row in rows:
                lines.extend(self.table_row(row, cell_tag, in_note))
            lines.append(f"</{tag}>")
        lines.append("</table>")
        return "\n".join(lines)

    def table_row(self, row: TableRow, cell_tag: str, in_note: bool) -> list[str]:
        lines = ["<tr>"]
        for cell in row.cells:
            open_tag = f"<{cell_tag}{_cell_attributes(cell)}>"
            content = self.blocks(cell.blocks, in_note=in_note)
            if content:
                lines += [open_tag, "", content, "", f"</{cell_tag}>"]
            else:
                lines.append(f"{open_tag}</{cell_tag}>")
        lines.append("</tr>")
        return lines

    # ----------------------------------------------------------------- documents

    def fragment(self, blocks: list[Block]) -> str:
        """Blocks for a metadata field, with their own notes, ending in a newline (pandoc then
        reads the field as blocks, not as one line)."""
        saved_notes, saved_prefix = self.notes, self.prefix
        self.notes, self.prefix = [], "m"
        text = "\n\n".join([self.blocks(blocks), *self.notes])
        self.notes, self.prefix = saved_notes, saved_prefix
        return text + "\n"

    def line(self, inlines: list[Inline]) -> str:
        """Inlines for a one-line metadata field."""
        saved_notes, saved_prefix = self.notes, self.prefix
        self.notes, self.prefix = [], "m"
        text = self.inlines(inlines, _Context(single_line=True))
        if self.notes:
            text = "\n\n".join([text, *self.notes]) + "\n"
        self.notes, self.prefix = saved_notes, saved_prefix
        return text

    def document(self) -> str:
        article = self.article
        self.place = "metadata"
        front = self.front_matter()
        body = self.blocks(article.body, place="body")
        parts = ["---\n" + "\n".join(yaml_lines(front)) + "\n---", body, *self.notes]
        return "\n\n".join(p for p in parts if p) + "\n"

    def front_matter(self) -> dict[str, Any]:
        article = self.article
        data = replace(article, body=[]).to_dict()  # the body is written below, not here
        front: dict[str, Any] = {"title": escape_text(article.title, line_start=True)}
        if article.subtitle is not None:
            front["subtitle"] = escape_text(article.subtitle, line_start=True)
        authors = [c.name for c in article.contributors if c.kind == "author"]
        if authors:
            front["author"] = [escape_text(name, line_start=True) for name in authors]
        if "published" in article.dates:
            front["date"] = article.dates["published"]
        if article.language:
            front["lang"] = article.language
        if article.abstract:
            front["abstract"] = self.fragment(article.abstract)
        keywords = article.subjects.get("keywords")
        if keywords:
            front["keywords"] = [escape_text(k, line_start=True) for k in keywords]
        front["schema_version"] = data["schema_version"]
        for key, value in data.items():
            if key in ("schema_version", "title", "subtitle", "abstract", "language", "body"):
                continue
            front[key] = value
        for i, contributor in enumerate(article.contributors):
            if contributor.bio:
                front["contributors"][i]["bio"] = self.fragment(contributor.bio)
        for key in ("notes", "acknowledgements"):
            blocks: list[Block] = getattr(article, key)
            if blocks:
                front[key] = self.fragment(blocks)
        for i, reference in enumerate(article.references):
            if reference.content:
                front["references"][i]["content"] = self.line(reference.content)
        return front


def _inner(ctx: _Context, node: Inline | None) -> _Context:
    """The context inside formatting ``node`` (None: inside a bracket construct)."""
    opened = ctx.open | {type(node)} if node is not None else ctx.open
    return replace(ctx, line_start=False, open=opened)


def _fits(node: Inline, text: str, before: str, after: str) -> bool:
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
_DELIMITED = (Emphasis, Strong, Strikeout, Superscript, Subscript, Quoted)


def _delimited(node: Inline, inner: str, ctx: _Context) -> str | None:
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


def _html(node: Inline, inner: str) -> str:
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


def _code(node: Code) -> str:
    text = node.text
    if not text or text != text.strip() or _INNER_WS.sub(" ", text) != text:
        return _html(node, "")  # pandoc trims code spans and joins their lines
    runs = {len(r) for r in re.findall(r"`+", text)}
    size = 1
    while size in runs:
        size += 1
    fence = "`" * size
    pad = " " if text[0] == "`" or text[-1] == "`" or size >= 3 else ""
    return fence + pad + text + pad + fence


def _math(node: Math) -> str:
    text = node.text
    if node.display:
        if text and "$$" not in text and "\n" not in text and text[0] != "$" and (
                text[-1] != "$"):
            return "$$" + text + "$$"
    elif (text and not text[0].isspace() and not text[-1].isspace() and "$" not in text
          and "\n" not in text and (len(text) - len(text.rstrip("\\"))) % 2 == 0):
        return "$" + text + "$"
    return _html(node, "")


def _cell_attributes(cell: TableCell) -> str:
    attrs = ""
    if cell.colspan != 1:
        attrs += f' colspan="{cell.colspan}"'
    if cell.rowspan != 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.align:
        attrs += f' style="text-align: {cell.align}"'
    return attrs


def _fenced_div(attrs: str, inner: str) -> str:
    """A pandoc fenced div; the fence is longer than any fence nested inside it."""
    longest = max((len(m) for m in re.findall(r"^ *(:{3,})", inner, re.MULTILINE)), default=2)
    fence = ":" * max(3, longest + 1)
    return f"{fence} {attrs}\n{inner}\n{fence}" if inner else f"{fence} {attrs}\n{fence}"


def _indent(lines: list[str], pad: str) -> str:
    return "\n".join(pad + line if line else "" for line in lines)


def _is_list(block: Block | None) -> bool:
    return isinstance(block, BulletList | OrderedList | DefinitionList)


def _quote_key(key: str) -> str:
    """A citation key inside the space-separated ``data-cites`` list."""
    return re.sub(r"[%\s]", lambda m: f"%{ord(m.group()):02X}", key) if key else "%"


def _expressible(style: Style, start: int, count: int) -> bool:
    """Whether pandoc reads the list markers back as this numbering style and start."""
    if style == "decimal":
        return start >= 0
    if start < 1:
        return False
    if style in ("lower-alpha", "upper-alpha"):
        return start + count - 1 <= 26 and start != 9  # `i.` reads as roman one
    return _roman(start) not in ("v", "x", "l", "c", "d", "m")  # single letters read as alpha


def _marker(style: Style, number: int) -> str:
    if style == "decimal":
        return f"{number}."
    if style == "lower-alpha":
        return f"{chr(ord('a') + number - 1)}."
    if style == "upper-alpha":
        return f"{chr(ord('A') + number - 1)}. "  # pandoc wants two spaces after `A.`
    if style == "lower-roman":
        return f"{_roman(number)}."
    return f"{_roman(number).upper()}. "


def _roman(number: int) -> str:
    out = []
    for letters, value in ROMAN:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def render_markdown(article: Article) -> str:
    """The article as Markdown text (see the module docstring)."""
    return _Renderer(article).document()


class MarkdownWriter:
    """Writer ``markdown``: CommonMark + pandoc extensions with YAML front matter."""

    name = "markdown"
    extension = ".md"

    def write(self, article: Article, options: WriteOptions) -> bytes:
        return render_markdown(article).encode("utf-8")


__all__ = ["MarkdownWriter", "attributes", "escape_text", "render_markdown", "yaml_lines"]
