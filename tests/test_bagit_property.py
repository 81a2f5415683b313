"""Property tests: every generated article (every node type, hostile text) bags and verifies."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from lxml import etree
from strategies import articles
from test_bagit_support import EPOCH, bagit_validate

from converter.model import Article
from converter.options import BagOptions, WriteOptions
from converter.packaging.bagit.verify import verify_bag
from converter.packaging.premis import PREMIS_NS
from converter.packaging.premis import XSI_NS as XSI
from converter.pipeline import write_package


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@settings(max_examples=20)
@given(articles(with_provenance=True))
def test_any_article_makes_a_valid_reproducible_bag(article: Article) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = root / "input.txt"
        source.write_bytes(b"x")  # the bytes whose SHA-256 the strategy records
        built = []
        for name in ("one", "two"):
            options = WriteOptions(source_path=source, source_relative="input.txt",
                                   bag=BagOptions(renditions=("json",), serialization="tgz"))
            archive = root / name / "a.bag.tgz"
            write_package(copy.deepcopy(article), archive, options)  # writers add diagnostics
            built.append(archive.read_bytes())
        assert built[0] == built[1]
        bag = root / "dir" / "a.bag"
        write_package(article, bag, WriteOptions(source_path=source, bag=BagOptions(
            renditions=("json",))))
        report = verify_bag(bag)
        assert report.valid and not report.warnings, report
        bagit_validate(bag)
        premis = etree.parse(str(bag / "metadata" / "premis.xml"))
        paths = {p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*") if p.is_file()}
        objects = set(premis.xpath("//p:object[@xsi:type='premis:file']/p:objectIdentifier/"
                                   "p:objectIdentifierValue/text()",
                                   namespaces={"p": PREMIS_NS, "xsi": XSI}))
        assert objects == paths
        assert set(article.resources) == {p[len("data/"):] for p in paths
                                          if p.startswith("data/media/")}
