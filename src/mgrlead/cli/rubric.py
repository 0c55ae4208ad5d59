"""``mgrlead rubric``: list, show, validate, export rubrics, and their file schema."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mgrlead.api import builtin_rubrics, load_rubric
from mgrlead.cli.common import MgrleadGroup, output_format, refuse_overwriting, rubric_of
from mgrlead.cli.common import output as write_to
from mgrlead.cli.render import console, show_rubric
from mgrlead.errors import InputError, counted

__all__ = ["rubric"]

#: The extensions of rubric files.
_RUBRIC_SUFFIXES = (".toml", ".json", ".yaml", ".yml")


@click.group(cls=MgrleadGroup)
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
    from mgrlead.io.schema import rubric_schema  # noqa: PLC0415

    with write_to(output) as out:
        json.dump(rubric_schema(), out, indent=2)
        out.write("\n")


@rubric.command("validate")
@click.argument("name", metavar="NAME|FILE")
def rubric_validate(name: str) -> None:
    """Check a rubric file, or a built-in or plugin rubric by name.

    Lists every problem of a file with its path, or says the rubric is valid.
    """
    from mgrlead.api import scoring_plan  # noqa: PLC0415

    path = Path(name)
    looks_like_a_file = path.suffix.lower() in _RUBRIC_SUFFIXES or len(path.parts) > 1
    if looks_like_a_file and not path.is_file() and name not in builtin_rubrics():
        raise InputError(f"cannot read {name!r}: no such file")
    r = rubric_of(name)  # a registered name, or a file (every problem listed)
    scoring_plan(r)  # and it compiles: strategy, weighting, bands
    n_items = len(r.items)
    n_dims = len(list(r.walk()))
    source = "" if path.is_file() else f"; registered by {r.sources.get(f'rubric:{r.id}', '?')}"
    click.echo(
        f"{name}: valid rubric {r.id} {r.version} "
        f"({counted(n_dims, 'dimension')}, {counted(n_items, 'item')}){source}"
    )


@rubric.command("export")
@click.argument("name", default="manager-leader", metavar="[NAME|FILE]")
@click.option(
    "--format", "fmt", type=click.Choice(["toml", "json", "yaml"]), default=None,
    help="File format [default: from the extension of -o (.toml, .json, .yaml, .yml); "
    "toml on standard output].",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write here (atomically) instead of to standard output.",
)  # fmt: skip
def rubric_export(name: str, fmt: str | None, output: Path | None) -> None:
    """Write a rubric as a TOML, JSON or YAML file that loads back equal."""
    from mgrlead.io.serialize import dump_rubric  # noqa: PLC0415

    refuse_overwriting(
        {"-o": output}, {"rubric file": Path(name) if Path(name).is_file() else None}
    )
    formats = {".toml": "toml", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
    text = dump_rubric(rubric_of(name), output_format(output, fmt, formats, default="toml"))
    with write_to(output) as out:
        out.write(text)


@rubric.command("show")
@click.argument("name", default="manager-leader", metavar="[NAME|FILE]")
@click.option("--lang", default=None, help="Show the texts in this language.")
def rubric_show(name: str, lang: str | None) -> None:
    """Show the dimensions, poles, items and bands of a rubric."""
    r = rubric_of(name)
    if lang is not None:
        r = r.localized(lang)
    show_rubric(r, console())
