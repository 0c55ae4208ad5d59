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
    "ResponseScore",
    "Rubric",
    "RubricError",
    "RubricFileError",
    "RubricNotFoundError",
    "Scale",
    "ScoreTable",
    "Weighting",
    "__version__",
    "available_rubrics",
    "build_rubric",
    "builtin_rubrics",
    "hookimpl",
    "load_rubric",
    "score",
    "score_frame",
    "score_matrix",
    "score_table",
]
