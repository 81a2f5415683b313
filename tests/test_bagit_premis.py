"""The PREMIS 3 provenance record (metadata/premis.xml): content, links and element order."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from lxml import etree
from test_bagit_support import EPOCH, PNG, options, parsed, source_file

from converter import __version__
from converter.packaging.premis import PREMIS_NS, xml_text
from converter.pipeline import write_package

P = {"p": PREMIS_NS, "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
FILES = "//p:object[@xsi:type='premis:file']"
#: the PREMIS 3 schema's sequences (premis.xsd v3.0) for the elements we write
ORDER = {
    "object": ["objectIdentifier", "preservationLevel", "significantProperties",
               "objectCharacteristics", "originalName", "storage", "signatureInformation",
               "environmentFunction", "environmentDesignation", "relationship",
               "linkingEventIdentifier", "linkingRightsStatementIdentifier"],
    "objectCharacteristics": ["compositionLevel", "fixity", "size", "format",
                              "creatingApplication", "inhibitors",
                              "objectCharacteristicsExtension"],
    "event": ["eventIdentifier", "eventType", "eventDateTime", "eventDetailInformation",
              "eventOutcomeInformation", "linkingAgentIdentifier", "linkingObjectIdentifier"],
    "agent": ["agentIdentifier", "agentName", "agentType", "agentVersion", "agentNote",
              "agentExtension", "linkingEventIdentifier"],
    "premis": ["object", "event", "agent", "rights"],
}


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture
def record(tmp_path: Path) -> tuple[Path, etree._ElementTree]:
    source = source_file(tmp_path / "in", "Story.json", title="Title with \x01 control")
    article = parsed(source, {"media/fig.png": PNG})
    article.diagnose("warning", "reader-guess", "the date was guessed", "dates.published")
    article.diagnose("info", "odd-bytes", "a \x02 control character")
    bag = tmp_path / "out" / "story.bag"
    write_package(article, bag, options(source, source_organization="Example Archive"))
    return bag, etree.parse(str(bag / "metadata" / "premis.xml"))


def local(element: etree._Element) -> str:
    return etree.QName(element).localname


def texts(tree: etree._ElementTree | etree._Element, path: str) -> list[str]:
    return [str(t) for t in tree.xpath(path, namespaces=P)]


def test_objects_carry_the_manifest_checksums(record: tuple[Path, etree._ElementTree]) -> None:
    bag, tree = record
    root = tree.getroot()
    assert (etree.QName(root).namespace, root.get("version")) == (PREMIS_NS, "3.0")
    payload = sorted(p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*")
                     if p.is_file())
    assert sorted(texts(tree, FILES + "/p:objectIdentifier/p:objectIdentifierValue/text()")
                  ) == payload
    for path in payload:
        (obj,) = tree.xpath(f'//p:object[p:objectIdentifier/p:objectIdentifierValue="{path}"]',
                            namespaces=P)
        data = (bag / path).read_bytes()
        sums = dict(zip(texts(obj, ".//p:messageDigestAlgorithm/text()"),
                        texts(obj, ".//p:messageDigest/text()"), strict=True))
        assert sums == {"SHA-512": hashlib.sha512(data).hexdigest(),
                        "SHA-256": hashlib.sha256(data).hexdigest()}
        assert texts(obj, ".//p:size/text()") == [str(len(data))]
    (original,) = tree.xpath('//p:object[p:originalName="Story.json"]', namespaces=P)
    assert texts(original, ".//p:formatName/text()") == ["JSON Data Interchange Format"]
    assert texts(original, ".//p:formatRegistryKey/text()") == ["fmt/817"]
    assert "MIME type application/json" in texts(original, ".//p:formatNote/text()")
    (media,) = tree.xpath('//p:object[.//p:objectIdentifierValue="data/media/fig.png"]',
                          namespaces=P)
    assert texts(media, ".//p:formatName/text()") == ["Portable Network Graphics"]
    assert texts(media, ".//p:formatRegistryName/text()") == ["PRONOM"]
    assert texts(media, ".//p:relatedObjectIdentifierValue/text()") == [
        "data/original/Story.json"]


def test_events_agents_and_links(record: tuple[Path, etree._ElementTree]) -> None:
    _, tree = record
    kinds = texts(tree, "//p:event/p:eventType/text()")
    assert list(dict.fromkeys(kinds)) == [
        "ingestion", "format identification", "extraction", "validation", "normalization",
        "message digest calculation", "information package creation"]
    assert kinds.count("format identification") == 4  # original, rendition, image, RO-Crate
    # the canonical model, the JSON rendition read back (fidelity), the bag's own verification
    assert kinds.count("validation") == 3
    (fidelity,) = tree.xpath('//p:event[starts-with(.//p:eventDetail, "fidelity: ")]',
                             namespaces=P)
    assert texts(fidelity, ".//p:eventDetail/text()")[0].startswith(
        "fidelity: the json rendition read back with the json reader")
    assert texts(fidelity, ".//p:eventOutcome/text()") == ["pass"]
    assert texts(fidelity, ".//p:eventOutcomeDetailNote/text()") == ["score 1.0000"]
    assert texts(fidelity, ".//p:linkingObjectIdentifierValue/text()") == ["data/article.json"]
    assert set(texts(tree, "//p:eventDateTime/text()")) == {"2023-11-14T22:13:20Z"}
    (ingestion,) = tree.xpath('//p:event[p:eventType="ingestion"]', namespaces=P)
    detail = texts(ingestion, ".//p:eventDetail/text()")[0]
    assert "Story.json" in detail and "SHA-256 " in detail
    assert "SHA-256 matches" in texts(ingestion, ".//p:eventOutcomeDetailNote/text()")[0]
    (extraction,) = tree.xpath('//p:event[p:eventType="extraction"]', namespaces=P)
    assert texts(extraction, ".//p:eventOutcome/text()") == ["success with warnings"]
    assert ("warning [reader-guess] at dates.published: the date was guessed"
            in texts(extraction, ".//p:eventOutcomeDetailNote/text()"))
    agents = dict(zip(texts(tree, "//p:agent/p:agentIdentifier/p:agentIdentifierValue/text()"),
                      texts(tree, "//p:agent/p:agentName/text()"), strict=True))
    assert agents["article-converter"] == "article-converter"
    assert agents["source-organization"] == "Example Archive"
    assert {"reader-json", "writer-json", "siegfried-1.11.9"} <= agents.keys()
    (converter,) = tree.xpath('//p:agent[p:agentName="article-converter"]', namespaces=P)
    assert texts(converter, "p:agentVersion/text()") == [__version__]
    (package,) = tree.xpath('//p:event[p:eventType="information package creation"]',
                           namespaces=P)
    assert texts(package, ".//p:eventOutcome/text()") == ["success"]
    objects = set(texts(tree, "//p:objectIdentifierValue/text()"))
    events = set(texts(tree, "//p:eventIdentifierValue/text()"))
    assert set(texts(tree, "//p:linkingObjectIdentifierValue/text()")) <= objects
    assert set(texts(tree, "//p:linkingAgentIdentifierValue/text()")) == set(agents)
    assert set(texts(tree, "//p:linkingEventIdentifierValue/text()")) <= events
    assert len(events) == 12


def test_element_order_follows_the_premis_schema(record: tuple[Path, etree._ElementTree]
                                                 ) -> None:
    _, tree = record
    for element in tree.iter():
        name = local(element)
        if name in ORDER:
            positions = [ORDER[name].index(local(child)) for child in element]
            assert positions == sorted(positions), (name, [local(c) for c in element])


def test_the_bag_writers_own_diagnostics(tmp_path: Path) -> None:
    source = source_file(tmp_path / "in")
    bag = tmp_path / "out" / "x.bag"
    write_package(parsed(source), bag, options(source))  # no source organization given
    tree = etree.parse(str(bag / "metadata" / "premis.xml"))
    (package,) = tree.xpath('//p:event[p:eventType="information package creation"]',
                           namespaces=P)
    assert texts(package, ".//p:eventOutcome/text()") == ["success"]
    notes = texts(package, ".//p:eventOutcomeDetailNote/text()")
    assert len(notes) == 1 and notes[0].startswith("info [bag-no-organization]")


def test_hostile_text_stays_well_formed(record: tuple[Path, etree._ElementTree]) -> None:
    _, tree = record
    notes = texts(tree, "//p:eventOutcomeDetailNote/text()")
    assert "info [odd-bytes]: a \ufffd control character" in notes
    assert xml_text("a\x00b\x0bc\ud800d\ufffee") == "a\ufffdb\ufffdc\ufffdd\ufffde"
