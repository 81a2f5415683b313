"""Round trips through JATS: article -> JATS -> article keeps everything JATS can carry.

Property-generated articles (tests/strategies.py: every block and inline type, nested, hostile
text) and the seeds are written, validated against the JATS 1.3 DTD (parsed once, reused), read
back and compared with the original. Left out by design (docs/jats.md): provenance; and image alt
text, which JATS holds as plain text (``alt-text``), so its formatting is compared flattened.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from strategies import articles
from test_jats_writer import seed_like

from converter import model as m
from converter.formats.jats.validate import validate_jats_bytes
from converter.model.schema import validate_article
from converter.options import ReadOptions, WriteOptions
from converter.pipeline import parse, render
from converter.readers.jats import JatsReader


def _flatten_alt_text(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _flatten_alt_text(item)
    elif isinstance(node, m.Image):
        node.content = m.normalize_inlines([m.Text(m.inline_text(node.content))])
    elif hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            if name != "resources":
                _flatten_alt_text(getattr(node, name))


def carried(article: m.Article) -> dict[str, Any]:
    """What a JATS round trip must keep: everything but provenance; alt text as plain text."""
    article = copy.deepcopy(article)
    _flatten_alt_text(article)
    article.provenance = None
    return article.to_dict()


def round_trip(article: m.Article, dtd: Path) -> m.Article:
    data = render(article, "jats", WriteOptions())
    validate_jats_bytes(data, dtd)
    back = JatsReader().read(data, ReadOptions())
    validate_article(back)
    return back


@settings(max_examples=120)
@given(articles())
def test_generated_articles_validate_and_round_trip(jats_dtd: Path, article: m.Article) -> None:
    expected = carried(article)
    back = round_trip(article, jats_dtd)
    assert carried(back) == expected


def test_seed_like_article_round_trips(jats_dtd: Path) -> None:
    article = seed_like()
    assert carried(round_trip(article, jats_dtd)) == carried(article)


def test_seeds_round_trip(seed_plain: Path, seed_scraped: Path, jats_dtd: Path) -> None:
    for seed in (seed_plain, seed_scraped):
        article = parse(seed)
        back = round_trip(article, jats_dtd)
        assert carried(back) == carried(article), seed.name
        assert any(isinstance(b, m.Speech) for b in back.body)


def test_spaces_at_the_edges_of_code_round_trip(jats_dtd: Path) -> None:
    """``<monospace>EPUB rootfile (the </monospace>``: the space before the link is the
    text's, and reading it back must not glue "the" to "Package" (epub30-spec)."""
    url = "https://www.w3.org/publishing/epub3/epub-packages.html#sec-package-doc"
    paragraph = m.Paragraph([m.Code("EPUB rootfile (the "), m.Link(url, [
        m.Code("Package Document")]), m.Code(")"), m.Text(" and "), m.Code(" padded ")])
    article = m.Article(title="Code", body=[paragraph])
    back = round_trip(article, jats_dtd)
    assert back.body == [paragraph]
    assert m.block_text(back.body) == "EPUB rootfile (the Package Document) and  padded "
