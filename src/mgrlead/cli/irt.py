"""``mgrlead irt``: item response theory (``fit`` calibrates item parameters, ``show`` shows them).

``show`` lives in :mod:`mgrlead.cli.irt_show`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from mgrlead.cli.common import (
    DEFAULT_NA,
    MgrleadGroup,
    lang_option,
    languages,
    long_options,
    output_format,
    read_responses,
    refuse_overwriting,
    rubric_of,
)
from mgrlead.cli.common import output as write_to
from mgrlead.cli.irt_show import show
from mgrlead.cli.render import console

__all__ = ["irt"]

_FORMATS = {".toml": "toml", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}


@click.group(cls=MgrleadGroup)
def irt() -> None:
    """Item response theory: calibrate item parameters (fit), look at them (show)."""


irt.add_command(show)


@irt.command("fit")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--rubric", "rubric_name", default="manager-leader", show_default=True,
    metavar="NAME|FILE", help="The rubric whose items to calibrate (a name or a file).",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
    help="Write the calibrated rubric here (atomically); .toml, .json, .yaml or .yml.",
)  # fmt: skip
@click.option(
    "--format", "fmt", type=click.Choice(["toml", "json", "yaml"]), default=None,
    help="The rubric file's format [default: from the extension of -o].",
)  # fmt: skip
@click.option(
    "--model", type=click.Choice(["grm", "gpcm", "pcm", "rsm"]), default="grm",
    show_default=True, help="The model: graded response, generalized partial credit, "
    "partial credit (a = 1) or rating scale (a = 1, shared steps).",
)  # fmt: skip
@click.option(
    "--dimension", "dimensions", multiple=True, metavar="ID",
    help="Calibrate this dimension (repeat for several) [default: every dimension "
    "without sub-dimensions].",
)  # fmt: skip
@click.option(
    "--refit", is_flag=True,
    help="Re-estimate items that already declare parameters (otherwise an error).",
)  # fmt: skip
@click.option(
    "--rubric-version", default=None, metavar="TEXT",
    help="The calibrated rubric's version [default: the rubric's, with -calibrated appended].",
)  # fmt: skip
@click.option(
    "--max-iter", type=click.IntRange(1), default=500, show_default=True,
    help="The most EM cycles per dimension.",
)  # fmt: skip
@click.option(
    "--tol", type=click.FloatRange(0, min_open=True), default=1e-6, show_default=True,
    help="Converged when the largest Newton step is below this.",
)  # fmt: skip
@click.option(
    "--min-respondents", type=click.IntRange(1), default=100, show_default=True,
    help="The fewest respondents a dimension needs.",
)  # fmt: skip
@click.option(
    "--fit", "fit_test", type=click.Choice(["c2", "m2", "m2*", "none"], case_sensitive=False),
    default="c2", show_default=True,
    help="The global fit test per dimension: C2, M2, M2*, or none to leave it out "
    "(S-X² item fit and the reliabilities are always shown).",
)  # fmt: skip
@click.option(
    "--na", "na_values", multiple=True, default=DEFAULT_NA, show_default=True,
    help="A cell text that means 'not answered' (repeat for several).",
)  # fmt: skip
@long_options()
@lang_option
def fit_command(  # noqa: PLR0913, PLR0917 - one parameter per option
    file: Path,
    rubric_name: str,
    output: Path,
    fmt: str | None,
    model: str,
    dimensions: Sequence[str],
    refit: bool,
    rubric_version: str | None,
    max_iter: int,
    tol: float,
    min_respondents: int,
    fit_test: str,
    na_values: Sequence[str],
    long: dict[str, Any] | None,
    lang: str | None,
) -> None:
    """Calibrate item parameters from a responses file.

    Writes the rubric that carries them to -o.

    FILE is read as `mgrlead score` reads it (CSV or Parquet, one row per
    respondent, a column per item; `-` for CSV on standard input), or with
    --long one row per respondent and item.  Each
    dimension is fitted by marginal maximum likelihood (Bock-Aitkin EM, then
    Newton steps); the summary shows every estimate with its standard error
    and each dimension's -2 log-likelihood, AIC, BIC and iterations, then the
    model fit and reliability: per dimension the global fit test (C2 by
    default; statistic, df, p, RMSEA, SRMSR) and the marginal and empirical
    reliability, per item S-X² with df and p (misfit flagged at p < .01).  A
    statistic the data cannot give is shown as - with a note.  The rubric
    written to -o scores θ (`mgrlead.irt.score_theta`); it is the same in
    every --lang (which translates the summary only).
    """
    from mgrlead.cli.render_irt import show_calibration  # noqa: PLC0415
    from mgrlead.i18n import use_language  # noqa: PLC0415
    from mgrlead.io.serialize import dump_rubric  # noqa: PLC0415
    from mgrlead.irt import calibrate  # noqa: PLC0415

    rubric_file = Path(rubric_name) if Path(rubric_name).is_file() else None
    refuse_overwriting({"-o": output}, {"FILE": file, "rubric file": rubric_file})
    target = output_format(output, fmt, _FORMATS, default="toml")
    rubric = rubric_of(rubric_name)
    _, interface = languages(rubric, lang)  # the rubric calibrated and written is as it is
    _, _, matrix = read_responses(file, rubric, set(na_values), long)
    cal = calibrate(
        rubric, matrix, model=model, dimensions=list(dimensions) or None, refit=refit,
        version=rubric_version, max_iter=max_iter, tol=tol, min_respondents=min_respondents,
        fit=None if fit_test.lower() == "none" else fit_test,
    )  # fmt: skip
    text = dump_rubric(cal.rubric, target)
    with write_to(output) as out:
        out.write(text)
    with use_language(interface):
        show_calibration(cal, console())
    click.echo(f"wrote {output} (rubric {cal.rubric.id} {cal.rubric.version})", err=True)
