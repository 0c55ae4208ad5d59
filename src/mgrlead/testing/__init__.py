"""Testing kit for rubric and plugin authors: hypothesis strategies and a scorer contract.

``pip install 'mgrlead[testing]'``.

- :mod:`mgrlead.testing.hypothesis`: hypothesis strategies for mgrlead's types;
- :class:`ScorerContract`: subclass it to property-test a scoring strategy, a
  weighting scheme or a rubric;
- :mod:`mgrlead.testing.pytest_plugin`: opt-in fixtures
  (``pytest_plugins = ["mgrlead.testing.pytest_plugin"]``).
"""

from __future__ import annotations

from mgrlead.testing.contract import ScorerContract

__all__ = ["ScorerContract"]
