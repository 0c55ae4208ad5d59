"""Testing kit for rubric and plugin authors: hypothesis strategies and a scorer contract.

``pip install 'mgrlead[testing]'``.
"""

from __future__ import annotations

__all__: list[str] = []
