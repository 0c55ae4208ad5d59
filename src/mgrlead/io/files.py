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
        InputError: the folder of ``path`` does not exist.
    """
    folder = path.resolve().parent
    if not folder.is_dir():
        raise InputError(f"cannot write {str(path)!r}: the folder {str(folder)!r} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        with (
            Path(tmp).open("w", encoding="utf-8", newline="")
            if mode == "w"
            else Path(tmp).open("wb")
        ) as handle:
            yield handle
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
