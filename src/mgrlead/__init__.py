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

__all__ = [
    "STRATEGIES",
    "AnalysisWarning",
    "Anonymity",
    "AnswerError",
    "Band",
    "Dimension",
    "DimensionScore",
    "EngineError",
    "IncomparableError",
    "InputError",
    "IrtParams",
    "Item",
    "ItemRef",
    "MgrleadError",
    "MissingCode",
    "MissingPolicy",
    "NormError",
    "OverallScore",
    "PluginError",
    "PluginWarning",
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
    "ValueTypeError",
    "Weighting",
    "__version__",
    "available_rubrics",
    "build_rubric",
    "builtin_rubrics",
    "from_long",
    "hookimpl",
    "load_rubric",
    "score",
    "score_360",
    "score_frame",
    "score_matrix",
    "score_table",
    "summarize_teams",
    "to_long",
]

if TYPE_CHECKING:
    from mgrlead.api import (
        available_rubrics,
        build_rubric,
        builtin_rubrics,
        from_long,
        load_rubric,
        score,
        score_frame,
        score_matrix,
        score_table,
        to_long,
    )
    from mgrlead.errors import (
        AnalysisWarning,
        AnswerError,
        EngineError,
        IncomparableError,
        InputError,
        MgrleadError,
        NormError,
        PluginError,
        PluginWarning,
        ReportError,
        RubricError,
        RubricFileError,
        RubricNotFoundError,
        ValueTypeError,
    )
    from mgrlead.groups.multirater import Anonymity, Round360, score_360
    from mgrlead.groups.teams import TeamSummary, summarize_teams
    from mgrlead.io.table import ScoreTable
    from mgrlead.model import (
        STRATEGIES,
        Band,
        Dimension,
        IrtParams,
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
    from mgrlead.plugins.hookspecs import hookimpl
    from mgrlead.results import DimensionScore, OverallScore, Profile

#: Where each public name lives: every one is imported on first use, so that
#: ``import mgrlead`` costs next to nothing and a name costs only its module.
_LAZY = {
    **dict.fromkeys(
        ("available_rubrics", "build_rubric", "builtin_rubrics", "load_rubric", "score",
         "score_frame", "score_matrix", "score_table", "from_long", "to_long"),
        "mgrlead.api",
    ),
    **dict.fromkeys(
        ("AnalysisWarning", "AnswerError", "EngineError", "IncomparableError", "InputError",
         "MgrleadError", "NormError", "PluginError", "PluginWarning", "ReportError",
         "RubricError", "RubricFileError", "RubricNotFoundError", "ValueTypeError"),
        "mgrlead.errors",
    ),
    **dict.fromkeys(("Anonymity", "Round360", "score_360"), "mgrlead.groups.multirater"),
    **dict.fromkeys(("TeamSummary", "summarize_teams"), "mgrlead.groups.teams"),
    "ScoreTable": "mgrlead.io.table",
    **dict.fromkeys(
        ("STRATEGIES", "Band", "Dimension", "IrtParams", "Item", "ItemRef", "MissingCode",
         "MissingPolicy", "Pole", "ResponseScore", "Rubric", "Scale", "Weighting"),
        "mgrlead.model",
    ),
    "hookimpl": "mgrlead.plugins.hookspecs",
    **dict.fromkeys(("DimensionScore", "OverallScore", "Profile"), "mgrlead.results"),
}  # fmt: skip


def __getattr__(name: str) -> Any:  # noqa: ANN401 - whatever the lazy name is
    """Import a public name (or a subpackage, as ``mgrlead.api``) on first use."""
    import importlib  # noqa: PLC0415

    module = _LAZY.get(name)
    if module is None:
        if name.startswith("_") or "." in name:
            raise AttributeError(f"module 'mgrlead' has no attribute {name!r}")
        try:  # ``import mgrlead`` then ``mgrlead.engines``: the subpackage, as before
            return importlib.import_module(f"mgrlead.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"mgrlead.{name}":
                raise
            raise AttributeError(f"module 'mgrlead' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, imported or not."""
    return sorted({*globals(), *__all__})
