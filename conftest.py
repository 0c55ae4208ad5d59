"""Run the README's Python example as a test (Sybil)."""

from __future__ import annotations

from pathlib import Path

from sybil import Sybil
from sybil.parsers.myst import PythonCodeBlockParser

pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser()],
    patterns=["README.md"],
    path=str(Path(__file__).parent),
    excludes=["plugins/*/README.md"],  # they show plugins installed; their tests cover them
).pytest()
