"""Pandoc: running the bundled binary and the names of its formats.

::

    run.py        one sandboxed pandoc process per document, with size, time and heap limits
    formats.py    the input and output format names of the bundled pandoc (no process needed)

Nothing here imports a reader or a writer: the readers and writers built on pandoc import this.
"""
