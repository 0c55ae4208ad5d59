"""Reliability and item analysis agree with R's psych 2.2.9 (alpha, scoreItems, omega).

Fixtures: ``tests/fixtures/psych/reliability.json``, made by ``make_fixtures.R``
from data sets that are complete, have missing cells, have scales of unequal
length, use a 1-7 scale, have a zero-variance item, and have an item the rubric
keys the wrong way round.  psych gets the raw items and the keys, as a user
calls it (``alpha(x, keys = ...)``, ``omega(x, key = ..., flip = FALSE)``).
Closed-form statistics agree within 1e-9; omega, from an iterative fit, within
1e-5 (loadings 1e-4).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from click.testing import CliRunner

import mgrlead
from mgrlead.analysis.psychometrics import FELDT_NOTE, AnalysisWarning, analyze
from mgrlead.cli import cli

HERE = Path(__file__).parent
RELIABILITY = json.loads((HERE / "fixtures" / "psych" / "reliability.json").read_text("utf-8"))
SCORING = json.loads((HERE / "fixtures" / "psych" / "scoring.json").read_text("utf-8"))
TOL = 1e-9
DATASETS = ["complete", "missing", "seven", "zerovar", "miskeyed"]


def _analysis(name: str) -> mgrlead.analysis.psychometrics.Analysis:
    d = SCORING[name]
    rubric = mgrlead.Rubric.from_keys(d["keys"], min=d["min"], max=d["max"])
    data = {k: [np.nan if v is None else v for v in vals] for k, vals in d["data"].items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnalysisWarning)
        return analyze(rubric, data)


def _close(ours: float | None, theirs: float, tol: float = TOL) -> bool:
    assert ours is not None
    return abs(ours - theirs) <= tol * max(1.0, abs(theirs))


TOTALS = {
    "alpha": "raw_alpha",
    "std_alpha": "std.alpha",
    "g6": "G6(smc)",
    "average_r": "average_r",
    "signal_noise": "S/N",
    "alpha_se": "ase",
    "mean": "mean",
    "sd": "sd",
    "median_r": "median_r",
}
ITEMS = {
    "n": "n",
    "raw_r": "raw.r",
    "std_r": "std.r",
    "r_cor": "r.cor",
    "r_drop": "r.drop",
    "mean": "mean",
    "sd": "sd",
}
DROPPED = {
    "alpha_if_deleted": "raw_alpha",
    "std_alpha_if_deleted": "std.alpha",
    "average_r_if_deleted": "average_r",
}


@pytest.mark.parametrize("name", DATASETS)
def test_alpha_statistics(name: str) -> None:
    analysis = _analysis(name)
    for scale, ref in RELIABILITY[name]["scales"].items():
        ours = analysis[scale]
        for field, theirs in TOTALS.items():
            if ours.excluded and field in {"mean", "sd"}:
                # psych deletes a constant item but "still counts it in the score" in a way
                # that matches neither the score with it nor without it: mgrlead's mean and
                # SD are those of the dimension's score, every item counted
                continue
            assert _close(getattr(ours, field), ref["total"][theirs]), (scale, field)
        assert _close(ours.alpha_ci_low, ref["feldt"]["lower"])
        assert _close(ours.alpha_ci_high, ref["feldt"]["upper"])


@pytest.mark.parametrize("name", DATASETS)
def test_item_statistics(name: str) -> None:
    analysis = _analysis(name)
    for scale, ref in RELIABILITY[name]["scales"].items():
        items = analysis[scale].items
        assert [i.item for i in items] == [i for i in ref["items"] if i in {x.item for x in items}]
        for j, item in enumerate(items):
            for field, theirs in ITEMS.items():
                assert _close(getattr(item, field), ref["item_stats"][theirs][j]), (scale, field)
            for field, theirs in DROPPED.items():
                assert _close(getattr(item, field), ref["alpha_drop"][theirs][j]), (scale, field)
            # the codes people chose (psych: every code seen in the scale, and "miss")
            freq = ref["response_freq"]
            seen = set(freq) - {"miss"}
            assert seen <= set(item.frequencies), (scale, item.item)
            for code, share in item.frequencies.items():
                assert _close(share, freq[code][j] if code in seen else 0.0), (item.item, code)
            assert _close(item.missing, freq["miss"][j])


@pytest.mark.parametrize("name", DATASETS)
def test_score_items_statistics(name: str) -> None:
    analysis = _analysis(name)
    ref = RELIABILITY[name]["score_items"]
    ids = list(ref["cor"])
    all_items = list(SCORING[name]["data"])
    for scale in ids:
        ours = analysis[scale]
        assert _close(ours.alpha, ref["alpha"][scale])
        assert _close(ours.g6_cov, ref["G6"][scale])
        assert _close(ours.average_r_from_alpha, ref["av_r"][scale])
        for item in ours.items:
            # psych correlates the raw (unreversed) item with the scale
            sign = -1.0 if item.reversed else 1.0
            theirs = ref["item_cor"][scale][all_items.index(item.item)]
            assert _close(sign * item.r_total_cov, theirs)
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            assert _close(analysis.correlations[a][b], ref["cor"][a][j])
            if j > i:  # psych: raw below the diagonal, disattenuated above
                assert _close(analysis.disattenuated[a][b], ref["corrected"][b][i])


@pytest.mark.parametrize("name", DATASETS)
def test_omega_from_an_iterative_fit(name: str) -> None:
    analysis = _analysis(name)
    for scale, ref in RELIABILITY[name]["scales"].items():
        if "omega_total" not in ref:
            continue
        ours = analysis[scale]
        assert _close(ours.omega_total, ref["omega_total"], tol=1e-5)
        for item, loading in ref["loadings"].items():
            assert abs(ours.loadings[item] - loading) < 1e-4


def test_omega_keeps_the_rubric_keys_like_flip_false() -> None:
    # issue 16, item 9: psych's default omega(flip = TRUE) re-keys the item that loads
    # negatively; mgrlead reports omega of the score as the rubric keys it
    ref = RELIABILITY["miskeyed"]["scales"]["s2"]
    ours = _analysis("miskeyed")["s2"]
    assert ours.loadings["s2_2"] < 0
    assert _close(ours.omega_total, ref["omega_total"], tol=1e-5)
    assert ref["omega_total_default_flip"] - ref["omega_total"] > 0.1
    # and the documentation cites the psych call that matches
    page = (HERE.parent / "docs" / "reliability.md").read_text("utf-8")
    rows = [line for line in page.splitlines() if line.startswith("| `omega_total`")]
    assert any("`omega(" in row and "flip = FALSE" in row for row in rows)


def test_zero_variance_items_are_reported_and_excluded() -> None:
    d = SCORING["zerovar"]
    rubric = mgrlead.Rubric.from_keys(d["keys"], min=d["min"], max=d["max"])
    data = {k: [np.nan if v is None else v for v in vals] for k, vals in d["data"].items()}
    with pytest.warns(AnalysisWarning, match=r"dimension 'z': item z_5 did not vary"):
        analysis = analyze(rubric, data)
    assert analysis["z"].excluded == ("z_5",)
    assert "z_5" not in [i.item for i in analysis["z"].items]
    assert analysis["z"].n_items == 5


def test_a_miskeyed_item_is_flagged_not_reversed() -> None:
    rng = np.random.default_rng(7)
    trait = rng.normal(size=400)
    data: dict[str, Any] = {}
    for j in range(6):
        data[f"q{j}"] = np.clip(np.rint(3 + 1.2 * trait + rng.normal(size=400)), 1, 5)
    # q5 measures the trait like the others, but the rubric wrongly reverse-keys it
    rubric = mgrlead.Rubric.from_keys({"s": ["q0", "q1", "q2", "q3", "q4", "-q5"]}, min=1, max=5)
    analysis = analyze(rubric, data)
    flagged = analysis["s"].miskeyed
    assert flagged == ("q5",)
    q5 = next(i for i in analysis["s"].items if i.item == "q5")
    assert q5.r_drop < 0
    assert q5.reversed
    assert q5.alpha_if_reversed > analysis["s"].alpha  # the evidence
    assert q5.alpha_if_deleted > analysis["s"].alpha
    assert analysis["s"].items[5].item == "q5"  # still scored as the rubric keys it


def test_one_item_and_all_missing_are_defined() -> None:
    rubric = mgrlead.Rubric.from_keys({"one": ["a"], "two": ["b", "c"]}, min=1, max=5)
    data = {"a": [1, 2, 3, 4, None], "b": [1, 2, 4, 4, None], "c": [2, 2, 5, 3, None]}
    analysis = analyze(rubric, data)
    one = analysis["one"]
    assert one.alpha is None
    assert one.note is not None
    assert "at least 2 items" in one.note
    assert analysis["two"].alpha is not None
    assert analysis["two"].n == 5  # the all-missing respondent is a row, with no answers
    assert math.isclose(analysis["two"].items[0].missing, 0.2)


def test_to_frame_and_json() -> None:
    analysis = _analysis("complete")
    frame = analysis.to_frame()
    assert list(frame["dimension"]) == ["s1", "s2", "s3"]
    assert "alpha" in frame.columns
    items = analysis.items_frame()
    assert len(items) == 13
    assert {"alpha_if_deleted", "r_drop", "r_cor"} <= set(items.columns)
    text = json.dumps(analysis.to_dict())
    assert '"std_alpha"' in text
    assert '"g6"' in text


def test_cli_analyze(tmp_path: Path) -> None:
    example = HERE.parent / "examples" / "responses.csv"
    runner = CliRunner()
    shown = runner.invoke(cli, ["analyze", str(example)])
    assert shown.exit_code == 0, shown.output
    assert "alpha = Cronbach's alpha" in shown.stdout
    assert "process_results" in shown.stdout
    as_json = json.loads(runner.invoke(cli, ["analyze", str(example), "--json"]).stdout)
    assert as_json["rubric"] == "manager-leader"
    first = as_json["dimensions"][0]
    assert {"alpha", "std_alpha", "g6", "average_r", "omega_total", "items"} <= set(first)
    assert {"alpha_if_deleted", "r_drop", "r_cor", "frequencies"} <= set(first["items"][0])
    _ = tmp_path


_WITHOUT_SCIPY = """
import sys

class _NoScipy:
    def find_spec(self, name, path=None, target=None):
        if name == "scipy" or name.startswith("scipy."):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)")
        return None

sys.meta_path.insert(0, _NoScipy())
from mgrlead.cli import main
sys.argv = ["mgrlead", *sys.argv[1:]]
main()
"""


def _without_scipy(*args: str) -> subprocess.CompletedProcess[str]:
    """``mgrlead ARGS`` in a fresh interpreter where scipy cannot be imported."""
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-c", _WITHOUT_SCIPY, *args],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip


def test_cli_analyze_runs_without_scipy_and_leaves_out_only_the_interval() -> None:
    # issue 16, item 6: the Feldt interval is the one part that needs scipy
    example = str(HERE.parent / "examples" / "responses.csv")
    shown = _without_scipy("analyze", example)
    assert shown.returncode == 0, shown.stderr
    assert "Traceback" not in shown.stderr
    notes = [line for line in shown.stderr.splitlines() if line.startswith("mgrlead: note: ")]
    assert len(notes) == 1
    assert "pip install 'mgrlead[analysis]'" in notes[0]
    assert "process_results" in shown.stdout
    assert "95% CI" not in shown.stdout
    as_json = _without_scipy("analyze", example, "--json")
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["notes"] == [FELDT_NOTE]
    first = data["dimensions"][0]
    assert first["alpha"] is not None
    assert first["alpha_ci_low"] is None
    assert first["alpha_ci_high"] is None


def test_analyze_without_scipy_gives_every_other_number(monkeypatch: pytest.MonkeyPatch) -> None:
    with_scipy = _analysis("complete")
    assert with_scipy.notes == ()
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.special", None)
    without = _analysis("complete")
    assert without.notes == (FELDT_NOTE,)
    for ours, full in zip(without.dimensions, with_scipy.dimensions, strict=True):
        assert ours.alpha_ci_low is None
        assert ours.alpha_ci_high is None
        assert full.alpha_ci_low is not None
        assert attrs.evolve(ours, alpha_ci_low=full.alpha_ci_low,
                            alpha_ci_high=full.alpha_ci_high) == full  # fmt: skip
