"""The Archivematica standard transfer of a batch (``--to transfer``): compared with the real
transfers of artefactual/archivematica-sampledata (../shared/corpus/archivematica), its checksums
recomputed, its metadata.csv read back with the csv module and used as a catalog."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from batch_support import load_report, write_json_inputs
from test_batch import batch

from converter.errors import PackageError, UsageError
from converter.model import Article, block_text
from converter.model.metadata import rights_text, subject_terms
from converter.model.vocabulary import identifier_text
from converter.packaging.transfer import (
    TransferFile,
    checksum_lines,
    metadata_csv,
    transfer_row,
    write_transfer,
)

EPOCH = "1365120000"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture
def inputs(tmp_path: Path, shared: Path, corpus: Path) -> Path:
    """A small batch: both seeds, a JATS article under a non-ASCII name in a folder, and a
    canonical JSON article with a space in its name."""
    src = tmp_path / "in"
    (src / "jats").mkdir(parents=True)
    for seed in ("000_9e481615abfa1823.txt", "001_9b75ff939e830440.txt"):
        shutil.copy2(shared / "seeds" / seed, src / seed)
    shutil.copy2(corpus / "jats" / "elife00240.xml", src / "jats" / "Résumé 240.xml")
    write_json_inputs(src, ["one article.json"])
    os.utime(src / "one article.json", (1_000_000_000, 1_000_000_000))
    return src


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    return table[0], table[1:]


def grouped(header: list[str], row: list[str]) -> dict[str, list[str]]:
    """A row's cells by column, repeated columns gathered in order, empty cells dropped."""
    cells: dict[str, list[str]] = defaultdict(list)
    for column, cell in zip(header, row, strict=True):
        if cell:
            cells[column].append(cell)
    return dict(cells)


def articles_of(out: Path, relatives: list[str]) -> dict[str, Article]:
    """The articles the batch read, from their canonical JSON beside the transfer."""
    return {relative: Article.from_dict(json.loads(
        (out / Path(relative).with_suffix(".json")).read_text(encoding="utf-8")))
        for relative in relatives}


RELATIVES = ["000_9e481615abfa1823.txt", "001_9b75ff939e830440.txt", "jats/Résumé 240.xml",
             "one article.json"]


def test_transfer_is_shaped_like_archivematicas_own(inputs: Path, tmp_path: Path,
                                                    corpus: Path) -> None:
    out = tmp_path / "batch-2013"
    result = batch([inputs], out, formats=("json", "transfer"))
    assert result.exit_code == 0, result.to_json()
    transfer = out / "transfer" / "batch-2013"  # named after the output folder
    real = corpus / "archivematica" / "transfers" / "DemoTransferCSV"

    # the same two folders, the same metadata file names
    assert sorted(p.name for p in transfer.iterdir()) == ["metadata", "objects"]
    assert {"objects", "metadata"} <= {p.name for p in real.iterdir()}
    ours = sorted(p.name for p in (transfer / "metadata").iterdir())
    assert ours == ["checksum.sha256", "metadata.csv"]
    assert set(ours) <= {p.name for p in (real / "metadata").iterdir()}

    # metadata.csv: the same header style (filename, then dc.* columns, repeats side by side)
    for path in (transfer / "metadata" / "metadata.csv", real / "metadata" / "metadata.csv"):
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
        header, rows = read_table(path)
        assert header[0] == "filename"
        assert all(re.fullmatch(r"dc\.[a-z]+", c) for c in header[1:] if c != "dcterms.license")
        repeated = [c for c in dict.fromkeys(header) if header.count(c) > 1]
        for column in repeated:  # a repeated column's copies stand together
            first = header.index(column)
            assert header[first:first + header.count(column)] == [column] * header.count(column)
        assert all(row[0].startswith("objects/") and len(row) == len(header) for row in rows)
    header, rows = read_table(transfer / "metadata" / "metadata.csv")
    assert [row[0] for row in rows] == [f"objects/{r}" for r in sorted(RELATIVES)]

    # checksum.sha256: sha256sum lines, paths relative to objects/, as in the real transfer
    line = re.compile(r"[0-9a-f]{64}  [^/].*")
    for path in (transfer / "metadata" / "checksum.sha256", real / "metadata" / "checksum.sha256"):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines and all(line.fullmatch(text) for text in lines)
    real_lines = (real / "metadata" / "checksum.sha256").read_text(encoding="utf-8").splitlines()
    present = [text.split("  ", 1)[1] for text in real_lines
               if (real / "objects" / text.split("  ", 1)[1]).is_file()]
    assert present  # (the sample's large files are not in the corpus; see its SOURCES.txt)

    # the originals, byte for byte, under their input paths, with their modification times
    for relative in RELATIVES:
        copied = transfer / "objects" / relative
        assert copied.read_bytes() == (inputs / relative).read_bytes()
        assert copied.stat().st_mtime_ns == (inputs / relative).stat().st_mtime_ns
    report = load_report(out / "report.json")
    assert report["transfer"]["status"] == "ok"
    assert report["transfer"]["outputs"][0]["path"] == "transfer/batch-2013"


def test_checksums_verify_with_hashlib(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    batch([inputs], out, formats=("json", "markdown", "transfer"), transfer_renditions=True)
    transfer = out / "transfer" / "out"
    objects = transfer / "objects"
    lines = (transfer / "metadata" / "checksum.sha256").read_text(encoding="utf-8").splitlines()
    listed = {}
    for text in lines:
        digest, name = text.split("  ", 1)
        listed[name] = digest
        assert hashlib.sha256((objects / name).read_bytes()).hexdigest() == digest, name
    on_disk = {p.relative_to(objects).as_posix() for p in objects.rglob("*") if p.is_file()}
    assert set(listed) == on_disk
    assert list(listed) == sorted(listed)
    assert {f"renditions/{Path(r).with_suffix(s).as_posix()}" for r in RELATIVES
            for s in (".json", ".md")} <= on_disk


def test_metadata_csv_reads_back_to_the_articles_fields(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    batch([inputs], out, formats=("json", "transfer"))
    header, rows = read_table(out / "transfer" / "out" / "metadata" / "metadata.csv")
    articles = articles_of(out, RELATIVES)
    assert len(rows) == len(articles)
    for row in rows:
        cells = grouped(header, row)
        article = articles[row[0][len("objects/"):]]
        assert cells.pop("filename") == [row[0]]
        rights = article.rights
        expected = {
            "dc.title": [article.title],
            "dc.creator": [c.name for c in article.contributors if c.kind == "author"],
            "dc.subject": subject_terms(article),
            "dc.description": [block_text(article.abstract)],
            "dc.date": [article.dates.get("published", "")],
            "dc.identifier": [identifier_text(i) for i in article.identifiers],
            "dc.language": [article.language or ""],
            "dc.rights": [rights_text(article) or ""],
            "dcterms.license": [rights.license_url] if rights and rights.license_url else [],
        }
        assert cells == {k: [v for v in vs if v] for k, vs in expected.items() if any(vs)}
    jats = grouped(header, next(r for r in rows if r[0].endswith(".xml")))
    assert jats["dc.identifier"] == ["publisher-id:00240", "doi:10.7554/eLife.00240"]
    assert jats["dcterms.license"] == ["http://creativecommons.org/licenses/by/3.0/"]
    assert len(jats["dc.subject"]) > 1 and header.count("dc.subject") >= len(jats["dc.subject"])


def test_metadata_csv_as_a_catalog_gives_the_same_fields(inputs: Path, tmp_path: Path) -> None:
    """The converter's own catalog reader (--metadata) reads the transfer's columns back."""
    out, again = tmp_path / "out", tmp_path / "again"
    batch([inputs], out, formats=("json", "transfer"))
    catalog = tmp_path / "metadata.csv"
    shutil.copy(out / "transfer" / "out" / "metadata" / "metadata.csv", catalog)
    result = batch([inputs], again, formats=("json",), catalog=catalog)
    assert result.exit_code == 0 and result.warnings == []
    first, second = articles_of(out, RELATIVES), articles_of(again, RELATIVES)
    for relative in RELATIVES:
        assert transfer_row(second[relative]) == transfer_row(first[relative]), relative


def test_catalog_row_alone_makes_the_article(tmp_path: Path) -> None:
    """A bare input plus its metadata.csv row gives the fields of the article the row came from."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "bare.txt").write_text("Just some text.\n", encoding="utf-8")
    article = Article.from_dict(json.loads(Path(__file__).with_name(
        "golden").joinpath("feature.json").read_text(encoding="utf-8")))
    catalog = tmp_path / "metadata.csv"
    catalog.write_bytes(metadata_csv([("bare.txt", transfer_row(article))]))
    out = tmp_path / "out"
    assert batch([src], out, catalog=catalog).exit_code == 0
    (made,) = articles_of(out, ["bare.txt"]).values()
    assert transfer_row(made) == transfer_row(article)


def test_renditions_and_media_when_asked(tmp_path: Path, corpus: Path) -> None:
    src = tmp_path / "in"
    (src / "odt").mkdir(parents=True)
    shutil.copy2(corpus / "pandoc-tests" / "imageWithCaption.odt", src / "odt")
    write_json_inputs(src, ["a.json"])
    out = tmp_path / "out"
    result = batch([src], out, formats=("json", "markdown", "bag", "transfer"),
                   transfer_renditions=True, transfer_name="with-renditions")
    assert result.exit_code == 0
    objects = out / "transfer" / "with-renditions" / "objects"
    names = sorted(p.relative_to(objects).as_posix() for p in objects.rglob("*") if p.is_file())
    media = [n for n in names if "/media/" in n]
    assert len(media) == 1 and media[0].startswith("renditions/odt/media/")
    assert (objects / media[0]).read_bytes() == next((out / "odt" / "media").iterdir()).read_bytes()
    assert [n for n in names if not n.startswith("renditions/")] == ["a.json",
                                                                     "odt/imageWithCaption.odt"]
    assert not any(".bag" in n for n in names)  # packages are not renditions
    markdown = (objects / "renditions" / "odt" / "imageWithCaption.md").read_text("utf-8")
    assert Path(media[0]).name in markdown  # its link resolves inside the transfer
    _, rows = read_table(objects.parent / "metadata" / "metadata.csv")
    assert [row[0] for row in rows] == ["objects/a.json", "objects/odt/imageWithCaption.odt"]


def test_transfer_alone_and_a_failed_input(tmp_path: Path) -> None:
    """``--to transfer`` alone reads every input; one that fails is left out with a warning."""
    src = tmp_path / "in"
    write_json_inputs(src, ["a.json", "b.json"])
    (src / "broken.json").write_text("{", encoding="utf-8")
    out = tmp_path / "out"
    result = batch([src], out, formats=("transfer",), jobs=1)
    assert result.exit_code == 1  # broken.json failed
    assert result.transfer is not None and result.transfer.status == "ok"
    assert [d.code for d in result.transfer.diagnostics] == ["transfer-incomplete"]
    assert "broken.json" in result.transfer.diagnostics[0].message
    objects = out / "transfer" / "out" / "objects"
    assert sorted(p.name for p in objects.iterdir()) == ["a.json", "b.json"]
    assert not (out / "a.json").exists()  # no per-article outputs were asked for


def test_rerun_replaces_its_own_transfer_only(tmp_path: Path) -> None:
    src = tmp_path / "in"
    write_json_inputs(src, ["a.json"])
    out = tmp_path / "out"
    options = {"formats": ("json", "transfer"), "transfer_name": "t"}
    batch([src], out, **options)
    csv_path = out / "transfer" / "t" / "metadata" / "metadata.csv"
    first = csv_path.read_bytes()
    again = batch([src], out, **options)  # unchanged inputs: skipped, still in the transfer
    assert [r.status for r in again.inputs] == ["skipped"]
    assert again.transfer is not None and again.transfer.status == "ok"
    assert csv_path.read_bytes() == first
    csv_path.write_bytes(first + b"objects/x,edited by hand\n")
    refused = batch([src], out, **options)
    assert refused.exit_code == 1 and refused.transfer is not None
    assert "exists and was not written" in refused.transfer.errors[0]
    assert csv_path.read_bytes().endswith(b"edited by hand\n")
    assert batch([src], out, force=True, **options).exit_code == 0
    assert csv_path.read_bytes() == first


def test_a_catalog_inside_the_transfer_is_never_replaced(tmp_path: Path) -> None:
    """metadata.csv given back as --metadata from inside the transfer: even --force keeps it."""
    src = tmp_path / "in"
    write_json_inputs(src, ["a.json"])
    out = tmp_path / "out"
    batch([src], out, formats=("transfer",))
    catalog = out / "transfer" / "out" / "metadata" / "metadata.csv"
    before = catalog.read_bytes()
    result = batch([src], out, formats=("transfer",), catalog=catalog, force=True)
    assert result.transfer is not None and result.transfer.status == "failed"
    assert "never replaced" in result.transfer.errors[0]
    assert catalog.read_bytes() == before


@pytest.mark.parametrize("name", ["", ".hidden", "a/b", "..", "x" * 300])
def test_transfer_names_are_folder_names(tmp_path: Path, name: str) -> None:
    write_json_inputs(tmp_path / "in", ["a.json"])
    with pytest.raises(UsageError, match="--transfer-name"):
        batch([tmp_path / "in"], tmp_path / "out", formats=("transfer",), transfer_name=name)


def test_transfer_options_need_the_transfer(tmp_path: Path) -> None:
    write_json_inputs(tmp_path / "in", ["a.json"])
    with pytest.raises(UsageError, match="--to transfer"):
        batch([tmp_path / "in"], tmp_path / "out", transfer_renditions=True)


def test_outputs_inside_the_transfer_folder_are_refused(tmp_path: Path) -> None:
    src = tmp_path / "in"
    write_json_inputs(src, ["transfer/t/a.json"])
    out = tmp_path / "out"
    result = batch([src], out, formats=("json", "transfer"), transfer_name="t")
    assert result.transfer is not None and result.transfer.status == "failed"
    assert "inside the transfer folder" in result.transfer.errors[0]
    assert (out / "transfer" / "t" / "a.json").is_file()  # the input's output is kept


# --------------------------------------------------------------------------- the layout itself


def test_metadata_csv_repeats_columns_as_needed() -> None:
    one = (("dc.title", ("A",)), ("dc.creator", ("X", "Y", "Z")), ("dc.subject", ()))
    two = (("dc.title", ("B, with a comma",)), ("dc.creator", ()), ("dc.subject", ("s",)))
    text = metadata_csv([("b/2.txt", two), ("1.txt", one)]).decode("utf-8")
    assert text == ("filename,dc.title,dc.creator,dc.creator,dc.creator,dc.subject\n"
                    "objects/1.txt,A,X,Y,Z,\n"
                    'objects/b/2.txt,"B, with a comma",,,,s\n')
    assert list(csv.reader(io.StringIO(text)))[2][1] == "B, with a comma"
    header = metadata_csv([]).decode("utf-8").splitlines()
    assert header == ["filename,dc.title,dc.creator,dc.subject,dc.description,dc.date,"
                      "dc.identifier,dc.language,dc.rights,dcterms.license"]


def test_checksum_lines_escape_as_sha256sum_does() -> None:
    text = checksum_lines({"b.txt": "1" * 64, "a\\b\nc.txt": "2" * 64}).decode("utf-8")
    assert text == f"\\{'2' * 64}  a\\\\b\\nc.txt\n{'1' * 64}  b.txt\n"


def test_names_that_cannot_be_objects_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "x.txt"
    source.write_text("x", encoding="utf-8")
    for names in (["../x.txt"], ["a", "a/b"], ["e\u0301.txt", "\u00e9.txt"]):
        with pytest.raises(PackageError):
            write_transfer(tmp_path / "t", [TransferFile(n, source) for n in names])
        assert not (tmp_path / "t").exists()
    with pytest.raises(PackageError, match="changed since"):
        write_transfer(tmp_path / "t", [TransferFile("x.txt", source, "0" * 64, ())])
    link = tmp_path / "link.txt"
    link.symlink_to(source)
    with pytest.raises(PackageError, match="symbolic link"):
        write_transfer(tmp_path / "t", [TransferFile("x.txt", link)])
    assert not (tmp_path / "t").exists()
