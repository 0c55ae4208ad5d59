"""Hypothesis entry point: registers mgrlead's types for ``st.from_type``."""

from __future__ import annotations

__all__ = ["setup_hook"]


def setup_hook() -> None:
    """Called by hypothesis when it loads plugins (entry point ``hypothesis``)."""
    from mgrlead.testing.hypothesis import register_types  # noqa: PLC0415

    register_types()
