"""Writer for BagIt packages (RFC 8493, BagIt 1.0): the original, the renditions and provenance.

The bag is a folder ``<stem>.bag`` or, with ``BagOptions.serialization``, one archive
``<stem>.bag.tar`` / ``.bag.tgz`` / ``.bag.zip`` holding the single folder ``<stem>.bag``. The
renditions come from the registry like any caller's (``BagOptions.renditions``); the work is done
by :mod:`converter.bagit.build`. See docs/bagit.md.
"""

from __future__ import annotations

from pathlib import Path

from .._version import __version__
from ..bagit.build import destination_for, write_bag
from ..bagit.profile import resolve
from ..errors import WriterError
from ..model import Article
from ..options import WriteOptions


class BagWriter:
    name = "bag"
    extension = ".bag"
    multi_file = True
    version = __version__

    def write(self, article: Article, options: WriteOptions) -> bytes:
        """A bag is a folder or an archive, never bytes in memory: use :meth:`write_to`."""
        raise WriterError("the bag writer writes to a path (write_to), not to bytes")

    def destination_for(self, out_dir: Path, stem: str, options: WriteOptions) -> Path:
        """Where the pipeline should put the bag: ``<stem>.bag`` or ``<stem>.bag.<tar|tgz|zip>``."""
        return destination_for(out_dir, stem, resolve(options.bag))

    def write_to(self, article: Article, destination: Path, options: WriteOptions) -> None:
        """Build, verify and atomically place the bag at ``destination``."""
        write_bag(article, destination, options)
