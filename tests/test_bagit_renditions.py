"""Bags with every rendition (json, markdown, jats, epub) from the registered writers."""

from __future__ import annotations

import copy
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from test_bagit_support import EPOCH, PNG, bagit_validate, parsed, source_file

from converter.options import BagOptions, WriteOptions
from converter.packaging.bagit.verify import verify_bag
from converter.packaging.premis import PREMIS_NS
from converter.pipeline import write_package

RENDITIONS = {"json": "article.json", "markdown": "article.md", "jats": "article.xml",
              "epub": "article.epub"}


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def test_default_renditions(tmp_path: Path) -> None:
    source = source_file(tmp_path / "in", "story.json")
    article = parsed(source, {"media/fig 1.png": PNG})
    options = WriteOptions(source_path=source, source_relative="story.json")
    assert options.bag.renditions == tuple(RENDITIONS)
    bag = tmp_path / "out" / "story.bag"
    write_package(copy.deepcopy(article), bag, options)
    data = bag / "data"
    assert sorted(p.name for p in data.iterdir() if p.is_file()) == sorted(
        [*RENDITIONS.values(), "ro-crate-metadata.json"])
    assert (data / "media" / "fig 1.png").read_bytes() == PNG

    # relative links from the renditions resolve inside the bag
    markdown = (data / "article.md").read_text(encoding="utf-8")
    targets = re.findall(r"!\[[^\]]*\]\(<?([^>)]+)>?\)", markdown)
    assert targets == ["media/fig 1.png"]
    assert all((data / target).is_file() for target in targets)
    jats = etree.parse(str(data / "article.xml"))
    hrefs = jats.xpath("//@*[local-name()='href']")
    assert "media/fig 1.png" in hrefs
    assert all((data / href).is_file() for href in hrefs if not re.match(r"\w+:", href))
    with zipfile.ZipFile(data / "article.epub") as epub:
        assert epub.namelist()[0] == "mimetype"
        assert epub.read("mimetype") == b"application/epub+zip"

    premis = etree.parse(str(bag / "metadata" / "premis.xml"))
    converted = premis.xpath('//p:event[p:eventType="normalization"]//'
                             'p:linkingObjectIdentifierValue[../p:linkingObjectRole="outcome"]'
                             "/text()", namespaces={"p": PREMIS_NS})
    assert sorted(converted) == sorted(f"data/{name}" for name in RENDITIONS.values())
    assert verify_bag(bag).valid
    bagit_validate(bag)

    # reproducible with every writer: the same article makes the same archive
    archives = []
    for name in ("one", "two"):
        archive = tmp_path / name / "story.bag.tgz"
        write_package(copy.deepcopy(article), archive,
                  WriteOptions(source_path=source, bag=BagOptions(serialization="tgz")))
        archives.append(archive.read_bytes())
    assert archives[0] == archives[1]
