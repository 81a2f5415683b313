"""The ``bag`` writer: a BagIt package (RFC 8493, BagIt 1.0) of the original, the renditions and
their provenance (PREMIS 3).

The bag is a folder ``<stem>.bag`` or, with ``BagOptions.serialization``, one archive
``<stem>.bag.tar`` / ``.bag.tgz`` / ``.bag.zip`` holding the single folder ``<stem>.bag``. It is a
:class:`~converter.registry.PackageWriter`: it names the renditions it holds
(``BagOptions.renditions``), the pipeline makes them, and :mod:`converter.packaging.bagit.build`
packs them. See docs/bagit.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from .._version import __version__
from ..errors import WriterError
from ..model import Article, Diagnostic
from ..options import WriteOptions
from ..registry import Rendition
from .bagit.build import bag_clock, destination_for, write_bag
from .bagit.profile import resolve


class BagWriter:
    name = "bag"
    extension = ".bag"
    version = __version__

    def write(self, article: Article, options: WriteOptions) -> bytes:
        """A bag is a folder or an archive, never bytes in memory: use :meth:`write_to`."""
        raise WriterError("the bag writer writes to a path (write_to), not to bytes")

    def destination_for(self, out_dir: Path, stem: str, options: WriteOptions) -> Path:
        """``<stem>.bag`` or ``<stem>.bag.<tar|tgz|zip>``."""
        return destination_for(out_dir, stem, resolve(options.bag))

    def renditions(self, options: WriteOptions) -> tuple[str, ...]:
        return tuple(options.bag.renditions)

    def render_options(self, options: WriteOptions) -> WriteOptions:
        """An explicit Bagging-Date pins the renditions' clock too; otherwise they are made
        exactly as beside the bag (same clock rules, so the same bytes)."""
        if options.bag.bagging_date:
            return replace(options, build_time=bag_clock(options))
        return options

    def write_to(self, article: Article, destination: Path, options: WriteOptions,
                 renditions: Mapping[str, Rendition]) -> Sequence[Diagnostic]:
        """Build, verify and atomically place the bag at ``destination``."""
        return write_bag(article, destination, options, renditions)
