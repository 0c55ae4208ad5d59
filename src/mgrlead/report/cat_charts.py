"""Charts of simulated adaptive tests: test length against the SE target, item exposure.

Like :mod:`mgrlead.report.charts` (``pip install 'mgrlead[report]'``): each
function returns a :class:`matplotlib.figure.Figure` built without ``pyplot``;
:func:`mgrlead.report.write_charts` writes them.  The numbers are those of
:func:`mgrlead.adaptive.simulate` (issue 18, part 5); the words and tick numbers
are in the current language (:func:`mgrlead.i18n.use_language`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from mgrlead.errors import ReportError
from mgrlead.i18n import format_decimal, ngettext
from mgrlead.i18n import gettext as _
from mgrlead.report.charts import localize_ticks, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from mgrlead.adaptive import SimulationResult

__all__ = ["exposure_chart", "length_chart"]

_MEAN: Final = "#1864ab"
_MAX: Final = "#d9480f"
_FULL: Final = "#495057"


def _general(value: float) -> str:
    """``value`` as ``f"{value:g}"`` writes it, with the current language's decimal sign."""
    point = format_decimal(0.5, 1)[1]
    return f"{value:g}".replace(".", point)


def length_chart(results: Sequence[SimulationResult]) -> Figure:
    """Mean and maximum test length against the SE target, one point per simulation.

    Every result must come from the same rubric with a single SE target
    (a number) each; the full length is drawn as a dotted line.

    Raises:
        ReportError: no results, a result without one SE target, or results of
            different rubrics.
    """
    if not results:
        raise ReportError("length_chart needs at least one simulation result")
    points = []
    for r in results:
        se = r.options.se
        if not isinstance(se, (int, float)):
            shown = r.options.to_dict()["se"]
            raise ReportError(f"length_chart needs one SE target per simulation, got {shown!r}")
        points.append((float(se), r.mean_length, r.max_length))
    if len({r.rubric for r in results}) != 1:
        raise ReportError("length_chart: the simulations come from different rubrics")
    points.sort()
    fig = new_figure(6.5, 3.8)
    ax = fig.add_subplot()
    ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", color=_MEAN,
            linewidth=2, label=_("mean length"))  # fmt: skip
    ax.plot([p[0] for p in points], [p[2] for p in points], marker="s", color=_MAX,
            linestyle="--", label=_("longest test"))  # fmt: skip
    ax.axhline(results[0].bank_size, color=_FULL, linestyle=":", label=_("full length"))
    ax.set_xlabel(_("SE target"))
    ax.set_ylabel(_("items asked"))
    ax.set_ylim(bottom=0, top=results[0].bank_size * 1.08)
    ax.grid(color="#dddddd", linewidth=0.5)
    ax.legend(loc="upper right", frameon=False, fontsize=8)
    localize_ticks(ax)
    n = results[0].n
    ax.set_title(
        ngettext(
            "{rubric}: test length by SE target ({n} simulee)",
            "{rubric}: test length by SE target ({n} simulees)",
            n,
        ).format(rubric=results[0].rubric, n=n)
    )
    return fig


def exposure_chart(result: SimulationResult, *, limit: float | None = None) -> Figure:
    """Each item's exposure rate (share of simulees given it), highest first.

    ``limit``: draw a dotted line at this rate (e.g. a Sympson-Hetter target).
    """
    rates = sorted(result.exposure().items(), key=lambda kv: (-kv[1], kv[0]))
    fig = new_figure(max(6.5, 0.16 * len(rates) + 1.5), 3.8)
    ax = fig.add_subplot()
    localize_ticks(ax)  # before the item ids replace the x ticks' numbers
    ax.bar(range(len(rates)), [rate for _item, rate in rates], color=_MEAN)
    ax.set_xticks(range(len(rates)), [item for item, _rate in rates], rotation=90, fontsize=7)
    if limit is not None:
        target = _("target {rate}").format(rate=_general(limit))
        ax.axhline(limit, color=_MAX, linestyle=":", label=target)
        ax.legend(loc="upper right", frameon=False, fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(_("exposure rate"))
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    ax.set_title(
        ngettext(
            "{rubric}: item exposure ({n} simulated test)",
            "{rubric}: item exposure ({n} simulated tests)",
            result.n,
        ).format(rubric=result.rubric, n=result.n)
    )
    return fig
