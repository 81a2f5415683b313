"""The ocfl writer through the library: objects, versions, content stored once, determinism,
the storage root and its layout, locks and interrupted writes. Every root a test makes is
validated by ocfl-py (the validator of record) and by our own verifier."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED
from feature_article import feature_article
from lxml import etree
from ocfl_util import (
    content_files,
    inventory,
    object_dirs,
    ocfl_py_object,
    ocfl_py_object_path,
    ocfl_py_root,
    state,
)

import converter
from converter.errors import PackageError, UsageError
from converter.formats.preservation import problems
from converter.options import BagOptions, OcflOptions, ReadOptions, WriteOptions
from converter.packaging.ocfl import object as ocfl_object
from converter.packaging.ocfl.layout import FLAT, HASHED, Layout, encapsulation
from converter.packaging.ocfl.root import StorageRoot
from converter.packaging.ocfl.verify import verify_ocfl
from converter.pipeline import write_package

SCHEMAS = SHARED / "preservation-schemas"
ADDRESS = "mailto:archive@example.org"
ID = "urn:example:article-1"
TEXT = "An Interview on Things\n\nThe first answer was short.\n\nThe second one too.\n"


def convert(source: Path, out: Path, root: Path, *, renditions: tuple[str, ...] = (
            "json", "markdown", "jats", "epub"), address: str | None = ADDRESS,
            message: str | None = None, ident: str | None = ID) -> dict[str, Any]:
    """One conversion into the root; returns the receipt."""
    result = converter.convert(
        source, out, ["ocfl"], ReadOptions(overrides={"id": ident} if ident else {}),
        WriteOptions(bag=BagOptions(renditions=renditions), ocfl=OcflOptions(
            root=root, user_address=address, message=message)), force=True)
    receipt = result.outputs[0]
    assert receipt.format == "ocfl" and receipt.path == out / f"{source.stem}.ocfl.json"
    return dict(json.loads(receipt.path.read_bytes()))


def check_root(root: Path, objects: int = 1, warnings: frozenset[str] = frozenset()) -> None:
    """ocfl-py and our verifier agree: valid, and no warning but the ``warnings`` expected."""
    valid, count, errors = ocfl_py_root(root)
    assert valid and count == objects, errors
    for path in object_dirs(root):
        ok, codes = ocfl_py_object(path)
        assert ok and {c[:4] for c in codes} <= warnings, codes
    report = verify_ocfl(root)
    assert report.valid, [str(p) for p in report.errors]
    assert {w.code for w in report.warnings} <= warnings, [str(p) for p in report.warnings]
    assert (report.objects, report.valid_objects) == (objects, objects)


@pytest.fixture()
def article(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "interview.txt"
    path.parent.mkdir()
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_versions_content_once_and_no_empty_versions(
        article: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, out = tmp_path / "root", tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = convert(article, out, root)
    assert (first["head"], first["added"], first["ocfl_object"]) == ("v1", True, ID)
    check_root(root)
    [obj] = object_dirs(root)
    assert obj.relative_to(root).as_posix() == first["object_path"]
    v1 = inventory(obj)
    assert set(state(v1, "v1")) == {"original/interview.txt", "article.json", "article.md",
                                    "article.xml", "article.epub", "metadata/premis.xml",
                                    "metadata/mets.xml", "ro-crate-metadata.json"}
    block = v1["versions"]["v1"]
    assert block["created"] == "2023-11-14T22:13:20Z"
    assert block["user"] == {"name": "article-converter", "address": ADDRESS}
    assert block["message"].startswith("converted from interview.txt by article-converter")
    assert (obj / "v1/content/original/interview.txt").read_bytes() == article.read_bytes()

    # v2: the input changed (same id)
    article.write_text(TEXT.replace("short", "long"), encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000100")
    second = convert(article, out, root, message="corrected a word")
    assert (second["head"], second["added"]) == ("v2", True)
    check_root(root)
    v2 = inventory(obj)
    assert v2["versions"]["v2"]["message"] == "corrected a word"
    assert v2["versions"]["v2"]["created"] == "2023-11-14T22:15:00Z"
    assert v2["versions"]["v1"] == v1["versions"]["v1"]  # history is never rewritten

    # v3: other options (fewer renditions), the same input: nothing new stored but the record
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000200")
    third = convert(article, out, root, renditions=("json", "markdown"))
    assert (third["head"], third["added"]) == ("v3", True)
    check_root(root)
    v3 = inventory(obj)
    assert set(state(v3, "v3")) == {"original/interview.txt", "article.json", "article.md",
                                    "metadata/premis.xml", "metadata/mets.xml",
                                    "ro-crate-metadata.json"}
    assert [p for p in content_files(obj) if p.startswith("v3/")] == [
        "v3/content/metadata/mets.xml", "v3/content/metadata/premis.xml",
        "v3/content/ro-crate-metadata.json"]
    for path in ("original/interview.txt", "article.json", "article.md"):
        assert state(v3, "v3")[path] == state(v2, "v2")[path]

    # unchanged: the same again, even at another time, adds no v4
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000300")
    fourth = convert(article, out, root, renditions=("json", "markdown"))
    assert (fourth["head"], fourth["added"]) == ("v3", False)
    assert "no version added" in fourth["note"]
    assert fourth["inventory_sha512"] == third["inventory_sha512"]
    assert not (obj / "v4").exists() and inventory(obj) == v3

    # content addressing: each digest stored once, every stored file listed once
    manifest = v3["manifest"]
    assert all(len(paths) == 1 for paths in manifest.values())
    assert sorted(p for paths in manifest.values() for p in paths) == content_files(obj)
    # the original of v1 is not stored again in v3 (unchanged since v2), nor v2's json
    assert "v3/content/original/interview.txt" not in content_files(obj)
    assert len(content_files(obj)) == 8 + 8 + 3  # every version: content and its records


def test_every_version_carries_valid_premis_and_mets(article: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = tmp_path / "root"
    convert(article, tmp_path / "out", root)
    article.write_text(TEXT + "\nA new paragraph.\n", encoding="utf-8")
    convert(article, tmp_path / "out", root)
    [obj] = object_dirs(root)
    for version in ("v1", "v2"):
        sha512 = state(inventory(obj), version)["original/interview.txt"]
        for name in ("premis.xml", "mets.xml"):
            record = etree.parse(str(obj / version / "content" / "metadata" / name))
            assert problems(record, SCHEMAS) == [], name
            text = etree.tostring(record, encoding="unicode")
            assert f"OCFL 1.1 object version {version} {ID}" in text
            assert sha512 in text  # the records' fixity is the inventory's digest
            assert "original/interview.txt" in text and "data/" not in text
            assert "re-read and its sha512 recomputed" in text  # the version's own check


def test_media_files_are_content_and_stored_once(tmp_path: Path) -> None:
    root = tmp_path / "root"
    options = WriteOptions(bag=BagOptions(renditions=("json",)),
                           ocfl=OcflOptions(root=root, user_address=ADDRESS))
    article = feature_article()
    article.id = ID
    noticed = write_package(article, tmp_path / "a.ocfl.json", options, writer_name="ocfl")
    assert {d.code for d in noticed} == {"bag-no-original"}  # no input file: said, not hidden
    article.title = "Another title"
    write_package(article, tmp_path / "a.ocfl.json", options, writer_name="ocfl")
    [obj] = object_dirs(root)
    inv = inventory(obj)
    assert state(inv, "v2")["media/figure.png"] == state(inv, "v1")["media/figure.png"]
    assert [p for p in content_files(obj) if "figure" in p] == ["v1/content/media/figure.png"]
    check_root(root)


def test_inventories_are_byte_identical_across_runs(article: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    trees = []
    for run in ("a", "b"):
        root = tmp_path / run / "root"
        convert(article, tmp_path / run / "out", root)
        [obj] = object_dirs(root)
        trees.append({p.relative_to(root).as_posix(): p.read_bytes()
                      for p in root.rglob("*") if p.is_file()})
        assert (obj / "inventory.json").read_bytes() == (obj / "v1" / "inventory.json").read_bytes()
    assert trees[0] == trees[1]
    assert any(name.endswith("inventory.json.sha512") for name in trees[0])


def test_a_new_root_declares_itself_and_its_layout(article: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    receipt = convert(article, tmp_path / "out", root)
    assert (root / "0=ocfl_1.1").read_bytes() == b"ocfl_1.1\n"
    layout = json.loads((root / "ocfl_layout.json").read_bytes())
    assert layout["extension"] == "0003-hash-and-id-n-tuple-storage-layout"
    config = root / "extensions" / layout["extension"] / "config.json"
    assert json.loads(config.read_bytes()) == {
        "extensionName": layout["extension"], "digestAlgorithm": "sha256", "tupleSize": 3,
        "numberOfTuples": 3}
    digest = hashlib.sha256(ID.encode()).hexdigest()
    expected = f"{digest[:3]}/{digest[3:6]}/{digest[6:9]}/urn%3aexample%3aarticle-1"
    assert receipt["object_path"] == expected
    assert ocfl_py_object_path(root, ID) == expected  # ocfl-py's own 0003 agrees
    assert receipt["storage_root"] == str(root)


@pytest.mark.parametrize(("object_id", "folder"), [  # the 0003 extension's own examples
    ("object-01", "3c0/ff4/240/object-01"),
    ("..hor/rib:le-$id", "487/326/d8c/%2e%2ehor%2frib%3ale-%24id"),
])
def test_layout_0003_examples(object_id: str, folder: str) -> None:
    assert Layout().path_for(object_id) == folder


def test_layout_edge_cases() -> None:
    assert encapsulation("..Hor/rib:lè-$id", "") == "%2e%2eHor%2frib%3al%c3%a8-%24id"
    long_id = "abcdefghij" * 10 + "a"
    digest = hashlib.sha256(long_id.encode()).hexdigest()
    assert Layout().path_for(long_id).split("/")[-1] == f"{long_id[:100]}-{digest}"
    hashed = Layout(HASHED, "md5", 2, 15, True)  # the 0004 extension's example 2
    assert hashed.path_for("object-01") == "ff/75/53/44/92/48/5e/ab/b3/9f/86/35/67/28/88/4e"
    assert Layout(HASHED).path_for("object-01") == (
        "3c0/ff4/240/3c0ff4240c1e116dba14c7627f2319b58aa3d77606d0d90dfc6161608ac987d4")


def test_unsafe_ids_get_safe_folders(tmp_path: Path) -> None:
    root = tmp_path / "root"
    options = WriteOptions(bag=BagOptions(renditions=("json",)),
                           ocfl=OcflOptions(root=root, user_address=ADDRESS))
    for n, ident in enumerate(["../../etc/passwd", "urn:uuid:0f1e/x y\\z", "ünï:cødé 😀", "."]):
        article = feature_article()
        article.id = ident
        write_package(article, tmp_path / f"{n}.ocfl.json", options, writer_name="ocfl")
    assert {p.name for p in root.iterdir()} >= {"0=ocfl_1.1", "ocfl_layout.json"}
    for obj in object_dirs(root):
        assert root in obj.parents and set(obj.name) <= set(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_%")
    check_root(root, objects=4, warnings=frozenset({"W005"}))  # ids that are no URIs


def test_an_id_without_address_warns_w008_only(article: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    result = converter.convert(article, tmp_path / "out", ["ocfl"],
                               write_options=WriteOptions(ocfl=OcflOptions(root=root)))
    assert "ocfl-no-address" in {d.code for d in result.diagnostics}
    [obj] = object_dirs(root)
    assert inventory(obj)["versions"]["v1"]["user"] == {"name": "article-converter"}
    assert ocfl_py_object(obj) == (True, {"W008"})
    report = verify_ocfl(root)
    assert report.valid and {w.code for w in report.warnings} == {"W008"}
    # without a stable id, the object is named by the article's content id
    assert inventory(obj)["id"].startswith("urn:uuid:")


def test_refusals(article: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--ocfl-root"):
        converter.convert(article, tmp_path / "out", ["ocfl"])
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(PackageError, match="neither empty nor an OCFL storage root"):
        convert(article, tmp_path / "out", foreign)
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]
    as_file = tmp_path / "file"
    as_file.write_text("x")
    with pytest.raises(PackageError, match="not a folder"):
        convert(article, tmp_path / "out", as_file)
    root = tmp_path / "root"
    convert(article, tmp_path / "out", root)
    [obj] = object_dirs(root)
    inv = inventory(obj)  # an object at the id's path that claims another id
    inv["id"] = "urn:example:someone-else"
    raw = (json.dumps(inv, indent=2, sort_keys=True) + "\n").encode()
    for folder in (obj, obj / "v1"):
        (folder / "inventory.json").write_bytes(raw)
        (folder / "inventory.json.sha512").write_text(
            f"{hashlib.sha512(raw).hexdigest()} inventory.json\n")
    with pytest.raises(PackageError, match="someone-else"):
        convert(article, tmp_path / "out", root)
    (obj / "inventory.json").write_bytes(b"{}")  # damage is said, never built upon
    with pytest.raises(PackageError, match="damaged"):
        convert(article, tmp_path / "out", root)


def test_writers_of_one_object_take_turns(article: Path, tmp_path: Path) -> None:
    """Threads writing the same id (as batch workers may): every write lands whole, versions
    follow each other, and the object stays valid."""
    root = tmp_path / "root"
    options = WriteOptions(bag=BagOptions(renditions=("json", "markdown")),
                           ocfl=OcflOptions(root=root, user_address=ADDRESS))
    errors: list[BaseException] = []
    receipts: list[dict[str, Any]] = []

    def work(n: int) -> None:
        try:
            art = converter.parse(article, ReadOptions(overrides={"id": ID}))
            art.title = f"Title {n % 3}"  # three different contents among eight writers
            target = tmp_path / f"r{n}.ocfl.json"
            write_package(art, target, replace(options, source_path=article), writer_name="ocfl")
            receipts.append(json.loads(target.read_bytes()))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    added = sorted(r["head"] for r in receipts if r["added"])
    [obj] = object_dirs(root)
    heads = sorted(inventory(obj)["versions"], key=lambda v: int(v[1:]))
    assert added == sorted(heads) and 3 <= len(heads) <= 8
    assert not [p for p in root.rglob("*") if p.name.endswith(".converter-part")]
    check_root(root)


@pytest.mark.parametrize("stop_at", ["inventory.json", "inventory.json.sha512"])
def test_an_interrupted_commit_is_finished_by_the_next_writer(
        article: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop_at: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the same EPUB bytes every time
    root, out = tmp_path / "root", tmp_path / "out"
    convert(article, out, root)
    [obj] = object_dirs(root)
    article.write_text(TEXT + "\nMore.\n", encoding="utf-8")
    real_replace = os.replace

    def crash(src: Any, dst: Any) -> None:
        if Path(dst) == obj / stop_at:
            raise OSError(5, "simulated crash")
        real_replace(src, dst)

    monkeypatch.setattr(ocfl_object.os, "replace", crash)
    with pytest.raises(PackageError, match="simulated crash"):
        convert(article, out, root)
    monkeypatch.setattr(ocfl_object.os, "replace", real_replace)
    assert (obj / "v2").is_dir()
    # v2 is there, but the root inventory does not know it (E046), or its sidecar is old (E060)
    assert inventory(obj)["head"] == ("v1" if stop_at == "inventory.json" else "v2")
    assert {"E046" if stop_at == "inventory.json" else "E060"} <= verify_ocfl(root).codes
    receipt = convert(article, out, root)  # the same content again: v2 is finished, not redone
    assert (receipt["head"], receipt["added"]) == ("v2", False)
    assert not (obj / "v3").exists()
    check_root(root)


def test_a_failed_first_version_leaves_no_trace(article: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "root"

    def crash(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ocfl_object.os, "rename", crash)
    with pytest.raises(PackageError, match="No space left"):
        convert(article, tmp_path / "out", root)
    assert sorted(p.name for p in root.iterdir()) == ["0=ocfl_1.1", "extensions",
                                                      "ocfl_layout.json"]
    report = verify_ocfl(root)
    assert report.valid and report.objects == 0
    monkeypatch.undo()
    convert(article, tmp_path / "out", root)
    check_root(root)


@pytest.mark.parametrize("layout", [Layout(FLAT), Layout(HASHED)])
def test_existing_roots_keep_their_layout(article: Path, tmp_path: Path, layout: Layout) -> None:
    root = tmp_path / "root"
    StorageRoot.open(root, layout)  # a root another tool made with its layout
    receipt = convert(article, tmp_path / "out", root, ident="article-1")
    assert receipt["object_path"] == layout.path_for("article-1")
    assert (root / layout.path_for("article-1") / "0=ocfl_object_1.1").is_file()
    report = verify_ocfl(root)  # E083: the object is where the root's layout says
    assert report.valid and report.objects == 1, [str(e) for e in report.errors]
    assert {w.code for w in report.warnings} == {"W005"}  # "article-1" is no URI
    if layout.name == FLAT:  # ocfl-py knows 0002, not 0004
        assert ocfl_py_object_path(root, "article-1") == "article-1"
        assert ocfl_py_root(root)[0]


def test_every_version_carries_an_ro_crate_that_roc_validator_passes(tmp_path: Path,
                                                                     seed_scraped: Path) -> None:
    """The crate sits at the version's logical root; materialized, roc-validator passes it."""
    from rocrate_support import fill_cache, validate_crate

    from converter import convert
    from converter.options import OcflOptions, WriteOptions

    root = tmp_path / "root"
    options = WriteOptions(ocfl=OcflOptions(root=root, user_address="mailto:a@example.org"))
    convert(seed_scraped, tmp_path / "out", ("json", "markdown", "ocfl"), write_options=options)
    (obj,) = object_dirs(root)
    inv = inventory(obj)
    head = state(inv, inv["head"])
    assert "ro-crate-metadata.json" in head
    crate = tmp_path / "crate"
    for logical, digest in head.items():
        target = crate / logical
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((obj / inv["manifest"][digest][0]).read_bytes())
    assert validate_crate(crate, fill_cache(tmp_path / "cache" / "http")) == []
