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

Modules, in reading order::

    __init__.py   TextReader and read_text: the order of the stages
    header.py     1. the metadata header (byline, JSON object, glued credit)
    front.py      2. the title line and the dek; the title fallback
    body.py       3. the body: chunks, source lines, notes, disclaimers
    turns.py      interview turns and the body's blocks
    tail.py       4. the author section and site boilerplate
    clues.py      what single lines and names are (every stage asks here)
    shapes.py     line patterns, limits, and the data passed between stages
"""

from __future__ import annotations

import json
import re
from collections import Counter

from ..._version import __version__
from ...errors import InputError
from ...model import Article, Provenance
from ...options import ReadOptions
from ..decode import DecodedText, decode_text
from .body import read_body
from .clues import is_label_like, label_key
from .front import finish_front, read_front, title_from_text, title_overridden
from .header import apply_header, find_header
from .shapes import DEFAULT_BOILERPLATE_HEADINGS, LABEL, Front, Line
from .tail import boilerplate_pattern, is_section_end, read_tail


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
    boilerplate = boilerplate_pattern(DEFAULT_BOILERPLATE_HEADINGS + options.boilerplate_headings)
    labels = Counter(label_key(m["label"]) for line in lines
                     if (m := LABEL.match(line.text)) and is_label_like(m["label"]))

    front = Front()
    header = find_header(lines)
    start = 0
    if header is not None:
        apply_header(article, header, front)
        start = header.end
        if header.glued:  # text glued after the closing brace is read as the next line
            start -= 1
            lines[start] = Line(lines[start].number, header.glued)
    start = read_front(article, lines, start, front, labels, lead_image=header is not None)
    end = next((i for i in range(start, len(lines))
                if is_section_end(lines[i].text, boilerplate)), len(lines))
    article.body = read_body(article, lines[start:end])
    read_tail(article, lines, end, boilerplate)
    finish_front(article, front, title_given=title_overridden(options))
    if not article.body:
        article.diagnose("warning", "empty-body", "no body text found")
    return article


__all__ = ["DEFAULT_BOILERPLATE_HEADINGS", "TextReader", "read_text", "title_from_text"]
