"""Load and apply the canonical schema (``schemas/article.schema.json``, JSON Schema 2020-12).

The schema ships inside the wheel as ``converter/schemas/``; in a source checkout it is read from
the top-level ``schemas/`` folder. Errors name the JSON path and the rule, for example
``body[3].speaker: 'speaker' is a required property``.

Two validators, one schema: fastjsonschema compiles the schema to Python (about 200 ms, once per
process) and then checks a document about 17 times faster than jsonschema, which matters in
batches; a process that validates only a document or two (one file from the command line) is
quicker with jsonschema alone. When the compiled validator rejects a document, jsonschema (the
reference implementation) lists every violation with its path. A test holds the two to the same
verdicts.
"""

from __future__ import annotations

import functools
import itertools
import json
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConverterError, InputError, SchemaError
from .article import SCHEMA_VERSION, Article

SCHEMA_FILE = "article.schema.json"


def schema_text(name: str = SCHEMA_FILE) -> str:
    """The text of a schema file shipped with the package."""
    packaged = resources.files("converter").joinpath("schemas").joinpath(name)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[2] / "schemas" / name
    return checkout.read_text(encoding="utf-8")


@functools.cache
def article_schema() -> dict[str, Any]:
    """The canonical schema as a dict (loaded once)."""
    return json.loads(schema_text())  # type: ignore[no-any-return]


@functools.cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(article_schema())


@functools.cache
def _fast_validator() -> Any:
    import fastjsonschema

    return fastjsonschema.compile(article_schema())


#: documents this process validates with jsonschema before compiling the fast validator
COMPILE_AFTER = 3
_validated = itertools.count()


def prepare_fast_validation() -> None:
    """Compile the fast validator now (a batch does it before forking its workers)."""
    _fast_validator()


def _compiled_validator() -> Any | None:
    """The compiled validator, once it pays: compiled already, or a few documents in."""
    if _fast_validator.cache_info().currsize or next(_validated) >= COMPILE_AFTER:
        return _fast_validator()
    return None


def json_path(parts: Any) -> str:
    """``['body', 3, 'speaker']`` -> ``body[3].speaker``."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def schema_errors(document: Any) -> list[str]:
    """Every violation of the schema as ``path: message``, in document order."""
    errors = []
    for error in _validator().iter_errors(document):
        path = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.validator_value, list):
            missing = [p for p in error.validator_value if isinstance(error.instance, dict)
                       and p not in error.instance]
            if missing:
                path.append(missing[0])
        errors.append((path, f"{json_path(path)}: {error.message}"))
    errors.sort(key=lambda e: [str(p).zfill(8) if isinstance(p, int) else p for p in e[0]])
    return [message for _, message in errors]


def check_version(document: Any) -> None:
    """Reject documents of another major schema version with a message saying which."""
    if not isinstance(document, dict):
        raise SchemaError("(document): not a JSON object")
    version = document.get("schema_version")
    if not isinstance(version, str):
        raise SchemaError("schema_version: missing; this converter reads schema "
                          f"{SCHEMA_VERSION.split('.')[0]}.x")
    major = version.split(".")[0]
    if major != SCHEMA_VERSION.split(".")[0]:
        raise SchemaError(f"schema_version: document is schema {version}, this converter reads "
                          f"schema {SCHEMA_VERSION.split('.')[0]}.x (it writes {SCHEMA_VERSION})")


#: how deep the canonical JSON of an article may nest (objects and arrays). Every stage after
#: reading recurses over the tree; this keeps them all far inside Python's recursion limit
#: (a list in a list is 3 levels, emphasis in emphasis 2), so that the same input gives the same
#: result wherever it runs, instead of a RecursionError that depends on the caller's stack.
MAX_DEPTH = 128
TOO_DEEP = (f"the article nests too deeply: more than {MAX_DEPTH} levels of lists, quotes or "
            "emphasis inside one another (the converter's limit)")


def check_depth(document: Any) -> None:
    """Raise :class:`InputError` when the document nests deeper than :data:`MAX_DEPTH`."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(TOO_DEEP)
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, dict | list))


def validate_document(document: Any, *, file: str | None = None) -> None:
    """Raise :class:`SchemaError` listing every violation, or return quietly."""
    try:
        check_version(document)
        check_depth(document)
    except ConverterError as exc:
        exc.file = file
        raise
    fast = _compiled_validator()
    if fast is None:
        errors = schema_errors(document)
        if not errors:
            return
    else:
        import fastjsonschema

        try:
            fast(document)
            return
        except fastjsonschema.JsonSchemaException as exc:
            errors = schema_errors(document) or [str(exc)]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise SchemaError(errors[0] + more, errors, file=file)


def validate_article(article: Article) -> None:
    """Validate a model object through its JSON form."""
    file = article.provenance.file_name if article.provenance else None
    validate_document(article.to_dict(), file=file)


def load_article(document: Any, *, file: str | None = None) -> Article:
    """Validate a JSON document and build the model from it."""
    validate_document(document, file=file)
    return Article.from_dict(document)
