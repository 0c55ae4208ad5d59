"""``mgrlead irt show``: what a rubric's item parameters measure, and how precisely, per dimension.

A table per dimension: each item's model, discrimination and thresholds or
steps (toward the high pole, with its keying), and where it measures best;
then the test information and the standard error at a few θ values, and the
θ range where the SE is small enough.  ``--chart DIR`` also draws the
information, SE and category response curves (the report extra).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mgrlead.cli.common import rubric_of
from mgrlead.cli.render import console as make_console
from mgrlead.cli.render import esc
from mgrlead.errors import InputError, counted

if TYPE_CHECKING:
    from rich.console import Console

    from mgrlead.irt import DimensionInformation
    from mgrlead.model import IrtParams, Rubric

__all__ = ["parameter_text", "show", "show_information"]


def _points(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise InputError(
            f"--at {text!r} is not a list of numbers; give θ values like -2,-1,0,1,2"
        ) from None
    if not values or not all(math.isfinite(v) for v in values):
        raise InputError(f"--at {text!r}: give finite θ values like -2,-1,0,1,2")
    return values


def parameter_text(params: IrtParams) -> str:
    """An item's thresholds or steps in one line: ``b -2.10 -0.90 0.20 1.40``."""
    numbers = " ".join(f"{v:.2f}" for v in (params.thresholds or params.steps))
    if params.model == "grm":
        return f"b {numbers}"
    if params.model == "rsm":
        return f"\u03bb {params.location or 0.0:.2f}; \u03c4 {numbers}"
    return f"d {numbers}"


def _range_text(ranges: tuple[tuple[float, float], ...]) -> str:
    if not ranges:
        return "nowhere"
    if ranges == ((-math.inf, math.inf),):
        return "everywhere (the prior alone is that precise)"

    def end(v: float) -> str:
        return "-inf" if v == -math.inf else "+inf" if v == math.inf else f"{v:.2f}"

    return ", ".join(f"{end(lo)} to {end(hi)}" for lo, hi in ranges)


#: Below this width the thresholds and steps get a table of their own.
NARROW_ITEMS = 80


def show_information(
    rubric: Rubric,
    summary: DimensionInformation,
    console: Console,
    *,
    reliability: float | None = None,
    plain: bool = False,
) -> None:
    """Print one dimension's summary: the items table, then information and SE at each θ.

    ``plain``: no box drawing (for a pipe or a file); the numbers are the same.
    """
    from rich import box  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    dim = next(d for d in rubric.walk() if d.id == summary.dimension)
    style: Any = None if plain else box.SIMPLE_HEAD
    # on a narrow screen the thresholds get a table of their own (in one table
    # they would be squeezed out), so every number stays whole
    narrow = console.width < NARROW_ITEMS
    title = esc(f"{dim.name}  [{dim.id}]: {counted(len(summary.items), 'item')}")
    items = Table(title=title, title_justify="left", box=style)
    params = Table(box=style)
    columns = ["item", "keyed", "model", "a", "D", "thresholds / steps", "max info", "at \u03b8"]
    if narrow:
        columns.remove("thresholds / steps")
        params.add_column("item", no_wrap=True)
        params.add_column("thresholds / steps")
    for col in columns:
        right = col in {"a", "D", "max info", "at \u03b8"}
        wrap = col == "thresholds / steps"  # the rest stay whole (never an ellipsis)
        items.add_column(col, justify="right" if right else "left", no_wrap=not wrap)
    for it in summary.items:
        p = it.params
        row = [
            it.id,
            "low" if it.reverse else "high",
            p.model,
            f"{p.discrimination:.2f}" if p.a is not None else "(1)",
            f"{p.scaling:g}",
            parameter_text(p),
            f"{it.peak:.3f}",
            f"{it.peak_at:+.2f}",
        ]
        if narrow:
            params.add_row(it.id, row.pop(5))
        items.add_row(*row)
    console.print(items)
    if narrow:
        console.print(params)
    console.print(
        esc(f"Parameters toward the high pole ({dim.high.label}): a low-keyed item's describe "
            "max - x.\n(1): a fixed by the model. D: the logistic scaling.")
    )  # fmt: skip
    prior = (
        "no prior (ML): SE = 1/sqrt(I)"
        if summary.prior is None
        else f"prior N({summary.prior.mean:g}, {summary.prior.sd:g}\u00b2): "
        "SE = 1/sqrt(I + 1/sd\u00b2)"
    )
    console.print(f"Test information and standard error; {prior}")
    curve = Table(box=style)
    curve.add_column("\u03b8", justify="right")
    curve.add_column("information", justify="right")
    curve.add_column("SE", justify="right")
    for t, info, se in zip(summary.points, summary.information, summary.se, strict=True):
        curve.add_row(f"{t:+.2f}", f"{info:.3f}", f"{se:.3f}")
    console.print(curve)
    console.print(f"SE \u2264 {summary.target_se:g} for \u03b8 {_range_text(summary.precise)}")
    value = "not computed (mgrlead irt fit)" if reliability is None else f"{reliability:.3f}"
    console.print(f"Marginal reliability: {value}\n")


@click.command("show")
@click.option(
    "--rubric", "rubric_name", required=True, metavar="NAME|FILE",
    help="A rubric whose items carry IRT parameters (a registered name or a file).",
)  # fmt: skip
@click.option(
    "--dimension", "dimensions", multiple=True, metavar="ID",
    help="Only this dimension (repeat for several) [default: every dimension with parameters].",
)  # fmt: skip
@click.option(
    "--se", "target_se", type=click.FloatRange(min=0, min_open=True), default=0.4,
    show_default=True, help="Report the θ range where the standard error is at most this.",
)  # fmt: skip
@click.option(
    "--at", "at", default="-2,-1,0,1,2", show_default=True, metavar="θ,θ,...",
    help="The θ values of the information and SE table.",
)  # fmt: skip
@click.option(
    "--prior-sd", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True,
    help="The SD of the normal prior (mean 0) the SE includes: 1/sqrt(I + 1/sd²).",
)  # fmt: skip
@click.option(
    "--no-prior", "ml", is_flag=True,
    help="The SE without a prior (ML): 1/sqrt(I).",
)  # fmt: skip
@click.option(
    "--chart", "chart_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Also write the charts (information, SE, category curves) into this directory.",
)  # fmt: skip
@click.option(
    "--chart-format", "chart_formats", type=click.Choice(["png", "svg"]), multiple=True,
    help="Only these chart formats (repeat for both) [default: png and svg].",
)  # fmt: skip
def show(  # noqa: PLR0913, PLR0917 - click passes each option
    rubric_name: str,
    dimensions: Sequence[str],
    target_se: float,
    at: str,
    prior_sd: float,
    ml: bool,
    chart_dir: Path | None,
    chart_formats: Sequence[str],
) -> None:
    """Show the item parameters, test information and standard error of each IRT dimension.

    Needs a rubric with IRT parameters (docs/irt.md). The charts need the
    report extra: pip install 'mgrlead[report]'.
    """
    from mgrlead.irt import Prior, information_summary, irt_dimensions  # noqa: PLC0415

    if ml and click.get_current_context().get_parameter_source("prior_sd") not in {
        click.core.ParameterSource.DEFAULT,
        None,
    }:
        raise InputError("--no-prior and --prior-sd contradict each other; give one of them")
    rubric = rubric_of(rubric_name)
    points = _points(at)
    chosen = tuple(dict.fromkeys(dimensions)) or irt_dimensions(rubric)
    if not chosen:
        named = repr(rubric_name) if rubric_name == rubric.id else f"{rubric_name!r} ({rubric.id})"
        raise InputError(
            f"rubric {named} has no dimension whose items all carry IRT parameters; add "
            'irt = { model = "grm", a = ..., thresholds = [...] } to each item of a dimension '
            "(docs/irt.md), or estimate them from responses with `mgrlead irt fit`"
        )
    prior = None if ml else Prior(sd=prior_sd)
    summaries = [
        information_summary(rubric, d, points=points, prior=prior, ml=ml, target_se=target_se)
        for d in chosen
    ]
    out = make_console()
    for s in summaries:
        show_information(rubric, s, out, reliability=s.reliability, plain=not out.is_terminal)
    if chart_dir is not None:
        _write_charts(rubric, summaries, chart_dir, tuple(chart_formats), prior)


def _write_charts(
    rubric: Rubric,
    summaries: Sequence[DimensionInformation],
    directory: Path,
    formats: tuple[str, ...],
    prior: Any,  # noqa: ANN401 - a Prior or None
) -> None:
    from mgrlead import report  # noqa: PLC0415
    from mgrlead.report import charts, irt_charts  # noqa: PLC0415

    figures: dict[str, Any] = {}
    for s in summaries:
        figures[f"information-{s.dimension}"] = irt_charts.information_chart(
            rubric, s.dimension, prior=prior, target_se=s.target_se
        )
        figures[f"items-{s.dimension}"] = irt_charts.item_information_chart(rubric, s.dimension)
        for it in s.items:
            figures[f"categories-{s.dimension}-{it.id}"] = irt_charts.category_chart(
                rubric, it.id, s.dimension
            )
    try:
        written = report.write_charts(figures, directory, formats or charts.FORMATS)
    except OSError as exc:
        raise InputError(f"cannot write {exc.filename or directory}: {exc.strerror}") from exc
    for path in written:
        click.echo(f"wrote {path}", err=True)
