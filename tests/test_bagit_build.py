"""Building bags: layout, tag files, manifests, names, safety and atomicity (RFC 8493)."""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from test_bagit_support import (
    EPOCH,
    PNG,
    bagit_validate,
    bagit_validate_any,
    build,
    options,
    parsed,
    source_file,
)

from converter.errors import (
    OutputExistsError,
    PackageError,
    UnknownFormatError,
    UsageError,
    WriterError,
)
from converter.model import Article, Diagnostic
from converter.options import BagOptions, WriteOptions
from converter.packaging.bagit import build as build_module
from converter.packaging.bagit.build import human_size
from converter.packaging.bagit.manifest import BLOCK_SIZE, digest_stream
from converter.packaging.bagit.profile import PROFILE_IDENTIFIER
from converter.packaging.bagit.verify import verify_bag
from converter.pipeline import convert, write_package
from converter.registry import Registry, Rendition, _w

BAG_INFO_ORDER = ["Source-Organization", "Bagging-Date", "Payload-Oxum", "Bag-Size",
                  "External-Identifier", "External-Description", "Internal-Sender-Identifier",
                  "Bag-Software-Agent", "BagIt-Profile-Identifier"]


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def files_of(bag: Path) -> set[str]:
    return {str(p.relative_to(bag)) for p in bag.rglob("*") if p.is_file()}


def bag_info(bag: Path) -> list[tuple[str, str]]:
    lines = (bag / "bag-info.txt").read_text(encoding="utf-8").splitlines()
    return [(label, value) for label, value in (line.split(": ", 1) for line in lines)]


def test_layout_tag_files_and_manifests(tmp_path: Path) -> None:
    source = source_file(tmp_path / "in" / "sub", "My article.json")
    article = parsed(source, {"media/fig.png": PNG})
    opts = replace(options(source, tmp_path / "in"), bag=BagOptions(
        renditions=("json",), source_organization="Example Archive"))
    bag = tmp_path / "out" / "My article.bag"
    write_package(article, bag, opts)

    assert files_of(bag) == {
        "bagit.txt", "bag-info.txt", "manifest-sha512.txt", "manifest-sha256.txt",
        "tagmanifest-sha512.txt", "tagmanifest-sha256.txt", "metadata/premis.xml",
        "metadata/mets.xml",
        "data/article.json", "data/original/My article.json", "data/media/fig.png",
        "data/ro-crate-metadata.json"}
    assert (bag / "bagit.txt").read_bytes() == (
        b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    assert (bag / "data/original/My article.json").read_bytes() == source.read_bytes()
    assert (bag / "data/media/fig.png").read_bytes() == PNG

    info = bag_info(bag)
    assert [label for label, _ in info] == BAG_INFO_ORDER
    values = dict(info)
    payload = [p for p in (bag / "data").rglob("*") if p.is_file()]
    assert values["Payload-Oxum"] == f"{sum(p.stat().st_size for p in payload)}.{len(payload)}"
    assert values["Source-Organization"] == "Example Archive"
    assert values["Bagging-Date"] == "2023-11-14"
    assert values["External-Identifier"] == article.id
    assert values["External-Description"] == "A small article"
    assert values["Internal-Sender-Identifier"] == "sub/My article.json"
    assert values["Bag-Software-Agent"].startswith("article-converter ")
    assert values["BagIt-Profile-Identifier"] == PROFILE_IDENTIFIER
    assert re.fullmatch(r"[0-9.]+ (B|KB|MB)", values["Bag-Size"])

    for algorithm in ("sha512", "sha256"):
        lines = (bag / f"manifest-{algorithm}.txt").read_text(encoding="utf-8").splitlines()
        paths = [line.split("  ", 1)[1] for line in lines]
        assert paths == sorted(paths) == sorted(str(p.relative_to(bag)) for p in payload)
        for line in lines:
            digest, path = line.split("  ", 1)
            assert digest == hashlib.new(algorithm, (bag / path).read_bytes()).hexdigest()
        tag_lines = (bag / f"tagmanifest-{algorithm}.txt").read_text().splitlines()
        tag_paths = [line.split("  ", 1)[1] for line in tag_lines]
        assert tag_paths == sorted(tag_paths) == sorted(
            p for p in files_of(bag) if not p.startswith(("data/", "tagmanifest-")))
        for line in tag_lines:
            digest, path = line.split("  ", 1)
            assert digest == hashlib.new(algorithm, (bag / path).read_bytes()).hexdigest()

    report = verify_bag(bag)
    assert report.valid and report.warnings == [], report
    bagit_validate(bag)


def test_modes_and_times_are_fixed(tmp_path: Path) -> None:
    old = os.umask(0o077)  # a strict umask must not leak into the bag
    try:
        bag = build(source_file(tmp_path / "in"), tmp_path / "out")
    finally:
        os.umask(old)
    for path in [bag, *bag.rglob("*")]:
        st = path.lstat()
        assert oct(st.st_mode & 0o777) == ("0o755" if path.is_dir() else "0o644"), path
        assert int(st.st_mtime) == int(EPOCH), path


def test_checksum_choice(tmp_path: Path) -> None:
    bag = build(source_file(tmp_path / "in"), tmp_path / "out", checksums=("md5", "sha1", "md5"))
    names = sorted(p.name for p in bag.glob("*manifest-*.txt"))
    assert names == ["manifest-md5.txt", "manifest-sha1.txt", "tagmanifest-md5.txt",
                     "tagmanifest-sha1.txt"]
    assert verify_bag(bag).algorithms == ["md5", "sha1"]
    bagit_validate(bag)


@pytest.mark.parametrize("bad", [
    {"checksums": ("crc32",)}, {"checksums": ()}, {"serialization": "rar"},
    {"profile": "nara"}, {"bagging_date": "5 April 2013"}, {"profile": "aptrust",
                                                            "serialization": "zip"}])
def test_bad_options_are_usage_errors(tmp_path: Path, bad: dict[str, object]) -> None:
    source = source_file(tmp_path / "in")
    with pytest.raises(UsageError):
        build(source, tmp_path / "out", **bad)
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_hostile_names_round_trip(tmp_path: Path) -> None:
    """Spaces, CR and LF (percent-encoded), non-ASCII names (NFD in, NFC in the bag)."""
    name = unicodedata.normalize("NFD", "Re\u0301sume\u0301 of\nthe\rinterview.json")
    source = source_file(tmp_path / "in", name, title="Line\nbreaks\tand\x0bcontrol")
    media = {"media/fig \u00fc 1.png": PNG, "media/deep/\u4e2d\u6587.png": PNG + b"2"}
    bag = build(source, tmp_path / "out", resources=media)
    stored = unicodedata.normalize("NFC", name)
    assert (bag / "data" / "original" / stored).read_bytes() == source.read_bytes()
    manifest = (bag / "manifest-sha256.txt").read_text(encoding="utf-8")
    encoded = stored.replace("\n", "%0A").replace("\r", "%0D")
    assert f"  data/original/{encoded}\n" in manifest
    assert "  data/media/fig \u00fc 1.png\n" in manifest
    assert dict(line.split(": ", 1) for line in (bag / "bag-info.txt").read_text(
        encoding="utf-8").splitlines())["External-Description"] == "Line breaks and control"
    assert verify_bag(bag).valid
    bagit_validate(bag)


def test_unicode_line_separators_stay_in_their_line(tmp_path: Path) -> None:
    """U+2028 and U+0085 are legal in file names; only CR and LF end a manifest line.
    (bagit-python 1.9 splits lines on them too, so it cannot read such bags.)"""
    source = source_file(tmp_path / "in", "a\u2028b\x85c\x0cd.json")
    bag = build(source, tmp_path / "out", bagit_python=False)
    manifest = (bag / "manifest-sha256.txt").read_text(encoding="utf-8")
    assert manifest.count("\n") == 3  # the json rendition, the original, the RO-Crate
    assert "  data/original/a\u2028b\x85c\x0cd.json\n" in manifest
    report = verify_bag(bag)
    assert report.valid and not report.warnings, report


def test_percent_in_names_is_encoded(tmp_path: Path) -> None:
    """RFC 8493 encodes '%' as %25. (bagit-python 1.9 decodes only %0A and %0D, so it cannot
    read such names; our verifier decodes all three.)"""
    source = source_file(tmp_path / "in", "100% pure %0A.json")
    bag = build(source, tmp_path / "out", bagit_python=False)
    assert "  data/original/100%25 pure %250A.json\n" in (bag / "manifest-sha512.txt").read_text()
    assert (bag / "data/original/100% pure %0A.json").is_file()
    report = verify_bag(bag)
    assert report.valid and not report.warnings


def test_names_colliding_after_normalization_are_refused(tmp_path: Path) -> None:
    source = source_file(tmp_path / "in")
    media = {"media/e\u0301.png": PNG, "media/\u00e9.png": PNG}
    with pytest.raises(PackageError, match="Unicode normalization"):
        build(source, tmp_path / "out", resources=media)
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("key", ["../escape.png", "/etc/passwd", "media/../../x.png",
                                 "media//x.png", "media/./x.png", "", "media/\x00.png",
                                 "original/article.json", "article.json", "media/a", ])
def test_unsafe_or_clashing_media_paths_are_refused(tmp_path: Path, key: str) -> None:
    source = source_file(tmp_path / "in")
    media = {key: PNG}
    if key == "media/a":
        media["media/a/b.png"] = PNG  # a file and a folder of the same name
    if key == "original/article.json":
        pass  # collides with the original's own place
    with pytest.raises(PackageError):
        build(source, tmp_path / "out", resources=media)
    assert list((tmp_path / "out").iterdir()) == []
    assert not (tmp_path / "escape.png").exists()


def test_unknown_and_missing_writers(tmp_path: Path) -> None:
    source = source_file(tmp_path / "in")
    with pytest.raises(UnknownFormatError):
        build(source, tmp_path / "out", renditions=("json", "no-such-format"))
    registry = Registry.default(plugins=False)
    registry.formats.append(_w("ghost", "converter.writers.ghost_not_written:GhostWriter",
                               "a writer whose module does not exist", (), ".ghost"))
    with pytest.raises(PackageError, match=r"'ghost' rendition.*not available"):
        write_package(parsed(source), tmp_path / "out" / "g.bag",
                  options(source, renditions=("json", "ghost")), registry)
    with pytest.raises(PackageError, match="not a single file"):
        build(source, tmp_path / "out", renditions=("bag",))
    assert not any((tmp_path / "out").glob("*"))


class _NoisyWriter:
    name = "noisy"
    extension = ".txt"
    version = "9.9"

    def write(self, article: Article, options: WriteOptions) -> Rendition:
        return Rendition(b"plain text\n", (Diagnostic(
            "warning", "noisy-drop", "could not render a table", place="body[0]"),))


def test_rendition_from_a_plugin_writer(tmp_path: Path) -> None:
    """Renditions come from the registry like any caller's, with the writer's diagnostics."""
    registry = Registry.default(plugins=False)
    registry.formats.append(_w("noisy", "test_bagit_build:_NoisyWriter", "noisy", (), ".txt"))
    source = source_file(tmp_path / "in")
    article = parsed(source)
    bag = tmp_path / "out" / "n.bag"
    write_package(article, bag, options(source, renditions=("json", "noisy")), registry)
    assert (bag / "data/article.txt").read_bytes() == b"plain text\n"
    premis = (bag / "metadata/premis.xml").read_text(encoding="utf-8")
    assert "warning [noisy-drop] at body[0]: could not render a table" in premis
    assert "success with warnings" in premis
    assert verify_bag(bag).valid


def test_interrupted_build_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    source = source_file(tmp_path / "in")
    out = tmp_path / "out"
    good = build(source, out)  # an earlier bag that must survive a failed rebuild
    before = {p: p.read_bytes() for p in good.rglob("*") if p.is_file()}

    def interrupted(*args: object, **kwargs: object) -> bytes:
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "premis_tree", interrupted)
    for serialization in ("dir", "tar", "tgz", "zip"):
        name = "article.bag" if serialization == "dir" else f"other.bag.{serialization}"
        with pytest.raises(KeyboardInterrupt):
            build(source, out, name, serialization=serialization)
    assert sorted(p.name for p in out.iterdir()) == ["article.bag"]
    assert {p: p.read_bytes() for p in good.rglob("*") if p.is_file()} == before


def test_inputs_are_left_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    source = source_file(folder)
    source.chmod(0o444)
    folder.chmod(0o555)
    try:
        before = (source.read_bytes(), source.stat(), sorted(folder.iterdir()))
        for serialization in ("dir", "tgz"):
            build(source, tmp_path / "out", f"a.{serialization}", serialization=serialization)
        after = (source.read_bytes(), source.stat(), sorted(folder.iterdir()))
    finally:
        folder.chmod(0o755)
    assert before[0] == after[0] and before[2] == after[2]
    assert (before[1].st_mode, before[1].st_mtime_ns) == (after[1].st_mode, after[1].st_mtime_ns)


def test_symlinked_input_is_not_followed(tmp_path: Path) -> None:
    real = source_file(tmp_path / "in")
    link = tmp_path / "in" / "link.json"
    link.symlink_to(real)
    article = parsed(real)
    with pytest.raises(PackageError, match="symbolic link"):
        write_package(article, tmp_path / "out" / "l.bag", options(link))
    assert list((tmp_path / "out").iterdir()) == []


def test_input_changed_since_parsing_is_refused(tmp_path: Path) -> None:
    source = source_file(tmp_path / "in")
    article = parsed(source)
    source.write_bytes(source.read_bytes().replace(b"Hello", b"Jello"))
    with pytest.raises(PackageError, match="changed since it was read"):
        write_package(article, tmp_path / "out" / "c.bag", options(source))


def test_bag_without_an_original(tmp_path: Path) -> None:
    article = parsed(source_file(tmp_path / "in"))
    bag = tmp_path / "out" / "x.bag"
    write_package(article, bag, options(None))
    assert not (bag / "data" / "original").exists()
    assert "Internal-Sender-Identifier" not in dict(bag_info(bag))
    assert any(d.code == "bag-no-original" for d in article.provenance.diagnostics)  # type: ignore[union-attr]
    assert verify_bag(bag).valid
    bagit_validate(bag)


def test_pipeline_names_serialized_bags(tmp_path: Path) -> None:
    source = source_file(tmp_path / "in", "story.json")
    out = tmp_path / "out"
    for serialization, name in (("dir", "story.bag"), ("tar", "story.bag.tar"),
                                ("tgz", "story.bag.tgz"), ("zip", "story.bag.zip")):
        opts = WriteOptions(bag=BagOptions(serialization=serialization, renditions=("json",)))
        result = convert(source, out, ["bag"], write_options=opts)
        (record,) = result.outputs
        assert record.path == out / name
        assert verify_bag(record.path).valid
        bagit_validate_any(record.path)
        with pytest.raises(OutputExistsError):
            convert(source, out, ["bag"], write_options=opts)
        convert(source, out, ["bag"], write_options=opts, force=True)
    assert sorted(p.name for p in out.iterdir()) == [
        "story.bag", "story.bag.tar", "story.bag.tgz", "story.bag.zip"]


def test_rebuild_is_identical_and_replaces(tmp_path: Path) -> None:
    source = source_file(tmp_path / "in")
    first = build(source, tmp_path / "out", serialization="tgz", name="a.bag.tgz").read_bytes()
    second = build(source, tmp_path / "out", serialization="tgz", name="a.bag.tgz").read_bytes()
    assert first == second


@pytest.mark.parametrize(("octets", "text"), [(0, "0 B"), (999, "999 B"), (1000, "1.0 KB"),
                                              (1_234_567, "1.2 MB"), (260 * 10**9, "260.0 GB")])
def test_bag_size_is_human_readable(octets: int, text: str) -> None:
    assert human_size(octets) == text


class _CountingStream(io.BytesIO):
    """Records the size of every buffer the hasher reads into."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads: list[int] = []

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        self.reads.append(len(buffer))
        return super().readinto(buffer)


def test_payload_is_read_once_in_blocks_for_all_algorithms() -> None:
    data = os.urandom(3 * BLOCK_SIZE + 123)
    stream, copy = _CountingStream(data), io.BytesIO()
    sums, size = digest_stream(stream, ("md5", "sha256", "sha512"), copy_to=copy)
    assert size == len(data) and copy.getvalue() == data
    assert sums == {a: hashlib.new(a, data).hexdigest() for a in ("md5", "sha256", "sha512")}
    assert stream.reads == [BLOCK_SIZE] * 5  # 4 blocks, then the empty read at the end


def test_input_name_that_is_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    model = source_file(tmp_path / "model")
    raw = os.fsencode(folder) + b"/caf\xe9.json"
    with open(raw, "wb") as handle:
        handle.write(model.read_bytes())
    source = Path(os.fsdecode(raw))
    article = parsed(model)  # same bytes; a clean name for the JSON rendition's provenance
    bag = tmp_path / "out" / "x.bag"
    write_package(article, bag, options(source))
    assert (bag / "data/original/caf\ufffd.json").read_bytes() == model.read_bytes()
    assert any(d.code == "bag-original-name" for d in article.provenance.diagnostics)  # type: ignore[union-attr]
    assert verify_bag(bag).valid
    bagit_validate(bag)


def test_media_name_with_a_lone_surrogate_is_refused(tmp_path: Path) -> None:
    source = source_file(tmp_path / "in")
    # the renditions refuse it first (they are made before the bag), else the bag would
    with pytest.raises((PackageError, WriterError), match=r"(?i)utf-8"):
        build(source, tmp_path / "out", resources={"media/\ud800.png": PNG})
    assert not any((tmp_path / "out").glob("*"))
