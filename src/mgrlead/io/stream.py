"""Streaming scoring of CSV and Parquet files of any size, in bounded memory.

``mgrlead score`` reads its input in chunks (pyarrow's streaming CSV reader, or
Parquet row groups), scores each chunk with the numpy engine, and writes each
chunk's rows to a temporary file that replaces the output only at the end: a
failure or Ctrl-C leaves no partial output.  Bad rows are reported with their
line numbers; with ``on_error="skip"`` they are left out of the scores and
written, with the reason, to a side file instead of being lost.

With sample imputation (``missing="mean"`` or ``"median"``) the file is read
twice: a first pass counts how often each response code was given (a small
table, whatever the file's size), from which the exact item means and medians
of the whole file follow; the second pass scores every chunk with those.  So
the scores are those :func:`mgrlead.score_frame` gives on the whole file.
Standard input (``-``) cannot be read twice: imputation from it is refused.

Line numbers count the header as line 1 and the blank lines the reader skips
(on standard input too, noted as the text passes), and assume no line breaks
inside quoted cells.

SPSS (``.sav``, ``.zsav``), Stata (``.dta``) and Excel (``.xlsx``) files are
read whole by :mod:`mgrlead.io.formats` (optional extras), then scored in the
same chunks; their locations are rows counted from 0, as in Parquet.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from attrs import define, field

from mgrlead.engines.batch import code_counts, code_indices, fills_from_counts, score_matrix
from mgrlead.engines.checks import cell_message, check_no_clash
from mgrlead.engines.frames import Extra, band_strings, plain, score_columns
from mgrlead.errors import AnswerError, InputError, MgrleadError, plural
from mgrlead.extras import pyarrow
from mgrlead.i18n import N_
from mgrlead.io.files import atomic_open
from mgrlead.io.formats import READ_SUFFIXES, read_arrow
from mgrlead.io.table import column_kinds, provenance
from mgrlead.results import column_kinds as metric_kinds

if TYPE_CHECKING:
    from mgrlead.plan import ScoringPlan

__all__ = [
    "STDIN",
    "StreamReport",
    "count_lines",
    "read_all",
    "row_label",
    "skipped_file_for",
    "stream_score",
]

#: The file name that means standard input.
STDIN = Path("-")

#: Rows per chunk of a Parquet file.
CHUNK_ROWS = 65_536
#: Bytes per chunk of a CSV file (pyarrow's block size).
CSV_BLOCK_BYTES = 1 << 20
_WHOLE = r"^\s*[+-]?(\d+(\.0*)?|\.0+)\s*$"
_NUMBER = r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"


@define
class StreamReport:
    """What a streaming run did."""

    rows: int = 0
    """Rows scored."""
    skipped: int = 0
    """Rows left out (``on_error="skip"``)."""
    skipped_file: Path | None = None
    """Where the skipped rows went."""
    problems: list[str] = field(factory=list)
    """The first few problems, for the summary."""


def row_label(path: Path, row: int) -> str:
    """Where data row ``row`` (from 0) of a file :func:`read_all` read is: ``line 7`` or ``row 5``.

    Lines count from 1 with the header, and count the blank lines the reader
    skips; a Parquet file's rows count from 0, as pandas and pyarrow count them.
    """
    return _Lines(path).label(row)


def skipped_file_for(path: Path) -> Path:
    """Where the rows skipped from ``path`` go by default: ``NAME.skipped.csv`` beside it."""
    return path.with_name(path.stem + ".skipped.csv")


def _batches(
    path: Path,
    na_values: list[str],
    on_invalid: Callable[[Any], str],
    lines: _Lines | None = None,
) -> tuple[list[str], Iterator[Any]]:
    """The header and the record batches of a CSV or Parquet file (all columns as text for CSV).

    ``path`` ``-`` reads CSV from standard input; its blank lines are noted in
    ``lines`` as they pass (a file's are looked for when a message needs them).
    """
    pa = pyarrow()
    name = "<stdin>" if path == STDIN else str(path)
    if path == STDIN:
        return _stdin_batches(na_values, on_invalid, lines)
    if path.suffix.lower() in READ_SUFFIXES:  # SPSS, Stata, Excel: read whole, then in chunks
        if not path.is_file():
            raise InputError(f"cannot read {name!r}: No such file or directory")
        table = read_arrow(path)
        return list(table.schema.names), iter(table.to_batches(max_chunksize=CHUNK_ROWS))
    if path.suffix.lower() == ".parquet":
        try:
            pf = pa.parquet.ParquetFile(path)
        except (OSError, pa.ArrowInvalid) as exc:
            raise InputError(f"cannot read {name!r}: {exc}") from exc
        return list(pf.schema_arrow.names), pf.iter_batches(batch_size=CHUNK_ROWS)
    try:
        with path.open("rb") as f:
            head = f.read(4)
    except OSError as exc:
        raise InputError(f"cannot read {name!r}: {exc.strerror}") from exc
    if not head.strip():
        raise InputError(f"{name}: the file is empty; it needs a header row")
    try:
        with path.open(encoding="utf-8-sig") as f:
            header_line = f.readline()
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    header = _header(header_line, name)
    return header, _open_csv(path, header, 1, na_values, on_invalid, name)


def _header(line: str, name: str) -> list[str]:
    header = [h.strip() for h in next(csv.reader([line]))]
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise InputError(f"{name}: column(s) {', '.join(map(repr, repeated))} appear twice")
    return header


def _open_csv(  # noqa: PLR0913, PLR0917 - pyarrow's reader and what it needs
    source: Any,  # noqa: ANN401 - a path or a binary file
    header: list[str],
    skip: int,
    na_values: list[str],
    on_invalid: Callable[[Any], str],
    name: str,
) -> Iterator[Any]:
    pa = pyarrow()
    read = pa.csv.ReadOptions(
        block_size=CSV_BLOCK_BYTES, column_names=header, skip_rows=skip, use_threads=False
    )
    parse = pa.csv.ParseOptions(invalid_row_handler=on_invalid)
    convert = pa.csv.ConvertOptions(
        column_types=dict.fromkeys(header, pa.string()),
        null_values=na_values,
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    try:
        reader = pa.csv.open_csv(source, read_options=read, parse_options=parse,
                                 convert_options=convert)  # fmt: skip
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InputError(f"{name}: {exc}") from exc
    return _guarded(reader, name)


class _BlankLines(io.RawIOBase):
    """A binary stream that notes its blank lines (numbered from ``line``) as they are read."""

    def __init__(self, raw: IO[bytes], line: int) -> None:
        super().__init__()
        self.raw = raw
        self.line = line  # the number of the line being read
        self.blank = True  # whether the line being read is blank so far
        self.found: list[int] = []

    def readable(self) -> bool:
        """It is read from."""
        return True

    def readinto(self, buffer: Any) -> int:  # noqa: ANN401 - a writable buffer
        """Read into ``buffer`` as the stream under it does, noting the blank lines."""
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        if self.blank and re.match(rb"\r*\n", data):  # the line carried over ends blank
            self.found.append(self.line)
        # a newline, maybe carriage returns, a newline: the line between is blank
        self.found.extend(
            self.line + data.count(b"\n", 0, m.start()) + 1
            for m in re.finditer(rb"\n(?=\r*\n)", data)
        )
        last = data.rfind(b"\n")
        tail_blank = not data[last + 1 :].strip(b"\r")
        self.blank = tail_blank if last >= 0 else self.blank and tail_blank
        self.line += data.count(b"\n")
        return n


def _stdin_batches(
    na_values: list[str], on_invalid: Callable[[Any], str], lines: _Lines | None = None
) -> tuple[list[str], Iterator[Any]]:
    import sys  # noqa: PLC0415

    name = "<stdin>"
    stream = sys.stdin.buffer
    first = stream.readline()
    if not first.strip():
        raise InputError(f"{name}: no input; it needs a header row")
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    header = _header(line, name)
    counted = _BlankLines(stream, 2)  # the header was line 1
    if lines is not None:
        lines.blanks = counted.found  # filled as pyarrow reads
    return header, _open_csv(io.BufferedReader(counted), header, 0, na_values, on_invalid, name)


def _guarded(reader: Any, name: str) -> Iterator[Any]:  # noqa: ANN401
    pa = pyarrow()
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as exc:
            raise InputError(f"{name}: {exc}") from exc
        yield batch


class _Lines:
    """The line of each data row in the file, counting the blank lines the reader skips.

    The blank lines are looked for only when a message needs a line number.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.blanks: list[int] | None = None
        self.malformed: list[int] = []  # lines with the wrong number of cells, skipped
        self.rows = path != STDIN and path.suffix.lower() in {".parquet", *READ_SUFFIXES}
        #: What a location is called: a Parquet file has rows (from 0, as pandas and
        #: pyarrow count them), a text file lines (from 1, the header included).
        self.key = "row" if self.rows else "line"

    def label(self, row: int) -> str:
        """Where data row ``row`` is, as a message says it: ``line 7`` or ``row 5``."""
        return f"{self.key} {self(row)}"

    def __call__(self, row: int) -> int:
        """The line of data row ``row`` (0 is the row under the header, line 2 if no blanks).

        In a Parquet file: the row number itself.
        """
        if self.rows:
            return row
        line = row + 2
        return _pushed_down(line, self._blanks(), self.malformed)

    def _blanks(self) -> list[int]:
        if self.blanks is None and self.path != STDIN:
            with self.path.open("rb") as f:
                self.blanks = [n for n, text in enumerate(f, start=1) if not text.strip(b"\r\n")]
        return self.blanks or []

    def physical(self, number: int) -> int:
        """The line of what pyarrow numbers ``number`` (it does not count blank lines).

        On standard input pyarrow does not see the header (read before it).
        """
        if self.path == STDIN:
            return _pushed_down(number + 1, self._blanks())
        return _pushed_down(number, self._blanks())

    def skip(self, line: int | None) -> None:
        """Note a malformed line the reader skipped (it holds no data row)."""
        if line is not None:
            bisect.insort(self.malformed, line)


def _pushed_down(line: int, *skipped: list[int]) -> int:
    """Line ``line`` of a count that leaves out the (sorted) ``skipped`` lines, in the file.

    Every skipped line up to it pushes it one down, which may bring more in reach.
    """
    start, found = line, -1
    while found != line:
        found = line
        line = start + sum(bisect.bisect_right(lines, line) for lines in skipped)
    return line


def _item_matrix(
    plan: ScoringPlan,
    batch: Any,  # noqa: ANN401 - a pyarrow RecordBatch
    first_row: int,
    where: str,
    line_of: _Lines,
) -> tuple[Any, Any, list[str]]:
    """The chunk's answers as floats, a mask of bad rows, and a message per bad row."""
    import numpy as np  # noqa: PLC0415

    pa = pyarrow()
    pc = pa.compute
    n = batch.num_rows
    matrix = np.empty((n, len(plan.items)), order="F")  # filled column by column
    bad = np.zeros(n, dtype=bool)
    messages = [""] * n
    for j, it in enumerate(plan.items):
        col = batch.column(batch.schema.get_field_index(it.id))
        if pa.types.is_dictionary(col.type):  # Parquet's encoding of repeated values
            col = col.dictionary_decode()
        digits = None
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            digits = _plain_digits(pa, col)
        if digits is not None:  # the common case: every cell digits only, or empty
            values = digits
            not_whole = np.zeros(n, dtype=bool)
        elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            trimmed = pc.utf8_trim_whitespace(col)
            whole = pc.fill_null(pc.match_substring_regex(trimmed, _WHOLE), fill_value=True)
            valid = pc.if_else(whole, trimmed, pa.scalar(None, pa.string()))
            values = pc.cast(valid, pa.float64()).to_numpy(zero_copy_only=False)
            not_whole = ~np.asarray(whole)
        elif (
            pa.types.is_integer(col.type)
            or pa.types.is_floating(col.type)
            or pa.types.is_decimal(col.type)
            or pa.types.is_null(col.type)
        ):
            # unsafe: an integer beyond 2**53 has no exact float, and pyarrow refuses it;
            # inexact, it is still far off every scale, so its row is a bad row
            values = np.asarray(
                pc.cast(col, pa.float64(), safe=False).to_numpy(zero_copy_only=False),
                dtype=np.float64,
            )
            with np.errstate(invalid="ignore"):
                not_whole = ~np.isnan(values) & np.isfinite(values) & (values != np.floor(values))
        else:  # true/false, dates, bytes, ...: not answers, whatever the row
            raise AnswerError(
                f"{where}: item {it.id!r}: the column holds {col.type}, not numbers; "
                "answers must be whole numbers on the item's scale",
                item=it.id,
            )
        values = np.asarray(values, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            off = ~np.isnan(values) & ((values < it.code_min) | (values > it.code_max))
        if it.missing_codes:
            off &= ~np.isin(values, list(it.missing_codes))
        for row in np.flatnonzero((not_whole | off) & ~bad):
            bad[row] = True
            raw = col[int(row)].as_py()
            messages[row] = cell_message(it, raw, f"{where}, {line_of.label(first_row + int(row))}")
        matrix[:, j] = np.where(bad, np.nan, values)
    return matrix, bad, messages


def _plain_digits(pa: Any, col: Any) -> Any:  # noqa: ANN401
    """A text column whose every cell is plain ASCII digits (or missing), as floats.

    ``None`` for any other column: those go through the full check, which
    trims, matches :data:`_WHOLE` and words an error for each bad cell.  A cell
    of digits only is always a whole number, the same that path gives it.
    """
    pc = pa.compute
    if not pc.all(pc.utf8_is_decimal(col)).as_py():
        return None
    try:  # utf8_is_decimal also holds for other scripts' digits, which the cast refuses
        return pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        return None


#: What a streaming run reports after each chunk: rows done, and the pass.
Progress = Callable[[int, str], None]

#: The names of the passes, in English: a progress display translates them
#: (``mgrlead.i18n.gettext(COUNTING)``).
# TRANSLATORS: the labels of `mgrlead score`'s progress bar, for each pass over the file
COUNTING = N_("pass 1 of 2: counting answers")
SCORING = N_("scoring")
SCORING_SECOND = N_("pass 2 of 2: scoring")


def _require_items(plan: ScoringPlan, header: list[str], name: str) -> None:
    absent = [i for i in plan.item_ids if i not in header]
    if absent:
        raise InputError(
            f"{name}: no column for {plural(len(absent), 'item')} "
            f"{', '.join(map(repr, absent))}; add one column "
            "per item (leave cells empty for unanswered items)"
        )


def _count_pass(
    plan: ScoringPlan, path: Path, na_values: list[str], progress: Progress | None
) -> list[Any]:
    """Pass 1 of an imputing run: how often each code of each item was given, bad rows left out.

    Bad rows are left for the scoring pass to report (or to skip, with
    ``on_error="skip"``); malformed lines likewise.
    """
    import numpy as np  # noqa: PLC0415

    header, batches = _batches(path, na_values, lambda _row: "skip")
    _require_items(plan, header, str(path))
    totals = [np.zeros(len(it.codes), dtype=np.int64) for it in plan.items]
    rows = 0
    for batch in batches:
        matrix, bad, _ = _item_matrix(plan, batch, rows, str(path), _Lines(path))
        rows += batch.num_rows
        keep = matrix[~bad]
        indices = [code_indices(it, keep[:, i])[0] for i, it in enumerate(plan.items)]
        for n, counts in enumerate(code_counts(plan, indices)):
            totals[n] += counts
        if progress is not None:
            progress(rows, COUNTING)
    return [total.tolist() for total in totals]


def stream_score(  # noqa: PLR0913, PLR0915 - one pass over the file
    plan: ScoringPlan,
    path: Path,
    out: IO[str] | Path | Callable[[dict[str, Any]], None] | None,
    *,
    fmt: str = "csv",
    na_values: list[str],
    on_error: str = "fail",
    skipped_path: Path | None = None,
    extra: Extra | None = None,
    progress: Progress | None = None,
    select: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> StreamReport:
    """Score a CSV or Parquet file chunk by chunk (``-``: CSV from standard input).

    Args:
        plan: The compiled rubric.
        path: The input file (``.csv`` or ``.parquet``), or ``-``.
        out: A text stream (CSV or JSON), a path for Parquet output, or a
            function given each chunk's columns (``fmt`` is then not used).
        fmt: ``csv``, ``json`` or ``parquet``.
        na_values: Cell texts that mean "not answered" (CSV).
        on_error: ``fail`` (stop at the first bad row) or ``skip`` (write bad
            rows to ``skipped_path`` and go on).
        skipped_path: The side file for skipped rows (CSV with ``line`` and
            ``error`` columns).
        extra: Columns to add to each chunk's scores (norms:
            :func:`mgrlead.analysis.norms.norm_extra`).
        progress: Called with the rows done and the pass (:data:`COUNTING`,
            :data:`SCORING` or :data:`SCORING_SECOND`) after each chunk.
        select: Given each chunk's columns (pass-through, scores, norms, by
            name, in order), returns the columns to write (some of them,
            rounded, ...); their order is the order written.

    Raises:
        InputError: the file cannot be read, lacks item columns, or is standard
            input while a dimension imputes from the sample.
        AnswerError: a cell is not an answer (``on_error="fail"``); names the line.
    """
    import numpy as np  # noqa: PLC0415

    fills = None
    phase = SCORING
    if plan.imputes:
        if path == STDIN:
            dims = [d.id for d in plan.dimensions if d.impute != "none"]
            raise InputError(
                f"dimension {dims[0]!r} imputes unanswered items with the item "
                f"{plan.imputes[0]} of the whole file, which takes two passes over it, and "
                "standard input can be read only once; save the input to a file and score "
                "that, or use --missing available"
            )
        fills = fills_from_counts(plan, _count_pass(plan, path, na_values, progress))
        phase = SCORING_SECOND
    pa = pyarrow()
    name = "<stdin>" if path == STDIN else str(path)
    report = StreamReport()
    skipped_rows: list[dict[str, Any]] = []
    rows_read = [0]  # data rows read so far
    line_of = _Lines(path)

    fatal: list[tuple[int | None, str]] = []  # malformed lines, when they stop the run

    def on_invalid(row: Any) -> str:  # noqa: ANN401
        # pyarrow calls this while parsing: record the row, never raise here
        if row.number is not None:
            line: int | None = line_of.physical(row.number)
        else:
            line = _find_line(path, row.text)
        line_of.skip(line)
        where = f"{name}, line {line}" if line else name
        message = f"{where}: {row.actual_columns} cells but the header has {row.expected_columns}"
        if on_error == "fail":
            fatal.append((line, message))
        else:
            skipped_rows.append({"line": line, "error": message, "raw": row.text})
        return "skip"

    header, batches = _batches(path, na_values, on_invalid, line_of)
    items = set(plan.item_ids)
    _require_items(plan, header, name)
    passthrough_names = [h for h in header if h not in items]
    check_no_clash(passthrough_names, plan.dimension_ids, name)
    skip_writer: Any = None
    json_started = False
    parquet_writer = None
    wrote_header = False
    # the side file of skipped rows is written atomically, like the output: on any
    # error or interruption its temporary file goes and an earlier side file stays
    with contextlib.ExitStack() as cleanup:

        def flush_skipped(horizon: float = math.inf) -> None:
            """Write the rows skipped up to line ``horizon`` to the side file, in file order.

            The reader may report malformed lines beyond the chunk being scored
            (it parses ahead): they wait for the chunk they belong with.
            """
            nonlocal skip_writer
            skipped_rows.sort(key=lambda r: _place(r.get(line_of.key)))
            ready = [r for r in skipped_rows if _place(r.get(line_of.key)) <= horizon]
            del skipped_rows[: len(ready)]
            report.skipped += len(ready)
            if not ready:
                return
            if skip_writer is None:
                target = skipped_path or skipped_file_for(path)
                report.skipped_file = target
                # atomic, like the output: an interrupted run leaves the old file be
                handle = cleanup.enter_context(atomic_open(target))
                skip_writer = csv.DictWriter(
                    handle, fieldnames=[line_of.key, "error", *header, "raw"],
                    extrasaction="ignore", lineterminator="\n",
                )  # fmt: skip
                skip_writer.writeheader()
            skip_writer.writerows(ready)
            report.problems.extend(r["error"] for r in ready[: 5 - len(report.problems)])

        try:
            for chunk in batches:
                batch = chunk
                first_row = rows_read[0]
                rows_read[0] += batch.num_rows
                matrix, bad, messages = _item_matrix(plan, batch, first_row, name, line_of)
                horizon = _last_line(line_of, first_row, batch.num_rows)
                if on_error == "fail":
                    _stop_at_first(fatal, bad, messages, line_of, first_row, horizon)
                if bad.any():
                    for row in np.flatnonzero(bad):
                        record = {h: batch.column(batch.schema.get_field_index(h))[int(row)].as_py()
                                  for h in header}  # fmt: skip
                        skipped_rows.append({line_of.key: line_of(first_row + int(row)),
                                             "error": messages[row], **record})  # fmt: skip
                    keep = ~bad
                    matrix = matrix[keep]
                    batch = batch.filter(pa.array(keep))
                flush_skipped(horizon)
                if batch.num_rows == 0:
                    continue
                scores = score_matrix(plan, matrix, row_offset=first_row, fills=fills)
                given = {h: batch.column(batch.schema.get_field_index(h))
                         for h in passthrough_names}  # fmt: skip
                if fmt != "json" and not callable(out):
                    # to Arrow: band columns from their indices, no Python lists
                    bands = scores.band_codes()
                    listed = {h: c.to_pylist() for h, c in given.items()} if extra else {}
                    chosen = {**given, **score_columns(scores, listed, extra, band_ids=False)}
                    if select is not None:
                        chosen = select(chosen)
                    table = pa.table({
                        k: band_strings(*bands[k]) if k in bands
                        else v if isinstance(v, (pa.Array, pa.ChunkedArray)) else _arrow(pa, v)
                        for k, v in chosen.items()
                    })  # fmt: skip
                    columns = {k: table.column(k) for k in table.column_names}
                else:
                    passthrough = {h: c.to_pylist() for h, c in given.items()}
                    columns = {**passthrough, **score_columns(scores, passthrough, extra)}
                    if select is not None:
                        columns = select(columns)
                if callable(out):
                    out(columns)
                elif fmt == "parquet":
                    if parquet_writer is None:
                        # the types of the input's columns and of the metrics, never of the
                        # first chunk's values (a column of nulls there has no type)
                        fields = _parquet_fields(pa, plan, batch.schema, table.schema)
                        schema = pa.schema(fields, metadata={"mgrlead": _provenance(plan, columns)})
                        parquet_writer = pa.parquet.ParquetWriter(out, schema)
                    parquet_writer.write_table(table.cast(parquet_writer.schema))
                elif fmt == "json":
                    assert out is not None  # noqa: S101
                    assert not isinstance(out, Path)  # noqa: S101
                    for r in range(scores.n):
                        record = {k: plain(v[r]) for k, v in columns.items()}
                        out.write(("[\n  " if not json_started else ",\n  ") + json.dumps(record))
                        json_started = True
                else:
                    assert out is not None  # noqa: S101
                    assert not isinstance(out, Path)  # noqa: S101
                    chunk_bytes = io.BytesIO()
                    options = pa.csv.WriteOptions(include_header=not wrote_header)
                    pa.csv.write_csv(table, chunk_bytes, options)
                    out.flush()
                    out.buffer.write(chunk_bytes.getvalue())  # type: ignore[attr-defined]
                    out.buffer.flush()  # type: ignore[attr-defined]
                    wrote_header = True
                report.rows += scores.n
                if progress is not None:
                    progress(report.rows, phase)
            if not fatal:
                flush_skipped()  # malformed lines after the last rows pyarrow gave
        finally:
            if parquet_writer is not None:
                parquet_writer.close()
    if fatal:  # malformed lines after the last chunk
        raise InputError(min(fatal, key=lambda problem: _place(problem[0]))[1])
    if report.rows == 0 and not report.skipped:
        raise InputError(f"{name}: no data rows under the header")
    text_out = None if out is None or isinstance(out, Path) or callable(out) else out
    if fmt == "csv" and not wrote_header and text_out is not None:
        # every row was skipped: still a CSV file, with its header
        empty = score_matrix(plan, np.empty((0, len(plan.items))), fills=fills)
        nothing: dict[str, Any] = {h: [] for h in passthrough_names}
        columns = {**nothing, **score_columns(empty, nothing, extra)}
        if select is not None:
            columns = select(columns)
        text_out.write(",".join(columns) + "\n")
    if fmt == "json" and text_out is not None:
        text_out.write("\n]\n" if json_started else "[]\n")
    return report


def _place(line: int | None) -> float:
    """Where a line is, for ordering problems (a line of unknown place comes last)."""
    return math.inf if line is None else line


def _last_line(line_of: _Lines, first_row: int, rows: int) -> float:
    """The line of a chunk's last row (a chunk of no rows reaches no line)."""
    return line_of(first_row + rows - 1) if rows else -math.inf


def _stop_at_first(  # noqa: PLR0913, PLR0917 - a chunk's problems and where it ends
    malformed: list[tuple[int | None, str]],
    bad: Any,  # noqa: ANN401 - a numpy mask of the chunk's bad rows
    messages: list[str],
    line_of: _Lines,
    first_row: int,
    horizon: float,
) -> None:
    """Raise for the first problem in the file up to the chunk's last line.

    Problems are malformed lines, which the reader reports while it parses
    (sometimes a chunk ahead of the one being checked), and bad cells: the
    first of them in the file is the one to name.  A malformed line beyond
    ``horizon`` (the chunk's last line) waits for the chunks after it.
    """
    import numpy as np  # noqa: PLC0415

    found: list[tuple[float, MgrleadError]] = [
        (_place(line), InputError(message))
        for line, message in malformed
        if _place(line) <= horizon
    ]
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        found.append((line_of(first_row + row), AnswerError(messages[row])))
    if found:
        raise min(found, key=lambda problem: problem[0])[1]


def _provenance(plan: ScoringPlan, columns: Mapping[str, Any]) -> str:
    """The score-table header (as :class:`mgrlead.ScoreTable` reads it), as JSON."""

    def head(values: Any) -> Any:  # noqa: ANN401 - an Arrow column or a list/array
        return values[:1000].to_pylist() if hasattr(values, "to_pylist") else values[:1000]

    sample = {name: [plain(v) for v in head(values)] for name, values in columns.items()}
    kinds = column_kinds(sample, plan.dimension_ids)
    return json.dumps(provenance(plan, kinds))


_ARROW_KINDS: Final = {"float": "float64", "int": "int64", "str": "string", "bool": "bool_"}


def _parquet_fields(pa: Any, plan: ScoringPlan, given: Any, scored: Any) -> list[Any]:  # noqa: ANN401
    """The output's fields: pass-through columns typed as in the input, scores by kind."""
    kinds = metric_kinds(plan.dimension_ids)
    fields = []
    for out in scored:
        if out.name in kinds:
            fields.append(pa.field(out.name, getattr(pa, _ARROW_KINDS[kinds[out.name]])()))
        elif out.name in given.names:
            fields.append(given.field(out.name))
        else:
            fields.append(out)
    return fields


def _arrow(pa: Any, values: Any) -> Any:  # noqa: ANN401
    """A column as an Arrow array: floats with NaN as null, numpy numbers without a list."""
    import numpy as np  # noqa: PLC0415

    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        return pa.array(values, from_pandas=True)
    if isinstance(values, np.ndarray) and values.dtype.kind in "biu":
        return pa.array(values)
    return pa.array(values if not isinstance(values, np.ndarray) else values.tolist())


def _find_line(path: Path, text: str) -> int | None:
    """The line number of a bad row pyarrow did not number (only read on errors)."""
    if path == STDIN:
        return None
    with path.open(encoding="utf-8-sig") as f:
        for number, line in enumerate(f, start=1):
            if line.rstrip("\r\n") == text:
                return number
    return None


def count_lines(path: Path) -> int | None:
    """A quick estimate of the data rows of a CSV file (for the progress bar)."""
    if path == STDIN or path.suffix.lower() in READ_SUFFIXES:
        return None
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            sample = f.read(1 << 20)
    except OSError:
        return None
    lines = sample.count(b"\n")
    if not lines:
        return None
    return max(1, int(size / (len(sample) / lines)) - 1)


def read_all(
    plan: ScoringPlan, path: Path, na_values: list[str]
) -> tuple[list[str], dict[str, list[Any]], Any]:
    """The whole file in memory (for analyses that need every row at once; ``-``: standard input).

    Returns the header, the pass-through columns and the answer matrix; any bad
    row is an error naming its line.
    """
    import numpy as np  # noqa: PLC0415

    name = "<stdin>" if path == STDIN else str(path)

    fatal: list[tuple[int | None, str]] = []
    line_of = _Lines(path)

    def on_invalid(row: Any) -> str:  # noqa: ANN401
        line = line_of.physical(row.number) if row.number is not None else None
        line = line if line is not None else _find_line(path, row.text)
        line_of.skip(line)
        where = f"{name}, line {line}" if line else name
        fatal.append(
            (line, f"{where}: {row.actual_columns} cells but the header has {row.expected_columns}")
        )
        return "skip"

    header, batches = _batches(path, na_values, on_invalid, line_of)
    absent = [i for i in plan.item_ids if i not in header]
    if absent:
        raise InputError(
            f"{name}: no column for {plural(len(absent), 'item')} "
            f"{', '.join(map(repr, absent))}; add one column "
            "per item (leave cells empty for unanswered items)"
        )
    items = set(plan.item_ids)
    passthrough: dict[str, list[Any]] = {h: [] for h in header if h not in items}
    parts = []
    rows = 0
    for batch in batches:
        matrix, bad, messages = _item_matrix(plan, batch, rows, name, line_of)
        _stop_at_first(
            fatal, bad, messages, line_of, rows, _last_line(line_of, rows, batch.num_rows)
        )
        rows += batch.num_rows
        parts.append(matrix)
        for h, values in passthrough.items():
            values.extend(batch.column(batch.schema.get_field_index(h)).to_pylist())
    if fatal:  # malformed lines after the last chunk
        raise InputError(min(fatal, key=lambda problem: _place(problem[0]))[1])
    if not parts or sum(len(p) for p in parts) == 0:
        raise InputError(f"{name}: no data rows under the header")
    return header, passthrough, np.vstack(parts)
