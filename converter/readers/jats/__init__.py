"""Reader for JATS journal articles (ANSI/NISO Z39.96 JATS 1.0-1.4) and NLM 3.0 articles.

Follows the JATS tag libraries (https://jats.nlm.nih.gov/: Archiving, Publishing and Authoring,
1.0 to 1.4; NLM Journal Publishing 3.0 uses the same names). docs/jats.md has the mapping. In short:

* front matter -> title, subtitle, contributors (names, affiliations, roles, bios, ORCID, email),
  abstract, keywords and subject groups -> ``subjects``, dates, ``article-id`` -> identifiers,
  permissions -> rights, journal metadata -> ``extra["journal"]``;
* body -> blocks: ``sec`` titles become headings, ``speech`` an interview turn, ``fn`` and
  ``xref`` to a footnote a :class:`~converter.model.Note`, ``xref`` to a reference a citation;
* back -> acknowledgements, ``references`` (one entry per ``ref``), notes.

What the model cannot hold is never dropped silently: front-matter elements without a home are
kept verbatim (as XML) in ``extra["jats_unmapped"]`` by their path, body elements without a model
type are read as text, and either way a diagnostic names the element and its place.

Parsing is safe for hostile files: no DTD is loaded, no entity is resolved by the parser (named
character entities are looked up in the HTML 5 / ISO entity table, entities a document declares
itself are expanded one level deep), no network, no huge trees. A document that is not well-formed
but whose root is still ``article`` is read in libxml2's recovery mode, with a warning. MathML
without a TeX alternative is turned into TeX by pandoc (texmath), in one run per document.

The JATS writer's own output (``processing-meta`` names the generator) reads back to the article
it was written from; converter.formats.jats.vocabulary has its conventions (placeholders, markers).

The package, by concern::

    parse.py         recognizing and safely parsing JATS, fragments
    article.py       the article whole: front, body, back, sub-articles, the losses
    front.py         journal-meta, article-meta, permissions, custom-meta
    contributors.py  contributors
    dates.py         dates and the source publication
    body.py          sections and blocks
    tables.py        tables, figures, graphics
    inline.py        inlines, footnotes, cross-references
    references.py    reference lists
    math.py          formulas, MathML to TeX
    structure.py     which elements stand where: blocks inside paragraphs, transparent inlines
    document.py      the parsed document, its text, ids and losses
"""

from __future__ import annotations

from ..._version import __version__
from ...model import Article
from ...options import ReadOptions
from .article import ArticleReader
from .parse import FRAGMENTS, as_article, parse_safely, sniff

__all__ = ["JatsReader"]


class JatsReader:
    """JATS / NLM XML -> Article."""

    name = "jats"
    version = __version__

    def sniff(self, data: bytes, file_name: str | None) -> bool:
        """A JATS or NLM DOCTYPE, or a root ``article`` in no namespace (DocBook 5 has one)."""
        return sniff(data)

    def read(self, data: bytes, options: ReadOptions) -> Article:
        tree, problem = parse_safely(data)
        fragment = tree.getroot().tag
        if fragment != "article" and fragment in FRAGMENTS:
            tree = as_article(tree.getroot())
        article = ArticleReader(tree, options).read()
        if fragment != "article":
            article.diagnose("warning", "jats-fragment", f"a JATS fragment (<{fragment}>), not an "
                             "article: read as the body of an untitled article", "/article/body")
        if problem:
            article.diagnose("warning", "jats-recovered", f"not well-formed XML ({problem}); "
                             "read in recovery mode, some markup may be lost")
        return article
