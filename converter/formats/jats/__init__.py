"""JATS (ANSI/NISO Z39.96, the JATS 1.3 Archiving tag library): what its reader and writer share.

::

    vocabulary.py  the names both use: DTD identifiers, namespaces, the writer's markers
    validate.py    validation against the official DTDs through a local XML catalog, offline

Importing this package loads none of its modules: the reader, the writer and ``converter validate``
each import what they use.
"""
