"""``mgrlead report``: a self-contained HTML report of a profile, a 360 subject or teams."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from attrs import frozen

from mgrlead.cli.common import (
    columns_of,
    composed,
    long_options,
    norm_table,
    output,
    pick,
    refuse_overwriting,
    reworded,
    rubric_options,
)
from mgrlead.errors import InputError, ReportError
from mgrlead.i18n import use_language

if TYPE_CHECKING:
    from mgrlead.irt import ThetaProfile
    from mgrlead.model import Rubric

__all__ = ["report_command"]


@frozen(kw_only=True)
class _Options:
    """The options of one ``mgrlead report`` run (each kind reads its own)."""

    respondent: str | None
    id_column: str | None
    norms_path: Path | None
    norm_group: str | None
    subject: str | None
    subject_column: str
    group_column: str
    min_raters: int
    below: str
    gap: float
    by: str
    min_size: int
    theta: bool
    long: dict[str, Any] | None
    lang: str | None
    texts: Rubric
    """The rubric with the texts the charts show (its translation into ``lang``, if any)."""


@click.command("report")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@rubric_options
@long_options()
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
    "--theta",
    is_flag=True,
    help="profile: also score θ (EAP) on each dimension whose items carry IRT parameters, "
    "and show it on the information curve.",
)
@click.option(
    "--lang",
    envvar="MGRLEAD_LANG",
    default=None,
    metavar="LANG",
    help="Write the report in this language (de, fr, es, en); the rubric's texts too when "
    "it has them [env var: MGRLEAD_LANG; default: English].",
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
def report_command(  # noqa: PLR0913, PLR0917 - click passes each option; kinds share the rest
    file: Path,
    rubric_name: str,
    dimensions: Sequence[str],
    weighting: str | None,
    strategy: str | None,
    kind: str,
    output: Path | None,
    charts_dir: Path | None,
    chart_formats: Sequence[str],
    **options: Any,  # noqa: ANN401
) -> None:
    """Write a self-contained HTML report (and, with --charts, PNG/SVG charts).

    FILE is a responses file (CSV, Parquet, SPSS, Stata, Excel; with --long one
    row per respondent and item, and for --kind 360 --long-rater naming the
    rater's column); for --kind profile it may also be
    a profile saved as JSON (``mgrlead assess --json`` or ``Profile.to_json``).
    Needs the report extra: pip install 'mgrlead[report]'.
    """
    from mgrlead import report  # noqa: PLC0415
    from mgrlead.report import charts  # noqa: PLC0415

    target = output or Path(f"{file.stem}-report.html")
    refuse_overwriting(
        {"-o" if output else "the report": target},
        {"input file": file, "norm table (--norms)": options.get("norms_path")},
    )
    if options["theta"] and kind != "profile":
        raise InputError(f"--theta is for --kind profile, not --kind {kind}")
    rubric = composed(rubric_name, dimensions, weighting, strategy)
    # a language neither the interface nor the rubric speaks is refused before any work
    interface, texts, _page = report.report_languages(rubric, options["lang"])
    make = {"profile": _profile, "360": _feedback360, "team": _teams}[kind]
    with use_language(interface):
        html, figures = make(file, rubric, _Options(**options, texts=texts))
    try:
        with _write(target) as out:
            out.write(html)
        written = [target]
        if charts_dir is not None:
            formats = tuple(chart_formats) or charts.FORMATS
            written += report.write_charts(figures, charts_dir, formats)
    except OSError as exc:
        raise InputError(f"cannot write {exc.filename or target}: {exc.strerror}") from exc
    for path in written:
        click.echo(f"wrote {path}", err=True)


_write = output

#: The command line's fixes for 360 problems, by the library argument they concern.
_FIXES_360 = {
    "subject": "name the column of the people rated with --subject-column",
    "group": "name the rater-group column with --group-column",
    "groups": "fix the value in the file, or name the rater-group column with --group-column",
}


def _others(columns: dict[str, Any], rubric: Rubric) -> str:
    """The file's columns that are not items, for a message."""
    items = set(rubric.item_ids)
    others = [c for c in columns if c not in items]
    return f"its other columns: {', '.join(others)}" if others else "it has no other columns"


def _profile(file: Path, rubric: Rubric, o: _Options) -> tuple[str, dict[str, Any]]:
    from mgrlead import report  # noqa: PLC0415
    from mgrlead.api import score  # noqa: PLC0415
    from mgrlead.report import charts  # noqa: PLC0415
    from mgrlead.results import Profile  # noqa: PLC0415

    caveat: str | None = None
    answers: dict[str, Any] | None = None
    if file.suffix.lower() == ".json":
        if o.theta:
            raise InputError(
                f"{file}: --theta needs the answers, and a saved profile has only its scores; "
                "give the responses file instead"
            )
        try:
            profile = Profile.from_json(file.read_bytes())
        except OSError as exc:
            raise InputError(f"cannot read {file}: {exc.strerror}") from exc
        except InputError as exc:
            raise InputError(
                f"{file}: {exc}; save a profile with `mgrlead assess -o FILE.json` "
                "(or `--json > FILE.json`)"
            ) from exc
        who: Any = o.respondent
        table = norm_table(o.norms_path)
        if table is not None:  # compare the saved profile with these norms
            from mgrlead.analysis.norms import apply_norms  # noqa: PLC0415
            from mgrlead.plan import content_hash  # noqa: PLC0415

            if profile.content_hash == content_hash(rubric):  # else the report says whose it is
                caveat = table.size_warning()
                profile = apply_norms(profile, rubric, table, o.norm_group)
    else:
        columns = columns_of(file, rubric, o.long)
        others = [c for c in columns if c not in set(rubric.item_ids)]
        id_col = o.id_column or (others[0] if others else None)
        if id_col is None or id_col not in columns:
            missing = "the file has no id column" if id_col is None else f"no column {id_col!r}"
            raise InputError(f"{missing}; name the respondents' column with --id-column")
        ids = [str(v) for v in columns[id_col]]
        who = pick(ids, o.respondent, id_col, "respondent")
        row = ids.index(who)
        answers = {item: columns[item][row] for item in rubric.item_ids}
        table = norm_table(o.norms_path)
        caveat = None if table is None else table.size_warning()
        profile = score(rubric, answers, norms=table, group=o.norm_group)
    theta = _theta(rubric, answers) if answers is not None and o.theta else None
    try:
        html = report.profile_report(
            profile, rubric, respondent=who, norm_caveat=caveat, theta=theta, lang=o.lang
        )
    except ReportError as exc:
        raise ReportError(f"{file}: {exc}") from exc
    figures: dict[str, Any] = {"profile": charts.profile_chart(profile, o.texts)}
    if theta is not None:
        from mgrlead.report.irt_charts import theta_chart  # noqa: PLC0415

        scored = [s for s in theta.scores if s.scorable]
        figures |= {f"theta-{s.dimension}": theta_chart(o.texts, s) for s in scored}
    return html, figures


def _theta(rubric: Rubric, answers: dict[str, Any]) -> ThetaProfile:
    """θ (EAP) of the respondent's answers on every dimension with IRT parameters."""
    from mgrlead.irt import score_theta  # noqa: PLC0415

    return score_theta(rubric, answers)


def _feedback360(file: Path, rubric: Rubric, o: _Options) -> tuple[str, dict[str, Any]]:
    from mgrlead import report  # noqa: PLC0415
    from mgrlead.groups.multirater import Anonymity, score_360  # noqa: PLC0415
    from mgrlead.report import charts  # noqa: PLC0415

    columns = columns_of(file, rubric, o.long)
    if o.subject_column not in columns:
        raise InputError(f"the file has no column {o.subject_column!r}; use --subject-column")
    person = pick(columns[o.subject_column], o.subject, o.subject_column, "subject")
    rules = Anonymity(default=o.min_raters, below=o.below)
    with reworded(file, _FIXES_360):
        result = score_360(
            rubric, columns, subject=o.subject_column, group=o.group_column, anonymity=rules,
            gap=o.gap,
        )  # fmt: skip
    match = next(p.subject for p in result.people if str(p.subject) == person)
    html = report.feedback360_report(result, rubric, match, lang=o.lang)
    chart = charts.feedback360_chart(result[match], o.texts, labels=report.group_labels(result))
    return html, {"feedback360": chart}


def _teams(file: Path, rubric: Rubric, o: _Options) -> tuple[str, dict[str, Any]]:
    from mgrlead import report  # noqa: PLC0415
    from mgrlead.groups.teams import summarize_teams  # noqa: PLC0415
    from mgrlead.report import charts  # noqa: PLC0415

    columns = columns_of(file, rubric, o.long)
    with reworded(
        file, {"by": f"choose the grouping column with --by ({_others(columns, rubric)})"}
    ):
        summary = summarize_teams(rubric, columns, by=o.by, min_size=o.min_size)
    figures = {
        f"team-{k}": charts.team_chart(stats, o.texts)
        for k, stats in enumerate(summary.teams, start=1)
        if stats.shown
    }
    return report.team_report(summary, rubric, lang=o.lang), figures
