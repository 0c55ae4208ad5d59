"""``mgrlead rubric``: list, show, validate, export, import rubrics, and their file schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mgrlead.api import builtin_rubrics, load_rubric
from mgrlead.cli.common import (
    MgrleadGroup,
    lang_option,
    languages,
    output_format,
    refuse_overwriting,
    rubric_of,
)
from mgrlead.cli.common import output as write_to
from mgrlead.cli.render import console, show_rubric
from mgrlead.errors import InputError, counted

if TYPE_CHECKING:
    from mgrlead.io.survey import RubricFormat

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
    "--format", "fmt", default=None, metavar="toml|json|yaml|FORMAT",
    help="File format [default: from the extension of -o (.toml, .json, .yaml, .yml); "
    "toml on standard output], or a rubric format that writes, such as surveyjs "
    "(a SurveyJS survey JSON; see `mgrlead plugins --all`).",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write here (atomically) instead of to standard output.",
)  # fmt: skip
def rubric_export(name: str, fmt: str | None, output: Path | None) -> None:
    """Write a rubric as a TOML, JSON or YAML file that loads back equal, or as a form."""
    from mgrlead.io.serialize import dump_rubric  # noqa: PLC0415

    refuse_overwriting(
        {"-o": output}, {"rubric file": Path(name) if Path(name).is_file() else None}
    )
    formats = {".toml": "toml", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
    if fmt is not None and fmt not in formats.values():
        chosen = _rubric_format(fmt, "write")
        writer = chosen.write
        assert writer is not None  # noqa: S101 - _rubric_format checked it
        if output is not None and chosen.suffixes and output.suffix.lower() not in chosen.suffixes:
            raise InputError(
                f"-o {str(output)!r}: a {fmt} file ends with {', '.join(chosen.suffixes)}"
            )
        text = writer(rubric_of(name))
    else:
        text = dump_rubric(rubric_of(name), output_format(output, fmt, formats, default="toml"))
    with write_to(output) as out:
        out.write(text)


def _rubric_format(name: str, does: str) -> RubricFormat:
    """The registered rubric format ``name``, which must ``does`` (read or write)."""
    from mgrlead.plugins import default_host  # noqa: PLC0415

    host = default_host()
    able = [n for n in host.names("rubric_format")
            if getattr(host.rubric_format(n), does) is not None]  # fmt: skip
    plain = "toml, json, yaml, " if does == "write" else ""
    if name not in able:
        raise InputError(
            f"--format {name!r} is no rubric format that can {does}; use {plain}"
            f"{', '.join(able) or '(none registered)'} (see `mgrlead plugins --all`)"
        )
    return host.rubric_format(name)


@rubric.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", default=None, metavar="FORMAT",
    help="The file's format: surveyjs, qsf, psych-keys or a plugin's "
    "[default: from the extension: .json surveyjs, .qsf qsf, .csv psych-keys].",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write the rubric TOML here (atomically) instead of to standard output.",
)  # fmt: skip
def rubric_import(file: Path, fmt: str | None, output: Path | None) -> None:
    """Read another tool's form (SurveyJS, Qualtrics QSF) into a rubric skeleton (TOML).

    Items, scale and texts are mapped; dimensions and keying are left to you
    (keyed = "TODO", which `mgrlead rubric validate` refuses).  What could not
    be mapped and each decision left are listed on standard error.
    """
    from mgrlead.plugins import default_host  # noqa: PLC0415

    refuse_overwriting({"-o": output}, {"FILE": file})
    if fmt is None:
        host = default_host()
        fmt = next((n for n in host.names("rubric_format")
                    if host.rubric_format(n).read is not None
                    and file.suffix.lower() in host.rubric_format(n).suffixes), None)  # fmt: skip
        if fmt is None:
            raise InputError(
                f"cannot tell the format of {str(file)!r} from its extension; "
                "say which with --format"
            )
    reader = _rubric_format(fmt, "read").read
    assert reader is not None  # noqa: S101 - _rubric_format checked it
    skeleton = reader(_read_bytes(file), str(file))
    with write_to(output) as out:
        out.write(skeleton.toml())
    for line in skeleton.report():
        click.echo(f"{file}: {line}", err=True)


def _read_bytes(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {str(file)!r}: {exc.strerror or exc}") from exc


def _scale_range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("..")
    try:
        return int(low), int(high)
    except ValueError:
        raise InputError(f"--scale {text!r}: write the lowest and highest point as 1..5") from None


@rubric.command("from-keys")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--scale",
    "scale",
    default="1..5",
    show_default=True,
    metavar="MIN..MAX",
    help="The response scale (reverse keying uses MIN + MAX - x).",
)
@click.option(
    "--labels",
    default=None,
    metavar="LIST",
    help="The scale's labels, comma-separated (CSV quoting), one per point [default: the numbers].",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write the rubric TOML here (atomically) instead of to standard output.",
)  # fmt: skip
def rubric_from_keys(file: Path, scale: str, labels: str | None, output: Path | None) -> None:
    """A rubric from a psych-style keys list (CSV): a dimension id per line, then its items.

    A leading '-' reverse-keys an item, as in psych's make.keys and scoreItems.
    """
    import csv  # noqa: PLC0415

    from mgrlead.io.survey import from_keys_csv  # noqa: PLC0415

    refuse_overwriting({"-o": output}, {"FILE": file})
    low, high = _scale_range(scale)
    names = None
    if labels is not None:
        names = [c.strip() for c in next(csv.reader([labels]), [])]
    skeleton = from_keys_csv(_read_bytes(file), str(file), min=low, max=high, labels=names)
    with write_to(output) as out:
        out.write(skeleton.toml())
    for line in skeleton.report():
        click.echo(f"{file}: {line}", err=True)


@rubric.command("show")
@click.argument("name", default="manager-leader", metavar="[NAME|FILE]")
@lang_option
def rubric_show(name: str, lang: str | None) -> None:
    """Show the dimensions, poles, items and bands of a rubric."""
    from mgrlead.i18n import use_language  # noqa: PLC0415

    r, interface = languages(rubric_of(name), lang)
    with use_language(interface):
        show_rubric(r, console())
