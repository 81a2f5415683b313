"""Packaging: what travels and what is kept. Packages are views of one record of an article
(the original, its renditions, their fixity and provenance).

::

    bag.py        the ``bag`` writer (a PackageWriter): BagIt 1.0 folders and archives
    bagit/        building, serializing and verifying BagIt packages (RFC 8493)
    premis.py     the PREMIS 3 record of an article's files, events and agents
    rocrate.py    RO-Crate 1.3 metadata of a package's content (data/ro-crate-metadata.json)
    transfer.py   an Archivematica standard transfer's layout (objects/, metadata/)
"""
