"""A compiled rubric with its engines: what the API layer's plan cache holds.

A :class:`Scorer` owns one :class:`~mgrlead.plan.ScoringPlan` and, once it has
scored one respondent, the generated scorer of :mod:`mgrlead.engines.single`.
It is not a value object: the API layer keeps a bounded number of them, keyed by
the rubric's value (:mod:`mgrlead.api`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from mgrlead.engines.batch import BatchScores, Fills, score_matrix

if TYPE_CHECKING:
    import numpy.typing as npt

    from mgrlead.engines.single import SingleScorer
    from mgrlead.plan import ScoringPlan
    from mgrlead.results import Profile

__all__ = ["Scorer"]


class Scorer:
    """One plan and its engines: :meth:`score` (one respondent), :meth:`score_matrix` (many)."""

    __slots__ = ("_lock", "_single", "plan")

    def __init__(self, plan: ScoringPlan) -> None:
        """A scorer of ``plan``; the one-respondent code is written on first use."""
        self.plan = plan
        self._single: SingleScorer | None = None
        self._lock = threading.Lock()

    @property
    def single(self) -> SingleScorer:
        """The generated one-respondent scorer (written once, on first use)."""
        scorer = self._single
        if scorer is None:
            with self._lock:
                if self._single is None:
                    from mgrlead.engines.single import compile_single  # noqa: PLC0415

                    compiled = compile_single(self.plan)
                    if self.plan.strategy.scores_theta:  # θ: a batch of one (mgrlead.irt)
                        compiled = _one_row(self.plan, compiled)
                    self._single = compiled
                scorer = self._single
        return scorer

    def score(self, answers: Mapping[str, object], *, careless: bool = True) -> Profile:
        """Score one respondent (see :func:`mgrlead.score`)."""
        return self.single(answers, careless)

    def score_matrix(
        self,
        values: npt.ArrayLike,
        *,
        careless: bool = True,
        fills: Fills | None = None,
        row_offset: int = 0,
    ) -> BatchScores:
        """Score a ``(respondents, items)`` array.

        See :func:`mgrlead.engines.batch.score_matrix`.
        """
        return score_matrix(
            self.plan, values, careless=careless, fills=fills, row_offset=row_offset
        )

    def __repr__(self) -> str:
        """``<Scorer rubric version (strategy, weighting)>``."""
        p = self.plan
        return f"<Scorer {p.rubric} {p.version} ({p.strategy.name}, {p.weighting})>"


def _one_row(plan: ScoringPlan, checked: SingleScorer) -> SingleScorer:
    """One respondent as a batch of one, for a strategy that scores from the answers (θ).

    The generated scorer checks the answers first (the same errors as for any
    strategy, and the refusal of sample imputation); the profile is then row 0
    of :func:`score_matrix`, so one respondent gets exactly the numbers of its
    row in any batch.
    """

    def score_one(answers: Mapping[str, object], careless: bool) -> Profile:
        import numpy as np  # noqa: PLC0415

        checked(answers, careless)
        row = np.full((1, len(plan.items)), np.nan)
        for item_id, value in answers.items():
            if value is not None:
                row[0, plan.index[item_id]] = float(value)  # type: ignore[arg-type]
        return score_matrix(plan, row, careless=careless).profile(0)

    return score_one
