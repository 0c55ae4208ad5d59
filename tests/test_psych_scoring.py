"""Scores agree with R's psych 2.2.9 ``scoreItems`` within 1e-9.

The fixtures come from ``tests/fixtures/psych/make_fixtures.R`` (committed, so
these tests do not need R).  For every data set (complete, missing cells with an
all-missing respondent and an unanswered scale, a 1-7 scale, a zero-variance
item, an item in two scales) and every ``impute`` x ``totals`` combination,
mgrlead's batch scores equal psych's, except where psych is internally
inconsistent, which mgrlead documents and these tests pin down:

- ``impute="none", totals=TRUE`` gives 0 for a scale with no answered item
  (while ``totals=FALSE`` gives NaN); mgrlead reports it as not scorable (NaN).
- A zero-variance item is silently dropped from the keys (``impute="none"``)
  or makes ``scoreItems`` fail (``impute="mean"/"median"``); mgrlead keeps it:
  a constant answer is still an answer.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import mgrlead
from mgrlead import MissingPolicy, Rubric

FIXTURES = json.loads(
    (Path(__file__).parent / "fixtures" / "psych" / "scoring.json").read_text("utf-8")
)
COMBOS = [(i, t) for i in ("none", "mean", "median") for t in ("mean", "sum")]
TOL = 1e-9


def _rubric(keys: dict[str, list[str]], lo: int, hi: int) -> Rubric:
    return Rubric.from_keys(keys, min=lo, max=hi)


def _score(rubric: Rubric, data: dict[str, list[Any]], impute: str, totals: str) -> dict[str, Any]:
    policy = MissingPolicy.named("available" if impute == "none" else impute)
    columns = {item: data[item] for item in rubric.item_ids}
    return mgrlead.score_frame(rubric, columns, missing=policy, strategy=totals)


def _close(ours: float, theirs: float | None) -> bool:
    if theirs is None or (isinstance(theirs, float) and math.isnan(theirs)):
        return math.isnan(ours)
    return abs(ours - theirs) <= TOL * max(1.0, abs(theirs))


def _all_missing(data: dict[str, list[Any]], items: list[str], row: int) -> bool:
    return all(data[i.lstrip("-")][row] is None for i in items)


@pytest.mark.parametrize("dataset", ["complete", "missing", "seven", "composite", "miskeyed"])
@pytest.mark.parametrize(("impute", "totals"), COMBOS)
def test_scores_agree_with_psych(dataset: str, impute: str, totals: str) -> None:
    fx = FIXTURES[dataset]
    rubric = _rubric(fx["keys"], fx["min"], fx["max"])
    ours = _score(rubric, fx["data"], impute, totals)
    theirs = fx["scores"][f"{impute}_{totals}"]
    checked = 0
    for scale, values in theirs.items():
        for row, expected in enumerate(values):
            got = float(ours[f"{scale}_score"][row])
            items = fx["keys"][scale]
            if impute == "none" and totals == "sum" and _all_missing(fx["data"], items, row):
                # psych's documented inconsistency: a sum of nothing is 0 for it
                assert expected == 0
                assert math.isnan(got)
                continue
            assert _close(got, expected), (scale, row, got, expected)
            checked += 1
    assert checked > 100


def test_the_missing_data_set_has_the_hard_cases() -> None:
    fx = FIXTURES["missing"]
    rubric = _rubric(fx["keys"], fx["min"], fx["max"])
    none = _score(rubric, fx["data"], "none", "mean")
    assert math.isnan(none["s1_score"][0])  # answered nothing
    assert math.isnan(none["s3_score"][1])  # scale 3 unanswered
    assert none["s3_answered"][1] == 0
    imputed = _score(rubric, fx["data"], "mean", "mean")
    assert imputed["s1_imputed"][0] == len(fx["keys"]["s1"])
    assert imputed["s1_answered"][0] == 0
    assert not math.isnan(imputed["s1_score"][0])


@pytest.mark.parametrize(("impute", "totals"), COMBOS)
def test_zero_variance_item_psych_drops_it_mgrlead_keeps_it(impute: str, totals: str) -> None:
    fx = FIXTURES["zerovar"]
    data = fx["data"]
    without = {s: [k for k in keys if k != "z_5"] for s, keys in fx["keys"].items()}
    psych_without = fx["scores_without_constant"][f"{impute}_{totals}"]
    # 1. on the same items psych scores, mgrlead agrees with psych
    ours_without = _score(_rubric(without, 1, 5), data, impute, totals)
    for scale, values in psych_without.items():
        for row, expected in enumerate(values):
            got = float(ours_without[f"{scale}_score"][row])
            if impute == "none" and totals == "sum" and _all_missing(data, without[scale], row):
                continue
            assert _close(got, expected), (scale, row)
    # 2. psych with the constant item: dropped (impute none) or an error
    psych_with = fx["scores"][f"{impute}_{totals}"]
    if impute == "none":
        assert psych_with["z"] == psych_without["z"]
    else:
        assert "error" in psych_with
    # 3. mgrlead keeps the constant item (always answered 3): a defined answer
    ours_with = _score(_rubric(fx["keys"], 1, 5), data, impute, totals)
    z_items = without["z"]
    for row, other in enumerate(psych_without["z"]):
        got = float(ours_with["z_score"][row])
        answered = sum(data[i.lstrip("-")][row] is not None for i in z_items)
        n = len(z_items) if impute != "none" else answered
        expected = other + 3 if totals == "sum" else (other * n + 3) / (n + 1)
        assert _close(got, expected), (row, got, expected)


def test_from_keys_matches_psych_keys_semantics() -> None:
    rubric = Rubric.from_keys({"s": ["a", "-b"], "t": ["b", "c"]}, min=1, max=5)
    assert [d.polarity for d in rubric.dimensions] == ["unipolar", "unipolar"]
    assert rubric.dimension("t").item_refs[0].id == "b"
    profile = mgrlead.score(rubric, {"a": 5, "b": 2, "c": 4})
    assert profile["s"].score == (5 + (6 - 2)) / 2
    assert profile["t"].score == (2 + 4) / 2
    batch = mgrlead.score_matrix(rubric, np.array([[5.0, 2.0, 4.0]]))
    assert batch.profile(0) == profile


def test_from_keys_refuses_a_string_of_keys() -> None:
    with pytest.raises(mgrlead.RubricError, match="must be a list of item names"):
        Rubric.from_keys({"s": "a"}, min=1, max=5)  # type: ignore[dict-item]
