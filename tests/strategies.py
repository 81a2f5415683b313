"""Hypothesis strategies for the canonical model: every block and inline type, nested, hostile text.

Generated articles are in canonical form (``converter.model.normalize_inlines``): what readers
produce and what a lossless round trip must give back. Structural limits keep to what the formats
can carry (docs/schema.md, "Canonical form"): headings, speech turns, figures and tables only at
the top level of the body; no notes inside notes, links or headings; no links inside links; text
has no control characters; ids are unique.

``BLOCK_STRATEGIES`` and ``INLINE_STRATEGIES`` map every schema type name to its strategy; a test
checks they cover the schema, so the strategies cannot drift from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from converter import model as m

# Markup-significant characters of every output format, plus Unicode beyond the BMP, combining
# marks and right-to-left text: the hostile alphabet.
HOSTILE = "<>&\"'*_#`[]|\\{}~^$@!%-+.:;=/?()"
UNICODE = "éßçøÅ中文字😀𝔘e\u0301ﬁ—–…«»‘’“”ضب\u00a0"
WORD_CHARS = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") * 3
    + list(HOSTILE) + list(UNICODE.replace("\u00a0", "")))

word = st.text(WORD_CHARS, min_size=1, max_size=10)
#: one or more words separated by single spaces: canonical inline text
phrase = st.lists(word, min_size=1, max_size=6).map(" ".join)
plain_name = st.lists(st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzéøß"), min_size=2,
                              max_size=8).map(str.capitalize), min_size=1, max_size=3).map(" ".join)
ident = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
url = st.builds(lambda host, path, query: f"https://{host}.example.org/{path}{query}",
                st.from_regex(r"[a-z]{1,8}", fullmatch=True),
                st.from_regex(r"[a-z0-9_/.-]{0,12}", fullmatch=True),
                st.sampled_from(["", "?a=1&b=2", "#frag", "?q=%20x"]))
iso_date = st.one_of(
    st.integers(1900, 2030).map(str),
    st.builds(lambda y, mo: f"{y}-{mo:02d}", st.integers(1900, 2030), st.integers(1, 12)),
    st.dates().map(lambda d: d.isoformat()),
)
tex = st.from_regex(r"[a-z0-9 +=^_{}\\-]{1,20}", fullmatch=True).map(str.strip).filter(bool)
code_text = st.text(WORD_CHARS | st.just(" "), min_size=1, max_size=20).map(
    lambda s: " ".join(s.split())).filter(bool)
code_block_text = st.lists(st.text(WORD_CHARS | st.just(" "), max_size=25).map(str.rstrip),
                           min_size=1, max_size=4).map("\n".join).map(lambda s: s.strip("\n"))


# --------------------------------------------------------------------------- inlines


def _key(ctx: dict[str, bool]) -> tuple[bool, bool, bool]:
    return (ctx.get("notes", True), ctx.get("links", True), ctx.get("breaks", True))


def _cached(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Share one strategy object per (context, depth): hypothesis draws much faster that way."""
    cache: dict[tuple[Any, ...], Any] = {}

    def wrapper(ctx: dict[str, bool], depth: int, **kw: Any) -> Any:
        key = (_key(ctx), depth, tuple(sorted(kw.items())))
        if key not in cache:
            cache[key] = fn(ctx, depth, **kw)
        return cache[key]

    wrapper.__doc__ = fn.__doc__
    return wrapper


@_cached
def inline_list(ctx: dict[str, bool], depth: int) -> st.SearchStrategy[list[m.Inline]]:
    """A canonical inline list for a context (what may appear inside)."""
    atoms = st.lists(inline_atom(ctx, depth), min_size=1, max_size=5)
    spaces = st.lists(st.booleans(), min_size=5, max_size=5)
    return st.tuples(atoms, spaces).map(lambda t: _join(t[0], t[1])).filter(bool)


def _join(atoms: list[m.Inline], spaces: list[bool]) -> list[m.Inline]:
    out: list[m.Inline] = []
    for i, atom in enumerate(atoms):
        if i and spaces[i % len(spaces)]:
            out.append(m.Text(" "))
        out.append(atom)
    return m.normalize_inlines(out)


def _wrap(cls: Callable[..., m.Inline], ctx: dict[str, bool],
          depth: int) -> st.SearchStrategy[m.Inline]:
    return inline_list(ctx, depth - 1).map(lambda content: cls(content=content))


@_cached
def inline_kinds(ctx: dict[str, bool], depth: int) -> dict[str, st.SearchStrategy[Any]]:
    """One strategy per inline type allowed in a context, by schema type name."""
    kinds: dict[str, st.SearchStrategy[Any]] = {
        "text": phrase.map(m.Text), "code": code_text.map(m.Code),
        "math": st.builds(m.Math, tex, st.booleans()),
    }
    if depth <= 0:
        return kinds
    for cls in (m.Emphasis, m.Strong, m.Superscript, m.Subscript, m.SmallCaps, m.Strikeout,
                m.Underline):
        kinds[cls.type] = _wrap(cls, ctx, depth)
    plain = {**ctx, "notes": False, "links": False, "breaks": False}
    kinds["quoted"] = st.builds(m.Quoted, st.sampled_from(["double", "single"]),
                                inline_list(ctx, depth - 1))
    kinds["citation"] = st.builds(m.Citation, st.lists(ident, min_size=1, max_size=2,
                                                       unique=True), inline_list(plain, 0))
    kinds["image"] = st.builds(m.Image, st.one_of(url, st.just("media/figure.png")),
                               inline_list(plain, 0), st.none() | phrase)
    if ctx.get("links", True):
        kinds["link"] = st.builds(m.Link, url, inline_list(
            {**ctx, "links": False, "notes": False}, depth - 1), st.none() | phrase)
    if ctx.get("notes", True):
        kinds["note"] = st.builds(m.Note, st.lists(
            paragraph({**ctx, "notes": False}, depth - 1), min_size=1, max_size=2))
    if ctx.get("breaks", True):
        kinds["line_break"] = st.just(m.LineBreak())
    return kinds


@_cached
def inline_atom(ctx: dict[str, bool], depth: int) -> st.SearchStrategy[m.Inline]:
    kinds = inline_kinds(ctx, depth)
    return st.one_of(kinds["text"], *kinds.values())  # text twice as likely


INLINE_CTX: dict[str, bool] = {"notes": True, "links": True, "breaks": True}


def inlines(depth: int = 2) -> st.SearchStrategy[list[m.Inline]]:
    return inline_list(INLINE_CTX, depth)


# --------------------------------------------------------------------------- blocks


@_cached
def paragraph(ctx: dict[str, bool], depth: int) -> st.SearchStrategy[m.Paragraph]:
    return inline_list(ctx, max(depth, 0)).map(m.Paragraph)


@_cached
def block_kinds(ctx: dict[str, bool], depth: int) -> dict[str, st.SearchStrategy[Any]]:
    """One strategy per block type allowed inside lists, quotes, notes, cells and turns."""
    kinds: dict[str, st.SearchStrategy[Any]] = {
        "paragraph": paragraph(ctx, depth),
        "code_block": st.builds(m.CodeBlock, code_block_text,
                                st.none() | st.sampled_from(["python", "xml"])),
        "line_block": st.builds(m.LineBlock, st.lists(
            inline_list({**ctx, "breaks": False}, depth - 1), min_size=1, max_size=3)),
    }
    if depth > 0:
        inner = nested_blocks(ctx, depth - 1, max_size=2)
        kinds["bullet_list"] = st.builds(m.BulletList, st.lists(inner, min_size=1, max_size=3))
        kinds["ordered_list"] = st.builds(
            m.OrderedList, st.lists(inner, min_size=1, max_size=3), st.integers(1, 20),
            st.sampled_from(["decimal", "lower-alpha", "upper-alpha", "lower-roman",
                             "upper-roman"]))
        kinds["blockquote"] = st.builds(m.BlockQuote, inner)
        kinds["definition_list"] = st.builds(m.DefinitionList, st.lists(st.builds(
            m.DefinitionItem, inline_list({**ctx, "notes": False}, depth - 1),
            st.lists(inner, min_size=1, max_size=2)), min_size=1, max_size=2))
    return kinds


@_cached
def nested_blocks(ctx: dict[str, bool], depth: int, *, min_size: int = 1,
                  max_size: int = 3) -> st.SearchStrategy[list[m.Block]]:
    """Blocks allowed inside lists, quotes, notes, cells, speech turns and bios."""
    kinds = block_kinds(ctx, depth)
    return st.lists(st.one_of(kinds["paragraph"], *kinds.values()), min_size=min_size,
                    max_size=max_size)


@st.composite
def table(draw: st.DrawFn, depth: int = 1) -> m.Table:
    """A table whose spans tile a rectangular grid (what every format can lay out)."""
    ncols = draw(st.integers(1, 4))
    cell_blocks = nested_blocks({**INLINE_CTX, "notes": True}, 0, max_size=2)

    def section(nrows: int) -> list[m.TableRow]:
        taken: set[tuple[int, int]] = set()
        rows = []
        for r in range(nrows):
            cells = []
            c = 0
            while c < ncols:
                if (r, c) in taken:
                    c += 1
                    continue
                free = 1
                while c + free < ncols and (r, c + free) not in taken:
                    free += 1
                colspan = draw(st.integers(1, free)) if draw(st.integers(0, 3)) == 0 else 1
                rowspan = draw(st.integers(1, nrows - r)) if draw(st.integers(0, 3)) == 0 else 1
                for dr in range(rowspan):
                    for dc in range(colspan):
                        taken.add((r + dr, c + dc))
                cells.append(m.TableCell(draw(cell_blocks), colspan, rowspan,
                                         draw(st.none() | st.sampled_from(
                                             ["left", "center", "right"]))))
                c += colspan
            rows.append(m.TableRow(cells))
        return rows

    head = section(draw(st.integers(0, 1)))
    body = section(draw(st.integers(1, 3)))
    foot = section(draw(st.integers(0, 1)))
    columns = draw(st.one_of(st.just([]), st.just([m.ColumnSpec(
        draw(st.none() | st.sampled_from(["left", "center", "right"]))) for _ in range(ncols)])))
    caption = draw(st.lists(paragraph({**INLINE_CTX, "notes": False}, 0), max_size=1))
    return m.Table(body=body, head=head, foot=foot, columns=columns, caption=caption,
                   id=draw(st.none() | ident))


def heading() -> st.SearchStrategy[m.Heading]:
    return st.builds(m.Heading, st.integers(1, 6),
                     inline_list({"notes": False, "links": True, "breaks": False}, 1),
                     st.none() | ident)


def figure() -> st.SearchStrategy[m.Figure]:
    image = st.builds(m.Image, st.sampled_from(["media/figure.png", "https://example.org/a.png"]),
                      inline_list({"notes": False, "links": False, "breaks": False}, 0))
    return st.builds(m.Figure, image.map(lambda i: [m.Paragraph([i])]),
                     st.lists(paragraph({**INLINE_CTX, "notes": False}, 0), max_size=1),
                     st.none() | ident)


def speech() -> st.SearchStrategy[m.Speech]:
    return st.builds(m.Speech, plain_name, nested_blocks(INLINE_CTX, 1, max_size=2),
                     st.none() | st.sampled_from(["interviewer", "interviewee"]))


#: one strategy per block type, by schema type name
BLOCK_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    **block_kinds(INLINE_CTX, 2), "heading": heading(), "table": table(), "figure": figure(),
    "speech": speech(), "horizontal_rule": st.just(m.HorizontalRule())}


def body_blocks() -> st.SearchStrategy[list[m.Block]]:
    top = st.one_of(BLOCK_STRATEGIES["paragraph"], *BLOCK_STRATEGIES.values())
    return st.lists(top, min_size=1, max_size=8)


def blocks() -> st.SearchStrategy[list[m.Block]]:
    """Top-level body blocks (alias kept for the other test modules)."""
    return body_blocks()


# --------------------------------------------------------------------------- metadata

json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(
    WORD_CHARS | st.just(" "), max_size=15))
json_value = st.recursive(json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(ident, inner, max_size=3)), max_leaves=6)

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a9d30000000049454e44ae426082")


@st.composite
def contributor(draw: st.DrawFn) -> m.Contributor:
    given = draw(st.none() | plain_name)
    surname = draw(st.none() | plain_name) if given else None
    name = f"{given} {surname}" if given and surname else draw(plain_name)
    return m.Contributor(
        name=name, kind=draw(st.sampled_from(["author", "author", "editor", "interviewer"])),
        given_names=given if surname else None, surname=surname,
        role=draw(st.none() | phrase), affiliations=draw(st.lists(phrase, max_size=2)),
        email=draw(st.none() | st.from_regex(r"[a-z]{1,6}@[a-z]{1,6}\.org", fullmatch=True)),
        orcid=draw(st.none() | st.from_regex(r"0000-000[1-3]-[0-9]{4}-[0-9]{3}[0-9X]",
                                            fullmatch=True)),
        bio=draw(st.lists(paragraph({**INLINE_CTX, "notes": False}, 1), max_size=2)))


def _unique_ids(article: m.Article) -> m.Article:
    """Make element ids unique across the article (formats require it)."""
    seen: set[str] = set()

    def fix(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                fix(item)
            return
        if hasattr(node, "__dataclass_fields__"):
            if getattr(node, "id", None) is not None and not isinstance(node, m.Article):
                base = node.id
                new, n = base, 1
                while new in seen:
                    n += 1
                    new = f"{base}-{n}"
                node.id = new
                seen.add(new)
            for name in node.__dataclass_fields__:
                if name != "resources":
                    fix(getattr(node, name))

    fix(article)
    return article


@st.composite
def articles(draw: st.DrawFn, *, with_provenance: bool = False) -> m.Article:
    """A whole article in canonical form, every field exercised."""
    uses_media = draw(st.booleans())
    article = m.Article(
        id=draw(st.none() | st.from_regex(r"urn:uuid:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}",
                                          fullmatch=True)),
        title=draw(phrase),
        subtitle=draw(st.none() | phrase),
        abstract=draw(st.lists(paragraph({**INLINE_CTX, "notes": False}, 1), max_size=2)),
        language=draw(st.none() | st.sampled_from(["en", "fr", "de-CH", "sr-Latn", "zh-Hans"])),
        article_type=draw(st.none() | st.sampled_from(
            ["research-article", "interview", "article-commentary", "other"])),
        contributors=draw(st.lists(contributor(), max_size=3)),
        source_publication=draw(st.none() | st.builds(
            m.SourcePublication, phrase, st.none() | url,
            st.none() | st.sampled_from(["originally appeared in", "republished from"]),
            st.none() | iso_date)),
        dates=draw(st.dictionaries(st.sampled_from(
            ["published", "modified", "received", "accepted", "created"]), iso_date, max_size=3)),
        identifiers=draw(st.lists(st.builds(m.Identifier, st.sampled_from(
            ["doi", "pmid", "url", "local"]), st.from_regex(r"[0-9a-z./-]{1,20}", fullmatch=True)),
            max_size=2, unique_by=lambda i: i.scheme)),
        subjects=draw(st.dictionaries(st.sampled_from(
            ["topics", "regions", "collections", "keywords", "programs"]),
            st.lists(phrase, min_size=1, max_size=3, unique=True), max_size=3)),
        rights=draw(st.none() | st.builds(
            m.Rights, st.none() | phrase, st.none() | plain_name,
            st.none() | st.integers(1950, 2030).map(str), st.none() | url, st.none() | phrase)),
        notes=draw(st.lists(paragraph({**INLINE_CTX, "notes": False}, 1), max_size=2)),
        image_credits=draw(st.lists(phrase, max_size=2)),
        body=draw(body_blocks()),
        acknowledgements=draw(st.lists(paragraph({**INLINE_CTX, "notes": False}, 1),
                                       max_size=1)),
        references=draw(st.lists(st.builds(
            m.Reference, inline_list({**INLINE_CTX, "notes": False, "breaks": False}, 1),
            st.none() | ident, st.none() | st.from_regex(r"[0-9]{1,2}", fullmatch=True)),
            max_size=3)),
        extra=draw(st.dictionaries(st.text(WORD_CHARS, min_size=1, max_size=10), json_value,
                                   max_size=4)),
        discarded=draw(st.lists(st.builds(m.Discarded, phrase, phrase, st.none() | phrase),
                                max_size=2)),
    )
    if uses_media:
        article.media = [m.MediaResource("media/figure.png", "image/png", len(PNG),
                                         hashlib.sha256(PNG).hexdigest(), draw(st.none() | phrase))]
        article.resources = {"media/figure.png": PNG}
    else:
        _drop_local_images(article)
    if with_provenance:
        article.provenance = m.Provenance(
            file_name="input.txt", size=draw(st.integers(0, 10**6)),
            sha256=hashlib.sha256(b"x").hexdigest(), format="text", encoding="utf-8",
            reader="text", reader_version="0.1.0",
            diagnostics=draw(st.lists(st.builds(
                m.Diagnostic, st.sampled_from(["info", "warning", "error"]), ident, phrase,
                st.none() | st.just("input.txt"), st.none() | phrase), max_size=2)))
    return _unique_ids(article)


def _drop_local_images(article: m.Article) -> None:
    """Point images at an external URL when the article carries no media."""

    def fix(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                fix(item)
        elif isinstance(node, m.Image):
            if not node.url.startswith("https://"):
                node.url = "https://example.org/figure.png"
        elif hasattr(node, "__dataclass_fields__"):
            for name in node.__dataclass_fields__:
                if name != "resources":
                    fix(getattr(node, name))

    fix(article)


#: one strategy per inline type, by schema type name
INLINE_STRATEGIES: dict[str, st.SearchStrategy[Any]] = inline_kinds(INLINE_CTX, 2)
