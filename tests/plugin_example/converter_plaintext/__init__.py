"""An example writer plug-in: the article as plain UTF-8 text, wrapped to a width.

It follows the converter's writer convention (``name``, ``extension``, ``write(article, options)
-> bytes``) and reads its one setting from ``WriteOptions.extra["plaintext"]``.
"""

from __future__ import annotations

import textwrap

from converter.model import Article, block_text
from converter.options import WriteOptions


class PlainTextWriter:
    """plain text: title, authors, then the body, one paragraph per block"""

    name = "plaintext"
    extension = ".txt"
    aliases = ("plain",)

    def write(self, article: Article, options: WriteOptions) -> bytes:
        width = int(options.extra.get("plaintext", {}).get("width", 78))
        lines = [article.title, "=" * min(len(article.title), width)]
        if article.contributors:
            lines.append("by " + ", ".join(c.name for c in article.contributors))
        lines.append("")
        for paragraph in block_text(article.body).split("\n"):
            lines.extend(textwrap.wrap(paragraph, width) or [""])
            lines.append("")
        return "\n".join(lines).rstrip("\n").encode("utf-8") + b"\n"
