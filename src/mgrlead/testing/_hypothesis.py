"""Hypothesis entry point: registers mgrlead's types for ``st.from_type``."""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Called by hypothesis when it loads plugins (entry point ``hypothesis``)."""
    from mgrlead.testing.strategies import _register  # noqa: PLC0415

    _register()
