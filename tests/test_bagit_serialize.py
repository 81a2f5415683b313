"""Reproducible serializations: same bag bytes on two file systems, any creation order."""

from __future__ import annotations

import gzip
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_bagit_support import (
    EPOCH,
    PNG,
    bagit_validate,
    extract_with_tarfile,
    options,
    parsed,
    source_file,
    tree,
)

from converter.packaging.bagit.serialize import bag_name_for, write_archive
from converter.packaging.bagit.verify import verify_bag
from converter.pipeline import write_package

SHM = Path("/dev/shm")
MEDIA = {"media/b.png": PNG, "media/a \u00e9.png": PNG + b"a", "media/z/\u4e2d.png": PNG + b"z",
         "media/A.png": PNG + b"A"}


@pytest.fixture
def shm_dir() -> Iterator[Path]:
    """A scratch folder on a second file system (tmpfs), removed afterwards."""
    if not SHM.is_dir():
        pytest.fail("/dev/shm (a tmpfs) is needed for the two-file-system test")
    folder = Path(tempfile.mkdtemp(prefix="bagit-test-", dir=SHM))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _build_everything(root: Path, *, reverse: bool = False, **bag: object) -> dict[str, Path]:
    """Every serialization of one article; ``reverse`` feeds its media files in reverse order
    (the article itself is the same, only the order files are created in differs)."""
    source = source_file(root / "in", "\u00dcn\u00efcode story.json")
    out = root / "out"
    built = {}
    for kind in ("dir", "tar", "tgz", "zip"):
        article = parsed(source, MEDIA)
        if reverse:
            article.resources = dict(reversed(list(article.resources.items())))
        destination = out / ("story.bag" if kind == "dir" else f"story.bag.{kind}")
        write_package(article, destination, options(source, serialization=kind, **bag))
        built[kind] = destination
    return built


@pytest.mark.parametrize("clock", ["SOURCE_DATE_EPOCH", "bagging_date"])
def test_byte_identical_across_file_systems_and_orders(
        tmp_path: Path, shm_dir: Path, monkeypatch: pytest.MonkeyPatch, clock: str) -> None:
    extra: dict[str, object] = {}
    if clock == "SOURCE_DATE_EPOCH":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    else:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
        extra["bagging_date"] = "2020-02-29"
    on_disk = _build_everything(tmp_path, **extra)
    in_memory = _build_everything(shm_dir, reverse=True, **extra)
    assert tree(on_disk["dir"]) == tree(in_memory["dir"])
    for kind in ("tar", "tgz", "zip"):
        assert on_disk[kind].read_bytes() == in_memory[kind].read_bytes(), kind
        assert verify_bag(on_disk[kind]).valid
    if clock == "bagging_date":
        info = (on_disk["dir"] / "bag-info.txt").read_text()
        assert "Bagging-Date: 2020-02-29\n" in info
        with tarfile.open(on_disk["tar"]) as tar:
            assert {m.mtime for m in tar.getmembers()} == {1582934400}


@pytest.fixture
def archives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return _build_everything(tmp_path)


def test_tar_members(archives: dict[str, Path]) -> None:
    for kind in ("tar", "tgz"):
        with tarfile.open(archives[kind]) as tar:
            members = tar.getmembers()
            assert tar.pax_headers == {} or "mtime" not in tar.pax_headers
        names = [m.name for m in members]
        assert names[0] == "story.bag" and all(n.startswith("story.bag/") for n in names[1:])
        assert names == sorted(names, key=lambda n: n.split("/"))
        for member in members:
            assert (member.uid, member.gid, member.uname, member.gname) == (0, 0, "", "")
            assert member.mtime == int(EPOCH)
            assert member.mode == (0o755 if member.isdir() else 0o644)
            assert member.isdir() or member.isfile()
        assert "story.bag/data/media/z/\u4e2d.png" in names  # pax keeps UTF-8 names


def test_gzip_header_has_no_time_and_no_name(archives: dict[str, Path]) -> None:
    header = archives["tgz"].read_bytes()[:10]
    assert header[:3] == b"\x1f\x8b\x08"
    assert header[3] & 0x08 == 0  # no FNAME field
    assert header[4:8] == b"\x00\x00\x00\x00"  # MTIME 0
    with gzip.open(archives["tgz"]) as unzipped:
        assert unzipped.read() == archives["tar"].read_bytes()


def test_zip_entries(archives: dict[str, Path]) -> None:
    with zipfile.ZipFile(archives["zip"]) as zipped:
        infos = zipped.infolist()
        assert zipped.testzip() is None
    names = [i.filename for i in infos]
    assert names[0] == "story.bag/" and all(n.startswith("story.bag/") for n in names)
    assert names == sorted(names, key=lambda n: n.rstrip("/").split("/"))
    for info in infos:
        assert info.date_time == (2023, 11, 14, 22, 13, 20)
        assert info.create_system == 3
        mode = info.external_attr >> 16
        assert mode == (0o40755 if info.is_dir() else 0o100644)
        if not info.filename.isascii():
            assert info.flag_bits & 0x800  # names flagged as UTF-8
        assert info.extra == b""


@pytest.mark.parametrize("kind", ["tar", "tgz", "zip"])
def test_one_top_folder_named_like_the_archive(archives: dict[str, Path], tmp_path: Path,
                                               kind: str) -> None:
    archive = archives[kind]
    top = extract_with_tarfile(archive, tmp_path / "x")
    assert top.name == bag_name_for(archive.name) == "story.bag"
    expected = tree(archives["dir"])
    found = tree(top)
    assert found.keys() == expected.keys()
    for rel, (mode, mtime, data) in found.items():
        assert data == expected[rel][2] and mode == expected[rel][0], rel
        assert kind == "zip" or rel == "." or mtime == int(EPOCH), rel  # zipfile keeps no times
    bagit_validate(top)
    report = verify_bag(archive)
    assert report.valid and not report.warnings, report


@pytest.mark.parametrize(("name", "bag"), [("a.bag.tar", "a.bag"), ("a.bag.tgz", "a.bag"),
                                           ("a.bag.tar.gz", "a.bag"), ("a.ZIP", "a"),
                                           ("plain", "plain"), (".tar", ".tar")])
def test_bag_name_for(name: str, bag: str) -> None:
    assert bag_name_for(name) == bag


@pytest.mark.parametrize("kind", ["tar", "tgz", "zip"])
def test_archive_bytes_ignore_creation_order(tmp_path: Path, shm_dir: Path, kind: str) -> None:
    """write_archive sorts what it finds: folders filled in opposite orders give equal bytes."""
    names = ["b.txt", "a/z.txt", "a/b/c.txt", "\u00e9.txt", "A.txt", "a b.txt"]
    archives = []
    for root, order in ((tmp_path / "one" / "x.bag", names), (shm_dir / "x.bag", names[::-1])):
        for name in order:
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(name)
        archive = root.parent / f"x.bag.{kind}"
        write_archive(root, archive, kind, datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC))
        archives.append(archive.read_bytes())
    assert archives[0] == archives[1]
