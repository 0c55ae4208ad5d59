"""mgrlead: manager-or-leader assessments as data, scored exactly and fast.

Define assessments as data (response scales, reverse-keyed items, bipolar
dimensions, bands, weighting), then score people one at a time with
:func:`score` or by the million with :func:`score_frame`.

Example:
    >>> import mgrlead
    >>> rubric = mgrlead.load_rubric("manager-leader")
    >>> profile = mgrlead.score(rubric, dict.fromkeys(rubric.item_ids, 4))
    >>> profile.overall.percent, profile.overall.band
    (50.0, 'balanced')
"""

from typing import TYPE_CHECKING, Any

from mgrlead._version import __version__
from mgrlead.api import (
    available_rubrics,
    build_rubric,
    builtin_rubrics,
    load_rubric,
    score,
    score_frame,
    score_matrix,
    score_table,
)
from mgrlead.errors import (
    AnswerError,
    InputError,
    MgrleadError,
    ReportError,
    RubricError,
    RubricFileError,
    RubricNotFoundError,
)
from mgrlead.hookspecs import hookimpl
from mgrlead.model import (
    STRATEGIES,
    Band,
    Dimension,
    Item,
    ItemRef,
    MissingCode,
    MissingPolicy,
    Pole,
    ResponseScore,
    Rubric,
    Scale,
    Weighting,
)
from mgrlead.results import DimensionScore, OverallScore, Profile
from mgrlead.table import ScoreTable

__all__ = [
    "STRATEGIES",
    "Anonymity",
    "AnswerError",
    "Band",
    "Dimension",
    "DimensionScore",
    "InputError",
    "Item",
    "ItemRef",
    "MgrleadError",
    "MissingCode",
    "MissingPolicy",
    "OverallScore",
    "Pole",
    "Profile",
    "ReportError",
    "ResponseScore",
    "Round360",
    "Rubric",
    "RubricError",
    "RubricFileError",
    "RubricNotFoundError",
    "Scale",
    "ScoreTable",
    "TeamSummary",
    "Weighting",
    "__version__",
    "available_rubrics",
    "build_rubric",
    "builtin_rubrics",
    "hookimpl",
    "load_rubric",
    "score",
    "score_360",
    "score_frame",
    "score_matrix",
    "score_table",
    "summarize_teams",
]

if TYPE_CHECKING:
    from mgrlead.multirater import Anonymity, Round360, score_360
    from mgrlead.teams import TeamSummary, summarize_teams

#: Names imported on first use, so that ``import mgrlead`` stays light.
_LAZY = {
    "Anonymity": "mgrlead.multirater",
    "Round360": "mgrlead.multirater",
    "score_360": "mgrlead.multirater",
    "TeamSummary": "mgrlead.teams",
    "summarize_teams": "mgrlead.teams",
}


def __getattr__(name: str) -> Any:  # noqa: ANN401 - whatever the lazy name is
    """Import the 360 and team names on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mgrlead' has no attribute {name!r}")
    import importlib  # noqa: PLC0415

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
