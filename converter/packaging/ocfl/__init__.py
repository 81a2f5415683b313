"""OCFL 1.1 (Oxford Common File Layout, https://ocfl.io/1.1/spec/): articles as versioned
objects in a storage root, and a verifier that reports the specification's codes.

Writing (stdlib only, deterministic)::

    writer.py     the ``ocfl`` package writer: an article's version, and a receipt in OUT
    metadata.py   the metadata files each version carries (PREMIS, METS)
    object.py     adding a version to an object atomically, under its lock
    inventory.py  inventories (3.5) and sidecars (3.6)
    root.py       the storage root (4): declaration, layout files, per-object locks
    layout.py     object id -> path (community extensions 0002, 0003, 0004)

Verifying (1.1 and 1.0)::

    verify.py           storage roots (4), and the entry point :func:`verify_ocfl`
    object_check.py     an object on disk (3.1-3.9)
    inventory_check.py  one inventory's JSON (3.5)
    spec.py             what both sides share: names, digests, path rules, the report
"""
