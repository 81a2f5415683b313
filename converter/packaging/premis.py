"""The package's provenance record: PREMIS 3.0 XML (Library of Congress, PREMIS Data Dictionary
3.0), valid against the official schema (``premis-v3-0.xsd``).

``metadata/premis.xml`` holds, in the schema's order:

* objects: the article as an ``intellectualEntity`` (its id, title and creators as significant
  properties, the files that represent it, its rights), then one ``file`` object per file (size,
  one fixity element per checksum algorithm, the format: the PRONOM name, version and PUID
  Siegfried gave it, in ``formatRegistry``, beside the MIME type in a note);
* events: ``ingestion`` of the original (of each, when several inputs are one article: the
  files relate to each other as ``structural``/``has sibling``, every rendition to each as
  ``derivation``/``has source``); one ``format identification`` per file (Archivematica's
  convention: detail ``program="Siegfried"; version="..."``, outcome ``Positive``, the PUID as
  outcome detail); ``extraction`` by the reader; the canonical model's ``validation`` against the
  schema; one ``normalization`` per rendition; one ``validation`` per check a rendition or the
  package went through (JATS DTD, EPUBCheck, fidelity read-back, the bag's verification): a check
  that did not run is never claimed; ``message digest calculation``; ``information package
  creation``;
* agents: the converter, each reader and writer with its version, Siegfried with its signature
  files, every checking tool with its version, pandoc when it read or wrote, the organization;
* rights: the article's rights statement or licence, when it has one.

Every date is the build time (``SOURCE_DATE_EPOCH`` when set), identifiers are local and derived
from package paths, so the record is reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from .._version import __version__
from ..formats.xml import clean_xml
from ..model import Article, Diagnostic
from ..registry import Check
from .bagit.manifest import PREMIS_NAMES
from .record import FileRecord, PremisContext

PREMIS_NS = "http://www.loc.gov/premis/v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{PREMIS_NS} https://www.loc.gov/standards/premis/premis.xsd"
_P = f"{{{PREMIS_NS}}}"

__all__ = ["PREMIS_NS", "FileRecord", "PremisContext", "premis_bytes", "premis_tree", "premis_xml",
           "xml_text"]


def premis_xml(article: Article, ctx: PremisContext) -> bytes:
    """The PREMIS 3 document as UTF-8 bytes with an XML declaration."""
    return premis_bytes(premis_tree(article, ctx))


def premis_bytes(tree: etree._Element) -> bytes:
    """A ``premis:premis`` element as the document's UTF-8 bytes."""
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def premis_tree(article: Article, ctx: PremisContext) -> etree._Element:
    """The ``premis:premis`` element (METS embeds its parts)."""
    return _Record(article, ctx).build()


def xml_text(text: str) -> str:
    """Text XML 1.0 can carry: characters it forbids become U+FFFD."""
    return clean_xml(text)[0]


def entity_id(article: Article) -> str:
    """The intellectual entity's identifier: the article's id."""
    return article.id or article.content_id()


class _Record:
    def __init__(self, article: Article, ctx: PremisContext) -> None:
        self.article = article
        self.ctx = ctx
        self.when = ctx.when.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.root = etree.Element(_P + "premis", nsmap={"premis": PREMIS_NS, "xsi": XSI_NS})
        self.root.set("version", "3.0")
        self.root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
        self.events: list[etree._Element] = []
        self.agents: dict[str, etree._Element] = {}
        self.object_events: dict[str, list[str]] = {f.path: [] for f in ctx.files}

    # ------------------------------------------------------------------ small builders

    @staticmethod
    def sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
        element = etree.SubElement(parent, _P + tag)
        if text is not None:
            element.text = xml_text(text)
        return element

    def identifier(self, parent: etree._Element, tag: str, value: str,
                   kind: str = "local") -> None:
        ident = self.sub(parent, tag)
        self.sub(ident, f"{tag}Type", kind)
        self.sub(ident, f"{tag}Value", value)

    def agent(self, key: str, name: str, kind: str, version: str | None = None,
              note: str | None = None) -> str:
        if key not in self.agents:
            element = etree.Element(_P + "agent")
            self.identifier(element, "agentIdentifier", key)
            self.sub(element, "agentName", name)
            self.sub(element, "agentType", kind)
            if version:
                self.sub(element, "agentVersion", version)
            if note:
                self.sub(element, "agentNote", note)
            self.agents[key] = element
        return key

    def event(self, kind: str, detail: str, outcome: str, notes: Sequence[str],
              agents: Sequence[tuple[str, str]], objects: Sequence[tuple[str, str]]) -> None:
        ident = f"event-{len(self.events) + 1:02d}-{kind.replace(' ', '-')}"
        element = etree.Element(_P + "event")
        self.identifier(element, "eventIdentifier", ident)
        self.sub(element, "eventType", kind)
        self.sub(element, "eventDateTime", self.when)
        self.sub(self.sub(element, "eventDetailInformation"), "eventDetail", detail)
        info = self.sub(element, "eventOutcomeInformation")
        self.sub(info, "eventOutcome", outcome)
        for note in notes:
            self.sub(self.sub(info, "eventOutcomeDetail"), "eventOutcomeDetailNote", note)
        for key, role in agents:
            link = self.sub(element, "linkingAgentIdentifier")
            self.sub(link, "linkingAgentIdentifierType", "local")
            self.sub(link, "linkingAgentIdentifierValue", key)
            self.sub(link, "linkingAgentRole", role)
        for path, role in objects:
            link = self.sub(element, "linkingObjectIdentifier")
            self.sub(link, "linkingObjectIdentifierType", "local")
            self.sub(link, "linkingObjectIdentifierValue", path)
            self.sub(link, "linkingObjectRole", role)
            self.object_events.setdefault(path, []).append(ident)
        self.events.append(element)

    # ------------------------------------------------------------------ the record

    def build(self) -> etree._Element:
        ctx = self.ctx
        converter = self.agent("article-converter", "article-converter", "software", __version__)
        originals = [f for f in ctx.files if f.role == "original"]
        for number, original in enumerate(originals):
            self.ingestion(converter, original, companion=number > 0)
        self.identification()
        self.extraction(converter, originals)
        self.event("validation", "the canonical model was validated against "
                   "article.schema.json (JSON Schema 2020-12) when it was read, before any "
                   "writer saw it", "pass", [], [(converter, "executing program")],
                   [(f.path, "source") for f in ctx.files if f.writer == "json"])
        for rendition in (f for f in ctx.files if f.role == "rendition"):
            self.normalization(rendition, originals)
            for check in rendition.checks:
                self.validation(check, [(rendition.path, "source")])
        for check in ctx.checks:
            self.validation(check, [(f.path, "source") for f in ctx.files])
        names = ", ".join(PREMIS_NAMES[a] for a in ctx.algorithms)
        self.event("message digest calculation", f"{names} of every file of the package",
                   "success", [], [(converter, "executing program")],
                   [(f.path, "source") for f in ctx.files])
        outcome, notes = _outcome(ctx.package_diagnostics)
        self.event("information package creation", f"{ctx.package_kind} {ctx.bag_name}",
                   outcome, notes, [(converter, "executing program")], [])

        self.entity()
        for record in ctx.files:
            self.file_object(record, originals)
        for element in self.events:
            self.root.append(element)
        for key in sorted(self.agents):
            self.root.append(self.agents[key])
        self.rights()
        return self.root

    def ingestion(self, converter: str, original: FileRecord, companion: bool) -> None:
        """The receipt of one original (a group's companions: checked against the SHA-256
        they had when read, or the copy fails)."""
        ctx = self.ctx
        sums = ", ".join(f"{PREMIS_NAMES[a]} {original.digests[a]}" for a in ctx.algorithms)
        relative = original.relative or (None if companion else ctx.source_relative)
        detail = (f"received {original.original_name or original.path} ({original.size} bytes)"
                  + (f" as {relative}" if relative else "")
                  + f"; packed byte for byte as {original.path}; {sums}")
        notes = []
        if companion:
            notes.append("another original of the same article; SHA-256 matches the checksum "
                         "recorded when it was read")
        elif ctx.original_matches is True:
            notes.append("SHA-256 matches the checksum the reader recorded")
        elif ctx.original_matches is None:
            notes.append("the reader recorded no checksum to compare")
        agents = [(converter, "executing program")]
        if ctx.organization:
            agents.append((self.agent("source-organization", ctx.organization, "organization"),
                           "implementer"))
        self.event("ingestion", detail, "success", notes, agents, [(original.path, "outcome")])

    def identification(self) -> None:
        tool = self.ctx.identifier
        if tool is None:
            return
        key = self.agent(f"siegfried-{tool.version}", tool.name, "software", tool.version,
                         f"signatures: {tool.signature}")
        for record in self.ctx.files:
            found = record.identification
            if found is None:
                continue
            notes = [found.puid] if found.known else [f"not identified: {found.warning}"]
            if found.known and found.warning:
                notes.append(found.warning)
            self.event("format identification",
                       f'program="{tool.name}"; version="{tool.version}"',
                       "Positive" if found.known else "Negative", notes,
                       [(key, "executing program")], [(record.path, "source")])

    def extraction(self, converter: str, originals: Sequence[FileRecord]) -> None:
        article, ctx = self.article, self.ctx
        prov = article.provenance
        agents = []
        if prov and prov.reader:
            agents.append((self.agent(f"reader-{prov.reader}",
                                      f"article-converter {prov.reader} reader", "software",
                                      prov.reader_version), "executing program"))
        if "pandoc" in ctx.tools and prov and prov.reader in ("pandoc", "markdown", "html"):
            agents.append((self.agent("pandoc", "pandoc", "software", ctx.tools["pandoc"]),
                           "executing program"))
        detail = (f"parsed {('as ' + prov.format) if prov and prov.format else ''} by the "
                  f"{prov.reader if prov and prov.reader else 'unknown'} reader into the "
                  f"canonical article model (schema {article.schema_version}); "
                  f"article id {entity_id(article)}")
        outcome, notes = _outcome(ctx.read_diagnostics)
        if len(originals) > 1:
            detail += (f"; {len(originals)} originals of the same article, read each and merged "
                       "field by field (the source of each field: the article's extra.merged)")
        objects = [(o.path, "source") for o in originals] + \
            [(f.path, "outcome") for f in ctx.files if f.role == "media"]
        self.event("extraction", " ".join(detail.split()), outcome, notes,
                   agents or [(converter, "executing program")], objects)

    def normalization(self, rendition: FileRecord, originals: Sequence[FileRecord]) -> None:
        writer = self.agent(f"writer-{rendition.writer}",
                            f"article-converter {rendition.writer} writer", "software",
                            rendition.writer_version)
        agents = [(writer, "executing program")]
        if rendition.writer and ":" in rendition.writer and "pandoc" in self.ctx.tools:
            agents.append((self.agent("pandoc", "pandoc", "software", self.ctx.tools["pandoc"]),
                           "executing program"))
        outcome, notes = _outcome(rendition.diagnostics)
        objects = [(o.path, "source") for o in originals] + [(rendition.path, "outcome")]
        self.event("normalization", f"rendered the canonical model as {rendition.path} "
                   f"({rendition.media_type}) with the {rendition.writer} writer",
                   outcome, notes, agents, objects)

    def validation(self, check: Check, objects: list[tuple[str, str]]) -> None:
        key = self.agent(f"{check.tool}-{check.version}", check.tool, "software", check.version)
        notes = list(check.notes)
        if check.score is not None:
            notes.insert(0, f"score {check.score:.4f}")
        self.event("validation", f"{check.name}: {check.detail}",
                   "pass" if check.passed else "fail", notes, [(key, "validator")], objects)

    # ------------------------------------------------------------------ objects and rights

    def entity(self) -> None:
        """The article as the intellectual entity the files represent."""
        article = self.article
        element = self.sub(self.root, "object")
        element.set(f"{{{XSI_NS}}}type", "premis:intellectualEntity")
        self.identifier(element, "objectIdentifier", entity_id(article),
                        "URN" if entity_id(article).startswith("urn:") else "local")
        for kind, value in [("title", article.title),
                            *(("creator", c.name) for c in article.contributors),
                            ("language", article.language or "")]:
            if value:
                prop = self.sub(element, "significantProperties")
                self.sub(prop, "significantPropertiesType", kind)
                self.sub(prop, "significantPropertiesValue", value)
        for record in self.ctx.files:
            relation = self.sub(element, "relationship")
            self.sub(relation, "relationshipType", "structural")
            self.sub(relation, "relationshipSubType", "is represented by")
            self.identifier(relation, "relatedObjectIdentifier", record.path)
        if article.rights is not None:
            link = self.sub(element, "linkingRightsStatementIdentifier")
            self.sub(link, "linkingRightsStatementIdentifierType", "local")
            self.sub(link, "linkingRightsStatementIdentifierValue", "rights-01")

    def file_object(self, record: FileRecord, originals: Sequence[FileRecord]) -> None:
        element = self.sub(self.root, "object")
        element.set(f"{{{XSI_NS}}}type", "premis:file")
        self.identifier(element, "objectIdentifier", record.path)
        chars = self.sub(element, "objectCharacteristics")
        self.sub(chars, "compositionLevel", "0")
        for algorithm in self.ctx.algorithms:
            fixity = self.sub(chars, "fixity")
            self.sub(fixity, "messageDigestAlgorithm", PREMIS_NAMES[algorithm])
            self.sub(fixity, "messageDigest", record.digests[algorithm])
            self.sub(fixity, "messageDigestOriginator", "article-converter")
        self.sub(chars, "size", str(record.size))
        fmt = self.sub(chars, "format")
        found = record.identification
        designation = self.sub(fmt, "formatDesignation")
        self.sub(designation, "formatName",
                 found.format if found is not None and found.known else record.media_type)
        if found is not None and found.known and found.version:
            self.sub(designation, "formatVersion", found.version)
        if found is not None and found.known:
            registry = self.sub(fmt, "formatRegistry")
            self.sub(registry, "formatRegistryName", "PRONOM")
            self.sub(registry, "formatRegistryKey", found.puid)
            self.sub(registry, "formatRegistryRole", "specification")
            self.sub(fmt, "formatNote", f"MIME type {record.media_type}")
        if record.note:
            self.sub(fmt, "formatNote", record.note)
        if record.original_name:
            self.sub(element, "originalName", record.original_name)
        for original in originals:
            if record is original:
                continue
            # the other originals of the same article are its siblings; everything else in the
            # package was made from the originals
            sibling = record.role == "original"
            relation = self.sub(element, "relationship")
            self.sub(relation, "relationshipType", "structural" if sibling else "derivation")
            self.sub(relation, "relationshipSubType", "has sibling" if sibling else "has source")
            self.identifier(relation, "relatedObjectIdentifier", original.path)
        for event_id in self.object_events.get(record.path, []):
            link = self.sub(element, "linkingEventIdentifier")
            self.sub(link, "linkingEventIdentifierType", "local")
            self.sub(link, "linkingEventIdentifierValue", event_id)

    def rights(self) -> None:
        rights = self.article.rights
        if rights is None:
            return
        element = self.sub(self.root, "rights")
        statement = self.sub(element, "rightsStatement")
        self.identifier(statement, "rightsStatementIdentifier", "rights-01")
        text = "; ".join(part for part in (rights.statement, rights.holder and
                                           f"holder: {rights.holder}", rights.year and
                                           f"year: {rights.year}", rights.disclaimer) if part)
        if rights.license_url:
            self.sub(statement, "rightsBasis", "license")
            info = self.sub(statement, "licenseInformation")
            self.identifier(info, "licenseDocumentationIdentifier", rights.license_url, "URI")
            if text:
                self.sub(info, "licenseNote", text)
        else:
            self.sub(statement, "rightsBasis", "other")
            info = self.sub(statement, "otherRightsInformation")
            self.sub(info, "otherRightsBasis", "rights statement given with the article")
            if text:
                self.sub(info, "otherRightsNote", text)
        link = self.sub(statement, "linkingObjectIdentifier")
        self.sub(link, "linkingObjectIdentifierType",
                 "URN" if entity_id(self.article).startswith("urn:") else "local")
        self.sub(link, "linkingObjectIdentifierValue", entity_id(self.article))


def _outcome(diagnostics: Sequence[Diagnostic]) -> tuple[str, list[str]]:
    """``success`` (or ``success with warnings``) and one note per diagnostic."""
    notes = [_diagnostic_note(d) for d in diagnostics]
    worst = {d.level for d in diagnostics}
    if "error" in worst:
        return "success with errors", notes
    if "warning" in worst:
        return "success with warnings", notes
    return "success", notes


def _diagnostic_note(diagnostic: Diagnostic) -> str:
    where = f" at {diagnostic.place}" if diagnostic.place else ""
    return f"{diagnostic.level} [{diagnostic.code}]{where}: {diagnostic.message}"
