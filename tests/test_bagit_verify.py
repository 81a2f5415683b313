"""The verifier: tampering, archive safety, percent-encoding, fetch.txt, the CLI's exit codes."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_bagit_support import (
    EPOCH,
    bagit_validate,
    build,
    rehash_manifest,
    rehash_tag_manifests,
    source_file,
)
from typer.testing import CliRunner

from converter import verify
from converter.cli import app
from converter.packaging.bagit.manifest import (
    decode_path,
    encode_path,
    manifest_bytes,
    parse_manifest_line,
    split_lines,
)
from converter.packaging.bagit.verify import path_problem, verify_bag


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture
def bag(tmp_path: Path) -> Path:
    return build(source_file(tmp_path / "in"), tmp_path / "out")


def _flip_byte(bag: Path) -> str:
    path = bag / "data/original/article.json"
    data = bytearray(path.read_bytes())
    data[5] ^= 0x01
    path.write_bytes(bytes(data))
    return "data/original/article.json: sha256 checksum mismatch"


def _delete(bag: Path) -> str:
    (bag / "data/article.json").unlink()
    return "data/article.json: listed in manifest-sha256.txt but missing"


def _add(bag: Path) -> str:
    (bag / "data/extra.txt").write_text("sneaked in")
    return "data/extra.txt: not listed in any payload manifest"


def _edit_tag_file(bag: Path) -> str:
    info = bag / "bag-info.txt"
    info.write_text(info.read_text().replace("A small article", "Another article"))
    return "bag-info.txt: sha512 checksum mismatch"


def _edit_premis(bag: Path) -> str:
    premis = bag / "metadata/premis.xml"
    premis.write_bytes(premis.read_bytes().replace(b"ingestion", b"ingestiom"))
    return "metadata/premis.xml: sha256 checksum mismatch"


def _delete_tag_file(bag: Path) -> str:
    (bag / "metadata/premis.xml").unlink()
    return "metadata/premis.xml: listed in tagmanifest-sha256.txt but missing"


def _edit_manifest(bag: Path) -> str:
    manifest = bag / "manifest-sha256.txt"
    lines = manifest.read_text().splitlines(True)
    manifest.write_text("0" * 64 + lines[0][64:] + "".join(lines[1:]))
    return "data/article.json: sha256 checksum mismatch"


def _oxum(bag: Path) -> str:
    info = bag / "bag-info.txt"
    lines = info.read_text().splitlines(True)
    info.write_text("".join("Payload-Oxum: 1.2\n" if line.startswith("Payload-Oxum") else line
                            for line in lines))
    rehash_tag_manifests(bag)
    return "Payload-Oxum says 1 octets"


def _symlink(bag: Path) -> str:
    (bag / "data/link.txt").symlink_to("/etc/hostname")
    return "data/link.txt: a symbolic link"


def _one_manifest_misses_a_file(bag: Path) -> str:
    manifest = bag / "manifest-sha256.txt"
    manifest.write_text("".join(line for line in manifest.read_text().splitlines(True)
                                if "  data/article.json" not in line))
    rehash_tag_manifests(bag)
    return "data/article.json: not listed in manifest-sha256.txt"


def _whitespace_in_bagit_txt(bag: Path) -> str:
    (bag / "bagit.txt").write_text("BagIt-Version : 1.0\nTag-File-Character-Encoding : UTF-8\n")
    rehash_tag_manifests(bag)
    return "bagit.txt: line 1 must be 'BagIt-Version: M.N'"


def _traversal(bag: Path) -> str:
    manifest = bag / "manifest-sha256.txt"
    manifest.write_text(manifest.read_text() + "0" * 64 + "  data/../../outside.txt\n")
    rehash_tag_manifests(bag)
    return "'..' leaves the bag"


def _tag_manifest_lists_payload(bag: Path) -> str:
    tagmanifest = bag / "tagmanifest-sha256.txt"
    tagmanifest.write_text(tagmanifest.read_text() + "0" * 64 + "  data/article.json\n")
    return "a tag manifest lists the payload file data/article.json"


def _duplicate_line(bag: Path) -> str:
    manifest = bag / "manifest-sha256.txt"
    first = manifest.read_text().splitlines(True)[0]
    manifest.write_text(manifest.read_text() + first)
    rehash_tag_manifests(bag)
    return "is listed twice"


TAMPERING: dict[str, Callable[[Path], str]] = {
    "changed payload byte": _flip_byte, "deleted payload file": _delete,
    "added payload file": _add, "changed tag file": _edit_tag_file,
    "changed provenance record": _edit_premis, "deleted tag file": _delete_tag_file,
    "changed manifest checksum": _edit_manifest, "wrong Payload-Oxum": _oxum,
    "symlink in payload": _symlink, "file missing from one manifest": _one_manifest_misses_a_file,
    "whitespace in bagit.txt": _whitespace_in_bagit_txt, "path traversal": _traversal,
    "payload in a tag manifest": _tag_manifest_lists_payload,
    "file listed twice": _duplicate_line,
}


def test_untouched_bag_is_valid(bag: Path) -> None:
    report = verify_bag(bag)
    assert report.valid and report.warnings == [] and report.errors == []
    assert (report.version, report.encoding) == ("1.0", "UTF-8")
    assert report.payload_files == 3 and report.algorithms == ["sha256", "sha512"]
    assert report.info_values("payload-oxum") == [f"{report.payload_bytes}.3"]


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING.keys())
def test_tampering_is_caught(bag: Path, tamper: Callable[[Path], str]) -> None:
    expected = tamper(bag)
    report = verify_bag(bag)
    assert not report.valid
    assert any(expected in error for error in report.errors), report.errors


@pytest.mark.parametrize("tamper", [_one_manifest_misses_a_file, _whitespace_in_bagit_txt],
                         ids=["file missing from one manifest", "whitespace in bagit.txt"])
def test_bagit_python_misses_what_we_catch(bag: Path, tamper: Callable[[Path], str]) -> None:
    """Two flaws bagit-python 1.9 lets through (RFC 8493 2.1.1 and 2.1.3 forbid them)."""
    tamper(bag)
    bagit_validate(bag)  # accepted by bagit-python
    assert not verify_bag(bag).valid


@pytest.mark.parametrize("kind", ["tar", "tgz", "zip"])
def test_tampered_archives_are_caught(tmp_path: Path, kind: str) -> None:
    source = source_file(tmp_path / "in")
    archive = build(source, tmp_path / "out", f"a.bag.{kind}", serialization=kind)
    assert verify_bag(archive).valid and verify_bag(archive).serialization == kind
    unpacked = tmp_path / "unpacked"
    shutil.unpack_archive(archive, unpacked, "zip" if kind == "zip" else "tar")
    _flip_byte(unpacked / "a.bag")
    archive.unlink()
    _pack(unpacked, archive, kind)
    report = verify_bag(archive)
    assert not report.valid
    assert any("data/original/article.json: sha256 checksum mismatch" in e
               for e in report.errors)


def _pack(folder: Path, archive: Path, kind: str) -> None:
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as zipped:
            for path in sorted(folder.rglob("*")):
                zipped.write(path, str(path.relative_to(folder)))
    else:
        with tarfile.open(archive, "w:gz" if kind == "tgz" else "w") as tar:
            tar.add(folder / "a.bag", "a.bag")


# --------------------------------------------------------------------------- hostile archives


def _tar_with(tmp_path: Path, bag: Path, extra: Callable[[tarfile.TarFile], None],
              top: str = "article.bag") -> Path:
    archive = tmp_path / "hostile.bag.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(bag, top)
        extra(tar)
    return archive


def _member(tar: tarfile.TarFile, name: str, data: bytes = b"x", kind: bytes = tarfile.REGTYPE,
            link: str = "") -> None:
    info = tarfile.TarInfo(name)
    info.type, info.size, info.linkname = kind, len(data) if kind == tarfile.REGTYPE else 0, link
    tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


HOSTILE_TAR: dict[str, tuple[Callable[[tarfile.TarFile], None], str]] = {
    "dot-dot": (lambda t: _member(t, "article.bag/../../evil.txt"), "'..' leaves the archive"),
    "absolute": (lambda t: _member(t, "/tmp/evil.txt"), "absolute path"),
    "symlink": (lambda t: _member(t, "article.bag/data/l", kind=tarfile.SYMTYPE,
                                  link="/etc/passwd"), "a link in the archive"),
    "hardlink": (lambda t: _member(t, "article.bag/data/h", kind=tarfile.LNKTYPE,
                                   link="article.bag/bagit.txt"), "a link in the archive"),
    "fifo": (lambda t: _member(t, "article.bag/data/pipe", kind=tarfile.FIFOTYPE),
             "special member"),
    "second top folder": (lambda t: _member(t, "other/x.txt"), "exactly one top-level folder"),
    "file beside the bag": (lambda t: _member(t, "loose.txt"), "a file outside the bag folder"),
    "duplicate member": (lambda t: _member(t, "article.bag/bagit.txt", b"BagIt-Version: 1.0\n"),
                         "appears twice"),
}


@pytest.mark.parametrize("case", HOSTILE_TAR.values(), ids=HOSTILE_TAR.keys())
def test_hostile_tar_members_are_refused(tmp_path: Path, bag: Path,
                                         case: tuple[Callable[[tarfile.TarFile], None], str]
                                         ) -> None:
    extra, expected = case
    archive = _tar_with(tmp_path, bag, extra)
    before = set(tmp_path.parent.iterdir())
    report = verify_bag(archive)
    assert not report.valid
    assert any(expected in error for error in report.errors), report.errors
    assert set(tmp_path.parent.iterdir()) == before  # nothing escaped the scratch folder
    assert not Path("/tmp/evil.txt").exists()


def test_hostile_zip_members_are_refused(tmp_path: Path, bag: Path) -> None:
    archive = tmp_path / "hostile.bag.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(bag.rglob("*")):
            zipped.write(path, f"article.bag/{path.relative_to(bag)}")
        zipped.writestr("article.bag/../evil.txt", b"x")
        link = zipfile.ZipInfo("article.bag/data/link")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        zipped.writestr(link, "/etc/passwd")
    report = verify_bag(archive)
    assert not report.valid
    assert any("'..' leaves the archive" in e for e in report.errors)
    assert any("article.bag/data/link: a link" in e for e in report.errors)


def test_archive_named_unlike_its_folder_warns(tmp_path: Path, bag: Path) -> None:
    archive = _tar_with(tmp_path, bag, lambda t: None)
    report = verify_bag(archive)
    assert report.valid
    assert any("not named like the archive" in w for w in report.warnings)


@pytest.mark.parametrize("content", [b"", b"not an archive at all", b"PK\x03\x04broken"])
def test_not_a_bag(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "thing.bag.zip"
    path.write_bytes(content)
    assert not verify_bag(path).valid
    assert not verify_bag(tmp_path / "missing.bag").valid
    assert not verify_bag(tmp_path).valid  # a folder that is no bag


# --------------------------------------------------------------------------- hand-made bags


def _handmade(root: Path, files: dict[str, bytes], manifest: str, version: str = "1.0",
              fetch: str | None = None) -> Path:
    root.mkdir(parents=True)
    (root / "bagit.txt").write_text(f"BagIt-Version: {version}\n"
                                    "Tag-File-Character-Encoding: UTF-8\n")
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / "manifest-md5.txt").write_text(manifest, encoding="utf-8")
    if fetch is not None:
        (root / "fetch.txt").write_text(fetch, encoding="utf-8")
    return root


MD5_X = "9dd4e461268c8034f5c8564e155c67a6"  # md5(b"x")


def test_percent_decoding_in_v1_bags(tmp_path: Path) -> None:
    files = {"data/a\nb%c.txt": b"x", "data/%7E.txt": b"x"}
    bag = _handmade(tmp_path / "b", files, f"{MD5_X}  data/a%0Ab%25c.txt\n"
                                           f"{MD5_X}  data/%7E.txt\n")
    report = verify_bag(bag)
    assert report.valid, report.errors
    # before 1.0 nothing was encoded: the same manifest names other files
    old = _handmade(tmp_path / "o", files, f"{MD5_X}  data/a%0Ab%25c.txt\n", version="0.97")
    assert not verify_bag(old).valid


def test_fetch_txt(tmp_path: Path) -> None:
    holey = _handmade(tmp_path / "h", {"data/here.txt": b"x"},
                      f"{MD5_X}  data/here.txt\n{MD5_X}  data/later.txt\n",
                      fetch="https://example.org/later.txt 1 data/later.txt\n")
    report = verify_bag(holey)
    assert report.errors == ["data/later.txt: listed in fetch.txt but not fetched yet: the bag "
                             "is incomplete (fetch the file, then verify again)"]
    (holey / "data/later.txt").write_bytes(b"x")  # fetched: complete and valid
    assert verify_bag(holey).valid
    bad = _handmade(tmp_path / "b", {"data/here.txt": b"x"}, f"{MD5_X}  data/here.txt\n",
                    fetch="later.txt x data/unlisted.txt\nhttps://example.org/ - bagit.txt\n")
    errors = verify_bag(bad).errors
    assert any("not an absolute URL" in e for e in errors)
    assert any("neither a number nor '-'" in e for e in errors)
    assert any("data/unlisted.txt is not listed in manifest-md5.txt" in e for e in errors)
    assert any("bagit.txt is outside the payload folder" in e for e in errors)


def test_bag_info_rules(tmp_path: Path) -> None:
    bag = _handmade(tmp_path / "b", {"data/x": b"x"}, f"{MD5_X}  data/x\n")
    (bag / "bag-info.txt").write_text("Payload-Oxum: 1.1\nExternal-Description: one\n"
                                      "  continued\nno colon here\nTrailing-Space : x\n")
    report = verify_bag(bag)
    assert report.info_values("external-description") == ["one continued"]
    assert any("line 4: not a 'Label: value' line" in e for e in report.errors)
    assert any("line 5: the label 'Trailing-Space ' starts or ends" in e for e in report.errors)


@pytest.mark.parametrize(("path", "problem"), [
    ("data/x", None), ("data/a b/c~", None), ("/etc/passwd", "absolute"),
    ("~/x", "home-folder"), ("~root/x", "home-folder"), ("data/../../x", "'..'"),
    ("C:\\Windows\\x", "Windows"), ("\\\\server\\share", "Windows"), ("data//x", "normalized"),
    ("data/./x", "normalized"), ("", "empty"), ("data/\x00", "NUL")])
def test_path_problems(path: str, problem: str | None) -> None:
    found = path_problem(path)
    assert (found is None) if problem is None else (found is not None and problem in found)


# --------------------------------------------------------------------------- manifest syntax


@given(st.text())
def test_encode_decode_round_trip(path: str) -> None:
    encoded = encode_path(path)
    assert "\n" not in encoded and "\r" not in encoded
    assert decode_path(encoded) == path


def test_manifest_lines() -> None:
    assert split_lines("a\r\nb\rc\nd\u2028e\x85f\x0cg") == ["a", "b", "c", "d\u2028e\x85f\x0cg"]
    assert split_lines("a\n") == ["a"] and split_lines("a") == ["a"]
    line = parse_manifest_line(1, "abc *data/x y", decode=True)
    assert line is not None and line.binary_marker and line.path == "data/x y"
    line = parse_manifest_line(1, "abc  *data/x", decode=True)
    assert line is not None and not line.binary_marker and line.path == "*data/x"
    line = parse_manifest_line(1, "abc\t./data/a%25b ", decode=True)
    assert line is not None and line.dot_slash and line.path == "data/a%b "
    assert parse_manifest_line(1, "abc", decode=True) is None
    text = manifest_bytes({"data/b": "2", "data/a\n": "1", "data/A": "3"}).decode()
    assert text == "3  data/A\n1  data/a%0A\n2  data/b\n"


# --------------------------------------------------------------------------- library and CLI


def test_library_entry_point(bag: Path) -> None:
    report = verify(bag)
    assert report.valid and report.path == bag


def test_cli_exit_codes(tmp_path: Path) -> None:
    source = source_file(tmp_path / "in")
    good = build(source, tmp_path / "out")
    good_tgz = build(source, tmp_path / "out", "a.bag.tgz", serialization="tgz")
    bad = build(source, tmp_path / "out", "bad.bag")
    _flip_byte(bad)
    runner = CliRunner()
    ok = runner.invoke(app, ["verify", str(good), str(good_tgz)])
    assert ok.exit_code == 0, ok.output
    assert f"{good}: valid" in ok.output and f"{good_tgz}: valid" in ok.output
    failed = runner.invoke(app, ["verify", str(good), str(bad)])
    assert failed.exit_code == 1
    assert "bad.bag: data/original/article.json: sha256 checksum mismatch" in failed.output
    quiet = runner.invoke(app, ["verify", "-q", str(good)])
    assert quiet.exit_code == 0 and quiet.output == ""
    warned = runner.invoke(app, ["verify", str(tmp_path / "nothing-here")])
    assert warned.exit_code == 1


def test_rehash_helpers_keep_a_bag_valid(bag: Path) -> None:
    """The tampering helpers only change what they say (guards the tests above)."""
    rehash_manifest(bag, "sha256")
    rehash_tag_manifests(bag)
    assert verify_bag(bag).valid
    bagit_validate(bag)


def test_tar_with_a_dot_root_entry(tmp_path: Path, bag: Path) -> None:
    """``tar -C parent .`` writes './' and './name/...' entries: the same bag."""
    archive = tmp_path / "article.bag.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(bag, "./article.bag")
        info = tarfile.TarInfo("./")
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
    report = verify_bag(archive)
    assert report.valid and not report.warnings, report


def test_bags_made_by_bagit_python(tmp_path: Path) -> None:
    """Interoperability: bagit-python's own bags verify, and their tampering is caught."""
    import bagit

    folder = tmp_path / "theirs"
    (folder / "sub dir").mkdir(parents=True)
    (folder / "sub dir" / "caf\u00e9.txt").write_text("x")
    (folder / "a.txt").write_text("y")
    bagit.make_bag(str(folder), {"Source-Organization": "Elsewhere"},
                   checksums=["sha256", "sha512"])
    report = verify_bag(folder)
    assert report.valid and not report.warnings, report
    assert report.info_values("Source-Organization") == ["Elsewhere"]
    (folder / "data" / "a.txt").write_text("z")
    assert not verify_bag(folder).valid


@pytest.mark.parametrize(("name", "expected"), [
    ("article.json", "data/article.json: cannot read: Permission denied"),
    ("bagit.txt", "bagit.txt: Permission denied")])
def test_unreadable_file_is_an_error_not_a_crash(bag: Path, monkeypatch: pytest.MonkeyPatch,
                                                 name: str, expected: str) -> None:
    real_open = os.open

    def refusing_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(path).endswith(name):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refusing_open)
    report = verify_bag(bag)
    assert not report.valid
    assert any(expected in e for e in report.errors), report.errors


def test_archive_bigger_than_the_free_space_is_refused(tmp_path: Path, bag: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A decompression bomb cannot fill the disk: unpacking stops at the free space."""
    archive = _tar_with(tmp_path, bag, lambda t: None)
    free = shutil.disk_usage(tempfile.gettempdir()).free
    # no room at all
    monkeypatch.setattr("converter.packaging.bagit.serialize.SPACE_MARGIN", 2 * free)
    report = verify_bag(archive)
    assert not report.valid
    assert any("more than the free disk space" in e for e in report.errors), report.errors
