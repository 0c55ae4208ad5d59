"""Item response theory: θ scores from the item parameters declared in a rubric.

Import it as ``mgrlead.irt``; ``import mgrlead`` does not load it (it needs
numpy).  See docs/irt.md for the models, the estimators and what θ means next
to the 0-100 scores.

Example:
    >>> import attrs, mgrlead
    >>> from mgrlead.irt import score_theta
    >>> from mgrlead.model import IrtParams
    >>> rubric = mgrlead.load_rubric("manager-leader")
    >>> dim = rubric.dimensions[0]
    >>> items = [attrs.evolve(i, irt=IrtParams(model="grm", a=1.5,
    ...          thresholds=(-2.0, -1.0, 0.0, 1.0))) for i in dim.items]
    >>> rubric = attrs.evolve(rubric, dimensions=[attrs.evolve(dim, items=items)])
    >>> score = score_theta(rubric, dict.fromkeys(rubric.item_ids, 3))["process_results"]
    >>> score.method, score.answered, round(score.theta, 3), round(score.se, 3)
    ('eap', 6, -0.424, 0.39)
"""

from __future__ import annotations

from mgrlead.irt.calibrate import (
    Calibration,
    DimensionFit,
    ItemEstimate,
    calibrate,
)
from mgrlead.irt.fit import (
    FitCell,
    GlobalFit,
    ItemFit,
    empirical_reliability,
    global_fit,
    item_fit,
    marginal_reliability,
)
from mgrlead.irt.information import (
    DimensionInformation,
    ItemInformation,
    information_summary,
    precise_ranges,
    standard_error,
)
from mgrlead.irt.models import category_log_probabilities, item_information, log_probability
from mgrlead.irt.scoring import (
    METHODS,
    STATUS,
    Prior,
    Quadrature,
    ThetaColumns,
    ThetaProfile,
    ThetaScore,
    ThetaStrategy,
    ThetaTable,
    dimension_information,
    irt_dimensions,
    score_theta,
)
from mgrlead.irt.simulate import Simulation, simulate
from mgrlead.irt.sums import SumScoreTable, sum_score_table

__all__ = [
    "METHODS",
    "STATUS",
    "Calibration",
    "DimensionFit",
    "DimensionInformation",
    "FitCell",
    "GlobalFit",
    "ItemEstimate",
    "ItemFit",
    "ItemInformation",
    "Prior",
    "Quadrature",
    "Simulation",
    "SumScoreTable",
    "ThetaColumns",
    "ThetaProfile",
    "ThetaScore",
    "ThetaStrategy",
    "ThetaTable",
    "calibrate",
    "category_log_probabilities",
    "dimension_information",
    "empirical_reliability",
    "global_fit",
    "information_summary",
    "irt_dimensions",
    "item_fit",
    "item_information",
    "log_probability",
    "marginal_reliability",
    "precise_ranges",
    "score_theta",
    "simulate",
    "standard_error",
    "sum_score_table",
]
