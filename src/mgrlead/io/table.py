"""Score tables: many respondents' scores with their provenance, stored losslessly.

:func:`mgrlead.score_frame` returns scores in the dataframe kind it was given.
:class:`ScoreTable` is for storing them: it keeps the provenance (rubric,
version, content hash, mgrlead version, strategy, weighting, plugin sources) and
every value exactly, in JSON, CSV or Parquet, and reads back equal::

    table = mgrlead.score_table("manager-leader", frame)
    table.write("scores.parquet")
    assert mgrlead.ScoreTable.read("scores.parquet") == table

In CSV the provenance is a first line starting with ``#`` (``pandas.read_csv(...,
comment="#")`` skips it); floats are written with as many digits as they need
to read back exactly, and a missing value is an empty cell.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from attrs import field, frozen

from mgrlead._version import __version__
from mgrlead.errors import InputError
from mgrlead.extras import pyarrow
from mgrlead.results import column_kinds as score_kinds

if TYPE_CHECKING:
    from mgrlead.engines.batch import BatchScores
    from mgrlead.engines.frames import Value
    from mgrlead.plan import ScoringPlan

__all__ = ["ScoreTable", "column_kinds", "provenance"]

_MARK: Final = "# mgrlead "
_KINDS: Final = ("int", "float", "str", "bool")
_HEADER: Final = (
    "rubric", "rubric_version", "content_hash", "mgrlead_version", "strategy", "weighting",
)  # fmt: skip


def _kind_of_values(values: Sequence[Value]) -> str:
    kinds = {type(v).__name__ for v in values if v is not None}
    if kinds <= {"bool"} and kinds:
        return "bool"
    if kinds <= {"int"}:
        return "int"
    if kinds <= {"int", "float"}:
        return "float"
    return "str"


def column_kinds(
    columns: Mapping[str, Sequence[Value]], dimension_ids: Iterable[str]
) -> dict[str, str]:
    """The kind of every column: score columns from the metrics table, others by their values."""
    known = score_kinds(list(dimension_ids))
    return {
        name: known[name] if name in known else _kind_of_values(values)
        for name, values in columns.items()
    }


def provenance(plan: ScoringPlan, kinds: Mapping[str, str]) -> dict[str, Any]:
    """What a score table records about how it was made (its header)."""
    return {
        "rubric": plan.rubric,
        "rubric_version": plan.version,
        "content_hash": plan.content_hash,
        "mgrlead_version": __version__,
        "strategy": plan.strategy.name,
        "weighting": plan.weighting,
        "sources": dict(plan.sources),
        "kinds": dict(kinds),
    }


def _columns(value: Mapping[str, Sequence[Value]]) -> dict[str, tuple[Value, ...]]:
    return {str(k): tuple(v) for k, v in value.items()}


@frozen(kw_only=True)
class ScoreTable:
    """Scores of many respondents, column by column, with what produced them."""

    rubric: str
    """Id of the rubric."""
    rubric_version: str
    """Its version."""
    content_hash: str
    """Hash of everything in the rubric that affects scores."""
    mgrlead_version: str
    """The mgrlead version that scored."""
    strategy: str
    """The scoring strategy of the headline scores."""
    weighting: str
    """The weighting scheme of the overall result."""
    sources: dict[str, str] = field(factory=dict, hash=False)
    """Which plugin contributed what."""
    kinds: dict[str, str] = field(factory=dict, hash=False)
    """The type of each column: ``int``, ``float``, ``str`` or ``bool``."""
    columns: dict[str, tuple[Value, ...]] = field(converter=_columns, hash=False)
    """Pass-through columns first, then the score columns; ``None`` when missing."""

    @classmethod
    def from_batch(cls, batch: BatchScores, passthrough: Mapping[str, Any]) -> ScoreTable:
        """Build a table from batch scores and the pass-through columns."""
        from mgrlead.engines.frames import plain  # noqa: PLC0415 - keeps `import mgrlead` light

        columns: dict[str, tuple[Value, ...]] = {
            name: tuple(plain(v) for v in values) for name, values in passthrough.items()
        }
        scores = batch.columns()
        columns.update({name: tuple(plain(v) for v in values) for name, values in scores.items()})
        kinds = column_kinds(columns, batch.plan.dimension_ids)
        return cls(**provenance(batch.plan, kinds), columns=columns)

    def __len__(self) -> int:
        """How many respondents."""
        return len(next(iter(self.columns.values()), ()))

    # --------------------------------------------------------------- JSON
    def _header(self) -> dict[str, Any]:
        return {**{k: getattr(self, k) for k in _HEADER}, "sources": self.sources,
                "kinds": self.kinds}  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the provenance and the columns as lists."""
        return {**self._header(), "columns": {k: list(v) for k, v in self.columns.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "score table") -> ScoreTable:
        """Rebuild a table from :meth:`to_dict` output."""
        try:
            kinds = dict(data["kinds"])
            columns = {k: tuple(v) for k, v in data["columns"].items()}
            header = {k: data[k] for k in _HEADER}
            sources = dict(data.get("sources", {}))
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"{source}: not an mgrlead score table ({exc!r} missing)") from exc
        if set(kinds) != set(columns) or any(k not in _KINDS for k in kinds.values()):
            raise InputError(f"{source}: the column kinds do not match the columns")
        return cls(**header, sources=sources, kinds=kinds, columns=columns)

    def to_json(self) -> str:
        """The table as JSON text."""
        return json.dumps(self.to_dict(), allow_nan=False, ensure_ascii=False)

    # ---------------------------------------------------------------- CSV
    def to_csv(self) -> str:
        """The table as CSV text, provenance on a first ``#`` line."""
        out = io.StringIO()
        out.write(_MARK + json.dumps(self._header(), ensure_ascii=False) + "\n")
        writer = csv.writer(out, lineterminator="\n")
        names = list(self.columns)
        writer.writerow(names)
        for row in range(len(self)):
            writer.writerow([_csv_cell(self.columns[n][row]) for n in names])
        return out.getvalue()

    @classmethod
    def from_csv(cls, text: str, *, source: str = "score table") -> ScoreTable:
        """Read :meth:`to_csv` output back."""
        first, _, rest = text.partition("\n")
        if not first.startswith(_MARK):
            raise InputError(f"{source}: no '{_MARK.strip()}' provenance line at the top")
        header = json.loads(first[len(_MARK) :])
        rows = list(csv.reader(io.StringIO(rest, newline="")))
        if not rows:
            raise InputError(f"{source}: no header row")
        names, body = rows[0], rows[1:]
        kinds = header["kinds"]
        columns = {
            name: tuple(_parse_cell(row[n], kinds[name]) for row in body)
            for n, name in enumerate(names)
        }
        return cls.from_dict({**header, "columns": columns}, source=source)

    # ------------------------------------------------------------ Parquet
    def to_arrow(self) -> Any:  # noqa: ANN401
        """A pyarrow Table with the provenance in its schema metadata."""
        pa = pyarrow()
        types = {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "bool": pa.bool_()}
        arrays = {n: pa.array(list(v), type=types[self.kinds[n]]) for n, v in self.columns.items()}
        table = pa.table(arrays)
        return table.replace_schema_metadata({"mgrlead": json.dumps(self._header())})

    @classmethod
    def from_arrow(cls, table: Any, *, source: str = "score table") -> ScoreTable:  # noqa: ANN401
        """Rebuild a table from :meth:`to_arrow` output."""
        meta = (table.schema.metadata or {}).get(b"mgrlead")
        if meta is None:
            raise InputError(f"{source}: no mgrlead provenance in the Parquet metadata")
        header = json.loads(meta)
        return cls.from_dict({**header, "columns": table.to_pydict()}, source=source)

    # --------------------------------------------------------------- files
    def write(self, path: str | Path) -> None:
        """Write to ``.json``, ``.csv`` or ``.parquet`` (by suffix), atomically."""
        from mgrlead.io.files import atomic_open  # noqa: PLC0415

        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in {".json", ".csv", ".parquet"}:
            raise InputError(f"cannot write {path.name!r}: use .json, .csv or .parquet")
        if suffix == ".parquet":
            table = self.to_arrow()
            with atomic_open(path, "wb") as f:
                pyarrow().parquet.write_table(table, f)
            return
        text = self.to_json() if suffix == ".json" else self.to_csv()
        with atomic_open(path) as f:
            f.write(text)

    @classmethod
    def read(cls, path: str | Path) -> ScoreTable:
        """Read a table written by :meth:`write`."""
        path = Path(path)
        suffix = path.suffix.lower()
        try:
            if suffix == ".json":
                return cls.from_dict(json.loads(path.read_text("utf-8")), source=path.name)
            if suffix == ".csv":
                return cls.from_csv(path.read_text("utf-8"), source=path.name)
            if suffix == ".parquet":
                return cls.from_arrow(pyarrow().parquet.read_table(path), source=path.name)
        except OSError as exc:
            raise InputError(f"cannot read {str(path)!r}: {exc.strerror}") from exc
        raise InputError(f"cannot read {path.name!r}: use .json, .csv or .parquet")

    def to_frame(self, backend: Literal["pandas", "polars", "pyarrow"] = "pandas") -> Any:  # noqa: ANN401
        """The table as a ``pandas``, ``polars`` or ``pyarrow`` frame."""
        import narwhals as nw  # noqa: PLC0415

        data = {n: list(v) for n, v in self.columns.items()}
        return nw.from_dict(data, backend=backend).to_native()


def _csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _parse_cell(cell: str, kind: str) -> Value:
    if cell == "":
        return None
    if kind == "int":
        return int(cell)
    if kind == "float":
        return float(cell)
    if kind == "bool":
        return cell == "True"
    return cell
