"""The package as METS 1.12.1 (Library of Congress), with PREMIS 3 inside, the way Archivematica
writes its AIPs' METS: valid against the official METS schema (with PREMIS 3 loaded beside it).

* ``dmdSec``: the article as a PREMIS ``intellectualEntity``, and its descriptive metadata as
  Dublin Core (``MDTYPE="DC"``, ``dcterms:dublincore`` holding ``dc:*`` elements: title, creator,
  date, language, subject, rights, identifier, description, publisher, source, type);
* ``amdSec`` per file: the PREMIS ``file`` object (``techMD``: fixity, size, PRONOM format) and the
  events about that file (``digiprovMD``); one more ``amdSec`` for the package: its events, every
  agent (``PREMIS:AGENT``) and the rights (``rightsMD``);
* ``fileSec``: one ``fileGrp`` per use (``original``, ``preservation`` for the renditions,
  ``media``), each ``file`` with MIME type, size and SHA-256 checksum, located by its path relative
  to the package's root as a URI reference (``FLocat LOCTYPE="OTHER" OTHERLOCTYPE="SYSTEM"``;
  percent-encoded, since a file name may hold characters no XML attribute can);
* ``structMap TYPE="physical"``: the package's folders and files as nested ``div`` elements.

Everything comes from the same record as PREMIS (:mod:`.premis`): the METS is another view of it.
Identifiers are derived from positions and paths, dates from the build clock: reproducible.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

from lxml import etree

from .._version import __version__
from ..errors import WriterError
from ..fsutil import atomic_write_bytes
from ..model import Article, Diagnostic
from ..model.metadata import dublin_core
from ..options import WriteOptions, build_time
from ..registry import Rendition
from .identify import tool as siegfried
from .premis import PREMIS_NS, XSI_NS, entity_id, premis_tree, xml_text
from .record import FileRecord, PremisContext, beside_records, tool_versions

METS_NS = "http://www.loc.gov/METS/"
XLINK_NS = "http://www.w3.org/1999/xlink"
DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"
SCHEMA_LOCATION = (f"{METS_NS} http://www.loc.gov/standards/mets/version1121/mets.xsd "
                   f"{PREMIS_NS} http://www.loc.gov/standards/premis/v3/premis.xsd")
_M = f"{{{METS_NS}}}"
_P = f"{{{PREMIS_NS}}}"
_NSMAP = {"mets": METS_NS, "premis": PREMIS_NS, "xlink": XLINK_NS, "xsi": XSI_NS, "dc": DC_NS,
          "dcterms": DCTERMS_NS}
#: fileGrp USE by role (Archivematica's names where it has one)
_USES = {"original": "original", "rendition": "preservation", "media": "media",
         "metadata": "metadata"}


def mets_xml(article: Article, ctx: PremisContext, label: str | None = None,
             premis: etree._Element | None = None) -> bytes:
    """The METS document as UTF-8 bytes; file paths are relative to the package's root.

    ``premis``: the record :func:`premis_tree` made of the same article and context, when the
    caller has it already (a bag writes both); METS takes its parts, so serialise it first.
    """
    return etree.tostring(_Mets(article, ctx, label, premis).build(), xml_declaration=True,
                          encoding="UTF-8", pretty_print=True)


def dublin_core_elements(article: Article) -> list[tuple[str, str]]:
    """The article's Dublin Core elements (``dc.title``, ``dcterms.license``, value), in order:
    the same columns and values
    a transfer's metadata.csv carries (:func:`converter.model.metadata.dublin_core`), then what
    METS readers also look for: the article's own id, other contributors, the source
    publication as publisher and source, and the type ``Text``."""
    values: list[tuple[str, str]] = []
    for column, items in dublin_core(article):
        values.extend((column, v) for v in items)
    values.append(("dc.identifier", entity_id(article)))
    values.extend(("dc.contributor", c.name) for c in article.contributors
                  if c.kind != "author")
    if article.source_publication is not None:
        values.append(("dc.publisher", article.source_publication.name))
        if article.source_publication.url:
            values.append(("dc.source", article.source_publication.url))
    values.append(("dc.type", "Text"))
    return [(k, " ".join(v.split())) for k, v in values if v and v.strip()]


class _Mets:
    def __init__(self, article: Article, ctx: PremisContext, label: str | None,
                 premis: etree._Element | None) -> None:
        self.article = article
        self.ctx = ctx
        self.label = label or ctx.bag_name
        self.premis = premis_tree(article, ctx) if premis is None else premis
        self.root = etree.Element(_M + "mets", nsmap=_NSMAP)
        self.file_ids = {f.path: f"file-{n:03d}" for n, f in enumerate(ctx.files, 1)}
        self.amd_ids = {f.path: f"amdSec_{n}" for n, f in enumerate(ctx.files, 1)}
        self.digiprov = 0

    def sub(self, parent: etree._Element, tag: str, attrib: dict[str, str] | None = None,
            text: str | None = None) -> etree._Element:
        element = etree.SubElement(parent, _M + tag, attrib or {})
        if text is not None:
            element.text = xml_text(text)
        return element

    def wrap(self, parent: etree._Element, tag: str, ident: str, mdtype: str,
             content: etree._Element) -> None:
        section = self.sub(parent, tag, {"ID": ident})
        wrapped = self.sub(section, "mdWrap", {"MDTYPE": mdtype})
        data = self.sub(wrapped, "xmlData")
        data.append(content)

    def build(self) -> etree._Element:
        root, article, ctx = self.root, self.article, self.ctx
        root.set("OBJID", entity_id(article))
        root.set("LABEL", xml_text(article.title))
        root.set("TYPE", "article")
        root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
        header = self.sub(root, "metsHdr", {"CREATEDATE": ctx.when.strftime("%Y-%m-%dT%H:%M:%S")})
        creator = self.sub(header, "agent", {"ROLE": "CREATOR", "TYPE": "OTHER",
                                             "OTHERTYPE": "SOFTWARE"})
        self.sub(creator, "name", text=f"article-converter {__version__}")
        if ctx.organization:
            custodian = self.sub(header, "agent", {"ROLE": "CUSTODIAN", "TYPE": "ORGANIZATION"})
            self.sub(custodian, "name", text=ctx.organization)
        objects = self.premis.findall(f"{_P}object")
        entity = objects[0]
        self.wrap(root, "dmdSec", "dmdSec_1", "PREMIS:OBJECT", self.standalone(entity))
        self.wrap(root, "dmdSec", "dmdSec_2", "DC", self.dc())
        events = self.premis.findall(f"{_P}event")
        by_file: dict[str, list[etree._Element]] = {f.path: [] for f in ctx.files}
        package_events: list[etree._Element] = []
        for event in events:
            linked = [v.text for v in event.iterfind(
                f"{_P}linkingObjectIdentifier/{_P}linkingObjectIdentifierValue")]
            first = next((p for p in linked if p in by_file), None)
            (by_file[first] if first else package_events).append(event)
        for record, element in zip(ctx.files, objects[1:], strict=True):
            amd = self.sub(root, "amdSec", {"ID": self.amd_ids[record.path]})
            self.wrap(amd, "techMD", f"techMD_{self.amd_ids[record.path][7:]}",
                      "PREMIS:OBJECT", self.standalone(element))
            for event in by_file[record.path]:
                self.provenance(amd, "PREMIS:EVENT", event)
        package = self.sub(root, "amdSec", {"ID": "amdSec_package"})
        rights = self.premis.find(f"{_P}rights")  # (METS: techMD, rightsMD, then digiprovMD)
        if rights is not None:
            self.wrap(package, "rightsMD", "rightsMD_1", "PREMIS:RIGHTS",
                      self.standalone(rights))
        for event in package_events:
            self.provenance(package, "PREMIS:EVENT", event)
        for agent in self.premis.findall(f"{_P}agent"):
            self.provenance(package, "PREMIS:AGENT", agent)
        self.file_section()
        self.struct_map()
        return root

    @staticmethod
    def standalone(element: etree._Element) -> etree._Element:
        """A copy of a PREMIS element that stands on its own (``version="3.0"``)."""
        clone = copy.deepcopy(element)
        clone.set("version", "3.0")
        return clone

    def provenance(self, amd: etree._Element, mdtype: str, element: etree._Element) -> None:
        self.digiprov += 1
        self.wrap(amd, "digiprovMD", f"digiprovMD_{self.digiprov}", mdtype,
                  self.standalone(element))

    def dc(self) -> etree._Element:
        container = etree.Element(f"{{{DCTERMS_NS}}}dublincore")
        for column, value in dublin_core_elements(self.article):
            prefix, name = column.split(".", 1)
            namespace = DCTERMS_NS if prefix == "dcterms" else DC_NS
            etree.SubElement(container, f"{{{namespace}}}{name}").text = xml_text(value)
        return container

    def file_section(self) -> None:
        section = self.sub(self.root, "fileSec")
        for role, use in _USES.items():
            records = [f for f in self.ctx.files if f.role == role]
            if not records:
                continue
            group = self.sub(section, "fileGrp", {"USE": use})
            for record in records:
                self.file(group, record)

    def file(self, group: etree._Element, record: FileRecord) -> None:
        algorithm = "sha256" if "sha256" in record.digests else sorted(record.digests)[0]
        attrib = {"ID": self.file_ids[record.path], "MIMETYPE": record.media_type,
                  "SIZE": str(record.size), "CHECKSUM": record.digests[algorithm],
                  "CHECKSUMTYPE": algorithm.upper().replace("SHA", "SHA-"),
                  "ADMID": self.amd_ids[record.path]}
        element = self.sub(group, "file", attrib)
        self.sub(element, "FLocat", {"LOCTYPE": "OTHER", "OTHERLOCTYPE": "SYSTEM",
                                     f"{{{XLINK_NS}}}href": quote(record.path, safe="/")})

    def struct_map(self) -> None:
        struct = self.sub(self.root, "structMap", {"TYPE": "physical", "ID": "structMap_1",
                                                   "LABEL": "the package's folders and files"})
        top = self.sub(struct, "div", {"TYPE": "Directory", "LABEL": xml_text(self.label),
                                       "DMDID": "dmdSec_1 dmdSec_2", "ADMID": "amdSec_package"})
        folders: dict[str, etree._Element] = {"": top}
        for record in sorted(self.ctx.files, key=lambda f: f.path):
            parts = record.path.split("/")
            for depth in range(1, len(parts)):
                key = "/".join(parts[:depth])
                if key not in folders:
                    parent = folders["/".join(parts[:depth - 1])]
                    folders[key] = self.sub(parent, "div", {"TYPE": "Directory",
                                                            "LABEL": xml_text(parts[depth - 1])})
            item = self.sub(folders["/".join(parts[:-1])], "div",
                            {"TYPE": "Item", "LABEL": xml_text(parts[-1])})
            self.sub(item, "fptr", {"FILEID": self.file_ids[record.path]})


class MetsWriter:
    """``--to mets``: ``<stem>.mets.xml`` beside the other outputs, describing them (each with
    its checksum, PRONOM format and provenance) and the original."""

    name = "mets"
    extension = ".mets.xml"
    version = __version__

    def write(self, article: Article, options: WriteOptions) -> bytes:
        raise WriterError("the mets writer describes files written beside it: use write_to")

    def destination_for(self, out_dir: Path, stem: str, options: WriteOptions) -> Path:
        return out_dir / f"{stem}{self.extension}"

    def renditions(self, options: WriteOptions) -> None:
        return None  # the renditions written beside it in the same conversion

    def render_options(self, options: WriteOptions) -> WriteOptions:
        return options

    def write_to(self, article: Article, destination: Path, options: WriteOptions,
                 renditions: Mapping[str, Rendition]) -> Sequence[Diagnostic]:
        stem = destination.name[: -len(self.extension)]
        noticed: list[Diagnostic] = []
        files = beside_records(article, options, renditions, stem, destination.parent, noticed)
        ctx = PremisContext(
            bag_name=destination.name, when=build_time(options), algorithms=("sha512", "sha256"),
            files=files, read_diagnostics=tuple(article.provenance.diagnostics
                                                if article.provenance else ()),
            organization=options.bag.source_organization,
            source_relative=options.source_relative, package_kind="files written beside it",
            identifier=siegfried(), tools=tool_versions(article, files))
        atomic_write_bytes(destination, mets_xml(article, ctx, label=stem))
        return noticed
