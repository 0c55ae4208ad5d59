"""Writing files atomically: a temporary file beside the target, renamed over it at the end.

The file written has the permissions a plain ``open(path, "w")`` would give it:
a new file gets ``0o666`` less the user's umask (and the folder's default ACL,
where there is one), a file written over keeps its own mode.  Its data is
flushed to the disk (``fsync``) before the rename, and the folder after it
(where the system allows), so that a crash or power cut leaves the old file or
the new one, never an empty or partial one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from mgrlead.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["atomic_open"]

#: How many temporary names to try before giving up (each is 64 random bits).
_ATTEMPTS = 100


def _create_temporary(folder: Path, name: str) -> tuple[int, Path]:
    """A new file ``.NAME.<random>.tmp`` in ``folder``, created as ``open()`` would create it.

    ``os.open`` with mode ``0o666`` lets the system apply the umask (and any
    default ACL) itself, with no need to read the umask (which cannot be read
    without changing it, a race with other threads).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0)
    for _ in range(_ATTEMPTS):
        tmp = folder / f".{name}.{secrets.token_hex(8)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name for {name!r} in {str(folder)!r}")


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entries (the rename) to the disk, where the system allows."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # Windows cannot open a folder; the rename is durable there already
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on a folder: nothing more to do
        pass
    finally:
        os.close(fd)


def _target(path: Path) -> Path:
    """The file to replace: a symbolic link is followed, as ``open()`` follows it."""
    if path.is_symlink():
        return Path(os.path.realpath(path))
    return path


def _special(path: Path) -> bool:
    """Whether ``path`` is a device, a FIFO or a socket (written in place: no file to replace)."""
    try:
        kind = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(kind) or stat.S_ISDIR(kind))


@contextlib.contextmanager
def atomic_open(path: Path, mode: Literal["w", "wb"] = "w") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; rename it over ``path`` if the block succeeds.

    A failure (or Ctrl-C) inside the block removes the temporary file and
    leaves ``path`` as it was.  Text is written as UTF-8 with newlines as given.
    The new file gets the mode ``open()`` would give it (an existing file's
    own mode; else ``0o666`` less the umask); its data reaches the disk before
    the rename.  A symbolic link is written through, to the file it points to;
    a device or a FIFO (``/dev/null``, ``/dev/stdout``) is written in place,
    as ``open()`` writes it (there is nothing to rename over it).

    Raises:
        InputError: the folder of ``path`` does not exist, or the file cannot be
            written there (permissions, a read-only or full disk, ...).
    """
    if _special(path):  # /dev/null, /dev/stdout, a FIFO: written in place, never replaced
        try:
            text = mode == "w"
            special = open(  # noqa: SIM115, PTH123 - closed by the `with special` below
                path, mode, encoding="utf-8" if text else None, newline="" if text else None
            )
        except OSError as exc:
            raise InputError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
        with special:
            yield special
        return
    target = _target(path)
    folder = target.resolve().parent
    if not folder.is_dir():
        raise InputError(f"cannot write {str(path)!r}: the folder {str(folder)!r} does not exist")
    try:
        keep = stat.S_IMODE(target.stat().st_mode) if target.is_file() else None
    except OSError:
        keep = None
    try:
        fd, tmp = _create_temporary(folder, target.name)
    except OSError as exc:
        raise InputError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None

    def refused(exc: OSError) -> InputError:
        tmp.unlink(missing_ok=True)
        return InputError(f"cannot write {str(path)!r}: {exc.strerror or exc}")

    try:
        if keep is not None and hasattr(os, "fchmod"):
            os.fchmod(fd, keep)
        text = mode == "w"
        handle = open(  # noqa: SIM115 - closed by the `with handle` below
            tmp, mode, encoding="utf-8" if text else None, newline="" if text else None,
            opener=lambda _path, _flags: fd,
        )  # fmt: skip
    except OSError as exc:
        os.close(fd)
        raise refused(exc) from None
    written = False
    try:
        with handle:
            yield handle  # an error of the caller's stays the caller's
            written = True
            handle.flush()
            os.fsync(handle.fileno())  # the data is on the disk before the name points at it
    except BaseException as exc:
        if written and isinstance(exc, OSError):  # flushing or syncing failed: a full disk, ...
            raise refused(exc) from None
        tmp.unlink(missing_ok=True)
        raise
    try:
        tmp.replace(target)
    except OSError as exc:  # the target is a folder, another disk, ...
        raise refused(exc) from None
    _sync_folder(folder)
