"""How the JATS tag libraries let elements nest, as far as the reader needs to know.

JATS lets lists, tables, figures and quotes stand inside a ``p`` or a table cell; the model does
not, so the reader splits the paragraph around them. Many inline elements have no model type and
nothing to lose: they read as their content.
"""

from __future__ import annotations

#: block-level elements that may stand inside a ``p`` (the paragraph is split around them)
P_BLOCKS = frozenset({
    "list", "def-list", "disp-quote", "speech", "statement", "verse-group", "preformat", "code",
    "table-wrap", "table-wrap-group", "fig", "fig-group", "boxed-text", "hr", "array",
    "chem-struct-wrap", "supplementary-material", "media", "address", "ack", "question",
    "question-wrap", "question-wrap-group", "answer", "answer-set", "explanation",
    "block-alternatives", "disp-formula-group",
})
#: ... and inside a table cell, where paragraphs may stand too
CELL_BLOCKS = P_BLOCKS | {"p"}
#: inline elements read as their content without a word (no model type, nothing to lose)
TRANSPARENT = frozenset({
    "styled-content", "named-content", "abbrev", "roman", "sans-serif", "fixed-case", "x",
    "target", "person-group", "string-name", "surname", "given-names", "prefix", "suffix",
    "source", "year", "month", "day", "season", "volume", "issue", "fpage", "lpage",
    "page-range", "article-title", "chapter-title", "part-title", "publisher-name",
    "publisher-loc", "edition", "series", "collab", "comment", "pub-id", "elocation-id", "size",
    "trans-title", "trans-source", "conf-name", "conf-loc", "conf-date", "data-title",
    "version", "std", "institution", "institution-wrap", "issn", "isbn", "date-in-citation",
    "access-date", "gov", "patent", "role", "degrees", "addr-line", "country", "city", "state",
    "postal-code", "phone", "fax", "funding-source", "award-id", "string-date", "date",
    "inline-supplementary-material", "related-object", "label", "title", "element-citation",
    "mixed-citation", "nlm-citation", "citation-alternatives", "object-id", "annotation",
    "milestone-start", "milestone-end", "index-term-range-end", "note",
})
