"""Pandoc's JSON AST -> the canonical model: :class:`AstReader` (pandoc-types API 1.23, pandoc 3.9).

The AST is specified by the Haskell package pandoc-types (``Text.Pandoc.Definition``); its JSON
form is what ``pandoc -t json`` prints. The model's body vocabulary was drawn from it, so most
nodes map one to one; docs/pandoc.md has the whole table. :class:`AstReader` is the one AST ->
model mapping: the pandoc and HTML readers use it through
:func:`converter.pandoc.read_meta.article_from_pandoc` (which also reads pandoc's metadata), the
Markdown reader directly (its front matter is its own). The rules that are not one to one:

* ``Str``/``Space``/``SoftBreak`` runs become one merged ``Text`` (spaces and soft breaks as " ");
  writing splits text at each space again, so model -> AST -> model is exact.
* ``Plain`` and ``Para`` both become ``Paragraph``.
* ``Div`` and ``Span`` are unwrapped. What their attributes mean is kept: a ``Div`` with class
  ``speech`` and a ``speaker`` attribute is a :class:`Speech` (the reader drops the bold speaker
  label the writers put first); a ``Div.figure`` (with a last ``Div.caption``) is a figure; a
  ``Div.ordered-list`` sets its list's start and style; a ``Div``'s id moves onto the heading,
  table or figure it starts; spans with class ``smallcaps``/``underline`` become those nodes,
  ``Span.citation`` with ``data-cites`` a citation, ``Span.math`` math; a ``url`` attribute on a
  link or image is its exact URL. These are the attribute spellings of our Markdown dialect
  (:mod:`converter.formats.markdown`).
* Raw HTML is read as HTML as far as the model can say it (:mod:`.read_html`): inline tags
  paired up into formatting, a ``<table>`` spread over raw pieces rebuilt as a table; the tags
  left over and HTML comments go to ``Article.discarded`` (their text stays in the body).
* Other ``RawBlock``/``RawInline`` cannot be rendered by other writers: their text goes to
  ``Article.discarded`` with one diagnostic per format.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from ..formats.markdown import (
    CAPTION_CLASS,
    CITATION_CLASS,
    CITES_ATTR,
    FIGURE_CLASS,
    LANGUAGE_ATTR,
    MATH_CLASS,
    ORDERED_LIST_CLASS,
    SPEAKER_ATTR,
    SPEAKER_ROLE_ATTR,
    SPEECH_CLASS,
    START_ATTR,
    STYLE_ATTR,
    URL_ATTR,
    unquote_key,
)
from ..model import (
    Article,
    Block,
    BlockQuote,
    BulletList,
    Citation,
    Code,
    CodeBlock,
    ColumnSpec,
    DefinitionItem,
    DefinitionList,
    Discarded,
    Figure,
    Heading,
    HorizontalRule,
    Image,
    Inline,
    LineBlock,
    LineBreak,
    Link,
    Math,
    MediaResource,
    Note,
    OrderedList,
    Paragraph,
    Quoted,
    Speech,
    Table,
    TableCell,
    TableRow,
    Text,
    inline_text,
    normalize_inlines,
)
from .media import MediaFile, decode_data_uri
from .nodes import (
    ALIGN_IN,
    EMPTY_ATTR,
    PANDOC_API_VERSION,
    SPAN_CLASSES,
    STYLE_IN,
    WRAPPERS_IN,
    Json,
    ast_text,
    raw_format,
    split_attr,
)
from .read_html import HtmlBlocks, HtmlInlines


class AstReader:
    """Maps pandoc AST nodes onto the model for one article (the one mapping every reader uses).

    ``media`` maps image URLs to files the reader holds (see :func:`article_from_pandoc`).
    Raw markup goes to ``Article.discarded``; :meth:`finish` adds the diagnostics and the media
    found on the way.
    """

    def __init__(self, article: Article, media: dict[str, MediaFile] | None = None) -> None:
        self.article = article
        self.media = dict(media or {})
        self.used_media: dict[str, MediaResource] = {}
        self.raw: dict[str, int] = {}  # raw fragments whose text is lost, by format
        self.clamped = 0

    def check_version(self, document: Json) -> None:
        version = tuple(document.get("pandoc-api-version", ()))
        if version[:2] != PANDOC_API_VERSION[:2]:
            self.article.diagnose("warning", "pandoc-api-version",
                                  f"pandoc AST version {version} differs from the expected "
                                  f"{PANDOC_API_VERSION}; some nodes may be misread")

    def finish(self) -> None:
        """Diagnostics for what was set aside; the media the images use (after any present)."""
        article = self.article
        for fmt, count in self.raw.items():
            article.diagnose("warning", "raw-markup",
                             f"{count} raw {fmt} fragment(s) cannot be converted; "
                             "kept in 'discarded'")
        if self.clamped:
            article.diagnose("info", "heading-level",
                             f"{self.clamped} heading(s) deeper than level 6 set to level 6")
        present = {m.path for m in article.media}
        article.media.extend(m for m in self.used_media.values() if m.path not in present)
        for resource in self.used_media.values():
            article.resources[resource.path] = next(
                m.data for m in self.media.values() if m.path == resource.path)

    def discard(self, text: str, reason: str, place: str) -> None:
        self.article.discarded.append(Discarded(text, reason, place))

    def raw_markup(self, content: Json, place: str) -> None:
        """A ``RawBlock``/``RawInline`` no other writer can render: discarded, counted."""
        fmt, text = content
        fmt = str(fmt["c"] if isinstance(fmt, dict) else fmt)
        if not text.strip():
            return
        self.raw[fmt] = self.raw.get(fmt, 0) + 1
        self.discard(text, f"raw {fmt} markup", place)

    # ----------------------------------------------------------------- blocks

    def blocks(self, nodes: Iterable[Json], place: str) -> list[Block]:
        """Blocks; raw HTML ``<table>`` pieces and the blocks between them become a table."""
        out: list[Block] = []
        html = HtmlBlocks(self, out)
        for index, node in enumerate(nodes):
            where = f"{place}[{index}]"
            if node.get("t") == "RawBlock" and raw_format(node) == "html":
                html.raw_block(node["c"][1], where)
                continue
            html.sink().extend(self.block(node, where))
        html.close_all()  # an unclosed table: keep what it holds
        return out

    def block(self, node: Json, place: str) -> list[Block]:
        tag, content = node["t"], node.get("c")
        if tag in ("Para", "Plain"):
            inlines = self.line(content, place)
            # a paragraph whose text is all blank or raw markup (discarded) is no paragraph;
            # an empty one, or one of a bare empty span (our Markdown's `[]{}`), stays
            keep = inlines or all(n["t"] == "Span" and n["c"] == [EMPTY_ATTR, []]
                                  for n in content)
            return [Paragraph(inlines)] if keep else []
        if tag == "Header":
            level, attr, inlines = content
            if level > 6:
                self.clamped += 1
            return [Heading(min(max(level, 1), 6), self.line(inlines, place), attr[0] or None)]
        if tag == "CodeBlock":
            (_ident, classes, pairs), text = content
            language = classes[0] if classes else dict(pairs).get(LANGUAGE_ATTR)
            return [CodeBlock(text, language or None)]
        if tag == "RawBlock":
            self.raw_markup(content, place)
            return []
        if tag == "BlockQuote":
            return [BlockQuote(self.blocks(content, place))]
        if tag == "OrderedList":
            (start, style, _delim), items = content
            return [OrderedList([self.blocks(item, place) for item in items], start,
                                STYLE_IN.get(style["t"], "decimal"))]
        if tag == "BulletList":
            return [BulletList([self.blocks(item, place) for item in content])]
        if tag == "DefinitionList":
            return [DefinitionList([
                DefinitionItem(self.line(term, place),
                               [self.blocks(d, place) for d in definitions])
                for term, definitions in content])]
        if tag == "HorizontalRule":
            return [HorizontalRule()]
        if tag == "LineBlock":
            return [LineBlock([self.line(line, place) for line in content])]
        if tag == "Table":
            return [self.table(content, place)]
        if tag == "Figure":
            attr, (_short, caption), body = content
            return [Figure(self.blocks(body, place), self.blocks(caption, place),
                           attr[0] or None)]
        if tag == "Div":
            return self.div(content, place)
        self.article.diagnose("warning", "pandoc-unknown-block",
                              f"unknown pandoc block {tag!r} left out", place)
        return []

    def div(self, content: Json, place: str) -> list[Block]:
        """A ``Div`` is unwrapped unless its class says what it is (speech, figure)."""
        attr, children = content
        ident, classes, pairs = split_attr(attr)
        speaker = pairs.get(SPEAKER_ATTR, "").strip()
        if SPEECH_CLASS in classes and speaker:
            blocks = self.blocks(_strip_speaker_label(children, speaker), place)
            role = pairs.get(SPEAKER_ROLE_ATTR, pairs.get("role"))
            return [Speech(speaker, blocks, role or None)]
        if FIGURE_CLASS in classes:
            caption: list[Block] = []
            if children and children[-1].get("t") == "Div" and children[-1]["c"][0] == [
                    "", [CAPTION_CLASS], []]:
                caption = self.blocks(children[-1]["c"][1], place)
                children = children[:-1]
            return [Figure(self.blocks(children, place), caption, ident or None)]
        blocks = self.blocks(children, place)
        if ORDERED_LIST_CLASS in classes and len(blocks) == 1 and isinstance(
                blocks[0], OrderedList):
            start, style = pairs.get(START_ATTR, "1"), pairs.get(STYLE_ATTR, "decimal")
            if re.fullmatch(r"-?[0-9]+", start):
                blocks[0].start = int(start)
            if style in ("decimal", *STYLE_IN.values()):
                blocks[0].style = style
        if ident and blocks and isinstance(blocks[0], Heading | Table | Figure) and not (
                blocks[0].id):
            blocks[0].id = ident
        return blocks

    def table(self, content: Json, place: str) -> Table:
        attr, (_short, caption), colspecs, head, bodies, foot = content

        def rows(raw_rows: Json) -> list[TableRow]:
            return [TableRow([TableCell(self.blocks(blocks, place), max(colspan, 1),
                                        max(rowspan, 1), ALIGN_IN.get(align["t"]))
                              for _cattr, align, rowspan, colspan, blocks in cells])
                    for _rattr, cells in raw_rows]

        columns = [ColumnSpec(ALIGN_IN.get(align["t"]),
                              width["c"] if width["t"] == "ColWidth" else None)
                   for align, width in colspecs]
        if all(c.align is None and c.width is None for c in columns):
            columns = []
        body: list[TableRow] = []
        for _battr, _row_head_columns, inner_head, inner_body in bodies:
            body.extend(rows(inner_head) + rows(inner_body))
        return Table(body, rows(head[1]), rows(foot[1]), columns, self.blocks(caption, place),
                     attr[0] or None)

    def meta_blocks(self, value: Json, place: str) -> list[Block]:
        """A metadata value (Markdown text in a front matter, an abstract) as blocks."""
        kind = value.get("t") if isinstance(value, dict) else None
        if kind == "MetaBlocks":
            return self.blocks(value["c"], place)
        if kind == "MetaInlines":
            line = self.line(value["c"], place)
            return [Paragraph(line)] if line else []
        if kind == "MetaString":
            return [Paragraph(normalize_inlines([Text(value["c"])]))] if value["c"] else []
        if kind == "MetaList":
            return [block for item in value["c"] for block in self.meta_blocks(item, place)]
        return []

    # ----------------------------------------------------------------- inlines

    def line(self, nodes: Iterable[Json], place: str) -> list[Inline]:
        """The inlines of a whole block line, in the model's canonical form (normalize_inlines)."""
        return normalize_inlines(self.inlines(nodes, place))

    def inlines(self, nodes: Iterable[Json], place: str) -> list[Inline]:
        """Pandoc inlines, inline HTML elements paired up into model formatting."""
        html = HtmlInlines(self, place)
        for node in nodes:
            if node.get("t") == "RawInline" and raw_format(node) == "html":
                html.raw_inline(node["c"][1])
                continue
            html.target().extend(self.inline(node, place))
        return html.finish()

    def inline(self, node: Json, place: str) -> list[Inline]:
        tag, content = node["t"], node.get("c")
        if tag == "Str":
            return [Text(content)]
        if tag in ("Space", "SoftBreak"):
            return [Text(" ")]
        if tag in WRAPPERS_IN:
            return [WRAPPERS_IN[tag](self.inlines(content, place))]
        if tag == "LineBreak":
            return [LineBreak()]
        if tag == "Code":
            return [Code(content[1])]
        if tag == "Math":
            kind, text = content
            return [Math(text, kind["t"] == "DisplayMath")]
        if tag == "Quoted":
            kind, inner = content
            return [Quoted("single" if kind["t"] == "SingleQuote" else "double",
                           self.inlines(inner, place))]
        if tag == "Cite":
            citations, inner = content
            return [Citation([c["citationId"] for c in citations], self.inlines(inner, place))]
        if tag in ("Link", "Image"):
            attr, inner, (url, title) = content
            url = dict(attr[2]).get(URL_ATTR, url)  # the exact URL, where Markdown cannot say it
            if tag == "Link":
                return [Link(url, self.inlines(inner, place), title or None)]
            alt = self.inlines(inner, place)
            return [Image(self.media_url(url, alt), alt, title or None)]
        if tag == "Note":
            return [Note(self.blocks(content, place))]
        if tag == "Span":
            return self.span(content, place)
        if tag == "RawInline":
            self.raw_markup(content, place)
            return []
        self.article.diagnose("warning", "pandoc-unknown-inline",
                              f"unknown pandoc inline {tag!r} left out", place)
        return []

    def span(self, content: Json, place: str) -> list[Inline]:
        """A ``Span`` is unwrapped unless its class says what it is (citation, math, ...)."""
        attr, children = content
        _ident, classes, pairs = split_attr(attr)
        inlines = self.inlines(children, place)
        if CITATION_CLASS in classes and CITES_ATTR in pairs:
            keys = [unquote_key(k) for k in pairs[CITES_ATTR].split()]
            return [Citation(keys, inlines)]
        if MATH_CLASS in classes:
            return [Math(inline_text(inlines), "display" in classes)]
        for cls in classes:
            if cls in SPAN_CLASSES and inlines:
                return [SPAN_CLASSES[cls](inlines)]
        return inlines

    def media_url(self, url: str, alt: list[Inline]) -> str:
        """The model URL of an image: its media path when the reader holds its bytes."""
        found = self.media.get(url)
        if found is None and url.startswith("data:"):
            found = decode_data_uri(url)
            if found is None:
                self.article.diagnose("warning", "bad-data-uri",
                                      "an image's data: URI is malformed")
                return url
            self.media[url] = found
        if found is None:
            return url
        if found.path not in self.used_media:
            alt_text = " ".join(inline_text(alt).split())
            self.used_media[found.path] = MediaResource(
                found.path, found.media_type, len(found.data),
                hashlib.sha256(found.data).hexdigest(), alt_text or None)
        return found.path


def _strip_speaker_label(children: list[Json], speaker: str) -> list[Json]:
    """A speech turn's blocks without the bold "Speaker:" label its first paragraph starts with.

    The label is ``Strong [Speaker:]`` or ``Strong [Speaker]`` followed by ":"; a paragraph that
    held only the label goes with it.
    """
    if not children or children[0].get("t") not in ("Para", "Plain"):
        return children
    first = children[0]["c"]
    if not first or first[0].get("t") != "Strong":
        return children
    label = ast_text(first[0]["c"]).strip()
    if label not in (speaker, speaker + ":"):
        return children
    rest = list(first[1:])
    if label == speaker:
        if not rest or rest[0].get("t") != "Str" or not rest[0]["c"].startswith(":"):
            return children
        colon_rest = rest[0]["c"][1:]
        rest[0:1] = [{"t": "Str", "c": colon_rest}] if colon_rest else []
    if rest and rest[0].get("t") in ("Space", "SoftBreak"):
        rest = rest[1:]
    if not rest:
        return list(children[1:])
    return [{"t": children[0]["t"], "c": rest}, *children[1:]]
