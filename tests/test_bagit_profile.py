"""Profiles: our own (schemas/bagit-profile.json), Beyond the Repository 1.0, and APTrust.

bagit-profile checks a bag's BagIt-Profile-Identifier against the URL it was given, and a bag
declares one profile: ours. Against Beyond the Repository we therefore require that every rule
passes and the only complaint is that identifier. APTrust bags declare APTrust's identifier; they
are checked against Fedora's translation of the APTrust profile (loadable by bagit-profile) and
against the official APTrust 2.3 profile, which is in DART's own format, by a small reader of
that format below.
"""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path
from typing import Any

import bagit
import bagit_profile
import pytest
from conftest import CORPUS
from test_bagit_support import EPOCH, build, extract_with_tarfile, source_file

from converter.model.schema import schema_text
from converter.packaging.bagit.profile import (
    APTRUST_IDENTIFIER,
    PROFILE_FILE,
    PROFILE_IDENTIFIER,
    profile_document,
)
from converter.packaging.bagit.verify import verify_bag

PROFILES = CORPUS / "bagit-profiles"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def load(name: str) -> dict[str, Any]:
    path = PROFILES / name
    if not path.is_file():
        pytest.fail(f"BagIt profile missing: {path}")
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def profile_errors(identifier: str, profile: dict[str, Any], bag_dir: Path) -> list[str]:
    checker = bagit_profile.Profile(identifier, profile=profile)
    checker.validate(bagit.Bag(str(bag_dir)))
    return [str(e) for e in checker.report.errors]


def test_our_profile_is_shipped_and_consistent() -> None:
    document = json.loads(schema_text(PROFILE_FILE))
    assert document == profile_document()
    assert document["BagIt-Profile-Info"]["BagIt-Profile-Identifier"] == PROFILE_IDENTIFIER
    assert bagit_profile.Profile(PROFILE_IDENTIFIER, profile=document)  # a valid profile


@pytest.mark.parametrize("kind", ["dir", "tar", "tgz", "zip"])
def test_default_bags_pass_our_profile_and_btr(tmp_path: Path, kind: str) -> None:
    source = source_file(tmp_path / "in")
    name = "a.bag" if kind == "dir" else f"a.bag.{kind}"
    bag = build(source, tmp_path / "out", name, serialization=kind,
                source_organization="Example Archive")
    ours = bagit_profile.Profile(PROFILE_IDENTIFIER, profile=profile_document())
    btr_document = load("btr-bagit-profile-1.0.json")
    btr_id = btr_document["BagIt-Profile-Info"]["BagIt-Profile-Identifier"]
    btr = bagit_profile.Profile(btr_id, profile=btr_document)
    assert ours.validate_serialization(str(bag))
    assert btr.validate_serialization(str(bag))
    bag_dir = bag if kind == "dir" else extract_with_tarfile(bag, tmp_path / "x")
    assert profile_errors(PROFILE_IDENTIFIER, profile_document(), bag_dir) == []
    errors = profile_errors(btr_id, btr_document, bag_dir)
    assert len(errors) == 1 and "BagIt-Profile-Identifier" in errors[0], errors


def test_our_profile_catches_a_missing_provenance_record(tmp_path: Path) -> None:
    bag = build(source_file(tmp_path / "in"), tmp_path / "out")
    (bag / "metadata" / "premis.xml").unlink()
    (bag / "metadata" / "notes.txt").write_text("x")
    errors = profile_errors(PROFILE_IDENTIFIER, profile_document(), bag)
    assert any("premis.xml" in e for e in errors)
    assert any("notes.txt" in e for e in errors)


@pytest.fixture
def aptrust_bag(tmp_path: Path) -> tuple[Path, Path]:
    """(the tar, its bag folder unpacked) of an APTrust bag."""
    source = source_file(tmp_path / "in", title="An interview:\n the APTrust edition")
    archive = build(source, tmp_path / "out", "test.edu.interview.tar", profile="aptrust",
                    source_organization="Test University")
    return archive, extract_with_tarfile(archive, tmp_path / "x")


def test_aptrust_bag_layout(aptrust_bag: tuple[Path, Path]) -> None:
    archive, bag = aptrust_bag
    assert tarfile.is_tarfile(archive) and archive.read_bytes()[257:262] == b"ustar"
    assert bag.name == "test.edu.interview"
    names = sorted(p.name for p in bag.glob("*.txt"))
    assert names == ["aptrust-info.txt", "bag-info.txt", "bagit.txt", "manifest-md5.txt",
                     "manifest-sha256.txt", "tagmanifest-md5.txt", "tagmanifest-sha256.txt"]
    assert (bag / "aptrust-info.txt").read_text() == (
        "Title: An interview: the APTrust edition\nAccess: Institution\n"
        "Storage-Option: Standard\n")
    assert f"BagIt-Profile-Identifier: {APTRUST_IDENTIFIER}\n" in (bag / "bag-info.txt").read_text()
    assert "aptrust-info.txt" in (bag / "tagmanifest-md5.txt").read_text()
    assert verify_bag(archive).valid


def test_aptrust_bag_passes_fedoras_aptrust_profile(aptrust_bag: tuple[Path, Path]) -> None:
    _, bag = aptrust_bag
    document = load("aptrust-2.2-standard-format-duraspace.json")
    errors = profile_errors(APTRUST_IDENTIFIER, document, bag)
    assert errors == []


def test_aptrust_bag_passes_the_official_aptrust_profile(aptrust_bag: tuple[Path, Path]) -> None:
    archive, bag = aptrust_bag
    assert dart_profile_errors(load("aptrust-v2.3-dart-format.json"), archive, bag) == []


def test_dart_reader_catches_broken_aptrust_bags(aptrust_bag: tuple[Path, Path],
                                                 tmp_path: Path) -> None:
    """The DART-format reader below is a real check: it fails bags that break the profile."""
    archive, bag = aptrust_bag
    profile = load("aptrust-v2.3-dart-format.json")
    info = bag / "aptrust-info.txt"
    info.write_text(info.read_text().replace("Access: Institution", "Access: Everyone"))
    (bag / "manifest-md5.txt").rename(bag / "manifest-sha1.txt")
    renamed = tmp_path / "renamed.tar"
    archive.rename(renamed)
    errors = dart_profile_errors(profile, renamed, bag)
    assert any("Access" in e for e in errors)
    assert any("manifest-md5.txt" in e for e in errors)
    assert any("match the tar" in e for e in errors)


def dart_profile_errors(profile: dict[str, Any], archive: Path, bag: Path) -> list[str]:
    """Check a serialized bag against a profile in DART's JSON format (APTrust's official one)."""
    errors: list[str] = []
    version = re.search(r"BagIt-Version: (\S+)", (bag / "bagit.txt").read_text())
    if not version or version.group(1) not in profile["acceptBagItVersion"]:
        errors.append("BagIt version not accepted")
    if profile["serialization"] == "required":
        if not tarfile.is_tarfile(archive) or "application/tar" not in profile[
                "acceptSerialization"]:
            errors.append("serialization must be tar")
        if profile.get("tarDirMustMatchName") and archive.name.removesuffix(".tar") != bag.name:
            errors.append("the top folder must match the tar's name")
    for algorithm in profile["manifestsRequired"]:
        if not (bag / f"manifest-{algorithm}.txt").is_file():
            errors.append(f"manifest-{algorithm}.txt required")
    for algorithm in profile["tagManifestsRequired"]:
        if not (bag / f"tagmanifest-{algorithm}.txt").is_file():
            errors.append(f"tagmanifest-{algorithm}.txt required")
    for path in bag.glob("manifest-*.txt"):
        if path.stem.split("-", 1)[1] not in profile["manifestsAllowed"]:
            errors.append(f"{path.name} not allowed")
    for path in bag.glob("tagmanifest-*.txt"):
        if path.stem.split("-", 1)[1] not in profile["tagManifestsAllowed"]:
            errors.append(f"{path.name} not allowed")
    if not profile["allowFetchTxt"] and (bag / "fetch.txt").exists():
        errors.append("fetch.txt not allowed")
    for tag in profile["tags"]:
        values = tag_values(bag / tag["tagFile"], tag["tagName"])
        if tag["required"] and not values:
            errors.append(f"{tag['tagFile']}: {tag['tagName']} required")
        for value in values:
            if tag["values"] and value not in tag["values"]:
                errors.append(f"{tag['tagFile']}: {tag['tagName']} {value!r} not allowed")
            if not value and not tag["emptyOk"]:
                errors.append(f"{tag['tagFile']}: {tag['tagName']} must not be empty")
    return errors


def tag_values(path: Path, name: str) -> list[str]:
    if not path.is_file():
        return []
    values = []
    for line in path.read_text(encoding="utf-8").splitlines():
        label, _, value = line.partition(":")
        if label.strip().lower() == name.lower():
            values.append(value.strip())
    return values
