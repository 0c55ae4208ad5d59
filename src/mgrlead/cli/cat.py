"""``mgrlead cat``: adaptive testing on the command line (issue 18).

``mgrlead cat simulate`` runs simulated adaptive tests on a calibrated rubric
and reports test length, precision, bias and RMSE against the true θ and the
full-length EAP, exposure rates and the stopping rules that fired: how an
organisation chooses its SE target.  (``mgrlead assess --adaptive`` takes
an adaptive test in the terminal.)
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mgrlead.cli.common import (
    MgrleadGroup,
    lang_option,
    languages,
    output,
    output_format,
    refuse_overwriting,
    rubric_of,
)
from mgrlead.cli.render import console as make_console
from mgrlead.cli.render import esc
from mgrlead.errors import InputError
from mgrlead.i18n import format_decimal, ngettext
from mgrlead.i18n import gettext as _

if TYPE_CHECKING:
    from rich.console import Console

    from mgrlead.adaptive import SimulationResult
    from mgrlead.model import Rubric

__all__ = ["cat", "read_theta", "show_simulation", "simulate_command"]

_FORMATS = {".csv": "csv", ".json": "json"}


@click.group(cls=MgrleadGroup)
def cat() -> None:
    """Adaptive testing (CAT): simulate adaptive tests on a calibrated rubric."""


def read_theta(path: Path, dims: tuple[str, ...]) -> dict[str, list[float]]:
    """True θ from a CSV file with one column per measured dimension (named by its id).

    Raises:
        InputError: the file cannot be read, lacks a dimension's column, or a cell is
            not a finite number (naming the row and column).
    """
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise InputError(f"cannot read {str(path)!r}: {exc.strerror}") from exc
    if not rows:
        raise InputError(f"{path.name}: no rows; give a header and one row of true θ per simulee")
    lacking = [d for d in dims if d not in rows[0]]
    if lacking:
        raise InputError(
            f"{path.name}: no column for dimension(s) {', '.join(lacking)}; the columns must be "
            f"named by the dimension ids ({', '.join(dims)})"
        )
    out: dict[str, list[float]] = {d: [] for d in dims}
    for n, row in enumerate(rows, start=2):
        for d in dims:
            text = row[d]
            try:
                value = float(text)
            except (TypeError, ValueError):
                value = math.nan
            if not math.isfinite(value):
                raise InputError(f"{path.name}, row {n}, column {d!r}: {text!r} is not a number")
            out[d].append(value)
    return out


def _fmt(v: float, digits: int = 3) -> str:
    # TRANSLATORS: a figure a simulation cannot give (e.g. a correlation without variance)
    return _("n/a") if math.isnan(v) else format_decimal(v, digits)


def _se_target(se: object) -> str:
    """The SE target as the options give it: one number (in the current language), or more."""
    if isinstance(se, (int, float)):
        point = format_decimal(0.5, 1)[1]
        return str(se).replace(".", point)
    return str(se)


#: Below this width the per-dimension figures take two tables.
NARROW_SIMULATION = 80


def show_simulation(result: SimulationResult, console: Console, *, top: int = 10) -> None:
    """Print a simulation's summary: lengths, precision per dimension, stops, top exposure.

    The words and numbers are in the current language (:func:`mgrlead.i18n.use_language`).
    """
    from rich import box  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    opts = result.options
    se = _se_target(opts.to_dict()["se"])
    console.print(
        ngettext(
            "[bold]{rubric}[/bold]: {n} simulated adaptive test (selection {selection}, "
            "SE target {se}, max items {max_items})",
            "[bold]{rubric}[/bold]: {n} simulated adaptive tests (selection {selection}, "
            "SE target {se}, max items {max_items})",
            result.n,
        ).format(
            rubric=esc(result.rubric),
            n=result.n,
            selection=opts.selection,
            se=se,
            # TRANSLATORS: no largest number of items ("max items none")
            max_items=opts.max_items or _("none"),
        )
    )
    console.print(
        _(
            "Test length: mean {mean}, max {max} (full length {full}: {fewer}% fewer items "
            "on average)"
        ).format(
            mean=format_decimal(result.mean_length, 1),
            max=result.max_length,
            full=result.bank_size,
            fewer=format_decimal(100.0 * (1 - result.mean_length / result.bank_size), 0),
        )
    )
    rows = {
        d.dimension: {
            "items": f"{format_decimal(d.mean_items, 1)}/{d.items}", "SE": _fmt(d.mean_se, 2),
            "bias": _fmt(d.bias), "RMSE": _fmt(d.rmse), "full": _fmt(d.rmse_full),
            "vs full": _fmt(d.rmse_vs_full), "r": _fmt(d.corr_full),
        }
        for d in result.dimensions()
    }  # fmt: skip
    against_truth = ("items", "SE", "bias", "RMSE")
    against_full = ("full", "vs full", "r")
    # TRANSLATORS: the column headings of the per-dimension table of `mgrlead cat simulate`
    # ("full": the full-length test's EAP; "vs full": RMSE of the adaptive θ against it)
    heads = {
        "items": _("items"), "SE": _("SE"), "bias": _("bias"), "RMSE": "RMSE",
        "full": _("full"), "vs full": _("vs full"), "r": "r",
    }  # fmt: skip
    words = {
        "items": _("items: mean asked / all"), "SE": _("SE: mean"),
        "bias": _("bias, RMSE: vs the true θ"), "full": _("full: the full-length EAP's RMSE"),
        "vs full": _("vs full: RMSE against it"), "r": _("r: correlation with it"),
    }  # fmt: skip
    # on a narrow screen two tables, so that every number stays whole
    groups: list[tuple[str, ...]] = [against_truth + against_full]
    # (headings longer than the English ones need that much more room)
    longer = sum(max(0, len(heads[n]) - max(len(n), 5)) for n in heads)
    if console.width < NARROW_SIMULATION + longer:
        groups = [against_truth, against_full]
    for k, names in enumerate(groups):
        table = Table(
            title=_("Per dimension: adaptive θ vs the true θ and the full-length EAP") if k == 0
            else None,
            caption="; ".join(words[n] for n in names if n in words),
            box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1),
        )  # fmt: skip
        table.add_column(_("dimension"), no_wrap=True)
        for name in names:
            table.add_column(heads[name], justify="right", no_wrap=True, min_width=5)
        for dim_id, values in rows.items():
            table.add_row(esc(dim_id), *(values[n] for n in names))
        console.print(table)
    stops = Table(title=_("Stopping rules that fired"))
    stops.add_column(_("rule"))
    stops.add_column(_("tests"), justify="right")
    stops.add_column(_("share"), justify="right")
    for rule, count in result.stop_counts().items():
        share = _("{percent}%").format(percent=format_decimal(100.0 * count / result.n, 1))
        stops.add_row(rule, str(count), share)  # the rules' ids, as in the JSON
    console.print(stops)
    exposure = sorted(result.exposure().items(), key=lambda kv: (-kv[1], kv[0]))
    shown = Table(
        title=ngettext(
            "Highest exposure\n(of {n} item)", "Highest exposure\n(of {n} items)", len(exposure)
        ).format(n=len(exposure))
    )
    shown.add_column(_("item"))
    shown.add_column(_("exposure"), justify="right")
    for item, rate in exposure[:top]:
        shown.add_row(esc(item), format_decimal(rate, 3))
    console.print(shown)


@cat.command("simulate")
@click.option(
    "--rubric", "rubric_name", required=True, metavar="NAME|FILE",
    help="A rubric whose items carry IRT parameters (a registered name or a file).",
)  # fmt: skip
@click.option("-n", "count", type=click.IntRange(min=1), default=1000, show_default=True,
              help="How many simulees (θ drawn from the prior).")  # fmt: skip
@click.option("--se", type=click.FloatRange(min=0, min_open=True), default=0.4,
              show_default=True, help="Stop a dimension when its SE is at most this.")  # fmt: skip
@click.option("--max-items", type=click.IntRange(min=1), default=None,
              help="Stop after this many items in all.")  # fmt: skip
@click.option("--min-items", type=click.IntRange(min=0), default=0, show_default=True,
              help="Ask at least this many items in all.")  # fmt: skip
@click.option("--selection", type=click.Choice(["mfi", "pwi", "kl"]), default="mfi",
              show_default=True,
              help="Fisher information at θ, posterior-weighted information, or KL.")  # fmt: skip
@click.option("--randomesque", type=click.IntRange(min=1), default=1, show_default=True,
              help="Choose at random among this many best items (exposure control).")  # fmt: skip
@click.option("--exposure-target", type=click.FloatRange(min=0, max=1, min_open=True),
              default=None, help="Sympson-Hetter exposure control toward this rate "
              "(its parameters are computed from simulations first).")  # fmt: skip
@click.option("--no-keying-balance", is_flag=True,
              help="Do not balance high- and low-keyed items within a dimension.")  # fmt: skip
@click.option("--theta", "theta_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help="Read true θ from this CSV (a column per dimension id).")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True, help="The random seed.")
@click.option("--chart", "chart_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Also draw test length by SE target (--targets) and item "
              "exposure into this directory (the report extra).")  # fmt: skip
@click.option("--targets", default="0.3,0.35,0.4,0.45,0.5,0.6", show_default=True,
              metavar="SE,SE,...",
              help="With --chart: the SE targets of the length chart.")  # fmt: skip
@click.option("-o", "--output", "output_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the results: .json (summary) or .csv "
              "(one row per simulee).")  # fmt: skip
@lang_option
def simulate_command(  # noqa: PLR0913, PLR0917 - click passes each option
    rubric_name: str,
    count: int,
    se: float,
    max_items: int | None,
    min_items: int,
    selection: str,
    randomesque: int,
    exposure_target: float | None,
    no_keying_balance: bool,
    theta_file: Path | None,
    seed: int,
    chart_dir: Path | None,
    targets: str,
    output_file: Path | None,
    lang: str | None,
) -> None:
    """Simulate adaptive tests: items needed, precision, bias, RMSE, exposure, stopping rules.

    Answers are drawn from the rubric's own item parameters at each simulee's
    true θ; the adaptive θ is compared with the true θ and with the EAP of
    all the simulee's answers (the full-length test).  See docs/adaptive.md.
    """
    import attrs  # noqa: PLC0415

    from mgrlead.adaptive import CatOptions, simulate, sympson_hetter  # noqa: PLC0415
    from mgrlead.adaptive.engine import compile_bank  # noqa: PLC0415
    from mgrlead.i18n import use_language  # noqa: PLC0415

    refuse_overwriting({"-o": output_file}, {"--theta": theta_file, "--rubric": Path(rubric_name)})
    fmt = output_format(output_file, None, _FORMATS, default="json") if output_file else None
    rubric: Rubric = rubric_of(rubric_name)
    _shown, interface = languages(rubric, lang)  # the simulation and its files are as they are
    options = CatOptions(
        se=se, max_items=max_items, min_items=min_items, selection=selection,
        randomesque=randomesque, balance_keying=not no_keying_balance,
    )  # fmt: skip
    theta: Any = None
    if theta_file is not None:
        theta = read_theta(theta_file, compile_bank(rubric, options).dims)
    screen = make_console(stderr=True)
    if exposure_target is not None:
        if randomesque > 1:
            raise InputError("--exposure-target and --randomesque: choose one exposure control")
        screen.print(f"Computing Sympson-Hetter parameters toward exposure {exposure_target} ...")
        k = sympson_hetter(rubric, options, target=exposure_target, n=min(count, 2000), seed=seed)
        options = attrs.evolve(options, exposure=k)
    result = simulate(rubric, options, n=count, seed=seed, theta=theta)
    with use_language(interface):
        show_simulation(result, make_console())
    if output_file is not None:
        with output(output_file) as out:
            if fmt == "json":
                out.write(result.to_json() + "\n")
            else:
                rows = result.rows()
                writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
        screen.print(f"wrote {esc(str(output_file))}")
    if chart_dir is not None:
        with use_language(interface):
            _charts(rubric, result, chart_dir, _targets(targets), theta)


def _targets(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values or not all(math.isfinite(v) and v > 0 for v in values):
        raise InputError(f"--targets {text!r}: give positive SE targets like 0.3,0.4,0.5")
    return values


def _charts(
    rubric: Rubric, result: SimulationResult, directory: Path, targets: list[float], theta: object
) -> None:
    """The length chart (one simulation per target, same options otherwise) and exposure."""
    import attrs  # noqa: PLC0415

    from mgrlead import report  # noqa: PLC0415
    from mgrlead.adaptive import simulate  # noqa: PLC0415
    from mgrlead.report import cat_charts  # noqa: PLC0415

    runs = [
        simulate(rubric, attrs.evolve(result.options, se=t), n=result.n, seed=result.seed,
                 theta=theta, full=False)
        for t in targets
    ]  # fmt: skip
    figures = {
        "cat-length": cat_charts.length_chart(runs),
        "cat-exposure": cat_charts.exposure_chart(result),
    }
    try:
        written = report.write_charts(figures, directory)
    except OSError as exc:
        raise InputError(f"cannot write {exc.filename or directory}: {exc.strerror}") from exc
    for path in written:
        click.echo(f"wrote {path}", err=True)
