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

The package::

    render.py        the renderer: blocks, footnotes, the document and its front matter's fields
    inlines.py       inline formatting: Markdown delimiters where they are unambiguous, else HTML
    front_matter.py  the YAML emitter (YAML 1.2 that YAML 1.1 parsers read the same way)

The spellings the writer shares with the reading side (class and attribute names, escaping,
attribute blocks, fences, list markers) are the dialect, :mod:`converter.formats.markdown`.
"""

from __future__ import annotations

from ...model import Article
from ...options import WriteOptions
from ...registry import Rendition
from .render import render_markdown


class MarkdownWriter:
    """Writer ``markdown``: CommonMark + pandoc extensions with YAML front matter."""

    name = "markdown"
    extension = ".md"

    def write(self, article: Article, options: WriteOptions) -> Rendition:
        text, noticed = render_markdown(article)
        return Rendition(text.encode("utf-8"), tuple(noticed))


__all__ = ["MarkdownWriter", "render_markdown"]
