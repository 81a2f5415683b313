"""The canonical model -> pandoc's JSON AST (pandoc-types API 1.23, as pandoc 3.9 reads it).

The pandoc writer hands the result to pandoc (``pandoc -f json``), which renders any of its output
formats from it. Most model nodes have an AST node of their own (docs/pandoc.md has the table);
the rules that are not one to one:

* text is split into ``Str`` per word, ``Space`` per space and ``SoftBreak`` per newline, which
  the AST reader merges again, so model -> AST -> model is exact;
* a list item, cell or definition holding one paragraph is written as ``Plain`` (a tight list),
  anything else as ``Para``;
* a :class:`~converter.model.Speech` is a ``Div.speech`` with ``speaker`` (and ``role``)
  attributes and a bold "Speaker:" label before its first paragraph;
* model content with no AST node of its own (notes, acknowledgements, references, image credits)
  is written as extra body sections so that no writer built on pandoc drops it; a node with no
  AST form at all is left out with a ``pandoc-unrendered`` diagnostic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from ..model import (
    Article,
    Block,
    BlockQuote,
    BulletList,
    Citation,
    Code,
    CodeBlock,
    ColumnSpec,
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
    Speech,
    Table,
    TableRow,
    Text,
    add_once,
)
from .nodes import ALIGN_OUT, EMPTY_ATTR, PANDOC_API_VERSION, STYLE_OUT, WRAPPERS_OUT, Json


def _tokens(text: str) -> list[Json]:
    """Text as ``Str``/``Space``/``SoftBreak``: one per space or newline, the rest kept as is."""
    out: list[Json] = []
    for piece in re.split(r"( |\n)", text):
        if piece == " ":
            out.append({"t": "Space"})
        elif piece == "\n":
            out.append({"t": "SoftBreak"})
        elif piece:
            out.append({"t": "Str", "c": piece})
    return out


def _meta_inlines(text: str) -> Json:
    return {"t": "MetaInlines", "c": _tokens(text)}


@dataclass
class _WriteState:
    article: Article
    url_for: Callable[[str], str]
    unrendered: list[str] = field(default_factory=list)
    noticed: list[Diagnostic] = field(default_factory=list)


def pandoc_from_article(article: Article, url_for: Callable[[str], str] | None = None,
                        *, extra_sections: bool = True,
                        noticed: list[Diagnostic] | None = None) -> Json:
    """The pandoc JSON document for an article.

    ``url_for`` rewrites image URLs (the pandoc writer passes one that turns media paths into
    ``data:`` URIs for container formats). With ``extra_sections`` the article's notes,
    acknowledgements, references and image credits follow the body as sections of their own.
    What has no pandoc form is left out and said in ``noticed``.
    """
    state = _WriteState(article, url_for or (lambda url: url),
                        noticed=noticed if noticed is not None else [])
    body = [b for block in article.body for b in _write_block(state, block)]
    if extra_sections:
        body.extend(_extra_sections(state))
    return {"pandoc-api-version": list(PANDOC_API_VERSION), "meta": _write_meta(state),
            "blocks": body}


def _write_meta(state: _WriteState) -> dict[str, Json]:
    article = state.article
    meta: dict[str, Json] = {"title": _meta_inlines(article.title)}
    if article.subtitle:
        meta["subtitle"] = _meta_inlines(article.subtitle)
    authors = [c for c in article.contributors if c.kind == "author"]
    others = [c for c in article.contributors if c.kind != "author"]
    if authors:
        meta["author"] = {"t": "MetaList", "c": [_meta_inlines(c.name) for c in authors]}
    if others:
        meta["contributor"] = {"t": "MetaList", "c": [_meta_inlines(f"{c.name} ({c.kind})")
                                                      for c in others]}
    date = article.dates.get("published") or next(iter(article.dates.values()), None)
    if date:
        meta["date"] = _meta_inlines(date)
    if article.language:
        meta["lang"] = {"t": "MetaString", "c": article.language}
    if article.abstract:
        meta["abstract"] = {"t": "MetaBlocks", "c": _write_blocks(state, article.abstract)}
    keywords = article.subjects.get("keywords", [])
    if keywords:
        meta["keywords"] = {"t": "MetaList", "c": [_meta_inlines(k) for k in keywords]}
    subjects = [s for name, values in article.subjects.items() if name != "keywords"
                for s in values]
    if subjects:
        meta["subject"] = {"t": "MetaList", "c": [_meta_inlines(s) for s in subjects]}
    if article.rights and (article.rights.statement or article.rights.license_url):
        meta["rights"] = _meta_inlines(" ".join(
            p for p in (article.rights.statement, article.rights.license_url) if p))
    if article.source_publication:
        meta["publisher"] = _meta_inlines(article.source_publication.name)
    return meta


def _extra_sections(state: _WriteState) -> list[Json]:
    article = state.article
    sections: list[tuple[str, str, list[Json]]] = []
    if article.notes:
        sections.append(("notes", "Notes", _write_blocks(state, article.notes)))
    if article.acknowledgements:
        sections.append(("acknowledgements", "Acknowledgements",
                         _write_blocks(state, article.acknowledgements)))
    if article.references:
        entries = []
        for ref in article.references:
            label = [{"t": "Str", "c": f"[{ref.label}]"}, {"t": "Space"}] if ref.label else []
            para = {"t": "Para", "c": label + _write_inlines(state, ref.content)}
            entries.append({"t": "Div", "c": [[ref.id or "", ["reference"], []], [para]]})
        sections.append(("references", "References", [{"t": "Div", "c": [
            ["refs", ["references"], []], entries]}]))
    if article.image_credits:
        sections.append(("image-credits", "Image credits",
                         [{"t": "Para", "c": _tokens(c)} for c in article.image_credits]))
    out: list[Json] = []
    for ident, title, blocks in sections:
        out.append({"t": "Header", "c": [1, [ident, ["unnumbered"], []], _tokens(title)]})
        out.extend(blocks)
    return out


def _write_blocks(state: _WriteState, blocks: list[Block]) -> list[Json]:
    return [b for block in blocks for b in _write_block(state, block)]


def _item_blocks(state: _WriteState, blocks: list[Block]) -> list[Json]:
    """Blocks of a list item, cell or definition: one paragraph alone is ``Plain`` (tight)."""
    out = _write_blocks(state, blocks)
    if len(out) == 1 and out[0]["t"] == "Para":
        return [{"t": "Plain", "c": out[0]["c"]}]
    return out


def _write_block(state: _WriteState, block: Block) -> list[Json]:
    match block:
        case Paragraph():
            return [{"t": "Para", "c": _write_inlines(state, block.content)}]
        case Heading():
            return [{"t": "Header", "c": [block.level, [block.id or "", [], []],
                                          _write_inlines(state, block.content)]}]
        case BulletList():
            return [{"t": "BulletList", "c": [_item_blocks(state, i) for i in block.items]}]
        case OrderedList():
            attrs = [block.start, {"t": STYLE_OUT[block.style]}, {"t": "DefaultDelim"}]
            return [{"t": "OrderedList",
                     "c": [attrs, [_item_blocks(state, i) for i in block.items]]}]
        case DefinitionList():
            return [{"t": "DefinitionList", "c": [
                [_write_inlines(state, item.term), [_item_blocks(state, d)
                                                    for d in item.definitions]]
                for item in block.items]}]
        case BlockQuote():
            return [{"t": "BlockQuote", "c": _write_blocks(state, block.blocks)}]
        case CodeBlock():
            return [{"t": "CodeBlock", "c": [["", [block.language] if block.language else [],
                                              []], block.text]}]
        case HorizontalRule():
            return [{"t": "HorizontalRule"}]
        case LineBlock():
            return [{"t": "LineBlock", "c": [_write_inlines(state, line)
                                             for line in block.lines]}]
        case Table():
            return [_write_table(state, block)]
        case Figure():
            return [{"t": "Figure", "c": [[block.id or "", [], []],
                                          [None, _write_blocks(state, block.caption)],
                                          _write_blocks(state, block.content)]}]
        case Speech():
            return [_write_speech(state, block)]
    state.unrendered.append(block.type)
    add_once(state.noticed, Diagnostic("warning", "pandoc-unrendered",
                                       f"no pandoc node for block type {block.type!r}; left out"))
    return []


def _write_speech(state: _WriteState, speech: Speech) -> Json:
    pairs = [["speaker", speech.speaker]]
    if speech.speaker_role:
        pairs.append(["role", speech.speaker_role])
    label = [{"t": "Strong", "c": _tokens(speech.speaker + ":")}]
    blocks = _write_blocks(state, speech.blocks)
    if blocks and blocks[0]["t"] == "Para" and blocks[0]["c"]:
        blocks[0] = {"t": "Para", "c": [*label, {"t": "Space"}, *blocks[0]["c"]]}
    else:
        blocks.insert(0, {"t": "Para", "c": label})
    return {"t": "Div", "c": [["", ["speech"], pairs], blocks]}


def table_width(table: Table) -> int:
    """The number of grid columns the table's rows span (row and column spans counted)."""
    width = 0
    for section in (table.head, table.body, table.foot):
        carried: dict[int, int] = {}  # column -> rows it stays occupied below
        for row in section:
            column, taken = 0, dict(carried)
            for cell in row.cells:
                while taken.get(column, 0) > 0:
                    column += 1
                for c in range(column, column + cell.colspan):
                    taken[c] = cell.rowspan
                column += cell.colspan
            width = max(width, max(taken, default=-1) + 1)
            carried = {c: n - 1 for c, n in taken.items() if n > 1}
    return max(width, len(table.columns))


def _write_table(state: _WriteState, table: Table) -> Json:
    width = table_width(table)
    columns = list(table.columns) + [ColumnSpec()] * (width - len(table.columns))
    colspecs = [[{"t": ALIGN_OUT[c.align]},
                 {"t": "ColWidth", "c": c.width} if c.width is not None
                 else {"t": "ColWidthDefault"}] for c in columns]

    def rows(section: list[TableRow]) -> list[Json]:
        return [[EMPTY_ATTR, [[EMPTY_ATTR, {"t": ALIGN_OUT[cell.align]}, cell.rowspan,
                               cell.colspan, _item_blocks(state, cell.blocks)]
                              for cell in row.cells]] for row in section]

    return {"t": "Table", "c": [
        [table.id or "", [], []], [None, _write_blocks(state, table.caption)], colspecs,
        [EMPTY_ATTR, rows(table.head)], [[EMPTY_ATTR, 0, [], rows(table.body)]],
        [EMPTY_ATTR, rows(table.foot)]]}


def _write_inlines(state: _WriteState, inlines: list[Inline]) -> list[Json]:
    return [j for inline in inlines for j in _write_inline(state, inline)]


def _write_inline(state: _WriteState, inline: Inline) -> list[Json]:
    wrapper = WRAPPERS_OUT.get(type(inline))
    if wrapper:
        return [{"t": wrapper, "c": _write_inlines(state, cast(Any, inline).content)}]
    match inline:
        case Text():
            return _tokens(inline.text)
        case Code():
            return [{"t": "Code", "c": [EMPTY_ATTR, inline.text]}]
        case Link():
            return [{"t": "Link", "c": [EMPTY_ATTR, _write_inlines(state, inline.content),
                                        [inline.url, inline.title or ""]]}]
        case Image():
            return [{"t": "Image", "c": [EMPTY_ATTR, _write_inlines(state, inline.content),
                                         [state.url_for(inline.url), inline.title or ""]]}]
        case LineBreak():
            return [{"t": "LineBreak"}]
        case Quoted():
            kind = "DoubleQuote" if inline.quote == "double" else "SingleQuote"
            return [{"t": "Quoted", "c": [{"t": kind}, _write_inlines(state, inline.content)]}]
        case Note():
            return [{"t": "Note", "c": _write_blocks(state, inline.blocks)}]
        case Math():
            kind = "DisplayMath" if inline.display else "InlineMath"
            return [{"t": "Math", "c": [{"t": kind}, inline.text]}]
        case Citation():
            content = _write_inlines(state, inline.content)
            if not inline.keys:
                return [{"t": "Span", "c": [["", ["citation"], []], content]}]
            citations = [{"citationId": key, "citationPrefix": [], "citationSuffix": [],
                          "citationMode": {"t": "NormalCitation"}, "citationNoteNum": 0,
                          "citationHash": 0} for key in inline.keys]
            return [{"t": "Cite", "c": [citations, content]}]
    state.unrendered.append(inline.type)
    add_once(state.noticed, Diagnostic("warning", "pandoc-unrendered",
                                       f"no pandoc node for inline type {inline.type!r}; left out"))
    return []
