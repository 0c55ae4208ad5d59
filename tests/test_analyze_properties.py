"""``analyze`` against a reference written from the definitions, on generated data.

``analyze`` gets every pairwise-complete sum from a few matrix products over
centred scores.  The reference here computes each statistic the slow, obvious
way: every pair of items on the rows where both were answered, means and
deviations over those rows, ``np.corrcoef`` of an item with the row means.  The
two agree to 1e-9 on any data, with or without missing answers, reversed items
and items that do not vary.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mgrlead
from mgrlead.analysis.psychometrics import AnalysisWarning, analyze
from mgrlead.errors import AnswerError

TOL = 1e-9


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= TOL * max(1.0, abs(b))


def _pair_cov(x: np.ndarray, y: np.ndarray) -> float:
    both = ~np.isnan(x) & ~np.isnan(y)
    xs, ys = x[both], y[both]
    if len(xs) < 2:
        return math.nan
    return float(np.sum((xs - xs.mean()) * (ys - ys.mean())) / (len(xs) - 1))


def _reference(keys: dict[str, list[str]], data: dict[str, np.ndarray]) -> dict[str, Any]:
    """Per scale: the statistics that read the data, from their definitions."""
    out: dict[str, Any] = {}
    for scale, members in keys.items():
        cols = {}
        for key in members:
            item = key.lstrip("-")
            cols[item] = 6 - data[item] if key.startswith("-") else data[item]
        varied = [
            i for i, x in cols.items() if np.sum(~np.isnan(x)) > 1 and np.nanstd(x, ddof=1) > 0
        ]
        k = len(varied)
        score = np.array([np.nanmean(r) if not np.all(np.isnan(r)) else np.nan
                          for r in np.column_stack(list(cols.values()))])  # fmt: skip
        done = score[~np.isnan(score)]
        result: dict[str, Any] = {"varied": varied, "mean": float(np.mean(done))}
        result["sd"] = float(np.std(done, ddof=1)) if len(done) > 1 else math.nan
        c = np.array([[_pair_cov(cols[a], cols[b]) for b in varied] for a in varied])
        if k >= 2 and np.all(np.isfinite(c)):
            # alpha is undefined (None) when the covariances sum to zero (to rounding)
            total, trace = c.sum(), np.trace(c)
            defined = abs(total) > 1e-12 * trace
            result["alpha"] = float(k / (k - 1) * (1 - trace / total)) if defined else None
            rows = np.column_stack([cols[i] for i in varied])
            means = np.array([np.nanmean(r) if not np.all(np.isnan(r)) else np.nan
                              for r in rows])  # fmt: skip
            overall = np.nanmean(means)
            items = {}
            for j, i in enumerate(varied):
                x = cols[i]
                present = ~np.isnan(x)
                m = means[present]
                # row means equal on the item's rows (to rounding): r is undefined
                flat = np.sum((m - m.mean()) ** 2) <= 1e-12 * np.sum((m - overall) ** 2)
                # the codes people chose: the raw answers, before reverse keying
                chosen = data[i][present]
                rest = c[j].sum() - c[j, j]
                var_rest = c.sum() - 2 * c[j].sum() + c[j, j]
                items[i] = {
                    "n": int(present.sum()),
                    "mean": float(np.mean(x[present])),
                    "sd": float(np.std(x[present], ddof=1)),
                    "raw_r": math.nan if flat else float(np.corrcoef(x[present], m)[0, 1]),
                    "r_drop": float(rest / math.sqrt(c[j, j] * var_rest))
                    if var_rest > 1e-12 * np.trace(c)
                    else math.nan,
                    "frequencies": {
                        str(code): float(np.sum(chosen == code)) / present.sum()
                        for code in range(1, 6)
                    },
                }
            result["items"] = items
        out[scale] = result
    return out


@st.composite
def _data(draw: st.DrawFn) -> tuple[dict[str, list[str]], dict[str, np.ndarray]]:
    n = draw(st.integers(3, 30))
    sizes = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    keys: dict[str, list[str]] = {}
    data: dict[str, np.ndarray] = {}
    missing = draw(st.sampled_from([0.0, 0.1, 0.4]))
    for s, size in enumerate(sizes):
        keys[f"s{s}"] = []
        for j in range(size):
            item = f"s{s}_{j}"
            codes = draw(
                st.lists(st.integers(1, 5), min_size=n, max_size=n)
                | st.just([draw(st.integers(1, 5))] * n)  # an item that does not vary
            )
            gaps = draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))
            col = np.array(codes, dtype=float)
            col[np.array(gaps) < missing] = np.nan
            data[item] = col
            keys[f"s{s}"].append(("-" if draw(st.booleans()) else "") + item)
    return keys, data


@given(_data())
def test_analyze_agrees_with_the_definitions(case: tuple[dict[str, list[str]], Any]) -> None:
    keys, data = case
    rubric = mgrlead.Rubric.from_keys(keys, min=1, max=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = analyze(rubric, data)
        ref = _reference(keys, data)
    for scale, theirs in ref.items():
        got = ours[scale]
        assert [i.item for i in got.items] == (theirs["varied"] if "items" in theirs else [])
        assert _close(got.mean, theirs["mean"]), scale
        assert _close(got.sd, theirs["sd"]), scale
        if "items" not in theirs:
            assert got.alpha is None
            continue
        assert _close(got.alpha, theirs["alpha"]), scale
        for item in got.items:
            want = theirs["items"][item.item]
            assert item.n == want["n"]
            for field in ("mean", "sd", "raw_r", "r_drop"):
                assert _close(getattr(item, field), want[field]), (item.item, field)
            assert item.frequencies.keys() == want["frequencies"].keys()
            for code, share in item.frequencies.items():
                assert _close(share, want["frequencies"][code])


def test_frequencies_are_of_the_codes_chosen_not_the_keyed_scores() -> None:
    # issue 16, item 5: psych's alpha(d, keys = c("a", "-b", "c"))$response.freq gives
    # b: 1 -> 0.5, 2 -> 1/6, 4 -> 1/6, 5 -> 1/6 (the codes people chose)
    rubric = mgrlead.Rubric.from_keys({"s": ["a", "-b", "c"]}, min=1, max=5)
    data = {"a": [5, 5, 4, 4, 2, 1], "b": [1, 1, 1, 2, 4, 5], "c": [4, 5, 5, 3, 2, 1]}
    b = next(i for i in analyze(rubric, data)["s"].items if i.item == "b")
    assert b.reversed
    assert b.frequencies == {"1": 0.5, "2": 1 / 6, "3": 0.0, "4": 1 / 6, "5": 1 / 6}
    assert b.mean == pytest.approx(6 - 14 / 6)  # the statistics stay on the keyed score


def test_a_cell_outside_the_scale_is_named_not_a_crash() -> None:
    rubric = mgrlead.Rubric.from_keys({"s": ["a", "-b", "c"]}, min=1, max=5)
    data = {"a": [1, 2, 3, 7], "b": [1, 2, 3, 4], "c": [2, 3, 4, 5]}
    with pytest.raises(AnswerError, match=r"row 3.*'a'"):
        analyze(rubric, data)


def test_items_that_never_vary_warn_and_leave_no_statistics() -> None:
    rubric = mgrlead.Rubric.from_keys({"s": ["a", "b"]}, min=1, max=5)
    with pytest.warns(AnalysisWarning, match="did not vary"):
        got = analyze(rubric, {"a": [3, 3, 3], "b": [1, 2, 5]})
    assert got["s"].alpha is None
    assert got["s"].mean == pytest.approx(np.mean([2, 2.5, 4]))
