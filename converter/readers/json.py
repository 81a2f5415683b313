"""Reader for the canonical article JSON (``schemas/article.schema.json``, JSON Schema 2020-12)."""

from __future__ import annotations

import json

from .._version import __version__
from ..errors import InputError
from ..formats.data import loads_json
from ..model import Article
from ..model.schema import load_article
from ..options import ReadOptions


class JsonReader:
    name = "json"
    version = __version__

    def sniff(self, data: bytes, file_name: str | None) -> bool:
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        return head.startswith(b"{") and b'"schema_version"' in data[:65536]

    def read(self, data: bytes, options: ReadOptions) -> Article:
        try:
            document = loads_json(data.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 JSON: {exc.reason} at byte {exc.start}") from exc
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
                             ) from exc
        except ValueError as exc:  # NaN, Infinity, 1e99999
            raise InputError(f"invalid JSON: {exc}") from exc
        try:  # "\ud800" escapes decode to lone surrogates, which no UTF-8 output can hold
            json.dumps(document, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError("invalid Unicode: a lone surrogate escape (\\ud800-\\udfff)"
                             ) from exc
        return load_article(document, file=options.file_name)
