"""The bag's provenance record: PREMIS 3.0 XML (Library of Congress, PREMIS Data Dictionary 3.0).

``metadata/premis.xml`` describes every payload file as a PREMIS ``file`` object (size, format and
one fixity element per checksum algorithm), the events that made them and the software agents
that ran them:

* ``ingestion`` of the original file (its checksums, and whether they still match the reader's);
* ``extraction``: the reader parsed it into the canonical model, with the reader's diagnostics;
* ``validation`` of the canonical model against ``schemas/article.schema.json``;
* one ``normalization`` per rendition (writer, version, outcome, the writer's diagnostics);
* ``message digest calculation`` and ``information package creation`` for the bag itself.

Every date is the build time (``SOURCE_DATE_EPOCH`` when set), identifiers are local and derived
from bag paths, and element order follows the PREMIS 3 schema, so the record is reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from .._version import __version__
from ..formats.xml import clean_xml
from ..model import Article, Diagnostic
from .bagit.manifest import PREMIS_NAMES

PREMIS_NS = "http://www.loc.gov/premis/v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{PREMIS_NS} https://www.loc.gov/standards/premis/premis.xsd"
_P = f"{{{PREMIS_NS}}}"


@dataclass(frozen=True)
class FileRecord:
    """One payload file as the record describes it."""

    path: str
    size: int
    digests: Mapping[str, str]
    media_type: str
    #: ``original``, ``rendition`` or ``media``
    role: str
    #: the file's name before it was packed (the original's own name)
    original_name: str | None = None
    #: the writer that made a rendition, its version, and what it reported
    writer: str | None = None
    writer_version: str | None = None
    diagnostics: Sequence[Diagnostic] = ()
    note: str | None = None


@dataclass(frozen=True)
class PremisContext:
    """What the record needs besides the article."""

    bag_name: str
    when: datetime
    algorithms: Sequence[str]
    files: Sequence[FileRecord]
    #: the reader's diagnostics (before any writer ran)
    read_diagnostics: Sequence[Diagnostic] = ()
    organization: str | None = None
    source_relative: str | None = None
    #: does the original still hash to the provenance's sha256? (None: nothing to compare)
    original_matches: bool | None = None
    #: what the bag writer itself reported
    package_diagnostics: Sequence[Diagnostic] = ()


def premis_xml(article: Article, ctx: PremisContext) -> bytes:
    """The PREMIS 3 document as UTF-8 bytes with an XML declaration."""
    return _Record(article, ctx).build()


def xml_text(text: str) -> str:
    """Text XML 1.0 can carry: characters it forbids become U+FFFD."""
    return clean_xml(text)[0]


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

    def agent(self, key: str, name: str, kind: str, version: str | None = None,
              note: str | None = None) -> str:
        if key not in self.agents:
            element = etree.Element(_P + "agent")
            ident = self.sub(element, "agentIdentifier")
            self.sub(ident, "agentIdentifierType", "local")
            self.sub(ident, "agentIdentifierValue", key)
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
        eid = self.sub(element, "eventIdentifier")
        self.sub(eid, "eventIdentifierType", "local")
        self.sub(eid, "eventIdentifierValue", ident)
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

    def build(self) -> bytes:
        ctx, article = self.ctx, self.article
        prov = article.provenance
        converter = self.agent("article-converter", "article-converter", "software", __version__)
        organization = (self.agent("source-organization", ctx.organization, "organization")
                        if ctx.organization else None)
        original = next((f for f in ctx.files if f.role == "original"), None)
        media = [f for f in ctx.files if f.role == "media"]
        renditions = [f for f in ctx.files if f.role == "rendition"]

        # ingestion
        if original is not None:
            sums = ", ".join(f"{PREMIS_NAMES[a]} {original.digests[a]}" for a in ctx.algorithms)
            detail = (f"received {original.original_name or original.path} "
                      f"({original.size} bytes)"
                      + (f" as {ctx.source_relative}" if ctx.source_relative else "")
                      + f"; packed byte for byte as {original.path}; {sums}")
            notes = []
            if ctx.original_matches is True:
                notes.append("SHA-256 matches the checksum the reader recorded")
            elif ctx.original_matches is None:
                notes.append("the reader recorded no checksum to compare")
            agents = [(converter, "executing program")]
            if organization:
                agents.append((organization, "implementer"))
            self.event("ingestion", detail, "success", notes, agents,
                       [(original.path, "outcome")])
        # extraction (parsing)
        reader = None
        if prov and prov.reader:
            reader = self.agent(f"reader-{prov.reader}", f"article-converter {prov.reader} reader",
                                "software", prov.reader_version)
        detail = (f"parsed {('as ' + prov.format) if prov and prov.format else ''} by the "
                  f"{prov.reader if prov and prov.reader else 'unknown'} reader into the "
                  f"canonical article model (schema {article.schema_version}); "
                  f"article id {article.id or '(none)'}")
        outcome, notes = _outcome(ctx.read_diagnostics)
        objects = ([(original.path, "source")] if original else []) + \
            [(f.path, "outcome") for f in media]
        self.event("extraction", " ".join(detail.split()), outcome, notes,
                   [(reader or converter, "executing program")], objects)
        # validation: the pipeline validates every reader's output before any writer sees it
        self.event("validation", "the canonical model was validated against "
                   "article.schema.json (JSON Schema 2020-12) when it was read, before any "
                   "writer saw it", "pass", [], [(converter, "executing program")],
                   [(f.path, "source") for f in renditions if f.writer == "json"])
        # one conversion per rendition
        for rendition in renditions:
            writer = self.agent(f"writer-{rendition.writer}",
                                f"article-converter {rendition.writer} writer", "software",
                                rendition.writer_version)
            outcome, notes = _outcome(rendition.diagnostics)
            objects = ([(original.path, "source")] if original else []) + \
                [(rendition.path, "outcome")]
            self.event("normalization", f"rendered the canonical model as {rendition.path} "
                       f"({rendition.media_type}) with the {rendition.writer} writer",
                       outcome, notes, [(writer, "executing program")], objects)
        names = ", ".join(PREMIS_NAMES[a] for a in ctx.algorithms)
        self.event("message digest calculation", f"{names} of every payload file "
                   "(manifest-*.txt) and tag file (tagmanifest-*.txt)", "success", [],
                   [(converter, "executing program")], [(f.path, "source") for f in ctx.files])
        outcome, notes = _outcome(ctx.package_diagnostics)
        self.event("information package creation", f"BagIt 1.0 bag {ctx.bag_name} (RFC 8493)",
                   outcome, notes, [(converter, "executing program")], [])

        for record in ctx.files:
            self.object(record)
        for element in self.events:
            self.root.append(element)
        for key in sorted(self.agents):
            self.root.append(self.agents[key])
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8",
                              pretty_print=True)

    def object(self, record: FileRecord) -> None:
        element = self.sub(self.root, "object")
        element.set(f"{{{XSI_NS}}}type", "premis:file")
        ident = self.sub(element, "objectIdentifier")
        self.sub(ident, "objectIdentifierType", "local")
        self.sub(ident, "objectIdentifierValue", record.path)
        chars = self.sub(element, "objectCharacteristics")
        self.sub(chars, "compositionLevel", "0")
        for algorithm in self.ctx.algorithms:
            fixity = self.sub(chars, "fixity")
            self.sub(fixity, "messageDigestAlgorithm", PREMIS_NAMES[algorithm])
            self.sub(fixity, "messageDigest", record.digests[algorithm])
            self.sub(fixity, "messageDigestOriginator", "article-converter")
        self.sub(chars, "size", str(record.size))
        fmt = self.sub(chars, "format")
        self.sub(self.sub(fmt, "formatDesignation"), "formatName", record.media_type)
        if record.note:
            self.sub(fmt, "formatNote", record.note)
        if record.original_name:
            self.sub(element, "originalName", record.original_name)
        original = next((f for f in self.ctx.files if f.role == "original"), None)
        if original is not None and record is not original:
            relation = self.sub(element, "relationship")
            self.sub(relation, "relationshipType", "derivation")
            self.sub(relation, "relationshipSubType", "has source")
            related = self.sub(relation, "relatedObjectIdentifier")
            self.sub(related, "relatedObjectIdentifierType", "local")
            self.sub(related, "relatedObjectIdentifierValue", original.path)
        for event_id in self.object_events.get(record.path, []):
            link = self.sub(element, "linkingEventIdentifier")
            self.sub(link, "linkingEventIdentifierType", "local")
            self.sub(link, "linkingEventIdentifierValue", event_id)


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
