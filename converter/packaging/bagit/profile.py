"""Bag profiles: our own BagIt Profile (``schemas/bagit-profile.json``) and APTrust's settings.

Profiles follow the BagIt Profiles specification (bagit-profiles 1.3/1.4). Our bags declare
:data:`PROFILE_IDENTIFIER`; they also meet every rule of the Beyond the Repository profile 1.0.
``profile="aptrust"`` makes bags for APTrust ingest (APTrust BagIt profile 2.3): md5 and sha256
manifests and tag manifests, ``aptrust-info.txt`` (Title, Access, Storage-Option), a tar whose
single top folder is named like the tar, and APTrust's profile identifier.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ...errors import UsageError
from ...model.schema import schema_text
from ...options import BagOptions
from .manifest import BUILD_ALGORITHMS
from .serialize import SERIALIZATIONS

PROFILE_FILE = "bagit-profile.json"
PROFILE_IDENTIFIER = "urn:x-article-converter:bagit-profile:1.0"
APTRUST_IDENTIFIER = ("https://raw.githubusercontent.com/APTrust/preservation-services/master/"
                      "profiles/aptrust-v2.3.json")
#: the checksums both APTrust profiles (official 2.3 and Fedora's 2.2 translation) accept
APTRUST_ALGORITHMS = ("md5", "sha256")
#: aptrust-info.txt values (APTrust's defaults: visible to the depositing institution only)
APTRUST_ACCESS = "Institution"
APTRUST_STORAGE = "Standard"
PROFILES = (None, "aptrust")


@dataclass(frozen=True)
class BagSettings:
    """:class:`BagOptions` checked and resolved against the chosen profile."""

    serialization: str
    algorithms: tuple[str, ...]
    profile_identifier: str
    aptrust: bool


def profile_document() -> dict[str, Any]:
    """Our BagIt Profile as a dict (shipped in the wheel as converter/schemas/)."""
    return json.loads(schema_text(PROFILE_FILE))  # type: ignore[no-any-return]


def resolve(options: BagOptions) -> BagSettings:
    """Validate the bag options (a :class:`UsageError` names the bad value)."""
    serialization = options.serialization.strip().lower()
    if serialization not in SERIALIZATIONS:
        raise UsageError(f"unknown bag serialization {options.serialization!r}; "
                         f"choose one of {', '.join(SERIALIZATIONS)}")
    algorithms: list[str] = []
    for name in options.checksums:
        algorithm = name.strip().lower().replace("-", "")
        if algorithm not in BUILD_ALGORITHMS:
            raise UsageError(f"unsupported bag checksum {name!r}; choose from "
                             f"{', '.join(BUILD_ALGORITHMS)}")
        if algorithm not in algorithms:
            algorithms.append(algorithm)
    if not algorithms:
        raise UsageError("a bag needs at least one checksum algorithm")
    if options.bagging_date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}",
                                                             options.bagging_date):
        raise UsageError(f"bagging date must be YYYY-MM-DD, got {options.bagging_date!r}")
    profile = options.profile.strip().lower() if options.profile else None
    if profile not in PROFILES:
        raise UsageError(f"unknown bag profile {options.profile!r}; the one named profile is "
                         "'aptrust' (leave it unset for our own profile)")
    if profile == "aptrust":
        if serialization not in ("dir", "tar"):
            raise UsageError(f"APTrust accepts bags serialized as tar, not {serialization}")
        return BagSettings("tar", APTRUST_ALGORITHMS, APTRUST_IDENTIFIER, True)
    return BagSettings(serialization, tuple(algorithms), PROFILE_IDENTIFIER, False)
