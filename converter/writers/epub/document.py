"""One article as one XHTML content document (EPUB 3.3 section 6.1, XHTML5 in the XML syntax).

Built with lxml, so any text escapes correctly. The document is ``<article>`` with a header, the
body and the back matter; the work is shared by cooperating renderers over one :class:`Context`::

    context.py   ids, labels, section headings, notes and contents the renderers share
    inlines.py   text, formatting, links, note references, images
    blocks.py    paragraphs, headings, lists, tables, figures, speech turns
    matter.py    the header (title, bylines, abstract) and the back matter (references,
                 contributors, colophon, endnotes)
"""

from __future__ import annotations

from ...model import Article
from .blocks import BlockRenderer
from .context import Context
from .images import BookImages
from .inlines import InlineRenderer
from .matter import BackMatter, FrontMatter
from .nav import Toc
from .xhtml import Report, page, serialize, sub


class Document:
    """Renders one article as one XHTML content document."""

    def __init__(self, article: Article, report: Report, images: BookImages, file_name: str,
                 prefix: str, language: str) -> None:
        self.ctx = Context(article, report, images, file_name, prefix, language)
        self.inlines = InlineRenderer(self.ctx)
        self.blocks = BlockRenderer(self.ctx, self.inlines)
        self.front = FrontMatter(self.ctx, self.blocks)
        self.back = BackMatter(self.ctx, self.blocks, self.inlines)

    @property
    def title(self) -> str:
        return self.ctx.title

    @property
    def file_name(self) -> str:
        return self.ctx.file_name

    @property
    def language(self) -> str:
        return self.ctx.language

    @property
    def toc(self) -> list[Toc]:
        """The document's entries in the table of contents (after :meth:`render`)."""
        return self.ctx.toc

    def render(self) -> bytes:
        """The finished XHTML content document."""
        ctx = self.ctx
        article = ctx.article
        html, body = page(ctx.language, ctx.title)
        root = sub(body, "article", {"id": ctx.new_id("article")})
        # citations may come before the reference list: its ids are known from the start
        ctx.reference_ids = [
            ctx.model_id(ref.id) if ref.id is not None and ref.id not in ctx.model_ids
            else ctx.new_id(f"ref-{n}") for n, ref in enumerate(article.references, 1)]
        self.front.render_header(root)
        if article.body:
            main = sub(root, "div", {"class": "article-body"})
            self.blocks.toc_stack = []
            self.blocks.blocks(main, article.body)
            self.blocks.toc_stack = []
        self.back.render_back_matter(root)
        self.back.render_notes(root)
        self.inlines.resolve_internal_links()
        return serialize(html)
