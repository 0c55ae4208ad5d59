"""``mgrlead score``: score a CSV or Parquet file of any size, streaming."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import click

from mgrlead.api import scoring_plan
from mgrlead.cli.common import (
    DEFAULT_NA,
    composed,
    lang_option,
    languages,
    long_options,
    norm_table,
    output,
    output_format,
    refuse_overwriting,
    rubric_options,
    widened,
)
from mgrlead.cli.render import console, progress
from mgrlead.cli.score_view import ScoreView, parse_metrics, selector
from mgrlead.errors import InputError, counted
from mgrlead.i18n import use_language

__all__ = ["score_command"]

#: The output formats, by file extension.
FORMATS: Final = {
    ".csv": "csv", ".json": "json", ".parquet": "parquet",
    ".sav": "sav", ".dta": "dta", ".rds": "rds", ".xlsx": "xlsx",
}  # fmt: skip
#: The formats written whole by :func:`mgrlead.io.formats.write_scores` (optional extras).
LABELLED: Final = frozenset({"sav", "dta", "rds", "xlsx"})


@click.command("score")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@rubric_options
@long_options(aliases=True)
@click.option(
    "-o", "--output", "output_path", type=click.Path(dir_okay=False, path_type=Path),
    default=None, help="Write here (atomically) instead of to standard output.",
)  # fmt: skip
@click.option(
    "--format", "fmt", type=click.Choice([*FORMATS.values(), "table"]), default=None,
    help="Output format [default: from the extension of -o (.csv, .json, .parquet, .sav, "
    ".dta, .rds, .xlsx); on standard output a table for people on a terminal, else csv]. "
    "parquet, sav (SPSS), dta (Stata), rds (R) and xlsx (Excel) need -o; parquet keeps the "
    "provenance in the file's metadata, sav and dta add variable and value labels.",
)  # fmt: skip
@click.option(
    "--with-answers", is_flag=True, default=False,
    help="With -o .sav, .dta, .rds or .xlsx: write the answers too (Excel: on a sheet of "
    "their own, which mgrlead reads back as answers).",
)  # fmt: skip
@click.option(
    "--metrics", "metric_list", multiple=True, metavar="LIST",
    help="Only these metrics' columns, comma-separated (percent,band; careless for the "
    "careless-responding indicators) [default: all; on a terminal percent,band].",
)  # fmt: skip
@click.option(
    "--round", "digits", type=click.IntRange(0, 15), default=None, metavar="N",
    help="Round scores to N decimals [default: full precision; on a terminal 1].",
)  # fmt: skip
@click.option(
    "--na", "na_values", multiple=True, default=DEFAULT_NA, show_default=True,
    help="A cell text that means 'not answered' (repeat for several).",
)  # fmt: skip
@click.option(
    "--missing", type=click.Choice(["available", "mean", "median"]), default=None,
    help="Missing-data policy instead of the rubric's: score from the available answers, "
    "or impute each item's mean or median over the whole file (as psych's scoreItems; "
    "reads the file twice).",
)  # fmt: skip
@click.option(
    "--norms", "norms_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="A norm table file: adds z, T, percentile, sten, stanine and confidence intervals.",
)  # fmt: skip
@click.option(
    "--on-error", type=click.Choice(["fail", "skip"]), default="fail", show_default=True,
    help="Stop at the first bad row, or skip bad rows (they go to a side file).",
)  # fmt: skip
@click.option(
    "--skipped", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Where skipped rows go (default: next to the input, NAME.skipped.csv).",
)  # fmt: skip
@lang_option
def score_command(  # noqa: PLR0913, PLR0917 - one parameter per option
    file: Path,
    rubric_name: str,
    dimensions: Sequence[str],
    weighting: str | None,
    strategy: str | None,
    long: dict[str, Any] | None,
    output_path: Path | None,
    fmt: str | None,
    with_answers: bool,
    metric_list: Sequence[str],
    digits: int | None,
    na_values: Sequence[str],
    missing: str | None,
    norms_file: Path | None,
    on_error: str,
    skipped: Path | None,
    lang: str | None,
) -> None:
    """Score every row of a file: one row per respondent, one column per item.

    FILE is CSV (`-`: standard input), Parquet, SPSS (.sav), Stata (.dta) or
    Excel (.xlsx); with --long, one row per respondent and item instead.
    Columns that are not items (an id, a team, ...) are passed through.  Empty
    cells and `NA` mean "not answered"; so do SPSS user-missing codes.

    On a terminal the scores are a table for people; in a pipe or a file (-o)
    every column at full precision, in the format of -o's extension.  --lang
    shows the table in another language (the columns of files keep their names).
    """
    from mgrlead.io.stream import STDIN, skipped_file_for  # noqa: PLC0415

    side = skipped
    if side is None and on_error == "skip" and file != STDIN:
        side = skipped_file_for(file)
    refuse_overwriting(
        {"-o": output_path, "--skipped" if skipped else "the side file of skipped rows": side},
        {
            "input file": file,
            "norm table (--norms)": norms_file,
            "rubric file (--rubric)": Path(rubric_name) if Path(rubric_name).is_file() else None,
        },
    )
    if fmt == "table" and output_path is not None:
        raise InputError(
            "--format table is for the terminal; write a file as .csv, .json, .parquet, .sav, "
            ".dta, .rds or .xlsx "
            "(--round and --metrics shape those too)"
        )
    on_screen = "table" if sys.stdout.isatty() else "csv"
    fmt = output_format(output_path, fmt, FORMATS, default=on_screen)
    metrics = parse_metrics(metric_list, norms=norms_file is not None)
    rubric, interface = languages(composed(rubric_name, dimensions, weighting, strategy), lang)
    plan = scoring_plan(rubric, missing=missing)
    norms = norm_table(norms_file)
    extra = None
    if norms is not None:
        from mgrlead.analysis.norms import norm_extra  # noqa: PLC0415

        extra = norm_extra(norms)
    if (fmt == "parquet" or fmt in LABELLED) and output_path is None:
        raise InputError(f"--format {fmt} writes a file: give it with -o OUT.{fmt}")
    if file != STDIN and not file.is_file():
        raise InputError(f"cannot read {str(file)!r}: No such file or directory")
    if file == STDIN and on_error == "skip" and skipped is None:
        raise InputError("--on-error skip with standard input needs --skipped FILE for the rows")
    if with_answers and fmt not in LABELLED:
        raise InputError(
            "--with-answers is for -o .sav, .dta, .rds or .xlsx; a CSV, JSON or Parquet "
            "output holds the scores (and the pass-through columns) only"
        )
    if with_answers and on_error == "skip":
        raise InputError("--with-answers writes every row's answers: leave out --on-error skip")
    if long is not None and on_error == "skip":
        raise InputError(
            "--on-error skip works on rows of a wide file; with --long fix the rows or "
            "leave out --on-error skip"
        )
    with use_language(interface), widened(file, rubric, long, na_values) as source:
        _score(
            plan, rubric, source, fmt, output_path, metrics, digits, list(na_values),
            on_error, skipped, extra, with_answers,
        )  # fmt: skip


def _score(  # noqa: PLR0913, PLR0917 - the command's choices, made
    plan: Any,  # noqa: ANN401 - a ScoringPlan
    rubric: Any,  # noqa: ANN401 - a Rubric
    file: Path,
    fmt: str,
    output_path: Path | None,
    metrics: Any,  # noqa: ANN401
    digits: int | None,
    na_values: list[str],
    on_error: str,
    skipped: Path | None,
    extra: Any,  # noqa: ANN401
    with_answers: bool,
) -> None:
    from mgrlead.io.stream import count_lines, stream_score  # noqa: PLC0415

    if fmt in LABELLED and output_path is not None:
        _score_labelled(
            plan, rubric, file, output_path, metrics, digits, na_values, on_error, skipped, extra,
            with_answers=with_answers,
        )  # fmt: skip
        return
    if fmt == "table":
        view = ScoreView(plan, rubric, metrics, digits)
        with progress(count_lines(file)) as advance:
            report = stream_score(
                plan, file, view, na_values=na_values, on_error=on_error,
                skipped_path=skipped, extra=extra, progress=advance,
            )  # fmt: skip
        view.show(console())
    else:
        with progress(count_lines(file)) as advance, output(output_path) as out:
            target: Any = out
            if fmt == "parquet":
                target = Path(out.name)
            report = stream_score(
                plan, file, target, fmt=fmt, na_values=na_values, on_error=on_error,
                skipped_path=skipped, extra=extra, progress=advance,
                select=selector(plan, metrics, digits),
            )  # fmt: skip
    _say_skipped(report)


def _score_labelled(  # noqa: PLR0913, PLR0917 - the command's choices, made
    plan: Any,  # noqa: ANN401 - a ScoringPlan
    rubric: Any,  # noqa: ANN401 - a Rubric
    file: Path,
    output_path: Path,
    metrics: Any,  # noqa: ANN401
    digits: int | None,
    na_values: list[str],
    on_error: str,
    skipped: Path | None,
    extra: Any,  # noqa: ANN401
    *,
    with_answers: bool,
) -> None:
    """Score to a temporary Parquet file, then write it with labels as SPSS, Stata, R or Excel."""
    import json  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    from mgrlead.extras import pyarrow  # noqa: PLC0415
    from mgrlead.io.formats import write_scores  # noqa: PLC0415
    from mgrlead.io.stream import count_lines, stream_score  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="mgrlead-score-") as folder:
        scored = Path(folder) / "scores.parquet"
        with progress(count_lines(file)) as advance:
            report = stream_score(
                plan, file, scored, fmt="parquet", na_values=na_values, on_error=on_error,
                skipped_path=skipped, extra=extra, progress=advance,
                select=selector(plan, metrics, digits),
            )  # fmt: skip
        table = pyarrow().parquet.read_table(scored)
    metadata = table.schema.metadata or {}
    provenance = json.loads(metadata[b"mgrlead"]) if b"mgrlead" in metadata else {}
    provenance.pop("kinds", None)
    answers = None
    if with_answers:
        from mgrlead.io.stream import read_all  # noqa: PLC0415

        _, passthrough, matrix = read_all(plan, file, na_values)
        answers = {**passthrough, **{i: matrix[:, j] for j, i in enumerate(plan.item_ids)}}
    write_scores(
        output_path, table.replace_schema_metadata(None), rubric, plan.dimension_ids,
        answers=answers, provenance=provenance,
    )  # fmt: skip
    _say_skipped(report)


def _say_skipped(report: Any) -> None:  # noqa: ANN401 - a StreamReport
    if report.skipped:
        click.echo(
            f"mgrlead: skipped {counted(report.skipped, 'bad row')}, written to "
            f"{report.skipped_file}; "
            f"first: {report.problems[0] if report.problems else ''}",
            err=True,
        )
