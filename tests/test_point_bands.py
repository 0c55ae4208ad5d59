"""Point bands and open boundaries (issue 16, item 16), on every engine.

A band may be a single point (``neutral`` only when the mean is exactly 3, as
the bigfive-web scorer labels it), with its neighbours open at that point.  The
compiled boundaries count "how many boundaries a value is past"; these tests
check that count against the declared bands, computed here with exact
fractions, on the Python (compiled) engine, numpy, and the lazy engines
(polars LazyFrame and DuckDB through narwhals).
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from typing import Any

import duckdb
import jsonschema
import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mgrlead
from helpers import dim, item
from mgrlead import Band, Rubric, Scale
from mgrlead.errors import RubricError, RubricFileError
from mgrlead.io.schema import rubric_schema
from mgrlead.io.serialize import load_rubric_text, unstructure_rubric

ITEMS = ("a", "b", "c", "d")
#: Every complete answer pattern, then every pattern with ``d`` unanswered (a
#: mean of three items): means on quarters and on thirds.
ROWS = [*itertools.product(range(1, 6), repeat=4), *(
    (*p, None) for p in itertools.product(range(1, 6), repeat=3)
)]  # fmt: skip


def _bigfive_rubric(dim_bands: list[Band], bands: list[Band] | None = None) -> Rubric:
    items = [item("a"), item("b", keyed="lo"), item("c"), item("d", keyed="lo")]
    extra: dict[str, Any] = {} if bands is None else {"bands": bands}
    return Rubric(
        id="points", version="1", title="Points", scale=Scale.agreement(5),
        dimensions=[dim("n", items, bands=dim_bands, band_on="mean")], **extra,
    )  # fmt: skip


BIGFIVE = [
    Band(id="low", label="Low", lower=1, upper=3),
    Band(id="neutral", label="Neutral", lower=3, upper=3, include_upper=True),
    Band(id="high", label="High", lower=3, upper=5, include_lower=False, include_upper=True),
]


def test_the_bigfive_web_bands_score_exactly_three_as_neutral() -> None:
    r = _bigfive_rubric(BIGFIVE)
    # keyed: a, 6 - b, c, 6 - d
    assert mgrlead.score(r, {"a": 3, "b": 3, "c": 3, "d": 3})["n"].band == "neutral"
    assert mgrlead.score(r, {"a": 4, "b": 2, "c": 2, "d": 4})["n"].band == "neutral"  # 3 on avg
    assert mgrlead.score(r, {"a": 3, "b": 3, "c": 3, "d": 4})["n"].band == "low"  # 2.75
    assert mgrlead.score(r, {"a": 3, "b": 3, "c": 4, "d": 3})["n"].band == "high"  # 3.25
    assert mgrlead.score(r, {"a": 3, "b": 2, "c": 3})["n"].band == "high"  # 3.33...


def test_two_bands_that_both_exclude_a_point_need_a_point_band_between_them() -> None:
    gap = [BIGFIVE[0], BIGFIVE[2]]
    with pytest.raises(RubricError, match="'low' and 'high' leave a gap: neither includes"):
        _bigfive_rubric(gap)


# ------------------------------------------------------------------ the property
@st.composite
def band_sets(draw: st.DrawFn, lo: Fraction, hi: Fraction, step: Fraction) -> list[Band]:
    """Bands covering ``lo..hi`` with cuts on multiples of ``step``: at each cut the
    lower band owns it, the upper band owns it, or a point band holds it (both
    neighbours open); the ends may be point bands too."""
    grid = [lo + step * i for i in range(1, int((hi - lo) / step))]
    cuts = sorted(draw(st.sets(st.sampled_from(grid), max_size=4)))
    counter = itertools.count()
    bands: list[Band] = []

    def add(lower: Fraction, upper: Fraction, *, inc_lower: bool, inc_upper: bool) -> None:
        n = next(counter)
        bands.append(Band(id=f"b{n}", label=f"B{n}", lower=float(lower), upper=float(upper),
                          include_lower=inc_lower, include_upper=inc_upper))  # fmt: skip

    start, start_included = lo, True
    if draw(st.booleans()):
        add(lo, lo, inc_lower=True, inc_upper=True)
        start_included = False
    for cut in cuts:
        kind = draw(st.sampled_from(["lower owns", "upper owns", "point"]))
        add(start, cut, inc_lower=start_included, inc_upper=kind == "lower owns")
        if kind == "point":
            add(cut, cut, inc_lower=True, inc_upper=True)
        start, start_included = cut, kind == "upper owns"
    if draw(st.booleans()):
        add(start, hi, inc_lower=start_included, inc_upper=False)
        add(hi, hi, inc_lower=True, inc_upper=True)
    else:
        add(start, hi, inc_lower=start_included, inc_upper=True)
    return bands


def _declared(bands: list[Band], value: Fraction) -> str:
    """The one band that holds ``value`` exactly, by its declared bounds."""
    holding = [
        b.id for b in bands
        if (value > Fraction(b.lower) or (b.include_lower and value == Fraction(b.lower)))
        and (value < Fraction(b.upper) or (b.include_upper and value == Fraction(b.upper)))
    ]  # fmt: skip
    assert len(holding) == 1, (value, holding)
    return holding[0]


def _exact_mean(row: tuple[int | None, ...]) -> Fraction:
    keyed = [x if i in {0, 2} else 6 - x for i, x in enumerate(row) if x is not None]
    return Fraction(sum(keyed), len(keyed))


def _columns() -> dict[str, np.ndarray]:
    return {
        name: np.array([np.nan if r[j] is None else r[j] for r in ROWS], dtype=float)
        for j, name in enumerate(ITEMS)
    }


def _engines(r: Rubric) -> dict[str, tuple[list[Any], list[Any]]]:
    """(dimension bands, overall bands) of every row, per engine."""
    columns = _columns()
    out: dict[str, tuple[list[Any], list[Any]]] = {}
    profiles = [mgrlead.score(r, dict(zip(ITEMS, row, strict=True))) for row in ROWS]
    out["python"] = ([p["n"].band for p in profiles], [p.overall.band for p in profiles])
    batch = mgrlead.score_frame(r, columns)
    out["numpy"] = (list(batch["n_band"]), list(batch["overall_band"]))
    frame = pl.DataFrame(columns, nan_to_null=True)
    lazy = mgrlead.score_frame(r, frame.lazy()).collect()
    out["polars-lazy"] = (lazy["n_band"].to_list(), lazy["overall_band"].to_list())
    relation = duckdb.from_arrow(frame.to_arrow())
    done = pl.from_arrow(mgrlead.score_frame(r, relation).arrow())
    assert isinstance(done, pl.DataFrame)
    out["duckdb"] = (done["n_band"].to_list(), done["overall_band"].to_list())
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    band_sets(Fraction(1), Fraction(5), Fraction(1, 4)),
    band_sets(Fraction(0), Fraction(100), Fraction(25, 4)),
)
def test_every_engine_gives_the_declared_band(on_mean: list[Band], on_percent: list[Band]) -> None:
    r = _bigfive_rubric(on_mean, on_percent)
    means = [_exact_mean(row) for row in ROWS]
    want_dim = [_declared(on_mean, m) for m in means]
    want_overall = [_declared(on_percent, (m - 1) / 4 * 100) for m in means]
    for engine, (got_dim, got_overall) in _engines(r).items():
        assert got_dim == want_dim, engine
        assert got_overall == want_overall, engine


# ------------------------------------------------------------------ rubric files
TOML = """
id = "points"
version = "1"
title = "Points"

[scale]
min = 1
max = 5
labels = ["1", "2", "3", "4", "5"]

[[dimensions]]
id = "n"
name = "Neuroticism"
low = { id = "calm", label = "Calm" }
high = { id = "tense", label = "Tense" }
band_on = "mean"
items = [
  { id = "a", text = "I worry.", keyed = "tense" },
  { id = "b", text = "I relax.", keyed = "calm" },
]

[[dimensions.bands]]
id = "low"
label = "Low"
lower = 1
upper = 3

[[dimensions.bands]]
id = "neutral"
label = "Neutral"
lower = 3
upper = 3
include_upper = true

[[dimensions.bands]]
id = "high"
label = "High"
lower = 3
upper = 5
include_lower = false
include_upper = true
"""


def test_a_point_band_in_a_rubric_file() -> None:
    from_toml = load_rubric_text(TOML, fmt="toml", source="points.toml")
    assert mgrlead.score(from_toml, {"a": 4, "b": 4})["n"].band == "neutral"
    assert mgrlead.score(from_toml, {"a": 4, "b": 3})["n"].band == "high"
    data = unstructure_rubric(from_toml)
    jsonschema.validate(data, rubric_schema())  # the schema allows it
    from_json = load_rubric_text(json.dumps(data), fmt="json", source="points.json")
    assert from_json == from_toml


def test_a_point_band_that_excludes_its_point_is_refused_in_a_file() -> None:
    broken = TOML.replace("upper = 3\ninclude_upper = true\n", "upper = 3\n")
    assert broken != TOML
    with pytest.raises(RubricFileError, match=r"points\.toml.*band 'neutral' runs from 3"):
        load_rubric_text(broken, fmt="toml", source="points.toml")


def test_a_point_band_is_drawn_alike_in_the_terminal_the_html_report_and_the_chart() -> None:
    # the three pictures draw the stretches of mgrlead.model.band_stretches: a
    # point band (here at 50 on 0-100) is a tick in each (the chart left it out)
    from rich.console import Console  # noqa: PLC0415

    from mgrlead.cli.render import BAND_STYLES, Bar  # noqa: PLC0415
    from mgrlead.model import band_stretches  # noqa: PLC0415
    from mgrlead.report import profile_report  # noqa: PLC0415
    from mgrlead.report.charts import profile_chart  # noqa: PLC0415

    on_percent = [
        Band(id="low", label="Low", lower=0, upper=50),
        Band(id="neutral", label="Neutral", lower=50, upper=50, include_upper=True),
        Band(id="high", label="High", lower=50, upper=100, include_lower=False,
             include_upper=True),
    ]  # fmt: skip
    assert band_stretches(on_percent) == [(0, 0.0, 50.0), (2, 50.0, 100.0), (1, 49.5, 50.5)]
    rubric = Rubric(
        id="points", version="1", title="Points", scale=Scale.agreement(5),
        dimensions=[dim("n", [item("a"), item("b", keyed="lo")], bands=on_percent)],
    )  # fmt: skip
    profile = mgrlead.score(rubric, {"a": 5, "b": 1})

    console = Console(width=41, color_system="truecolor", force_terminal=True)
    cells = list(Bar(10.0, on_percent).__rich_console__(console, console.options.update(width=41)))
    colours = [c.style.color.name if c.style and c.style.color else None for c in cells]
    assert colours[20] == BAND_STYLES[1]  # the middle cell (50 of 0-100) is the point band's
    assert colours[19] == BAND_STYLES[0]
    assert colours[21] == BAND_STYLES[2]
    assert colours.count(BAND_STYLES[1]) == 1

    html = profile_report(profile, rubric)
    assert "left: 49.5%; width: 1.0%" in html

    figure = profile_chart(profile, rubric)
    shaded = sorted((p.get_x(), p.get_width()) for p in figure.axes[0].patches
                    if p.get_zorder() == 0)  # fmt: skip
    assert shaded == [(0.0, 50.0), (49.5, 1.0), (50.0, 50.0)]
