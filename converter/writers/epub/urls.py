"""Hyperlinks an EPUB may hold: absolute, valid by the WHATWG URL Standard, registered schemes.

EPUB 3.3 (section 1.3.6, "Relationship to URL") takes URLs as the URL Standard parses them;
EPUBCheck reports those it does not parse and schemes that IANA does not register, and reading
systems disagree on anything less clean. So every link, licence and ORCID address goes through
:func:`safe_href`, and what cannot be made valid is kept as text instead.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import quote, urljoin

#: a URL with a scheme (anything else is relative)
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_HOSTNAME = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?)+$")
_PORT = re.compile(r"^:\d{0,5}$")
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")

#: hyperlink schemes kept as links; others (file:, data:, javascript:, ...) become plain text
#: (IANA-registered; EPUBCheck warns about others; doi: is rewritten to https://doi.org/)
_LINK_SCHEMES = frozenset({"http", "https", "ftp", "mailto", "tel", "urn", "news", "irc"})
_HOST_SCHEMES = frozenset({"http", "https", "ftp"})
_URL_SAFE = "/:@!$&'()*+,;=-._~%?"


def safe_href(url: str, base: str | None = None) -> str | None:
    """``url`` as a valid absolute hyperlink, or ``None`` when it cannot be one in an EPUB.

    EPUBCheck wants URLs valid by the WHATWG URL standard and with registered schemes: relative
    URLs resolve against ``base`` (the source publication's address) when there is one, ``doi:``
    becomes https://doi.org/, hosts must be host names (IDNA-encoded) or IPv6 literals, ports
    numbers, and everything else that is not a URL code point is percent-encoded.
    """
    url = url.strip()
    if not url or url.startswith("#"):
        return None
    if not SCHEME.match(url):
        if not base or safe_href(base) is None:
            return None
        url = urljoin(base, url)
    scheme, _, rest = url.partition(":")
    if scheme.lower() == "doi":
        return safe_href("https://doi.org/" + rest.lstrip("/"))
    if scheme.lower() not in _LINK_SCHEMES or not rest.strip("/"):
        return None
    authority = ""
    if rest.startswith("//"):
        cut = min([i for i in (rest.find(mark, 2) for mark in "/?#") if i != -1] or [len(rest)])
        checked = _authority(rest[2:cut])
        if checked is None:
            return None
        authority, rest = "//" + checked, rest[cut:]
    elif scheme.lower() in _HOST_SCHEMES:
        return None
    head, hash_mark, fragment = rest.partition("#")
    return f"{scheme}:{authority}{_quote(head)}{hash_mark}{_quote(fragment)}"


def _quote(text: str, safe: str = _URL_SAFE) -> str:
    return quote(_STRAY_PERCENT.sub("%25", text), safe=safe)


def _authority(text: str) -> str | None:
    """``[userinfo@]host[:port]`` made valid, or ``None``."""
    userinfo, at, hostport = text.rpartition("@")
    if hostport.startswith("["):
        close = hostport.find("]")
        host, port = hostport[:close + 1], hostport[close + 1:]
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return None
        if "%" in host:  # a zone id is no part of a URL
            return None
    else:
        host, colon, port = hostport.partition(":")
        port = colon + port
        if not host.isascii():
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                return None
        if not _HOSTNAME.match(host):
            return None
    if port and not (_PORT.match(port) and int(port[1:] or 0) <= 65535):
        return None
    return (_quote(userinfo, _URL_SAFE.replace("@", "")) + "@" if at else "") + host + port
