"""Readers: bytes in one format -> :class:`converter.model.Article`.

Each module's docstring names the specification it follows. Readers only read: no file output,
no network. Shared helpers for decoding live in :mod:`converter.readers.decode`.
"""
