"""Fuzzing (issue 15): rubric documents in all three formats, answers, frames and files.

Whatever hypothesis generates, mgrlead either accepts it or refuses it with a
:class:`mgrlead.MgrleadError`: no other exception, and nothing accepted that
should not be (an unknown key, an answer off the scale, a cell that is not a
number).  The default run tries a few hundred inputs; ``pytest -m slow`` tries
more than 10,000, each within a second (hypothesis' deadline, only there).
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mgrlead
from mgrlead.api import scoring_plan
from mgrlead.io.serialize import dump_rubric, dump_text, load_rubric_text
from mgrlead.io.stream import stream_score

ML = mgrlead.load_rubric("manager-leader")
DOCUMENT = json.loads(dump_rubric(ML, "json"))
FORMATS = ("json", "toml", "yaml")

LEAN = settings(max_examples=40, suppress_health_check=list(HealthCheck))
#: the slow run: 2,500 inputs per target, four targets, each within a second
SLOW = settings(max_examples=2_500, deadline=1_000, suppress_health_check=list(HealthCheck))

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
    st.text(max_size=12), st.sampled_from(["", "mean", "leader", "hi", "-1", "1e309"]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


def _is_a_message(exc: Exception) -> None:
    """A refusal says something, in a line or a few, not a dump of the input."""
    text = str(exc)
    assert text.strip()
    assert len(text) < 20_000
    assert "unknown error" not in text  # cattrs' fallback for a failure it cannot name


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a document a value sits (keys of mappings, indices of lists)."""
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for k, value in enumerate(data):
            out += _paths(value, (*prefix, k))
    return out


PATHS = [p for p in _paths(DOCUMENT) if p]


def _edit(document: Any, path: tuple[Any, ...], action: str, value: Any) -> Any:
    data = json.loads(json.dumps(document))
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = value
    elif action == "unknown key":
        target = parent[last] if isinstance(parent[last], dict) else data
        target["no_such_field_xyz"] = value
    return data


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, str, bool]:
    """A rubric document with a few edits: its text, format, and whether it must be refused."""
    data: Any = DOCUMENT
    must_refuse = False
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["delete", "replace", "replace", "unknown key"]))
        data = _edit(data, path, action, draw(values))
        must_refuse |= action == "unknown key"
    fmt = draw(st.sampled_from(FORMATS))
    try:
        text = dump_text(data, fmt)
    except (TypeError, ValueError):  # TOML cannot hold None, ...: the JSON text, as TOML
        text = json.dumps(data)
    if draw(st.integers(0, 9)) == 0:  # now and then, the text itself damaged
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.text(max_size=8)) + text[cut + 3 :]
    return text, fmt, must_refuse


def _rubric_document(case: tuple[str, str, bool]) -> None:
    text, fmt, must_refuse = case
    try:
        rubric = load_rubric_text(text, fmt=fmt)
    except mgrlead.MgrleadError as exc:
        _is_a_message(exc)
        return
    assert not must_refuse, "an unknown key was accepted"
    profile = mgrlead.score(rubric, {})  # whatever loads, scores (nothing answered)
    assert profile.overall is not None


answers = st.dictionaries(
    st.one_of(st.sampled_from(ML.item_ids), st.text(max_size=5), st.integers()),
    st.one_of(
        scalars,
        st.integers(0, 6),
        st.just(math.nan),
        st.complex_numbers(),
        st.sampled_from([np.int64(3), np.float32(2.0), np.True_, "3"]),
    ),
    max_size=26,
)


def _valid(value: object) -> bool:
    """Whether an answer is one the built-in rubric takes: 1..5 whole, or not answered."""
    if value is None:
        return True
    if isinstance(value, (bool, np.bool_, str, complex)):
        return False
    number = float(value)  # type: ignore[arg-type]
    return math.isnan(number) or (number.is_integer() and 1 <= number <= 5)


def _answers(given_answers: dict[Any, Any]) -> None:
    try:
        profile = mgrlead.score(ML, given_answers)
    except mgrlead.MgrleadError as exc:
        _is_a_message(exc)
        return
    # accepted: then every key was an item and every value an answer on the scale
    assert set(given_answers) <= set(ML.item_ids)
    assert all(_valid(v) for v in given_answers.values())
    assert profile.overall is not None


cells = st.one_of(st.integers(-3, 9), st.floats(), st.none(), st.text(max_size=3),
                  st.booleans())  # fmt: skip


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 6))
    columns = draw(st.lists(st.sampled_from([*ML.item_ids, "id", "x"]), max_size=30))
    data: dict[str, Any] = {}
    for name in [*ML.item_ids[: draw(st.integers(0, 24))], *columns]:
        kind = draw(st.sampled_from(["int", "float", "object", "Int64", "category", "str"]))
        column = draw(st.lists(cells, min_size=n, max_size=n))
        try:
            if kind == "int":
                data[name] = pd.Series([draw(st.integers(-3, 9)) for _ in range(n)],
                                       dtype="int64")  # fmt: skip
            elif kind == "float":
                data[name] = pd.Series([draw(st.floats()) for _ in range(n)], dtype=float)
            elif kind == "Int64":
                data[name] = pd.array([draw(st.none() | st.integers(0, 6)) for _ in range(n)],
                                      dtype="Int64")  # fmt: skip
            elif kind == "category":
                data[name] = pd.Categorical([draw(st.integers(1, 5)) for _ in range(n)])
            elif kind == "str":
                data[name] = pd.Series([str(c) for c in column], dtype=object)
            else:
                data[name] = pd.Series(column, dtype=object)
        except (TypeError, ValueError):
            continue
    return pd.DataFrame(data)


def _frame(frame: pd.DataFrame) -> None:
    try:
        scores = mgrlead.score_frame(ML, frame)
    except mgrlead.MgrleadError as exc:
        _is_a_message(exc)
        return
    assert len(scores) == len(frame)
    for item in ML.item_ids:  # accepted: every cell an answer, or missing
        assert all(_valid(None if pd.isna(v) else v) for v in frame[item].tolist())


@st.composite
def files(draw: st.DrawFn) -> bytes:
    header = draw(st.lists(st.sampled_from([*ML.item_ids, "id", ""]), min_size=0, max_size=28))
    if draw(st.booleans()):
        header = list(dict.fromkeys([*ML.item_ids, *header]))
    rows = [",".join(header)]
    for _ in range(draw(st.integers(0, 5))):
        width = len(header) + draw(st.sampled_from([0, 0, 0, -1, 1]))
        row = [draw(st.sampled_from(["1", "3", "5", "", "NA", "7", "x", " 2 ", "3.0", "2.5",
                                     "1e3", '"4"', "-1"])) for _ in range(width)]  # fmt: skip
        rows.append(",".join(row))
    text = "\n".join(rows)
    if draw(st.integers(0, 9)) == 0:
        text += draw(st.text(max_size=10))
    return text.encode("utf-8", "surrogatepass") if draw(st.booleans()) else text.encode()


def _file(content: bytes, folder: Path) -> None:
    path = folder / "fuzz.csv"
    path.write_bytes(content)
    out = io.StringIO()
    out.buffer = io.BytesIO()  # type: ignore[misc]
    for on_error in ("fail", "skip"):
        _stream(path, out, on_error)


def _stream(path: Path, out: Any, on_error: str) -> None:
    try:
        stream_score(scoring_plan(ML), path, out, na_values=["", "NA"], on_error=on_error,
                     skipped_path=path.with_name("skipped.csv"))  # fmt: skip
    except mgrlead.MgrleadError as exc:
        _is_a_message(exc)


@LEAN
@given(documents())
def test_rubric_documents(case: tuple[str, str, bool]) -> None:
    _rubric_document(case)


@LEAN
@given(answers)
def test_answers(given_answers: dict[Any, Any]) -> None:
    _answers(given_answers)


@LEAN
@given(frames())
def test_frames(frame: pd.DataFrame) -> None:
    _frame(frame)


@LEAN
@given(content=files())
def test_files(content: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    _file(content, tmp_path_factory.mktemp("fuzz"))


@pytest.mark.slow
@SLOW
@given(documents())
def test_rubric_documents_slow(case: tuple[str, str, bool]) -> None:
    _rubric_document(case)


@pytest.mark.slow
@SLOW
@given(answers)
def test_answers_slow(given_answers: dict[Any, Any]) -> None:
    _answers(given_answers)


@pytest.mark.slow
@SLOW
@given(frames())
def test_frames_slow(frame: pd.DataFrame) -> None:
    _frame(frame)


@pytest.mark.slow
@SLOW
@given(content=files())
def test_files_slow(content: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    _file(content, tmp_path_factory.mktemp("fuzz"))
