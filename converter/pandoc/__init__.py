"""Pandoc: running the bundled pandoc 3.9; its JSON AST (pandoc-types 1.23) <-> the model.

The readers ``pandoc``, ``html`` and ``markdown`` and the writer ``pandoc`` stand on this package;
nothing here imports a reader or a writer. What the AST mapping shares with the Markdown writer
(the dialect's class and attribute names) comes from :mod:`converter.formats.markdown`.

::

    run.py        one sandboxed pandoc process per document, with size, time and heap limits
    formats.py    the input and output format names of the bundled pandoc (no process needed)
    nodes.py      the AST's shared vocabulary: API version, node, alignment and list-style tables
    media.py      files pandoc extracted and images in data: URIs, named by their content
    read_ast.py   AST -> model: AstReader, blocks and inlines (the one mapping every reader uses)
    read_html.py  raw HTML in the AST: inline tags paired into formatting, HTML tables rebuilt
    read_meta.py  a whole document -> Article (article_from_pandoc): body, then pandoc's metadata
    write_ast.py  model -> AST (pandoc_from_article), for the pandoc writer
"""
