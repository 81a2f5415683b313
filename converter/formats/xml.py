"""Text that XML 1.0 can carry (W3C XML 1.0, section 2.2 "Characters").

Control characters (but tab, line feed and carriage return), lone surrogates and U+FFFE/U+FFFF
cannot appear in XML at all, not even escaped. Every XML writer (JATS, EPUB's XHTML, PREMIS, METS)
replaces them with U+FFFD through :func:`clean_xml` and says how many it replaced.
"""

from __future__ import annotations

import re

#: characters XML 1.0 does not allow
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_xml(text: str) -> tuple[str, int]:
    """``text`` with what XML 1.0 forbids replaced by U+FFFD, and how many were replaced."""
    if NOT_XML.search(text) is None:
        return text, 0
    return NOT_XML.subn("\ufffd", text)
