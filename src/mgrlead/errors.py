"""The exceptions mgrlead raises.

Every error mgrlead raises on purpose derives from :class:`MgrleadError`, so an
application can catch them all in one place.  Each message names what was wrong
(the item, field, row, file or dimension) and how to fix it.  Every exception and
warning class of mgrlead is defined here.

Hierarchy::

    MgrleadError
    ├── RubricError (ValueError)
    │   ├── RubricFileError
    │   └── ValueTypeError
    ├── RubricNotFoundError (LookupError)
    ├── UnknownIdError (KeyError)
    ├── AnswerError (ValueError)
    ├── CalibrationError (ValueError)
    │   └── ConvergenceError
    ├── InputError (ValueError)
    │   └── ColumnError
    ├── EngineError (TypeError)
    ├── FitError (ValueError)
    ├── AdaptiveError (ValueError)
    ├── NormError
    ├── IncomparableError
    ├── PluginError
    ├── ReportError
    ├── SessionNotFoundError (LookupError)
    ├── SessionStateError (ValueError)
    └── RequestError (ValueError)

    UserWarning
    ├── PluginWarning
    └── AnalysisWarning
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "AdaptiveError",
    "AnalysisWarning",
    "AnswerError",
    "CalibrationError",
    "ColumnError",
    "ConvergenceError",
    "DuplicateKeyError",
    "EngineError",
    "FitError",
    "IncomparableError",
    "InputError",
    "LanguageError",
    "MgrleadError",
    "NormError",
    "PluginError",
    "PluginWarning",
    "ReportError",
    "RequestError",
    "RoundNotFoundError",
    "RubricChangedError",
    "RubricError",
    "RubricFileError",
    "RubricNotFoundError",
    "SessionNotFoundError",
    "SessionStateError",
    "Terminated",
    "UnknownIdError",
    "ValueTypeError",
    "closest",
    "counted",
    "did_you_mean",
    "plural",
]


class MgrleadError(Exception):
    """Base class of every error that mgrlead raises on purpose."""


class RubricError(MgrleadError, ValueError):
    """A rubric, or one of its parts, breaks an invariant of the model.

    Raised at construction time: an invalid rubric never exists.
    """


class RubricFileError(RubricError):
    """A rubric file could not be read or does not describe a valid rubric.

    Attributes:
        source: The file name (or ``"<string>"``) the problems were found in.
        problems: Every problem found, each as ``"message @ $.json.path"``.
    """

    def __init__(self, source: str, problems: list[str]) -> None:
        """Build the error from the file name and the list of problems."""
        self.source = source
        self.problems = list(problems)
        if len(self.problems) == 1:
            text = f"{source}: {self.problems[0]}"
        else:
            lines = "\n".join(f"  {source}: {p}" for p in self.problems)
            text = f"{source}: {len(self.problems)} problems\n{lines}"
        super().__init__(text)


class DuplicateKeyError(RubricError):
    """A rubric file gives one key twice in one table (``key`` names it)."""

    def __init__(self, key: str, where: str = "") -> None:
        """The key, and where it is (`` (line 4)``), for the message."""
        super().__init__(f"the key {key!r} is given twice in one table{where}; keep one")
        self.key = key


class RubricNotFoundError(MgrleadError, LookupError):
    """No built-in rubric has that name and no file exists at that path."""


class UnknownIdError(MgrleadError, KeyError):
    """A lookup by id found nothing: ``profile["process"]``, ``rubric.item("PR1")``.

    It is a :class:`KeyError` (``except KeyError`` and dict-like code work as
    before, and ``args`` holds the key alone); its message names the closest
    known id, in any case, and the known ones.

    Attributes:
        key: The id looked up.
        known: The ids there are.
        what: What an id is here (``item``, ``dimension``, ``rubric``, ...).
    """

    def __init__(self, key: object, known: Iterable[object], what: str = "id") -> None:
        """The id looked up, the ids there are, and what an id is (``dimension``, ...)."""
        super().__init__(key)
        self.key = key
        self.known = tuple(known)
        self.what = what
        names = [str(k) for k in self.known]
        shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        self.message = (
            f"no {what} {key!r}{did_you_mean(str(key), names)} (the {what}s: {shown or 'none'})"
        )

    def __str__(self) -> str:
        """The message (a plain KeyError shows only the key's repr)."""
        return self.message


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to ``name``, in any case (``PR1``: ``pr1``); ``None`` if none is.

    A name that differs only in case is the closest; otherwise the nearest by
    :func:`difflib.get_close_matches`, comparing lower-case forms.
    """
    lower: dict[str, str] = {}
    for k in known:
        lower.setdefault(k.lower(), k)
    if name.lower() in lower:
        return lower[name.lower()]
    import difflib  # noqa: PLC0415 - only when a name is not found

    close = difflib.get_close_matches(name.lower(), list(lower), n=1)
    return lower[close[0]] if close else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """``"; did you mean 'pr1'?"`` for the closest known name, or ``""`` when none is close."""
    match = closest(name, known)
    return f"; did you mean {match!r}?" if match is not None and match != name else ""


def plural(n: int, noun: str, many: str | None = None) -> str:
    """``noun`` in the number that goes with ``n``: ``item`` for 1, else ``items`` (or ``many``)."""
    return noun if n == 1 else many or noun + "s"


def counted(n: int, noun: str, many: str | None = None) -> str:
    """``1 dimension``, ``4 dimensions``: a count with its noun in the right number."""
    return f"{n} {plural(n, noun, many)}"


class AnswerError(MgrleadError, ValueError):
    """An answer cannot be scored: unknown item, value off the scale, wrong type.

    Attributes:
        item: The item id at fault, when there is one.
        row: The 0-based row of the respondent in batch scoring, else ``None``.
    """

    def __init__(self, message: str, *, item: str | None = None, row: int | None = None) -> None:
        """Build the error; ``message`` already names the item and row."""
        self.item = item
        self.row = row
        super().__init__(message)


class CalibrationError(MgrleadError, ValueError):
    """Item parameters cannot be estimated from the data (issue 17): an item with
    a category nobody chose, too few respondents, an item that correlates
    negatively with the rest of its dimension.  The message names the dimension
    and the item, and the fix."""  # noqa: D205, D209


class ConvergenceError(CalibrationError):
    """A calibration did not converge; the message names the dimension, the
    iterations and the last change, and how to allow more (``max_iter``, ``tol``)."""  # noqa: D205, D209


class InputError(MgrleadError, ValueError):
    """A data file or frame has the wrong shape: missing columns, unreadable file."""


class ColumnError(InputError):
    """A column of the data is absent, or one of its values is not allowed.

    The message says it in the library's words (``the data has no column
    'dept' to group by; name it with by=...``, ``row 3: ...; pass groups=...``);
    the parts let a front end say it in its own: the command line names the
    file, the line and its option instead.

    Attributes:
        problem: What is wrong, naming the column and the value, without where
            or the fix (``no column 'dept' to group by``).
        fix: How to fix it, in the library's words.
        row: The 0-based data row at fault; ``None`` for the data as a whole.
        argument: The keyword argument of the call that chose the column or
            the allowed values (``by``, ``groups``), when changing it is a fix.
    """

    def __init__(
        self,
        problem: str,
        *,
        fix: str,
        row: int | None = None,
        argument: str | None = None,
        data: str = "the data",
    ) -> None:
        """Build the error from its parts (the message follows from them).

        ``data`` is what the message calls the data (a file's name).
        """
        self.problem = problem
        self.fix = fix
        self.row = row
        self.argument = argument
        super().__init__(self.worded(data=data))

    def worded(
        self, *, data: str = "the data", row: str | None = None, fix: str | None = None
    ) -> str:
        """The message, with the data, the row and the fix named as a caller names them.

        Args:
            data: What the data is called (a file name).
            row: Where the row is (``teams.csv, line 5``); default ``row N``.
            fix: The fix in the caller's words (an option instead of an argument).
        """
        lead = (
            f"{data} has {self.problem}"
            if self.row is None
            else f"{row or f'row {self.row}'}: {self.problem}"
        )
        return f"{lead}; {fix or self.fix}"


class ReportError(MgrleadError):
    """A report or chart cannot be made (for example, the ``report`` extra is missing)."""


class ValueTypeError(RubricError):
    """A value read from a file has the wrong type (a string where a number belongs).

    Its message is shown as is, with the path of the value appended by the loader.
    """


class EngineError(MgrleadError, TypeError):
    """A scoring option cannot run on the engine asked to run it.

    For example a scoring strategy written with numpy functions, asked to run
    on a lazy frame's own engine; the message names the strategy and the engine.
    """


class NormError(MgrleadError):
    """Norms cannot be applied: unknown group without fallback, other rubric, ..."""


class IncomparableError(MgrleadError):
    """Two profiles come from rubrics whose scoring differs."""


class FitError(MgrleadError, ValueError):
    """A model-fit statistic or reliability cannot be computed for a dimension.

    Too few complete respondents, no degrees of freedom left, a moment matrix
    that is singular; the message names the dimension (and item) and the fix.
    """


class AdaptiveError(MgrleadError, ValueError):
    """An adaptive session's options or answers are not usable (names the field or item)."""


class PluginError(MgrleadError):
    """A plugin failed to load, registered something invalid, or its strategy failed.

    Loading and registering raise it in strict mode only (a warning otherwise);
    a plugin strategy that raises or returns something that is not a score
    raises it always, naming the strategy.
    """


class SessionNotFoundError(MgrleadError, LookupError):
    """No stored assessment session has that token (or it was deleted)."""


class RoundNotFoundError(MgrleadError, LookupError):
    """No stored 360 round of the web app has that number."""


class SessionStateError(MgrleadError, ValueError):
    """A session cannot do that now: it is finished, incomplete, or its rubric changed.

    A stored web session and a saved adaptive session alike: the JSON state of an
    adaptive session that is malformed or comes from another rubric content
    cannot be resumed either.

    Attributes:
        item: The item at fault (the first unanswered one), when there is one.
    """

    def __init__(self, message: str, *, item: str | None = None) -> None:
        """Build the error; ``message`` names the session's state and the fix."""
        self.item = item
        super().__init__(message)


class RequestError(MgrleadError, ValueError):
    """A request to the web app is malformed, too large or too frequent.

    Attributes:
        status: The HTTP status it answers with (400, 401, 413, 415, 422, 429).
        field: The field of the request body at fault (``answers``, ``options.careless``).
        retry_after: For 429, the seconds until the client may try again.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 422,
        field: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Build the error; ``message`` names the field and the fix."""
        self.status = status
        self.field = field
        self.retry_after = retry_after
        super().__init__(message)


class PluginWarning(UserWarning):
    """A plugin was skipped; the message names the plugin, hook, cause and fix."""


class AnalysisWarning(UserWarning):
    """Something in the data limits the analysis (e.g. an item with no variance)."""


class Terminated(BaseException):
    """SIGTERM arrived during a command: raised so that cleanup runs, as for Ctrl-C.

    Like :class:`KeyboardInterrupt` it is not an :class:`Exception`, so that
    nothing catches it by accident; the command line turns it into one line and
    exit status 143.
    """


class LanguageError(MgrleadError, ValueError):
    """A language the interface is not shipped in (see :mod:`mgrlead.i18n`)."""


class RubricChangedError(SessionStateError):
    """A stored session's rubric changed (or is no longer served) since the session began."""
