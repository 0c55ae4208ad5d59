"""``mgrlead assess``: take the assessment in the terminal, then see the profile."""

from __future__ import annotations

import contextlib
import json
import random
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mgrlead.api import score
from mgrlead.cli.common import (
    EXIT_INTERRUPTED,
    composed,
    lang_option,
    languages,
    norm_table,
    output,
    rubric_options,
)
from mgrlead.cli.render import console, esc, show_profile
from mgrlead.errors import InputError, counted
from mgrlead.i18n import N_, format_decimal, ngettext, use_language
from mgrlead.i18n import gettext as _

if TYPE_CHECKING:
    from rich.console import Console

    from mgrlead.model import Item, Rubric, Scale

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
@lang_option
@click.option(
    "--norms",
    "norms_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Compare the profile with a norm table (z, percentile, confidence interval).",
)
@click.option("--norm-group", default=None, help="Your group in the norm table, e.g. manager.")
@click.option(
    "--adaptive", is_flag=True,
    help="Adaptive test (needs IRT parameters): ask the items that tell most, stop when "
    "precise enough (docs/adaptive.md).",
)  # fmt: skip
@click.option(
    "--se", "target_se", type=click.FloatRange(min=0, min_open=True), default=0.4,
    show_default=True, help="With --adaptive: stop a dimension when its SE is at most this.",
)  # fmt: skip
@click.option(
    "--max-items", type=click.IntRange(min=1), default=None,
    help="With --adaptive: ask at most this many statements.",
)  # fmt: skip
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
    adaptive: bool,
    target_se: float,
    max_items: int | None,
) -> None:
    """Take the assessment in the terminal, then see your profile.

    Statements come in a shuffled order (fixed by --seed).  Press the number
    of a choice (no Enter needed); left arrow or `b` goes back one statement,
    right arrow or `s` skips one, `q` asks before quitting.  Ctrl-C leaves at
    any time without saving anything.

    Answers piped in (`... | mgrlead assess`), one a line, follow the rubric's
    order of items (or the order --seed gives), so the same input always
    gives the same profile; a line that is not an answer stops with an error.

    The statements and prompts go to the terminal (standard error); only the
    profile goes to standard output, so `mgrlead assess --json > me.json`
    writes a clean JSON file.  `-o FILE` saves the profile as JSON as well.

    --adaptive chooses each next statement by its item parameters and stops
    when every dimension's standard error is at most --se (or after
    --max-items); `b` goes back and re-estimates.  Piped answers and
    --answers answer whichever statements the test chooses; --json then prints
    the profile with θ, SE and the record of what was asked and why it stopped.
    """
    rubric, interface = languages(composed(rubric_name, dimensions, weighting, strategy), lang)
    with use_language(interface):
        _assess(
            rubric, seed, answers_file, as_json, output_file, norms_file, norm_group,
            adaptive, target_se, max_items,
        )  # fmt: skip


def _assess(  # noqa: PLR0913, PLR0917 - the options of assess
    rubric: Rubric,
    seed: int | None,
    answers_file: Path | None,
    as_json: bool,
    output_file: Path | None,
    norms_file: Path | None,
    norm_group: str | None,
    adaptive: bool,
    target_se: float,
    max_items: int | None,
) -> None:
    """``assess`` in the interface language: ask, score, show."""
    if adaptive:
        if norms_file is not None:
            raise InputError("--norms does not apply to --adaptive (the profile rests on θ)")
        _assess_adaptive(rubric, seed, answers_file, as_json, output_file, target_se, max_items)
        return
    given = click.get_current_context().get_parameter_source
    for name, flag in (("target_se", "--se"), ("max_items", "--max-items")):
        if given(name) not in {click.core.ParameterSource.DEFAULT, None}:
            raise InputError(f"{flag} applies to adaptive tests only; add --adaptive")
    if answers_file is not None:
        answers = read_answers(answers_file)
    else:
        try:
            answers = ask(rubric, seed)
        except (KeyboardInterrupt, click.Abort, EOFError):
            click.echo("\n" + _("Assessment cancelled; nothing was saved."), err=True)
            sys.exit(EXIT_INTERRUPTED)
    profile = score(rubric, answers, norms=norm_table(norms_file), group=norm_group)
    if output_file is not None:
        with output(output_file) as out:
            out.write(profile.to_json(indent=2) + "\n")
        click.echo(_("saved the profile in {path}").format(path=output_file), err=True)
    if as_json:
        click.echo(profile.to_json(indent=2))
    else:
        show_profile(rubric, profile, console())


def _assess_adaptive(  # noqa: PLR0913, PLR0917 - the adaptive options of assess
    rubric: Rubric,
    seed: int | None,
    answers_file: Path | None,
    as_json: bool,
    output_file: Path | None,
    target_se: float,
    max_items: int | None,
) -> None:
    """``assess --adaptive``: run the session, then show the profile and θ."""
    from mgrlead.adaptive import AdaptiveSession, CatOptions  # noqa: PLC0415

    session = AdaptiveSession.start(
        rubric, CatOptions(se=target_se, max_items=max_items), seed=seed
    )
    try:
        if answers_file is not None:
            given = read_answers(answers_file)
            while not session.done:
                item = session.next_item() or ""
                session.answer(item, given.get(item))
        elif not sys.stdin.isatty():
            _read_piped_adaptive(rubric, session)
        else:
            _ask_adaptive(rubric, session)
    except (KeyboardInterrupt, click.Abort, EOFError):
        click.echo("\n" + _("Assessment cancelled; nothing was saved."), err=True)
        sys.exit(EXIT_INTERRUPTED)
    result = session.result()
    if output_file is not None:
        with output(output_file) as out:
            out.write(result.profile.to_json(indent=2) + "\n")
        click.echo(_("saved the profile in {path}").format(path=output_file), err=True)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    screen = console()
    show_profile(rubric, result.profile, screen)
    _show_theta(rubric, result, screen)


def _show_theta(rubric: Rubric, result: Any, screen: Console) -> None:  # noqa: ANN401
    """θ and its SE per dimension, how many statements, and why the test stopped."""
    from rich import box  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    # TRANSLATORS: θ (theta) is the estimated trait; SD: standard deviation
    table = Table(title=_("Adaptive estimate (θ: 0 is the population mean, SD 1)"),
                  box=box.SIMPLE_HEAD)  # fmt: skip
    # a dimension's name wraps between words, never inside one
    longest = max((len(w) for s in result.theta.scores
                   for w in rubric.dimension(s.dimension).name.split()), default=9)  # fmt: skip
    table.add_column(_("dimension"), min_width=max(longest, 9))
    # TRANSLATORS: column headings of the adaptive estimate: θ, its standard error (SE), ...
    for name in ("θ", _("SE"), _("percentile"), _("statements")):
        table.add_column(name, justify="right")
    for s in result.theta.scores:
        if s.scorable:
            table.add_row(esc(rubric.dimension(s.dimension).name), format_decimal(s.theta, 2),
                          format_decimal(s.se, 2), format_decimal(s.percentile, 0),
                          str(s.answered))  # fmt: skip
        else:
            table.add_row(esc(rubric.dimension(s.dimension).name), "-", "-", "-", str(s.answered))
    screen.print(table)
    asked = len(result.asked)
    if result.stopped_by:
        # TRANSLATORS: {rules} are the ids of the stopping rules (se, max_items, ...): keep them
        said = ngettext("{n} statement asked; stopped by: {rules}.",
                        "{n} statements asked; stopped by: {rules}.", asked)  # fmt: skip
    else:
        said = ngettext("{n} statement asked; stopped by: not finished.",
                        "{n} statements asked; stopped by: not finished.", asked)  # fmt: skip
    screen.print(esc(said.format(n=asked, rules=", ".join(result.stopped_by))))


def _precision(session: Any) -> tuple[float, int]:  # noqa: ANN401 - an AdaptiveSession
    """How far the dimensions are toward their SE targets (0..1), and how many reached them."""
    prior_sd = session.options.prior.sd
    shares, reached = [], 0
    for dim, (_theta, se) in session.estimates().items():
        target = session.options.per_dimension("se", dim) or 0.0
        reached += se <= target
        shares.append(min(1.0, max(0.0, (prior_sd - se) / max(prior_sd - target, 1e-9))))
    return sum(shares) / len(shares), reached


def _piped_answer(line: str, number: int, item_id: str, scale: Scale) -> int | None:
    """The answer that piped line ``number`` gives to ``item_id`` (``s`` or nothing: ``None``).

    ``q`` and ``b`` are the caller's to handle first.

    Raises:
        InputError: the line is not a point of ``scale``.
    """
    reply = line.strip().lower()
    if reply in {"", "s"}:
        return None
    try:
        value = int(reply)
    except ValueError:
        value = None
    if value is None or value not in scale:
        raise InputError(
            f"standard input, line {number}: {line.strip()!r} is not an answer to item "
            f"{item_id!r}: give a number from {scale.min} to {scale.max}, "
            "s (or nothing) to skip, b to go back, q to quit"
        )
    return value


def _read_piped_adaptive(rubric: Rubric, session: Any) -> None:  # noqa: ANN401
    """Piped answers, one a line, to the statements the adaptive test chooses."""
    screen = console(stderr=True)
    screen.print(_("Reading answers from standard input, one a line, for the statements the "
                   "adaptive test chooses"))  # fmt: skip
    number = 0
    while not session.done:
        item = rubric.item(session.next_item())
        scale = rubric.item_scale(item)
        line = sys.stdin.readline()
        number += 1
        if not line:
            raise InputError(
                f"standard input ended after {counted(number - 1, 'line')}, before the answer "
                f"to item {item.id!r}; the adaptive test was not finished; nothing was saved"
            )
        reply = line.strip().lower()
        if reply == "q":
            raise click.Abort
        if reply == "b":
            session.undo()
            continue
        session.answer(item.id, _piped_answer(line, number, item.id, scale))
    extra = [line for line in sys.stdin if line.strip()]
    if extra:  # the test's length is not known in advance: say so, do not fail
        first = extra[0].strip()
        said = ngettext(
            "The test stopped; {n} more line of standard input (the first: {first}) were not "
            "needed.",
            "The test stopped; {n} more lines of standard input (the first: {first}) were not "
            "needed.",
            len(extra),
        )
        screen.print(esc(said.format(n=len(extra), first=repr(first))))


def _ask_adaptive(rubric: Rubric, session: Any) -> None:  # noqa: ANN401 - an AdaptiveSession
    """The adaptive test in a terminal: one key press per answer, progress as precision."""
    from rich.padding import Padding  # noqa: PLC0415
    from rich.panel import Panel  # noqa: PLC0415
    from rich.progress_bar import ProgressBar  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    screen = console(stderr=True)
    intro = [esc(rubric.instructions)] if rubric.instructions else []
    intro.append("[dim]" + _("An adaptive test: each statement is chosen from your earlier "
                             "answers, and it stops as soon as every score is precise "
                             "enough.") + "[/dim]")  # fmt: skip
    intro.append(f"[dim]{esc(_(KEYS_HELP))}[/dim]")
    screen.print(Panel("\n\n".join(intro), title=f"[bold]{esc(rubric.title)}[/bold]",
                       title_align="left", padding=(0, 1)))  # fmt: skip
    keys = _Keys()
    earlier: dict[str, object] = {}
    dims = len(session.bank.dims)
    with _no_echo():
        while not session.done:
            item = rubric.item(session.next_item())
            scale = rubric.item_scale(item)
            previous = earlier.get(item.id)
            share, reached = _precision(session)
            screen.print()
            head = Table.grid(padding=(0, 1))
            head.add_row(f"[bold]{len(session.asked) + 1}[/bold]",
                         ProgressBar(total=100, completed=round(100 * share), width=30),
                         _("precision: {reached}/{dims} dimensions reached").format(
                             reached=reached, dims=dims))  # fmt: skip
            screen.print(head)
            screen.print(Padding(f"[bold]{esc(item.text)}[/bold]", (0, 0, 0, 2)))
            screen.print(Padding(_choices(scale, previous), (0, 0, 0, 2)))
            step = _read_answer(screen, keys, scale, previous)
            if step == "back":
                if session.undo() is None:
                    screen.print("  [dim]" + _("This is the first statement.") + "[/dim]")
                continue
            value = previous if step == "skip" else step
            session.answer(item.id, value)
            earlier[item.id] = value
    screen.print()


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
        how = ngettext(
            "Reading {n} answer from standard input, one a line, in the rubric's order: {ids}",
            "Reading {n} answers from standard input, one a line, in the rubric's order: {ids}",
            len(items),
        )
    else:
        random.Random(seed).shuffle(items)  # noqa: S311 - an order, not a secret
        # TRANSLATORS: keep "--seed" (an option of the command)
        how = ngettext(
            "Reading {n} answer from standard input, one a line, in the order of --seed "
            "{seed}: {ids}",
            "Reading {n} answers from standard input, one a line, in the order of --seed "
            "{seed}: {ids}",
            len(items),
        )
    screen = console(stderr=True)
    ids = ", ".join(item.id for item in items)
    screen.print(esc(how.format(n=len(items), seed=seed, ids=ids)))
    answers: dict[str, object] = {}
    position = 0
    number = 0
    while position < len(items):
        line = sys.stdin.readline()
        number += 1
        if not line:
            raise InputError(
                f"standard input ended after {counted(number - 1, 'line')}, at statement "
                f"{position + 1} "
                f"of {len(items)} (item {items[position].id!r}); give one line per statement "
                "(s or an empty line for no answer); nothing was saved"
            )
        reply = line.strip().lower()
        if reply == "q":
            raise click.Abort
        if reply == "b":
            position = max(position - 1, 0)
            continue
        item = items[position]  # an item may have a scale of its own
        answers[item.id] = _piped_answer(line, number, item.id, rubric.item_scale(item))
        position += 1
    extra = [line for line in sys.stdin if line.strip()]
    if extra:
        raise InputError(
            f"standard input has {counted(len(extra), 'more line')} after the {len(items)} answers "
            f"(the first: {extra[0].strip()!r}); give one line per statement"
        )
    return answers


#: Keys of the terminal questionnaire (arrow keys as the terminal sends them).
LEFT, RIGHT, UP, DOWN = "\x1b[D", "\x1b[C", "\x1b[A", "\x1b[B"
ENTER = frozenset({"\r", "\n"})
BACKSPACE = frozenset({"\x7f", "\b"})
# TRANSLATORS: b, s and q are the keys to press (they stay b, s and q in every language)
KEYS_HELP = N_(
    "Press the number of your answer (no Enter needed). "
    "← or b: back one statement · → or s: skip (an earlier answer is kept) · "
    "q: quit · Ctrl-C: leave at once. Nothing is saved until the end."
)


class _Keys:
    """Single key presses from the terminal: characters one by one, escape sequences whole."""

    def __init__(self) -> None:
        self.pending: list[str] = []

    def __call__(self) -> str:
        if not self.pending:
            chunk = click.getchar()
            if chunk.startswith("\x1b"):
                return chunk
            self.pending = list(chunk)
        return self.pending.pop(0)


@contextlib.contextmanager
def _no_echo() -> Iterator[None]:
    """Keys pressed while the screen is being drawn are not echoed (``^[[A``)."""
    try:
        import termios  # noqa: PLC0415 - POSIX only
    except ImportError:  # pragma: no cover - Windows: getchar never echoes
        yield
        return
    fd = sys.stdin.fileno()
    try:
        before = termios.tcgetattr(fd)
    except termios.error:  # pragma: no cover - not a terminal after all
        yield
        return
    quiet = list(before)
    quiet[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSADRAIN, quiet)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, before)


def _ask_terminal(rubric: Rubric, items: list[Item]) -> dict[str, object]:
    """Ask every item in a terminal, one key press per answer; return the answers."""
    from rich.padding import Padding  # noqa: PLC0415
    from rich.panel import Panel  # noqa: PLC0415
    from rich.progress_bar import ProgressBar  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    screen = console(stderr=True)  # standard output is for the profile only
    intro = [esc(rubric.instructions)] if rubric.instructions else []
    intro.append(f"[dim]{esc(_(KEYS_HELP))}[/dim]")
    screen.print(Panel("\n\n".join(intro), title=f"[bold]{esc(rubric.title)}[/bold]",
                       title_align="left", padding=(0, 1)))  # fmt: skip
    keys = _Keys()
    answers: dict[str, object] = {}
    position = 0
    with _no_echo():
        while position < len(items):
            item = items[position]
            scale = rubric.item_scale(item)  # an item may have a scale of its own
            previous = answers.get(item.id)
            screen.print()
            head = Table.grid(padding=(0, 1))
            head.add_row(f"[bold]{position + 1}/{len(items)}[/bold]",
                         ProgressBar(total=len(items), completed=position, width=30))  # fmt: skip
            screen.print(head)
            screen.print(Padding(f"[bold]{esc(item.text)}[/bold]", (0, 0, 0, 2)))
            screen.print(Padding(_choices(scale, previous), (0, 0, 0, 2)))
            step = _read_answer(screen, keys, scale, previous)
            if step == "back":
                if position == 0:
                    screen.print("  [dim]" + _("This is the first statement.") + "[/dim]")
                else:
                    position -= 1
                continue
            if step == "skip":
                answers.setdefault(item.id, None)
            else:
                answers[item.id] = step
            position += 1
    screen.print()
    return answers


def _choices(scale: Scale, previous: object) -> Any:  # noqa: ANN401 - a rich renderable
    """The choices side by side, each kept whole (wrapped between them), an earlier one marked."""
    from rich.columns import Columns  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    parts = []
    for point in scale:
        text = Text.from_markup(f"[bold]{point}[/bold] {esc(scale.label(point))}")
        if point == previous:
            text.stylize("reverse")
        text.no_wrap = True
        parts.append(text)
    return Columns(parts, padding=(0, 3))


def _read_answer(screen: Console, keys: _Keys, scale: Scale, previous: object) -> object:
    """One answer: a point of the scale, ``"back"`` or ``"skip"``.

    Raises:
        click.Abort: the person chose to quit.
    """
    points = [str(p) for p in scale]
    if previous is None:
        # TRANSLATORS: q is the key to quit (it stays q)
        wide = _("Your answer ({low}-{high}, ← back, → skip, q quit): ")
        narrow = _("Answer {low}-{high}: ")
    else:
        wide = _("Your answer ({low}-{high}, ← back, → skip, q quit, Enter keeps {previous}): ")
        narrow = _("Answer {low}-{high}, Enter = {previous}: ")
    prompt = "  " + wide.format(low=scale.min, high=scale.max, previous=previous)
    echo = max(len(f"{p} {scale.label(p)}") for p in scale)
    if len(prompt) + echo >= screen.width:  # narrow: the keys are in the introduction
        prompt = "  " + narrow.format(low=scale.min, high=scale.max, previous=previous)
    screen.print(esc(prompt), end="", soft_wrap=True)
    typed = ""
    typed_now = True
    while True:
        key = keys()
        if key in {LEFT, "b", "B"}:
            screen.print(_("back"))
            return "back"
        if key in {RIGHT, "s", "S"}:
            screen.print(_("kept") if previous is not None else _("skipped"))
            return "skip"
        if key in {"q", "Q"}:
            if _confirm_quit(screen, keys):
                raise click.Abort
            screen.print(esc(prompt) + typed, end="", soft_wrap=True)
            continue
        if key in BACKSPACE and typed:
            typed = typed[:-1]
            screen.print("\b \b", end="")
            continue
        if key in ENTER:
            if typed in points:
                break
            if not typed and previous is not None:
                typed, typed_now = str(previous), False
                break
            continue
        if len(key) == 1 and (key.isdigit() or (key == "-" and not typed)):
            candidates = [p for p in points if p.startswith(typed + key)]
            if not candidates:
                continue  # a key that cannot start an answer is ignored
            typed += key
            screen.print(key, end="", soft_wrap=True)
            if candidates == [typed]:
                break
        # anything else (arrows up and down, letters) is ignored without echo
    value = int(typed)
    shown = "" if typed_now else f"{value}"
    screen.print(f"{shown} [bold]{esc(scale.label(value))}[/bold]", soft_wrap=True)
    return value


def _confirm_quit(screen: Console, keys: _Keys) -> bool:
    """Ask before quitting; only ``y`` quits."""
    screen.print()
    # TRANSLATORS: y is the key that quits (it stays y in every language)
    question = "  " + _("Quit without saving your answers? (y = quit, any other key = go on) ")
    going_on = _("going on")
    if len(question) + len(going_on) >= screen.width:
        question = "  " + _("Quit without saving? (y: quit, other: go on) ")
    screen.print(esc(question), end="", soft_wrap=True)
    key = keys()
    quit_now = key in {"y", "Y"}
    screen.print(_("quit") if quit_now else going_on)
    return quit_now
