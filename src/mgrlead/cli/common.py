"""What the commands share: the error handling, the rubric options, reading and writing files.

Bad input (an unknown file, a bad CSV cell, an invalid rubric) prints one
``mgrlead: error: ...`` line on standard error and exits with status 2; it never
shows a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, NoReturn, TextIO

import click

from mgrlead.api import build_rubric, load_rubric, scoring_plan
from mgrlead.errors import (
    AnalysisWarning,
    AnswerError,
    ColumnError,
    InputError,
    MgrleadError,
    PluginWarning,
    Terminated,
)

if TYPE_CHECKING:
    from mgrlead.analysis.norms import NormTable
    from mgrlead.model import Rubric

__all__ = [
    "DEFAULT_NA",
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "EXIT_USER_ERROR",
    "MgrleadGroup",
    "columns_of",
    "composed",
    "fail",
    "lang_option",
    "languages",
    "long_options",
    "norm_table",
    "output",
    "output_format",
    "pick",
    "read_responses",
    "refuse_overwriting",
    "reworded",
    "rubric_of",
    "rubric_options",
    "widened",
]

#: Cell texts that mean "not answered" in a CSV file.
DEFAULT_NA: Final = ("", "NA")
EXIT_USER_ERROR: Final = 2
EXIT_INTERRUPTED: Final = 130
EXIT_TERMINATED: Final = 143


def fail(message: str) -> NoReturn:
    """Print ``mgrlead: error: <message>`` on standard error and exit with status 2."""
    click.echo(f"mgrlead: error: {message}", err=True)
    sys.exit(EXIT_USER_ERROR)


@contextlib.contextmanager
def _warnings_as_lines() -> Iterator[None]:
    """Within the block, mgrlead's warnings show as one ``mgrlead: warning: ...`` line.

    Python's format (file, line, category, the source line) is for developers;
    other packages' warnings keep it.  The filters are not changed: a warning
    shows as often as they say (once per place, by default).
    """
    with warnings.catch_warnings():  # puts back showwarning and the filters after
        shown = warnings.showwarning

        def show(  # noqa: PLR0913, PLR0917 - warnings.showwarning's signature
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: TextIO | None = None,
            line: str | None = None,
        ) -> None:
            if issubclass(category, (PluginWarning, AnalysisWarning)):
                click.echo(f"mgrlead: warning: {message}", err=True)
            else:
                shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


def _usage_line(exc: click.ClickException) -> str:
    """A click error as mgrlead's one line: click's message, then where help is."""
    message = exc.format_message().strip().rstrip(".").replace(". Did you mean", "; did you mean")
    if message[:1].isupper() and message[1:2].islower():
        message = message[0].lower() + message[1:]
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return message


class MgrleadGroup(click.Group):
    """A command group that turns every :class:`MgrleadError` into one error line.

    Click's own errors (a missing argument, an unknown option, a folder given
    for a file) are one line too, ``mgrlead: error: ...`` with exit status 2,
    instead of click's usage block.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,  # noqa: ANN401
    ) -> Any:  # noqa: ANN401
        """Run the command line; click's usage errors become one ``mgrlead: error:`` line.

        mgrlead's own warnings (a plugin skipped, an item without variance)
        are one ``mgrlead: warning: ...`` line each on standard error.
        """
        with _warnings_as_lines():
            return self._main(args, prog_name, complete_var, standalone_mode, **extra)

    def _main(
        self,
        args: Sequence[str] | None,
        prog_name: str | None,
        complete_var: str | None,
        standalone_mode: bool,
        **extra: Any,  # noqa: ANN401
    ) -> Any:  # noqa: ANN401
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)  # noqa: FBT003
        except click.exceptions.NoArgsIsHelpError as exc:  # `mgrlead` alone: the help
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            fail(_usage_line(exc))
        except click.ClickException as exc:
            click.echo(f"mgrlead: error: {_usage_line(exc)}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("mgrlead: aborted", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:  # noqa: ANN401
        """Run the command; a mistake in what the user gave ends it with one line.

        SIGTERM stops a command as Ctrl-C does: files being written are removed
        (every output is written to a temporary file renamed at the end), the
        files they would replace are left as they were, and one line says so.
        """
        try:
            with _sigterm_raises():
                return super().invoke(ctx)
        except MgrleadError as exc:
            fail(str(exc))
        except (KeyboardInterrupt, Terminated) as exc:
            what = "SIGTERM" if isinstance(exc, Terminated) else "Ctrl-C"
            click.echo(
                f"mgrlead: stopped by {what}; files being written were removed, "
                "existing files left as they were",
                err=True,
            )
            sys.exit(EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED)


def _raise_terminated(_signum: int, _frame: object) -> None:
    raise Terminated


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (main thread only).

    The handler it replaces comes back afterwards (the default one when it was
    not set from Python); a SIGTERM the caller chose to ignore stays ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous == signal.SIG_IGN:
        yield
        return
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def rubric_of(name: str) -> Rubric:
    """The rubric a command line names: registered, or a file."""
    return load_rubric(name)


def composed(
    name: str, dimensions: Sequence[str], weighting: str | None, strategy: str | None
) -> Rubric:
    """The rubric named on the command line, with plugin dimensions, scheme and strategy."""
    rubric = rubric_of(name)
    if not dimensions and weighting is None and strategy is None:
        return rubric
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


def norm_table(path: Path | None) -> NormTable | None:
    """The norm table in ``path`` (``None``: no norms)."""
    if path is None:
        return None
    from mgrlead.analysis.norms import load_norms  # noqa: PLC0415
    from mgrlead.i18n import use_language  # noqa: PLC0415

    table = load_norms(path)
    with use_language("en"):  # a warning line, for whoever runs the command
        warning = table.size_warning()
    if warning is not None:  # every command that compares with norms says so
        click.echo(f"mgrlead: warning: {warning}", err=True)
    return table


#: ``--lang`` (or ``MGRLEAD_LANG``): the language of the interface and of the rubric's texts.
lang_option = click.option(
    "--lang", envvar="MGRLEAD_LANG", default=None, metavar="LANG",
    help="Show the interface and the rubric's texts in this language (de, fr, es; "
    "a rubric's own translations too, e.g. pt) [env var: MGRLEAD_LANG; default: English].",
)  # fmt: skip


def languages(rubric: Rubric, lang: str | None) -> tuple[Rubric, str]:
    """The rubric in ``--lang``'s language and the interface language to show it in.

    The interface is shipped in :data:`mgrlead.i18n.LANGUAGES` (``de-CH`` is
    ``de``); a language only the rubric has (``pt``) gets the rubric's texts
    in it and an English interface; a shipped language the rubric has no
    texts in gets the interface in it and the rubric's own texts, with a
    warning line.  ``None``: the rubric as it is, in English.

    Raises:
        InputError: neither the interface nor the rubric has the language;
            the message names the languages each has.
    """
    from mgrlead.i18n import (  # noqa: PLC0415
        LANGUAGES,
        LanguageError,
        match_language,
        resolve_language,
    )

    if lang is None:
        return rubric, "en"
    try:
        interface: str | None = resolve_language(lang)
    except LanguageError:
        interface = None
    own = [rubric.language, *rubric.translations]
    texts = match_language(lang, own)
    if texts is None and interface is None:
        raise InputError(
            f"--lang {lang!r}: the interface is in {', '.join(LANGUAGES)} and rubric "
            f"{rubric.id!r} has texts in {', '.join(own)}; choose one of these"
        )
    if texts is None:
        click.echo(
            f"mgrlead: warning: rubric {rubric.id!r} has no texts in {lang!r} (it has "
            f"{', '.join(own)}); its statements are shown in {rubric.language!r}",
            err=True,
        )
        return rubric, interface or "en"
    return rubric.localized(texts), interface or "en"


@contextlib.contextmanager
def output(path: Path | None) -> Iterator[IO[str]]:
    """Standard output, or a temporary file renamed over ``path`` on success."""
    if path is None:
        yield sys.stdout
        return
    from mgrlead.io.files import atomic_open  # noqa: PLC0415

    with atomic_open(path) as handle:
        yield handle


def output_format(
    path: Path | None, fmt: str | None, formats: Mapping[str, str], *, default: str
) -> str:
    """The format to write: ``--format``, else the extension of ``-o``, else ``default``.

    Args:
        path: The file of ``-o`` (``None``: standard output).
        fmt: The ``--format`` given (``None``: not given).
        formats: Each extension (``.csv``) and the format it names (``csv``).
        default: The format on standard output.

    Raises:
        InputError: ``--format`` contradicts the extension of ``-o``, or ``-o``
            has an extension of no known format and there is no ``--format``.
    """
    if path is None:
        return fmt or default
    implied = formats.get(path.suffix.lower())
    if fmt is None:
        if implied is None:
            ending = f"the extension {path.suffix!r}" if path.suffix else "no extension"
            names = "|".join(dict.fromkeys(formats.values()))
            raise InputError(
                f"-o {str(path)!r} has {ending}, which names no output format; end the "
                f"name with {', '.join(formats)}, or say which with --format {names}"
            )
        return implied
    if implied is not None and implied != fmt:
        raise InputError(
            f"-o {str(path)!r} is a {path.suffix} file but --format says {fmt}; "
            f"drop --format (the extension decides) or name the file .{fmt}"
        )
    return fmt


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are one file: one path, a symbolic or a hard link."""
    try:
        return a.samefile(b)
    except OSError:  # one of them does not exist (yet): compare where they point
        return a.resolve() == b.resolve()


def refuse_overwriting(
    outputs: Mapping[str, Path | None], inputs: Mapping[str, Path | None]
) -> None:
    """Refuse to write a file over one the command reads, or two outputs to one file.

    Args:
        outputs: What the command writes, by how the user named it (``-o``, ``--skipped``).
        inputs: What it reads, by how the user named it (``FILE``, ``--norms``).

    Raises:
        InputError: an output is an input (by any spelling of its path, a
            symbolic link or a hard link), or two outputs are one file.
    """
    written = [(what, path) for what, path in outputs.items() if path is not None]
    read = [(what, path) for what, path in inputs.items() if path is not None and str(path) != "-"]
    for n, (what, path) in enumerate(written):
        for source, given in read:
            if _same_file(path, given):
                shown = "" if str(path) == str(given) else f" ({str(given)!r})"
                raise InputError(
                    f"{what} {str(path)!r} is the {source}{shown}: writing there would replace "
                    f"it; choose another file for {what}"
                )
        for other, there in written[n + 1 :]:
            if _same_file(path, there):
                raise InputError(
                    f"{what} {str(path)!r} and {other} {str(there)!r} are one file; "
                    "give each its own"
                )


@contextlib.contextmanager
def reworded(file: Path, fixes: Mapping[str, str]) -> Iterator[None]:
    """Within the block, a :class:`ColumnError` of the library speaks the command line's words.

    The data is named by its file, a row by its line (``teams.csv, line 5``),
    and the fix by the option that makes it (``fixes``: the option's words for
    each keyword argument of the library, ``{"by": "choose it with --by"}``).

    Raises:
        InputError: for a :class:`ColumnError` raised inside, reworded.
    """
    from mgrlead.io.stream import row_label  # noqa: PLC0415

    try:
        yield
    except ColumnError as exc:
        name = str(file)
        row = None if exc.row is None else f"{name}, {row_label(file, exc.row)}"
        fix = fixes.get(exc.argument) if exc.argument is not None else None
        raise InputError(exc.worded(data=name, row=row, fix=fix)) from exc


def long_options(*, aliases: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--long`` and the names of its columns, passed on as one ``long`` argument.

    ``long`` is ``None`` for wide files, else the keywords of
    :func:`mgrlead.io.long.from_long` (``{"id": ..., "item": ..., ...}``).
    ``aliases`` adds the short spellings ``--id``, ``--item`` and ``--response``.
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
            names = {k: kwargs.pop(f"long_{k}") for k in ("id", "item", "response", "rater")}
            given = [f"--long-{k}" for k, v in names.items() if v is not None]
            if not kwargs.pop("long_format"):
                if given:
                    raise InputError(f"{given[0]} names a column of long data: add --long")
                kwargs["long"] = None
            else:
                defaults = {"id": "id", "item": "item", "response": "response", "rater": None}
                kwargs["long"] = {k: v if v is not None else defaults[k] for k, v in names.items()}
            return func(*args, **kwargs)

        def names_of(what: str) -> tuple[str, ...]:
            return (f"--long-{what}", f"--{what}") if aliases and what != "rater" else (
                f"--long-{what}",
            )  # fmt: skip

        options = (
            click.option(
                "--long", "long_format", is_flag=True, default=False,
                help="FILE is in long format: one row per respondent and item (columns id, "
                "item, response; see --long-id, --long-item, --long-response).",
            ),
            click.option(*names_of("id"), "long_id", default=None, metavar="COL",
                         help="--long: the respondent's column [default: id]."),
            click.option(*names_of("item"), "long_item", default=None, metavar="COL",
                         help="--long: the item's column [default: item]."),
            click.option(*names_of("response"), "long_response", default=None, metavar="COL",
                         help="--long: the answer's column [default: response]."),
            click.option("--long-rater", "long_rater", default=None, metavar="COL",
                         help="--long: a rater's column (360 feedback: a respondent is the "
                         "pair of id and rater)."),
        )  # fmt: skip
        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate


@contextlib.contextmanager
def widened(
    file: Path, rubric: Rubric, long: Mapping[str, Any] | None, na_values: Sequence[str]
) -> Iterator[Path]:
    """``file`` itself, or with ``--long`` its rows turned wide in a temporary Parquet file.

    Raises:
        InputError: standard input with ``--long``, or long rows that
            :func:`mgrlead.io.long.from_long` refuses (naming the file).
    """
    if long is None:
        yield file
        return
    if str(file) == "-":
        raise InputError("--long reads a file, not standard input; save the rows to a file")
    import tempfile  # noqa: PLC0415

    from mgrlead.extras import pyarrow  # noqa: PLC0415
    from mgrlead.io.formats import read_long  # noqa: PLC0415

    fixes = {what: f"name it with --long-{what}" for what in ("id", "item", "response", "rater")}
    with reworded(file, fixes):
        table = read_long(file, rubric, list(na_values), **long)
    with tempfile.TemporaryDirectory(prefix="mgrlead-long-") as folder:
        wide = Path(folder) / f"{file.stem}.wide.parquet"
        pyarrow().parquet.write_table(table, wide)
        try:
            yield wide
        except (InputError, AnswerError) as exc:  # name the user's file, not the temporary one
            if str(wide) not in str(exc):
                raise
            said = str(exc).replace(str(wide), f"{file} (respondents in order of first row)")
            raise (AnswerError(said) if isinstance(exc, AnswerError) else InputError(said)) from exc


def read_responses(
    path: Path, rubric: Rubric, na_values: set[str], long: Mapping[str, Any] | None = None
) -> tuple[list[str], dict[str, list[Any]], Any]:
    """Read a responses file whole: its header, pass-through columns and answer matrix.

    ``long``: the file is in long format (see :func:`long_options`).

    Raises:
        InputError: the file cannot be read, has no header, repeats a column,
            lacks an item column, or has a row of the wrong length.
        AnswerError: a cell is not an answer; names the line and column.
    """
    from mgrlead.io.stream import read_all  # noqa: PLC0415

    with widened(path, rubric, long, sorted(na_values)) as source:
        return read_all(scoring_plan(rubric), source, sorted(na_values))


def columns_of(file: Path, rubric: Rubric, long: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A responses file as columns: the pass-through columns, then one per item."""
    _, passthrough, matrix = read_responses(file, rubric, set(DEFAULT_NA), long)
    columns: dict[str, Any] = dict(passthrough)
    for j, item in enumerate(rubric.item_ids):
        columns[item] = matrix[:, j]
    return columns


def pick(values: Sequence[Any], wanted: str | None, column: str, what: str) -> Any:  # noqa: ANN401
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
