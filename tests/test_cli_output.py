"""What the command line writes and shows: file modes, formats, inputs kept, terminal views."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pyarrow.parquet as pq
import pytest

import mgrlead
from mgrlead.cli.score_view import MAX_SHOWN
from mgrlead.io import files

from .helpers import one_line_error, run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "responses.csv"
ML = mgrlead.load_rubric("manager-leader")
DIMS = [d.id for d in ML.walk()]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


# ----------------------------------------------------------------- item 2: modes, fsync
@pytest.mark.usefixtures("umask")
class TestFileModes:
    """Files written with -o get the mode open() gives them, not mkstemp's 0600."""

    @pytest.mark.parametrize(
        ("name", "command"),
        [
            ("out.csv", ("score", str(EXAMPLE), "-o", "{out}")),
            ("out.json", ("score", str(EXAMPLE), "-o", "{out}")),
            ("out.toml", ("rubric", "export", "-o", "{out}")),
            ("out.json", ("rubric", "schema", "-o", "{out}")),
        ],
    )
    @pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
    def test_a_new_file_follows_the_umask(
        self, tmp_path: Path, name: str, command: tuple[str, ...], mask: int, expected: int
    ) -> None:
        out = tmp_path / name
        os.umask(mask)
        result = run(*(part.format(out=out) for part in command))
        assert result.exit_code == 0, result.output
        assert mode(out) == expected

    @pytest.mark.parametrize("existing", [0o644, 0o640, 0o600, 0o664])
    def test_a_file_written_over_keeps_its_mode(self, tmp_path: Path, existing: int) -> None:
        out = tmp_path / "scores.csv"
        out.write_text("old\n")
        out.chmod(existing)
        os.umask(0o077)  # the umask does not apply to a file that exists
        result = run("score", str(EXAMPLE), "-o", str(out))
        assert result.exit_code == 0, result.output
        assert mode(out) == existing
        assert out.read_text().startswith('"respondent",')

    def test_parquet_and_binary_files_too(self, tmp_path: Path) -> None:
        out = tmp_path / "scores.parquet"
        result = run("score", str(EXAMPLE), "-o", str(out), "--format", "parquet")
        assert result.exit_code == 0, result.output
        assert mode(out) == 0o644
        with files.atomic_open(tmp_path / "chart.png", "wb") as f:
            f.write(b"\x89PNG")
        assert mode(tmp_path / "chart.png") == 0o644

    def test_a_symbolic_link_is_written_through(self, tmp_path: Path) -> None:
        real = tmp_path / "real.csv"
        real.write_text("old\n")
        real.chmod(0o640)
        link = tmp_path / "link.csv"
        link.symlink_to(real.name)
        result = run("score", str(EXAMPLE), "-o", str(link))
        assert result.exit_code == 0, result.output
        assert link.is_symlink()
        assert real.read_text().startswith('"respondent",')
        assert mode(real) == 0o640
        assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]

    def test_a_fifo_or_device_is_written_in_place_not_replaced(self, tmp_path: Path) -> None:
        # was: a temporary file renamed over it (as root, even over /dev/null)
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        got: list[bytes] = []
        reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
        reader.start()
        try:
            result = run("score", str(EXAMPLE), "-o", str(fifo), "--format", "csv")
            reader.join(timeout=60)
        finally:
            if reader.is_alive():  # nothing was written to it: let the reader go
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        assert result.exit_code == 0, result.output
        assert stat.S_ISFIFO(fifo.stat().st_mode)
        assert got[0].startswith(b'"respondent","team"')
        assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]

    def test_data_is_synced_before_the_rename_and_the_folder_after(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        events: list[str] = []
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(fd: int) -> None:
            kind = "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
            events.append(f"fsync {kind}")
            real_fsync(fd)

        def replace(src: str | Path, dst: str | Path) -> None:
            assert Path(src).read_text() == "new\n"  # complete when renamed
            events.append("rename")
            real_replace(src, dst)

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)
        out = tmp_path / "out.csv"
        out.write_text("old\n")
        with files.atomic_open(out) as f:
            f.write("new\n")
        assert events == ["fsync file", "rename", "fsync folder"]
        assert out.read_text() == "new\n"

    def test_a_failed_sync_leaves_the_old_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def full(_fd: int) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fsync", full)
        out = tmp_path / "out.csv"
        out.write_text("old\n")
        with (
            pytest.raises(mgrlead.InputError, match="No space left on device"),
            files.atomic_open(out) as f,
        ):
            f.write("new\n")
        assert out.read_text() == "old\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


# ----------------------------------------------------------------- item 4: inputs kept
class TestInputsAreNeverOverwritten:
    """An output that is an input (by any path, link or hard link) is refused; nothing written."""

    @staticmethod
    def _answers(tmp_path: Path) -> Path:
        path = tmp_path / "same.csv"
        path.write_bytes(EXAMPLE.read_bytes())
        return path

    @pytest.mark.parametrize("spelling", ["same", "dotted", "absolute", "symlink", "hardlink"])
    def test_output_over_the_input(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
    ) -> None:
        answers = self._answers(tmp_path)
        monkeypatch.chdir(tmp_path)
        target = {
            "same": "same.csv",
            "dotted": "./sub/../same.csv",
            "absolute": str(answers),
        }.get(spelling, "other.csv")
        (tmp_path / "sub").mkdir()
        if spelling == "symlink":
            (tmp_path / "other.csv").symlink_to("same.csv")
        if spelling == "hardlink":
            (tmp_path / "other.csv").hardlink_to(answers)
        before = sorted(p.name for p in tmp_path.iterdir())
        line = one_line_error(run("score", "same.csv", "-o", target))
        assert "-o" in line
        assert "is the input file" in line
        assert answers.read_bytes() == EXAMPLE.read_bytes()
        assert sorted(p.name for p in tmp_path.iterdir()) == before

    def test_side_file_over_the_input_or_the_output(self, tmp_path: Path) -> None:
        answers = self._answers(tmp_path)
        line = one_line_error(
            run("score", str(answers), "--on-error", "skip", "--skipped", str(answers))
        )
        assert "--skipped" in line
        out = tmp_path / "out.csv"
        line = one_line_error(
            run("score", str(answers), "-o", str(out), "--on-error", "skip", "--skipped", str(out))
        )
        assert "are one file" in line
        # the default side file, same.skipped.csv, is also an output
        line = one_line_error(
            run(
                "score",
                str(answers),
                "--on-error",
                "skip",
                "-o",
                str(tmp_path / "same.skipped.csv"),
            )
        )
        assert "side file of skipped rows" in line
        assert answers.read_bytes() == EXAMPLE.read_bytes()
        assert not out.exists()

    def test_a_report_over_its_input(self, tmp_path: Path) -> None:
        answers = self._answers(tmp_path)
        line = one_line_error(run("report", str(answers), "-o", str(answers)))
        assert "-o" in line
        assert "is the input file" in line
        assert answers.read_bytes() == EXAMPLE.read_bytes()

    def test_output_over_the_rubric_or_norms_file(self, tmp_path: Path) -> None:
        answers = self._answers(tmp_path)
        rubric = tmp_path / "ml.toml"
        assert run("rubric", "export", "-o", str(rubric)).exit_code == 0
        text = rubric.read_text()
        line = one_line_error(
            run("score", str(answers), "--rubric", str(rubric), "-o", str(rubric))
        )
        assert "rubric file (--rubric)" in line
        line = one_line_error(run("rubric", "export", str(rubric), "-o", str(rubric)))
        assert "is the rubric file" in line
        norms = tmp_path / "norms.json"
        norms.write_text("{}")
        line = one_line_error(run("score", str(answers), "--norms", str(norms), "-o", str(norms)))
        assert "norm table (--norms)" in line
        assert rubric.read_text() == text
        assert norms.read_text() == "{}"


# ----------------------------------------------------------------- item 3: format from -o
class TestOutputFormatFollowsTheExtension:
    def test_json_and_parquet_by_extension(self, tmp_path: Path) -> None:
        frame = mgrlead.score_frame(ML, _example_frame())
        expected = [None if math.isnan(x) else x for x in frame["overall_percent"]]
        out = tmp_path / "s.json"
        assert run("score", str(EXAMPLE), "-o", str(out)).exit_code == 0
        records = json.loads(out.read_text())
        assert [r["overall_percent"] for r in records] == expected
        out = tmp_path / "S.PARQUET"  # the case of the extension does not matter
        assert run("score", str(EXAMPLE), "-o", str(out)).exit_code == 0
        table = pq.read_table(out)
        assert table.column("overall_percent").to_pylist() == expected
        assert b"mgrlead" in (table.schema.metadata or {})
        out = tmp_path / "s.csv"
        assert run("score", str(EXAMPLE), "-o", str(out)).exit_code == 0
        assert out.read_text().startswith('"respondent","team"')

    @pytest.mark.parametrize(("name", "fmt"), [("s.json", "csv"), ("s.csv", "parquet"),
                                               ("s.parquet", "json")])  # fmt: skip
    def test_a_contradiction_is_an_error(self, tmp_path: Path, name: str, fmt: str) -> None:
        out = tmp_path / name
        line = one_line_error(run("score", str(EXAMPLE), "-o", str(out), "--format", fmt))
        assert f"--format says {fmt}" in line
        assert not out.exists()

    @pytest.mark.parametrize("name", ["scores.txt", "scores", "scores.csv.gz"])
    def test_an_unknown_extension_needs_format(self, tmp_path: Path, name: str) -> None:
        out = tmp_path / name
        line = one_line_error(run("score", str(EXAMPLE), "-o", str(out)))
        assert ".csv, .json, .parquet" in line
        assert "--format" in line
        assert not out.exists()
        assert run("score", str(EXAMPLE), "-o", str(out), "--format", "json").exit_code == 0
        assert out.read_text().startswith("[")

    @pytest.mark.parametrize(("name", "fmt"), [("r.toml", "toml"), ("r.json", "json"),
                                               ("r.yaml", "yaml"), ("r.YML", "yaml")])  # fmt: skip
    def test_rubric_export_too(self, tmp_path: Path, name: str, fmt: str) -> None:
        out = tmp_path / name
        assert run("rubric", "export", "-o", str(out)).exit_code == 0
        assert out.read_text() == mgrlead.io.serialize.dump_rubric(ML, fmt)
        assert mgrlead.io.serialize.load_rubric_file(out) == ML
        line = one_line_error(
            run("rubric", "export", "-o", str(tmp_path / "r.json"), "--format", "yaml")
        )
        assert "--format says yaml" in line
        assert "--format toml|json|yaml" in one_line_error(
            run("rubric", "export", "-o", str(tmp_path / "r.txt"))
        )

    def test_format_agreeing_with_the_extension(self, tmp_path: Path) -> None:
        out = tmp_path / "s.json"
        assert run("score", str(EXAMPLE), "-o", str(out), "--format", "json").exit_code == 0
        assert out.read_text().startswith("[")


def _example_frame() -> dict[str, list[object]]:
    with EXAMPLE.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return {i: [int(r[i]) if r[i] not in {"", "NA"} else None for r in rows] for i in ML.item_ids}


# ----------------------------------------------------------------- item 10: terminal and pipes
def _mgrlead() -> list[str]:
    return [sys.executable, "-m", "mgrlead"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm-256color"
    return env


def _on_a_terminal(*args: str, columns: int = 160) -> str:
    """Run mgrlead with standard output on a real pseudo-terminal; what it showed."""
    child = pexpect.spawn(
        _mgrlead()[0], [*_mgrlead()[1:], *args], cwd=str(ROOT), env=_env(),
        dimensions=(60, columns), encoding="utf-8", timeout=120,
    )  # fmt: skip
    shown = child.read()
    child.close()
    assert child.exitstatus == 0, shown
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)  # colours and cursor moves


def _profiles() -> list[tuple[str, mgrlead.Profile]]:
    with EXAMPLE.open(newline="") as f:
        return [
            (r["respondent"], mgrlead.score(
                ML, {i: int(r[i]) if r[i] not in {"", "NA"} else None for i in ML.item_ids}
            ))
            for r in csv.DictReader(f)
        ]  # fmt: skip


class TestTerminalView:
    """`mgrlead score FILE` on a terminal: a table for people; in a pipe: the full CSV."""

    def test_a_terminal_gets_a_readable_table(self) -> None:
        shown = _on_a_terminal("score", "examples/responses.csv")
        lines = shown.splitlines()
        assert not re.search(r"\d\.\d{6,}", shown)  # no 17-digit floats
        assert '"respondent"' not in shown  # no CSV
        assert max(len(line) for line in lines) <= 160
        bands = {b.id: b.label for b in ML.bands}
        for who, profile in _profiles():
            row = next(line for line in lines if line.strip().startswith(who))
            for s in profile:
                if s.scorable:
                    assert f"{s.percent:.1f} {bands[s.band or '']}" in row
            if profile.overall.scorable:
                assert f"{profile.overall.percent:.1f} {bands[profile.overall.band or '']}" in row
            else:
                assert "not scored" in row
                unscored = [s for s in profile if not s.scorable]
                note = next(line for line in lines if line.strip().startswith(f"{who}:"))
                for s in unscored:
                    assert f"{s.dimension} not scored ({s.answered} of {s.n_items}" in note
        assert "20 respondents" in shown
        assert "Not shown: team, ca1" in shown

    def test_a_narrow_terminal_shortens_band_labels_with_a_legend(self) -> None:
        shown = _on_a_terminal("score", "examples/responses.csv", columns=80)
        assert max(len(line) for line in shown.splitlines()) <= 80
        assert "Bands: ML = Manager-leaning, B = Balanced, LL = Leader-leaning" in shown
        first = _profiles()[0][1]
        assert f"{first['process_results'].percent:.1f} B" in shown

    def test_round_and_metrics_on_a_terminal(self) -> None:
        shown = _on_a_terminal(
            "score", "examples/responses.csv", "--metrics", "percent,careless", "--round", "3"
        )
        who, profile = _profiles()[0]
        row = next(line for line in shown.splitlines() if line.strip().startswith(who))
        assert f"{profile['staff_counsel'].percent:.3f}" in row
        assert "careless_" in shown
        assert "Balanced" not in row

    def test_a_pipe_gets_the_full_csv(self) -> None:
        done = subprocess.run(  # noqa: S603 - our own command
            [*_mgrlead(), "score", "examples/responses.csv"], cwd=ROOT, env=_env(),
            capture_output=True, text=True, check=True, timeout=120,
        )  # fmt: skip
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        for row, (who, profile) in zip(rows, _profiles(), strict=True):
            assert row["respondent"] == who
            for s in profile:
                assert (float(row[f"{s.dimension}_percent"]) == s.percent) if s.scorable else True
        assert done.stderr == ""

    def test_round_and_metrics_in_a_pipe_and_in_files(self, tmp_path: Path) -> None:
        done = subprocess.run(  # noqa: S603 - our own command
            [*_mgrlead(), "score", "examples/responses.csv", "--metrics", "Percent",
             "--round", "2"], cwd=ROOT, env=_env(), capture_output=True, text=True,
            check=True, timeout=120,
        )  # fmt: skip
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        score_columns = [c for c in rows[0] if c.endswith("_percent")]
        assert list(rows[0]) == ["respondent", "team", *[f"ca{i}" for i in range(1, 7)],
                                 *score_columns]  # fmt: skip
        assert score_columns == [*(f"{d}_percent" for d in DIMS), "overall_percent"]
        for row, (_, profile) in zip(rows, _profiles(), strict=True):
            for s in profile:
                cell = row[f"{s.dimension}_percent"]
                assert float(cell) == round(s.percent, 2) if s.scorable else cell == ""
        out = tmp_path / "s.json"
        result = run("score", str(EXAMPLE), "-o", str(out), "--metrics", "band,careless")
        assert result.exit_code == 0, result.output
        record = json.loads(out.read_text())[0]
        assert set(record) - {"respondent", "team", "ca1", "ca2", "ca3", "ca4", "ca5", "ca6"} == {
            *(f"{d}_band" for d in DIMS), "overall_band", "careless_longest_run",
            "careless_irv", "careless_acquiescence", "careless_both_poles",
        }  # fmt: skip

    @pytest.mark.parametrize(
        ("given", "message"),
        [
            ("precent", "no metric named 'precent'; did you mean 'percent'?"),
            ("percent,BANDS", "no metric named 'BANDS'; did you mean 'band'?"),
            ("xyz", "no metric named 'xyz' (known: sum, mean, percent"),
            ("z", "'z' compares with norms; give a table with --norms"),
            (",", "name at least one metric"),
        ],
    )
    def test_unknown_metrics(self, given: str, message: str) -> None:
        assert message in one_line_error(run("score", str(EXAMPLE), "--metrics", given))

    def test_table_is_for_the_terminal(self, tmp_path: Path) -> None:
        line = one_line_error(
            run("score", str(EXAMPLE), "--format", "table", "-o", str(tmp_path / "s.csv"))
        )
        assert "--format table is for the terminal" in line
        result = run("score", str(EXAMPLE), "--format", "table")  # asked for in a pipe
        assert result.exit_code == 0
        assert "Balanced" in result.stdout


def test_the_table_notes_rows_worth_a_second_look(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    varied = ["1", "5", "2", "4", "3", "5", "1", "4", "2", "3", "5", "1"]
    rows = [
        ["id", *ML.item_ids],
        ["flat", *["3"] * 24],  # the same answer throughout
        ["run", *["4"] * 14, *varied[:10]],  # 14 identical answers in a row
        ["fine", *(varied * 2)],
        ["gap", "", *(varied * 2)[1:]],  # one answer missing
    ]
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", "utf-8")
    result = run("score", str(path), "--format", "table")
    assert result.exit_code == 0, result.output
    notes = result.stdout[result.stdout.index("Worth a second look") :]
    assert "flat: the same answer to every item" in notes
    assert "run: 14 identical answers in a row" in notes
    assert "fine:" not in notes
    assert "gap:" not in notes
    imputed = run("score", str(path), "--format", "table", "--missing", "mean")
    assert imputed.exit_code == 0, imputed.output
    assert "gap: 1 answer filled in" in imputed.stdout


def test_the_table_shows_at_most_max_shown_rows(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    lines = [",".join(["id", *ML.item_ids])]
    lines += [",".join([f"p{n}", *["3", "4"] * 12]) for n in range(MAX_SHOWN + 3)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    result = run("score", str(path), "--format", "table")
    assert result.exit_code == 0, result.output
    assert f"p{MAX_SHOWN - 1} " in result.stdout
    assert f"p{MAX_SHOWN} " not in result.stdout
    assert "... and 3 more rows: write them all with -o FILE" in result.stdout
    assert f"{MAX_SHOWN + 3} respondents" in result.stdout
