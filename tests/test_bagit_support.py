"""Helpers shared by the BagIt tests (no tests here): small articles, bag builds, re-hashing."""

from __future__ import annotations

import hashlib
import os
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import bagit

from converter.model import Article, Image, MediaResource, Paragraph, Text
from converter.options import BagOptions, WriteOptions
from converter.pipeline import parse, write_package

#: a fixed clock for reproducible bags
EPOCH = "1700000000"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a9d30000000049454e44ae426082")


def source_file(folder: Path, name: str = "article.json", title: str = "A small article",
                text: str = "Hello, bag.") -> Path:
    """A canonical-JSON input (read by the json reader) at ``folder/name``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    document = ('{"schema_version": "1.0", "title": ' + _json(title) + ', "dates": {"published": '
                '"2013-04-05"}, "body": [{"type": "paragraph", "content": [{"type": "text", '
                '"text": ' + _json(text) + "}]}]}\n")
    path.write_bytes(document.encode("utf-8"))
    return path


def _json(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def parsed(path: Path, resources: dict[str, bytes] | None = None) -> Article:
    """Parse an input; optionally attach media files (and an image that shows each)."""
    article = parse(path)
    for key, data in (resources or {}).items():
        article.resources[key] = data
        article.media.append(MediaResource(key, "image/png", len(data),
                                           hashlib.sha256(data).hexdigest()))
        article.body.append(Paragraph([Image(key, [Text("figure")])]))
    return article


def options(source: Path | None, root: Path | None = None, **bag: Any) -> WriteOptions:
    bag.setdefault("renditions", ("json",))
    relative = str(source.relative_to(root)) if source and root else (
        source.name if source else None)
    return WriteOptions(source_path=source, source_relative=relative, bag=BagOptions(**bag))


def build(source: Path, out: Path, name: str = "article.bag",
          resources: dict[str, bytes] | None = None, *, bagit_python: bool = True,
          **bag: Any) -> Path:
    """Parse ``source`` and write its bag as ``out/name``; returns the bag's path.

    Every bag built here is also validated by bagit-python (archives after unpacking), unless
    ``bagit_python`` is false: for names bagit-python cannot read (see test_bagit_build).
    """
    destination = out / name
    write_package(parsed(source, resources), destination, options(source, **bag))
    if bagit_python:
        bagit_validate_any(destination)
    return destination


def bagit_validate_any(bag: Path) -> None:
    """bagit-python's validation of a bag folder, or of an archive after unpacking it."""
    if bag.is_dir():
        bagit_validate(bag)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            bagit_validate(extract_with_tarfile(bag, Path(tmp)))


def bagit_validate(bag_dir: Path) -> None:
    """bagit-python's full validation (it changes the working folder itself; we never do)."""
    cwd = os.getcwd()
    try:
        bagit.Bag(str(bag_dir)).validate()
    finally:
        os.chdir(cwd)


def extract_with_tarfile(archive: Path, into: Path) -> Path:
    """Unpack one of our archives with the standard library, for third-party validators."""
    if archive.suffix == ".zip":
        import zipfile

        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(into)
    else:
        with tarfile.open(archive) as tar:
            tar.extractall(into, filter="data")
    (top,) = list(into.iterdir())
    return top


def rehash_tag_manifests(bag: Path) -> None:
    """Recompute every tag manifest after a deliberate edit (so only that edit remains)."""
    for manifest in bag.glob("tagmanifest-*.txt"):
        algorithm = manifest.name[len("tagmanifest-"):-len(".txt")]
        lines = []
        for line in manifest.read_text(encoding="utf-8").splitlines():
            _, path = line.split("  ", 1)
            digest = hashlib.new(algorithm, (bag / path).read_bytes()).hexdigest()
            lines.append(f"{digest}  {path}\n")
        manifest.write_text("".join(lines), encoding="utf-8")


def rehash_manifest(bag: Path, algorithm: str) -> None:
    """Recompute a payload manifest's checksums (keeping its list of paths)."""
    manifest = bag / f"manifest-{algorithm}.txt"
    lines = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        _, path = line.split("  ", 1)
        digest = hashlib.new(algorithm, (bag / path).read_bytes()).hexdigest()
        lines.append(f"{digest}  {path}\n")
    manifest.write_text("".join(lines), encoding="utf-8")


def tree(root: Path) -> dict[str, tuple[int, int, bytes | None]]:
    """Relative path -> (mode, mtime, bytes or None for folders), links not followed."""
    out: dict[str, tuple[int, int, bytes | None]] = {}
    for folder, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(folder) / name
            st = path.lstat()
            data = path.read_bytes() if name in filenames else None
            out[str(path.relative_to(root))] = (st.st_mode, int(st.st_mtime), data)
    st = root.lstat()
    out["."] = (st.st_mode, int(st.st_mtime), None)
    return out
