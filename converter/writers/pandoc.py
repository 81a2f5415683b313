"""Writer for any pandoc 3.9 output format (docx, odt, html, LaTeX, rst, ...), via its JSON AST.

The article becomes a pandoc JSON document (:func:`converter.pandoc.write_ast.pandoc_from_article`,
pandoc-types 1.23) that one sandboxed pandoc process renders as a standalone document with the
metadata (title, subtitle, author, date, lang, abstract, keywords). The formats are pandoc's
(its manual, "Options: --to"); ``converter.pandoc.formats`` lists them.

Media: ``--sandbox`` lets pandoc read no file but its input, so a resource folder is no use.
Container formats (docx, odt, epub, pptx, ...) get each image as a ``data:`` URI, which pandoc
embeds; text formats keep the relative ``media/<sha1>.<ext>`` path, which resolves because the
pipeline writes the media files beside the outputs.

Deterministic where pandoc allows: ``SOURCE_DATE_EPOCH`` comes from
:func:`converter.options.build_time` and the EPUB identifier is the article's id.
"""

from __future__ import annotations

import base64
import json
import tempfile
from pathlib import Path
from typing import Any

from ..errors import UnknownFormatError, WriterError
from ..model import Article, Diagnostic, add_once
from ..options import WriteOptions, build_time
from ..pandoc.formats import PANDOC_OUTPUT_FORMATS
from ..pandoc.run import run_pandoc, split_format
from ..pandoc.write_ast import pandoc_from_article
from ..registry import Rendition

#: formats whose output is a zip container that must hold the images themselves
CONTAINER_FORMATS = frozenset({"docx", "odt", "epub", "epub2", "epub3", "pptx", "fb2"})
#: the usual file extension of each output format (the format name itself when not listed)
EXTENSIONS = {
    "asciidoc": ".adoc", "asciidoc_legacy": ".adoc", "asciidoctor": ".adoc", "beamer": ".tex",
    "biblatex": ".bib", "bibtex": ".bib", "commonmark": ".md", "commonmark_x": ".md",
    "context": ".tex", "csljson": ".json", "djot": ".dj", "docbook": ".dbk", "docbook4": ".dbk",
    "docbook5": ".dbk", "dokuwiki": ".txt", "dzslides": ".html", "epub2": ".epub",
    "epub3": ".epub", "gfm": ".md", "haddock": ".txt", "html4": ".html", "html5": ".html",
    "jats": ".xml", "jats_archiving": ".xml", "jats_articleauthoring": ".xml",
    "jats_publishing": ".xml", "jira": ".txt", "latex": ".tex", "man": ".1",
    "markdown": ".md", "markdown_github": ".md", "markdown_mmd": ".md",
    "markdown_phpextra": ".md", "markdown_strict": ".md", "markua": ".md", "mediawiki": ".wiki",
    "opendocument": ".fodt", "plain": ".txt", "ansi": ".txt", "revealjs": ".html",
    "s5": ".html", "slideous": ".html", "slidy": ".html", "tei": ".tei.xml",
    "texinfo": ".texi", "typst": ".typ", "vimdoc": ".txt", "xwiki": ".txt", "zimwiki": ".txt",
    "bbcode": ".bbcode", "bbcode_fluxbb": ".bbcode", "bbcode_hubzilla": ".bbcode",
    "bbcode_phpbb": ".bbcode", "bbcode_steam": ".bbcode", "bbcode_xenforo": ".bbcode",
    "xml": ".pandoc.xml",
}
DEFAULT_TIMEOUT = 120.0


def extension_for(fmt: str) -> str:
    base = split_format(fmt)
    return EXTENSIONS.get(base, "." + base)


class PandocWriter:
    """Writer ``pandoc``; ``for_format("docx")`` gives the writer for one pandoc format.

    Settings (``WriteOptions.extra["pandoc"]``): ``timeout`` in seconds (default 120).
    """

    def __init__(self, fmt: str | None = None) -> None:
        self.format = fmt
        self.name = fmt or "pandoc"
        self.extension = extension_for(fmt) if fmt else ""

    def knows(self, fmt: str) -> bool:
        """Whether ``fmt`` names a pandoc output format (``--to docx`` means ``pandoc:docx``)."""
        return split_format(fmt) in PANDOC_OUTPUT_FORMATS

    def for_format(self, fmt: str) -> PandocWriter:
        """The writer for pandoc output format ``fmt`` (extensions allowed: ``gfm+smart``)."""
        if split_format(fmt) not in PANDOC_OUTPUT_FORMATS:
            raise UnknownFormatError(f"pandoc cannot write {fmt!r}; pandoc output formats: "
                                     f"{', '.join(sorted(PANDOC_OUTPUT_FORMATS))}")
        return PandocWriter(fmt)

    def document(self, article: Article, noticed: list[Diagnostic] | None = None
                 ) -> dict[str, Any]:
        """The pandoc JSON AST this writer hands to pandoc."""
        base = split_format(self.format or "")
        by_path = {m.path: m.media_type for m in article.media}

        def data_uri(url: str) -> str:
            data = article.resources.get(url)
            if data is None:
                return url
            media_type = by_path.get(url, "application/octet-stream")
            return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"

        document = dict(pandoc_from_article(
            article, data_uri if base in CONTAINER_FORMATS else None, noticed=noticed))
        if base.startswith("epub") and article.id:  # else pandoc makes up a random one
            document["meta"]["identifier"] = {"t": "MetaString", "c": article.id}
        return document

    def write(self, article: Article, options: WriteOptions) -> Rendition:
        if not self.format:
            raise WriterError("name a pandoc output format: --to pandoc:FMT (e.g. docx, odt)")
        settings = options.extra.get("pandoc", {}) if options.extra else {}
        timeout = float(settings.get("timeout", DEFAULT_TIMEOUT))
        moment = build_time(options, article.dates.get("published"))
        noticed: list[Diagnostic] = []
        payload = json.dumps(self.document(article, noticed), ensure_ascii=False).encode("utf-8")
        with tempfile.TemporaryDirectory(prefix="converter-pandoc-") as tmp:
            result = run_pandoc(
                ["--from", "json", "--to", self.format, "--standalone", "--output", "-"],
                payload, timeout=timeout, workdir=Path(tmp), error=WriterError,
                action=f"write {self.format}",
                env={"SOURCE_DATE_EPOCH": str(int(moment.timestamp()))})
        for warning in result.warnings:
            add_once(noticed, Diagnostic("warning", "pandoc-writer", f"{self.format}: {warning}"))
        return Rendition(result.output, tuple(noticed))
