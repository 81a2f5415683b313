"""The documentation keeps up with the code: every schema field is documented."""

from __future__ import annotations

from pathlib import Path

from converter.model.schema import article_schema

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_schema_reference_documents_every_definition_and_field() -> None:
    text = (DOCS / "schema.md").read_text(encoding="utf-8")
    for name, definition in article_schema()["$defs"].items():
        assert f"### {name}\n" in text, f"docs/schema.md lacks {name}"
        section = text.split(f"### {name}\n", 1)[1].split("\n### ", 1)[0]
        for field in definition.get("properties", {}):
            if name not in ("Block", "Inline"):
                assert f"| `{field}` |" in section, f"docs/schema.md lacks {name}.{field}"
