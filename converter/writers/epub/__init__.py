"""EPUB writer: EPUB 3.3 (W3C Recommendation 2023) with EPUB Accessibility 1.1 metadata.

Content documents are XHTML5 built with lxml (so any text escapes correctly), marked up with the
EPUB 3 Structural Semantics Vocabulary (``epub:type``) and the matching DPUB-ARIA 1.1 roles. The
package document and the legacy NCX come from ebooklib; the ZIP container (OCF 3.3) is written here,
deterministically. docs/epub.md describes the result; in short::

    mimetype                  first entry, stored
    META-INF/container.xml
    EPUB/content.opf          package document: metadata, manifest, spine (ebooklib)
    EPUB/toc.ncx              NCX for EPUB 2 reading systems (ebooklib, from the same contents)
    EPUB/nav.xhtml            navigation document: contents and landmarks
    EPUB/article.xhtml        the article (a collection: chapter-001.xhtml, chapter-002.xhtml, ...)
    EPUB/style.css
    EPUB/images/<hash>.<ext>  images from ``Article.resources``

The package, by concern::

    book.py        one book from an article or a collection: the parts, in order
    document.py    one article as one XHTML content document, from the renderers below
      context.py     what a document's renderers share: ids, labels, notes, contents
      inlines.py     text, formatting, links, note references, images
      blocks.py      paragraphs, headings, lists, tables, figures, speech turns
      matter.py      header and back matter: bylines, abstract, references, colophon, endnotes
    nav.py         the navigation document and the NCX's table of contents
    package.py     the package document (OPF): metadata, accessibility, manifest, spine
    container.py   the OCF container: the ZIP, mimetype first and stored, fixed times
    xhtml.py       XML/XHTML building blocks and the per-article report every part uses
    urls.py        hyperlinks valid in an EPUB;  images.py: embedded images, sniffed
    epub.css       the stylesheet every book carries

Determinism: the same article and options give the same bytes. The identifier is
``Article.content_id()`` and the only clock is :func:`converter.options.build_time`.
"""

from .book import DEFAULT_LANGUAGE, EpubWriter, write_collection

__all__ = ["DEFAULT_LANGUAGE", "EpubWriter", "write_collection"]
