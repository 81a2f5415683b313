"""roc-validator without a network (no tests here): docs/repositories.md explains the recipe.

roc-validator fetches the crate's JSON-LD ``@context`` through a requests-cache session (SQLite);
in offline mode it answers only from that cache, so a missing context is a REQUIRED-level
failure. :func:`fill_cache` stores the RO-Crate 1.3 context that ships inside the ``rocrate``
package under its URL, through a transport that answers from local bytes (no socket is opened);
:func:`validate_crate` then runs the validator offline against that cache.
"""

from __future__ import annotations

import io
from importlib.resources import files
from pathlib import Path
from typing import Any

import requests
import urllib3
from requests.adapters import BaseAdapter, HTTPAdapter
from requests_cache import CachedSession
from rocrate_validator import services
from rocrate_validator.models import Severity, ValidationSettings

CONTEXT_URL = "https://w3id.org/ro/crate/1.3/context"


class _LocalFiles(BaseAdapter):  # type: ignore[misc]
    """A transport that answers GET for known URLs from bytes in memory."""

    def __init__(self, documents: dict[str, bytes]) -> None:
        super().__init__()
        self.documents = documents

    def send(self, request: Any, **_kwargs: Any) -> requests.Response:
        body = self.documents.get(request.url)
        if body is None:
            raise requests.ConnectionError(f"no local copy of {request.url}")
        raw = urllib3.HTTPResponse(body=io.BytesIO(body), status=200, preload_content=False,
                                   headers={"Content-Type": "application/ld+json"})
        return HTTPAdapter().build_response(request, raw)

    def close(self) -> None:
        pass


def context_document() -> bytes:
    """The RO-Crate 1.3 JSON-LD context, as the ``rocrate`` package ships it."""
    return files("rocrate").joinpath("data/ro-crate.jsonld").read_bytes()


def fill_cache(cache: Path) -> Path:
    """Store the 1.3 context in a requests-cache SQLite cache named ``cache`` (the path
    without ``.sqlite``, as roc-validator's ``--cache-path`` takes it), with the session settings
    roc-validator uses (GET, codes 200/302/404, never expiring)."""
    cache.parent.mkdir(parents=True, exist_ok=True)
    session = CachedSession(cache_name=str(cache), backend="sqlite", expire_after=-1,
                            allowable_methods=("GET",), allowable_codes=(200, 302, 404))
    session.mount("https://", _LocalFiles({CONTEXT_URL: context_document()}))
    session.get(CONTEXT_URL).raise_for_status()
    session.close()
    return cache


def validate_crate(root: Path, cache: Path) -> list[str]:
    """roc-validator's REQUIRED-level issues for the crate whose root is ``root`` (offline)."""
    settings = ValidationSettings(rocrate_uri=str(root), offline=True, cache_path=cache,
                                  requirement_severity=Severity.REQUIRED)
    result = services.validate(settings)
    issues = [f"{issue.severity.name} {issue.check.identifier}: {issue.message}"
              for issue in result.get_issues()]
    if not result.passed() and not issues:
        issues.append("roc-validator did not pass the crate (no issue given)")
    return issues
