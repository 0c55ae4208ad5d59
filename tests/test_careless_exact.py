"""The careless-responding indicators are exact on whole numbers (issue 21).

Every engine computes them from each answer on -1..+1 times a common
denominator (whole numbers), so sums are exact in any order and each indicator
is one division of exact whole numbers: the same answers everywhere give an
SD of exactly 0, the acquiescence is the correctly rounded mean, and "agreed
with a pole" never turns on a rounding error.
"""

from __future__ import annotations

import math
from decimal import Decimal, getcontext
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

import mgrlead
from mgrlead import Dimension, Item, Pole, Rubric, Scale
from mgrlead.api import scoring_plan
from mgrlead.testing import hypothesis as mh

ROOT = Path(__file__).resolve().parent.parent
IPIP = mgrlead.load_rubric(ROOT / "examples" / "ipip-bfi25.toml")


def _units(rubric: Rubric, answers: dict[str, Any]) -> list[Fraction]:
    """Each answer on -1..+1, exactly, in rubric order (missing answers skipped)."""
    out = []
    for item in rubric.items:
        value = answers.get(item.id)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        scale = rubric.item_scale(item)
        out.append(Fraction(2 * int(value) - scale.min - scale.max, scale.max - scale.min))
    return out


def _sd(units: list[Fraction]) -> float:
    n = len(units)
    mean = sum(units, Fraction(0)) / n
    var = sum(((u - mean) ** 2 for u in units), Fraction(0)) / (n - 1)
    getcontext().prec = 60
    return float((Decimal(var.numerator) / Decimal(var.denominator)).sqrt())


def _every_engine(rubric: Rubric, rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """``careless_irv`` etc. from the single, numpy, polars-eager and polars-lazy engines."""
    single = [mgrlead.score(rubric, row).careless for row in rows]
    columns = {i: [row.get(i) for row in rows] for i in rubric.item_ids}
    matrix = np.array([[np.nan if v is None else v for v in columns[i]] for i in rubric.item_ids],
                      dtype=np.float64).T  # fmt: skip
    batch = mgrlead.score_matrix(rubric, matrix).columns()
    frame = pl.DataFrame({i: pl.Series(v, dtype=pl.Float64) for i, v in columns.items()})
    lazy = mgrlead.score_frame(rubric, frame.lazy()).collect()
    out: dict[str, list[Any]] = {}
    for name in ("irv", "acquiescence", "both_poles", "longest_run"):
        out[f"single_{name}"] = [getattr(c, name) if c else None for c in single]
        out[f"numpy_{name}"] = list(batch[f"careless_{name}"])
        out[f"lazy_{name}"] = lazy[f"careless_{name}"].to_list()
    return out


def test_identical_answers_have_an_sd_of_exactly_zero_on_every_engine() -> None:
    # before: the example inventory answered all 2s gave 2e-16 (a mean of -0.5
    # subtracted from each answer in floats), which no "straight-lining" check of
    # irv == 0 could see
    rows = [dict.fromkeys(IPIP.item_ids, code) for code in (1, 2, 3, 4, 5)]
    got = _every_engine(IPIP, rows)
    for engine in ("single", "numpy", "lazy"):
        assert got[f"{engine}_irv"] == [0.0] * 5, engine


def _bipolar_on_four_points() -> Rubric:
    low = tuple(Item(id=f"m{k}", text=f"Manager statement {k}", keyed="manager") for k in range(4))
    high = tuple(Item(id=f"l{k}", text=f"Leader statement {k}", keyed="leader") for k in range(4))
    return Rubric(
        id="four-points", version="1", title="Four points",
        scale=Scale(min=1, max=4, labels=("no", "rather not", "rather yes", "yes")),
        dimensions=(Dimension(
            id="style", name="Style", low=Pole(id="manager", label="Manager"),
            high=Pole(id="leader", label="Leader"), items=low + high,
        ),),
    )  # fmt: skip


def test_agreeing_with_a_pole_is_decided_on_exact_sums() -> None:
    # on 1..4 the answers are -1, -1/3, +1/3, +1: 1, 2, 4, 3 sum to exactly 0
    # (not agreed), which floats summed in this order make 5.6e-17 (agreed)
    rubric = _bipolar_on_four_points()
    answers = {"m0": 1, "m1": 2, "m2": 4, "m3": 3, "l0": 4, "l1": 4, "l2": 4, "l3": 4}
    assert sum(_units(rubric, {k: v for k, v in answers.items() if k[0] == "m"})) == 0
    got = _every_engine(rubric, [answers])
    for engine in ("single", "numpy", "lazy"):
        assert got[f"{engine}_both_poles"] == [0], engine


def test_mixed_scales_use_a_common_denominator() -> None:
    rubric = _bipolar_on_four_points()
    seven = Scale(min=1, max=7, labels=tuple("abcdefg"))
    dim = rubric.dimensions[0]
    items = (*dim.items[:4], *(Item(id=f"s{k}", text=f"Seven {k}", keyed="leader", scale=seven)
                               for k in range(3)))  # fmt: skip
    mixed = Rubric(id="mixed", version="1", title="Mixed", scale=rubric.scale,
                   dimensions=(Dimension(id="style", name="Style", low=dim.low, high=dim.high,
                                         items=items),))  # fmt: skip
    careless = scoring_plan(mixed).careless
    assert careless.exact
    assert careless.denominator == 6  # lcm of the ranges 3 and 6
    rows = [{"m0": 2, "m1": 3, "m2": 1, "m3": 4, "s0": 7, "s1": 3, "s2": 5}]
    got = _every_engine(mixed, rows)
    units = _units(mixed, rows[0])
    for engine in ("single", "numpy", "lazy"):
        assert got[f"{engine}_irv"] == [_sd(units)], engine


def test_a_rubric_of_too_many_ranges_falls_back_to_floats() -> None:
    # ranges 2..40 have a least common multiple of about 5e15: its square is far
    # beyond what a double holds exactly, so the answers stay on -1..+1 as floats
    scales = [Scale(min=0, max=r, labels=tuple(str(v) for v in range(r + 1))) for r in range(2, 41)]
    items = tuple(Item(id=f"i{r}", text=f"Item {r}", keyed="+", scale=s)
                  for r, s in zip(range(2, 41), scales, strict=True))  # fmt: skip
    rubric = Rubric(id="ranges", version="1", title="Ranges", scale=scales[0],
                    dimensions=(Dimension(id="d", name="D", items=items),))  # fmt: skip
    careless = scoring_plan(rubric).careless
    assert not careless.exact
    assert careless.denominator == 1
    rng = np.random.default_rng(3)
    rows = [{f"i{r}": int(rng.integers(0, r + 1)) for r in range(2, 41)} for _ in range(5)]
    rows.append({f"i{r}": r for r in range(2, 41)})  # everything at the top: SD 0
    got = _every_engine(rubric, rows)
    assert got["single_irv"] == got["numpy_irv"]  # one formula, same order of operations
    for row, irv in zip(rows, got["numpy_irv"], strict=True):
        assert math.isclose(irv, _sd(_units(rubric, row)), rel_tol=1e-12, abs_tol=1e-7)
    assert got["numpy_irv"][-1] >= 0.0  # never the root of a negative rounding error


@settings(max_examples=60, deadline=None)
@given(
    mh.rubrics(max_dimensions=2).flatmap(
        lambda r: st.tuples(st.just(r), mh.answers(r, missing_codes=False))
    )
)
def test_irv_and_acquiescence_match_exact_arithmetic(case: tuple[Rubric, dict[str, Any]]) -> None:
    rubric, answers = case
    careless = mgrlead.score(rubric, answers).careless
    assert careless is not None
    units = _units(rubric, answers)
    if len(units) >= 2:
        exact = _sd(units)
        assert careless.irv is not None
        # one rounding in the division and one in the root: within 2 ulps
        assert abs(careless.irv - exact) <= 2 * math.ulp(exact), (careless.irv, exact)
    else:
        assert careless.irv is None
    plan = scoring_plan(rubric).careless
    balanced = {rubric.items[i].id: answers.get(rubric.items[i].id) for i in plan.balanced}
    mine = _units(rubric, {k: v for k, v in balanced.items() if v is not None})
    if mine:  # the correctly rounded mean: one division of exact whole numbers
        assert careless.acquiescence == float(sum(mine, Fraction(0)) / len(mine))
    else:
        assert careless.acquiescence is None
