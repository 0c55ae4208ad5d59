"""Charts of profiles, 360 rounds and teams (matplotlib; ``pip install 'mgrlead[report]'``).

Every chart function returns a :class:`matplotlib.figure.Figure` built
without ``pyplot`` (no global state, no display needed);
:func:`chart_bytes` renders it as PNG or SVG.  SVG text is drawn as paths, so
no text from a rubric file or the data ever becomes markup.

The charts' own words (titles, legends, notes) are in the current language
(:func:`mgrlead.i18n.use_language` around building the figure), and so are the
numbers on their axes (``0,5`` in German).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mgrlead.errors import ReportError
from mgrlead.i18n import format_decimal, ngettext
from mgrlead.i18n import gettext as _
from mgrlead.report.texts import band_words, bands_on_percent, percent_interval

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from mgrlead.groups.multirater import Feedback360
    from mgrlead.groups.teams import TeamStats
    from mgrlead.model import Band, Dimension, Rubric
    from mgrlead.results import Profile

__all__ = [
    "FORMATS",
    "band_colour",
    "chart_bytes",
    "feedback360_chart",
    "localize_ticks",
    "new_figure",
    "profile_chart",
    "team_chart",
]

#: The formats :func:`chart_bytes` writes.
FORMATS = ("png", "svg")
_BAND_COLOURS = ("#dbe9f6", "#eeeeee", "#fde7d2", "#e3f1dd", "#efe2f3", "#fbf3c9")
_GROUP_MARKERS = {
    "self": ("D", "#d9480f"),
    "manager": ("s", "#1864ab"),
    "peer": ("o", "#2b8a3e"),
    "direct_report": ("^", "#862e9c"),
    "other": ("v", "#495057"),
    "all_others": ("P", "#000000"),
}
_RC: dict[Any, Any] = {"svg.fonttype": "path", "svg.hashsalt": "mgrlead"}


def band_colour(index: int) -> str:
    """The colour of a rubric's ``index``-th band, in charts and HTML legends alike."""
    return _BAND_COLOURS[index % len(_BAND_COLOURS)]


def new_figure(width: float, height: float) -> Figure:
    """A figure of ``width`` by ``height`` inches, without pyplot, laid out by matplotlib.

    Raises:
        ReportError: matplotlib is not installed (naming the extra that brings it).
    """
    try:
        from matplotlib.figure import Figure  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - the extra is installed in the tests
        raise ReportError("charts need matplotlib: pip install 'mgrlead[report]'") from exc
    return Figure(figsize=(width, height), layout="constrained")


def localize_ticks(ax: Axes) -> None:
    """Write the tick numbers of ``ax`` as the current language writes numbers (``0,5``).

    Nothing changes in a language that writes a decimal point, as English does.
    """
    point = format_decimal(0.5, 1)[1]
    if point == ".":
        return
    from matplotlib.ticker import ScalarFormatter  # noqa: PLC0415

    class _Localized(ScalarFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return super().__call__(x, pos).replace(".", point)

    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(_Localized())


def chart_bytes(figure: Figure, fmt: str = "svg") -> bytes:
    """Render a chart as ``"png"`` or ``"svg"`` bytes (reproducible: no dates, fixed ids)."""
    import matplotlib as mpl  # noqa: PLC0415

    if fmt not in FORMATS:
        raise ReportError(f"unknown chart format {fmt!r}; use png or svg")
    buffer = io.BytesIO()
    metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
    with mpl.rc_context(_RC):
        figure.savefig(buffer, format=fmt, dpi=110, metadata=metadata)
    return buffer.getvalue()


def _pole_axis(ax: Axes, rubric: Rubric, dims: list[Dimension], bands: bool = True) -> None:
    """One row per dimension from 0 (low pole) to 100 (high pole), bands shaded."""
    ax.set_xlim(0, 100)
    ax.set_ylim(len(dims) - 0.5, -0.5)
    ax.set_yticks(range(len(dims)), [d.name for d in dims])
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.grid(axis="x", color="#cccccc", linewidth=0.5)
    ax.set_axisbelow(True)
    for row, dim in enumerate(dims):
        ax.text(0, row + 0.38, dim.low.label, ha="left", va="center", fontsize=7, color="#555555")
        ax.text(100, row + 0.38, dim.high.label, ha="right", va="center", fontsize=7,
                color="#555555")  # fmt: skip
        if bands:
            _shade_bands(ax, row, bands_on_percent(rubric, dim))
    localize_ticks(ax)
    ax.set_xlabel(f"{rubric.low_label} (0) \u2014 {rubric.high_label} (100)")


def _shade_bands(ax: Axes, row: int, bands: tuple[Band, ...]) -> None:
    from mgrlead.model import band_stretches  # noqa: PLC0415

    for k, lo, hi in band_stretches(bands):
        ax.barh(row, hi - lo, left=lo, height=0.5, color=_BAND_COLOURS[k % 6], zorder=0)


def profile_chart(profile: Profile, rubric: Rubric) -> Figure:
    """One bar per dimension between its poles: the score, its band and its interval.

    The interval is drawn when the profile was scored with norms that give
    one (a reliability) on the percent or item-mean metric.
    """
    dims = [d for d in rubric.walk() if d.id in {s.dimension for s in profile}]
    fig = new_figure(7.5, 0.75 * len(dims) + 1.2)
    ax = fig.add_subplot()
    _pole_axis(ax, rubric, dims)
    for row, dim in enumerate(dims):
        s = profile[dim.id]
        if s.percent is None:
            ax.text(50, row, _("not scorable"), ha="center", va="center", color="#a61e4d")
            continue
        interval = percent_interval(s, dim, rubric)
        if interval is not None:
            ax.plot(interval, (row, row), color="#1c7ed6", linewidth=2.5, solid_capstyle="butt")
        ax.plot([s.percent], [row], marker="o", markersize=10, color="#1864ab",
                markeredgecolor="white", zorder=3, clip_on=False)  # fmt: skip
        align = "left" if s.percent < 15 else "right" if s.percent > 85 else "center"
        label = band_words(s.band_label)  # scored: its band, or in no band
        ax.text(s.percent, row - 0.32, f"{format_decimal(s.percent, 0)} \u00b7 {label}",
                ha=align, va="center", fontsize=8)  # fmt: skip
    ax.set_title(rubric.title)
    return fig


def feedback360_chart(
    feedback: Feedback360, rubric: Rubric, *, labels: Mapping[str, str] | None = None
) -> Figure:
    """Each shown rater group's mean per dimension; withheld groups are not drawn.

    ``labels``: the rater groups' labels in the legend, by group (default:
    each view's own label).
    """
    dims = list(rubric.walk())
    fig = new_figure(7.5, 0.85 * len(dims) + 1.6)
    ax = fig.add_subplot()
    _pole_axis(ax, rubric, dims)
    views = [v for v in feedback.groups if v.shown]
    offsets = {v.group: (k - (len(views) - 1) / 2) * 0.09 for k, v in enumerate(views)}
    for view in views:
        marker, colour = _GROUP_MARKERS.get(view.group, ("o", "#343a40"))
        xs, ys = [], []
        for row, dim in enumerate(dims):
            s = view[dim.id]
            if s.shown and s.percent is not None:
                xs.append(s.percent)
                ys.append(row + offsets[view.group])
        ax.plot(xs, ys, linestyle="none", marker=marker, color=colour, markersize=8,
                label=(labels or {}).get(view.group, view.label), zorder=3)  # fmt: skip
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=min(len(views), 6),
              frameon=False)  # fmt: skip
    ax.set_title(_("{title}: 360\u00b0 view").format(title=rubric.title))
    return fig


def team_chart(team: TeamStats, rubric: Rubric) -> Figure:
    """How the team's members spread over each dimension's bands, with mean and SD."""
    dims = [d for d in rubric.walk() if d.id in {s.dimension for s in team.dimensions}]
    fig = new_figure(7.5, 0.75 * len(dims) + 1.2)
    ax = fig.add_subplot()
    _pole_axis(ax, rubric, dims, bands=False)
    for row, dim in enumerate(dims):
        stats = team[dim.id]
        if not stats.shown:  # too few members counted: nothing about them is drawn
            withheld = _("withheld: {scored} scored, too few to show").format(scored=stats.scored)
            ax.text(50, row, withheld, ha="center", va="center", fontsize=9, style="italic",
                    color="#868e96")  # fmt: skip
            continue
        bands = rubric.bands_of(dim)
        scored = max(stats.scored, 1)
        for k, band in enumerate(bands):
            lo, hi = max(band.lower, 0.0), min(band.upper, 100.0)
            count = stats.bands.get(band.id, 0)
            colour = _BAND_COLOURS[k % 6]
            ax.barh(row, hi - lo, left=lo, height=0.55 * count / scored + 0.02, color=colour,
                    edgecolor="#868e96", linewidth=0.5, zorder=1)  # fmt: skip
            if count:
                ax.text((lo + hi) / 2, row, str(count), ha="center", va="center", fontsize=8)
        if stats.mean is not None:
            if stats.sd is not None:
                ax.plot((stats.mean - stats.sd, stats.mean + stats.sd), (row - 0.33, row - 0.33),
                        color="#1864ab", linewidth=2)  # fmt: skip
            ax.plot([stats.mean], [row - 0.33], marker="|", markersize=12, color="#1864ab",
                    markeredgewidth=2.5)  # fmt: skip
    title = ngettext(
        "{title}: team {team} ({members} member)",
        "{title}: team {team} ({members} members)",
        team.members,
    ).format(title=rubric.title, team=team.team, members=team.members)
    ax.set_title(title)
    return fig
