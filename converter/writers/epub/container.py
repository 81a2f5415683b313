"""The OCF container (EPUB 3.3 section 4, Open Container Format): the ZIP file itself.

``mimetype`` comes first and is stored uncompressed, so a reader can identify the file from its
first bytes (OCF ZIP container, "The mimetype file"); the other entries follow sorted, deflated,
with one fixed time and fixed Unix permissions, so the same book always gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

#: ZIP entry times: DOS dates cover 1980-2107
_ZIP_MIN = datetime(1980, 1, 1, tzinfo=UTC)
_ZIP_MAX = datetime(2107, 12, 31, 23, 59, 58, tzinfo=UTC)


def ocf_container(entries: dict[str, bytes], moment: datetime) -> bytes:
    """The OCF container: ``mimetype`` first and stored, the rest sorted, fixed metadata."""
    moment = min(max(moment.astimezone(UTC), _ZIP_MIN), _ZIP_MAX)
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        names = sorted(name for name in entries if name != "mimetype")
        for name in ["mimetype", *names]:
            info = zipfile.ZipInfo(name, stamp)
            info.create_system = 3  # Unix, so the permissions below mean the same everywhere
            info.external_attr = 0o100644 << 16
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                archive.writestr(info, b"application/epub+zip")
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, entries[name], compresslevel=6)
    return buffer.getvalue()
