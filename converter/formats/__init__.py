"""What the readers and writers of one format share, so that neither imports the other.

::

    data.py       JSON and YAML as metadata carriers: strict (no NaN), bounded (no alias bombs)
    jats/         JATS: vocabulary.py (names and markers), validate.py (the official DTDs, offline)
    markdown.py   our Markdown dialect (CommonMark + pandoc extensions): names, escaping, syntax
"""
