"""The ``mgrlead`` command-line tool: a thin shell over the library.

Bad input (an unknown file, a bad CSV cell, an invalid rubric) prints one
``mgrlead: error: ...`` line on standard error and exits with status 2; it never
shows a traceback.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click

from mgrlead._version import __version__
from mgrlead.api import builtin_rubrics, load_rubric
from mgrlead.errors import InputError, MgrleadError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from mgrlead.model import Band, Rubric
    from mgrlead.norms import NormScore, NormTable
    from mgrlead.results import Profile

__all__ = ["cli", "main"]

#: Cell texts that mean "not answered" in a CSV file.
DEFAULT_NA = ("", "NA")
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


class UserError(click.ClickException):
    """A mistake in what the user gave: printed as one line, exit status 2."""

    exit_code = EXIT_USER_ERROR

    def show(self, file: IO[Any] | None = None) -> None:
        """Print ``mgrlead: error: <message>`` on standard error."""
        click.echo(f"mgrlead: error: {self.format_message()}", err=True, file=file)


class _Group(click.Group):
    """Turns every :class:`MgrleadError` into a one-line :class:`UserError`."""

    def invoke(self, ctx: click.Context) -> Any:  # noqa: ANN401
        try:
            return super().invoke(ctx)
        except MgrleadError as exc:
            raise UserError(str(exc)) from exc


def _console(*, stderr: bool = False) -> Console:
    from rich.console import Console  # noqa: PLC0415

    return Console(file=sys.stderr if stderr else sys.stdout, highlight=False)


def _rubric(name: str) -> Rubric:
    return load_rubric(name)


def _composed(
    name: str, dimensions: Sequence[str], weighting: str | None, strategy: str | None
) -> Rubric:
    """The rubric named on the command line, with plugin dimensions, scheme and strategy."""
    rubric = _rubric(name)
    if not dimensions and weighting is None and strategy is None:
        return rubric
    from mgrlead.api import build_rubric  # noqa: PLC0415

    return build_rubric(
        rubric, extra_dimensions=list(dimensions), weighting=weighting, strategy=strategy
    )


def rubric_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--rubric``, ``--with-dimension``, ``--weighting`` and ``--strategy``."""
    options = (
        click.option(
            "--rubric", "rubric_name", default="manager-leader", show_default=True,
            metavar="NAME|FILE", help="A registered rubric name or a rubric file (.toml, .json).",
        ),
        click.option(
            "--with-dimension", "dimensions", multiple=True, metavar="ID",
            help="Add a dimension registered by a plugin (repeat for several).",
        ),
        click.option(
            "--weighting", default=None, metavar="ID",
            help="Weight the overall result with a registered weighting scheme.",
        ),
        click.option(
            "--strategy", default=None, metavar="NAME",
            help="The scoring strategy for the headline scores (mean, sum, ...).",
        ),
    )  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"mgrlead {__version__}")
    try:
        from mgrlead.plugins import default_host  # noqa: PLC0415

        for info in default_host().plugins:
            click.echo(f"  plugin {info.label}")
    except MgrleadError as exc:
        raise UserError(str(exc)) from exc
    ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-V", "--version", is_flag=True, expose_value=False, is_eager=True,
    callback=_print_version, help="Show the version and the registered plugins, then exit.",
)  # fmt: skip
def cli() -> None:
    """mgrlead: manager-or-leader assessments, scored exactly.

    Take the assessment with `mgrlead assess`, score a CSV of responses with
    `mgrlead score FILE.csv`, and look at a rubric with `mgrlead rubric show`.
    """


# --------------------------------------------------------------------- assess
@cli.command()
@rubric_options
@click.option("--seed", type=int, default=None, help="Fix the shuffled order of the items.")
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help='Take the answers from a JSON file ({"item id": response, ...}) instead of asking.',
)
@click.option("--json", "as_json", is_flag=True, help="Print the profile as JSON.")
@click.option("--lang", default=None, help="Ask and answer in this language (if translated).")
@click.option(
    "--norms",
    "norms_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Compare the profile with a norm table (z, percentile, confidence interval).",
)
@click.option("--norm-group", default=None, help="Your group in the norm table, e.g. manager.")
def assess(  # noqa: PLR0913, PLR0917 - one parameter per option
    rubric_name: str,
    dimensions: Sequence[str],
    weighting: str | None,
    strategy: str | None,
    seed: int | None,
    answers_file: Path | None,
    as_json: bool,
    lang: str | None,
    norms_file: Path | None,
    norm_group: str | None,
) -> None:
    """Take the assessment in the terminal, then see your profile.

    Statements come in a shuffled order (fixed by --seed).  Answer with the
    number of a choice; `b` goes back one statement, `s` skips one, `q` quits.
    Ctrl-C leaves at any time without saving anything.
    """
    rubric = _composed(rubric_name, dimensions, weighting, strategy)
    if lang is not None:
        rubric = rubric.localized(lang)
    if answers_file is not None:
        answers = _read_answers(answers_file)
    else:
        try:
            answers = _ask(rubric, seed)
        except (KeyboardInterrupt, click.Abort, EOFError):
            click.echo("\nAssessment cancelled; nothing was saved.", err=True)
            sys.exit(EXIT_INTERRUPTED)
    from mgrlead.api import score  # noqa: PLC0415

    profile = score(rubric, answers, norms=_norms(norms_file), group=norm_group)
    if as_json:
        click.echo(profile.to_json(indent=2))
    else:
        show_profile(rubric, profile, _console())


def _read_answers(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read {str(path)!r}: {exc.strerror}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(
            f'{path.name}: expected a JSON object {{"item id": response, ...}}, '
            f"got {type(data).__name__}"
        )
    return data


def _ask(rubric: Rubric, seed: int | None) -> dict[str, object]:
    """Ask every item in a shuffled order; return the answers."""
    console = _console()
    items = list(rubric.items)
    random.Random(seed).shuffle(items)  # noqa: S311 - an order, not a secret
    scale = rubric.scale
    console.print(f"[bold]{_esc(rubric.title)}[/bold]")
    if rubric.instructions:
        console.print(_esc(rubric.instructions))
    choices = "   ".join(f"{p} = {_esc(scale.label(p))}" for p in scale)
    console.print(f"\n{choices}")
    console.print("b = back one statement, s = skip, q = quit, Ctrl-C = leave\n")
    answers: dict[str, object] = {}
    position = 0
    while position < len(items):
        item = items[position]
        console.print(f"[bold]{position + 1}/{len(items)}[/bold]  {_esc(item.text)}")
        previous = answers.get(item.id)
        default = "" if previous is None else str(previous)
        reply = click.prompt(
            f"Your answer ({scale.min}-{scale.max}, b, s, q)",
            default=default,
            show_default=bool(default),
            prompt_suffix=": ",
        ).strip()
        if reply.lower() == "q":
            raise click.Abort
        if reply.lower() == "b":
            if position == 0:
                console.print("This is the first statement.")
            else:
                position -= 1
            continue
        if reply.lower() == "s":
            answers[item.id] = None
            position += 1
            continue
        try:
            value = int(reply)
        except ValueError:
            value = None
        if value is None or value not in scale:
            console.print(f"Please type a number from {scale.min} to {scale.max}, or b, s or q.")
            continue
        answers[item.id] = value
        position += 1
    console.print()
    return answers


def _esc(text: str) -> str:
    from rich.markup import escape  # noqa: PLC0415

    return escape(text)


def _bar(percent: float, width: int = 21) -> str:
    slot = round(percent / 100 * (width - 1))
    return "─" * slot + "●" + "─" * (width - 1 - slot)


def show_profile(rubric: Rubric, profile: Profile, console: Console) -> None:
    """Print a profile: one bar per dimension between its poles, band and feedback."""
    from rich.padding import Padding  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    console.print(f"[bold]{_esc(rubric.title)}[/bold]  [dim]{rubric.id} {rubric.version}[/dim]\n")
    rows: list[tuple[str, str, str, float | None, str]] = []
    for dim in rubric.walk():
        result = profile[dim.id]
        rows.append((dim.low.label, dim.high.label, dim.name, result.percent,
                     result.band_label or f"not scorable: {result.reason}"))  # fmt: skip
    overall = profile.overall
    rows.append((rubric.low_label, rubric.high_label, "Overall", overall.percent,
                 overall.band_label or f"not scorable: {overall.reason}"))  # fmt: skip
    low_width = max(len(r[0]) for r in rows)
    high_width = max(len(r[1]) for r in rows)
    for low, high, name, percent, label in rows:
        console.print(f"[bold]{_esc(name)}[/bold]")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", width=low_width, no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column(width=high_width, no_wrap=True)
        grid.add_column(justify="right", width=5, no_wrap=True)
        grid.add_column(no_wrap=True)
        if percent is None:
            grid.add_row(_esc(low), "[dim]" + "·" * 21 + "[/dim]", _esc(high), "", "")
            console.print(grid)
            console.print(Padding(f"[dim]{_esc(label)}[/dim]", (0, 0, 0, 2)))
        else:
            grid.add_row(_esc(low), _bar(percent), _esc(high), f"{percent:.1f}", _esc(label))
            console.print(grid)
    console.print()
    for dim in rubric.walk():
        result = profile[dim.id]
        if not result.scorable or result.position is None:
            continue
        band = next(b for b in rubric.bands_of(dim) if b.id == result.band)
        counts = f"{result.answered} of {result.n_items} items answered"
        label = _esc(result.band_label or "")
        if result.norm is not None and result.norm.borderline:
            label += " (borderline)"
        console.print(f"[bold]{_esc(dim.name)}[/bold]: {label} [dim]({counts})[/dim]")
        lines = [band.feedback] if band.feedback else []
        lines += _norm_lines(result.norm, profile.norms)
        poles = [dim.low] if result.position < 0 else [dim.high] if result.position > 0 else []
        for pole in poles:
            for title, text in (
                ("What it means", pole.description),
                ("Strengths", pole.strengths),
                ("Risks", pole.risks),
                ("To develop", pole.development),
            ):
                if text:
                    lines.append(f"[italic]{title}:[/italic] {_esc(text)}")
        for line in lines:
            console.print(Padding(line, (0, 0, 0, 2)))
        console.print()
    if overall.scorable:
        band = next(b for b in rubric.bands if b.id == overall.band)
        if band.feedback:
            console.print(f"[bold]Overall[/bold]: {_esc(band.feedback)}")


# ---------------------------------------------------------------------- score
@cli.command("score")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@rubric_options
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write here (atomically) instead of to standard output.",
)  # fmt: skip
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json", "parquet"]), default="csv",
    show_default=True,
    help="Output format; parquet (needs -o) keeps the provenance in the file's metadata.",
)  # fmt: skip
@click.option(
    "--na", "na_values", multiple=True, default=DEFAULT_NA, show_default=True,
    help="A cell text that means 'not answered' (repeat for several).",
)  # fmt: skip
@click.option(
    "--missing", type=click.Choice(["available", "mean", "median"]), default=None,
    help="Missing-data policy instead of the rubric's: score from the available answers, "
    "or impute the sample's item mean or median (as psych's scoreItems).",
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
def score_command(  # noqa: PLR0913, PLR0917 - one parameter per option
    file: Path,
    rubric_name: str,
    dimensions: Sequence[str],
    weighting: str | None,
    strategy: str | None,
    output: Path | None,
    fmt: str,
    na_values: Sequence[str],
    missing: str | None,
    norms_file: Path | None,
    on_error: str,
    skipped: Path | None,
) -> None:
    """Score every row of a CSV or Parquet file: one row per respondent, one column per item.

    Columns that are not items (an id, a team, ...) are passed through.  Empty
    cells and `NA` mean "not answered".
    """
    rubric = _composed(rubric_name, dimensions, weighting, strategy)
    if missing is not None:
        from mgrlead.api import _configured  # noqa: PLC0415

        rubric = _configured(rubric, missing=missing)
    norms = _norms(norms_file)
    from mgrlead.stream import count_lines, stream_score  # noqa: PLC0415

    if fmt == "parquet" and output is None:
        raise InputError("--format parquet writes a file: give it with -o OUT.parquet")
    if not file.is_file():
        raise InputError(f"cannot read {str(file)!r}: No such file or directory")
    with _progress(count_lines(file)) as advance, _output(output) as out:
        target: Any = out
        if fmt == "parquet":
            target = Path(out.name)
        report = stream_score(
            rubric.plan, file, target, fmt=fmt, na_values=list(na_values), on_error=on_error,
            skipped_path=skipped, norms=norms, progress=advance,
        )  # fmt: skip
    if report.skipped:
        click.echo(
            f"mgrlead: skipped {report.skipped} bad row(s), written to {report.skipped_file}; "
            f"first: {report.problems[0] if report.problems else ''}",
            err=True,
        )


@contextlib.contextmanager
def _progress(total: int | None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on a terminal (standard error); nothing otherwise."""
    if not sys.stderr.isatty():
        yield lambda _rows: None
        return
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=_console(stderr=True), transient=True) as bar:
        task = bar.add_task("rows", total=total)
        yield lambda rows: bar.update(task, completed=rows)


def _norms(path: Path | None) -> NormTable | None:
    if path is None:
        return None
    from mgrlead.serialize import load_norms  # noqa: PLC0415

    return load_norms(path)


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) or type(value).__name__ == "float64":
        number = float(value)  # type: ignore[arg-type]
        return "" if math.isnan(number) else repr(number)
    return str(value)


def _json_cell(value: object) -> object:
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@contextlib.contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    """Standard output, or a temporary file renamed over ``path`` on success."""
    if path is None:
        yield sys.stdout
        return
    from mgrlead._files import atomic_open  # noqa: PLC0415

    with atomic_open(path) as handle:
        yield handle


def read_responses(
    path: Path, rubric: Rubric, na_values: set[str]
) -> tuple[list[str], dict[str, list[Any]], Any]:
    """Read a responses file whole: its header, pass-through columns and answer matrix.

    Raises:
        InputError: the file cannot be read, has no header, repeats a column,
            lacks an item column, or has a row of the wrong length.
        AnswerError: a cell is not an answer; names the line and column.
    """
    from mgrlead.stream import read_all  # noqa: PLC0415

    return read_all(rubric.plan, path, sorted(na_values))


# --------------------------------------------------------------------- rubric
@cli.group()
def rubric() -> None:
    """Look at rubrics."""


@rubric.command("list")
def rubric_list() -> None:
    """List the built-in rubrics."""
    for name in builtin_rubrics():
        r = load_rubric(name)
        click.echo(f"{name}\t{r.version}\t{r.title}")


@rubric.command("schema")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write here instead of to standard output.",
)  # fmt: skip
def rubric_schema_command(output: Path | None) -> None:
    """Write the JSON Schema of rubric files, for editors that validate as you type."""
    from mgrlead.schema import rubric_schema  # noqa: PLC0415

    with _output(output) as out:
        json.dump(rubric_schema(), out, indent=2)
        out.write("\n")


@rubric.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def rubric_validate(file: Path) -> None:
    """Check a rubric file; list every problem with its path, or say it is valid."""
    from mgrlead.serialize import load_rubric_file  # noqa: PLC0415

    if not file.is_file():
        raise InputError(f"cannot read {str(file)!r}: no such file")
    r = load_rubric_file(file)
    n_items = len(r.items)
    n_dims = len(list(r.walk()))
    click.echo(f"{file}: valid rubric {r.id} {r.version} ({n_dims} dimensions, {n_items} items)")


@rubric.command("export")
@click.argument("name", default="manager-leader", metavar="[NAME|FILE]")
@click.option(
    "--format", "fmt", type=click.Choice(["toml", "json", "yaml"]), default="toml",
    show_default=True, help="File format.",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write here (atomically) instead of to standard output.",
)  # fmt: skip
def rubric_export(name: str, fmt: str, output: Path | None) -> None:
    """Write a rubric as a TOML, JSON or YAML file that loads back equal."""
    from mgrlead.serialize import dump_rubric  # noqa: PLC0415

    text = dump_rubric(_rubric(name), fmt)
    with _output(output) as out:
        out.write(text)


@rubric.command("show")
@click.argument("name", default="manager-leader", metavar="[NAME|FILE]")
@click.option("--lang", default=None, help="Show the texts in this language.")
def rubric_show(name: str, lang: str | None) -> None:
    """Show the dimensions, poles, items and bands of a rubric."""
    from rich.table import Table  # noqa: PLC0415

    r = _rubric(name)
    if lang is not None:
        r = r.localized(lang)
    console = _console()
    console.print(f"[bold]{_esc(r.title)}[/bold]  {r.id} {r.version}")
    if r.description:
        console.print(_esc(r.description))
    labels = ", ".join(f"{p} = {_esc(r.scale.label(p))}" for p in r.scale)
    console.print(f"\nScale: {labels}")
    share = f"{r.missing.min_share:.0%}"
    console.print(
        f"Strategy: {r.strategy}; weighting: {r.weighting.id}; "
        f"a dimension needs {share} of its items answered\n"
    )
    for dim in r.walk():
        kind = "" if dim.bipolar else ", unipolar"
        caption = (
            f"0 = {_esc(dim.low.label)} ({dim.low.id}), "
            f"100 = {_esc(dim.high.label)} ({dim.high.id}){kind}"
        )
        if dim.dimensions:
            caption += f"; also scored from {', '.join(s.id for s in dim.dimensions)}"
        table = Table(title=_esc(f"{dim.name}  [{dim.id}]"), caption=caption,
                      title_justify="left")  # fmt: skip
        for col in ("item", "keyed", "weight", "statement"):
            table.add_column(col, justify="right" if col == "weight" else "left")
        for item in dim.items:
            table.add_row(item.id, item.keyed, f"{item.weight:g}", _esc(item.text))
        for ref in dim.item_refs:
            table.add_row(ref.id, ref.keyed, "", "[dim](defined in another dimension)[/dim]")
        if dim.items or dim.item_refs:
            console.print(table)
        else:
            console.print(f"[bold]{_esc(dim.name)}[/bold]  {_esc(f'[{dim.id}]')}: {caption}\n")
        if dim.bands is not None:
            console.print(_bands_table(dim.bands, f"Bands of {dim.id} (on its {dim.band_on})"))
    console.print(_bands_table(r.bands, "Bands (0-100)"))


def _norm_lines(norm: NormScore | None, table: str | None) -> list[str]:
    if norm is None:
        return []
    fell = " (your group has no norms: compared with the fallback group)" if norm.fallback else ""
    head = f"[italic]Compared with {_esc(norm.group)}[/italic] ({_esc(table or '')}){fell}"
    numbers = f"percentile {norm.percentile:.0f}, z {norm.z:+.2f}, T {norm.t:.0f}, sten {norm.sten}"
    lines = [f"{head}: {numbers}."]
    if norm.ci_low is not None and norm.ci_high is not None:
        lines.append(f"95% interval of the score: {norm.ci_low:.2f} to {norm.ci_high:.2f}.")
    if norm.borderline:
        lines.append(
            "[bold]Borderline:[/bold] the interval crosses a band boundary, so the label "
            "above is uncertain; read the neighbouring band's feedback too."
        )
    return lines


def _bands_table(bands: Sequence[Band], title: str) -> Table:
    from rich.table import Table  # noqa: PLC0415

    table = Table(title=title, title_justify="left")
    for col in ("band", "label", "from", "to"):
        table.add_column(col)
    for band in bands:
        lower = ("[" if band.include_lower else "(") + f"{band.lower:g}"
        upper = f"{band.upper:g}" + ("]" if band.include_upper else ")")
        table.add_row(band.id, _esc(band.label), _esc(lower), _esc(upper))
    return table


# -------------------------------------------------------------------- analyze
@cli.command("analyze")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@rubric_options
@click.option("--json", "as_json", is_flag=True, help="Print every number as JSON.")
@click.option(
    "--miskey-threshold", type=float, default=0.1, show_default=True,
    help="Flag items whose item-rest correlation is below this.",
)  # fmt: skip
def analyze_command(  # noqa: PLR0913, PLR0917 - one parameter per option
    file: Path,
    rubric_name: str,
    dimensions: Sequence[str],
    weighting: str | None,
    strategy: str | None,
    as_json: bool,
    miskey_threshold: float,
) -> None:
    """Reliability and item analysis of every dimension (agrees with R's psych)."""
    import warnings  # noqa: PLC0415

    from mgrlead.psychometrics import analyze  # noqa: PLC0415

    rubric = _composed(rubric_name, dimensions, weighting, strategy)
    _, _, matrix = read_responses(file, rubric, set(DEFAULT_NA))
    columns: dict[str, Any] = {item: matrix[:, j] for j, item in enumerate(rubric.item_ids)}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        analysis = analyze(rubric, columns, miskey_threshold=miskey_threshold)
    for w in caught:
        click.echo(f"mgrlead: warning: {w.message}", err=True)
    if as_json:
        click.echo(json.dumps(_json_safe(analysis.to_dict()), indent=2))
        return
    _show_analysis(analysis, _console())


def _json_safe(value: Any) -> Any:  # noqa: ANN401
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _show_analysis(analysis: Any, console: Console) -> None:  # noqa: ANN401
    from rich.table import Table  # noqa: PLC0415

    console.print(
        f"[bold]Reliability[/bold]  {analysis.rubric} {analysis.rubric_version}, "
        f"{analysis.n} respondents\n"
    )
    scales = Table(title="Scales", title_justify="left")
    for col in ("dimension", "items", "alpha", "95% CI", "std alpha", "G6",
                "omega", "av r", "S/N", "mean", "sd"):  # fmt: skip
        scales.add_column(col, justify="left" if col == "dimension" else "right")
    for d in analysis.dimensions:
        ci = f"{_fmt(d.alpha_ci_low)}-{_fmt(d.alpha_ci_high)}" if d.alpha is not None else "-"
        scales.add_row(
            d.dimension, str(d.n_items), _fmt(d.alpha), ci, _fmt(d.std_alpha), _fmt(d.g6),
            _fmt(d.omega_total), _fmt(d.average_r), _fmt(d.signal_noise), _fmt(d.mean),
            _fmt(d.sd),
        )  # fmt: skip
    console.print(scales)
    console.print(
        "alpha = Cronbach's alpha (raw), 95% CI = Feldt, std alpha = standardized, "
        "G6 = Guttman's lambda 6, omega = McDonald's omega total (one factor), "
        "av r = average inter-item correlation, S/N = signal/noise\n"
    )
    for d in analysis.dimensions:
        if d.note:
            console.print(f"[bold]{_esc(d.dimension)}[/bold]: {_esc(d.note)}")
            continue
        items = Table(title=f"Items of {_esc(d.dimension)}", title_justify="left")
        for col in ("item", "rev", "n", "mean", "sd", "r", "r.cor", "r.drop",
                    "alpha if deleted", "missing", "flag"):  # fmt: skip
            items.add_column(col, justify="left" if col in {"item", "flag"} else "right")
        for i in d.items:
            flag = "possibly mis-keyed" if i.possibly_miskeyed else ""
            items.add_row(
                i.item, "-" if i.reversed else "+", str(i.n), _fmt(i.mean), _fmt(i.sd),
                _fmt(i.raw_r), _fmt(i.r_cor), _fmt(i.r_drop), _fmt(i.alpha_if_deleted),
                f"{i.missing:.0%}", flag,
            )  # fmt: skip
        console.print(items)
        for item in d.items:
            if item.possibly_miskeyed:
                console.print(
                    f"  [bold]{_esc(item.item)}[/bold] may be mis-keyed: item-rest r = "
                    f"{item.r_drop:.2f}; alpha {_fmt(d.alpha)} now, {_fmt(item.alpha_if_deleted)}"
                    f" without it, {_fmt(item.alpha_if_reversed)} if it were reversed. "
                    "Nothing was changed: check the item's wording and keying."
                )
        if d.excluded:
            console.print(f"  left out (no variance): {', '.join(d.excluded)}")
    ids = [d.dimension for d in analysis.dimensions]
    if len(ids) > 1:
        cor = Table(title="Scale correlations (raw below, disattenuated above)",
                    title_justify="left")  # fmt: skip
        cor.add_column("")
        for i in ids:
            cor.add_column(i, justify="right")
        for a_i, a in enumerate(ids):
            cells = []
            for b_i, b in enumerate(ids):
                if b_i < a_i:
                    cells.append(_fmt(analysis.correlations[a][b]))
                elif b_i > a_i:
                    cells.append(_fmt(analysis.disattenuated[a][b]))
                else:
                    cells.append(_fmt(analysis[a].alpha))
            cor.add_row(a, *cells)
        console.print(cor)


# ---------------------------------------------------------------------- norms
@cli.group()
def norms() -> None:
    """Build and look at norm tables."""


@norms.command("build")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@rubric_options
@click.option("--group", "group_by", default=None, help="Column to build group norms by.")
@click.option("--id", "table_id", default="norms", show_default=True, help="Norm table id.")
@click.option("--version", "table_version", default="1", show_default=True, help="Its version.")
@click.option("--population", default="", help="Who the data describe.")
@click.option(
    "--metric", type=click.Choice(["score", "mean", "percent", "sum"]), default="score",
    show_default=True, help="The score the norms describe.",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
    help="The norm table file to write (.toml, .json or .yaml).",
)  # fmt: skip
def norms_build(  # noqa: PLR0913, PLR0917 - one parameter per option
    file: Path,
    rubric_name: str,
    dimensions: Sequence[str],
    weighting: str | None,
    strategy: str | None,
    group_by: str | None,
    table_id: str,
    table_version: str,
    population: str,
    metric: str,
    output: Path,
) -> None:
    """Build a norm table from the respondents in a CSV file."""
    from mgrlead.norms import NormTable  # noqa: PLC0415
    from mgrlead.serialize import FORMATS, dump_norms  # noqa: PLC0415

    fmt = FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise InputError(f"cannot write {output.name!r}: use .toml, .json or .yaml")
    rubric = _composed(rubric_name, dimensions, weighting, strategy)
    columns = _columns(file, rubric)
    table = NormTable.build(
        rubric, columns, id=table_id, version=table_version, population=population,
        group_by=group_by, metric=metric,
    )  # fmt: skip
    with _output(output) as out:
        out.write(dump_norms(table, fmt))
    groups = ", ".join(f"{g.id} (n = {next(iter(g.dimensions.values())).n})" for g in table.groups)
    click.echo(f"{output}: norms for {rubric.id}, groups {groups}", err=True)


# --------------------------------------------------------------------- report
def _columns(file: Path, rubric: Rubric) -> dict[str, Any]:
    """A responses file as columns: the pass-through columns, then one per item."""
    _, passthrough, matrix = read_responses(file, rubric, set(DEFAULT_NA))
    columns: dict[str, Any] = dict(passthrough)
    for j, item in enumerate(rubric.item_ids):
        columns[item] = matrix[:, j]
    return columns


def _pick(values: Sequence[Any], wanted: str | None, column: str, what: str) -> Any:  # noqa: ANN401
    """The one value of ``column`` the user asked for (as written in the file)."""
    distinct = list(dict.fromkeys(str(v) for v in values))
    if wanted is None:
        if len(distinct) == 1:
            return distinct[0]
        shown = ", ".join(distinct[:8]) + (", ..." if len(distinct) > 8 else "")
        raise InputError(
            f"the file has {len(distinct)} {what}s ({shown}); choose one with --{what}"
        )
    if wanted not in distinct:
        raise InputError(f"{what} {wanted!r} is not in column {column!r}")
    return wanted


@cli.command("report")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@rubric_options
@click.option(
    "--kind",
    type=click.Choice(["profile", "360", "team"]),
    default="profile",
    show_default=True,
    help="An individual profile, one person's 360 feedback, or teams.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The HTML file to write [default: FILE's name with -report.html].",
)
@click.option("--respondent", default=None, help="profile: the respondent to report (its id).")
@click.option(
    "--id-column",
    default=None,
    help="profile: the column with respondent ids [default: the first non-item column].",
)
@click.option(
    "--norms",
    "norms_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="profile: a norm table, for percentiles and intervals.",
)
@click.option("--norm-group", default=None, help="profile: the respondent's norm group.")
@click.option("--subject", default=None, help="360: the person to report.")
@click.option(
    "--subject-column",
    default="subject",
    show_default=True,
    help="360: the column with the person rated.",
)
@click.option(
    "--group-column",
    default="rater_group",
    show_default=True,
    help="360: the column with the rater group.",
)
@click.option(
    "--min-raters",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="360: the fewest raters a group needs to be shown (self and manager: 1).",
)
@click.option(
    "--below",
    type=click.Choice(["merge", "suppress"]),
    default="merge",
    show_default=True,
    help="360: pool smaller groups into all others, or leave them out.",
)
@click.option(
    "--gap",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="360: self-other gap (percent points) to mark.",
)
@click.option("--by", "by", default="team", show_default=True, help="team: the grouping column.")
@click.option(
    "--min-size",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="team: the fewest members a group needs for its statistics.",
)
@click.option(
    "--charts",
    "charts_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write the charts as PNG and SVG files into this directory.",
)
@click.option(
    "--chart-format",
    "chart_formats",
    type=click.Choice(["png", "svg"]),
    multiple=True,
    help="Only these chart formats (repeat for both) [default: png and svg].",
)
def report_command(  # noqa: PLR0913, PLR0917, PLR0915 - one parameter per option, three kinds
    file: Path,
    rubric_name: str,
    dimensions: Sequence[str],
    weighting: str | None,
    strategy: str | None,
    kind: str,
    output: Path | None,
    respondent: str | None,
    id_column: str | None,
    norms_path: Path | None,
    norm_group: str | None,
    subject: str | None,
    subject_column: str,
    group_column: str,
    min_raters: int,
    below: str,
    gap: float,
    by: str,
    min_size: int,
    charts_dir: Path | None,
    chart_formats: Sequence[str],
) -> None:
    """Write a self-contained HTML report (and, with --charts, PNG/SVG charts).

    FILE is a responses CSV or Parquet file; for --kind profile it may also be
    a profile saved as JSON (``mgrlead assess --json`` or ``Profile.to_json``).
    Needs the report extra: pip install 'mgrlead[report]'.
    """
    from mgrlead import charts, report  # noqa: PLC0415

    rubric = _composed(rubric_name, dimensions, weighting, strategy)
    figures: dict[str, Any] = {}
    if kind == "profile":
        from mgrlead.api import score  # noqa: PLC0415
        from mgrlead.results import Profile  # noqa: PLC0415

        if file.suffix.lower() == ".json":
            try:
                profile = Profile.from_json(file.read_bytes())
            except OSError as exc:
                raise InputError(f"cannot read {file}: {exc.strerror}") from exc
            who: Any = respondent
        else:
            columns = _columns(file, rubric)
            others = [c for c in columns if c not in set(rubric.item_ids)]
            id_col = id_column or (others[0] if others else None)
            if id_col is None or id_col not in columns:
                missing = "the file has no id column" if id_col is None else f"no column {id_col!r}"
                raise InputError(f"{missing}; name the respondents' column with --id-column")
            ids = [str(v) for v in columns[id_col]]
            who = _pick(ids, respondent, id_col, "respondent")
            row = ids.index(who)
            answers = {item: columns[item][row] for item in rubric.item_ids}
            profile = score(rubric, answers, norms=_norms(norms_path), group=norm_group)
        html = report.profile_report(profile, rubric, respondent=who)
        figures["profile"] = charts.profile_chart(profile, rubric)
    elif kind == "360":
        from mgrlead.multirater import Anonymity, score_360  # noqa: PLC0415

        columns = _columns(file, rubric)
        if subject_column not in columns:
            raise InputError(f"the file has no column {subject_column!r}; use --subject-column")
        person = _pick(columns[subject_column], subject, subject_column, "subject")
        rules = Anonymity(default=min_raters, below=below)
        result = score_360(
            rubric, columns, subject=subject_column, group=group_column, anonymity=rules, gap=gap
        )
        match = next(p.subject for p in result.people if str(p.subject) == person)
        html = report.feedback360_report(result, rubric, match)
        figures["feedback360"] = charts.feedback360_chart(result[match], rubric)
    else:
        from mgrlead.teams import summarize_teams  # noqa: PLC0415

        summary = summarize_teams(rubric, _columns(file, rubric), by=by, min_size=min_size)
        html = report.team_report(summary, rubric)
        for k, stats in enumerate(summary.teams, start=1):
            if stats.shown:
                figures[f"team-{k}"] = charts.team_chart(stats, rubric)
    target = output or Path(f"{file.stem}-report.html")
    try:
        with _output(target) as out:
            out.write(html)
        written = [target]
        if charts_dir is not None:
            formats = tuple(chart_formats) or charts.FORMATS
            written += report.write_charts(figures, charts_dir, formats)
    except OSError as exc:
        raise InputError(f"cannot write {exc.filename or target}: {exc.strerror}") from exc
    for path in written:
        click.echo(f"wrote {path}", err=True)


# -------------------------------------------------------------------- plugins
@cli.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
@click.option("--all", "show_all", is_flag=True, help="Include mgrlead's built-ins.")
def plugins_command(as_json: bool, show_all: bool) -> None:
    """List the plugins: version, hooks, and what each registered."""
    from mgrlead.plugins import default_host  # noqa: PLC0415

    infos = [i for i in default_host().plugins if show_all or not i.builtin]
    if as_json:
        click.echo(json.dumps([i.to_dict() for i in infos], indent=2))
        return
    if not infos:
        click.echo("No plugins installed (`mgrlead plugins --all` shows the built-ins).")
        return
    for info in infos:
        click.echo(f"{info.label}{'  (built-in)' if info.builtin else ''}")
        click.echo(f"  hooks: {', '.join(info.hooks)}")
        for reg in info.registered:
            replaced = f" (replaces {reg.replaces}'s)" if reg.replaces else ""
            click.echo(f"  {reg.kind}: {reg.name}{replaced}")


def main() -> NoReturn:
    """Entry point of the ``mgrlead`` script."""
    sys.exit(cli.main(prog_name="mgrlead"))
