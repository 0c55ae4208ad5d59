"""``mgrlead analyze``: reliability and item analysis of a responses file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from mgrlead.cli.common import (
    DEFAULT_NA,
    composed,
    lang_option,
    languages,
    long_options,
    read_responses,
    rubric_options,
)
from mgrlead.cli.render import console, json_safe, show_analysis

__all__ = ["analyze_command"]


@click.command("analyze")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@rubric_options
@long_options()
@click.option("--json", "as_json", is_flag=True, help="Print every number as JSON.")
@click.option(
    "--miskey-threshold", type=float, default=0.1, show_default=True,
    help="Flag items whose item-rest correlation is below this.",
)  # fmt: skip
@lang_option
def analyze_command(  # noqa: PLR0913, PLR0917 - one parameter per option
    file: Path,
    rubric_name: str,
    dimensions: Sequence[str],
    weighting: str | None,
    strategy: str | None,
    long: dict[str, Any] | None,
    as_json: bool,
    miskey_threshold: float,
    lang: str | None,
) -> None:
    """Reliability and item analysis of every dimension (agrees with R's psych).

    --lang shows the tables in another language (--json stays as it is).
    """
    import warnings  # noqa: PLC0415

    from mgrlead.analysis.psychometrics import analyze  # noqa: PLC0415
    from mgrlead.i18n import use_language  # noqa: PLC0415

    rubric = composed(rubric_name, dimensions, weighting, strategy)
    interface = languages(rubric, lang)[1]  # the tables show ids only, no rubric texts
    _, _, matrix = read_responses(file, rubric, set(DEFAULT_NA), long)
    columns: dict[str, Any] = {item: matrix[:, j] for j, item in enumerate(rubric.item_ids)}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        analysis = analyze(rubric, columns, miskey_threshold=miskey_threshold)
    for w in caught:
        click.echo(f"mgrlead: warning: {w.message}", err=True)
    for note in analysis.notes:  # an optional part that is not installed, left out
        click.echo(f"mgrlead: note: {note}", err=True)
    if as_json:
        click.echo(json.dumps(json_safe(analysis.to_dict()), indent=2))
        return
    with use_language(interface):
        show_analysis(analysis, console())
