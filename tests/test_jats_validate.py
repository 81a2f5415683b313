"""``converter validate --jats`` and converter.formats.jats.validate: real DTDs, via catalog.xml."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA
from typer.testing import CliRunner

from converter.cli import app
from converter.errors import InputError, UsageError, ValidationError
from converter.formats.jats.validate import (
    choose_dtd,
    find_dtd_dir,
    load_catalog,
    validate_jats_bytes,
    validate_jats_file,
)

INVALID = DATA / "jats" / "invalid.xml"


def test_valid_and_invalid_files(corpus: Path, jats_dtd: Path) -> None:
    validate_jats_file(corpus / "jats/elife00240.xml", jats_dtd)
    with pytest.raises(ValidationError) as caught:
        validate_jats_file(INVALID, jats_dtd)
    problems = caught.value.message.splitlines()
    assert caught.value.file == str(INVALID)
    assert all(p.startswith("line ") for p in problems)
    text = "\n".join(problems)
    assert "Element article content does not follow the DTD" in text
    assert "interview-turn" in text
    assert "speech" in text  # a turn without a paragraph


def test_not_well_formed_and_unreadable(jats_dtd: Path, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="not well-formed"):
        validate_jats_bytes(b"<article><front>", jats_dtd)
    with pytest.raises(InputError, match=r"no such file|cannot read"):
        validate_jats_file(tmp_path / "missing.xml", jats_dtd)


def test_a_fragment_is_not_a_document(corpus: Path, jats_dtd: Path) -> None:
    with pytest.raises(ValidationError, match="root element is <table-wrap>"):
        validate_jats_file(corpus / "pandoc-tests/planets.jats_archiving", jats_dtd)


def test_undeclared_entity_is_a_problem(jats_dtd: Path) -> None:
    head = (b'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and '
            b'Interchange DTD v1.3 20210610//EN" "JATS-archivearticle1-3.dtd">')
    body = (b"<article><front><article-meta><title-group><article-title>A%sB</article-title>"
            b"</title-group></article-meta></front></article>")
    validate_jats_bytes(head + body % b"&mdash;", jats_dtd)  # the DTD declares it
    with pytest.raises(ValidationError, match="&nosuch;"):
        validate_jats_bytes(head + body % b"&nosuch;", jats_dtd)


def test_dtd_folder_from_option_or_environment(jats_dtd: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONVERTER_JATS_DTD", raising=False)
    with pytest.raises(UsageError, match="CONVERTER_JATS_DTD"):
        find_dtd_dir(None)
    with pytest.raises(UsageError, match=r"catalog\.xml"):
        find_dtd_dir(tmp_path)
    monkeypatch.setenv("CONVERTER_JATS_DTD", str(jats_dtd))
    assert find_dtd_dir(None) == jats_dtd.resolve()


def test_which_dtd(jats_dtd: Path) -> None:
    catalog = load_catalog(jats_dtd.resolve())
    nlm3 = choose_dtd(catalog, "-//NLM//DTD Journal Publishing DTD v3.0 20080202//EN",
                      "journalpublishing3.dtd", "3.0")
    assert nlm3.name == "JATS-archivearticle1-3.dtd"
    mathml3 = choose_dtd(catalog, "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange "
                                  "DTD with MathML3 v1.2 20190208//EN", None, "1.2")
    assert mathml3.name == "JATS-archivearticle1-3-mathml3.dtd"
    named = choose_dtd(catalog, "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.4 "
                                "20241031//EN", None, "1.4")
    assert named.name == "JATS-journalpublishing1-4.dtd"
    by_url = choose_dtd(catalog, None,
                        "https://jats.nlm.nih.gov/archiving/1.4/JATS-archivearticle1-4.dtd", None)
    assert by_url.name == "JATS-archivearticle1-4.dtd"
    assert choose_dtd(catalog, None, None, "1.4").name == "JATS-archivearticle1-4.dtd"


# --------------------------------------------------------------------------- the command line


def test_cli_valid_file(corpus: Path, jats_dtd: Path) -> None:
    source = corpus / "jats/journal.pmed.0030205.xml"
    result = CliRunner().invoke(app, ["validate", "--jats", str(source),
                                      "--jats-dtd", str(jats_dtd)])
    assert result.exit_code == 0, result.output
    assert f"{source}: valid" in result.output


def test_cli_invalid_file_one_line_per_problem(corpus: Path, jats_dtd: Path) -> None:
    good = corpus / "jats/elife00270.xml"
    result = CliRunner().invoke(app, ["validate", "--jats", str(INVALID), str(good)],
                                env={"CONVERTER_JATS_DTD": str(jats_dtd)})
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(str(INVALID))]
    assert len(lines) >= 3
    assert all(line.startswith(f"{INVALID}: line ") for line in lines)
    assert f"{good}: valid" in result.output  # the other file is still checked


def test_cli_without_dtd_folder_is_a_usage_error(corpus: Path) -> None:
    result = CliRunner().invoke(app, ["validate", "--jats", str(corpus / "jats/elife00270.xml")],
                                env={"CONVERTER_JATS_DTD": ""})
    assert result.exit_code == 2
    assert "CONVERTER_JATS_DTD" in result.output
