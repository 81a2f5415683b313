"""Checks of renditions, run after a writer made them: each a :class:`converter.registry.Check`
on the :class:`~converter.registry.Rendition`, recorded as a PREMIS validation event and listed
in the report; a failed check fails its input unless ``WriteOptions.keep_invalid``.

::

    epubcheck.py   EPUBCheck in one warm JVM for a whole batch (``--check``)

The JATS DTD check runs inside the JATS writer (``--jats-dtd``), which returns its Check too.
:class:`Checkers` holds the services one conversion's checks use and runs the checks asked for.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import Article
from ..options import WriteOptions
from ..registry import Rendition
from .epubcheck import EpubChecker


class Checkers:
    """The checks a conversion runs on its renditions, and the services they need.

    ``epubcheck``: the address of a running :class:`~.epubcheck.EpubCheckService` (a batch
    starts one for all its workers); without one, a private service starts on first use.
    """

    def __init__(self, epubcheck: str | None = None) -> None:
        self._epubcheck = EpubChecker(epubcheck)

    def check(self, article: Article, rendition: Rendition, options: WriteOptions) -> Rendition:
        """``rendition`` with the checks ``options`` ask for appended."""
        if options.check and rendition.writer == "epub":
            found = self._epubcheck.check(rendition.data, f"article{rendition.extension}")
            rendition = replace(rendition, checks=(*rendition.checks, found))
        return rendition

    def close(self) -> None:
        self._epubcheck.close()


__all__ = ["Checkers"]
