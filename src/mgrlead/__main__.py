"""``python -m mgrlead``: the same as the ``mgrlead`` command."""

from mgrlead.cli import main

if __name__ == "__main__":
    main()
