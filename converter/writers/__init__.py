"""Writers: :class:`converter.model.Article` -> bytes (or a folder, for packages).

A writer never sees the source format or a reader's internals. Each module's docstring names the
specification it follows; a writer that cannot render a node says so in a diagnostic.
"""
