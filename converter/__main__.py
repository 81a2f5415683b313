"""``python -m converter``: the same as the ``converter`` command."""

from .cli import main

main()
