"""SPSS, Stata, R and Excel files: answers in, scores (and answers) out with labels.

Each format is an optional extra, imported only when a file of its kind is
read or written: ``pip install 'mgrlead[spss]'`` (pyreadstat: ``.sav`` and
``.dta``), ``'mgrlead[excel]'`` (openpyxl: ``.xlsx``), ``'mgrlead[r]'``
(pyreadr: ``.rds``).

Reading (:func:`read_arrow`) gives a pyarrow table that the file readers of
:mod:`mgrlead.io.stream` score like a Parquet file.  SPSS user-missing values
and Stata's extended missing values (``.a`` ... ``.z``) are missing answers,
never codes; value labels are ignored (the codes are the answers).

Writing (:func:`write_scores`) keeps what SPSS and Stata users look for: a
variable label on every column (the item's text, the dimension's name and the
metric) and value labels (the scale's labels on item columns; on band
columns, which become whole numbers 1, 2, ... in the order of the rubric's
bands, the band labels).  Column names that SPSS or Stata would refuse are
mapped to valid names deterministically (:func:`variable_names`), and the
original name starts the variable label.  An ``.xlsx`` workbook has a sheet
per table (``scores``, ``answers`` when given) and the provenance on a sheet
of its own; ``.rds`` holds the scores as an R data frame.
"""

from __future__ import annotations

import contextlib
import json
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mgrlead.errors import ColumnError, InputError
from mgrlead.extras import pyarrow

if TYPE_CHECKING:
    from mgrlead.model import Rubric

__all__ = [
    "READ_SUFFIXES",
    "WRITE_SUFFIXES",
    "read_arrow",
    "read_long",
    "variable_names",
    "write_scores",
]

#: The extensions :func:`read_arrow` reads besides CSV and Parquet.
READ_SUFFIXES: Final = (".sav", ".zsav", ".dta", ".xlsx", ".json")
#: The extensions :func:`write_scores` writes.
WRITE_SUFFIXES: Final = (".sav", ".dta", ".rds", ".xlsx")

_EXTRA: Final = {
    "pandas": "pandas",
    "pyreadstat": "spss",
    "openpyxl": "excel",
    "pyreadr": "r",
}

#: The longest variable name, and label, each format takes.
_NAME_LENGTH: Final = {".sav": 64, ".dta": 32}
_LABEL_LENGTH: Final = {".sav": 256, ".dta": 80}
#: Words SPSS (case-insensitive) and Stata refuse as names.
_RESERVED: Final = {
    ".sav": {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"},
    ".dta": {
        "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long",
        "_n", "_pi", "_pred", "_rc", "_skip", "strl", "using", "with",
    },
}  # fmt: skip
_INVALID: Final = re.compile(r"[^A-Za-z0-9_]")


def _module(name: str) -> Any:  # noqa: ANN401
    import importlib  # noqa: PLC0415

    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise InputError(
            f"this file format needs {name}: pip install 'mgrlead[{_EXTRA[name]}]'"
        ) from exc


def read_arrow(path: Path) -> Any:  # noqa: ANN401 - a pyarrow Table
    """A ``.sav``, ``.zsav``, ``.dta``, ``.xlsx`` or ``.json`` file as a pyarrow table (no labels).

    A ``.json`` file holds answers as SurveyJS results do: one object
    ``{"item id": answer, ...}`` (one respondent) or a list of them; a matrix
    question's object ``{"matrix": {"item id": answer}}`` gives its rows.

    Raises:
        InputError: the extra is missing, the file cannot be read, or it has
            no header (Excel: an empty first row, a repeated or blank column name).
    """
    suffix = path.suffix.lower()
    name = str(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".json":
        return _read_json(path)
    pyreadstat = _module("pyreadstat")
    reader = pyreadstat.read_dta if suffix == ".dta" else pyreadstat.read_sav
    try:
        # user_missing=False (the default, said out loud): SPSS user-missing
        # codes and Stata's .a-.z come back as missing, never as numbers
        frame, _meta = reader(str(path), apply_value_formats=False, user_missing=False)
    except (OSError, pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as exc:
        raise InputError(f"cannot read {name!r}: {exc}") from exc
    return pyarrow().Table.from_pandas(frame, preserve_index=False)


def _flat(row: dict[str, Any], name: str, n: int) -> dict[str, Any]:
    """One respondent's answers with a matrix question's rows as answers of their own.

    SurveyJS keeps a matrix's answers in an object under the question's name
    (``{"q1": {"pr1": 4, "pr2": 2}}``); each row is an item.

    Raises:
        InputError: a row's id is also a question's name (or another matrix's row).
    """
    if not any(isinstance(v, dict) for v in row.values()):
        return row
    out: dict[str, Any] = {}
    where: dict[str, str] = {}
    for key, value in row.items():
        entries = value.items() if isinstance(value, dict) else [(key, value)]
        for column, answer in entries:
            said = f"row {column!r} of matrix {key!r}" if isinstance(value, dict) else f"{key!r}"
            if column in out:
                raise InputError(
                    f"{name}: respondent {n} answers {column!r} twice ({where[column]} and "
                    f"{said}); give each item one answer"
                )
            out[column] = answer
            where[column] = said
    return out


def _read_json(path: Path) -> Any:  # noqa: ANN401 - a pyarrow Table
    """Answers as JSON: an object per respondent (SurveyJS's results), or a list of them."""
    name = str(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise InputError(f"cannot read {name!r}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{name}: not valid JSON ({exc})") from exc
    rows = [data] if isinstance(data, dict) else data
    if not isinstance(rows, list) or not rows:
        raise InputError(
            f"{name}: answers in JSON are an object {{item id: answer}} per respondent, "
            "or a list of them"
        )
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise InputError(
                f"{name}: respondent {n} is a {type(row).__name__}, not an object "
                "{item id: answer}"
            )
    rows = [_flat(row, name, n) for n, row in enumerate(rows, start=1)]
    pa = pyarrow()
    columns = list(dict.fromkeys(key for row in rows for key in row))
    try:
        # a question a respondent did not answer is missing from SurveyJS's results
        return pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows])
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise InputError(f"{name}: the answers cannot be read as a table: {exc}") from exc


def read_long(  # noqa: PLR0913 - the file, the rubric, then each column's name
    path: Path,
    rubric: Rubric,
    na_values: Sequence[str],
    *,
    id: str = "id",  # noqa: A002 - the column's everyday name
    item: str = "item",
    response: str = "response",
    rater: str | None = None,
) -> Any:  # noqa: ANN401 - a pyarrow Table
    """A long-format file (CSV, Parquet, SPSS, Stata, Excel) as the wide pyarrow table to score.

    Raises:
        InputError: the file cannot be read, or :func:`mgrlead.io.long.from_long`
            refuses its rows (the message names the file).
    """
    from mgrlead.io.long import from_long  # noqa: PLC0415

    pa = pyarrow()
    name = str(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(f"cannot read {name!r}: No such file or directory")
    try:
        if suffix in READ_SUFFIXES:
            table = read_arrow(path)
        elif suffix == ".parquet":
            table = pa.parquet.read_table(path)
        else:
            options = pa.csv.ConvertOptions(null_values=list(na_values), strings_can_be_null=True)
            table = pa.csv.read_csv(path, convert_options=options)
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"cannot read {name!r}: {exc}") from exc
    try:
        return from_long(table, id=id, item=item, response=response, rater=rater, rubric=rubric)
    except ColumnError as exc:  # the file named; its parts kept for a caller's own words
        raise ColumnError(exc.problem, fix=exc.fix, row=exc.row, argument=exc.argument,
                          data=name) from exc  # fmt: skip
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from exc


def _read_xlsx(path: Path) -> Any:  # noqa: ANN401
    openpyxl = _module("openpyxl")
    name = str(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:  # not a workbook
        raise InputError(f"cannot read {name!r}: not an Excel workbook ({exc})") from exc
    try:
        sheet = book["answers"] if "answers" in book.sheetnames else book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    if not rows or all(v is None for v in rows[0]):
        raise InputError(f"{name}: sheet {sheet.title!r} is empty; it needs a header row")
    header = list(rows[0])
    while header and header[-1] is None:
        header.pop()
    blank = [n for n, h in enumerate(header, start=1) if h is None or str(h).strip() == ""]
    if blank:
        raise InputError(
            f"{name}: column {blank[0]} of sheet {sheet.title!r} has no name; name every column"
        )
    names = [str(h) for h in header]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"{name}: sheet {sheet.title!r} repeats column {twice[0]!r}")
    pa = pyarrow()
    data = [r for r in rows[1:] if any(v is not None for v in r)]
    columns = {}
    for j, column in enumerate(names):
        values = [r[j] if j < len(r) else None for r in data]
        try:
            columns[column] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed kinds: as text, checked later
            columns[column] = pa.array([None if v is None else str(v) for v in values])
    return pa.table(columns)


def variable_names(names: Sequence[str], suffix: str) -> dict[str, str]:
    """Each column's name in an SPSS (``.sav``) or Stata (``.dta``) file.

    Valid names are kept.  Others: every character but ASCII letters, digits
    and ``_`` becomes ``_``; a name not starting with a letter gets ``v``
    in front; a reserved word gets ``_`` after it; a name too long (SPSS 64,
    Stata 32) is cut; a name equal to an earlier one (SPSS: ignoring case)
    gets ``_2``, ``_3``, ... -- the same names always give the same result.
    """
    limit = _NAME_LENGTH[suffix]
    reserved = _RESERVED[suffix]
    taken: set[str] = set()
    out: dict[str, str] = {}
    for original in names:
        name = _INVALID.sub("_", original)
        if not name or not name[0].isalpha():
            name = "v" + name
        if name.lower() in reserved:
            name += "_"
        name = name[:limit]
        base, n = name, 1
        while name.lower() in taken:
            n += 1
            tail = f"_{n}"
            name = base[: limit - len(tail)] + tail
        taken.add(name.lower())
        out[original] = name
    return out


def _labels(
    rubric: Rubric, dimension_ids: Sequence[str], columns: Sequence[str]
) -> tuple[dict[str, str], dict[str, dict[int, str]], dict[str, list[str]]]:
    """Variable labels, value labels, and the band ids in code order of each band column."""
    from mgrlead.results import CARELESS_METRICS  # noqa: PLC0415

    labels: dict[str, str] = {}
    values: dict[str, dict[int, str]] = {}
    bands: dict[str, list[str]] = {}
    for item in rubric.items:
        if item.id in columns:
            labels[item.id] = item.text
            scale = rubric.item_scale(item)
            if scale.labels and len(scale.labels) == scale.max - scale.min + 1:
                values[item.id] = {scale.min + k: text for k, text in enumerate(scale.labels)}
    names = {}
    by_id = {d.id: d for d in rubric.walk()}
    for dim_id in dimension_ids:
        found = by_id.get(dim_id)
        names[dim_id] = (found.name if found is not None else "") or dim_id
    names["overall"] = "Overall"
    names["careless"] = "Careless responding"
    for column in columns:
        for owner, title in names.items():
            prefix = owner + "_"
            if column.startswith(prefix) and column not in labels:
                metric = column[len(prefix) :]
                if owner == "careless" and metric not in {m.name for m in CARELESS_METRICS}:
                    continue
                labels[column] = f"{title}: {metric}"
                if metric == "band":
                    owned = by_id.get(owner)
                    order = rubric.bands_of(owned) if owned is not None else rubric.bands
                    bands[column] = [b.id for b in order]
                    values[column] = {k + 1: b.label for k, b in enumerate(order)}
    return labels, values, bands


def write_scores(  # noqa: PLR0913 - the file, the tables, and what labels them
    path: str | Path,
    scores: Any,  # noqa: ANN401
    rubric: Rubric,
    dimension_ids: Sequence[str],
    *,
    answers: Any = None,  # noqa: ANN401
    provenance: Mapping[str, Any] | None = None,
) -> None:
    """Write scores (and answers) to ``.sav``, ``.dta``, ``.rds`` or ``.xlsx``, by extension.

    Args:
        path: The file to write (atomically).
        scores: The score frame (pandas, polars, pyarrow or a mapping of columns).
        rubric: The rubric it was scored with (item texts, names, labels).
        dimension_ids: The dimensions scored (``ScoringPlan.dimension_ids``).
        answers: The answers, to write as well: SPSS, Stata and R files put
            the item columns after the score columns' id columns; Excel gives
            them a sheet of their own.
        provenance: Rubric id, version, content hash, mgrlead version, options:
            an SPSS file note (and the file label), a Stata data label (rubric,
            version and the start of the content hash: 80 characters), an
            Excel sheet; an ``.rds`` data frame has no place for it.

    Raises:
        InputError: an unknown extension, a missing extra, a band column with a
            band the rubric does not have.
    """
    import narwhals as nw  # noqa: PLC0415

    from mgrlead.io.files import atomic_open  # noqa: PLC0415

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITE_SUFFIXES:
        raise InputError(f"cannot write {path.name!r}: use {', '.join(WRITE_SUFFIXES)}")
    score_frame = nw.from_native(scores, eager_only=True).to_pandas() if not isinstance(
        scores, Mapping
    ) else _pandas(scores)  # fmt: skip
    answer_frame = None
    if answers is not None:
        answer_frame = (
            _pandas(answers)
            if isinstance(answers, Mapping)
            else nw.from_native(answers, eager_only=True).to_pandas()
        )
    provenance = dict(provenance or {})
    if suffix == ".xlsx":
        _write_xlsx(path, score_frame, answer_frame, provenance)
        return
    frame = score_frame
    if answer_frame is not None:
        items = [c for c in answer_frame.columns if c not in frame.columns]
        frame = frame.join(answer_frame[items].reset_index(drop=True))
    if suffix == ".rds":
        pyreadr = _module("pyreadr")
        with atomic_open(path, "wb") as out:  # written by name: the same file, not yet renamed
            pyreadr.write_rds(out.name, frame)
        return
    _write_labelled(path, frame, rubric, dimension_ids, provenance)


def _pandas(columns: Mapping[str, Any]) -> Any:  # noqa: ANN401
    pd = _module("pandas")

    return pd.DataFrame({str(k): list(v) for k, v in columns.items()})


def _write_labelled(
    path: Path,
    frame: Any,  # noqa: ANN401 - pandas
    rubric: Rubric,
    dimension_ids: Sequence[str],
    provenance: Mapping[str, Any],
) -> None:
    pd = _module("pandas")

    from mgrlead.io.files import atomic_open  # noqa: PLC0415

    pyreadstat = _module("pyreadstat")
    suffix = path.suffix.lower()
    frame = frame.copy()
    labels, values, bands = _labels(rubric, dimension_ids, list(frame.columns))
    for column, order in bands.items():
        codes = {band: k + 1 for k, band in enumerate(order)}
        unknown = sorted({str(v) for v in frame[column].dropna() if v not in codes})
        if unknown:
            raise InputError(
                f"column {column!r} holds band {unknown[0]!r}, which the rubric's bands "
                f"({', '.join(order)}) do not have"
            )
        frame[column] = pd.array(
            [None if pd.isna(v) else codes[v] for v in frame[column]], dtype="Float64"
        ).astype("float64")
    for column in frame.columns:
        if frame[column].dtype == bool:
            frame[column] = frame[column].astype("int64")
    renamed = variable_names([str(c) for c in frame.columns], suffix)
    limit = _LABEL_LENGTH[suffix]
    column_labels: dict[str, str] = {}
    for original, name in renamed.items():
        label = labels.get(original, "")
        if name != original:
            label = f"{original}: {label}" if label else original
        column_labels[name] = label[:limit]
    value_labels = {renamed[c]: v for c, v in values.items() if c in renamed}
    if suffix == ".dta":
        value_labels = {c: {k: t[:32000] for k, t in v.items()} for c, v in value_labels.items()}
    frame = frame.rename(columns=renamed)
    text = "mgrlead " + json.dumps(provenance, ensure_ascii=False, default=str)
    note = [text[k : k + 80] for k in range(0, len(text), 80)]  # SPSS notes: lines of 80
    with (
        atomic_open(path, "wb") as out,  # written by name: the same file, not yet renamed
        _refused(path, pyreadstat.ReadstatError, pyreadstat.PyreadstatError),
    ):
        if suffix == ".sav":
            pyreadstat.write_sav(
                frame, out.name, column_labels=column_labels, variable_value_labels=value_labels,
                note=note, file_label=_file_label(provenance, 64),
            )  # fmt: skip
        else:
            pyreadstat.write_dta(
                frame, out.name, column_labels=column_labels, variable_value_labels=value_labels,
                file_label=_file_label(provenance, 80),
            )  # fmt: skip


@contextlib.contextmanager
def _refused(path: Path, *errors: type[BaseException]) -> Iterator[None]:
    """A writer's own error as an :class:`InputError` naming the file."""
    try:
        yield
    except errors as exc:
        raise InputError(f"cannot write {str(path)!r}: {exc}") from exc


#: The shortest start of a content hash a file label carries (``sha256:`` and 12 digits).
_SHORTEST_HASH: Final = 19


def _file_label(provenance: Mapping[str, Any], limit: int) -> str:
    """``mgrlead scores: <rubric> <version> <content hash>``, at most ``limit`` characters.

    The content hash is cut to fit (its start identifies the rubric's scoring
    content; an SPSS file's note holds it whole), and left out when not even
    its first 12 digits fit.
    """
    parts = [str(provenance[k]) for k in ("rubric", "rubric_version") if k in provenance]
    label = "mgrlead scores" + (": " + " ".join(parts) if parts else "")
    digest = str(provenance.get("content_hash", ""))
    room = limit - len(label) - 1
    if digest and room >= min(_SHORTEST_HASH, len(digest)):
        label += " " + digest[:room]
    return label[:limit]


def _write_xlsx(
    path: Path,
    scores: Any,  # noqa: ANN401 - pandas
    answers: Any,  # noqa: ANN401 - pandas or None
    provenance: Mapping[str, Any],
) -> None:
    import math  # noqa: PLC0415

    from mgrlead.io.files import atomic_open  # noqa: PLC0415

    openpyxl = _module("openpyxl")
    book = openpyxl.Workbook()
    sheets = [("scores", scores)] + ([("answers", answers)] if answers is not None else [])
    first = True
    for title, frame in sheets:
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = title
        sheet.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            sheet.append([_cell(v, math) for v in row])
    sheet = book.create_sheet("provenance")
    sheet.append(["field", "value"])
    for key, value in provenance.items():
        shown = value if isinstance(value, (str, int, float)) else json.dumps(value, default=str)
        sheet.append([key, shown])
    with atomic_open(path, "wb") as out:
        book.save(out)


def _cell(value: object, math: Any) -> object:  # noqa: ANN401
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value.__class__.__name__ in {"NAType", "NaTType"}:
        return None
    return value
