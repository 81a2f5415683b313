"""Reader for article text: a plain article, or the text scraped from an article's web page.

Plain text has no specification; this reader follows the layout described, heuristic by heuristic,
in docs/text-reader.md. In short, a text is read top to bottom as:

1. an optional **metadata header**: byline lines, then a JSON object (RFC 8259) whose keys map onto
   the model (``authors`` -> contributors, subject lists -> ``subjects``, the rest -> ``extra``);
   a credit glued after it (``}Photo: An Agency``) is the lead image's credit;
2. an optional **title line**, then a **dek** (summary -> ``abstract``, ``Source: X`` and
   ``By X`` lines) when it follows the title directly;
3. the **body**: paragraphs (blank-line separated, one per line, or hard-wrapped), lists, short
   sub-headings, and interview turns (``Speaker: text`` -> :class:`~converter.model.Speech`);
   "This article originally appeared in X." and similar lines become ``source_publication``,
   disclaimers go to ``rights.disclaimer``, photo credits to ``image_credits``;
4. the **tail**, from the first "About the author" or boilerplate heading on: the author section
   fills the contributors' ``role`` and ``bio``; site boilerplate (teaser lists, "Recent work", ...)
   goes to ``discarded`` with its reason.

Nothing here knows a particular site: boilerplate headings are a default list that
``ReadOptions.boilerplate_headings`` (CLI ``--boilerplate``) extends. Bytes are decoded by
:mod:`converter.readers.decode`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from .._version import __version__
from ..errors import InputError
from ..formats.data import STRICT_JSON
from ..model import (
    Article,
    Block,
    BulletList,
    Contributor,
    Discarded,
    Heading,
    Identifier,
    OrderedList,
    Paragraph,
    Provenance,
    Rights,
    SourcePublication,
    Speech,
    Text,
    block_text,
)
from ..model.vocabulary import (
    SUBJECT_LISTS,
    field_for,
    is_date,
    is_list_name,
    language_tag,
)
from ..options import ReadOptions
from .decode import DecodedText, decode_text

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
_AUTHOR_HEADING = re.compile(
    r"^(?:about (?:the |this )?(?:authors?|author\(s\)|contributors?|writers?|experts?)"
    r"|author (?:bio(?:graphy)?|information|details)|(?:the )?authors?|contributors?)\s*:?$",
    re.IGNORECASE)

#: labels that introduce metadata or notes, never an interview speaker
_NOT_SPEAKERS = frozenset({
    "source", "sources", "credit", "credits", "photo", "photos", "photograph", "image", "images",
    "picture", "illustration", "caption", "note", "notes", "update", "updated", "correction",
    "clarification", "disclaimer", "disclosure", "full disclosure", "related", "see also",
    "read more", "tags", "topics", "keywords", "published", "posted", "date", "dateline", "by",
    "via", "warning", "summary", "abstract", "title", "subtitle", "author", "authors", "contact",
    "email", "e-mail", "phone", "tel", "fax", "web", "website", "url", "link", "location", "time",
    "editor's note", "editor’s note",
})

#: lowercase words a person's name (a speaker label) may contain
_NAME_PARTICLES = frozenset({
    "al", "bin", "bint", "da", "das", "de", "del", "della", "der", "di", "do", "dos", "du", "el",
    "ibn", "la", "le", "van", "von", "y", "zu",
})

_TITLE_MAX_CHARS = 200
_TITLE_MAX_WORDS = 30
_FALLBACK_SENTENCE_MAX = 100
_FALLBACK_TRUNCATE = 80
_BYLINE_MAX_LINES = 3
_DEK_MAX_LINES = 4
_HEADING_MAX_WORDS = 12
_WRAP_MIN, _WRAP_MAX = 30, 100

# --------------------------------------------------------------------------- line patterns

#: the line that opens a JSON metadata header: ``{`` alone or followed by a key
_HEADER_OPEN = re.compile(r'^\{\s*(?:"|$)')
#: a line that can belong to a pretty-printed JSON object (to bound a malformed header)
_JSONISH = re.compile(r'^(?:[{}\[\]"]|-?\d|true\b|false\b|null\b)')
#: ``Label: text`` -- a possible speaker label (checked further by :func:`_is_label_like`)
_LABEL = re.compile(r"^(?P<label>[^\s:][^:]{0,39}?)\s*:\s+(?P<text>\S.*)$")
_BULLET = re.compile(r"^[-*•‣◦▪]\s+(?P<text>\S.*)$")
#: an ordered item: one or two digits ("802. 11ac" and "2019. Then" are not)
_ORDERED = re.compile(r"^(?P<number>\d{1,2})[.)]\s+(?P<text>\S.*)$")
_BYLINE = re.compile(r"^by\s+(?P<names>[^\W\d_].{0,200})$", re.IGNORECASE)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b)\s*")
#: an image credit: "Photo: X", "Image credit: X", "Credit: X", "Courtesy of X" (and "Source: X"
#: before the title, where a page shows its lead image)
_CREDIT = re.compile(
    r"^\(?(?:(?P<kind>(?:(?:photo(?:graph)?|image|picture|illustration|graphic|cover|header|lead"
    r"|top)s?(?:\s+(?:credits?|source|courtesy))?)|credits?|source)\s*:|courtesy of)\s*"
    r"(?P<credit>\S.{0,150}?)\)?$", re.IGNORECASE)
#: where an article says it came from; ``rel`` is kept as the relation
_SOURCE_LINES: tuple[re.Pattern[str], ...] = (
    re.compile(r"^(?:(?:this|the) [\w-]+(?: [\w-]+)? )?(?:was |is |has been )?"
               r"(?P<rel>(?:originally|first) (?:appeared|published|ran|posted|printed|featured)"
               r"(?: (?:in|on|by|at))?)\s+(?P<name>.+)$", re.IGNORECASE),
    re.compile(r"^(?P<rel>source)\s*:\s*(?P<name>.+)$", re.IGNORECASE),
    re.compile(r"^(?:(?:this|the) [\w-]+(?: [\w-]+)? )?(?:was |is |has been )?"
               r"(?P<rel>(?:re)?published (?:in|by)|(?:reprinted|republished|adapted|excerpted)"
               r"(?: with permission)? (?:from|by))\s*:?\s+(?P<name>.+)$", re.IGNORECASE),
)
_ABBREVIATION_END = re.compile(r"(?:\b[A-Z]|\bInc|\bLtd|\bCo|\bCorp|\bJr|\bSr)\.$")
_URL = re.compile(r"\(?(?P<url>https?://[^\s)]+)\)?")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_SOURCE_DATE = re.compile(
    r",?\s+(?:on\s+)?(?P<date>(?:(?P<m1>[A-Za-z]{3,9})\.? (?P<d1>\d{1,2}),? (?P<y1>\d{4}))"
    r"|(?:(?P<d2>\d{1,2}) (?P<m2>[A-Za-z]{3,9})\.? (?P<y2>\d{4}))"
    r"|(?P<iso>\d{4}-\d{2}-\d{2}))\.?$")
#: notes publishers add to an article; they are not body text of the last interview turn
_EDITORIAL_NOTE = re.compile(
    r"^(?:\(?(?:this|the) (?:interview|conversation|transcript|q&a) (?:has been|was|is) "
    r"(?:lightly |slightly )?(?:edited|condensed|translated)|editor['’]?s note\b|\(?note:|[*†‡]\s)",
    re.IGNORECASE)
#: institutional disclaimers ("X does not take institutional positions", "views ... are the
#: author's own")
_DISCLAIMER = re.compile(
    r"\b(?:do(?:es)? not take institutional positions"
    r"|(?:views|opinions) (?:expressed|represented|presented|stated)\b.{0,60}?\bare "
    r"(?:those|solely|the author|the authors|my own|their own|his own|her own)"
    r"|do(?:es)? not necessarily (?:reflect|represent) the (?:views|opinions|positions?|polic))",
    re.IGNORECASE)
#: the end of a sentence: closing punctuation before a capital (or the end), or CJK punctuation
_SENTENCE_END = re.compile(
    r"[.!?…][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-ÖØ-ÞА-ЯΑ-Ω]|$)|[。！？]")
_ORDINAL_END = re.compile(r"(?:^|\s)\d{1,2}\.$")
_PROSE_END = frozenset(".!?…\"'”’)。！？")
_INNER_SENTENCE_END = re.compile(r"[.!?]\s")
#: links and handles, which a heading does not hold
_LINKISH = re.compile(r"\w/\w|@|https?:|www\.")

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


class TextReader:
    """Plain article text and scraped page text (see the module docstring)."""

    name = "text"
    version = __version__

    def sniff(self, data: bytes, file_name: str | None) -> bool:
        """Decodable text that is not JSON, XML/HTML or Markdown with front matter."""
        try:
            text = decode_text(data).text
        except InputError:
            return False
        return not _looks_structured(text)

    def read(self, data: bytes, options: ReadOptions) -> Article:
        return read_text(decode_text(data), options)


def _looks_structured(text: str) -> bool:
    head = text.lstrip()
    if head.startswith(("{", "[")):
        try:
            json.loads(text)
        except ValueError:
            return False
        return True
    if re.match(r"<(?:\?xml|!DOCTYPE|!--|[A-Za-z][\w:.-]*[\s/>])", head, re.IGNORECASE):
        return True
    return re.match(r"---[ \t]*\n(?:.*\n)*?(?:---|\.\.\.)[ \t]*(?:\n|$)", text) is not None


# --------------------------------------------------------------------------- the reading order


def read_text(decoded: DecodedText, options: ReadOptions) -> Article:
    """Build the article from decoded text, top to bottom (see the module docstring)."""
    article = Article(title="", provenance=Provenance(format="text", encoding=decoded.encoding))
    if decoded.legacy:
        article.diagnose("warning", "legacy-encoding",
                         f"input is not UTF-8; decoded as {decoded.encoding}")
    if decoded.removed_controls:
        article.diagnose("warning", "control-characters",
                         f"removed {decoded.removed_controls} stray control character(s)")
    lines = [Line(n, raw.strip()) for n, raw in enumerate(decoded.text.split("\n"), 1)]
    boilerplate = _boilerplate_pattern(DEFAULT_BOILERPLATE_HEADINGS + options.boilerplate_headings)
    labels = Counter(_label_key(m["label"]) for line in lines
                     if (m := _LABEL.match(line.text)) and _is_label_like(m["label"]))

    front = Front()
    header = _find_header(lines)
    start = 0
    if header is not None:
        _apply_header(article, header, front)
        start = header.end
        if header.glued:  # text glued after the closing brace is read as the next line
            start -= 1
            lines[start] = Line(lines[start].number, header.glued)
    start = _read_front(article, lines, start, front, labels, lead_image=header is not None)
    end = next((i for i in range(start, len(lines))
                if _is_section_end(lines[i].text, boilerplate)), len(lines))
    article.body = _read_body(article, lines[start:end])
    _read_tail(article, lines, end, boilerplate)
    _finish_front(article, front, title_given=_title_overridden(options))
    if not article.body:
        article.diagnose("warning", "empty-body", "no body text found")
    return article


# --------------------------------------------------------------------------- 1. JSON header


def _find_header(lines: list[Line]) -> Header | None:
    """A JSON object opening within the first lines, after at most a short byline."""
    byline: list[Line] = []
    for index, line in enumerate(lines):
        if not line.text:
            continue
        if _HEADER_OPEN.match(line.text):
            return _parse_header(lines, index, byline)
        if len(byline) >= _BYLINE_MAX_LINES or len(line.text.split()) > 8:
            return None
        byline.append(line)
    return None


def _parse_header(lines: list[Line], start: int, byline: list[Line]) -> Header:
    rest = "\n".join(line.text for line in lines[start:])
    try:
        data, end = STRICT_JSON.raw_decode(rest)
    except ValueError as exc:  # not JSON, or NaN / Infinity, which JSON does not have
        stop, glued = _malformed_extent(lines, start)
        raw = "\n".join(line.text for line in lines[start:stop])
        if glued:
            raw = raw[: len(raw) - len(glued)]
        error = (f"{exc.msg} at line {exc.lineno + start} column {exc.colno}"
                 if isinstance(exc, json.JSONDecodeError) else str(exc))
        return Header(byline, None, raw, glued, lines[start].number, stop, error)
    consumed = rest[:end]
    last = start + consumed.count("\n")
    glued = lines[last].text[len(consumed.rsplit("\n", 1)[-1]):].strip()
    return Header(byline, data, consumed, glued, lines[start].number, last + 1)


def _malformed_extent(lines: list[Line], start: int) -> tuple[int, str]:
    """Where a header that is not valid JSON ends: its closing brace, or its last JSON-like line."""
    for index in range(start + 1, len(lines)):
        text = lines[index].text
        if text.startswith("}"):
            return index + 1, text[1:].strip()
        if text and not _JSONISH.match(text):
            return index, ""
    return len(lines), ""


def _apply_header(article: Article, header: Header, front: Front) -> None:
    if header.data is None:
        article.discarded.append(Discarded(header.raw, "malformed JSON metadata header",
                                           f"line {header.first_line}"))
        article.diagnose("warning", "malformed-header",
                         f"the JSON metadata header is not valid JSON ({header.error}); "
                         "it is kept in discarded and the text is read without it",
                         f"line {header.first_line}")
    else:
        _map_header(article, header.data, front)
    _take_byline(article, header.byline)


def _map_header(article: Article, data: Mapping[str, Any], front: Front) -> None:
    """Map known keys onto the model; every other key (and unusable values) -> ``extra``."""
    for key, value in data.items():
        if not _map_header_key(article, key, value, front):
            article.extra[key] = value


def _map_header_key(article: Article, original: str, value: Any, front: Front) -> bool:
    """Set the field the key names (:mod:`converter.model.vocabulary`); false when the key or
    its value does not fit the model (the caller keeps it in ``extra``)."""
    key = original.casefold()
    field = field_for(original)
    if key in SUBJECT_LISTS:
        items = _string_list(value)
        if not items or not is_list_name(key):
            return False  # an empty list says nothing: kept verbatim in extra
        article.subjects[key] = items
    elif field == "authors" and key != "contributors":
        names = _author_names(value)
        if not names:
            return False
        article.contributors.extend(Contributor(name=name) for name in names)
    elif field == "title" and _nonempty_str(value) and front.header_title is None:
        front.header_title = (original, value.strip())
    elif field == "subtitle" and _nonempty_str(value) and article.subtitle is None:
        article.subtitle = value.strip()
    elif field == "abstract" and _nonempty_str(value) and front.header_abstract is None:
        front.header_abstract = (original, value.strip())
    elif field == "language" and language_tag(value) and article.language is None:
        article.language = language_tag(value)
    elif field in ("published", "modified") and _nonempty_str(value) and is_date(value.strip()):
        article.dates.setdefault(field, value.strip())
    elif field == "doi" and _nonempty_str(value):
        article.identifiers.append(Identifier("doi", value.strip()))
    else:
        return False
    return True


def _nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _string_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    return []


def _author_names(value: Any) -> list[str]:
    """Names from a string, a list of strings, or a list of objects with a ``name``."""
    if isinstance(value, str):
        return _split_names(value)
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []
    names = []
    for item in value:
        if isinstance(item, dict):
            item = item.get("name")
        if not _nonempty_str(item):
            return []
        names.append(item.strip())
    return names


def _split_names(text: str) -> list[str]:
    return [name for name in _NAME_SPLIT.split(text.strip()) if name]


def _take_byline(article: Article, byline: list[Line]) -> None:
    """Byline lines above the header: contributors, unless the header already named them."""
    if not byline:
        return
    text = " ".join(line.text for line in byline)
    match = _BYLINE.match(_squash(text))
    names = _split_names(match["names"] if match else text)
    known = {c.name.casefold() for c in article.contributors}
    place = f"line {byline[0].number}"
    if not known and names and all(_is_name(n, 1 if match else 2) for n in names):
        article.contributors.extend(Contributor(name=name) for name in names)
    elif {n.casefold() for n in names} == known:
        article.discarded.append(Discarded(text, "byline repeating the header's authors", place))
    else:
        article.extra.setdefault("byline", text)


def _take_credit(article: Article, text: str) -> bool:
    """An image credit line ("Photo: X") -> ``image_credits``."""
    credit = _credit(text)
    if credit is None:
        return False
    article.image_credits.append(credit)
    return True


def _credit(text: str) -> str | None:
    """The credit a line gives: "Photo: X", "Image credit: X", or a short "Courtesy of X"."""
    match = _CREDIT.match(_squash(text))
    if match is None:
        return None
    credit = match["credit"].strip()
    if match["kind"] is None and (len(credit.split()) > 8 or credit[-1] in ".,;!?"):
        return None  # "Courtesy of the archive, we saw ..." is a sentence
    return credit


# --------------------------------------------------------------------------- 2. title and dek


def _read_front(article: Article, lines: list[Line], start: int, front: Front,
                labels: Counter[str], lead_image: bool) -> int:
    """Lead-image credits, the title line and the dek; returns where the body starts."""
    index = _skip_blank(lines, start)
    while index < len(lines) and _is_front_credit(lines[index].text, lead_image):
        _take_credit(article, lines[index].text)
        index = _skip_blank(lines, index + 1)
    if index >= len(lines) or not _is_title_line(lines[index].text, labels):
        return index
    if _skip_blank(lines, index + 1) >= len(lines):
        return index  # a lone line is the text, not its title
    front.title = lines[index]
    return _read_dek(article, lines, index + 1, front)


def _read_dek(article: Article, lines: list[Line], start: int, front: Front) -> int:
    """Lines right under the title: a summary, a ``Source:`` line, a ``By`` line."""
    run = []
    for line in lines[start:start + _DEK_MAX_LINES + 1]:
        if not line.text:
            break
        run.append(line)
    if not run:
        return start
    closed = len(run) <= _DEK_MAX_LINES and _skip_blank(lines, start + len(run)) < len(lines)
    if not closed:  # no blank line under the dek: it reaches at most its Source line
        ends = [i for i, line in enumerate(run[:_DEK_MAX_LINES]) if _source_line(line.text)]
        if not ends:
            return start
        run = run[: ends[0] + 1]
    summary = [line for line in run
               if not (_take_source(article, line) or _take_byline_line(article, line.text))]
    if _is_wrapped(summary):
        front.abstract.append(" ".join(line.text for line in summary))
    else:
        front.abstract.extend(line.text for line in summary)
    return start + len(run)


def _take_byline_line(article: Article, text: str) -> bool:
    match = _BYLINE.match(_squash(text))
    if match is None:
        return False
    names = _split_names(match["names"])
    if not names or not all(_is_name(name, 1) for name in names):
        return False
    known = {c.name.casefold() for c in article.contributors}
    article.contributors.extend(Contributor(name=n) for n in names if n.casefold() not in known)
    return True


def _is_front_credit(text: str, lead_image: bool) -> bool:
    """A credit above the title; "Source: X" credits an image only right under a header."""
    return _credit(text) is not None and (lead_image or not _is_source_credit(text))


def _is_source_credit(text: str) -> bool:
    match = _CREDIT.match(_squash(text))
    return match is not None and (match["kind"] or "").casefold() == "source"


def _is_title_line(text: str, labels: Counter[str]) -> bool:
    """A short line without closing punctuation that is no speaker turn, list item or credit."""
    if len(text) > _TITLE_MAX_CHARS or len(text.split()) > _TITLE_MAX_WORDS:
        return False
    if text[-1] in ".,;:" or _is_list_item(text):
        return False
    if _credit(text) or _source_line(text) or _BYLINE.match(_squash(text)):
        return False
    label = _LABEL.match(text)
    return not (label and labels[_label_key(label["label"])] > 1)


def _finish_front(article: Article, front: Front, title_given: bool) -> None:
    """Title and abstract: the header's and the text's, else a fallback title (with a warning)."""
    if front.abstract:
        article.abstract = [Paragraph([Text(text)]) for text in front.abstract]
        if front.header_abstract and front.header_abstract[1] != " ".join(front.abstract):
            article.extra[front.header_abstract[0]] = front.header_abstract[1]
    elif front.header_abstract:
        article.abstract = [Paragraph([Text(front.header_abstract[1])])]
    line = front.title
    if front.header_title:
        article.title = front.header_title[1]
        if line and line.text.casefold() != article.title.casefold():
            article.discarded.append(Discarded(line.text, "title line differing from the "
                                               "header's title", f"line {line.number}"))
    elif line:
        article.title = line.text
    else:
        _fallback_title(article, title_given)


def _title_overridden(options: ReadOptions) -> bool:
    """Whether the caller supplies the title (``--title``), which the pipeline sets later."""
    return any(field_for(key) == "title" and str(value).strip()
               for key, value in options.overrides.items() if value is not None)


def _fallback_title(article: Article, title_given: bool) -> None:
    """Title from the first words; a warning, or only a note when the caller gives the title."""
    first = next((text for block in article.body + article.abstract
                  if (text := block_text([block]).split("\n", 1)[0].strip())), None)
    article.title = title_from_text(first) if first else "Untitled"
    article.diagnose("info" if title_given else "warning", "title-fallback",
                     f"no title line; title taken from the first words of the text: "
                     f"{article.title!r}" if first else "no title line and no text; "
                     "title set to 'Untitled'", "title")


def title_from_text(text: str) -> str:
    """The first sentence of four words or more when short, else the first words up to a word
    boundary, with '…'."""
    plain = _squash(text)
    sentence = plain
    for match in _SENTENCE_END.finditer(plain):
        candidate = plain[: match.end()]
        if _ORDINAL_END.search(candidate):
            continue  # "Am 12. November": a German ordinal, not a full stop
        if len(candidate.split()) >= 4 or match.group() in "。！？":
            sentence = candidate
            break
    if sentence.endswith(".") and not sentence.endswith("..") and len(sentence) > 1:
        sentence = sentence[:-1]
    if len(sentence) <= _FALLBACK_SENTENCE_MAX:
        return sentence
    cut = sentence[: _FALLBACK_TRUNCATE + 1]
    cut = cut[: cut.rfind(" ")] if " " in cut[1:] else cut[:_FALLBACK_TRUNCATE]
    return cut.rstrip(" ,;:–—-") + "…"


# --------------------------------------------------------------------------- 3. body


def _read_body(article: Article, lines: list[Line]) -> list[Block]:
    """Paragraphs, lists, headings and interview turns; notes and source lines taken out."""
    chunks = [c for c in _chunks(lines) if not _take_note_line(article, c)]
    chunks = _take_edge_lines(article, chunks)
    speakers = _speakers(chunks, article)
    roles = _speaker_roles(chunks, speakers, article)
    return _blocks(chunks, speakers, roles)


def _chunks(lines: list[Line]) -> Iterator[Chunk]:
    """Paragraphs and list items: blank-line blocks, split into lines unless hard-wrapped."""
    block: list[Line] = []
    for line in [*lines, Line(0, "")]:
        if line.text:
            block.append(line)
            continue
        if len(block) == 1:
            yield replace(_chunk(block[0].text, block[0].number), alone=True)
        elif block:
            yield from _block_chunks(block)
        block = []


def _block_chunks(block: list[Line]) -> Iterator[Chunk]:
    for segment in _segments(block):
        if _is_wrapped(segment):
            yield _chunk(" ".join(line.text for line in segment), segment[0].number)
        else:
            yield from (_chunk(line.text, line.number) for line in segment)


def _segments(block: list[Line]) -> Iterator[list[Line]]:
    """Split a block before every list item or labelled line (they start a paragraph)."""
    segment: list[Line] = []
    for line in block:
        if segment and _starts_paragraph(line.text):
            yield segment
            segment = []
        segment.append(line)
    if segment:
        yield segment


def _is_list_item(text: str) -> bool:
    return _BULLET.match(text) is not None or _ORDERED.match(text) is not None


def _starts_paragraph(text: str) -> bool:
    """List items and labelled lines ("Name: ...") begin a paragraph of their own."""
    if _is_list_item(text):
        return True
    label = _LABEL.match(text)
    return label is not None and _is_label_like(label["label"])


def _is_wrapped(segment: list[Line]) -> bool:
    """Hard-wrapped prose: even line lengths, and lines that go on in lower case."""
    if len(segment) < 2:
        return False
    if any(not _WRAP_MIN <= len(line.text) <= _WRAP_MAX for line in segment[:-1]):
        return False
    if len(segment[-1].text) > _WRAP_MAX:
        return False
    lower = sum(1 for line in segment[1:] if line.text[0].islower())
    return lower * 5 >= 2 * (len(segment) - 1)


def _chunk(text: str, line: int) -> Chunk:
    if match := _BULLET.match(text):
        return Chunk(match["text"], line, "bullet")
    if match := _ORDERED.match(text):
        return Chunk(match["text"], line, "ordered", int(match["number"]))
    return Chunk(text, line)


def _take_note_line(article: Article, chunk: Chunk) -> bool:
    """Disclaimers go to ``rights``, standalone photo credits to ``image_credits``."""
    if chunk.kind != "para":
        return False
    if _is_disclaimer(chunk.text):
        _add_disclaimer(article, chunk.text)
        return True
    return not _is_source_credit(chunk.text) and _take_credit(article, chunk.text)


def _take_edge_lines(article: Article, chunks: list[Chunk]) -> list[Chunk]:
    """Source lines closing the body, and source or ``By`` lines opening it, are metadata."""
    start, end = 0, len(chunks)
    while end > start and _take_source(article, Line(chunks[end - 1].line, chunks[end - 1].text)):
        end -= 1
    while start < end and chunks[start].kind == "para" and (
            _take_source(article, Line(chunks[start].line, chunks[start].text))
            or _take_byline_line(article, chunks[start].text)):
        start += 1
    return chunks[start:end]


def _source_line(text: str) -> SourcePublication | None:
    """The publication a line names ("This article originally appeared in X.", "Source: X")."""
    if len(text) > 200:
        return None
    plain = _squash(text)
    for pattern in _SOURCE_LINES:
        match = pattern.match(plain)
        if match:
            source = _source_from(match["name"])
            if source:
                source.relation = " ".join(match["rel"].casefold().split())
                return source
    return None


def _source_from(raw: str) -> SourcePublication | None:
    name, url, date = raw.strip(), None, None
    if found := _URL.search(name):
        url = found["url"].rstrip(".,;")
        name = (name[: found.start()] + name[found.end():]).strip(" ,;:-–—")
    if found := _SOURCE_DATE.search(name):
        date = _iso_date(found)
        if date:
            name = name[: found.start()]
    if name.endswith(".") and not _ABBREVIATION_END.search(name):
        name = name[:-1]
    name = name.strip(" *_\"'“”‘’")
    if not name and url:
        name = url
    if not name or len(name) > 100 or len(name.split()) > 12:
        return None
    if not (name[0].isupper() or name[0].isdigit() or url == name):
        return None
    return SourcePublication(name=name, url=url, date=date)


def _iso_date(match: re.Match[str]) -> str | None:
    if match["iso"]:
        return match["iso"] if is_date(match["iso"]) else None
    month, day, year = ((match["m1"], match["d1"], match["y1"]) if match["m1"]
                        else (match["m2"], match["d2"], match["y2"]))
    numbers = [i for i, m in enumerate(_MONTHS, 1) if m.startswith(month.casefold()[:3])]
    if not numbers or len(month) < 3:
        return None
    try:
        return datetime(int(year), numbers[0], int(day)).date().isoformat()
    except ValueError:
        return None


def _take_source(article: Article, line: Line) -> bool:
    """Record a source line; a second one is kept in ``discarded``."""
    source = _source_line(line.text)
    if source is None:
        return False
    if article.source_publication is None:
        article.source_publication = source
    else:
        same = article.source_publication.name.casefold() == source.name.casefold()
        article.discarded.append(Discarded(
            line.text, "source line repeating the source publication" if same
            else "second source line (the first one is the source publication)",
            f"line {line.number}"))
    return True


def _is_disclaimer(text: str) -> bool:
    return len(text) <= 600 and _DISCLAIMER.search(_squash(text)) is not None


def _add_disclaimer(article: Article, text: str) -> None:
    rights = article.rights or Rights()
    rights.disclaimer = f"{rights.disclaimer}\n{text}" if rights.disclaimer else text
    article.rights = rights


# --------------------------------------------------------------------------- interview turns


def _label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _is_label_like(label: str) -> bool:
    """A name, initials or role: up to five capitalised words, no sentence punctuation."""
    words = label.split()
    if not 1 <= len(words) <= 5 or not words[0][0].isupper():
        return False
    if any(ch in label for ch in '()[]{}"“”?!;,/@#=<>|*'):
        return False
    if _label_key(label) in _NOT_SPEAKERS:
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.casefold() in _NAME_PARTICLES for w in words)


def _chunk_label(chunk: Chunk) -> tuple[str, str] | None:
    """(label, text) of a paragraph that opens with a label."""
    if chunk.kind != "para":
        return None
    match = _LABEL.match(chunk.text)
    if match is None or not _is_label_like(match["label"]):
        return None
    return match["label"].strip(), match["text"]


def _speakers(chunks: list[Chunk], article: Article) -> set[str]:
    """Labels that name speakers: they recur and alternate, or name a contributor or the
    publication (by name or initials)."""
    sequence = [_label_key(found[0]) for c in chunks if (found := _chunk_label(c))]
    counts = Counter(sequence)
    speakers = {key for key in counts if _names_party(key, article)}
    last_seen: dict[str, int] = {}
    for position, key in enumerate(sequence):
        previous = last_seen.get(key)
        if previous is not None and position - previous > 1:
            speakers.add(key)  # recurs, with another label between two of its turns
        last_seen[key] = position
    return speakers


def _names_party(key: str, article: Article) -> bool:
    return _names_publication(key, article) or any(
        key == c.name.casefold() or (key == c.name.split()[-1].casefold() and len(key) > 2)
        for c in article.contributors)


def _names_publication(key: str, article: Article) -> bool:
    source = article.source_publication
    if source is None:
        return False
    compact = key.replace(".", "").replace(" ", "").upper()
    return key == source.name.casefold() or compact in _initials(source.name)


def _initials(name: str) -> set[str]:
    """``The Review of Books`` -> {``TROB``, ``TRB``}: with and without lowercase words."""
    words = re.findall(r"[^\W\d_][\w'’-]*", name)
    every = "".join(w[0] for w in words).upper()
    capitalised = "".join(w[0] for w in words if w[0].isupper())
    return {i for i in (every, capitalised) if len(i) >= 2}


def _speaker_roles(chunks: list[Chunk], speakers: set[str],
                   article: Article) -> dict[str, str]:
    """Interviewer: the publication's side, else the side that asks; interviewee: the others."""
    if len(speakers) < 2:
        return {}
    interviewers = {key for key in speakers if _names_publication(key, article)}
    if not interviewers:
        asked: Counter[str] = Counter()
        turns: Counter[str] = Counter()
        for chunk in chunks:
            found = _chunk_label(chunk)
            if found and (key := _label_key(found[0])) in speakers:
                turns[key] += 1
                asked[key] += found[1].rstrip(" \"'”’)").endswith("?")
        interviewers = {key for key in speakers if asked[key] * 2 > turns[key]}
    if not interviewers or interviewers == speakers:
        return {}
    return {key: "interviewer" if key in interviewers else "interviewee" for key in speakers}


# --------------------------------------------------------------------------- blocks


def _blocks(chunks: list[Chunk], speakers: set[str], roles: dict[str, str]) -> list[Block]:
    """Chunks as blocks: turns gather the paragraphs that follow them until a heading or note."""
    body: list[Block] = []
    turn: Speech | None = None
    for index, chunk in enumerate(chunks):
        found = _chunk_label(chunk)
        if found and _label_key(found[0]) in speakers:
            key = _label_key(found[0])
            turn = Speech(found[0], [Paragraph([Text(found[1])])], roles.get(key))
            body.append(turn)
            continue
        previous = chunks[index - 1] if index else None
        following = chunks[index + 1] if index + 1 < len(chunks) else None
        if chunk.kind == "para" and _is_heading(chunk, previous, following):
            turn = None
            body.append(Heading(2, [Text(chunk.text)]))
            continue
        if turn is not None and chunk.kind == "para" and _EDITORIAL_NOTE.match(_squash(chunk.text)):
            turn = None
        _append(turn.blocks if turn is not None else body, chunk)
    return body


def _append(blocks: list[Block], chunk: Chunk) -> None:
    """Add a paragraph, or an item to the list it continues."""
    paragraph = Paragraph([Text(chunk.text)])
    last = blocks[-1] if blocks else None
    if chunk.kind == "bullet":
        if isinstance(last, BulletList):
            last.items.append([paragraph])
        else:
            blocks.append(BulletList([[paragraph]]))
    elif chunk.kind == "ordered":
        if isinstance(last, OrderedList):
            last.items.append([paragraph])
        else:
            blocks.append(OrderedList([[paragraph]], start=chunk.start))
    else:
        blocks.append(paragraph)


def _is_heading(chunk: Chunk, previous: Chunk | None, following: Chunk | None) -> bool:
    """A short line standing alone between blank lines, with no closing punctuation, that
    introduces a paragraph of prose (so runs of short lines, like dates or items, are not)."""
    return (chunk.alone and following is not None and following.kind == "para"
            and _heading_shaped(chunk.text) and not _heading_shaped(following.text)
            and (previous is None or not _heading_shaped(previous.text))
            and (following.text[-1] in _PROSE_END or len(following.text) >= 2 * len(chunk.text)))


def _heading_shaped(text: str) -> bool:
    words = text.split()
    return (len(words) <= _HEADING_MAX_WORDS and len(text) <= 100
            and (text[0].isupper() or text[0].isdigit())
            and text[-1] not in ".,;:!?…\"'”’)]" and not _starts_paragraph(text)
            and _LINKISH.search(text) is None and _INNER_SENTENCE_END.search(text) is None)


def _is_name(text: str, fewest_words: int = 2) -> bool:
    """Two (or ``fewest_words``) to five capitalised words (particles aside): a name."""
    words = text.split()
    return (fewest_words <= len(words) <= 5 and len(text) <= 60
            and not any(c in text for c in ",:;()?!")
            and all(w[0].isupper() or w.casefold() in _NAME_PARTICLES for w in words))


# --------------------------------------------------------------------------- 4. tail


def _boilerplate_pattern(headings: Iterable[str]) -> re.Pattern[str]:
    """One pattern matching a line that is, or begins with, one of ``headings``."""
    names = sorted({" ".join(h.strip().rstrip(":").split()) for h in headings if h.strip()},
                   key=len, reverse=True)
    alternatives = "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in names)
    return re.compile(rf"^(?:{alternatives})(?:\s.*)?:?$" if names else r"(?!)", re.IGNORECASE)


def _is_boilerplate_heading(text: str, boilerplate: re.Pattern[str]) -> bool:
    return (len(text) <= 80 and len(text.split()) <= 10 and text[-1] not in ".!?"
            and boilerplate.match(text) is not None)


def _is_section_end(text: str, boilerplate: re.Pattern[str]) -> bool:
    return bool(text) and len(text) <= 80 and (_AUTHOR_HEADING.match(_squash(text)) is not None
                                               or _is_boilerplate_heading(text, boilerplate))


def _read_tail(article: Article, lines: list[Line], start: int,
               boilerplate: re.Pattern[str]) -> None:
    """The author section fills contributors; the rest is boilerplate, kept in ``discarded``."""
    section: str | None = None
    teaser: list[Line] = []
    index = start
    while index < len(lines):
        line = lines[index]
        text = line.text
        if teaser and (not text or _is_list_item(text) or _is_section_end(text, boilerplate)
                       or _is_disclaimer(text)):
            _discard_teaser(article, teaser, section)
            teaser = []
        if not text:
            index += 1
            continue
        if _AUTHOR_HEADING.match(_squash(text)):
            article.discarded.append(Discarded(text, "author section heading (the section fills "
                                               "the contributors)", f"line {line.number}"))
            index = _read_author_section(article, lines, index + 1, boilerplate)
            continue
        elif _is_boilerplate_heading(text, boilerplate):
            section = text
            article.discarded.append(Discarded(text, "boilerplate section heading",
                                               f"line {line.number}"))
        elif _is_disclaimer(text):
            _add_disclaimer(article, text)
        elif _is_list_item(text) or teaser:
            teaser.append(line)
        elif not _take_source(article, line):
            article.discarded.append(Discarded(
                text, f"boilerplate under “{section}”" if section
                else "boilerplate after the article", f"line {line.number}"))
        index += 1
    if teaser:
        _discard_teaser(article, teaser, section)


def _discard_teaser(article: Article, teaser: list[Line], section: str | None) -> None:
    where = f"under “{section}”" if section else "after the article"
    place = f"lines {teaser[0].number}-{teaser[-1].number}" if len(teaser) > 1 else \
        f"line {teaser[0].number}"
    article.discarded.append(Discarded("\n".join(line.text for line in teaser),
                                       f"boilerplate teaser (title, summary, byline) {where}",
                                       place))


def _read_author_section(article: Article, lines: list[Line], start: int,
                         boilerplate: re.Pattern[str]) -> int:
    """Name, role and bio lines under "About the author"; returns where the section ends."""
    current = article.contributors[0] if len(article.contributors) == 1 else None
    may_add = not article.contributors
    index = start
    while index < len(lines):
        text = lines[index].text
        if text and _ends_author_section(text, boilerplate):
            break
        if text:
            current = _read_author_line(article, text, current, lines[index].number, may_add)
        index += 1
    return index


def _ends_author_section(text: str, boilerplate: re.Pattern[str]) -> bool:
    return bool(_is_list_item(text) or _is_disclaimer(text)
                or _is_section_end(text, boilerplate) or _source_line(text))


def _read_author_line(article: Article, text: str, current: Contributor | None, number: int,
                      may_add: bool) -> Contributor | None:
    """A name line selects (or, in an article without authors, adds) a contributor; a short line
    under it is the role; other lines are bio paragraphs of the one they name or follow."""
    named = _contributor_named(article, text)
    if named is not None:
        return named
    if may_add and (current is None or current.bio) and _is_name(text):
        contributor = Contributor(name=text)
        article.contributors.append(contributor)
        return contributor
    opener = _contributor_opening(article, text) or current
    if opener is None:
        article.notes.append(Paragraph([Text(text)]))
        article.diagnose("info", "unmatched-bio", "author section text not matched to a "
                         "contributor; kept in notes", f"line {number}")
        return current
    if opener.role is None and not opener.bio and opener is current and _is_role_line(text):
        opener.role = text
    else:
        opener.bio.append(Paragraph([Text(text)]))
    return opener


def _contributor_named(article: Article, text: str) -> Contributor | None:
    key = text.casefold()
    return next((c for c in article.contributors if c.name.casefold() == key), None)


def _contributor_opening(article: Article, text: str) -> Contributor | None:
    key = text.casefold()
    return next((c for c in article.contributors if key.startswith(c.name.casefold() + " ")),
                None)


def _is_role_line(text: str) -> bool:
    """A job title: short, no sentence."""
    return len(text) <= 120 and len(text.split()) <= 12 and text[-1] not in ".!?"


def _squash(text: str) -> str:
    """Runs of any whitespace (no-break spaces too) as one space, for matching phrases."""
    return " ".join(text.split())


def _skip_blank(lines: list[Line], index: int) -> int:
    while index < len(lines) and not lines[index].text:
        index += 1
    return index
