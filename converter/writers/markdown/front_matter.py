"""The YAML front matter of the Markdown writer: a small emitter of our own, not PyYAML's dumper.

The output is YAML 1.2 (https://yaml.org/spec/1.2.2/) that YAML 1.1 parsers (PyYAML) read as the
same data: block style, two-space indentation, strings plain only where both versions read them as
that string (``yes``, ``null``, ``2013-04-05`` and ``1e5`` are quoted, so no parser turns them into
booleans, nulls, dates or numbers), else double-quoted with JSON's escapes, multi-line Markdown as
literal blocks. PyYAML's dumper cannot be told to keep to that common ground.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

_YAML_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
#: plain (unquoted) YAML scalars: start with a letter, no comment or mapping indicators, nothing
#: YAML 1.1 would read as a boolean or null
_YAML_PLAIN = re.compile(r"[^\W\d_][^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]*")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
_YAML_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
_YAML_LITERAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")


def _yaml_string(value: str, indent: str) -> str:
    if (_YAML_PLAIN.fullmatch(value) and value == value.strip() and ": " not in value
            and " #" not in value and not value.endswith(":") and "\t" not in value
            and value.lower() not in _YAML_WORDS):
        return value
    if ("\n" in value and not _YAML_LITERAL_UNSAFE.search(value)
            and value.lstrip("\n")[:1] not in (" ", "\t", "")):
        body = value.rstrip("\n")
        trailing = len(value) - len(body)
        chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
        lines = body.split("\n") + [""] * (trailing - 1 if trailing > 1 else 0)
        inner = indent + "  "
        return f"|{chomp}\n" + "\n".join(inner + line if line else "" for line in lines)
    return _yaml_quoted(value)


def _yaml_quoted(value: str) -> str:
    """A double-quoted YAML scalar: JSON's escapes, plus those YAML wants for odd characters."""
    quoted = json.dumps(value, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _yaml_scalar(value: Any, indent: str) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if "e" in text and "." not in text.split("e")[0]:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"
        return text
    return _yaml_string(str(value), indent)


def _yaml_key(key: str) -> str:
    return key if _YAML_KEY.fullmatch(key) and key.lower() not in _YAML_WORDS else _yaml_quoted(
        key)


def yaml_lines(value: dict[str, Any] | list[Any], indent: str = "") -> list[str]:
    """Block-style YAML for JSON-like data (every parser reads it as the same data)."""
    lines: list[str] = []
    items: Iterable[tuple[str | None, Any]] = (
        value.items() if isinstance(value, dict) else ((None, v) for v in value))
    for key, item in items:
        lead = f"{indent}{_yaml_key(key)}:" if key is not None else f"{indent}-"
        if isinstance(item, dict | list) and item:
            if key is None:  # a list item: the first entry goes on the dash's line
                nested = yaml_lines(item, indent + "  ")
                lines.append(f"{lead} {nested[0].lstrip()}")
                lines.extend(nested[1:])
            else:
                lines.append(lead)
                lines.extend(yaml_lines(item, indent + "  "))
        elif isinstance(item, dict | list):
            lines.append(f"{lead} {'{}' if isinstance(item, dict) else '[]'}")
        else:
            lines.append(f"{lead} {_yaml_scalar(item, indent)}")
    return lines
