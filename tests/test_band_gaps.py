"""Bands that declare gaps (``band_gaps``, issue 16, item 16), on every engine.

A rubric (for its own bands) or a dimension (for bands of its own) may declare
``band_gaps = true``: its bands may then leave stretches or single points of
the range in no band.  A score there is scored (every number present,
``scorable`` true) but has no band: band and label ``None`` in a profile, an
empty band cell in tables, "in no band" on screen.  Undeclared gaps are still
refused, and the message names the declaration.  Expected bands here come from
the declared bounds in exact fractions, never from mgrlead's own compiled cuts.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import dask.dataframe as dd
import duckdb
import jsonschema
import numpy as np
import pandas as pd
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mgrlead
from helpers import dim, item
from mgrlead import Band, Rubric, Scale
from mgrlead.cli import cli
from mgrlead.engines import kernel
from mgrlead.engines.ops import PYTHON
from mgrlead.errors import RubricError, RubricFileError
from mgrlead.io.schema import profile_schema, rubric_schema, score_row_schema
from mgrlead.io.serialize import dump_rubric, load_rubric_text
from mgrlead.plan import boundaries, content_hash
from mgrlead.report import profile_report
from mgrlead.results import Profile

ITEMS = ("a", "b", "c", "d")
#: Every complete answer pattern, every pattern with ``d`` unanswered (means on
#: quarters and on thirds), and five with only ``a`` answered: not scorable (the
#: default policy needs half of the four items).
ROWS = [
    *itertools.product(range(1, 6), repeat=4),
    *((*p, None) for p in itertools.product(range(1, 6), repeat=3)),
    *((a, None, None, None) for a in range(1, 6)),
]  # fmt: skip


def _band(bid: str, lower: float, upper: float, **kw: Any) -> Band:
    return Band(id=bid, label=bid.title(), lower=lower, upper=upper, **kw)


#: "Low" up to 2.5 and "high" from 3.5 on a 1-5 mean: 2.5 to 3.5 is in no band.
ON_MEAN = [_band("low", 1, 2.5), _band("high", 3.5, 5, include_upper=True)]
#: On 0-100: "low" below 25, "high" above 75 (both open there), nothing between.
ON_PERCENT = [_band("low", 0, 25), _band("high", 75, 100, include_lower=False, include_upper=True)]


def _rubric(
    on_mean: list[Band], on_percent: list[Band], *, gaps: bool = True, dim_gaps: bool = True
) -> Rubric:
    items = [item("a"), item("b", keyed="lo"), item("c"), item("d", keyed="lo")]
    return Rubric(
        id="gaps", version="1", title="Gaps", scale=Scale.agreement(5),
        dimensions=[dim("n", items, bands=on_mean, band_on="mean", band_gaps=dim_gaps)],
        bands=on_percent, band_gaps=gaps,
    )  # fmt: skip


# ------------------------------------------------------------------ declaring
class TestDeclaration:
    def test_declared_gaps_load_and_undeclared_ones_are_refused_naming_the_fix(self) -> None:
        assert _rubric(ON_MEAN, ON_PERCENT).band_gaps
        with pytest.raises(
            RubricError,
            match=r"rubric 'gaps': bands 'low' and 'high' leave a gap or overlap: 'low' ends at "
            r"25 but 'high' starts at 75; or, if scores there should be in no band, declare "
            r"band_gaps = true on the rubric",
        ):
            _rubric(ON_MEAN, ON_PERCENT, gaps=False)
        with pytest.raises(
            RubricError,
            match=r"dimension 'n': bands 'low' and 'high' leave a gap or overlap: .*declare "
            r"band_gaps = true on dimension 'n'",
        ):
            _rubric(ON_MEAN, ON_PERCENT, dim_gaps=False)

    @pytest.mark.parametrize(
        ("bands", "message"),
        [
            (
                [_band("low", 0, 50), _band("high", 50, 100, include_lower=False,
                                            include_upper=True)],
                (r"neither includes the boundary 50.*point band between them \(lower = upper = "
                 r"50\); or, if scores there should be in no band, declare band_gaps = true on "
                 r"the rubric"),
            ),
            ([_band("a", 10, 100, include_upper=True)], ("the first band 'a' must start at 0, "
             "inclusive; or, if scores there should be in no band, declare band_gaps")),
            ([_band("a", 0, 90, include_upper=True)], ("the last band 'a' must end at 100, "
             "inclusive; or, if scores there should be in no band, declare band_gaps")),
        ],
    )  # fmt: skip
    def test_each_kind_of_undeclared_gap_names_the_declaration(
        self, bands: list[Band], message: str
    ) -> None:
        with pytest.raises(RubricError, match=message):
            _rubric(ON_MEAN, bands, gaps=False)
        assert _rubric(ON_MEAN, bands).bands == tuple(bands)  # declared: allowed

    @pytest.mark.parametrize(
        ("bands", "message"),
        [
            ([_band("a", 0, 60), _band("b", 40, 100, include_upper=True)],
             r"'a' ends at 60 but 'b' starts at 40$"),
            ([_band("a", 0, 50, include_upper=True), _band("b", 50, 100, include_upper=True)],
             "both include the boundary 50"),
            ([_band("a", -10, 50), _band("b", 60, 100, include_upper=True)],
             "bands must lie within 0 to 100, but they run from -10 to 100"),
            ([_band("a", 0, 50), _band("a", 60, 100, include_upper=True)], "band id 'a' is used"),
            # a gap narrower than the band tolerance: 1e-300 and 1e-60 both count as 0, so
            # a score of 0 would be in both (found by the contract tests' band sets)
            ([_band("a", 1e-300, 1e-300, include_upper=True),
              _band("b", 1e-60, 1e-60, include_upper=True)],
             (r"bands 'a' and 'b' leave a gap narrower than the band tolerance \(1e-09\): 'a' "
              r"ends at 1e-300 and 'b' starts at 1e-60, so a score between them would count as "
              r"in both; let them meet")),
            ([_band("a", 0, 50 - 1e-8), _band("b", 50, 100, include_upper=True)],
             "leave a gap narrower than the band tolerance"),
        ],
    )  # fmt: skip
    def test_overlaps_are_refused_even_with_gaps_declared(
        self, bands: list[Band], message: str
    ) -> None:
        with pytest.raises(RubricError, match=message):
            _rubric(ON_MEAN, bands)

    def test_a_band_narrower_than_the_tolerance_is_refused(self) -> None:
        # between bands that own its bounds its cuts would fall out of order
        with pytest.raises(
            RubricError,
            match=r"band 'b' runs from 50 to 50.000000000001, narrower than the band tolerance "
            r"\(1e-09\): a score in it counts as on both its bounds; make it a point band",
        ):
            _band("b", 50, 50 + 1e-12, include_lower=False)
        assert _band("p", 50, 50, include_upper=True).lower == 50  # a point band is fine

    def test_a_dimension_declares_gaps_only_for_bands_of_its_own(self) -> None:
        with pytest.raises(
            RubricError, match=r"dimension 'n': band_gaps = true needs bands of its own"
        ):
            dim("n", [item("a")], band_gaps=True)

    def test_the_declaration_enters_the_content_hash_only_when_made(self) -> None:
        ml = mgrlead.load_rubric("manager-leader")
        # the hash of the built-in rubric recorded before the field existed
        assert content_hash(ml) == (
            "sha256:8e18316ce49fcb1370aae964360be7687b9cfece07b33a0bd974dee4a2b1a1ab"
        )
        assert content_hash(attrs.evolve(ml, band_gaps=True)) != content_hash(ml)
        first = ml.dimensions[0]
        own = attrs.evolve(first, bands=list(ml.bands))
        with_own = attrs.evolve(ml, dimensions=[own, *ml.dimensions[1:]])
        declared = attrs.evolve(ml, dimensions=[attrs.evolve(own, band_gaps=True),
                                                *ml.dimensions[1:]])  # fmt: skip
        assert content_hash(declared) != content_hash(with_own)


# ------------------------------------------------------------------ the property
@st.composite
def gapped_bands(draw: st.DrawFn, lo: Fraction, hi: Fraction, step: Fraction) -> list[Band]:
    """Bands within ``lo..hi`` on multiples of ``step``, with gaps anywhere.

    Between consecutive chosen points lies a band or a gap; each band includes
    or excludes each end (never both neighbours owning a shared point); a
    point no band includes may get a point band.
    """
    grid = [lo + step * i for i in range(int((hi - lo) / step) + 1)]
    points = sorted(draw(st.sets(st.sampled_from(grid), min_size=2, max_size=6)))
    spans: list[tuple[Fraction, Fraction, bool, bool]] = []
    for left, right in itertools.pairwise(points):
        if not draw(st.booleans()):
            continue  # a gap between them
        taken = bool(spans) and spans[-1][1] == left and spans[-1][3]
        spans.append((left, right, draw(st.booleans()) and not taken, draw(st.booleans())))
    out: list[tuple[Fraction, Fraction, bool, bool]] = []
    for point in points:
        owned = any(
            (a == point and inc_lo) or (b == point and inc_hi) for a, b, inc_lo, inc_hi in spans
        )
        if not owned and draw(st.booleans()):
            out.append((point, point, True, True))
    spans = sorted(spans + out, key=lambda s: (s[0], s[1]))
    if not spans:
        spans = [(points[0], points[0], True, True)]
    return [
        Band(id=f"b{n}", label=f"B{n}", lower=float(a), upper=float(b), include_lower=il,
             include_upper=iu)
        for n, (a, b, il, iu) in enumerate(spans)
    ]  # fmt: skip


def _declared(bands: list[Band], value: Fraction) -> str | None:
    """The band that holds ``value`` exactly by its declared bounds, or ``None`` (a gap)."""
    holding = [
        b.id for b in bands
        if (value > Fraction(b.lower) or (b.include_lower and value == Fraction(b.lower)))
        and (value < Fraction(b.upper) or (b.include_upper and value == Fraction(b.upper)))
    ]  # fmt: skip
    assert len(holding) <= 1, (value, holding)
    return holding[0] if holding else None


def _exact_mean(row: tuple[int | None, ...]) -> Fraction | None:
    keyed = [x if i in {0, 2} else 6 - x for i, x in enumerate(row) if x is not None]
    return Fraction(sum(keyed), len(keyed)) if len(keyed) >= 2 else None


def _columns(rows: list[tuple[int | None, ...]]) -> dict[str, np.ndarray]:
    return {
        name: np.array([np.nan if r[j] is None else r[j] for r in rows], dtype=float)
        for j, name in enumerate(ITEMS)
    }


def _none(values: list[Any]) -> list[Any]:
    return [None if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in values]


def _engines(r: Rubric, rows: list[tuple[int | None, ...]]) -> dict[str, dict[str, list[Any]]]:
    """Per engine: the dimension's band and mean, the overall band and percent, per row."""
    names = ("n_band", "n_mean", "overall_band", "overall_percent")
    columns = _columns(rows)
    out: dict[str, dict[str, list[Any]]] = {}
    profiles = [mgrlead.score(r, dict(zip(ITEMS, row, strict=True))) for row in rows]
    out["python"] = {
        "n_band": [p["n"].band for p in profiles], "n_mean": [p["n"].mean for p in profiles],
        "overall_band": [p.overall.band for p in profiles],
        "overall_percent": [p.overall.percent for p in profiles],
    }  # fmt: skip
    batch = mgrlead.score_frame(r, columns)
    out["numpy"] = {c: _none(list(batch[c])) for c in names}
    eager = mgrlead.score_frame(r, pd.DataFrame(columns))
    out["pandas"] = {c: _none(eager[c].tolist()) for c in names}
    frame = pl.DataFrame(columns, nan_to_null=True)
    out["polars"] = {c: mgrlead.score_frame(r, frame)[c].to_list() for c in names}
    lazy = mgrlead.score_frame(r, frame.lazy()).collect()
    out["polars-lazy"] = {c: lazy[c].to_list() for c in names}
    relation = duckdb.from_arrow(frame.to_arrow())
    done = pl.from_arrow(mgrlead.score_frame(r, relation).arrow())
    assert isinstance(done, pl.DataFrame)
    out["duckdb"] = {c: done[c].to_list() for c in names}
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    gapped_bands(Fraction(1), Fraction(5), Fraction(1, 4)),
    gapped_bands(Fraction(0), Fraction(100), Fraction(25, 4)),
)
def test_every_engine_scores_a_gap_in_no_band(on_mean: list[Band], on_percent: list[Band]) -> None:
    r = _rubric(on_mean, on_percent)
    means = [_exact_mean(row) for row in ROWS]
    percents = [None if m is None else (m - 1) / 4 * 100 for m in means]
    want = {
        "n_band": [None if m is None else _declared(on_mean, m) for m in means],
        "overall_band": [None if p is None else _declared(on_percent, p) for p in percents],
    }
    for engine, got in _engines(r, ROWS).items():
        for name in ("n_band", "overall_band"):
            assert got[name] == want[name], (engine, name)
        # scored wherever the policy allows: a number, band or not; never where it does not
        for name in ("n_mean", "overall_percent"):
            assert [v is not None for v in got[name]] == [m is not None for m in means], engine


def test_a_score_in_a_gap_is_scored_without_a_band() -> None:
    r = _rubric(ON_MEAN, ON_PERCENT)
    # keyed a, 6 - b, c, 6 - d: a mean of 3, percent 50: in both gaps
    p = mgrlead.score(r, {"a": 3, "b": 3, "c": 3, "d": 3})
    assert p["n"].scorable
    assert p["n"].reason is None
    assert p["n"].mean == 3.0
    assert (p["n"].band, p["n"].band_label) == (None, None)
    assert p.overall.scorable
    assert p.overall.percent == 50.0
    assert (p.overall.band, p.overall.band_label) == (None, None)
    # at the bounds: "low" excludes 2.5, "high" includes 3.5; on 0-100 both exclude theirs
    assert mgrlead.score(r, {"a": 2, "b": 3, "c": 3, "d": 4})["n"].band is None  # 2.5
    assert mgrlead.score(r, {"a": 4, "b": 3, "c": 3, "d": 2})["n"].band == "high"  # 3.5
    assert mgrlead.score(r, {"a": 2, "b": 4, "c": 2, "d": 4})["n"].band == "low"  # 2.0
    assert mgrlead.score(r, {"a": 2, "b": 4, "c": 2, "d": 4}).overall.percent == 25.0
    assert mgrlead.score(r, {"a": 2, "b": 4, "c": 2, "d": 4}).overall.band is None
    # and a profile from the batch engine is the same profile
    columns = _columns([(3, 3, 3, 3)])
    from mgrlead.api import scorer  # noqa: PLC0415
    from mgrlead.engines.batch import score_matrix  # noqa: PLC0415

    matrix = np.column_stack([columns[i] for i in ITEMS])
    assert score_matrix(scorer(r).plan, matrix).profile(0) == p


@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
@pytest.mark.parametrize("kind", ["dask", "spark"])
def test_partitions_leave_the_band_empty_and_keep_the_score(
    kind: str, request: pytest.FixtureRequest
) -> None:
    r = _rubric(ON_MEAN, ON_PERCENT)
    rows = [(3, 3, 3, 3), (5, 1, 5, 1), (1, 5, 1, 5), (3, None, None, None), (4, 3, 3, 2)]
    frame = pd.DataFrame({"row": range(len(rows)), **_columns(rows)})
    if kind == "dask":
        out = mgrlead.score_frame(r, dd.from_pandas(frame, npartitions=2)).compute()
        got = out.sort_values("row")
        table = {c: _none(got[c].tolist()) for c in ("n_band", "n_mean", "overall_band")}
    else:
        spark = request.getfixturevalue("spark")
        done = mgrlead.score_frame(r, spark.createDataFrame(frame).repartition(2))
        ordered = sorted((x.asDict() for x in done.collect()), key=lambda x: x["row"])
        table = {c: [x[c] for x in ordered] for c in ("n_band", "n_mean", "overall_band")}
    assert table["n_band"] == [None, "high", "low", None, "high"]
    assert table["n_mean"] == [3.0, 5.0, 1.0, None, 3.5]
    assert table["overall_band"] == [None, "high", "low", None, None]  # 62.5 in the gap


@pytest.fixture(scope="session")
def spark() -> Any:
    """A local Spark, as tests/test_partitions.py makes it (getOrCreate: the same one)."""
    from pyspark.sql import SparkSession  # noqa: PLC0415

    session = (
        SparkSession.builder.master("local[1]")
        .appName("mgrlead-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.range(1).sortWithinPartitions("id")
    yield session
    session.stop()


def test_a_norm_interval_that_leaves_a_band_for_gaps_is_borderline() -> None:
    from mgrlead.analysis.norms import DimensionNorm, NormGroup, NormTable  # noqa: PLC0415

    # one band between two gaps: an interval around it has both ends in no band
    r = _rubric([_band("mid", 2.5, 3.5, include_upper=True)], ON_PERCENT)
    cuts = mgrlead.api.scoring_plan(r).dimensions[0].boundaries
    assert kernel.band_index(PYTHON, 2.0, cuts) == kernel.band_index(PYTHON, 4.0, cuts)
    assert kernel.band_index(PYTHON, 3.0, cuts) == 0

    def borderline(sd: float) -> bool | None:
        norm = DimensionNorm(mean=3.0, sd=sd, reliability=0.75)  # sem = sd / 2
        table = NormTable(id="t", version="1", population="p", rubric="gaps", metric="mean",
                          groups=[NormGroup(id="all", dimensions={"n": norm})])  # fmt: skip
        p = mgrlead.score(r, {"a": 3, "b": 3, "c": 3, "d": 3}, norms=table)
        assert p["n"].band == "mid"
        assert p["n"].norm is not None
        return p["n"].norm.borderline

    assert borderline(sd=2.0) is True  # 3 -/+ 1.96: from the gap below to the gap above
    assert borderline(sd=0.2) is False  # 3 -/+ 0.196: inside "mid"
    assert boundaries(mgrlead.load_rubric("manager-leader").bands).codes == (0, 1, 2)


# ------------------------------------------------------------------ outputs
def test_the_profile_json_round_trips_and_fits_its_schema() -> None:
    r = _rubric(ON_MEAN, ON_PERCENT)
    p = mgrlead.score(r, {"a": 3, "b": 3, "c": 3, "d": 3})
    data = json.loads(p.to_json())
    jsonschema.validate(data, profile_schema())
    assert data["dimensions"][0]["band"] is None
    assert data["dimensions"][0]["scorable"] is True
    assert Profile.from_json(p.to_json()) == p


TOML = """
id = "gaps"
version = "1"
title = "Gaps"
band_gaps = true

[scale]
min = 1
max = 5
labels = ["1", "2", "3", "4", "5"]

[[bands]]
id = "low"
label = "Low"
lower = 0
upper = 25

[[bands]]
id = "high"
label = "High"
lower = 75
upper = 100
include_lower = false
include_upper = true

[[dimensions]]
id = "n"
name = "Neuroticism"
low = { id = "calm", label = "Calm" }
high = { id = "tense", label = "Tense" }
band_on = "mean"
band_gaps = true
items = [
  { id = "a", text = "I worry.", keyed = "tense" },
  { id = "b", text = "I relax.", keyed = "calm" },
]

[[dimensions.bands]]
id = "low"
label = "Low"
lower = 1
upper = 2.5

[[dimensions.bands]]
id = "high"
label = "High"
lower = 3.5
upper = 5
include_upper = true

[[dimensions]]
id = "e"
name = "Extraversion"
low = { id = "quiet", label = "Quiet" }
high = { id = "lively", label = "Lively" }
items = [
  { id = "c", text = "I talk a lot.", keyed = "lively" },
  { id = "d", text = "I keep to myself.", keyed = "quiet" },
]
"""


@pytest.mark.parametrize("fmt", ["json", "yaml", "toml"])
def test_the_declarations_in_rubric_files(fmt: str) -> None:
    r = load_rubric_text(TOML, fmt="toml", source="gaps.toml")
    assert r.band_gaps
    assert r.dimensions[0].band_gaps
    assert not r.dimensions[1].band_gaps  # uses the rubric's bands, and their declaration
    text = dump_rubric(r, fmt)
    if fmt == "json":
        jsonschema.validate(json.loads(text), rubric_schema())
    assert load_rubric_text(text, fmt=fmt) == r
    p = mgrlead.score(r, {"a": 3, "b": 3, "c": 3, "d": 3})
    assert [(s.scorable, s.band) for s in p] == [(True, None), (True, None)]
    assert mgrlead.score(r, {"a": 5, "b": 1, "c": 5, "d": 1})["e"].band == "high"


def test_an_undeclared_gap_in_a_file_names_the_file_and_the_declaration() -> None:
    broken = TOML.replace('band_on = "mean"\nband_gaps = true\n', 'band_on = "mean"\n')
    assert broken != TOML
    with pytest.raises(
        RubricFileError,
        match=r"gaps\.toml.*'low' ends at 2\.5 but 'high' starts at 3\.5; or, if scores there "
        r"should be in no band, declare band_gaps = true on dimension 'n'",
    ):
        load_rubric_text(broken, fmt="toml", source="gaps.toml")


@pytest.fixture
def gap_files(tmp_path: Path) -> tuple[Path, Path]:
    rubric = tmp_path / "gaps.toml"
    rubric.write_text(TOML)
    answers = tmp_path / "answers.csv"
    answers.write_text("id,a,b,c,d\np1,3,3,3,3\np2,5,1,5,1\np3,,,5,1\n")
    return rubric, answers


def test_the_score_command_writes_an_empty_band_beside_the_score(
    gap_files: tuple[Path, Path],
) -> None:
    rubric, answers = gap_files
    result = CliRunner().invoke(cli, ["score", str(answers), "--rubric", str(rubric)])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert (float(rows["p1"]["n_mean"]), rows["p1"]["n_band"]) == (3.0, "")  # in no band
    assert (float(rows["p1"]["overall_percent"]), rows["p1"]["overall_band"]) == (50.0, "")
    assert (float(rows["p2"]["n_mean"]), rows["p2"]["n_band"]) == (5.0, "high")
    assert (rows["p3"]["n_mean"], rows["p3"]["n_band"]) == ("", "")  # not scorable
    assert (float(rows["p3"]["e_percent"]), rows["p3"]["e_band"]) == (100.0, "high")
    parquet = answers.with_suffix(".parquet")
    made = CliRunner().invoke(
        cli, ["score", str(answers), "--rubric", str(rubric), "--format", "parquet", "-o",
              str(parquet)],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    table = pl.read_parquet(parquet)
    assert table["n_band"].to_list() == [None, "high", None]
    assert table["n_mean"].to_list() == [3.0, 5.0, None]
    as_json = CliRunner().invoke(
        cli, ["score", str(answers), "--rubric", str(rubric), "--format", "json"]
    )
    assert as_json.exit_code == 0, as_json.output
    text = as_json.stdout.strip()
    records = json.loads(text) if text.startswith("[") else [json.loads(x) for x in
                                                              text.splitlines()]  # fmt: skip
    first = records[0]
    assert (first["n_mean"], first["n_band"], first["overall_band"]) == (3.0, None, None)
    schema = score_row_schema(mgrlead.api.scoring_plan(load_rubric_text(TOML, fmt="toml")))
    jsonschema.validate(first, schema)


def test_assess_and_the_report_say_in_no_band(tmp_path: Path, gap_files: tuple[Path, Path]) -> None:
    rubric, _ = gap_files
    answers = tmp_path / "a.json"
    answers.write_text('{"a": 3, "b": 3, "c": 3, "d": 3}')
    saved = tmp_path / "me.json"
    shown = CliRunner().invoke(
        cli, ["assess", "--rubric", str(rubric), "--answers", str(answers), "-o", str(saved)]
    )
    assert shown.exit_code == 0, shown.output
    out = " ".join(shown.stdout.split())
    assert "in no band" in out
    assert "Your score falls between the bands, so no band describes it." in out
    assert "not scorable" not in out
    assert "None" not in out
    page = tmp_path / "r.html"
    made = CliRunner().invoke(cli, ["report", str(saved), "--rubric", str(rubric), "-o",
                                    str(page)])  # fmt: skip
    assert made.exit_code == 0, made.output
    html = page.read_text()
    assert "in no band" in html
    assert "Your score falls between the bands, so no band describes it." in html
    assert "None" not in html
    assert "not scorable" not in html


def test_the_profile_chart_says_in_no_band() -> None:
    from mgrlead.report.charts import profile_chart  # noqa: PLC0415

    r = load_rubric_text(TOML, fmt="toml")
    p = mgrlead.score(r, {"a": 3, "b": 3, "c": 3, "d": 3})
    texts = [t.get_text() for t in profile_chart(p, r).axes[0].texts]
    assert any(t.endswith("in no band") for t in texts), texts
    assert not any("None" in t for t in texts)
    assert "in no band" in profile_report(p, r)


def test_360_views_and_team_summaries_count_a_gap_as_no_band() -> None:
    from mgrlead.groups.multirater import score_360  # noqa: PLC0415
    from mgrlead.groups.teams import summarize_teams  # noqa: PLC0415
    from mgrlead.report import feedback360_report, team_report  # noqa: PLC0415

    r = _rubric(ON_MEAN, ON_PERCENT)
    rows = [("self", (3, 3, 3, 3)), *[("peer", (3, 3, 3, 3))] * 3]
    data: dict[str, list[Any]] = {"subject": [], "rater_group": [], "team": []}
    data |= {i: [] for i in ITEMS}
    for group, answers in rows:
        data["subject"].append("s")
        data["rater_group"].append(group)
        data["team"].append("t")
        for i, a in zip(ITEMS, answers, strict=True):
            data[i].append(a)
    view = score_360(r, data)["s"]["peer"]["n"]
    assert view.shown
    assert view.mean == 3.0
    assert (view.band, view.band_label) == (None, None)
    html = feedback360_report(score_360(r, data), r, "s")
    assert "in no band" in html
    assert ">None<" not in html
    # a team of four, three in the gap and one "high"
    team = {k: [*v, v[-1]] for k, v in data.items()}
    for i, a in zip(ITEMS, (5, 1, 5, 1), strict=True):
        team[i][-1] = a
    summary = summarize_teams(r, team, by="team")
    stats = summary.teams[0].dimensions[0]
    assert (stats.scored, stats.bands) == (5, {"low": 0, "high": 1})
    assert stats.in_no_band == 4
    assert "in no band: 4" in " ".join(team_report(summary, r).split())
    # the table export (CSV, Parquet) has the column too: band counts add up
    (row,) = summary.to_rows()
    assert (row["band_low"], row["band_high"], row["in_no_band"]) == (0, 1, 4)


def test_rubric_show_says_that_bands_leave_gaps(gap_files: tuple[Path, Path]) -> None:
    rubric, _ = gap_files
    shown = CliRunner().invoke(cli, ["rubric", "show", str(rubric)])
    assert shown.exit_code == 0, shown.output
    said = " ".join(shown.stdout.split())
    assert said.count("A score outside these bands is in no band (band_gaps).") == 2
    plain = CliRunner().invoke(cli, ["rubric", "show", "manager-leader"])
    assert "in no band" not in plain.stdout


def test_bands_on_the_headline_score_may_declare_gaps_too() -> None:
    # the "sum" strategy's score runs from 4 to 20 here; bands leave 9 to 15 out
    bands = [_band("few", 4, 9), _band("many", 15, 20, include_upper=True)]
    items = [item("a"), item("b", keyed="lo"), item("c"), item("d", keyed="lo")]

    def build(*, gaps: bool) -> Rubric:
        d = dim("n", items, bands=bands, band_on="score", band_gaps=gaps)
        return Rubric(id="gaps", version="1", title="Gaps", scale=Scale.agreement(5),
                      strategy="sum", dimensions=[d])  # fmt: skip

    with pytest.raises(
        RubricError, match=r"declare band_gaps = true on dimension 'n' \(the 'sum' score runs"
    ):
        mgrlead.score(build(gaps=False), dict.fromkeys(ITEMS, 3))
    r = build(gaps=True)
    assert [mgrlead.score(r, {"a": a, "b": 6 - a, "c": a, "d": 6 - a})["n"].band
            for a in (1, 2, 3, 4, 5)] == ["few", "few", None, "many", "many"]  # fmt: skip


def test_the_hypothesis_kit_draws_gaps_and_point_bands() -> None:
    # the kit's band sets: without gaps they cover 0..100 once (a cut may be a
    # point band); with gaps some stretches are in no band; both always valid
    from hypothesis import find, given, settings  # noqa: PLC0415
    from hypothesis.errors import InvalidArgument  # noqa: PLC0415

    from mgrlead.model import check_bands  # noqa: PLC0415
    from mgrlead.testing import hypothesis as mh  # noqa: PLC0415

    def has_gap(bands: tuple[Band, ...]) -> bool:
        return any(a.upper < b.lower for a, b in itertools.pairwise(bands)) or (
            bands[0].lower > 0 or bands[-1].upper < 100
        )

    fast = settings(database=None, max_examples=200)
    assert has_gap(find(mh.band_sets(gaps=True), has_gap, settings=fast))
    assert any(b.lower == b.upper for b in find(mh.band_sets(), lambda bs: any(
        b.lower == b.upper for b in bs), settings=fast))  # fmt: skip

    @settings(max_examples=100, deadline=None)
    @given(mh.band_sets(), mh.band_sets(gaps=True))
    def valid(full: tuple[Band, ...], gappy: tuple[Band, ...]) -> None:
        check_bands(full, "drawn", gaps=False)
        check_bands(gappy, "drawn", gaps=True)
        for bands, gaps in ((full, False), (gappy, True)):  # the compiled cuts stay in order
            cuts = [bound for bound, _ in boundaries(bands, gaps=gaps).cuts]
            assert cuts == sorted(cuts), (bands, cuts)

    valid()

    # on a range barely wider than the band tolerance, cuts drawn closer than it
    # are merged (a band that narrow, or a gap, would hold scores that count as
    # on both its bounds): the kit's band sets still pass the check
    @settings(max_examples=100, deadline=None)
    @given(mh.band_sets(low=0.0, high=1e-8, gaps=True), mh.band_sets(low=0.0, high=1e-8))
    def tiny(gappy: tuple[Band, ...], full: tuple[Band, ...]) -> None:
        check_bands(gappy, "drawn", 0.0, 1e-8, gaps=True)
        check_bands(full, "drawn", 0.0, 1e-8)

    tiny()
    with pytest.raises(InvalidArgument, match="closer than the band tolerance"):
        find(mh.band_sets(low=0.0, high=1e-10), lambda _: True)
    seen: list[bool] = []

    @settings(max_examples=40, deadline=None)
    @given(mh.rubrics(max_dimensions=1))
    def rubrics(rubric: Rubric) -> None:
        seen.append(rubric.band_gaps or any(d.band_gaps for d in rubric.walk()))

    rubrics()
    assert any(seen)
