"""The shapes a text reader looks for: line patterns, limits, and the lines, chunks and front
matter it passes between stages (docs/text-reader.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

#: section headings after which a scraped page holds only site furniture; matched case-insensitively
#: against a whole short line, or as its beginning ("More from" matches "More from The Site").
#: ``ReadOptions.boilerplate_headings`` adds to these.
DEFAULT_BOILERPLATE_HEADINGS: tuple[str, ...] = (
    "Recent Work", "More Work from", "More from", "More Stories", "More on this topic",
    "Related", "Related Articles", "Related Content", "Related Stories", "Related Posts",
    "Related Reading", "Read More", "Read Next", "Further Reading", "Keep Reading",
    "Recommended", "Recommended for You", "You May Also Like", "You Might Also Like",
    "Most Popular", "Most Read", "Trending", "Latest News", "Latest Articles", "Popular Posts",
    "Share this", "Share this article", "Comments", "Leave a Comment", "Leave a Reply",
    "Sign up for", "Subscribe to", "Newsletter", "Follow us", "Tags", "Filed under",
    "Explore more",
)

#: headings of the section that introduces the article's authors
AUTHOR_HEADING = re.compile(
    r"^(?:about (?:the |this )?(?:authors?|author\(s\)|contributors?|writers?|experts?)"
    r"|author (?:bio(?:graphy)?|information|details)|(?:the )?authors?|contributors?)\s*:?$",
    re.IGNORECASE)

#: labels that introduce metadata or notes, never an interview speaker
NOT_SPEAKERS = frozenset({
    "source", "sources", "credit", "credits", "photo", "photos", "photograph", "image", "images",
    "picture", "illustration", "caption", "note", "notes", "update", "updated", "correction",
    "clarification", "disclaimer", "disclosure", "full disclosure", "related", "see also",
    "read more", "tags", "topics", "keywords", "published", "posted", "date", "dateline", "by",
    "via", "warning", "summary", "abstract", "title", "subtitle", "author", "authors", "contact",
    "email", "e-mail", "phone", "tel", "fax", "web", "website", "url", "link", "location", "time",
    "editor's note", "editor’s note",
})

#: lowercase words a person's name (a speaker label) may contain
NAME_PARTICLES = frozenset({
    "al", "bin", "bint", "da", "das", "de", "del", "della", "der", "di", "do", "dos", "du", "el",
    "ibn", "la", "le", "van", "von", "y", "zu",
})

TITLE_MAX_CHARS = 200
TITLE_MAX_WORDS = 30
FALLBACK_SENTENCE_MAX = 100
FALLBACK_TRUNCATE = 80
BYLINE_MAX_LINES = 3
DEK_MAX_LINES = 4
HEADING_MAX_WORDS = 12
WRAP_MIN, WRAP_MAX = 30, 100

# --------------------------------------------------------------------------- line patterns

#: the line that opens a JSON metadata header: ``{`` alone or followed by a key
HEADER_OPEN = re.compile(r'^\{\s*(?:"|$)')
#: a line that can belong to a pretty-printed JSON object (to bound a malformed header)
JSONISH = re.compile(r'^(?:[{}\[\]"]|-?\d|true\b|false\b|null\b)')
#: ``Label: text`` -- a possible speaker label (checked further by :func:`is_label_like`)
LABEL = re.compile(r"^(?P<label>[^\s:][^:]{0,39}?)\s*:\s+(?P<text>\S.*)$")
BULLET = re.compile(r"^[-*•‣◦▪]\s+(?P<text>\S.*)$")
#: an ordered item: one or two digits ("802. 11ac" and "2019. Then" are not)
ORDERED = re.compile(r"^(?P<number>\d{1,2})[.)]\s+(?P<text>\S.*)$")
BYLINE = re.compile(r"^by\s+(?P<names>[^\W\d_].{0,200})$", re.IGNORECASE)
NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b)\s*")
#: an image credit: "Photo: X", "Image credit: X", "Credit: X", "Courtesy of X" (and "Source: X"
#: before the title, where a page shows its lead image)
CREDIT = re.compile(
    r"^\(?(?:(?P<kind>(?:(?:photo(?:graph)?|image|picture|illustration|graphic|cover|header|lead"
    r"|top)s?(?:\s+(?:credits?|source|courtesy))?)|credits?|source)\s*:|courtesy of)\s*"
    r"(?P<credit>\S.{0,150}?)\)?$", re.IGNORECASE)
#: where an article says it came from; ``rel`` is kept as the relation
SOURCE_LINES: tuple[re.Pattern[str], ...] = (
    re.compile(r"^(?:(?:this|the) [\w-]+(?: [\w-]+)? )?(?:was |is |has been )?"
               r"(?P<rel>(?:originally|first) (?:appeared|published|ran|posted|printed|featured)"
               r"(?: (?:in|on|by|at))?)\s+(?P<name>.+)$", re.IGNORECASE),
    re.compile(r"^(?P<rel>source)\s*:\s*(?P<name>.+)$", re.IGNORECASE),
    re.compile(r"^(?:(?:this|the) [\w-]+(?: [\w-]+)? )?(?:was |is |has been )?"
               r"(?P<rel>(?:re)?published (?:in|by)|(?:reprinted|republished|adapted|excerpted)"
               r"(?: with permission)? (?:from|by))\s*:?\s+(?P<name>.+)$", re.IGNORECASE),
)
ABBREVIATION_END = re.compile(r"(?:\b[A-Z]|\bInc|\bLtd|\bCo|\bCorp|\bJr|\bSr)\.$")
URL = re.compile(r"\(?(?P<url>https?://[^\s)]+)\)?")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
SOURCE_DATE = re.compile(
    r",?\s+(?:on\s+)?(?P<date>(?:(?P<m1>[A-Za-z]{3,9})\.? (?P<d1>\d{1,2}),? (?P<y1>\d{4}))"
    r"|(?:(?P<d2>\d{1,2}) (?P<m2>[A-Za-z]{3,9})\.? (?P<y2>\d{4}))"
    r"|(?P<iso>\d{4}-\d{2}-\d{2}))\.?$")
#: notes publishers add to an article; they are not body text of the last interview turn
EDITORIAL_NOTE = re.compile(
    r"^(?:\(?(?:this|the) (?:interview|conversation|transcript|q&a) (?:has been|was|is) "
    r"(?:lightly |slightly )?(?:edited|condensed|translated)|editor['’]?s note\b|\(?note:|[*†‡]\s)",
    re.IGNORECASE)
#: institutional disclaimers ("X does not take institutional positions", "views ... are the
#: author's own")
DISCLAIMER = re.compile(
    r"\b(?:do(?:es)? not take institutional positions"
    r"|(?:views|opinions) (?:expressed|represented|presented|stated)\b.{0,60}?\bare "
    r"(?:those|solely|the author|the authors|my own|their own|his own|her own)"
    r"|do(?:es)? not necessarily (?:reflect|represent) the (?:views|opinions|positions?|polic))",
    re.IGNORECASE)
#: the end of a sentence: closing punctuation before a capital (or the end), or CJK punctuation
SENTENCE_END = re.compile(
    r"[.!?…][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-ÖØ-ÞА-ЯΑ-Ω]|$)|[。！？]")
ORDINAL_END = re.compile(r"(?:^|\s)\d{1,2}\.$")
PROSE_END = frozenset(".!?…\"'”’)。！？")
INNER_SENTENCE_END = re.compile(r"[.!?]\s")
#: links and handles, which a heading does not hold
LINKISH = re.compile(r"\w/\w|@|https?:|www\.")

# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Line:
    """One input line, stripped, with its 1-based number."""

    number: int
    text: str


@dataclass
class Chunk:
    """A paragraph or list item of the body, before it becomes a block."""

    text: str
    line: int
    kind: Literal["para", "bullet", "ordered"] = "para"
    start: int = 1
    #: the only line between two blank lines
    alone: bool = False


@dataclass
class Header:
    """The JSON metadata header and the lines around it."""

    byline: list[Line]
    #: the parsed object, or None when the header is not valid JSON (``error`` says why)
    data: dict[str, Any] | None
    raw: str
    glued: str
    first_line: int
    end: int  # index of the first line after the header
    error: str | None = None


@dataclass
class Front:
    """Title and summary candidates from the header and the top of the text."""

    #: (key, value) of the header's title and summary
    header_title: tuple[str, str] | None = None
    header_abstract: tuple[str, str] | None = None
    #: the title line and the dek's summary lines
    title: Line | None = None
    abstract: list[str] = field(default_factory=list)
