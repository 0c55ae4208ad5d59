"""Writing files atomically: a temporary file beside the target, renamed over it at the end."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from mgrlead.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["atomic_open"]


@contextlib.contextmanager
def atomic_open(path: Path, mode: Literal["w", "wb"] = "w") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; rename it over ``path`` if the block succeeds.

    A failure (or Ctrl-C) inside the block removes the temporary file and
    leaves ``path`` as it was.  Text is written as UTF-8 with newlines as given.

    Raises:
        InputError: the folder of ``path`` does not exist, or the file cannot be
            written there (permissions, a read-only or full disk, ...).
    """
    folder = path.resolve().parent
    if not folder.is_dir():
        raise InputError(f"cannot write {str(path)!r}: the folder {str(folder)!r} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    os.close(fd)

    def refused(exc: OSError) -> InputError:
        Path(tmp).unlink(missing_ok=True)
        return InputError(f"cannot write {str(path)!r}: {exc.strerror or exc}")

    try:
        text = mode == "w"
        handle = Path(tmp).open(  # noqa: SIM115 - closed by the `with handle` below
            mode, encoding="utf-8" if text else None, newline="" if text else None
        )
    except OSError as exc:
        raise refused(exc) from None
    try:
        with handle:
            yield handle  # an error of the caller's stays the caller's
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        Path(tmp).replace(path)
    except OSError as exc:  # the target is a folder, another disk, ...
        raise refused(exc) from None
