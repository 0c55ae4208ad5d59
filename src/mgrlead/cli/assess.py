"""``mgrlead assess``: take the assessment in the terminal, then see the profile."""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mgrlead.api import score
from mgrlead.cli.common import EXIT_INTERRUPTED, composed, norm_table, output, rubric_options
from mgrlead.cli.render import console, esc, show_profile
from mgrlead.errors import InputError

if TYPE_CHECKING:
    from mgrlead.model import Item, Rubric

__all__ = ["ask", "assess", "read_answers"]


@click.command()
@rubric_options
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Shuffle the statements in this fixed order [default: a new order in a terminal, "
    "the rubric's order for piped answers].",
)
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help='Take the answers from a JSON file ({"item id": response, ...}) instead of asking.',
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the profile as JSON on standard output."
)
@click.option(
    "-o",
    "--output",
    "output_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also save the profile as JSON in this file (for `mgrlead report FILE`).",
)
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
    output_file: Path | None,
    lang: str | None,
    norms_file: Path | None,
    norm_group: str | None,
) -> None:
    """Take the assessment in the terminal, then see your profile.

    Statements come in a shuffled order (fixed by --seed).  Answer with the
    number of a choice; `b` goes back one statement, `s` skips one, `q` quits.
    Ctrl-C leaves at any time without saving anything.

    Answers piped in (`... | mgrlead assess`), one a line, follow the rubric's
    order of items (or the order --seed gives), so the same input always
    gives the same profile; a line that is not an answer stops with an error.

    The statements and prompts go to the terminal (standard error); only the
    profile goes to standard output, so `mgrlead assess --json > me.json`
    writes a clean JSON file.  `-o FILE` saves the profile as JSON as well.
    """
    rubric = composed(rubric_name, dimensions, weighting, strategy)
    if lang is not None:
        rubric = rubric.localized(lang)
    if answers_file is not None:
        answers = read_answers(answers_file)
    else:
        try:
            answers = ask(rubric, seed)
        except (KeyboardInterrupt, click.Abort, EOFError):
            click.echo("\nAssessment cancelled; nothing was saved.", err=True)
            sys.exit(EXIT_INTERRUPTED)
    profile = score(rubric, answers, norms=norm_table(norms_file), group=norm_group)
    if output_file is not None:
        with output(output_file) as out:
            out.write(profile.to_json(indent=2) + "\n")
        click.echo(f"saved the profile in {output_file}", err=True)
    if as_json:
        click.echo(profile.to_json(indent=2))
    else:
        show_profile(rubric, profile, console())


def read_answers(path: Path) -> dict[str, object]:
    """The answers in a JSON file ``{"item id": response, ...}``."""
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


def ask(rubric: Rubric, seed: int | None) -> dict[str, object]:
    """Ask every item in a terminal, or read piped answers; return the answers."""
    if not sys.stdin.isatty():
        return read_piped(rubric, seed)
    items = list(rubric.items)
    random.Random(seed).shuffle(items)  # noqa: S311 - an order, not a secret
    return _ask_terminal(rubric, items)


def read_piped(rubric: Rubric, seed: int | None) -> dict[str, object]:
    """Answers from standard input, one a line, in the rubric's order (or ``seed``'s).

    A line is the number of a choice, ``s`` or nothing (not answered), ``b``
    (the next line answers the statement before again) or ``q`` (quit).

    Raises:
        InputError: a line is not an answer, input ends early, or has lines
            left after the last statement.
    """
    items = list(rubric.items)
    if seed is None:
        how = "in the rubric's order"
    else:
        random.Random(seed).shuffle(items)  # noqa: S311 - an order, not a secret
        how = f"in the order of --seed {seed}"
    scale = rubric.scale
    screen = console(stderr=True)
    ids = ", ".join(item.id for item in items)
    screen.print(esc(f"Reading {len(items)} answers from standard input, one a line, {how}: {ids}"))
    answers: dict[str, object] = {}
    position = 0
    number = 0
    while position < len(items):
        line = sys.stdin.readline()
        number += 1
        if not line:
            raise InputError(
                f"standard input ended after {number - 1} lines, at statement {position + 1} "
                f"of {len(items)} (item {items[position].id!r}); give one line per statement "
                "(s or an empty line for no answer); nothing was saved"
            )
        reply = line.strip().lower()
        if reply == "q":
            raise click.Abort
        if reply == "b":
            position = max(position - 1, 0)
            continue
        if reply in {"", "s"}:
            answers[items[position].id] = None
            position += 1
            continue
        try:
            value = int(reply)
        except ValueError:
            value = None
        if value is None or value not in scale:
            raise InputError(
                f"standard input, line {number}: {line.strip()!r} is not an answer to item "
                f"{items[position].id!r}: give a number from {scale.min} to {scale.max}, "
                "s (or nothing) to skip, b to go back, q to quit"
            )
        answers[items[position].id] = value
        position += 1
    extra = [line for line in sys.stdin if line.strip()]
    if extra:
        raise InputError(
            f"standard input has {len(extra)} more line(s) after the {len(items)} answers "
            f"(the first: {extra[0].strip()!r}); give one line per statement"
        )
    return answers


def _ask_terminal(rubric: Rubric, items: list[Item]) -> dict[str, object]:
    """Ask every item in a terminal; return the answers."""
    screen = console(stderr=True)  # standard output is for the profile only
    scale = rubric.scale
    screen.print(f"[bold]{esc(rubric.title)}[/bold]")
    if rubric.instructions:
        screen.print(esc(rubric.instructions))
    choices = "   ".join(f"{p} = {esc(scale.label(p))}" for p in scale)
    screen.print(f"\n{choices}")
    screen.print("b = back one statement, s = skip, q = quit, Ctrl-C = leave\n")
    answers: dict[str, object] = {}
    position = 0
    while position < len(items):
        item = items[position]
        screen.print(f"[bold]{position + 1}/{len(items)}[/bold]  {esc(item.text)}")
        previous = answers.get(item.id)
        default = "" if previous is None else str(previous)
        shown = f" [{default}]" if default else ""
        screen.print(esc(f"Your answer ({scale.min}-{scale.max}, b, s, q){shown}: "), end="")
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        reply = line.strip() or default
        if reply.lower() == "q":
            raise click.Abort
        if reply.lower() == "b":
            if position == 0:
                screen.print("This is the first statement.")
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
            screen.print(f"Please type a number from {scale.min} to {scale.max}, or b, s or q.")
            continue
        answers[item.id] = value
        position += 1
    screen.print()
    return answers
