"""Charts of item response theory: information, standard error, category curves, a θ on its curve.

Like :mod:`mgrlead.report.charts` (``pip install 'mgrlead[report]'``): every
function returns a :class:`matplotlib.figure.Figure` built without ``pyplot``,
and :func:`~mgrlead.report.charts.chart_bytes` renders it as PNG or SVG.  The
curves come from :mod:`mgrlead.irt` (the same functions ``mgrlead irt show``
prints), drawn toward the dimension's high pole.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

from mgrlead.errors import ReportError
from mgrlead.i18n import format_decimal
from mgrlead.i18n import gettext as _
from mgrlead.report.charts import localize_ticks, new_figure
from mgrlead.report.texts import percent_words

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from matplotlib.figure import Figure

    from mgrlead.irt import Prior, ThetaScore
    from mgrlead.model import Dimension, Rubric

    Floats = npt.NDArray[np.float64]

__all__ = [
    "THETA_RANGE",
    "category_chart",
    "information_chart",
    "item_information_chart",
    "theta_chart",
    "theta_interval",
]

#: The θ axis of every chart, widened when an interval or a peak lies outside it.
THETA_RANGE: Final = (-4.0, 4.0)
#: The normal quantile of a 95 % interval.
Z95: Final = 1.959963984540054
#: Line colours, in order (the 360 chart's rater-group colours first).
_SERIES: Final = (
    "#1864ab", "#d9480f", "#2b8a3e", "#862e9c", "#495057", "#e67700", "#0b7285", "#c2255c",
)  # fmt: skip
_STYLES: Final = ("-", "--", ":", "-.")
_INFO: Final = "#1864ab"
_SE: Final = "#d9480f"
_INTERVAL: Final = "#d0ebff"
_POINTS: Final = 321


def _dimension(rubric: Rubric, dimension: str) -> Dimension:
    for dim in rubric.walk():
        if dim.id == dimension:
            return dim
    known = ", ".join(d.id for d in rubric.walk())
    raise ReportError(
        f"rubric {rubric.id!r} has no dimension {dimension!r}; its dimensions are {known}"
    )


def _axis(lower: float = THETA_RANGE[0], upper: float = THETA_RANGE[1]) -> Floats:
    import numpy as np  # noqa: PLC0415

    return np.linspace(lower, upper, _POINTS)


def _theta_label(dim: Dimension) -> str:
    return f"\u03b8 ({dim.low.label} \u2190 \u2192 {dim.high.label})"


def _general(value: float) -> str:
    """``value`` as ``f"{value:g}"`` writes it, with the current language's decimal sign."""
    point = format_decimal(0.5, 1)[1]
    return f"{value:g}".replace(".", point)


def theta_interval(score: ThetaScore, level: float = 0.95) -> tuple[float, float]:
    """A scored θ's interval, ``θ ± z SE`` (95 %: z = 1.96).

    Raises:
        ReportError: the score is not scorable, or ``level`` is not 0.95.
    """
    if level != 0.95:
        raise ReportError(f"only 95% intervals are drawn, not {level!r}")
    if score.theta is None or score.se is None:
        raise ReportError(f"dimension {score.dimension!r} has no θ: {score.reason}")
    return score.theta - Z95 * score.se, score.theta + Z95 * score.se


def item_information_chart(rubric: Rubric, dimension: str) -> Figure:
    """One information curve per item of a dimension (where along θ each item measures)."""
    from mgrlead.irt.models import item_information  # noqa: PLC0415
    from mgrlead.irt.scoring import plan_for  # noqa: PLC0415

    dim = _dimension(rubric, dimension)
    plan = plan_for(rubric, (dimension,))
    theta = _axis()
    fig = new_figure(7.5, 3.8)
    ax = fig.add_subplot()
    for k, m in enumerate(plan.dimensions[0].members):
        ax.plot(theta, item_information(m.params, theta), color=_SERIES[k % len(_SERIES)],
                linestyle=_STYLES[(k // len(_SERIES)) % len(_STYLES)],
                label=f"{plan.items[m.column].id} ({m.params.model})")  # fmt: skip
    ax.set_xlim(theta[0], theta[-1])
    ax.set_ylim(bottom=0)
    ax.set_xlabel(_theta_label(dim))
    ax.set_ylabel(_("item information"))
    ax.grid(color="#dddddd", linewidth=0.5)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    localize_ticks(ax)
    ax.set_title(_("{dimension}: item information").format(dimension=dim.name))
    return fig


def information_chart(
    rubric: Rubric,
    dimension: str,
    *,
    prior: Prior | None = None,
    ml: bool = False,
    target_se: float | None = None,
) -> Figure:
    """A dimension's test information (left axis) and standard error (right axis) along θ.

    The SE is ``1 / sqrt(I(θ) + 1/sd²)`` under ``prior`` (default N(0, 1)), or
    ``1 / sqrt(I(θ))`` with ``ml``; ``target_se`` draws a dotted line at that SE.
    """
    import numpy as np  # noqa: PLC0415

    from mgrlead.irt.information import standard_error  # noqa: PLC0415
    from mgrlead.irt.scoring import Prior, dimension_information  # noqa: PLC0415

    dim = _dimension(rubric, dimension)
    used = None if ml else (prior if prior is not None else Prior())
    theta = _axis()
    info = dimension_information(rubric, dimension, theta)
    se = standard_error(info, used)
    fig = new_figure(7.5, 3.8)
    ax = fig.add_subplot()
    (i_line,) = ax.plot(theta, info, color=_INFO, linewidth=2, label=_("test information"))
    ax.set_xlim(theta[0], theta[-1])
    ax.set_ylim(bottom=0)
    ax.set_xlabel(_theta_label(dim))
    ax.set_ylabel(_("information"), color=_INFO)
    ax.grid(color="#dddddd", linewidth=0.5)
    right = ax.twinx()
    words = (
        _("SE, no prior")
        if used is None
        else _("SE (prior N({mean}, {sd}²))").format(mean=_general(used.mean), sd=_general(used.sd))
    )
    (s_line,) = right.plot(theta, se, color=_SE, linewidth=2, linestyle="--", label=words)
    handles = [i_line, s_line]
    if target_se is not None:
        target = _("SE {target}").format(target=_general(target_se))
        (t_line,) = right.plot(theta[[0, -1]], (target_se, target_se), color=_SE, linewidth=1,
                               linestyle=":", label=target)  # fmt: skip
        handles.append(t_line)
    finite = se[np.isfinite(se)]
    top = float(finite.max()) if finite.size else 1.0
    right.set_ylim(0, min(top * 1.05, 3.0))
    right.set_ylabel(_("standard error"), color=_SE)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2),
              ncol=len(handles), frameon=False, fontsize=8)  # fmt: skip
    localize_ticks(ax)
    localize_ticks(right)
    ax.set_title(_("{dimension}: test information and standard error").format(dimension=dim.name))
    return fig


def category_chart(rubric: Rubric, item_id: str, dimension: str | None = None) -> Figure:
    """The probability of each answer to one item along θ (its category response curves).

    The curves are labelled by answer (code and label); for an item
    reverse-keyed in ``dimension`` (default: the first dimension it counts
    toward) the highest code is the keyed category nearest the low pole.
    """
    import numpy as np  # noqa: PLC0415

    from mgrlead.irt.models import category_log_probabilities  # noqa: PLC0415

    item = rubric.item(item_id)
    if item.irt is None:
        raise ReportError(f"item {item_id!r} carries no IRT parameters; nothing to draw")
    dims = [d for d in rubric.walk() if any(i == item_id for i, _ in rubric.members(d))]
    if dimension is not None:
        dims = [d for d in dims if d.id == dimension]
        if not dims:
            raise ReportError(f"item {item_id!r} does not count toward dimension {dimension!r}")
    dim = dims[0]
    reverse = dict(rubric.members(dim))[item_id]
    scale = item.scale if item.scale is not None else rubric.scale
    theta = _axis()
    probability = np.exp(category_log_probabilities(item.irt, theta))
    fig = new_figure(7.5, 3.8)
    ax = fig.add_subplot()
    for code in scale:
        k = scale.max - code if reverse else code - scale.min
        colour = _SERIES[(code - scale.min) % len(_SERIES)]
        ax.plot(theta, probability[k], color=colour, linewidth=1.8,
                label=f"{code} {scale.label(code)}")  # fmt: skip
    ax.set_xlim(theta[0], theta[-1])
    ax.set_ylim(0, 1)
    ax.set_xlabel(_theta_label(dim))
    ax.set_ylabel(_("probability of the answer"))
    ax.grid(color="#dddddd", linewidth=0.5)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    localize_ticks(ax)
    pole = dim.low.label if reverse else dim.high.label
    ax.set_title(
        _("{item} ({model}, keyed toward {pole}): category response curves").format(
            item=item_id, model=item.irt.model, pole=pole
        )
    )
    return fig


def theta_chart(rubric: Rubric, score: ThetaScore) -> Figure:
    """A respondent's θ on the dimension's information curve, with its 95 % interval shaded.

    Raises:
        ReportError: the score is not scorable (there is no θ to draw).
    """
    from mgrlead.irt.scoring import dimension_information  # noqa: PLC0415

    dim = _dimension(rubric, score.dimension)
    low, high = theta_interval(score)
    assert score.theta is not None  # noqa: S101 - theta_interval refused a score without one
    theta = _axis(min(THETA_RANGE[0], math.floor(low)), max(THETA_RANGE[1], math.ceil(high)))
    info = dimension_information(rubric, score.dimension, theta)
    fig = new_figure(7.5, 3.2)
    ax = fig.add_subplot()
    level = _("{level} interval").format(level=percent_words(95))
    ax.axvspan(low, high, color=_INTERVAL, zorder=0, label=level)
    ax.plot(theta, info, color="#495057", linewidth=1.5, label=_("information"))
    at = float(dimension_information(rubric, score.dimension, [score.theta])[0])
    ax.axvline(score.theta, color=_INFO, linewidth=1, zorder=2)
    ax.plot([score.theta], [at], marker="o", markersize=9, color=_INFO, markeredgecolor="white",
            zorder=3, linestyle="none", label=_("your \u03b8"))  # fmt: skip
    ax.set_xlim(theta[0], theta[-1])
    ax.set_ylim(bottom=0)
    ax.set_xlabel(_theta_label(dim))
    ax.set_ylabel(_("information"))
    ax.grid(color="#dddddd", linewidth=0.5)
    ax.legend(loc="upper left", frameon=False, fontsize=8)
    localize_ticks(ax)
    title = _("{dimension}: \u03b8 {theta}, {level} interval {lower} to {upper}").format(
        dimension=dim.name,
        theta=format_decimal(score.theta, 2),
        lower=format_decimal(low, 2),
        upper=format_decimal(high, 2),
        level=percent_words(95),
    )
    ax.set_title(title)
    return fig
