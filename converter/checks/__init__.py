"""Checks of renditions, run after a writer made them: each a :class:`converter.registry.Check`
on the :class:`~converter.registry.Rendition`, recorded as a PREMIS validation event and listed
in the report. A failed check of level ``error`` fails its input unless
``WriteOptions.keep_invalid``; one of level ``warning`` adds a warning diagnostic.

::

    epubcheck.py   EPUBCheck in one warm JVM for a whole batch (``--check``)
    fidelity.py    the rendition read back by our own reader and compared with the article:
                   JSON and JATS always, Markdown and EPUB (pandoc) with ``--check``

The JATS DTD check runs inside the JATS writer (``--jats-dtd``), which returns its Check too.
:class:`Checkers` holds the services one conversion's checks use and runs the checks asked for.
This layer sits between the pipeline and the readers, writers and packaging: it uses readers
through the registry, never by importing them.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import Article
from ..options import WriteOptions
from ..registry import Registry, Rendition, default_registry
from .epubcheck import EpubChecker
from .fidelity import check_rendition, fidelity_runs, fidelity_warning


class Checkers:
    """The checks a conversion runs on its renditions, and the services they need.

    ``epubcheck``: the address of a running :class:`~.epubcheck.EpubCheckService` (a batch
    starts one for all its workers); without one, a private service starts on first use.
    """

    def __init__(self, epubcheck: str | None = None) -> None:
        self._epubcheck = EpubChecker(epubcheck)

    def check(self, article: Article, rendition: Rendition, options: WriteOptions,
              registry: Registry | None = None) -> Rendition:
        """``rendition`` with the checks ``options`` ask for appended (``registry``: where the
        fidelity read-back finds its readers)."""
        if options.check and rendition.writer == "epub":
            found = self._epubcheck.check(rendition.data, f"article{rendition.extension}")
            rendition = replace(rendition, checks=(*rendition.checks, found))
        return self.read_back(article, rendition, options, registry)

    def read_back(self, article: Article, rendition: Rendition, options: WriteOptions,
                  registry: Registry | None = None, *, force: bool = False) -> Rendition:
        """``rendition`` with its fidelity read-back and, when that fails, its warning: always
        for JSON and JATS, with ``options.check`` (or ``force``) for Markdown and EPUB."""
        if not fidelity_runs(rendition.writer, replace(options, check=True) if force else options):
            return rendition
        threshold = options.fidelity_threshold
        found = check_rendition(article, rendition.data, rendition.writer,
                                registry or default_registry(), threshold)
        if found is None:
            return rendition
        warning = fidelity_warning(found, rendition.writer, threshold)
        return replace(rendition, checks=(*rendition.checks, found),
                       diagnostics=(*rendition.diagnostics, *([warning] if warning else [])))

    def close(self) -> None:
        self._epubcheck.close()


__all__ = ["Checkers"]
