"""EPUBCheck 5.3 on the EPUB writer's output: no FATAL, ERROR, WARNING or USAGE message at all.

Checked: both seeds read by the text reader, a seed-like interview built from the model, the
markup-hostile article (every node type, images of every kind), a collection, and articles drawn
from tests/strategies.py. All books go to one JVM (tests/epubcheck_util.py); a deliberately broken
book in the same run proves the check can fail. Java is required: without it the test fails.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from epubcheck_util import epubcheck_messages
from hypothesis import Phase, given, settings
from strategies import articles
from test_epub_articles import hostile_article, seed_like_article

from converter import model as m
from converter.options import WriteOptions
from converter.pipeline import parse, render
from converter.writers.epub import write_collection

OPTIONS = WriteOptions(build_time=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC))
PROPERTY_BOOKS = 5


def drawn_articles(count: int) -> list[m.Article]:
    """``count`` articles from the shared strategies, the same ones every run."""
    drawn: list[m.Article] = []

    @settings(max_examples=count, derandomize=True, database=None, phases=[Phase.generate])
    @given(articles())
    def collect(article: m.Article) -> None:
        drawn.append(article)

    collect()
    return drawn[:count]


def broken(book: bytes) -> bytes:
    """``book`` repacked with a compressed mimetype and no dc:language: EPUBCheck must object."""
    source = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name.endswith(".opf"):
                data = data.replace(b"<dc:language>en</dc:language>", b"")
            target.writestr(name, data)
    return out.getvalue()


@pytest.mark.slow
def test_epubcheck_reports_nothing(tmp_path: Path, seed_plain: Path, seed_scraped: Path) -> None:
    seeds = [parse(seed_plain), parse(seed_scraped)]
    books: dict[str, bytes] = {
        "seed-000": render(seeds[0], "epub", OPTIONS),
        "seed-001": render(seeds[1], "epub", OPTIONS),
        "seed-like": render(seed_like_article(), "epub", OPTIONS),
        "hostile": render(hostile_article(), "epub", OPTIONS),
        "collection": write_collection([*seeds, hostile_article(), seed_like_article()],
                                       "Interviews & <Other> Articles", OPTIONS).data,
    }
    for n, article in enumerate(drawn_articles(PROPERTY_BOOKS)):
        books[f"property-{n}"] = render(article, "epub", OPTIONS)
    assert len(books) == 5 + PROPERTY_BOOKS
    books["broken"] = broken(books["seed-like"])
    paths = {}
    for name, data in books.items():
        paths[name] = tmp_path / f"{name}.epub"
        paths[name].write_bytes(data)

    messages = epubcheck_messages(list(paths.values()))

    assert messages[paths.pop("broken")], "EPUBCheck must object to the broken book"
    found = {name: messages[path] for name, path in paths.items() if messages[path]}
    assert found == {}, "\n".join(f"{name}: {line}" for name, lines in found.items()
                                   for line in lines)
