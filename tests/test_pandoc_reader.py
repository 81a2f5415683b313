"""The pandoc reader on real documents: detection, mapping, media, errors and the safety limits."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, require

from converter import model as m
from converter.errors import InputError, UsageError
from converter.options import ReadOptions
from converter.pandoc.formats import PANDOC_INPUT_FORMATS
from converter.pandoc.run import one_line, pandoc_path
from converter.pipeline import parse, parse_bytes
from converter.readers.pandoc import PandocReader, input_format, sniff_format

HERE = DATA / "pandoc"


def walk(node: Any) -> list[Any]:
    """Every model node under ``node`` (dataclasses and lists), depth first."""
    out = [node]
    if isinstance(node, list):
        return [n for item in node for n in walk(item)]
    if hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            if name != "resources":
                out.extend(walk(getattr(node, name)))
    return out


def images(article: m.Article) -> list[m.Image]:
    return [n for n in walk(article.body) if isinstance(n, m.Image)]


def test_docx_metadata_body_and_media(corpus: Path) -> None:
    source = require(corpus / "real-world/docling/word_sample.docx", "word_sample.docx")
    article = parse(source)
    assert (article.title, article.subtitle) == ("Swimming in the lake", "Summer activities")
    assert [c.name for c in article.contributors] == ["Duck"]
    (resource,) = article.media
    data = article.resources[resource.path]
    assert resource.path == f"media/{hashlib.sha1(data).hexdigest()}.png"
    assert resource.media_type == "image/png" and resource.size == len(data)
    assert resource.sha256 == hashlib.sha256(data).hexdigest()
    assert data.startswith(b"\x89PNG")
    assert resource.alt and "duck" in resource.alt
    figure = article.body[0]
    assert isinstance(figure, m.Figure)
    assert [i.url for i in images(article)] == [resource.path]
    assert "cute duckling" in m.block_text(figure.caption)
    assert article.provenance and article.provenance.format == "docx"
    assert article.provenance.reader == "pandoc"


@pytest.mark.parametrize(("name", "fmt"), [
    ("pandoc-tests/lists.docx", "docx"), ("pandoc-tests/imageWithCaption.odt", "odt"),
    ("pandoc-tests/wasteland.epub", "epub"), ("real-world/epub3-samples/epub30-spec.epub", "epub"),
    ("pandoc-tests/writer.latex", "latex"),
])
def test_formats_are_recognised_by_content(corpus: Path, name: str, fmt: str) -> None:
    data = require(corpus / name, name).read_bytes()
    assert sniff_format(data) == fmt
    assert input_format(data, ReadOptions(file_name="no-extension")) == fmt


def test_content_sniffing_through_the_pipeline(corpus: Path) -> None:
    data = require(corpus / "pandoc-tests/notes.docx", "notes.docx").read_bytes()
    article = parse_bytes(data, ReadOptions(file_name="attachment.bin"))
    assert article.provenance and article.provenance.format == "docx"
    assert any(isinstance(n, m.Note) for n in walk(article.body))


def test_sniffing_claims_nothing_else() -> None:
    for data in (b"# Markdown\n", b"<html></html>", b'{"schema_version": "1.0"}', b"PK\x03\x04x",
                 b"<?xml version='1.0'?><article><front/></article>", b""):
        assert sniff_format(data) is None


@pytest.mark.parametrize(("forced", "expected"), [
    ("pandoc:markdown", "markdown"), ("pandoc:gfm+smart", "gfm+smart"), ("rst", "rst"),
    ("pandoc", "org")])
def test_from_overrides_detection(forced: str, expected: str) -> None:
    options = ReadOptions(file_name="notes.org", format=forced)
    assert input_format(b"* heading\n", options) == expected


def test_an_unknown_pandoc_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="pandoc cannot read 'nonsense'"):
        input_format(b"x", ReadOptions(format="pandoc:nonsense"))


def test_undetectable_input_says_how_to_name_the_format() -> None:
    with pytest.raises(InputError, match="--from pandoc:FMT"):
        PandocReader().read(b"just words", ReadOptions(file_name="x.unknown"))


def test_pandoc_markdown_with_a_speech_div() -> None:
    article = parse(HERE / "interview.md", ReadOptions(format="pandoc:markdown"))
    assert article.title == "An interview"
    assert [c.name for c in article.contributors] == ["Ann Reporter"]
    assert article.dates == {"published": "2013-04-05"} and article.language == "en"
    assert article.subjects == {"keywords": ["serbia", "media"]}
    speeches = [b for b in article.body if isinstance(b, m.Speech)]
    assert [(s.speaker, s.speaker_role) for s in speeches] == [
        ("Ann Reporter", "interviewer"), ("Bo Guest", "interviewee")]
    assert m.block_text(speeches[1].blocks).startswith("Thank you")
    assert article.extra == {"series": "Conversations"}


def test_latin1_text_is_decoded_first() -> None:
    article = parse(HERE / "latin1.rst")
    assert article.title == "Café société"
    assert article.provenance and article.provenance.encoding
    assert "encoding" in [d.code for d in article.provenance.diagnostics]


def test_a_parse_error_is_one_line_with_pandocs_message(corpus: Path) -> None:
    source = require(corpus / "pandoc-tests/writer.org", "writer.org")
    with pytest.raises(InputError) as caught:
        parse(source)
    message = str(caught.value)
    assert "\n" not in message
    assert message == (f"{source}: pandoc could not read the input as org: Error at (line 639, "
                       "column 13): unexpected '\\n'; expecting block")


def test_not_a_docx_is_a_clear_error() -> None:
    with pytest.raises(InputError, match=r"^pandoc could not read the input as docx: .*docx"):
        PandocReader().read(b"plain text, not a zip", ReadOptions(format="docx"))


def test_the_time_limit_stops_pandoc(corpus: Path) -> None:
    data = require(corpus / "real-world/epub3-samples/epub30-spec.epub", "epub30-spec").read_bytes()
    with pytest.raises(InputError, match=r"stopped after the 0\.001-second time limit"):
        PandocReader().read(data, ReadOptions(file_name="spec.epub", pandoc_timeout=0.001))


def test_oversized_input_is_refused_before_pandoc_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_process(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("pandoc must not start")

    monkeypatch.setattr(subprocess, "run", no_process)
    with pytest.raises(InputError, match="over the 100-byte limit"):
        PandocReader().read(b"x" * 101, ReadOptions(format="rst", max_input_bytes=100))


def test_one_pandoc_process_per_document(monkeypatch: pytest.MonkeyPatch, corpus: Path) -> None:
    calls: list[list[str]] = []
    real = subprocess.run

    def counting(command: list[str], **kwargs: Any) -> Any:
        calls.append(command)
        return real(command, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting)
    parse(require(corpus / "pandoc-tests/block_quotes.docx", "block_quotes.docx"))
    assert len(calls) == 1
    command = calls[0]
    assert command[0] == pandoc_path() and "--sandbox" in command
    assert command[1:4] == ["+RTS", command[2], "-RTS"] and command[2].startswith("-M")


def test_the_sandbox_keeps_local_files_out(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG top secret")
    page = f'<html><body><p>Hi <img src="{secret}" alt="s"> <img src="file://{secret}"></p>'
    article = parse_bytes(page.encode(), ReadOptions(file_name="p.html", format="pandoc:html"))
    assert article.media == [] and article.resources == {}
    assert [i.url for i in images(article)] == [str(secret), f"file://{secret}"]


def test_data_uri_images_in_html_are_carried() -> None:
    article = parse(HERE / "data-uri.html", ReadOptions(format="pandoc:html"))
    (resource,) = article.media
    assert resource.media_type == "image/png" and resource.alt == "one red dot"
    assert [i.url for i in images(article)] == [resource.path]


def test_raw_markup_is_discarded_with_a_diagnostic(corpus: Path) -> None:
    article = parse(require(corpus / "pandoc-tests/rst-reader.rst", "rst-reader.rst"))
    raw = [d for d in article.discarded if d.reason.startswith("raw ")]
    assert raw and all(d.place and d.place.startswith("body[") for d in raw)
    assert "raw-markup" in [d.code for d in article.provenance.diagnostics]  # type: ignore[union-attr]


def table_cells(article: m.Article) -> list[m.TableCell]:
    tables = [b for b in article.body if isinstance(b, m.Table)]
    return [c for t in tables for r in [*t.head, *t.body, *t.foot] for c in r.cells]


def test_table_spans_survive(corpus: Path) -> None:
    article = parse(require(corpus / "real-world/docling/word_tables.docx", "word_tables"))
    spans = [(c.colspan, c.rowspan) for c in table_cells(article) if c.colspan * c.rowspan > 1]
    assert len(spans) == 12
    assert any(rowspan > 1 for _, rowspan in spans) and any(colspan > 1 for colspan, _ in spans)


def test_cells_hold_blocks_and_tables_may_lack_a_head(corpus: Path) -> None:
    article = parse(require(corpus / "real-world/docling/text_document_03.odt", "odt tables"))
    rich = [c for c in table_cells(article)
            if len(c.blocks) > 1 or any(not isinstance(b, m.Paragraph) for b in c.blocks)]
    assert len(rich) == 15
    assert any(isinstance(b, m.BulletList | m.OrderedList) for c in rich for b in c.blocks)
    assert all(not t.head for t in article.body if isinstance(t, m.Table))


def test_the_input_format_list_matches_the_binary() -> None:
    listed = subprocess.run([pandoc_path(), "--list-input-formats"], capture_output=True,
                            check=True, text=True).stdout.split()
    assert set(listed) == PANDOC_INPUT_FORMATS


def test_one_line_messages() -> None:
    assert one_line("Error at (line 3, column 1):\nunexpected x\nexpecting y\nsrc line\n  ^") == (
        "Error at (line 3, column 1): unexpected x; expecting y")
    assert len(one_line("x" * 1000)) == 400


def test_the_sandbox_refuses_latex_includes(tmp_path: Path) -> None:
    secret = tmp_path / "secret.tex"
    secret.write_text("TOPSECRET")
    source = f"\\documentclass{{article}}\\begin{{document}}\nBefore.\n\\input{{{secret}}}\n"
    source += f"\\include{{{secret.with_suffix('')}}}\n\\end{{document}}\n"
    article = parse_bytes(source.encode(), ReadOptions(file_name="x.tex"))
    assert "TOPSECRET" not in article.to_json()
    assert "Before." in m.block_text(article.body)


def test_absurd_nesting_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="nests too deeply"):
        PandocReader().read(b"> " * 3000 + b"deep\n", ReadOptions(format="pandoc:markdown"))
