"""The Library of Congress BagIt conformance suite, bag by bag (../shared/corpus/bagit-conformance).

Per the suite's README: ``valid/`` bags must pass, ``invalid/`` bags must fail, ``warning/`` bags
are valid but should warn, ``linux-only/`` bags are invalid on Linux. ``windows-only/`` attacks
(drive letters, UNC, %HomeDrive%) only apply on Windows; we reject them anyway, since their paths
would leave the bag there. One warning bag cannot pass on Linux: ``special-system-files`` lists
``data/.DS_Store``, which the suite's git repository does not hold (SOURCE.txt, "Caveats"), and a
listed file that is missing is an error. The two other macOS artefacts are accepted with warnings:
their "missing" entry is the same file as a listed one, differing only in case or in Unicode
normalization, with the same checksum.
"""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest
from conftest import CORPUS

from converter.packaging.bagit.verify import verify_bag

SUITE = CORPUS / "bagit-conformance"

VALID, INVALID, WARNING = "valid", "invalid", "warning"

#: every bag of the suite: expected verdict, and for failures the error that must be reported
TABLE: dict[str, tuple[str, str]] = {
    "v0.93/valid/basic-bag": (VALID, ""),
    "v0.93/valid/duplicate-metadata-entries": (VALID, ""),
    "v0.94/valid/basic-bag": (VALID, ""),
    "v0.94/valid/duplicate-metadata-entries": (VALID, ""),
    "v0.95/valid/basic-bag": (VALID, ""),
    "v0.95/valid/duplicate-metadata-entries": (VALID, ""),
    "v0.96/valid/bag-in-a-bag": (VALID, ""),
    "v0.96/valid/bag-with-encoded-names": (VALID, ""),
    "v0.96/valid/bag-with-escapable-characters": (VALID, ""),
    "v0.96/valid/bag-with-leading-dot-slash-in-manifest": (VALID, ""),
    "v0.96/valid/bag-with-space": (VALID, ""),
    "v0.96/valid/basic-bag": (VALID, ""),
    "v0.96/valid/duplicate-metadata-entries": (VALID, ""),
    "v0.96/valid/holey-bag": (VALID, ""),
    "v0.97/valid/ISO-8859-1-encoded-tag-files": (VALID, ""),
    "v0.97/valid/UTF-16-encoded-tag-files": (VALID, ""),
    "v0.97/valid/bag-in-a-bag": (VALID, ""),
    "v0.97/valid/bag-with-encoded-names": (VALID, ""),
    "v0.97/valid/bag-with-escapable-characters": (VALID, ""),
    "v0.97/valid/bag-with-leading-dot-slash-in-manifest": (VALID, ""),
    "v0.97/valid/bag-with-space": (VALID, ""),
    "v0.97/valid/basic-bag": (VALID, ""),
    "v0.97/valid/duplicate-metadata-entries": (VALID, ""),
    "v0.97/valid/holey-bag": (VALID, ""),
    "v0.97/valid/minimal-bag": (VALID, ""),
    "v0.97/valid/uncommon-metadata-separators": (VALID, ""),
    "v1.0/valid/basicBag": (VALID, ""),
    "v0.97/warning/duplicate-file-with-different-case": (WARNING, "differ only in case"),
    "v0.97/warning/made-with-md5sum-tools": (WARNING, "md5sum binary marker"),
    "v0.97/warning/relative-path": (WARNING, "starts with './'"),
    "v0.97/warning/same-filename-listed-twice-with-different-normalization": (
        WARNING, "differ only in Unicode normalization"),
    "v0.97/warning/same-filename-listed-twice-with-the-same-hash": (
        WARNING, "listed twice (same checksum)"),
    "v0.97/warning/special-system-files": (
        INVALID, "data/.DS_Store: listed in manifest-sha512.txt but missing"),
    "v0.97/invalid/baginfo-missing-encoding": (
        INVALID, "line 2 must be 'Tag-File-Character-Encoding: ENCODING'"),
    "v0.97/invalid/bom-in-bagit.txt": (INVALID, "bagit.txt: starts with a byte-order mark"),
    "v0.97/invalid/corrupt-data-file": (INVALID, "data/bare-filename: md5 checksum mismatch"),
    "v0.97/invalid/corrupt-tag-file": (INVALID, "bag-info.txt: md5 checksum mismatch"),
    "v0.97/invalid/extra-file-in-bag": (INVALID, "data/bar: not listed in any payload manifest"),
    "v0.97/invalid/invalid-version-number": (INVALID, "line 1 must be 'BagIt-Version: M.N'"),
    "v0.97/invalid/missing-baginfo": (
        INVALID, "bag-info.txt: listed in tagmanifest-md5.txt but missing"),
    "v0.97/invalid/missing-bagit.txt": (INVALID, "bagit.txt: missing"),
    "v0.97/invalid/out-of-scope-file-paths-using-dot-notation": (INVALID, "'..' leaves the bag"),
    "v0.97/invalid/out-of-scope-file-paths-using-dot-notation-for-fetch": (
        INVALID, "fetch.txt: line 1: '../../../README.md': '..' leaves the bag"),
    "v0.97/invalid/same-filename-listed-twice-with-different-hashes": (
        INVALID, "data/README is listed twice with different checksums"),
    "v0.97/linux-only/out-of-scope-file-paths-using-absolute-path": (INVALID, "absolute path"),
    "v0.97/linux-only/out-of-scope-file-paths-using-absolute-path-for-fetch": (
        INVALID, "fetch.txt: line 1: '/tmp/test.txt': absolute path"),
    "v0.97/linux-only/out-of-scope-file-paths-using-shortcut": (INVALID, "home-folder shortcut"),
    "v0.97/linux-only/out-of-scope-file-paths-using-shortcut-for-fetch": (
        INVALID, "fetch.txt: line 1: '~/test.txt': home-folder shortcut"),
    "v0.97/linux-only/out-of-scope-file-paths-using-shortcut-username": (
        INVALID, "'~root/foo': home-folder shortcut"),
    "v0.97/linux-only/out-of-scope-file-paths-using-shortcut-username-for-fetch": (
        INVALID, "fetch.txt: line 1: '~root/foo': home-folder shortcut"),
    "v0.97/windows-only/out-of-scope-file-paths-using-absolute-path": (
        INVALID, "Windows absolute path"),
    "v0.97/windows-only/out-of-scope-file-paths-using-absolute-path-for-fetch": (
        INVALID, "fetch.txt: line 1"),
    "v0.97/windows-only/out-of-scope-file-paths-using-shortcut": (
        INVALID, "Windows absolute path"),
    "v0.97/windows-only/out-of-scope-file-paths-using-shortcut-for-fetch": (
        INVALID, "fetch.txt: line 1"),
    "v0.97/windows-only/out-of-scope-file-paths-using-unc": (INVALID, "Windows absolute path"),
    "v0.97/windows-only/out-of-scope-file-paths-using-unc-for-fetch": (
        INVALID, "fetch.txt: line 1"),
    "v1.0/invalid/bagit-with-invalid-whitespace": (
        INVALID, "bagit.txt: line 1 must be 'BagIt-Version: M.N', found 'BagIt-Version : 1.0'"),
    "v1.0/invalid/notAllManifestsListAllFiles": (
        INVALID, "data/missingFromManifest.txt: not listed in any payload manifest"),
    "v1.0/invalid/same-filename-listed-twice-with-different-hashes": (
        INVALID, "data/README is listed twice with different checksums"),
    "v1.0/invalid/same-filename-listed-twice-with-the-same-hash": (
        INVALID, "manifest-sha256.txt: line 2: data/README is listed twice"),
}


def test_table_covers_the_whole_suite() -> None:
    if not SUITE.is_dir():
        pytest.fail(f"the BagIt conformance suite is missing: {SUITE}")
    found = {str(p.relative_to(SUITE)) for p in SUITE.glob("v*/*/*") if p.is_dir()}
    assert found == set(TABLE)


@pytest.mark.parametrize(("name", "expected"), TABLE.items(), ids=TABLE.keys())
def test_conformance_bag(name: str, expected: tuple[str, str]) -> None:
    verdict, message = expected
    bag = SUITE / name
    if not bag.is_dir():
        pytest.fail(f"conformance bag missing: {bag}")
    report = verify_bag(bag)
    if verdict == INVALID:
        assert not report.valid
        assert any(message in error for error in report.errors), report.errors
    else:
        assert report.valid, report.errors
    if verdict == WARNING:
        assert any(message in warning for warning in report.warnings), report.warnings


@pytest.mark.parametrize("kind", ["tar", "tgz", "zip"])
@pytest.mark.parametrize("name", ["v1.0/valid/basicBag", "v0.97/valid/UTF-16-encoded-tag-files",
                                  "v0.97/invalid/corrupt-data-file"])
def test_conformance_bags_serialized(tmp_path: Path, name: str, kind: str) -> None:
    """The verdict does not change when the bag travels as an archive."""
    bag = SUITE / name
    archive = tmp_path / f"{bag.name}.{kind}"
    if kind == "zip":
        shutil.make_archive(str(tmp_path / bag.name), "zip", SUITE / Path(name).parent, bag.name)
    else:
        with tarfile.open(archive, "w:gz" if kind == "tgz" else "w") as tar:
            tar.add(bag, bag.name)
    report = verify_bag(archive)
    assert report.serialization == kind
    assert report.valid == (TABLE[name][0] == VALID), report.errors
    assert not any("not named like" in w for w in report.warnings)
