"""``mgrlead irt fit``: calibrate from a responses file, write the rubric (issue 17, part 3)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import mgrlead
from mgrlead.irt import calibrate, score_theta, simulate

from .helpers import one_line_error, run
from .test_irt_calibrate import truth

ML = mgrlead.load_rubric("manager-leader")
TRUE = truth("grm")
ANSWERS = simulate(TRUE, 400, seed=9, missing=0.02).answers


def _csv(path: Path, answers: np.ndarray = ANSWERS) -> Path:
    lines = ["person," + ",".join(ML.item_ids)]
    for n, row in enumerate(answers):
        cells = ["" if np.isnan(v) else str(int(v)) for v in row]
        lines.append(f"p{n}," + ",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_fit_writes_a_rubric_that_scores_theta(tmp_path: Path) -> None:
    data = _csv(tmp_path / "responses.csv")
    out = tmp_path / "calibrated.toml"
    result = run("irt", "fit", str(data), "-o", str(out), "--dimension", "process_results")
    assert result.exit_code == 0, result.output
    assert "Items of process_results (grm)" in result.stdout
    assert "-2LL" in result.stdout
    assert f"wrote {out}" in result.stderr
    calibrated = mgrlead.load_rubric(str(out))
    assert calibrated.version == "1.0-calibrated"
    api = calibrate(ML, ANSWERS, dimensions=["process_results"])
    assert calibrated == api.rubric  # the file holds the library's estimates
    theta = score_theta(calibrated, ANSWERS)["process_results"].theta
    assert np.isfinite(theta).all()
    scored = run("score", str(data), "--rubric", str(out), "--format", "csv")
    assert scored.exit_code == 0, scored.output  # the ordinary scores still work


@pytest.mark.parametrize(("name", "loader"), [("cal.json", json.loads), ("cal.yaml", None)])
def test_the_extension_picks_the_format(tmp_path: Path, name: str, loader: object) -> None:
    data = _csv(tmp_path / "responses.csv")
    out = tmp_path / name
    result = run(
        "irt", "fit", str(data), "-o", str(out), "--dimension", "staff_counsel",
        "--model", "pcm", "--rubric-version", "2.0",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    calibrated = mgrlead.load_rubric(str(out))
    assert calibrated.version == "2.0"
    assert {calibrated.item(i).irt.model for i in ("os1", "os6")} == {"pcm"}  # type: ignore[union-attr]
    if loader is json.loads:
        assert json.loads(out.read_text())["version"] == "2.0"


def test_refit_re_estimates_declared_parameters(tmp_path: Path) -> None:
    data = _csv(tmp_path / "responses.csv")
    first = tmp_path / "first.toml"
    assert (
        run("irt", "fit", str(data), "-o", str(first), "--dimension", "process_results").exit_code
        == 0
    )
    again = tmp_path / "again.toml"
    refused = run("irt", "fit", str(data), "--rubric", str(first), "-o", str(again),
                  "--dimension", "process_results")  # fmt: skip
    assert "already declare IRT parameters; pass refit=True (mgrlead irt fit --refit)" in (
        one_line_error(refused)
    )
    result = run("irt", "fit", str(data), "--rubric", str(first), "-o", str(again),
                 "--dimension", "process_results", "--refit")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "note: re-estimated 6 items that declared parameters" in result.stdout


def test_mistakes_are_one_line(tmp_path: Path) -> None:
    data = _csv(tmp_path / "responses.csv")
    out = str(tmp_path / "out.toml")
    same = one_line_error(run("irt", "fit", str(data), "-o", str(data)))
    assert "is the FILE" in same
    assert "names no output format" in one_line_error(
        run("irt", "fit", str(data), "-o", str(tmp_path / "out.txt"))
    )
    assert "has no dimension 'nope'" in one_line_error(
        run("irt", "fit", str(data), "-o", out, "--dimension", "nope")
    )
    bad = ANSWERS.copy()
    bad[:, 0] = np.where(bad[:, 0] == 2, 3, bad[:, 0])
    message = one_line_error(
        run(
            "irt",
            "fit",
            str(_csv(tmp_path / "bad.csv", bad)),
            "-o",
            out,
            "--dimension",
            "process_results",
        )
    )
    assert "dimension 'process_results', item 'pr1': nobody answered 2" in message
    few = one_line_error(
        run("irt", "fit", str(_csv(tmp_path / "few.csv", ANSWERS[:50])), "-o", out)
    )
    assert "50 respondents answered its items; calibration needs at least 100" in few
    assert "no such file" in one_line_error(run("irt", "fit", "nope.csv", "-o", out)).lower()
    assert not Path(out).exists()  # a refused run writes nothing
