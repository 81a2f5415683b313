"""Where the JATS 1.3 Archiving DTD allows which element, as far as the JATS writer needs to know.

The writer consults these tables instead of the DTD while it builds (the DTD validates only on
request); tests/test_jats_writer.py checks every one of them against the DTD itself.
"""

from __future__ import annotations

#: containers where headings become nested ``sec``
SECTIONED = frozenset({"body", "sec", "abstract", "ack", "notes", "bio"})
#: block elements allowed directly in each container; anything else is wrapped in a ``p``
FLOW = frozenset({"p", "list", "def-list", "disp-quote", "speech", "verse-group", "preformat",
                  "code", "table-wrap", "fig"})
ALLOWED: dict[str, frozenset[str]] = {
    **{tag: FLOW for tag in SECTIONED}, "disp-quote": FLOW,
    "fig": FLOW - {"fig"},
    "td": FLOW - {"table-wrap", "fig"}, "th": FLOW - {"table-wrap", "fig"},
    "list-item": frozenset({"p", "list", "def-list"}),
    "def": frozenset({"p"}), "speech": frozenset({"p"}), "fn": frozenset({"p"}),
    "caption": frozenset({"p"}),
}
#: inline parents that accept ``break``; elsewhere a line break is a named-content
BREAK_PARENTS = frozenset({"title", "article-title", "subtitle", "italic", "bold", "monospace",
                           "sc", "strike", "underline", "sub", "sup", "xref", "td", "th", "label",
                           "attrib"})
#: inline parents that accept ``disp-formula``; elsewhere displayed math is an inline-formula
DISPLAY_PARENTS = frozenset({"p", "td", "th", "term", "named-content"})
#: elements whose content is elements only, so indenting inside them changes no text
ELEMENT_ONLY = frozenset({
    "article", "processing-meta", "front", "journal-meta", "journal-title-group", "publisher",
    "article-meta", "article-categories", "subj-group", "title-group", "contrib-group", "contrib",
    "name", "name-alternatives", "pub-date", "date", "pub-history", "event",
    "permissions", "license", "abstract", "kwd-group", "custom-meta-group", "custom-meta",
    "notes", "bio", "body", "back", "sec", "ack", "list", "list-item", "def-list", "def-item",
    "def", "disp-quote", "verse-group", "speech", "table-wrap", "table", "thead", "tbody",
    "tfoot", "tr", "fig", "caption", "graphic", "fn-group", "fn", "ref-list", "ref",
})
#: ... and where the writer indents: those, and ``history`` (it may hold text; we write none)
INDENTED = ELEMENT_ONLY | {"history"}
