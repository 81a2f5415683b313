"""Metadata that archivists keep beside the articles: sidecar files and a catalog CSV.

* A sidecar is ``<stem>.meta.json`` or ``<stem>.meta.yaml`` (``.meta.yml``) next to an input: one
  JSON object or YAML mapping whose keys are the ``--meta`` keys of :mod:`converter.overrides`
  (``title``, ``date``, ``authors``, ``subjects.topics``, ``dc.creator``, ...). Nested ``dates``
  and ``subjects`` mappings stand for their dotted keys.
* A catalog is a CSV in the style of Archivematica's ``metadata.csv``: a ``filename`` column (paths
  relative to the input root, optionally prefixed ``objects/``) and one column per field, Dublin
  Core names included; a column may repeat (``dc.subject`` twice) to give several values.

Both become override mappings for :class:`converter.options.ReadOptions`; :func:`layer_overrides`
stacks them so that the command line beats the sidecar, which beats the catalog.
"""

from __future__ import annotations

import csv
import io
import posixpath
import stat
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from ..formats.data import loads_json, loads_yaml
from ..model.metadata import is_list_key
from ..options import ReadOptions

#: the largest sidecar read (they hold a few fields)
MAX_SIDECAR_BYTES = 1 << 20

#: the file name endings that mark a sidecar (never converted as an input)
SIDECAR_SUFFIXES = (".meta.json", ".meta.yaml", ".meta.yml")

#: sidecar keys whose nested mapping stands for dotted keys (``dates: {published: ...}``)
_NESTED_PREFIXES = ("dates", "subjects")


def is_sidecar(path: Path) -> bool:
    """Whether ``path`` is named like a sidecar."""
    name = path.name.lower()
    return any(name.endswith(suffix) and len(name) > len(suffix) for suffix in SIDECAR_SUFFIXES)


def sidecars_for(path: Path) -> list[Path]:
    """The sidecars that exist for an input, in precedence order (JSON first).

    A sidecar name too long for the file system simply does not exist."""
    found = []
    for suffix in SIDECAR_SUFFIXES:
        candidate = path.with_name(path.stem + suffix)
        try:
            if stat.S_ISREG(candidate.stat().st_mode):
                found.append(candidate)
        except OSError:
            continue
    return found


def sidecar_stem(path: Path) -> str:
    """The input stem a sidecar belongs to (``foo.meta.yaml`` -> ``foo``)."""
    name = path.name
    for suffix in SIDECAR_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def flatten(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Nested ``dates``/``subjects`` mappings as dotted keys; other values unchanged."""
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        if key.lower() in _NESTED_PREFIXES and isinstance(value, Mapping):
            for sub, item in value.items():
                out[f"{key}.{sub}"] = item
        else:
            out[key] = value
    return out


def load_sidecar(path: Path) -> dict[str, Any]:
    """The overrides in one sidecar file; :class:`InputError` if it is not a mapping."""
    try:
        size = path.stat().st_size
        if size > MAX_SIDECAR_BYTES:
            raise InputError(f"sidecar is {size} bytes, over the {MAX_SIDECAR_BYTES}-byte limit",
                             file=str(path))
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read sidecar: {exc}", file=str(path)) from exc
    if path.name.lower().endswith(".meta.json"):
        try:
            data = loads_json(text)
        except ValueError as exc:
            raise InputError(f"sidecar is not valid JSON: {exc}", file=str(path)) from exc
    else:
        try:
            data = loads_yaml(text)
        except ValueError as exc:
            raise InputError(f"sidecar: {exc}", file=str(path)) from exc
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise InputError(f"sidecar must hold a mapping of fields, not {type(data).__name__}",
                         file=str(path))
    return flatten(data)


def layer_overrides(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """Stack override mappings, later ones winning.

    ``apply_overrides`` applies keys in order, so a later layer's key is moved to the end: that
    way ``author`` from the command line still beats ``dc.creator`` from the catalog.
    """
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            merged.pop(key, None)
            merged[key] = value
    return merged


# --------------------------------------------------------------------------- catalog CSV


def catalog_name(name: str) -> str:
    """A catalog ``filename`` cell as a relative POSIX path (``objects/`` and ``./`` removed)."""
    text = unicodedata.normalize("NFC", name.strip().replace("\\", "/"))
    text = posixpath.normpath(text) if text else text
    while text.startswith("./"):
        text = text[2:]
    if text.startswith("objects/"):
        text = text[len("objects/"):]
    return text


@dataclass(frozen=True)
class CatalogRow:
    """One row of the catalog: the file it names and its overrides."""

    line: int
    filename: str
    overrides: Mapping[str, Any]
    #: problems with this row, reported on the article it applies to
    notes: tuple[str, ...] = ()


@dataclass
class Catalog:
    """A metadata CSV, rows by normalized file name."""

    path: Path
    rows: dict[str, CatalogRow] = field(default_factory=dict)
    #: problems with the file as a whole (duplicate rows, empty names)
    warnings: list[str] = field(default_factory=list)

    def lookup(self, relative: str) -> CatalogRow | None:
        """The row for an input path relative to its root (POSIX separators)."""
        return self.rows.get(unicodedata.normalize("NFC", relative))


def load_catalog(path: Path) -> Catalog:
    """Read a catalog CSV; :class:`UsageError` when it cannot be used at all."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read the catalog: {exc.strerror or exc}", file=str(path)
                         ) from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"the catalog is not UTF-8: {exc.reason} at byte {exc.start}",
                         file=str(path)) from exc
    try:
        table = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise UsageError(f"the catalog is not valid CSV: {exc}", file=str(path)) from exc
    if not table:
        raise UsageError("the catalog is empty", file=str(path))
    header = [h.strip() for h in table[0]]
    lowered = [h.lower() for h in header]
    if "filename" not in lowered:
        raise UsageError("the catalog has no 'filename' column", file=str(path))
    name_col = lowered.index("filename")
    catalog = Catalog(path)
    for line, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        name = catalog_name(cells[name_col]) if name_col < len(cells) else ""
        if not name:
            catalog.warnings.append(f"{path}: line {line}: empty filename; row ignored")
            continue
        overrides, notes = _row_overrides(header, cells, name_col)
        if name in catalog.rows:
            catalog.warnings.append(f"{path}: line {line}: {name} already listed on line "
                                    f"{catalog.rows[name].line}; the later row wins")
        catalog.rows[name] = CatalogRow(line, name, overrides, tuple(notes))
    return catalog


def _row_overrides(header: list[str], cells: list[str], name_col: int
                   ) -> tuple[dict[str, Any], list[str]]:
    """One row's cells by column; repeated columns add up (list fields) or keep the first."""
    values: dict[str, list[str]] = {}
    for index, cell in enumerate(cells):
        column = header[index] if index < len(header) else ""
        if index == name_col or not cell.strip() or not column:
            continue
        values.setdefault(column, []).append(cell.strip())
    overrides: dict[str, Any] = {}
    notes = []
    for column, items in values.items():
        if len(items) == 1:
            overrides[column] = items[0]
        elif is_list_key(column):
            overrides[column] = items
        else:
            overrides[column] = items[0]
            overrides[f"catalog.{column}"] = items
            notes.append(f"column {column} repeated for a single-valued field; kept the first "
                         f"value, all values in extra['catalog.{column}']")
    return overrides, notes


def layered_read(read: ReadOptions, source: Path, display: str, overrides: Mapping[str, Any],
                 catalog_notes: Sequence[str]) -> tuple[ReadOptions, list[tuple[str, str]]]:
    """One input's read options: the catalog row, its sidecar and the command line layered."""
    notes = [("catalog", note) for note in catalog_notes]
    sidecar: dict[str, Any] = {}
    found = sidecars_for(source)
    if found:
        sidecar = load_sidecar(found[0])
        notes += [("sidecar", f"{extra.name} ignored: {found[0].name} takes precedence")
                  for extra in found[1:]]
    layered = replace(read, file_name=display, overrides=layer_overrides(
        overrides, sidecar, read.overrides))
    return layered, notes
