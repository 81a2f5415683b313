"""BagIt packages (RFC 8493): build, serialize, verify.

::

    build.py      Article + original + renditions -> a bag folder, verified, then renamed into place
    manifest.py   manifest lines (percent-encoded paths), one-pass multi-algorithm checksums
    profile.py    our BagIt Profile and the APTrust settings
    serialize.py  reproducible tar / tgz / zip, and safe extraction for verification
    verify.py     verify_bag(path): the strict verifier behind ``converter verify``
    folder.py     ... its checks of the folder and its tag files (bagit.txt, bag-info.txt)
    manifests.py  ... its checks of manifests, fetch.txt and fixity

The writer the registry knows as ``bag`` is :class:`converter.packaging.bag.BagWriter`; its
PREMIS record comes from :mod:`converter.packaging.premis`.
"""

from __future__ import annotations

from .verify import VerifyReport, verify_bag

__all__ = ["VerifyReport", "verify_bag"]
