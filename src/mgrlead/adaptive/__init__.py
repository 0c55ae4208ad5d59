"""Adaptive testing (CAT): ask each person the items that tell most about them, stop when precise.

Import it as ``mgrlead.adaptive``; ``import mgrlead`` does not load it (it
needs numpy).  A session is created from a rubric whose items carry IRT
parameters (:mod:`mgrlead.irt`); it chooses the next item, takes the answer,
stops by its rules, and reports the same ``Profile`` as ``mgrlead.score``
with θ and its SE per dimension.  Its state saves to JSON and resumes
exactly.  See docs/adaptive.md for the selection and stopping formulas.
"""

from __future__ import annotations

from mgrlead.adaptive.options import SELECTIONS, STOP_RULES, CatOptions
from mgrlead.adaptive.session import AdaptiveResult, AdaptiveSession, AskedItem
from mgrlead.adaptive.simulate import SimulationResult, simulate, sympson_hetter

__all__ = [
    "SELECTIONS",
    "STOP_RULES",
    "AdaptiveResult",
    "AdaptiveSession",
    "AskedItem",
    "CatOptions",
    "SimulationResult",
    "simulate",
    "sympson_hetter",
]
