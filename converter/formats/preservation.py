"""Validating METS 1.12 and PREMIS 3 documents against the official XML Schemas, offline.

The schemas are not shipped with the converter: point ``schemas`` (``--schemas``, or
``$CONVERTER_PRESERVATION_SCHEMAS``) at a folder holding ``mets.xsd`` (METS 1.12.1),
``premis-v3-0.xsd``, ``premis-v2-2.xsd`` and ``xlink.xsd``, as published by the Library of
Congress. They are loaded together through one wrapper schema (METS documents embed PREMIS with
``xsi:type="premis:file"``, so METS alone rejects them), and every ``schemaLocation`` at
``www.loc.gov/standards/`` resolves to those local files: nothing is fetched.

A wrapper whose imports fail to resolve still loads (libxml2 treats it as a warning) and then
rejects every document with "no matching global declaration": :func:`load` therefore checks
that the wrapper declares both roots before anything is validated.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, cast

from lxml import etree

from ..errors import UsageError, ValidationError

METS_NS = "http://www.loc.gov/METS/"
PREMIS_NS = "http://www.loc.gov/premis/v3"
_FILES = {"xlink.xsd": "xlink.xsd", "mets.xsd": "mets.xsd", "premis.xsd": "premis-v3-0.xsd",
          "premis-v3-0.xsd": "premis-v3-0.xsd", "premis-v2-2.xsd": "premis-v2-2.xsd"}
_WRAPPER = b"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
 <xs:import namespace="http://www.loc.gov/METS/"
            schemaLocation="http://www.loc.gov/standards/mets/version1121/mets.xsd"/>
 <xs:import namespace="http://www.loc.gov/premis/v3"
            schemaLocation="http://www.loc.gov/standards/premis/v3/premis.xsd"/>
 <xs:import namespace="info:lc/xmlns/premis-v2"
            schemaLocation="http://www.loc.gov/standards/premis/v2/premis-v2-2.xsd"/>
</xs:schema>"""


class _LocalSchemas(etree.Resolver):
    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def resolve(self, system_url: str, public_id: str, context: Any = None) -> Any:
        if system_url.startswith(("http://www.loc.gov/standards/",
                                  "https://www.loc.gov/standards/")):
            name = _FILES.get(system_url.rsplit("/", 1)[1])
            if name:  # (lxml's stubs lack resolve_filename)
                return cast(Any, self).resolve_filename(str(self.folder / name), context)
        return None


def schema_folder(given: Path | None) -> Path:
    """The schemas folder: ``given``, else ``$CONVERTER_PRESERVATION_SCHEMAS``."""
    folder = given or (Path(os.environ["CONVERTER_PRESERVATION_SCHEMAS"])
                       if os.environ.get("CONVERTER_PRESERVATION_SCHEMAS") else None)
    if folder is None:
        raise UsageError("name the folder of the METS and PREMIS schemas (--schemas or "
                         "$CONVERTER_PRESERVATION_SCHEMAS)")
    missing = [n for n in sorted(set(_FILES.values())) if not (folder / n).is_file()]
    if missing:
        raise UsageError(f"the schema folder lacks {', '.join(missing)}", file=str(folder))
    return folder


@functools.cache
def load(folder: Path) -> etree.XMLSchema:
    """METS 1.12.1 + PREMIS 3.0 + PREMIS 2.2 + XLink as one schema, from local files."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalSchemas(folder))
    wrapper = etree.XML(_WRAPPER, parser)
    try:
        schema = etree.XMLSchema(wrapper)
    except etree.XMLSchemaParseError as exc:
        raise UsageError(f"the schemas do not load: {exc}", file=str(folder)) from exc
    probe = etree.XMLSchema(wrapper)  # a wrapper whose imports failed rejects every root
    for root in (f"{{{METS_NS}}}mets", f"{{{PREMIS_NS}}}premis"):
        if "No matching global declaration" in _errors(probe, etree.Element(root)):
            raise UsageError("the schemas did not resolve (no METS or PREMIS declarations)",
                             file=str(folder))
    return schema


def _errors(schema: etree.XMLSchema, element: etree._Element) -> str:
    schema.validate(element)
    return " ".join(str(e.message) for e in cast(Any, schema.error_log))


def problems(document: etree._ElementTree | etree._Element, folder: Path) -> list[str]:
    """Every violation of the schemas, as ``line N: message`` strings (empty: valid)."""
    schema = load(folder)
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in cast(Any, schema.error_log)]


def validate_file(path: Path, folder: Path | None = None) -> None:
    """Raise :class:`ValidationError` unless the METS or PREMIS file at ``path`` is valid."""
    resolved = schema_folder(folder)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        tree = etree.parse(str(path), parser)
    except (OSError, etree.XMLSyntaxError) as exc:
        raise ValidationError(f"not readable XML: {exc}", file=str(path)) from exc
    found = problems(tree, resolved)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise ValidationError(found[0] + more, found, file=str(path))
