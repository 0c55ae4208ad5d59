"""pyarrow, imported on first use, with a clear error when it is missing."""

from __future__ import annotations

from typing import Any

from mgrlead.errors import InputError

__all__ = ["pyarrow"]


def pyarrow() -> Any:  # noqa: ANN401
    """The pyarrow module, with its compute, csv and parquet submodules loaded."""
    try:
        import pyarrow as pa  # noqa: PLC0415
        import pyarrow.compute  # noqa: PLC0415
        import pyarrow.csv  # noqa: PLC0415
        import pyarrow.parquet  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = "reading and writing files needs pyarrow: pip install pyarrow"
        raise InputError(msg) from exc
    return pa
