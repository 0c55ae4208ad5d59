"""The exceptions mgrlead raises.

Every error mgrlead raises on purpose derives from :class:`MgrleadError`, so an
application can catch them all in one place.  Each message names what was wrong
(the item, field, row, file or dimension) and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "AnswerError",
    "InputError",
    "MgrleadError",
    "ReportError",
    "RubricError",
    "RubricFileError",
    "RubricNotFoundError",
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


class RubricNotFoundError(MgrleadError, LookupError):
    """No built-in rubric has that name and no file exists at that path."""


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


class InputError(MgrleadError, ValueError):
    """A data file or frame has the wrong shape: missing columns, unreadable file."""


class ReportError(MgrleadError):
    """A report or chart cannot be made (for example, the ``report`` extra is missing)."""
