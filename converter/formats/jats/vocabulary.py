"""The JATS names the JATS reader and writer share (JATS 1.3 Archiving tag library).

From the tag library (https://jats.nlm.nih.gov/archiving/tag-library/1.3/): the DTD's public
identifier, the namespaces, and the formatting elements and list types with their model names.
From docs/jats.md: the writer's own conventions, attribute values that mark what the writer added
or where it put what JATS has no element for; the reader knows the writer's output by them and
reads it back to the article it was written from. Named once here, so that the reader never
imports the writer and the two cannot drift apart.
"""

from __future__ import annotations

from ...model import Emphasis, SmallCaps, Strikeout, Strong, Subscript, Superscript, Underline

# ---- the DTD and namespaces
PUBLIC_ID = ("-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.3 "
             "20210610//EN")
SYSTEM_ID = "https://jats.nlm.nih.gov/archiving/1.3/JATS-archivearticle1-3.dtd"
DOCTYPE = f'<!DOCTYPE article PUBLIC "{PUBLIC_ID}" "{SYSTEM_ID}">'
XLINK = "http://www.w3.org/1999/xlink"
ALI = "http://www.niso.org/schemas/ali/1.0/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HREF = f"{{{XLINK}}}href"
TITLE = f"{{{XLINK}}}title"

# ---- JATS names and their model names
#: formatting elements and the model inlines they stand for
FORMATTING: dict[str, type[Emphasis | Strong | Superscript | Subscript | SmallCaps | Strikeout
                         | Underline]] = {
    "italic": Emphasis, "bold": Strong, "sup": Superscript, "sub": Subscript, "sc": SmallCaps,
    "strike": Strikeout, "underline": Underline}
#: ``list/@list-type`` of each model ordered-list style
LIST_TYPES = {"decimal": "order", "lower-alpha": "alpha-lower", "upper-alpha": "alpha-upper",
              "lower-roman": "roman-lower", "upper-roman": "roman-upper"}

# ---- the writer's conventions, which the reader reads back (documented in docs/jats.md)
#: marks an element added only because the DTD requires one
PLACEHOLDER = "placeholder"
#: ``processing-meta`` custom-meta naming the generator (the reader knows its own output by it)
GENERATOR = "article-converter"
#: ``p/@content-type`` of a heading where no ``sec`` may stand (``heading-2``)
HEADING_PREFIX = "heading-"
#: ``named-content/@content-type`` values for inlines JATS has no element for
LINE_BREAK = "line-break"
QUOTED = {"double": "quoted-double", "single": "quoted-single"}
QUOTE_MARKS = {"double": ("\u201c", "\u201d"), "single": ("\u2018", "\u2019")}
#: ``inline-formula/@content-type`` of displayed math where ``disp-formula`` may not stand
DISPLAY = "display"
#: ``ref/@content-type`` of a reference list entry standing for a citation key with no reference
CITED_KEY = "cited-key"
#: ``subj-group/@specific-use`` of the "Interview" heading the writer adds
GENERATED = "generated"
#: ``article-id/@specific-use`` of the article's own identifier (``Article.id``)
CANONICAL_ID = "canonical-id"
#: ``event/@specific-use`` of the source publication in ``pub-history``
SOURCE_PUBLICATION = "source-publication"
#: ``custom-meta/@specific-use`` values: model fields JATS has no element for
META_ARTICLE_TYPE = "article-type"
META_EXTRA = "extra"
META_IMAGE_CREDIT = "image-credit"
META_MEDIA = "media"
META_DISCARDED = "discarded"
#: ``notes/@notes-type`` of the rights disclaimer (JATS ``permissions`` has no disclaimer)
DISCLAIMER = "disclaimer"
#: extra keys the writer renders as JATS elements (the JATS reader fills them)
EXTRA_JOURNAL = "journal"
EXTRA_LICENSE_TEXT = "license_text"
