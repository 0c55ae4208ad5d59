"""Streaming files: chunks, line numbers across chunks, bad rows skipped, Parquet, atomic output."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import mgrlead
from mgrlead.api import scoring_plan
from mgrlead.cli import cli
from mgrlead.io import stream

ML = mgrlead.load_rubric("manager-leader")


def _big(tmp_path: Path, rows: int, bad_line: int | None = None) -> Path:
    rng = np.random.default_rng(3)
    data = rng.integers(1, 6, size=(rows, 24)).astype(object)
    data[rng.random(size=data.shape) < 0.02] = ""
    path = tmp_path / "big.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", *ML.item_ids])
        for n in range(rows):
            row = [f"p{n}", *data[n]]
            if bad_line is not None and n + 2 == bad_line:
                row[2] = "9"  # pr2
            w.writerow(row)
    return path


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "CHUNK_ROWS", 1000)
    monkeypatch.setattr(stream, "CSV_BLOCK_BYTES", 16_384)  # about 300 rows


def test_streamed_scores_equal_the_in_memory_scores(tmp_path: Path) -> None:
    path = _big(tmp_path, 3000)
    out = tmp_path / "scores.csv"
    done = CliRunner().invoke(cli, ["score", str(path), "-o", str(out)])
    assert done.exit_code == 0, done.output
    streamed = pd.read_csv(out, keep_default_na=False, na_values=[""])
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    expected = mgrlead.score_frame(ML, frame)
    assert len(streamed) == 3000
    for column in ("overall_percent", "process_results_score", "careless_irv"):
        a = streamed[column].to_numpy(float)
        b = expected[column].to_numpy(float)
        assert np.array_equal(np.isnan(a), np.isnan(b))
        assert np.array_equal(a[~np.isnan(a)], b[~np.isnan(b)])  # exact: floats written in full
    assert list(streamed["id"][:2]) == ["p0", "p1"]


def test_bad_row_line_number_across_chunks(tmp_path: Path) -> None:
    path = _big(tmp_path, 200_000, bad_line=150_002)
    out = tmp_path / "scores.csv"
    done = CliRunner().invoke(cli, ["score", str(path), "-o", str(out)])
    assert done.exit_code == 2
    assert "line 150002: item 'pr2': 9 is outside the scale 1..5" in done.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["big.csv"]  # no partial output


def test_skip_bad_rows_to_a_side_file(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    rows = [["id", *ML.item_ids], ["a", *["3"] * 24], ["b", "4", "x", *["3"] * 22],
            ["c", "1", "2"], ["d", *["5"] * 24]]  # fmt: skip
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", "utf-8")
    out = tmp_path / "out.json"
    done = CliRunner().invoke(
        cli, ["score", str(path), "--on-error", "skip", "--format", "json", "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    scored = json.loads(out.read_text())
    assert [r["id"] for r in scored] == ["a", "d"]
    assert "skipped 2 bad rows" in done.stderr
    with (tmp_path / "r.skipped.csv").open() as f:
        side = list(csv.DictReader(f))
    assert [r["line"] for r in side] == ["4", "3"] or [r["line"] for r in side] == ["3", "4"]
    errors = " ".join(r["error"] for r in side)
    assert "line 3, column 'pr2': 'x' is not a number" in errors
    assert "line 4: 3 cells but the header has 25" in errors


def test_parquet_in_and_out(tmp_path: Path, small_chunks: None) -> None:
    path = _big(tmp_path, 2500)
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    source = tmp_path / "answers.parquet"
    frame.to_parquet(source)
    out = tmp_path / "scores.parquet"
    done = CliRunner().invoke(cli, ["score", str(source), "--format", "parquet", "-o", str(out)])
    assert done.exit_code == 0, done.output
    table = mgrlead.ScoreTable.read(out)
    expected = mgrlead.score_frame(ML, frame)
    assert len(table) == 2500
    got = np.array([np.nan if v is None else v for v in table.columns["overall_percent"]])
    want = expected["overall_percent"].to_numpy(float)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.allclose(got[~np.isnan(got)], want[~np.isnan(want)], rtol=0, atol=0)
    assert table.content_hash == scoring_plan(ML).content_hash


def test_json_across_chunks_is_one_valid_document(tmp_path: Path, small_chunks: None) -> None:
    path = _big(tmp_path, 2500)
    done = CliRunner().invoke(cli, ["score", str(path), "--format", "json"])
    assert done.exit_code == 0
    assert len(json.loads(done.stdout)) == 2500


def test_count_lines_estimates_rows(tmp_path: Path) -> None:
    path = _big(tmp_path, 5000)
    estimate = stream.count_lines(path)
    assert estimate is not None
    assert 4000 < estimate < 6000


_INTERRUPT = """
import os, signal, sys
from mgrlead.io import stream
stream.CHUNK_ROWS = 1000
stream.CSV_BLOCK_BYTES = 16_384
original, calls = stream.score_matrix, [0]
def interrupted(*args, **kwargs):
    calls[0] += 1
    if calls[0] == 3:  # mid-run: rows written to the output and to the side file
        os.kill(os.getpid(), signal.{signal})
    return original(*args, **kwargs)
stream.score_matrix = interrupted
from mgrlead.cli import main
sys.argv = ["mgrlead", "score", {source!r}, "-o", {out!r}, "--on-error", "skip"]
main()
"""


@pytest.mark.parametrize(("name", "status"), [("SIGTERM", 143), ("SIGINT", 130)])
def test_an_interrupted_run_leaves_earlier_files_and_no_temporary_ones(
    tmp_path: Path, name: str, status: int
) -> None:
    # were: SIGTERM left a 146 MB temporary file and truncated the old side file to 0
    # bytes; SIGINT replaced the side file with a partial one
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    source = _big(tmp_path, 20_000)
    text = source.read_text().splitlines()
    for k in range(1, len(text), 997):  # a bad row in every chunk
        text[k] = text[k].rsplit(",", 1)[0] + ",7"
    source.write_text("\n".join(text) + "\n")
    out = tmp_path / "scores.csv"
    side = tmp_path / "big.skipped.csv"
    out.write_text("earlier scores\n")
    side.write_text("earlier skipped rows\n")
    code = _INTERRUPT.format(signal=name, source=str(source), out=str(out))
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr
    who = "SIGTERM" if name == "SIGTERM" else "Ctrl-C"
    expected = (
        f"mgrlead: stopped by {who}; files being written were removed, existing files left "
        "as they were"
    )
    assert done.stderr.strip().splitlines() == [expected]
    assert out.read_text() == "earlier scores\n"
    assert side.read_text() == "earlier skipped rows\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv", "big.skipped.csv",
                                                          "scores.csv"]  # fmt: skip


def test_line_numbers_after_malformed_and_blank_lines(tmp_path: Path) -> None:
    # were: a bad cell after a skipped malformed line was reported one line early, and
    # a malformed line after a blank one was numbered as pyarrow counts (blanks left out)
    good = ",".join(["3"] * 24)
    lines = [",".join(ML.item_ids), good, "3,3", "", good, "3,3", good,
             ",".join(["7", *["3"] * 23])]  # fmt: skip
    path = tmp_path / "r.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    done = CliRunner().invoke(
        cli, ["score", str(path), "--on-error", "skip", "-o", str(tmp_path / "out.csv")]
    )
    assert done.exit_code == 0, done.output
    with (tmp_path / "r.skipped.csv").open() as f:
        side = list(csv.DictReader(f))
    assert [r["line"] for r in side] == ["3", "6", "8"]
    assert "line 6: 2 cells" in side[1]["error"]
    assert "line 8: item 'pr1': 7 is outside" in side[2]["error"]
    assert lines[5] == "3,3"
    assert lines[7].startswith("7,")
    done = CliRunner().invoke(cli, ["score", str(path), "-o", str(tmp_path / "out.csv")])
    assert done.exit_code == 2
    assert "line 3: 2 cells but the header has 24" in done.stderr


def test_a_command_puts_back_the_sigterm_handler_it_found() -> None:
    import signal  # noqa: PLC0415

    def mine(_signum: int, _frame: object) -> None:
        return None

    before = signal.signal(signal.SIGTERM, mine)
    try:
        done = CliRunner().invoke(cli, ["rubric", "show", "manager-leader"])
        assert done.exit_code == 0, done.output
        assert signal.getsignal(signal.SIGTERM) is mine
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # ignored by choice: stays ignored
        CliRunner().invoke(cli, ["rubric", "show", "manager-leader"])
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, before)


_CELLS = st.one_of(
    st.sampled_from(
        [
            "1",
            "3",
            "5",
            "05",
            "007",
            "9",
            "0",
            "3.0",
            "+3",
            "-3",
            " 3",
            "3 ",
            "0x3",
            "1e0",
            "nan",
            "inf",
            "\u0663",
            "\uff13",
            "x",
            "",
            "99999999999999999999",
        ]
    ),
    st.text(alphabet="0123456789 +-.xe", max_size=4),
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(_CELLS, min_size=3, max_size=3), min_size=1, max_size=6))
def test_text_cells_of_digits_only_read_as_the_full_check_reads_them(
    rows: list[list[str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Item columns of plain digits skip the trim-and-match check (issue 21, goal 4):
    # the fast path must accept, refuse and word exactly what the full check does.
    rubric = mgrlead.Rubric.from_keys({"s": ["a", "-b", "c"]}, min=1, max=5)
    plan = scoring_plan(rubric)
    path = tmp_path_factory.mktemp("cells") / "cells.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["a", "b", "c"])
        w.writerows(rows)
    _, batches = stream._batches(path, [""], lambda _row: "skip")
    batch = next(iter(batches))
    fast = stream._item_matrix(plan, batch, 0, "cells.csv", stream._Lines(path))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(stream, "_plain_digits", lambda *_: None)
        full = stream._item_matrix(plan, batch, 0, "cells.csv", stream._Lines(path))
    np.testing.assert_array_equal(fast[0], full[0])
    np.testing.assert_array_equal(fast[1], full[1])
    assert fast[2] == full[2]
