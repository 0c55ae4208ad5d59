"""``mgrlead norms``: build norm tables from responses."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mgrlead.cli.common import (
    MgrleadGroup,
    columns_of,
    composed,
    lang_option,
    languages,
    long_options,
    refuse_overwriting,
    reworded,
    rubric_options,
)
from mgrlead.cli.common import output as write_to
from mgrlead.errors import InputError
from mgrlead.i18n import gettext as _

if TYPE_CHECKING:
    from mgrlead.analysis.norms import NormGroup

__all__ = ["norms"]


@click.group(cls=MgrleadGroup)
def norms() -> None:
    """Build norm tables from responses (mgrlead norms build FILE -o norms.toml).

    Use a norm table with `mgrlead score --norms`, `mgrlead assess --norms` or
    `mgrlead report --norms`.
    """


@norms.command("build")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@rubric_options
@long_options()
@click.option("--group", "group_by", default=None, help="Column to build group norms by.")
@click.option("--id", "table_id", default="norms", show_default=True, help="Norm table id.")
@click.option("--version", "table_version", default="1", show_default=True, help="Its version.")
@click.option("--population", default="", help="Who the data describe.")
@click.option(
    "--metric", type=click.Choice(["score", "mean", "percent", "sum"]), default="score",
    show_default=True, help="The score the norms describe.",
)  # fmt: skip
@click.option(
    "--min-n", type=click.IntRange(min=2), default=None,
    help="Warn about (and flag in the table) groups of fewer people than this "
    "[default: 200, the library's MIN_NORM_N].",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
    help="The norm table file to write (.toml, .json or .yaml).",
)  # fmt: skip
@lang_option
def norms_build(  # noqa: PLR0913, PLR0917 - one parameter per option
    file: Path,
    rubric_name: str,
    dimensions: Sequence[str],
    weighting: str | None,
    strategy: str | None,
    long: dict[str, Any] | None,
    group_by: str | None,
    table_id: str,
    table_version: str,
    population: str,
    metric: str,
    min_n: int | None,
    output: Path,
    lang: str | None,
) -> None:
    """Build a norm table from the respondents in a responses file (wide, or --long).

    --lang says what was written in another language (the file is the same in every language).
    """
    from mgrlead.analysis.norms import MIN_NORM_N, NormTable, dump_norms  # noqa: PLC0415
    from mgrlead.i18n import use_language  # noqa: PLC0415
    from mgrlead.io.serialize import FORMATS  # noqa: PLC0415

    fmt = FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise InputError(f"cannot write {output.name!r}: use .toml, .json or .yaml")
    refuse_overwriting({"-o": output}, {"FILE": file})
    rubric = composed(rubric_name, dimensions, weighting, strategy)
    interface = languages(rubric, lang)[1]  # the summary shows ids only, no rubric texts
    columns = columns_of(file, rubric, long)
    with reworded(file, {"group_by": "choose it with --group"}):
        table = NormTable.build(
            rubric, columns, id=table_id, version=table_version, population=population,
            group_by=group_by, metric=metric, min_n=MIN_NORM_N if min_n is None else min_n,
        )  # fmt: skip
    with write_to(output) as out:
        out.write(dump_norms(table, fmt))
    with use_language(interface):
        groups = ", ".join(f"{g.id} ({_sizes(g)})" for g in table.groups)
        # TRANSLATORS: what `mgrlead norms build` wrote: the file, the rubric's id, then
        # its groups, each with its number of people, e.g. "all (n = 20), sales (n = 12)"
        done = _("{file}: norms for {rubric}, groups {groups}")
        click.echo(done.format(file=output, rubric=rubric.id, groups=groups), err=True)
    warning = table.size_warning()
    if warning is not None:
        click.echo(f"mgrlead: warning: {warning}", err=True)


def _sizes(group: NormGroup) -> str:
    """``n = 20``, or ``n = 19 to 20 by dimension`` when not everyone could be scored on all."""
    sizes = [d.n for d in group.dimensions.values() if d.n is not None]
    if not sizes:
        # TRANSLATORS: a norm group whose number of people the table does not give
        return _("n not given")
    low, high = min(sizes), max(sizes)
    if low == high:
        return _("n = {n}").format(n=low)
    # TRANSLATORS: a norm group's number of people, which differs between dimensions
    return _("n = {low} to {high} by dimension").format(low=low, high=high)
