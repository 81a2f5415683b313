"""The Markdown writer's renderer: blocks, notes and the document with its front matter.

One :class:`_Renderer` per article walks the body in order, numbering footnotes as it meets them.
Blocks use CommonMark 0.31 where it can say what the model means and pandoc's extensions where it
cannot; tables are HTML with Markdown in their cells. Inline delimiters are chosen in
:mod:`.inlines`, the YAML is written by :mod:`.front_matter`, and every spelling the reader side
must agree on comes from the dialect, :mod:`converter.formats.markdown`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ...formats.markdown import (
    CAPTION_CLASS,
    CITATION_CLASS,
    CITES_ATTR,
    FIGURE_CLASS,
    HTML_TAGS,
    ORDERED_LIST_CLASS,
    SEPARATOR,
    SPEAKER_ATTR,
    SPEAKER_ROLE_ATTR,
    SPEECH_CLASS,
    START_ATTR,
    STYLE_ATTR,
    WIDTH_ATTR,
    attributes,
    code_info,
    destination,
    escape_html_attribute,
    escape_text,
    expressible,
    fenced_div,
    list_marker,
    quote_key,
)
from ...model import (
    Article,
    Block,
    BlockQuote,
    BulletList,
    Citation,
    Code,
    CodeBlock,
    DefinitionList,
    Diagnostic,
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
    Table,
    TableCell,
    TableRow,
    Text,
    Underline,
    add_once,
    block_text,
)
from .front_matter import yaml_lines
from .inlines import (
    DELIMITED,
    Context,
    code_span,
    delimited,
    fits,
    html_form,
    inner_context,
    math_span,
)


class _Renderer:
    """Renders one article; holds the footnotes and reports what it could not write."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.notes: list[str] = []
        self.note_counts: dict[str, int] = {}
        self.prefix = ""
        self.place = "body"
        #: what could not be written as is (the pipeline records it)
        self.noticed: list[Diagnostic] = []

    def diagnose(self, code: str, message: str) -> None:
        add_once(self.noticed, Diagnostic("warning", f"markdown-{code}", message,
                                          place=self.place))

    # ----------------------------------------------------------------- inlines

    def inlines(self, nodes: list[Inline], ctx: Context) -> str:
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
            if not fits(node, parts[i], before, after):
                parts[i] = html_form(node, inners[i] or "")
        return "".join(parts)

    def text(self, text: str, ctx: Context, previous: Inline | None, following: Inline | None
             ) -> str:
        out = escape_text(text, line_start=ctx.line_start, heading=ctx.heading)
        if following is not None and out.endswith("!"):
            out = out[:-1] + "\\!"  # `![` would start an image
        if isinstance(previous, Note) and out[:1] in (":", "("):
            out = "\\" + out  # `[^1]:` defines a note, `[^1](` may read as a link
        return out

    def inline(self, node: Inline, ctx: Context) -> tuple[str, str | None]:
        """The node as Markdown, and for formatting also its content as rendered: a fallback to
        the HTML form reuses it (rendering twice would number footnotes twice)."""
        if isinstance(node, DELIMITED):
            if isinstance(node, Quoted):
                inner_ctx = replace(inner_context(ctx, None), quotes=ctx.quotes | {node.quote})
            else:
                inner_ctx = inner_context(ctx, node)
            inner = self.inlines(node.content, inner_ctx)
            return (delimited(node, inner, ctx) or html_form(node, inner)), inner
        if isinstance(node, SmallCaps | Underline):
            word = "smallcaps" if isinstance(node, SmallCaps) else "underline"
            content = self.inlines(node.content, inner_context(ctx, None))
            return "[" + content + "]{." + word + "}", None
        if isinstance(node, Code):
            return code_span(node), None
        if isinstance(node, Math):
            return math_span(node), None
        if isinstance(node, Link | Image):
            inner_ctx = replace(inner_context(ctx, None), in_link=True)
            content = self.inlines(node.content, inner_ctx)
            if isinstance(node, Link) and ctx.in_link:
                self.diagnose("link-in-link", "a link inside a link is written as its text")
                return content, None
            bang = "!" if isinstance(node, Image) else ""
            return f"{bang}[{content}]" + destination(node.url, node.title), None
        if isinstance(node, Citation):
            keys = " ".join(quote_key(k) for k in node.keys)
            return ("[" + self.inlines(node.content, inner_context(ctx, None)) + "]"
                    + attributes(classes=[CITATION_CLASS], pairs=[(CITES_ATTR, keys)])), None
        if isinstance(node, Note):
            return self.note(node, ctx), None
        self.diagnose("unknown-inline", f"no Markdown form for inline {node.type}")
        return "", None

    def note(self, node: Note, ctx: Context) -> str:
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
        ctx = Context(in_note=in_note)
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
                parts.append(fenced_div(CAPTION_CLASS, caption))
            return fenced_div(attributes(block.id, [FIGURE_CLASS]),
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
        if expressible(style, start, len(block.items)):
            markers = [list_marker(style, start + i) for i in range(len(block.items))]
            return self.list_items(markers, block.items, in_note)
        # pandoc would read another start or numbering: say it in a div around a plain list
        markers = [f"{i + 1}." for i in range(len(block.items))]
        inner = self.list_items(markers, block.items, in_note)
        return fenced_div(attributes(classes=[ORDERED_LIST_CLASS], pairs=[
            (START_ATTR, str(start)), (STYLE_ATTR, style)]), inner)

    def code_block(self, block: CodeBlock) -> str:
        text = block.text
        if "\r" in text:
            self.diagnose("code_block", "carriage returns in a code block become line ends")
        longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
        fence = "`" * max(3, longest + 1)
        info = code_info(block.language)
        return f"{fence}{info}\n{text}\n{fence}" if text else f"{fence}{info}\n\n{fence}"

    def speech(self, block: Speech, in_note: bool) -> str:
        pairs = [(SPEAKER_ATTR, block.speaker)]
        if block.speaker_role is not None:
            pairs.append((SPEAKER_ROLE_ATTR, block.speaker_role))
        first = block.blocks[0] if block.blocks else None
        if isinstance(first, Paragraph):
            # the readable label before the first paragraph; the reader takes it off again
            label = "**" + escape_text(block.speaker + ":", exact=True) + "**"
            text = self.inlines(first.content, Context(line_start=False, in_note=in_note))
            rest = self.blocks(block.blocks[1:], in_note=in_note)
            # an empty first paragraph is written `[]{}` after the label, as anywhere else
            inner = "\n\n".join(p for p in (label + " " + (text or "[]{}"), rest) if p)
        else:
            inner = self.blocks(block.blocks, in_note=in_note)
        return fenced_div(attributes(classes=[SPEECH_CLASS], pairs=pairs), inner)

    def table(self, table: Table, in_note: bool) -> str:
        """An HTML table whose cells hold Markdown (CommonMark HTML blocks end at blank lines)."""
        lines = ["<table" + (f' id="{escape_html_attribute(table.id)}"' if table.id else "")
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
        text = self.inlines(inlines, Context(single_line=True))
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


def _cell_attributes(cell: TableCell) -> str:
    attrs = ""
    if cell.colspan != 1:
        attrs += f' colspan="{cell.colspan}"'
    if cell.rowspan != 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.align:
        attrs += f' style="text-align: {cell.align}"'
    return attrs


def _indent(lines: list[str], pad: str) -> str:
    return "\n".join(pad + line if line else "" for line in lines)


def _is_list(block: Block | None) -> bool:
    return isinstance(block, BulletList | OrderedList | DefinitionList)


def render_markdown(article: Article) -> tuple[str, list[Diagnostic]]:
    """The article as Markdown text (see the module docstring), and what could not be written
    as is."""
    renderer = _Renderer(article)
    return renderer.document(), renderer.noticed
