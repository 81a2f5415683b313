"""JSON (RFC 8259) and YAML (1.1, PyYAML's safe subset) read strictly, for metadata people give.

Sidecars, catalog cells, ``--meta`` values, front matter and canonical JSON all pass through here,
so every one of them has the same limits:

* JSON: ``NaN``, ``Infinity`` and numbers that overflow to infinity (``1e99999``) are refused:
  they are not JSON (RFC 8259 section 6) and no output could write them back;
* YAML: anchors and aliases are refused. A 1 KB document of nested aliases ("billion laughs")
  expands to gigabytes; metadata never needs them. Non-finite floats (``.nan``, ``.inf``) are
  refused as in JSON. A YAML document is also limited in size (:data:`MAX_YAML_BYTES`).

Errors are :class:`ValueError` with a one-line reason; callers say which file.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any

#: the largest YAML text read (sidecars and front matter are a few kilobytes)
MAX_YAML_BYTES = 1 << 20


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (RFC 8259)")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is out of range for a JSON number")
    return value


#: a decoder with the limits above, for ``raw_decode`` (a JSON object at the start of a text)
STRICT_JSON = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def loads_json(text: str | bytes) -> Any:
    """``json.loads`` that refuses NaN, Infinity and overflowing numbers."""
    return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)


def loads_yaml(text: str, first_line: int = 1) -> Any:
    """``yaml.safe_load`` without anchors, aliases or non-finite floats, and bounded in size;
    the result is plain JSON data (:func:`plain`). ``first_line``: where the text starts in its
    file, for messages."""
    import yaml

    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise ValueError(f"YAML text over {MAX_YAML_BYTES} bytes")
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = (event.start_mark.line if event.start_mark else 0) + first_line
                raise ValueError(f"YAML anchors and aliases are not allowed (line {line})")
    except yaml.YAMLError as exc:
        raise ValueError(_yaml_problem(exc, first_line)) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(_yaml_problem(exc, first_line)) from exc
    _check_finite(data)
    return plain(data)


def plain(value: Any) -> Any:
    """YAML data as JSON data: dates and times as ISO 8601 text, keys as strings, bytes as
    text; anything else PyYAML's safe loader makes stays as it is."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _yaml_problem(exc: Exception, first_line: int) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + first_line})" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"not valid YAML{where}: {problem}"


def _check_finite(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError(f"{item} is not a finite number")
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
