"""Run the Python examples of every documentation page as tests (Sybil)."""

from __future__ import annotations

import os
from doctest import ELLIPSIS
from pathlib import Path

import pytest
from sybil import Sybil
from sybil.parsers.myst import PythonCodeBlockParser, SkipParser

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def _in_project_root() -> object:
    """Docs examples use paths relative to the project root, as a reader would."""
    before = Path.cwd()
    os.chdir(ROOT)
    yield None
    os.chdir(before)


pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser(doctest_optionflags=ELLIPSIS), SkipParser()],
    patterns=["*.md"],
    fixtures=["_in_project_root"],
).pytest()
