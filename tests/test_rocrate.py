"""RO-Crate 1.3 metadata in every bag (packaging/rocrate.py), checked by roc-validator offline.

roc-validator runs at its REQUIRED level with the JSON-LD context served from a cache filled from
the ``rocrate`` package (tests/rocrate_support.py); the ``rocrate`` library reads the crates too.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from feature_article import feature_article
from lxml import etree
from rocrate.rocrate import ROCrate
from rocrate_support import fill_cache, validate_crate
from test_bagit_support import EPOCH, PNG, parsed, source_file

from converter.errors import PackageError
from converter.model import Contributor, Rights
from converter.options import BagOptions, WriteOptions
from converter.packaging.contents import Contents, PackageFile
from converter.packaging.rocrate import (
    CRATE_FILE,
    NO_LICENCE,
    PRONOM,
    crate_document,
    crate_file,
    crate_json,
    file_id,
)
from converter.pipeline import convert, make_rendition, parse, write_package

CORPUS_JATS = "elife00240.xml"
NS = {"p": "http://www.loc.gov/premis/v3", "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
#: rdflib (under roc-validator) warns about its own ConjunctiveGraph
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture(scope="module")
def crate_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fill_cache(tmp_path_factory.mktemp("roc-validator") / "http_cache")


def graph(crate_root: Path) -> dict[str, dict[str, Any]]:
    document = json.loads((crate_root / CRATE_FILE).read_text(encoding="utf-8"))
    return {entity["@id"]: entity for entity in document["@graph"]}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def ids(value: Any) -> list[str]:
    return [item["@id"] for item in as_list(value)]


def manifest(bag: Path, algorithm: str = "sha256") -> dict[str, str]:
    lines = (bag / f"manifest-{algorithm}.txt").read_text(encoding="utf-8").splitlines()
    return {path: digest for digest, path in (line.split("  ", 1) for line in lines)}


def assert_describes_the_payload(bag: Path) -> dict[str, dict[str, Any]]:
    """The crate lists every other payload file with the manifest's SHA-256 and its size."""
    entities = graph(bag / "data")
    sums = manifest(bag)
    assert f"data/{CRATE_FILE}" in sums
    content = {path[len("data/"):] for path in sums} - {CRATE_FILE}
    parts = ids(entities["./"]["hasPart"])
    assert sorted(parts) == parts
    assert {unquote(part) for part in parts} == content
    for part in parts:
        entity, path = entities[part], "data/" + unquote(part)
        assert entity["@type"] == "File"
        assert entity["sha256"] == sums[path]
        assert entity["contentSize"] == str((bag / path).stat().st_size)
    return entities


@pytest.mark.slow
@pytest.mark.parametrize("seed", ["000_9e481615abfa1823.txt", "001_9b75ff939e830440.txt"])
def test_seed_bags_carry_a_valid_crate(seed: str, shared: Path, tmp_path: Path,
                                       crate_cache: Path) -> None:
    result = convert(shared / "seeds" / seed, tmp_path, ["bag"])
    bag = result.outputs[0].path
    entities = assert_describes_the_payload(bag)
    article = entities["#article"]
    assert article["@type"] == "ScholarlyArticle"
    assert result.article is not None and article["name"] == result.article.title
    assert validate_crate(bag / "data", crate_cache) == []


@pytest.mark.slow
def test_jats_corpus_bag_with_pronom_formats(corpus: Path, tmp_path: Path,
                                             crate_cache: Path) -> None:
    """A real JATS article: every file's PRONOM format in the crate is what Siegfried said in
    the bag's PREMIS record."""
    source = corpus / "jats" / CORPUS_JATS
    bag = tmp_path / "elife.bag"
    write_package(parse(source), bag, WriteOptions(
        source_path=source, source_relative=CORPUS_JATS,
        bag=BagOptions(renditions=("json", "jats", "markdown"))))

    entities = assert_describes_the_payload(bag)
    premis = etree.parse(str(bag / "metadata" / "premis.xml"))
    found = {}
    for obj in premis.xpath("//p:object[@xsi:type='premis:file']", namespaces=NS):
        path = obj.xpath("string(p:objectIdentifier/p:objectIdentifierValue)", namespaces=NS)
        found[path] = obj.xpath("string(.//p:formatRegistryKey)", namespaces=NS)
    assert found[f"data/original/{CORPUS_JATS}"] and found["data/article.json"]
    for path, puid in found.items():
        if path == f"data/{CRATE_FILE}":
            continue
        formats = as_list(entities[file_id(path[len("data/"):])]["encodingFormat"])
        assert formats[1:] == ([{"@id": PRONOM + puid}] if puid else []), path
        if puid:  # a PRONOM entity named as Siegfried names the format
            assert entities[PRONOM + puid]["@type"] == "WebPage"
            assert entities[PRONOM + puid]["name"] not in ("", f"PRONOM {puid}")
    scholarly = entities["#article"]
    assert scholarly["identifier"] == ["publisher-id:00240",
                                       "https://doi.org/10.7554/eLife.00240"]
    assert scholarly["license"] == {"@id": "http://creativecommons.org/licenses/by/3.0/"}
    assert scholarly["datePublished"] == "2012-10-15"
    assert validate_crate(bag / "data", crate_cache) == []


@pytest.mark.slow
def test_feature_article_crate(tmp_path: Path, crate_cache: Path) -> None:
    """Every described field, and file names that need percent-encoding as ids."""
    source = tmp_path / "in" / "Résumé of the interview #1.txt"
    source.parent.mkdir()
    source.write_text("the original bytes\n", encoding="utf-8")
    article = feature_article()
    article.resources["media/fig ü 1.png"] = PNG
    options = WriteOptions(source_path=source, bag=BagOptions(
        renditions=("json", "markdown"), source_organization="Example Archive"))
    bag = tmp_path / "feature.bag"
    write_package(article, bag, options)

    entities = assert_describes_the_payload(bag)
    original = "original/R%C3%A9sum%C3%A9%20of%20the%20interview%20%231.txt"
    assert entities[original]["name"] == "Résumé of the interview #1.txt"
    assert "media/fig%20%C3%BC%201.png" in entities
    root, scholarly = entities["./"], entities["#article"]
    assert root["mainEntity"] == {"@id": "#article"}
    assert root["license"] == scholarly["license"] == {
        "@id": "https://creativecommons.org/licenses/by/4.0/"}
    assert root["datePublished"] == "2023-11-14T22:13:20+00:00"  # the bag's clock
    assert entities[root["publisher"]["@id"]]["name"] == "Example Archive"
    assert scholarly["headline"] == article.title
    assert scholarly["alternativeHeadline"] == article.subtitle
    assert scholarly["datePublished"] == "2013-04-05"
    assert scholarly["inLanguage"] == "en"
    assert scholarly["keywords"] == ["Foreign Policy", "EU", "Europe"]
    assert scholarly["identifier"] == "https://doi.org/10.1234/example.5678"
    assert scholarly["copyrightYear"] == 2013
    author = entities[scholarly["author"]["@id"]]
    assert author["@id"] == "https://orcid.org/0000-0002-1825-0097"
    assert (author["givenName"], author["familyName"]) == ("Ana", "Ruiz")
    assert entities[author["affiliation"]["@id"]]["name"] == "Example Institute, Brussels"
    assert entities[scholarly["editor"]["@id"]]["name"] == "Editorial Board"
    assert ids(scholarly["encoding"]) == [original, "article.json", "article.md"]
    assert sorted(ids(scholarly["associatedMedia"])) == [
        "media/fig%20%C3%BC%201.png", "media/figure.png"]
    assert entities["article.md"]["isBasedOn"] == {"@id": original}
    assert validate_crate(bag / "data", crate_cache) == []


@pytest.mark.slow
def test_the_validator_is_no_rubber_stamp(tmp_path: Path, crate_cache: Path) -> None:
    """A crate without the root's licence and with a file it does not hold fails REQUIRED."""
    source = source_file(tmp_path / "in", "story.json")
    bag = tmp_path / "story.bag"
    write_package(parsed(source), bag, WriteOptions(source_path=source))
    path = bag / "data" / CRATE_FILE
    document = json.loads(path.read_text(encoding="utf-8"))
    del document["@graph"][1]["license"]
    path.write_bytes(crate_json(document))
    issues = validate_crate(bag / "data", crate_cache)
    assert any("license" in issue for issue in issues), issues


def test_crate_is_canonical_json_and_reproducible(tmp_path: Path) -> None:
    source = source_file(tmp_path / "in", "story.json")
    built = []
    for name in ("one", "two"):
        bag = tmp_path / name / "story.bag"
        write_package(parsed(source, {"media/fig.png": PNG}), bag,
                      WriteOptions(source_path=source))
        built.append((bag / "data" / CRATE_FILE).read_bytes())
    assert built[0] == built[1]
    document = json.loads(built[0])
    assert crate_json(document) == built[0]
    order = [entity["@id"] for entity in document["@graph"]]
    assert order[:2] == [CRATE_FILE, "./"] and order[2:] == sorted(order[2:])
    descriptor = document["@graph"][0]
    assert document["@context"] == "https://w3id.org/ro/crate/1.3/context"
    assert descriptor["conformsTo"] == {"@id": "https://w3id.org/ro/crate/1.3"}


def test_the_rocrate_library_reads_our_crate(tmp_path: Path) -> None:
    """A second implementation agrees on the root, the main entity and the files."""
    source = source_file(tmp_path / "in", "story.json")
    bag = tmp_path / "story.bag"
    write_package(parsed(source, {"media/fig.png": PNG}), bag, WriteOptions(
        source_path=source, bag=BagOptions(renditions=("json", "markdown"))))
    crate = ROCrate(bag / "data")
    assert crate.mainEntity is not None and crate.mainEntity.type == "ScholarlyArticle"
    assert crate.name == "A small article"
    files = sorted(entity.id for entity in crate.data_entities)
    assert files == ["article.json", "article.md", "media/fig.png", "original/story.json"]


def test_crate_for_an_ocfl_content_root(tmp_path: Path) -> None:
    """``crate_file`` with no prefix: what an OCFL object's content root would hold."""
    source = source_file(tmp_path / "in", "story.json")
    article = parse(source)
    options = WriteOptions(source_path=source)
    contents = Contents(article, options, {"json": make_rendition(article, "json", options)},
                        ("sha512",), lambda *_args: None)
    root = tmp_path / "content"
    root.mkdir()
    files = contents.plan()
    for item in files:
        contents.write(item, root)
    crate = crate_file(article, files, article_clock(), puids={
        "original/story.json": "fmt/817", "article.json": "not a puid"})
    contents.write(crate, root)
    assert (crate.path, crate.role, crate.size) == (CRATE_FILE, "metadata",
                                                     len(crate.data or b""))
    entities = graph(root)
    assert ids(entities["./"]["hasPart"]) == ["article.json", "original/story.json"]
    assert "sha256" not in entities["article.json"]  # only the digests the package made
    assert entities["original/story.json"]["encodingFormat"] == [
        "application/json", {"@id": PRONOM + "fmt/817"}]
    assert entities["article.json"]["encodingFormat"] == "application/json"


def article_clock() -> datetime:
    return datetime(2024, 1, 2, tzinfo=UTC)


def test_licence_falls_back_to_the_rights_statement_then_says_unknown(tmp_path: Path) -> None:
    article = feature_article()
    article.rights = Rights(statement="All rights reserved")
    document = crate_document(article, [], article_clock())
    entities = {entity["@id"]: entity for entity in document["@graph"]}
    assert entities["./"]["license"] == entities["#article"]["license"] == "All rights reserved"
    article.rights = None
    article.contributors = [Contributor("Someone", orcid="https://orcid.org/0000-0001-2345-678X")]
    document = crate_document(article, [], article_clock())
    entities = {entity["@id"]: entity for entity in document["@graph"]}
    assert entities["./"]["license"] == NO_LICENCE
    assert entities["#article"]["author"] == {"@id": "https://orcid.org/0000-0001-2345-678X"}


def test_content_named_like_the_crate_is_refused(tmp_path: Path) -> None:
    source = source_file(tmp_path / "in", "story.json")
    article = parsed(source)
    article.resources[CRATE_FILE] = b"{}"
    with pytest.raises(PackageError, match="RO-Crate metadata file"):
        write_package(article, tmp_path / "story.bag", WriteOptions(source_path=source))
    assert not (tmp_path / "story.bag").exists()
    with pytest.raises(PackageError, match="outside the crate"):
        crate_file(article, [PackageFile("elsewhere/x.txt", "media", "text/plain")],
                   article_clock(), prefix="data/")


def test_archived_bags_carry_the_crate_too(tmp_path: Path) -> None:
    source = source_file(tmp_path / "in", "story.json")
    options = WriteOptions(source_path=source, bag=BagOptions(serialization="zip"))
    archive = tmp_path / "story.bag.zip"
    write_package(parsed(source), archive, options)
    unpacked = tmp_path / "unpacked"
    shutil.unpack_archive(archive, unpacked)
    assert (unpacked / "story.bag" / "data" / CRATE_FILE).is_file()
