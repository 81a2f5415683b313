"""The canonical model and its schema: they mirror each other, and every generated article
validates and round-trips through its JSON form."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import typing
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from strategies import BLOCK_STRATEGIES, INLINE_STRATEGIES, articles

from converter import model as m
from converter.errors import SchemaError
from converter.model.schema import article_schema, schema_errors, validate_document

ROOT = Path(__file__).resolve().parent.parent
DEFS = article_schema()["$defs"]
UNIONS = {"Block", "Inline", "Date"}


def test_schema_is_draft_2020_12_with_an_id() -> None:
    schema = article_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("https://")
    assert "schema_version" in DEFS["Article"]["required"]


@pytest.mark.parametrize("cls", m.MODEL_CLASSES, ids=lambda c: c.__name__)
def test_every_model_class_matches_its_schema_definition(cls: type) -> None:
    definition = DEFS[cls.__name__]
    fields = [f.name for f in dataclasses.fields(cls) if f.name != "resources"]
    expected = (["type"] if issubclass(cls, m.Node) else []) + fields
    assert list(definition["properties"]) == expected
    assert definition["additionalProperties"] is False
    required_fields = {f.name for f in dataclasses.fields(cls)
                       if f.default is dataclasses.MISSING
                       and f.default_factory is dataclasses.MISSING}
    assert set(definition.get("required", [])) - {"type", "schema_version"} == required_fields
    if issubclass(cls, m.Node):
        assert definition["properties"]["type"] == {"const": cls.type}


def test_every_schema_definition_has_a_model_class() -> None:
    names = {c.__name__ for c in m.MODEL_CLASSES}
    assert set(DEFS) - UNIONS == names


def test_block_and_inline_unions_list_exactly_the_model_types() -> None:
    assert DEFS["Block"]["properties"]["type"]["enum"] == list(m.BLOCK_TYPES)
    assert DEFS["Inline"]["properties"]["type"]["enum"] == list(m.INLINE_TYPES)


def test_every_schema_node_type_has_a_strategy() -> None:
    assert set(BLOCK_STRATEGIES) == set(DEFS["Block"]["properties"]["type"]["enum"])
    assert set(INLINE_STRATEGIES) == set(DEFS["Inline"]["properties"]["type"]["enum"])


@pytest.mark.parametrize("name", sorted({**BLOCK_STRATEGIES, **INLINE_STRATEGIES}))
@settings(max_examples=5)
@given(data=__import__("hypothesis").strategies.data())
def test_each_node_strategy_yields_its_type(name: str, data: typing.Any) -> None:
    strategy = BLOCK_STRATEGIES[name] if name in BLOCK_STRATEGIES else INLINE_STRATEGIES[name]
    node = data.draw(strategy)
    assert node.type == name


@settings(max_examples=200)
@given(articles(with_provenance=True))
def test_generated_articles_validate_and_round_trip(article: m.Article) -> None:
    document = article.to_dict()
    assert schema_errors(document) == []
    assert m.Article.from_dict(document) == article
    text = article.to_json()
    assert m.Article.from_dict(json.loads(text)).to_json() == text
    assert text.endswith("}\n")


def _mutations(document: dict[str, typing.Any]) -> list[dict[str, typing.Any]]:
    """Ways to break a valid document: unknown key, missing required key, wrong type."""
    broken = []
    for change in ("unknown", "missing", "type"):
        doc = json.loads(json.dumps(document))
        target = doc["body"][-1]
        if change == "unknown":
            target["colour"] = "red"
        elif change == "missing":
            target.pop("type")
        else:
            doc["title"] = 42
        broken.append(doc)
    return broken


@settings(max_examples=50)
@given(articles(with_provenance=True))
def test_fast_and_reference_validators_agree(article: m.Article) -> None:
    """fastjsonschema (used for speed) and jsonschema (used for messages) give one verdict."""
    from converter.model.schema import _fast_validator

    document = article.to_dict()
    _fast_validator()(document)
    assert schema_errors(document) == []
    for broken in _mutations(document):
        assert schema_errors(broken)
        with pytest.raises(SchemaError):
            validate_document(broken)


@settings(max_examples=50)
@given(articles())
def test_content_id_is_stable_and_ignores_provenance(article: m.Article) -> None:
    first = article.content_id()
    article.provenance = m.Provenance(file_name="elsewhere.txt")
    assert article.content_id() == first
    assert first.startswith("urn:uuid:")


def test_unknown_property_is_rejected_except_in_extra() -> None:
    doc = m.Article(title="T", extra={"anything": {"goes": [1, None]}}).to_dict()
    validate_document(doc)
    doc["body"] = [{"type": "paragraph", "content": [], "colour": "red"}]
    assert schema_errors(doc) == [
        "body[0]: Additional properties are not allowed ('colour' was unexpected)"]


def test_errors_name_the_json_path_and_the_rule() -> None:
    doc = m.Article(title="T", body=[m.Paragraph(), m.Paragraph(), m.Paragraph(),
                                     m.Speech(speaker="WPR")]).to_dict()
    del doc["body"][3]["speaker"]
    with pytest.raises(SchemaError) as caught:
        validate_document(doc, file="x.json")
    assert str(caught.value) == "x.json: body[3].speaker: 'speaker' is a required property"


def test_unknown_block_type_is_named() -> None:
    doc = {"schema_version": "1.0", "title": "T", "body": [{"type": "marquee"}]}
    (error,) = schema_errors(doc)
    assert error.startswith("body[0].type: 'marquee' is not one of")


@pytest.mark.parametrize("version", ["2.0", "0.9"])
def test_another_major_schema_version_is_refused_with_a_message(version: str) -> None:
    with pytest.raises(SchemaError, match=f"document is schema {version}, this converter reads "
                                          r"schema 1\.x"):
        validate_document({"schema_version": version, "title": "T"})


def test_a_minor_version_of_the_same_major_is_accepted() -> None:
    validate_document({"schema_version": "1.7", "title": "T"})


def test_partial_dates_are_allowed_and_bad_dates_rejected() -> None:
    for good in ("2013", "2013-04", "2013-04-05", "2013-04-05T10:00:00Z"):
        validate_document(m.Article(title="T", dates={"published": good}).to_dict())
    bad = m.Article(title="T", dates={"published": "April 2013"}).to_dict()
    assert schema_errors(bad)[0].startswith("dates.published: 'April 2013' does not match")


def test_normalize_inlines_is_idempotent_and_canonical() -> None:
    messy: list[m.Inline] = [m.Text("  a \n b"), m.Text(" "), m.Emphasis([m.Text(" x ")]),
                             m.Emphasis([m.Text("y")]), m.LineBreak(), m.Text("  z  ")]
    once = m.normalize_inlines(messy)
    assert once == [m.Text("a b "), m.Emphasis([m.Text("x")]), m.Text(" "),
                    m.Emphasis([m.Text("y")]), m.LineBreak(), m.Text("z")]
    assert m.normalize_inlines(once) == once
    assert m.normalize_inlines([m.Strong([m.Text("a")]), m.Strong([m.Text("b")])]) == [
        m.Strong([m.Text("ab")])]


def test_schema_ships_in_the_wheel_and_loads_from_it(tmp_path: Path) -> None:
    """A wheel install (not the checkout) finds the schema through importlib.resources."""
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("article_converter-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path / "site")
    assert "converter/schemas/article.schema.json" in names
    assert "converter/py.typed" in names
    probe = ("import converter.model.schema as s, pathlib; "
             "assert 'site' in pathlib.Path(s.__file__).parts; "
             "print(s.article_schema()['$id'])")
    out = subprocess.run([sys.executable, "-I", "-c",
                          f"import sys; sys.path[:0] = [{str(tmp_path / 'site')!r}] + "
                          f"[p for p in {sys.path!r} if 'site-packages' in p]; {probe}"],
                         check=True, capture_output=True, text=True, cwd=tmp_path)
    assert out.stdout.strip() == article_schema()["$id"]


def test_the_compiled_validator_is_cached_per_schema_and_survives_a_bad_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fastjsonschema code is compiled once per schema (and fastjsonschema and Python
    version) into the cache; a corrupt cache file is compiled again, and a changed schema gets a
    file of its own, so a stale validator is never used."""
    from converter.model import schema

    monkeypatch.setenv("CONVERTER_CACHE_DIR", str(tmp_path))
    schema._fast_validator.cache_clear()
    try:
        document = m.Article(title="T").to_dict()
        schema.prepare_fast_validation()
        cached = schema._cache_path()
        assert cached.parent == tmp_path and cached.is_file()
        schema._fast_validator()(document)

        cached.write_bytes(b"not marshal data")
        schema._fast_validator.cache_clear()
        schema._fast_validator()(document)
        assert schema._load_cached() is not None  # written again

        original = schema.schema_text()
        monkeypatch.setattr(schema, "schema_text", lambda name="": original + " ")
        assert schema._cache_path() != cached
    finally:
        schema._fast_validator.cache_clear()
