"""Validate JATS XML against the official NISO JATS DTDs (ANSI/NISO Z39.96), offline.

The DTDs live in a local folder with an OASIS XML catalog (``catalog.xml``, OASIS XML Catalogs 1.1):
``--jats-dtd``/:attr:`WriteOptions.jats_dtd`, else ``$CONVERTER_JATS_DTD``. Nothing is ever fetched:
an :class:`lxml.etree.Resolver` maps public and system identifiers to files of that folder through
the catalog, refuses everything else, and the parser runs with ``no_network=True``.

Which DTD: the one the document's DOCTYPE names when the catalog has it; otherwise (NLM 3.0,
JATS 1.0-1.2, no DOCTYPE) the JATS Archiving and Interchange DTD of 1.3 (or 1.4 when the document
says so), with MathML 3 or OASIS tables when its public identifier asks for them: Archiving is the
most permissive tag set, so it accepts what the older Publishing and Archiving DTDs accepted.

Each DTD is loaded once per process and reused (loading takes tens of milliseconds, validating a
document about one). Documents are parsed without loading any DTD and without resolving entities;
entity references must be ones the DTD declares.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ...errors import InputError, UsageError, ValidationError
from .vocabulary import PUBLIC_ID

ENV_VAR = "CONVERTER_JATS_DTD"
CATALOG_NS = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"
#: the DTD the JATS writer targets, and the default for documents the catalog does not know
DEFAULT_PUBLIC_ID = PUBLIC_ID
_ARCHIVING = "Journal Archiving and Interchange DTD"
#: problems reported per document before the list is cut short
MAX_PROBLEMS = 50


def find_dtd_dir(dtd_dir: Path | None = None) -> Path:
    """The DTD folder: the argument, else ``$CONVERTER_JATS_DTD``; it must hold catalog.xml."""
    if dtd_dir is None:
        env = os.environ.get(ENV_VAR, "").strip()
        if not env:
            raise UsageError(f"no JATS DTD folder: pass --jats-dtd DIR or set {ENV_VAR}=DIR "
                             "(a folder with catalog.xml and the JATS DTDs)")
        dtd_dir = Path(env)
    if not (dtd_dir / "catalog.xml").is_file():
        raise UsageError(f"{dtd_dir}: not a JATS DTD folder (no catalog.xml); pass --jats-dtd DIR "
                         f"or set {ENV_VAR}")
    return dtd_dir.resolve()


@dataclass(frozen=True)
class Catalog:
    """The entries of an OASIS XML catalog that JATS needs: public ids and system-id rewrites."""

    root: Path
    public: dict[str, Path]
    system: dict[str, Path]
    rewrites: tuple[tuple[str, Path], ...]

    def resolve(self, public_id: str | None, system_id: str | None) -> Path | None:
        """The local file for an identifier pair, or None when it is not in the folder."""
        if public_id and public_id in self.public:
            return self.public[public_id]
        if not system_id:
            return None
        if system_id in self.system:
            return self.system[system_id]
        for prefix, target in self.rewrites:
            if system_id.startswith(prefix):
                return target / system_id[len(prefix):]
        path = Path(system_id.removeprefix("file://"))
        if path.is_absolute() and path.resolve().is_relative_to(self.root):
            return path.resolve()
        return None

    def archiving_dtd(self, version: str, *, mathml3: bool, oasis: bool) -> Path:
        """The Archiving and Interchange DTD of a version (``1.3``, ``1.4``) and flavour."""
        for public_id, path in self.public.items():
            if (_ARCHIVING in public_id and f" v{version} " in public_id
                    and ("MathML3" in public_id) == mathml3 and ("OASIS" in public_id) == oasis):
                return path
        raise UsageError(f"{self.root}: the catalog has no JATS {version} Archiving DTD")


@functools.cache
def load_catalog(dtd_dir: Path) -> Catalog:
    """Read ``catalog.xml`` once per folder (paths in it are relative to the catalog)."""
    path = dtd_dir / "catalog.xml"
    try:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True,
                                                      load_dtd=False))
    except (OSError, etree.XMLSyntaxError) as exc:
        raise UsageError(f"{path}: unreadable XML catalog: {exc}") from exc
    public: dict[str, Path] = {}
    system: dict[str, Path] = {}
    rewrites: list[tuple[str, Path]] = []
    for entry in tree.getroot().iter(f"{CATALOG_NS}public", f"{CATALOG_NS}system",
                                     f"{CATALOG_NS}rewriteSystem"):
        local = etree.QName(entry).localname
        if local == "public":
            public[entry.get("publicId", "")] = (dtd_dir / entry.get("uri", "")).resolve()
        elif local == "system":
            system[entry.get("systemId", "")] = (dtd_dir / entry.get("uri", "")).resolve()
        else:
            rewrites.append((entry.get("systemIdStartString", ""),
                             (dtd_dir / entry.get("rewritePrefix", "")).resolve()))
    return Catalog(dtd_dir, public, system, tuple(rewrites))


class CatalogResolver(etree.Resolver):
    """Resolve DTD modules and entity sets from the catalog's folder; refuse everything else.

    A refused identifier resolves to an empty document, so an external entity in a hostile file
    reads as nothing instead of reaching the file system or the network.
    """

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog

    def resolve(self, system_url: str | None, public_id: str | None,  # type: ignore[override]
                context: object) -> object:
        path = self.catalog.resolve(public_id, system_url)
        if path is not None and path.is_file() and path.is_relative_to(self.catalog.root):
            return self.resolve_filename(str(path), context)  # type: ignore[attr-defined]
        return self.resolve_string("", context)  # type: ignore[call-arg]


@dataclass
class LoadedDtd:
    """A parsed DTD, its declared entity names, and a lock (lxml's DTD keeps an error log)."""

    dtd: etree.DTD
    entities: frozenset[str]
    lock: threading.Lock


_load_lock = threading.Lock()


@functools.cache
def _load(dtd_dir: Path, dtd_path: Path) -> LoadedDtd:
    catalog = load_catalog(dtd_dir)
    parser = etree.XMLParser(load_dtd=True, no_network=True, resolve_entities=True,
                             huge_tree=False)
    parser.resolvers.add(CatalogResolver(catalog))
    stub = f'<!DOCTYPE article SYSTEM "{dtd_path.as_uri()}"><article/>'.encode()
    try:
        dtd = etree.fromstring(stub, parser).getroottree().docinfo.externalDTD
    except etree.XMLSyntaxError as exc:
        raise UsageError(f"{dtd_path}: cannot load the DTD: {exc}") from exc
    if dtd is None:
        raise UsageError(f"{dtd_path}: cannot load the DTD")
    names = frozenset(e.name for e in dtd.entities() if e.name)  # type: ignore[union-attr]
    return LoadedDtd(dtd, names, threading.Lock())


def load_dtd(dtd_dir: Path | None = None, public_id: str = DEFAULT_PUBLIC_ID) -> etree.DTD:
    """The DTD for a public identifier, loaded once per process."""
    folder = find_dtd_dir(dtd_dir)
    path = load_catalog(folder).resolve(public_id, None)
    if path is None:
        raise UsageError(f"{folder}: the catalog has no DTD for {public_id!r}")
    return _loaded(folder, path).dtd


def character_entity(name: str, dtd_dir: Path | None = None) -> str | None:
    """The text of a character entity the JATS DTD declares (ISO 8879 and 9573-13 sets), if any.

    None when there is no DTD folder (``dtd_dir`` or ``$CONVERTER_JATS_DTD``) or no such entity.
    """
    try:
        folder = find_dtd_dir(dtd_dir)
    except UsageError:
        return None
    return _character_entities(folder).get(name)


@functools.cache
def _character_entities(folder: Path) -> dict[str, str]:
    path = load_catalog(folder).resolve(DEFAULT_PUBLIC_ID, None)
    if path is None:
        return {}
    out = {}
    for decl in _loaded(folder, path).dtd.entities():  # type: ignore[attr-defined]
        text = re.sub(r"&#x([0-9A-Fa-f]+);", lambda m: chr(int(m.group(1), 16)),
                      decl.content or "")
        if decl.name and 0 < len(text) <= 4 and not text.isspace() and "&" not in text:
            out[decl.name] = text  # a character, not a parameter entity's content model
    return out


def _loaded(folder: Path, path: Path) -> LoadedDtd:
    with _load_lock:  # one thread loads, the others wait for the cached result
        return _load(folder, path)


def choose_dtd(catalog: Catalog, public_id: str | None, system_id: str | None,
               dtd_version: str | None) -> Path:
    """The DTD a document is validated against (see the module docstring)."""
    named = catalog.resolve(public_id, system_id)
    if named is not None and named.suffix == ".dtd" and named.is_file():
        return named
    label = public_id or ""
    version = "1.4" if "v1.4" in label or (dtd_version or "").startswith("1.4") else "1.3"
    return catalog.archiving_dtd(version, mathml3="MathML3" in label, oasis="OASIS" in label)


def parse_for_validation(data: bytes) -> etree._ElementTree:
    """Parse without loading DTDs or resolving entities (entity references stay as nodes)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_blank_text=False)
    try:
        return etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        raise ValidationError(f"not well-formed XML: {exc}") from exc


def tree_problems(tree: etree._ElementTree, dtd_dir: Path | None = None) -> list[str]:
    """Every DTD violation of a parsed document, as ``line N: message`` strings."""
    folder = find_dtd_dir(dtd_dir)
    catalog = load_catalog(folder)
    info = tree.docinfo
    root = tree.getroot()
    loaded = _loaded(folder, choose_dtd(catalog, info.public_id,
                                        info.system_url,  # type: ignore[attr-defined]
                                        root.get("dtd-version")))
    with loaded.lock:
        valid = loaded.dtd.validate(tree)
        problems = [] if valid else [f"line {e.line}: {e.message}"
                                     for e in loaded.dtd.error_log]  # type: ignore[attr-defined]
    if root.tag != "article":  # the DTD checks elements, not which one is the document's root
        problems.insert(0, f"line {root.sourceline}: the root element is <{root.tag}>, not "
                        "<article>: a JATS fragment, not a JATS document")
    internal = info.internalDTD
    declared = loaded.entities | (frozenset(
        e.name for e in internal.entities() if e.name)  # type: ignore[attr-defined]
        if internal is not None else frozenset())
    for node in root.iter(etree.Entity):
        name = node.name  # type: ignore[attr-defined]
        if name not in declared:
            problems.append(f"line {node.sourceline}: entity '&{name};' is not declared "
                            "in the DTD")
    return _cut(problems)


def _cut(problems: Iterable[str]) -> list[str]:
    out = list(problems)
    if len(out) > MAX_PROBLEMS:
        out = [*out[:MAX_PROBLEMS], f"... and {len(out) - MAX_PROBLEMS} more problems"]
    return out


def validate_jats_bytes(data: bytes, dtd_dir: Path | None = None, *,
                        file: str | None = None) -> None:
    """Raise ValidationError (one problem per line of its message) unless ``data`` is valid."""
    try:
        tree = parse_for_validation(data)
    except ValidationError as exc:
        raise (exc.located(file) if file else exc) from exc.__cause__
    problems = tree_problems(tree, dtd_dir)
    if problems:
        raise ValidationError("\n".join(problems), file=file)


def validate_jats_file(path: Path, dtd_dir: Path | None = None) -> None:
    """Validate one JATS file against its DTD (``converter validate --jats``)."""
    folder = find_dtd_dir(dtd_dir)  # a usage problem comes first, before any file is read
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from exc
    validate_jats_bytes(data, folder, file=str(path))
