"""The generic pandoc writer: format routing, metadata, speech, media, determinism, safety."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from hypothesis import given, settings
from strategies import PNG, articles

from converter import model as m
from converter.errors import UnknownFormatError, WriterError
from converter.options import ReadOptions, WriteOptions
from converter.pandoc.formats import PANDOC_OUTPUT_FORMATS
from converter.pipeline import render, write_media, write_outputs
from converter.readers.pandoc import read_with_pandoc
from converter.registry import Registry
from converter.writers.pandoc import PandocWriter, extension_for

MEDIA = f"media/{hashlib.sha1(PNG).hexdigest()}.png"


def render_with(fmt: str, article: m.Article, options: WriteOptions) -> bytes:
    return render(article, f"pandoc:{fmt}", options)


def sample() -> m.Article:
    """A small article with every metadata field the pandoc writer maps, a speech and an image."""
    return m.Article(
        id="urn:uuid:12345678-1234-5678-1234-567812345678",
        title="Talking about presses", subtitle="An interview", language="sr-Latn",
        dates={"published": "2013-04-05"},
        contributors=[m.Contributor("Ann Reporter"), m.Contributor("Ed Itor", kind="editor")],
        abstract=[m.Paragraph([m.Text("What the interview is about.")])],
        subjects={"keywords": ["press", "Serbia"], "topics": ["media"]},
        body=[
            m.Heading(1, [m.Text("Start")], "start"),
            m.Speech("Ann Reporter", [m.Paragraph([m.Text("How did it start?")])],
                     "interviewer"),
            m.Figure([m.Paragraph([m.Image(MEDIA, [m.Text("a dot")])])],
                     [m.Paragraph([m.Text("A dot.")])], "fig-1"),
            m.Paragraph([m.Text("Said "), m.Emphasis([m.Text("twice")]),
                         m.Note([m.Paragraph([m.Text("A footnote.")])])]),
        ],
        references=[m.Reference([m.Text("Doe, J. (1999). A book.")], "doe99")],
        media=[m.MediaResource(MEDIA, "image/png", len(PNG), hashlib.sha256(PNG).hexdigest(),
                               "a dot")],
        resources={MEDIA: PNG},
    )


def registry() -> Registry:
    return Registry.default(plugins=False)


@pytest.mark.parametrize(("name", "fmt", "extension"), [
    ("docx", "docx", ".docx"), ("odt", "odt", ".odt"), ("html", "html", ".html"),
    ("latex", "latex", ".tex"), ("rst", "rst", ".rst"), ("pandoc:gfm", "gfm", ".md"),
    ("pandoc:epub3", "epub3", ".epub"), ("typst", "typst", ".typ"), ("org", "org", ".org"),
    ("pandoc:markdown+smart", "markdown+smart", ".md")])
def test_the_registry_routes_pandoc_formats(name: str, fmt: str, extension: str) -> None:
    writer = registry().writer(name)
    assert isinstance(writer, PandocWriter)
    assert (writer.name, writer.extension) == (fmt, extension)


def test_every_pandoc_output_format_has_an_extension() -> None:
    for fmt in PANDOC_OUTPUT_FORMATS:
        assert re.fullmatch(r"(\.[a-z0-9]+)+", extension_for(fmt)), fmt


def test_unknown_format_and_missing_format() -> None:
    with pytest.raises(UnknownFormatError, match="pandoc cannot write 'nonsense'"):
        registry().writer("pandoc:nonsense")
    with pytest.raises(WriterError, match="name a pandoc output format"):
        registry().writer("pandoc").write(sample(), WriteOptions())


def test_html_carries_the_metadata_speech_and_media_path() -> None:
    out = render_with("html", sample(), WriteOptions())
    page = lxml.html.fromstring(out)
    assert page.get("lang") == "sr-Latn"
    assert page.findtext(".//title") == "Talking about presses"
    header = page.get_element_by_id("title-block-header")
    text = " ".join(header.text_content().split())
    for expected in ("Talking about presses", "An interview", "Ann Reporter", "2013-04-05",
                     "What the interview is about."):
        assert expected in text
    metas = {e.get("name"): e.get("content") for e in page.iter("meta")}
    assert metas["keywords"] == "press, Serbia" and metas["author"] == "Ann Reporter"
    (speech,) = page.find_class("speech")
    assert speech.get("data-speaker") == "Ann Reporter"
    assert speech.findtext(".//strong") == "Ann Reporter:"
    (img,) = page.iter("img")
    assert img.get("src") == MEDIA and img.get("alt") == "a dot"
    assert page.get_element_by_id("doe99") is not None


def test_docx_embeds_the_image_and_reads_back() -> None:
    out = render_with("docx", sample(), WriteOptions())
    with zipfile.ZipFile(io.BytesIO(out)) as docx:
        media = [n for n in docx.namelist() if n.startswith("word/media/")]
        assert [docx.read(n) for n in media] == [PNG]
        core = docx.read("docProps/core.xml").decode()
    assert "<dc:title>Talking about presses</dc:title>" in core
    back = read_with_pandoc(out, "docx", ReadOptions())
    assert (back.title, back.subtitle) == ("Talking about presses", "An interview")
    assert [c.name for c in back.contributors] == ["Ann Reporter"]
    assert back.resources and list(back.resources.values()) == [PNG]
    assert "How did it start?" in m.block_text(back.body)


@pytest.mark.parametrize("fmt", ["odt", "epub3"])
def test_containers_embed_the_image(fmt: str) -> None:
    out = render_with(fmt, sample(), WriteOptions())
    with zipfile.ZipFile(io.BytesIO(out)) as container:
        assert PNG in [container.read(n) for n in container.namelist()]
        metadata = container.read("meta.xml" if fmt == "odt" else "EPUB/content.opf").decode()
    assert "Talking about presses" in metadata and "Ann Reporter" in metadata
    back = read_with_pandoc(out, "odt" if fmt == "odt" else "epub", ReadOptions())
    assert "How did it start?" in m.block_text(back.body)


def test_epub_identifier_is_the_article_id() -> None:
    out = render_with("epub3", sample(), WriteOptions())
    with zipfile.ZipFile(io.BytesIO(out)) as epub:
        opf = epub.read("EPUB/content.opf").decode()
    assert "urn:uuid:12345678-1234-5678-1234-567812345678" in opf


@pytest.mark.parametrize("fmt", ["docx", "odt", "epub3", "html", "latex"])
def test_output_is_deterministic(fmt: str) -> None:
    first = render_with(fmt, sample(), WriteOptions())
    second = render_with(fmt, sample(), WriteOptions())
    assert first == second


def test_one_pandoc_process_per_write(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = subprocess.run

    def counting(command: list[str], **kwargs: Any) -> Any:
        calls.append((command, kwargs.get("env")))
        return real(command, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting)
    from datetime import UTC, datetime

    moment = datetime(2020, 5, 6, tzinfo=UTC)
    render_with("latex", sample(), WriteOptions(build_time=moment))
    ((command, env),) = calls
    assert "--sandbox" in command
    assert env["SOURCE_DATE_EPOCH"] == str(int(moment.timestamp()))


def test_the_time_limit_applies_to_writing() -> None:
    options = WriteOptions(extra={"pandoc": {"timeout": 0.001}})
    with pytest.raises(WriterError, match="time limit"):
        render_with("docx", sample(), options)


def test_media_is_written_beside_the_outputs(tmp_path: Path) -> None:
    records = write_outputs(sample(), tmp_path, "talk", ["pandoc:gfm", "html"],
                            registry=registry())
    assert [r.format for r in records] == ["pandoc:gfm", "html", "media"]
    media = records[-1]
    assert media.path == tmp_path / MEDIA and media.path.read_bytes() == PNG
    assert media.sha256 == hashlib.sha256(PNG).hexdigest()
    markdown = (tmp_path / "talk.md").read_text()
    assert f"]({MEDIA})" in markdown or f'src="{MEDIA}"' in markdown
    assert (tmp_path / "talk.md").parent.joinpath(MEDIA).is_file()  # the relative link resolves
    # again: the same bytes are already there, nothing to replace
    assert write_media(sample(), tmp_path)[0].path == media.path


def test_media_paths_cannot_leave_the_output_folder(tmp_path: Path) -> None:
    for hostile in ("../escape.png", "/etc/evil.png", "media/../../x.png", "a\\b.png", ""):
        article = m.Article(title="T", resources={hostile: PNG})
        with pytest.raises(WriterError, match="refusing"):
            write_media(article, tmp_path / "out")
    assert not (tmp_path / "escape.png").exists()


def test_a_foreign_file_in_the_way_is_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    (tmp_path / MEDIA).write_bytes(b"someone else's file")
    from converter.errors import OutputExistsError

    with pytest.raises(OutputExistsError):
        write_media(sample(), tmp_path)
    assert write_media(sample(), tmp_path, may_replace=lambda _p: True)[0].size == len(PNG)


def _texts(node: Any, inside_image: bool = False) -> list[str]:
    if isinstance(node, list):
        return [t for item in node for t in _texts(item, inside_image)]
    if isinstance(node, m.Text):
        return [] if inside_image else [node.text]
    if hasattr(node, "__dataclass_fields__"):
        return [t for name in node.__dataclass_fields__ if name != "resources"
                for t in _texts(getattr(node, name), inside_image or isinstance(node, m.Image))]
    return []


@settings(max_examples=12)
@given(articles())
def test_any_article_renders_without_losing_text(article: m.Article) -> None:
    """Hostile text, every node type: pandoc renders it all, and HTML shows every text run."""
    html = render_with("html", article, WriteOptions())
    shown = " ".join(lxml.html.fromstring(html).text_content().split())
    for text in _texts([article.body, article.notes, article.acknowledgements,
                        article.references]):
        assert " ".join(text.split()) in shown
    for fmt in ("docx", "latex"):
        assert render_with(fmt, article, WriteOptions())


def test_the_output_format_list_matches_the_binary() -> None:
    """Every pandoc output format is offered except ours (json), pandoc's own AST dump, the
    multi-file chunked HTML and PDF (which needs a TeX engine)."""
    from converter.pandoc.run import pandoc_path

    listed = set(subprocess.run([pandoc_path(), "--list-output-formats"], capture_output=True,
                                check=True, text=True).stdout.split())
    assert listed - PANDOC_OUTPUT_FORMATS == {"json", "native", "chunkedhtml", "pdf"}
    assert listed >= PANDOC_OUTPUT_FORMATS


def test_speech_survives_html_both_ways() -> None:
    """Our HTML (Div.speech with data-speaker) read back by our pandoc reader is a speech again."""
    out = render_with("html", sample(), WriteOptions())
    back = read_with_pandoc(out, "html", ReadOptions())
    assert [b for b in back.body if isinstance(b, m.Speech)] == [
        m.Speech("Ann Reporter", [m.Paragraph([m.Text("How did it start?")])], "interviewer")]
