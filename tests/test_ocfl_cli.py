"""``converter convert --to ocfl`` and ``converter verify`` on OCFL roots and objects, through
the real command line: versions across runs, the batch's ledger and resume, parallel workers on
one object, exit codes and one-line messages. ocfl-py validates every root made here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS
from ocfl_util import content_files, inventory, object_dirs, ocfl_py_root, state

ADDRESS = "mailto:archive@example.org"


def run(*args: str | Path, epoch: int = 1700000000) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    return subprocess.run([sys.executable, "-m", "converter", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=300)


def ocfl_convert(source: Path, out: Path, root: Path, *extra: str | Path,
                 epoch: int = 1700000000) -> subprocess.CompletedProcess[str]:
    return run("convert", source, "-o", out, "--to", "ocfl", "--ocfl-root", root,
               "--ocfl-address", ADDRESS, "--meta", "id=urn:example:interview", "--quiet",
               *extra, epoch=epoch)


def receipt(out: Path, stem: str) -> dict[str, object]:
    return dict(json.loads((out / f"{stem}.ocfl.json").read_bytes()))


def assert_valid(root: Path, objects: int = 1) -> None:
    valid, count, errors = ocfl_py_root(root)
    assert valid and count == objects, errors
    result = run("verify", root)
    assert result.returncode == 0, result.stderr
    plural = "" if objects == 1 else "s"
    assert result.stdout.strip() == f"{root}: valid ({objects} OCFL object{plural})"


def test_convert_again_and_again(tmp_path: Path, seed_plain: Path) -> None:
    source = tmp_path / "in" / "interview.txt"
    source.parent.mkdir()
    shutil.copyfile(seed_plain, source)
    out, root = tmp_path / "out", tmp_path / "root"

    result = ocfl_convert(source, out, root, "--ocfl-user", "Archive Robot")
    assert result.returncode == 0, result.stderr
    assert receipt(out, "interview")["head"] == "v1"
    assert_valid(root)
    [obj] = object_dirs(root)
    assert inventory(obj)["versions"]["v1"]["user"] == {"name": "Archive Robot",
                                                        "address": ADDRESS}

    # the same command again: the batch sees nothing changed and skips the input
    result = ocfl_convert(source, out, root, "--ocfl-user", "Archive Robot")
    report = json.loads((out / "report.json").read_bytes())
    assert [i["status"] for i in report["inputs"]] == ["skipped"], result.stderr
    assert sorted(inventory(obj)["versions"]) == ["v1"]

    # v2: a changed input, later
    source.write_bytes(seed_plain.read_bytes() + b"\nA postscript.\n")
    result = ocfl_convert(source, out, root, "--ocfl-message", "added a postscript",
                          epoch=1700086400)
    assert result.returncode == 0, result.stderr
    assert receipt(out, "interview")["head"] == "v2"
    assert_valid(root)
    v2 = inventory(obj)["versions"]["v2"]
    assert (v2["message"], v2["created"]) == ("added a postscript", "2023-11-15T22:13:20Z")

    # v3: changed options (the renditions kept)
    result = ocfl_convert(source, out, root, "--bag-renditions", "json,jats", epoch=1700172800)
    assert result.returncode == 0, result.stderr
    assert receipt(out, "interview")["head"] == "v3"
    assert_valid(root)
    inv = inventory(obj)
    assert set(state(inv, "v3")) == {"original/interview.txt", "article.json", "article.xml",
                                     "metadata/premis.xml", "metadata/mets.xml",
                                    "ro-crate-metadata.json"}
    assert [p for p in content_files(obj) if p.startswith("v3/")] == [
        "v3/content/metadata/mets.xml", "v3/content/metadata/premis.xml",
        "v3/content/ro-crate-metadata.json"]

    # forced, later, nothing changed: the receipt says so and there is no v4
    result = ocfl_convert(source, out, root, "--bag-renditions", "json,jats", "--force",
                          epoch=1700259200)
    assert result.returncode == 0, result.stderr
    assert (receipt(out, "interview")["head"], receipt(out, "interview")["added"]) == ("v3",
                                                                                      False)
    assert sorted(inventory(obj)["versions"]) == ["v1", "v2", "v3"]
    assert_valid(root)

    # converter verify takes the object too
    result = run("verify", obj)
    assert (result.returncode, result.stdout.strip()) == (0, f"{obj}: valid")


def test_workers_converting_one_article_take_turns(tmp_path: Path, seed_plain: Path,
                                                   seed_scraped: Path) -> None:
    """Two inputs with the same id, two worker processes: both land, one version each."""
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(4):
        shutil.copyfile(seed_plain if n % 2 else seed_scraped, folder / f"copy{n}.txt")
    out, root = tmp_path / "out", tmp_path / "root"
    result = ocfl_convert(folder, out, root, "--jobs", "2", "--bag-renditions", "json")
    assert result.returncode == 0, result.stderr
    heads = {receipt(out, f"copy{n}")["head"] for n in range(4)}
    [obj] = object_dirs(root)
    versions = sorted(inventory(obj)["versions"])
    assert 2 <= len(versions) <= 4 and heads <= set(versions)
    assert_valid(root)


def test_ocfl_needs_a_root_and_refuses_foreign_folders(tmp_path: Path, seed_plain: Path) -> None:
    result = run("convert", seed_plain, "-o", tmp_path / "out", "--to", "ocfl")
    assert result.returncode == 2
    assert "--to ocfl needs --ocfl-root" in result.stderr
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "letter.txt").write_text("keep me")
    result = run("convert", seed_plain, "-o", tmp_path / "out", "--to", "ocfl", "--ocfl-root",
                 foreign)
    assert result.returncode == 1
    assert "neither empty nor an OCFL storage root" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in foreign.iterdir()) == ["letter.txt"]


def test_the_ocfl_root_inside_the_input_folder_is_not_an_input(tmp_path: Path,
                                                                seed_plain: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(seed_plain, folder / "one.txt")
    root = folder / "archive"
    for _ in range(2):
        result = run("convert", folder, "-o", tmp_path / "out", "--to", "ocfl",
                     "--ocfl-root", root, "--quiet", "--force")
        assert result.returncode == 0, result.stderr
        report = json.loads((tmp_path / "out" / "report.json").read_bytes())
        assert [i["input"] for i in report["inputs"]] == [str(folder / "one.txt")]


def test_verify_reports_ocfl_codes_one_line_each(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(CORPUS / "ocfl-fixtures" / "1.1" / "bad-objects" / "E058_no_sidecar", bad)
    warn = CORPUS / "ocfl-fixtures" / "1.1" / "warn-objects" / "W004_uses_sha256"
    result = run("verify", bad, warn)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{bad}: E058 inventory.json: ")
    assert f"{warn}: warning: W004 inventory.json: digestAlgorithm should be sha512, not " \
        "sha256" in lines
    assert result.stdout.strip() == f"{warn}: valid"


@pytest.mark.parametrize("bag_too", [False, True])
def test_verify_still_takes_bags(tmp_path: Path, seed_plain: Path, bag_too: bool) -> None:
    out, root = tmp_path / "out", tmp_path / "root"
    formats = "bag,ocfl" if bag_too else "bag"
    result = run("convert", seed_plain, "-o", out, "--to", formats, "--ocfl-root", root,
                 "--quiet")
    assert result.returncode == 0, result.stderr
    [bag] = out.glob("*.bag")
    paths = [bag, root] if bag_too else [bag]
    result = run("verify", *paths)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"{bag}: valid"


def test_an_input_without_a_stated_id_keeps_its_object_across_changes(tmp_path: Path,
                                                                     seed_plain: Path) -> None:
    """A corrected input is the same article: a new version of the same object (an id derived
    from the content would start a new object instead)."""
    source = tmp_path / "in" / "interview.txt"
    source.parent.mkdir()
    shutil.copyfile(seed_plain, source)
    out, root = tmp_path / "out", tmp_path / "root"
    args = ("convert", source, "-o", out, "--to", "ocfl", "--ocfl-root", root,
            "--ocfl-address", ADDRESS, "--quiet")
    assert run(*args).returncode == 0
    first = receipt(out, "interview")
    source.write_text(seed_plain.read_text(encoding="utf-8").replace("Serbia", "Serbia, ", 1),
                      encoding="utf-8")
    assert run(*args).returncode == 0
    second = receipt(out, "interview")
    assert second["ocfl_object"] == first["ocfl_object"]
    assert (first["head"], second["head"]) == ("v1", "v2")
    assert_valid(root)
