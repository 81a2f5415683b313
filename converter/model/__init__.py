"""The canonical article model: the only thing that crosses from readers to writers.

Every class mirrors one definition of ``schemas/article.schema.json`` name for name (class
``BulletList`` is ``$defs/BulletList``, its fields are the definition's properties, its ``type``
tag is ``"bullet_list"``). A test compares the two, so they cannot drift. Optional fields default
to ``None`` or an empty collection and are left out of the JSON form; ``to_dict``/``from_dict``
round-trip exactly.

::

    nodes.py       inlines and blocks (pandoc's AST vocabulary, plus Speech); text views
    article.py     Article, its metadata classes, Provenance and Diagnostic; canonical JSON
    serialize.py   the JSON form (to_dict / from_dict)
    canonical.py   the canonical inline form every reader produces
"""

from .article import (
    MODEL_CLASSES,
    SCHEMA_VERSION,
    Article,
    Contributor,
    Diagnostic,
    Discarded,
    Identifier,
    MediaResource,
    Provenance,
    Reference,
    Rights,
    SourcePublication,
    add_once,
    canonical_json,
)
from .canonical import normalize_inlines
from .nodes import (
    BLOCK_TYPES,
    INLINE_TYPES,
    Block,
    BlockQuote,
    BulletList,
    Citation,
    Code,
    CodeBlock,
    ColumnSpec,
    DefinitionItem,
    DefinitionList,
    Emphasis,
    Figure,
    Heading,
    HorizontalRule,
    Image,
    Inline,
    LineBlock,
    LineBreak,
    Link,
    Math,
    Node,
    Note,
    OrderedList,
    Paragraph,
    Quoted,
    SmallCaps,
    Speech,
    Strikeout,
    Strong,
    Subscript,
    Superscript,
    Table,
    TableCell,
    TableRow,
    Text,
    Underline,
    block_text,
    inline_text,
    iter_children,
)

__all__ = [
    "BLOCK_TYPES", "INLINE_TYPES", "MODEL_CLASSES", "SCHEMA_VERSION", "Article", "Block",
    "BlockQuote", "BulletList", "Citation", "Code", "CodeBlock", "ColumnSpec", "Contributor",
    "DefinitionItem", "DefinitionList", "Diagnostic", "Discarded", "Emphasis", "Figure",
    "Heading", "HorizontalRule", "Identifier", "Image", "Inline", "LineBlock", "LineBreak",
    "Link", "Math", "MediaResource", "Node", "Note", "OrderedList", "Paragraph", "Provenance",
    "Quoted", "Reference", "Rights", "SmallCaps", "SourcePublication", "Speech", "Strikeout",
    "Strong", "Subscript", "Superscript", "Table", "TableCell", "TableRow", "Text", "Underline",
    "add_once", "block_text", "canonical_json", "inline_text", "iter_children", "normalize_inlines",
]
