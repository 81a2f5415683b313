"""The article as Dublin Core columns and back: model.vocabulary.DUBLIN_CORE, identifier_text and
model.metadata.dublin_core, the inverse of apply_overrides (what a metadata.csv row means)."""

from __future__ import annotations

import pytest
from feature_article import feature_article

from converter.model import Article, Contributor, Identifier, Rights, block_text
from converter.model.metadata import apply_overrides, dublin_core, rights_text
from converter.model.vocabulary import DUBLIN_CORE, field_for, identifier, identifier_text


def test_every_column_reads_back_as_its_field() -> None:
    assert [field for field, _ in DUBLIN_CORE] == [
        "title", "authors", "keywords", "abstract", "published", "identifier", "language",
        "rights", "license"]
    for field, column in DUBLIN_CORE:
        assert field_for(column) == field, column


@pytest.mark.parametrize("ident", [
    Identifier("doi", "10.1234/x.5"), Identifier("url", "https://example.org/a"),
    Identifier("urn", "urn:nbn:de:1234"), Identifier("pmid", "123"), Identifier("local", "A-1"),
    Identifier("local", "a:b"), Identifier("uuid", "urn:uuid:0b5a3d5e-2f7c-5a7e-9c1d-1a2b3c4d"),
    Identifier("publisher-id", "00240"), Identifier("handle", "1/2")])
def test_identifier_text_reads_back(ident: Identifier) -> None:
    assert identifier(identifier_text(ident)) == ident


def test_doi_is_written_with_its_scheme() -> None:
    assert identifier_text(Identifier("doi", "10.1/x")) == "doi:10.1/x"


def read_back(article: Article) -> Article:
    """A new article with the Dublin Core columns applied, as a catalog row would be."""
    overrides = {column: values if len(values) > 1 else values[0]
                 for column, values in dublin_core(article) if values}
    empty = Article(title="placeholder")
    apply_overrides(empty, overrides)
    return empty


def test_feature_article_round_trips() -> None:
    article = feature_article()
    columns = dict(dublin_core(article))
    assert columns["dc.creator"] == ["Ana Ruiz"]  # the editor is no creator
    assert columns["dc.subject"] == ["Foreign Policy", "EU", "Europe"]
    back = read_back(article)
    assert back.title == article.title
    assert [c.name for c in back.contributors] == ["Ana Ruiz"]
    assert back.subjects == {"keywords": ["Foreign Policy", "EU", "Europe"]}
    assert block_text(back.abstract) == block_text(article.abstract)
    assert back.dates == {"published": "2013-04-05"}
    assert back.identifiers == article.identifiers
    assert back.language == article.language
    assert back.rights == Rights(statement=rights_text(article),
                                 license_url="https://creativecommons.org/licenses/by/4.0/")


def test_empty_fields_give_empty_columns() -> None:
    article = Article(title="Only a title", contributors=[Contributor("An Editor", "editor")])
    columns = dublin_core(article)
    assert [column for column, _ in columns] == [column for _, column in DUBLIN_CORE]
    assert dict(columns) == {"dc.title": ["Only a title"], "dc.creator": [], "dc.subject": [],
                             "dc.description": [], "dc.date": [], "dc.identifier": [],
                             "dc.language": [], "dc.rights": [], "dcterms.license": []}


def test_rights_text_from_its_parts() -> None:
    article = Article(title="t", rights=Rights(holder="Someone", year="2020"))
    assert rights_text(article) == "© 2020 Someone"
    assert rights_text(Article(title="t", rights=Rights())) is None
