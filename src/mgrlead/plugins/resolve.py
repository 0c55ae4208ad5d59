"""Names to objects: rubrics by name or file, and a rubric's strategy, through a plugin host.

A rubric built by a host (:attr:`Rubric.host <mgrlead.model.Rubric.host>`)
resolves its names there; any other rubric, and any name, through the
process-wide host (:func:`~mgrlead.plugins.host.default_host`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mgrlead.errors import RubricNotFoundError, did_you_mean
from mgrlead.model import Rubric
from mgrlead.plan import ScoringPlan, compile_plan, strategy_of
from mgrlead.plugins.host import default_host
from mgrlead.strategies import BUILTIN_STRATEGIES

if TYPE_CHECKING:
    from mgrlead.strategies import ScoringStrategy

__all__ = ["plan_for", "resolve_rubric", "strategy_for"]


def resolve_rubric(name_or_path: str | Path | Rubric) -> Rubric:
    """A registered rubric by name, one read from a file, or a :class:`Rubric` as it is.

    Raises:
        RubricNotFoundError: no rubric has that name and no such file exists.
        RubricFileError: the file exists but does not describe a valid rubric.
    """
    if isinstance(name_or_path, Rubric):
        return name_or_path
    host = default_host()
    names = host.names("rubric")
    if isinstance(name_or_path, str) and name_or_path in names:
        return host.rubric(name_or_path)
    path = Path(name_or_path)
    if path.suffix and path.is_file():
        from mgrlead.io.serialize import load_rubric_file  # noqa: PLC0415 - cattrs for files only

        return load_rubric_file(path, context=host)
    hint = did_you_mean(str(name_or_path), names)
    raise RubricNotFoundError(
        f"no rubric named {str(name_or_path)!r} and no such file{hint} "
        f"(registered rubrics: {', '.join(names) or 'none'})"
    )


def strategy_for(rubric: Rubric) -> ScoringStrategy:
    """The strategy object the rubric's strategy name means.

    Raises:
        RubricError: no host the rubric can see registers that name.
    """
    if rubric.strategy in BUILTIN_STRATEGIES or rubric.host is not None:
        return strategy_of(rubric)  # the plan layer's own rule
    return default_host().resolve_strategy(rubric.strategy)


def plan_for(rubric: Rubric) -> ScoringPlan:
    """The rubric compiled, its strategy resolved by :func:`strategy_for` (not cached)."""
    return compile_plan(rubric, strategy_for(rubric))
