"""Writer for the canonical article JSON: UTF-8, schema key order, 2-space indent, final newline."""

from __future__ import annotations

from ..model import Article
from ..options import WriteOptions


class JsonWriter:
    name = "json"
    extension = ".json"

    def write(self, article: Article, options: WriteOptions) -> bytes:
        return article.to_json().encode("utf-8")
