"""Every node type through every registered writer: it renders, or the writer says it could not.

A node's marker word must appear in the output; a node without text (horizontal rule, line break)
must change the output. Otherwise the writer has to have recorded a diagnostic naming the node type:
nothing may be dropped silently.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from feature_article import article_with, node_samples

from converter import model as m
from converter.options import BagOptions, OcflOptions, WriteOptions
from converter.pipeline import render, write_package
from converter.registry import PackageWriter, default_registry

SAMPLES = node_samples()
#: the pandoc writer is exercised through one of its formats; the METS writer renders no article
#: body (it describes the files written beside it), so it has no node type to show
WRITERS = [name if name != "pandoc" else "html" for name in default_registry().names("writer")
           if default_registry().info("writer", name).builtin and name != "mets"]
OPTIONS = WriteOptions(bag=BagOptions(renditions=("json", "markdown")),
                       source_path=Path(__file__))


def test_every_schema_node_type_has_a_sample() -> None:
    assert set(SAMPLES) == set(m.BLOCK_TYPES) | set(m.INLINE_TYPES)


def output_text(writer_name: str, article: m.Article, tmp: Path) -> str:
    """The rendition as text: zip members, bag payloads and OCFL content are read and joined."""
    writer = default_registry().writer(writer_name)
    if isinstance(writer, PackageWriter):
        target = tmp / f"out{writer.extension}"
        options = replace(OPTIONS, ocfl=OcflOptions(root=tmp / "ocfl"))
        write_package(article, target, options, writer_name=writer_name)
        folder, part = (tmp / "ocfl", "content") if writer_name == "ocfl" else (target, "data")
        files = sorted(p for p in folder.rglob("*") if p.is_file() and part in p.parts
                       and "original" not in p.parts and "metadata" not in p.parts)
        return "\n".join(p.read_text("utf-8", "replace") for p in files)
    data = render(article, writer_name, OPTIONS)
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "\n".join(zf.read(n).decode("utf-8", "replace") for n in sorted(zf.namelist())
                             if n.endswith((".xhtml", ".xml", ".html", ".opf")))
    return data.decode("utf-8", "replace")


@pytest.mark.parametrize("writer_name", WRITERS)
@pytest.mark.parametrize("node_type", sorted(SAMPLES))
def test_node_type_renders_in_writer(writer_name: str, node_type: str, tmp_path: Path) -> None:
    node = SAMPLES[node_type]
    article = article_with(node)
    text = output_text(writer_name, article, tmp_path / "with")
    diagnostics = article.provenance.diagnostics if article.provenance else []
    said = any(node_type in (d.code + d.message) for d in diagnostics)
    marker = f"mark{node_type.replace('_', '')}"
    if node_type in ("horizontal_rule", "line_break"):
        bare = output_text(writer_name, article_with(node, omit=True), tmp_path / "without")
        assert text != bare or said, f"{writer_name} dropped {node_type} silently"
    else:
        stripped = re.sub(r"<[^>]*>", "", text)  # TeX math renders as one element per letter
        assert marker in text or marker in stripped or said, (
            f"{writer_name} dropped {node_type} silently")
