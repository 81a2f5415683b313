"""Verify BagIt packages (RFC 8493 BagIt 1.0, drafts 0.93-0.97 too), stricter than bagit-python.

A bag is checked as a folder, or as a tar, tgz or zip serialization, which is first extracted into
a private temporary folder with path-traversal, absolute-path, link and duplicate checks (see
:mod:`converter.packaging.bagit.serialize`). Symbolic links inside a bag are never followed:
they are errors.

Checks, each failure listed per file:

* ``bagit.txt``: exactly the two lines ``BagIt-Version: M.N`` and
  ``Tag-File-Character-Encoding: ENC``, UTF-8 without a byte-order mark, a known encoding;
* every payload manifest lists every payload file (1.0; earlier drafts allowed one manifest per
  file), every listed file exists, no path leaves the bag (``..``, ``/``, ``~``, drive letters),
  no file is listed twice, every checksum matches;
* tag manifests: every listed tag file exists and matches; they list every payload manifest and no
  tag manifest (1.0), and should list every other tag file;
* ``bag-info.txt``: well-formed ``Label: value`` lines (continuations allowed) and a
  ``Payload-Oxum`` that matches the payload's octet and file counts;
* ``fetch.txt``: ``URL LENGTH PATH`` lines, absolute URLs, paths inside ``data/`` and listed in
  every payload manifest; a file not fetched yet makes the bag incomplete, hence invalid
  (RFC 8493 section 3); this verifier never fetches anything.

Warnings (the bag stays valid): md5sum ``*`` markers, ``./`` prefixes, names listed twice with the
same checksum (before 1.0) or differing only in case or Unicode normalization, operating-system
litter such as ``.DS_Store``, tag files no tag manifest covers, unknown algorithms.
"""


from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .folder import VerifyReport, path_problem
from .manifests import ManifestChecks


def verify_bag(path: str | os.PathLike[str]) -> VerifyReport:
    """Verify a bag folder or a tar/tgz/zip serialization; never raises for a bad bag."""
    bag = Path(path)
    report = VerifyReport(bag)
    try:
        _verify(bag, report)
    except OSError as exc:  # unreadable files: the bag cannot be shown valid
        report.errors.append(f"cannot read {exc.filename or bag}: {exc.strerror or exc}")
    return report


def _verify(bag: Path, report: VerifyReport) -> None:
    from .serialize import archive_kind, extract_archive

    if bag.is_dir():
        _Checker(bag, report).run()
        return
    if not bag.is_file():
        report.errors.append("no such bag (neither a folder nor a file)")
        return
    kind = archive_kind(bag)
    if kind is None:
        report.errors.append("not a bag: neither a folder nor a tar, tgz or zip archive")
        return
    report.serialization = kind
    with tempfile.TemporaryDirectory(prefix="converter-verify-") as tmp:
        root, problems, notes = extract_archive(bag, Path(tmp), kind)
        report.errors.extend(f"archive: {p}" for p in problems)
        report.warnings.extend(f"archive: {n}" for n in notes)
        if root is not None:
            _Checker(root, report).run()


class _Checker(ManifestChecks):
    """One verification: the steps in their order."""

    def run(self) -> None:
        self.inventory()
        self.check_bagit_txt()
        if "data" not in self.dirs:
            self.error("data/: the payload folder is missing")
        info = self.check_bag_info()
        manifests = self.load_manifests()
        fetch = self.check_fetch(manifests)
        self.check_payload(manifests, fetch)
        self.check_tag_manifests(manifests)
        self.check_oxum(info, fetch)
        self.check_names()


__all__ = ["VerifyReport", "path_problem", "verify_bag"]
