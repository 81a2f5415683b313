"""Writer for JATS 1.3 Journal Archiving and Interchange XML (ANSI/NISO Z39.96-2021), DTD-valid.

Follows the JATS 1.3 Archiving tag library (https://jats.nlm.nih.gov/archiving/tag-library/1.3/)
and the PMC tagging guidelines where they choose between valid options (``article-type`` values).
docs/jats.md has the full mapping; in short:

* front: ``article-meta`` carries ids, title, contributors, dates, ``pub-history`` (the source
  publication), permissions, abstract and one ``kwd-group`` per subject list; ``custom-meta-group``
  holds what JATS has no element for (``extra`` as JSON, image credits, media, discarded text), so
  nothing in the model is dropped and the JATS reader gets it all back;
* body: sections are built from heading levels; an interview turn is a ``speech``;
* back: acknowledgements, the reference list, and every footnote in one ``fn-group``.

Where the DTD demands an element the model does not have (a ``speech`` without paragraphs, a list
without items), the writer adds an empty one marked ``specific-use="placeholder"`` (or
``content-type`` where that is the only attribute), which the reader skips. The tree is built
directly with lxml; validation against the DTD runs when ``WriteOptions.jats_dtd`` is set.

The package, by concern::

    article.py    the root, the back matter, build_tree() and serialize()
    front.py      journal-meta, article-meta, custom-meta
    body.py       sections and blocks
    tables.py     table-wrap and fig
    inline.py     inlines, footnotes, cross-references
    tree.py       the tree in the making: clean text, ids, footnotes, diagnostics
    structure.py  where the DTD allows what
"""

from __future__ import annotations

from lxml import etree

from ...model import Article, Diagnostic
from ...options import WriteOptions
from ...registry import Check, Rendition
from .article import build_tree, serialize
from .structure import ALLOWED, BREAK_PARENTS, DISPLAY_PARENTS, ELEMENT_ONLY, FLOW, SECTIONED

#: what callers and tests use: the writer, its two steps, the DTD tables the tests check
__all__ = ["ALLOWED", "BREAK_PARENTS", "DISPLAY_PARENTS", "ELEMENT_ONLY", "FLOW", "SECTIONED",
           "JatsWriter", "build_tree", "serialize"]


class JatsWriter:
    """Article -> JATS 1.3 Archiving XML (UTF-8, DOCTYPE with the official public identifier)."""

    name = "jats"
    extension = ".xml"

    def write(self, article: Article, options: WriteOptions) -> Rendition:
        noticed: list[Diagnostic] = []
        root = build_tree(article, noticed=noticed)
        checks: tuple[Check, ...] = ()
        if options.jats_dtd is not None:
            from ...formats.jats.validate import tree_problems

            problems = tree_problems(etree.ElementTree(root), options.jats_dtd)
            checks = (Check("jats-dtd", "libxml2 DTD validation",
                            ".".join(map(str, etree.LIBXML_VERSION)), not problems,
                            "valid against the JATS 1.3 Archiving and Interchange DTD",
                            tuple(problems)),)
        return Rendition(serialize(root), tuple(noticed), checks=checks)
