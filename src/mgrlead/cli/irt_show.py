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

from mgrlead.cli.common import lang_option, languages, rubric_of
from mgrlead.cli.render import console as make_console
from mgrlead.cli.render import esc
from mgrlead.errors import InputError
from mgrlead.i18n import format_decimal, ngettext
from mgrlead.i18n import gettext as _

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
    """An item's thresholds or steps in one line: ``b -2.10 -0.90 0.20 1.40``.

    The numbers are written as the current language writes them (``-2,10``).
    """
    numbers = " ".join(format_decimal(v, 2) for v in (params.thresholds or params.steps))
    if params.model == "grm":
        return f"b {numbers}"
    if params.model == "rsm":
        return f"\u03bb {format_decimal(params.location or 0.0, 2)}; \u03c4 {numbers}"
    return f"d {numbers}"


def _localized(text: str) -> str:
    """A number formatted by Python, with the current language's decimal sign."""
    point = format_decimal(0.5, 1)[1]
    return text if point == "." else text.replace(".", point)


def _general(value: float) -> str:
    """``value`` as ``f"{value:g}"`` writes it, in the current language."""
    return _localized(f"{value:g}")


def _range_text(ranges: tuple[tuple[float, float], ...]) -> str:
    if not ranges:
        # TRANSLATORS: "SE ≤ 0.4 for θ nowhere": no θ is measured that precisely
        return _("nowhere")
    if ranges == ((-math.inf, math.inf),):
        return _("everywhere (the prior alone is that precise)")

    def end(v: float) -> str:
        return "-inf" if v == -math.inf else "+inf" if v == math.inf else format_decimal(v, 2)

    # TRANSLATORS: a range of θ, e.g. "-1.20 to 2.35"
    return ", ".join(_("{lower} to {upper}").format(lower=end(lo), upper=end(hi))
                     for lo, hi in ranges)  # fmt: skip


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
    The words and numbers are in the current language (:func:`mgrlead.i18n.use_language`).
    """
    from rich import box  # noqa: PLC0415
    from rich.measure import Measurement  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    dim = next(d for d in rubric.walk() if d.id == summary.dimension)
    style: Any = None if plain else box.SIMPLE_HEAD
    # on a narrow screen the thresholds get a table of their own (in one table
    # they would be squeezed out), so every number stays whole
    narrow = console.width < NARROW_ITEMS
    n = len(summary.items)
    title = esc(
        ngettext("{name}  [{id}]: {n} item", "{name}  [{id}]: {n} items", n).format(
            name=dim.name, id=dim.id, n=n
        )
    )
    steps, model = _("thresholds / steps"), _("model")
    # TRANSLATORS: column headings of `mgrlead irt show`: the item, the pole it is keyed
    # toward (low/high), the IRT model, its largest information and the θ where it is
    columns = [_("item"), _("keyed"), model, "a", "D", steps, _("max info"), _("at θ")]
    right = {"a", "D", _("max info"), _("at θ")}
    rows = [
        [
            it.id,
            # TRANSLATORS: an item keyed toward the low or the high pole
            _("low") if it.reverse else _("high"),
            it.params.model,
            format_decimal(it.params.discrimination, 2) if it.params.a is not None else "(1)",
            _general(it.params.scaling),
            parameter_text(it.params),
            format_decimal(it.peak, 3),
            _localized(f"{it.peak_at:+.2f}"),
        ]
        for it in summary.items
    ]

    def tables(apart: list[str]) -> tuple[Table, Table]:
        """The items table, and one of the ``apart`` columns (with the item ids) if any."""
        items = Table(title=title, title_justify="left", box=style)
        params = Table(box=style)
        params.add_column(columns[0], no_wrap=True)
        for col in columns:
            wrap = col == steps  # the rest stay whole (never an ellipsis)
            where = params if col in apart else items
            where.add_column(col, justify="right" if col in right else "left", no_wrap=not wrap)
        for row in rows:
            items.add_row(*(v for v, col in zip(row, columns, strict=True) if col not in apart))
            params.add_row(
                row[0], *(v for v, col in zip(row, columns, strict=True) if col in apart)
            )
        return items, params

    items, params = tables([steps] if narrow else [])
    wide = console.options.update(width=10 * console.width)  # how wide the table would like
    if narrow and Measurement.get(console, wide, items).maximum > console.width:
        # longer headings (another language) would squeeze a number: the model moves too
        items, params = tables([model, steps])
    console.print(items)
    if narrow:
        console.print(params)
    console.print(
        esc(
            _(
                "Parameters toward the high pole ({pole}): a low-keyed item's describe max - x.\n"
                "(1): a fixed by the model. D: the logistic scaling."
            ).format(pole=dim.high.label)
        )
    )
    se_name = _("SE")
    prior = (
        _("no prior (ML): {se} = 1/sqrt(I)").format(se=se_name)
        if summary.prior is None
        else _("prior N({mean}, {sd}²): {se} = 1/sqrt(I + 1/sd²)").format(
            mean=_general(summary.prior.mean), sd=_general(summary.prior.sd), se=se_name
        )
    )
    console.print(_("Test information and standard error; {prior}").format(prior=prior))
    curve = Table(box=style)
    curve.add_column("\u03b8", justify="right")
    curve.add_column(_("information"), justify="right")
    curve.add_column(se_name, justify="right")
    for t, info, se in zip(summary.points, summary.information, summary.se, strict=True):
        curve.add_row(_localized(f"{t:+.2f}"), format_decimal(info, 3), format_decimal(se, 3))
    console.print(curve)
    console.print(
        _("{se} ≤ {target} for θ {where}").format(
            se=se_name, target=_general(summary.target_se), where=_range_text(summary.precise)
        )
    )
    value = (
        _("not computed (mgrlead irt fit)")
        if reliability is None
        else format_decimal(reliability, 3)
    )
    console.print(_("Marginal reliability: {value}").format(value=value) + "\n")


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
@lang_option
def show(  # noqa: PLR0913, PLR0917 - click passes each option
    rubric_name: str,
    dimensions: Sequence[str],
    target_se: float,
    at: str,
    prior_sd: float,
    ml: bool,
    chart_dir: Path | None,
    chart_formats: Sequence[str],
    lang: str | None,
) -> None:
    """Show the item parameters, test information and standard error of each IRT dimension.

    Needs a rubric with IRT parameters (docs/irt.md). The charts need the
    report extra: pip install 'mgrlead[report]'.
    """
    from mgrlead.i18n import use_language  # noqa: PLC0415
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
    shown, interface = languages(rubric, lang)  # the dimensions' names and poles in --lang
    out = make_console()
    with use_language(interface):
        for s in summaries:
            show_information(shown, s, out, reliability=s.reliability, plain=not out.is_terminal)
        if chart_dir is not None:
            _write_charts(shown, summaries, chart_dir, tuple(chart_formats), prior)


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
