"""The ``mgrlead`` command-line tool: a thin shell over the library.

One module per command (:mod:`~mgrlead.cli.assess`, :mod:`~mgrlead.cli.score`,
:mod:`~mgrlead.cli.rubric`, :mod:`~mgrlead.cli.analyze`, :mod:`~mgrlead.cli.norms`,
:mod:`~mgrlead.cli.report`, :mod:`~mgrlead.cli.plugins`); what they share is in
:mod:`~mgrlead.cli.common`, what they print in :mod:`~mgrlead.cli.render`.

Bad input (an unknown file, a bad CSV cell, an invalid rubric) prints one
``mgrlead: error: ...`` line on standard error and exits with status 2; it never
shows a traceback.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from mgrlead._version import __version__
from mgrlead.cli.analyze import analyze_command
from mgrlead.cli.assess import assess
from mgrlead.cli.common import MgrleadGroup, fail
from mgrlead.cli.irt import irt
from mgrlead.cli.norms import norms
from mgrlead.cli.plugins import plugins_command
from mgrlead.cli.report import report_command
from mgrlead.cli.rubric import rubric
from mgrlead.cli.score import score_command
from mgrlead.errors import MgrleadError

__all__ = ["cli", "main"]


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"mgrlead {__version__}")
    try:
        from mgrlead.plugins.host import default_host  # noqa: PLC0415

        for info in default_host().plugins:
            click.echo(f"  plugin {info.label}")
    except MgrleadError as exc:
        fail(str(exc))
    ctx.exit()


@click.group(cls=MgrleadGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-V", "--version", is_flag=True, expose_value=False, is_eager=True,
    callback=_print_version, help="Show the version and the registered plugins, then exit.",
)  # fmt: skip
def cli() -> None:
    """mgrlead: manager-or-leader assessments, scored exactly.

    Take the assessment with `mgrlead assess`, score a CSV of responses with
    `mgrlead score FILE.csv`, and look at a rubric with `mgrlead rubric show`.
    """


for _command in (
    assess,
    score_command,
    rubric,
    analyze_command,
    norms,
    report_command,
    plugins_command,
    irt,
):
    cli.add_command(_command)


def main() -> NoReturn:
    """Entry point of the ``mgrlead`` script."""
    sys.exit(cli.main(prog_name="mgrlead"))
