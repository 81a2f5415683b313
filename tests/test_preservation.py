"""Preservation metadata that archives' tools read: PRONOM identification checked against
Siegfried itself, PREMIS and METS valid against the official schemas (offline), METS read back by
metsrw, every check a PREMIS event, EPUBCheck in one JVM for a batch, and failed checks.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from pathlib import Path
from typing import Any

import pygfried
import pytest
from batch_support import install_plugin, load_report, run_cli
from conftest import CORPUS, SEEDS, SHARED
from lxml import etree

from converter.formats.preservation import problems
from converter.packaging.mets import METS_NS, XLINK_NS
from converter.packaging.premis import PREMIS_NS

SCHEMAS = SHARED / "preservation-schemas"
NS = {"p": PREMIS_NS, "m": METS_NS, "xlink": XLINK_NS,
      "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
INPUTS = [SEEDS / "000_9e481615abfa1823.txt", SEEDS / "001_9b75ff939e830440.txt",
          CORPUS / "pandoc-tests" / "inline_formatting.docx", CORPUS / "jats" / "elife00240.xml"]


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("preserved")
    source = out / "in"
    source.mkdir()
    for path in INPUTS:
        (source / path.name).write_bytes(path.read_bytes())
    done = run_cli("convert", source, "-o", out / "out", "--to",
                   "json,markdown,jats,epub,bag,mets", "--quiet", timeout=600,
                   SOURCE_DATE_EPOCH="1365120000")
    assert done.returncode == 0, done.stderr
    return out / "out"


def siegfried(path: Path) -> str:
    """What Siegfried itself says the file is (its PUID)."""
    return str(pygfried.identify(str(path)))


def bags(out: Path) -> list[Path]:
    found = sorted(out.glob("*.bag"))
    assert len(found) == len(INPUTS)
    return found


def test_every_file_is_identified_as_siegfried_says(converted: Path) -> None:
    for bag in bags(converted):
        premis = etree.parse(str(bag / "metadata" / "premis.xml"))
        files = premis.xpath("//p:object[@xsi:type='premis:file']", namespaces=NS)
        assert files
        for element in files:
            (path,) = element.xpath("p:objectIdentifier/p:objectIdentifierValue/text()",
                                    namespaces=NS)
            (puid,) = element.xpath(".//p:formatRegistryKey/text()", namespaces=NS)
            assert puid == siegfried(bag / path), (bag.name, path)
            assert element.xpath(".//p:formatRegistryName/text()", namespaces=NS) == ["PRONOM"]
            # one format identification event per file, in Archivematica's form
            events = premis.xpath(
                f"//p:event[p:eventType='format identification' and p:linkingObjectIdentifier/"
                f"p:linkingObjectIdentifierValue='{path}']", namespaces=NS)
            assert len(events) == 1
            (event,) = events
            assert event.xpath(".//p:eventDetail/text()", namespaces=NS) == [
                f'program="Siegfried"; version="{pygfried.version()}"']
            assert event.xpath(".//p:eventOutcome/text()", namespaces=NS) == ["Positive"]
            assert event.xpath(".//p:eventOutcomeDetailNote/text()", namespaces=NS)[0] == puid
        (agent,) = premis.xpath("//p:agent[p:agentName='Siegfried']", namespaces=NS)
        assert agent.xpath("p:agentVersion/text()", namespaces=NS) == [pygfried.version()]


def test_the_report_names_every_input_and_output_format(converted: Path) -> None:
    report = load_report(converted / "report.json")
    for item in report["inputs"]:
        assert item["identification"]["puid"] == siegfried(
            converted.parent / "in" / item["relative"])
        for output in item["outputs"]:
            path = converted / output["path"]
            if path.is_file():
                assert output["identification"]["puid"] == siegfried(path), output
            else:
                assert "identification" not in output  # a bag folder


def test_premis_and_mets_validate_against_the_official_schemas(converted: Path) -> None:
    documents = [p for bag in bags(converted) for p in (bag / "metadata").glob("*.xml")]
    documents += sorted(converted.glob("*.mets.xml"))
    assert len(documents) == 3 * len(INPUTS)
    for document in documents:
        assert problems(etree.parse(str(document)), SCHEMAS) == [], document


def test_a_broken_record_is_caught_by_the_schemas(converted: Path) -> None:
    bag = bags(converted)[0]
    tree = etree.parse(str(bag / "metadata" / "premis.xml"))
    victim = tree.find(f"{{{PREMIS_NS}}}object/{{{PREMIS_NS}}}objectIdentifier")
    assert victim is not None
    victim.getparent().remove(victim)  # type: ignore[union-attr]
    assert problems(tree, SCHEMAS)


def test_premis_knows_the_article_and_its_agents(converted: Path) -> None:
    bag = next(b for b in bags(converted) if b.name.startswith("001_"))
    premis = etree.parse(str(bag / "metadata" / "premis.xml"))
    article = json.loads((bag / "data" / "article.json").read_text(encoding="utf-8"))
    (entity,) = premis.xpath("//p:object[@xsi:type='premis:intellectualEntity']",
                             namespaces=NS)
    assert entity.xpath("p:objectIdentifier/p:objectIdentifierValue/text()",
                        namespaces=NS) == [article["id"]]
    properties = dict(zip(entity.xpath(".//p:significantPropertiesType/text()", namespaces=NS),
                          entity.xpath(".//p:significantPropertiesValue/text()", namespaces=NS),
                          strict=True))
    assert properties["title"] == article["title"]
    payload = sorted(p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*")
                     if p.is_file())
    assert sorted(entity.xpath(".//p:relatedObjectIdentifierValue/text()",
                               namespaces=NS)) == payload
    agents = premis.xpath("//p:agent/p:agentName/text()", namespaces=NS)
    assert {"article-converter", "article-converter text reader", "Siegfried",
            "article-converter BagIt verifier"} <= set(agents)
    validations = premis.xpath("//p:event[p:eventType='validation']//p:eventDetail/text()",
                               namespaces=NS)
    assert any(v.startswith("bagit: RFC 8493") for v in validations)


def test_pandoc_is_an_agent_where_it_read(converted: Path) -> None:
    bag = next(b for b in bags(converted) if b.name.startswith("inline_formatting"))
    premis = etree.parse(str(bag / "metadata" / "premis.xml"))
    (pandoc,) = premis.xpath("//p:agent[p:agentName='pandoc']", namespaces=NS)
    assert pandoc.xpath("p:agentVersion/text()", namespaces=NS)[0][0].isdigit()


def test_metsrw_reads_the_mets_back_with_the_same_files_and_checksums(converted: Path) -> None:
    logging.getLogger("metsrw").setLevel(logging.ERROR)
    import metsrw

    for bag in bags(converted):
        document = metsrw.METSDocument.fromfile(str(bag / "metadata" / "mets.xml"))
        files = {f.path: f for f in document.all_files() if f.type == "Item"}
        payload = {p.relative_to(bag).as_posix(): p for p in (bag / "data").rglob("*")
                   if p.is_file()}
        assert {unquote(p) for p in files} == set(payload)
        for path, entry in files.items():
            assert entry.checksumtype == "SHA-256"
            assert entry.checksum == hashlib.sha256(payload[unquote(path)].read_bytes()
                                                    ).hexdigest()


def unquote(path: str) -> str:
    from urllib.parse import unquote as decode

    return decode(path)


def test_the_mets_beside_describes_the_files_beside_it(converted: Path) -> None:
    (mets,) = [p for p in converted.glob("000_*.mets.xml")]
    tree = etree.parse(str(mets))
    hrefs = tree.xpath("//m:FLocat/@xlink:href", namespaces=NS)
    beside = {h for h in hrefs if not h.startswith(".")}
    assert beside == {"000_9e481615abfa1823.json", "000_9e481615abfa1823.md",
                      "000_9e481615abfa1823.xml", "000_9e481615abfa1823.epub"}
    for href in beside:
        (file,) = tree.xpath(f"//m:file[m:FLocat/@xlink:href='{href}']", namespaces=NS)
        assert file.get("CHECKSUM") == hashlib.sha256((converted / href).read_bytes()).hexdigest()
    elements = tree.xpath("//m:dmdSec//dcterms:dublincore/*",
                          namespaces={**NS, "dcterms": "http://purl.org/dc/terms/"})
    dc = {etree.QName(e).localname: e.text for e in elements}
    assert dc["language"] == "en" and dc["type"] == "Text"


BROKEN_EPUB_WRITER = '''
"""Test-only: an "epub" writer whose books EPUBCheck rejects (no mimetype, no package)."""
import io
import zipfile


class BrokenEpubWriter:
    name = "epub"
    extension = ".epub"

    def write(self, article, options):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", article.title)
        return buffer.getvalue()
'''


def test_check_runs_epubcheck_in_one_jvm_and_records_it(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    for n in range(6):
        (source / f"a{n}.txt").write_text(f"Title {n}\n\nThe text of article number {n}.\n",
                                          encoding="utf-8")
    launches = tmp_path / "launches"
    # count every JVM the run starts, in the parent and in every worker it forks
    probe = install_plugin(tmp_path / "site", "jvm-probe", {"sitecustomize.py": f'''
import subprocess
_popen = subprocess.Popen.__init__
def _counting(self, args, *a, **k):
    if args and str(args[0]).endswith("java"):
        with open({str(launches)!r}, "a") as log:
            log.write(" ".join(map(str, args[:1])) + "\\n")
    return _popen(self, args, *a, **k)
subprocess.Popen.__init__ = _counting
'''}, {})
    done = run_cli("convert", source, "-o", tmp_path / "out", "--to", "epub,bag", "--check",
                   "--jobs", "2", "--quiet", pythonpath=[probe], timeout=900)
    assert done.returncode == 0, done.stderr
    assert launches.read_text(encoding="utf-8").count("\n") == 1  # one JVM for six EPUBs
    for bag in (tmp_path / "out").glob("*.bag"):
        premis = etree.parse(str(bag / "metadata" / "premis.xml"))
        (event,) = premis.xpath("//p:event[starts-with(.//p:eventDetail, 'epubcheck:')]",
                                namespaces=NS)
        assert event.xpath(".//p:eventOutcome/text()", namespaces=NS) == ["pass"]
        (agent,) = premis.xpath("//p:agent[p:agentName='EPUBCheck']", namespaces=NS)
        assert agent.xpath("p:agentVersion/text()", namespaces=NS)[0].startswith("5.")


def test_a_failed_check_fails_the_input_and_keeps_nothing_unless_asked(tmp_path: Path) -> None:
    site = install_plugin(tmp_path / "site", "broken-epub", {"broken_epub.py": BROKEN_EPUB_WRITER},
                          {"converter.writers": {"epub": "broken_epub:BrokenEpubWriter"}})
    source = tmp_path / "a.txt"
    source.write_text("A title\n\nSome text of the article.\n", encoding="utf-8")
    failed = run_cli("convert", source, "-o", tmp_path / "out", "--to", "json,epub", "--check",
                     "--quiet", pythonpath=[site], timeout=600)
    assert failed.returncode == 1
    assert "epub rendition failed epubcheck (EPUBCheck 5." in failed.stderr
    assert not (tmp_path / "out" / "a.epub").exists()
    assert not (tmp_path / "out" / "a.json").exists()  # all or nothing

    kept = run_cli("convert", source, "-o", tmp_path / "kept", "--to", "json,epub", "--check",
                   "--keep-invalid", "--quiet", pythonpath=[site], timeout=600)
    assert kept.returncode == 1  # the input still fails
    assert (tmp_path / "kept" / "a.epub").is_file()
    report: dict[str, Any] = load_report(tmp_path / "kept" / "report.json")
    (item,) = report["inputs"]
    assert item["status"] == "failed"
    assert [d["code"] for d in item["diagnostics"] if d["level"] == "error"] == [
        "epubcheck-failed"]
    with zipfile.ZipFile(tmp_path / "kept" / "a.epub") as archive:
        assert archive.namelist() == ["hello.txt"]
