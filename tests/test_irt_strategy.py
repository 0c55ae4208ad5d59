"""θ as a scoring strategy on every engine (issue 17, part 2).

The reference for θ is :func:`mgrlead.irt.score_theta`, itself checked against
scipy integration in ``test_irt.py``; the reference for the ordinary metrics is
the same rubric scored with the ``mean`` strategy.  Bands and the borderline
flag are checked with :meth:`mgrlead.model.Band.contains` and
:class:`statistics.NormalDist`, not with the kernel's own cuts.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from statistics import NormalDist
from typing import Any

import attrs
import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mgrlead
from helpers import irt_rubric, one_line_error, run
from mgrlead.errors import RubricError, RubricFileError
from mgrlead.io.schema import rubric_schema
from mgrlead.io.serialize import dump_rubric, load_rubric_text
from mgrlead.irt import Prior, Quadrature, ThetaStrategy, score_theta
from mgrlead.model import Band, IrtParams, Rubric, ThetaOptions
from mgrlead.plan import content_hash

ML = mgrlead.load_rubric("manager-leader")
PARAMS = [
    IrtParams(model="grm", a=1.2, thresholds=(-1.8, -0.6, 0.4, 1.7)),
    IrtParams(model="grm", a=2.0, thresholds=(-1.0, -0.2, 0.3, 0.9), scaling=1.702),
    IrtParams(model="gpcm", a=0.8, steps=(-1.5, 0.5, -0.2, 1.1)),
    IrtParams(model="pcm", steps=(-0.5, -1.0, 0.8, 1.4)),
    IrtParams(model="grm", a=0.7, thresholds=(-2.2, -1.1, 0.1, 1.3)),
    IrtParams(model="gpcm", a=1.6, steps=(-0.9, -0.3, 0.2, 0.8)),
]


def _calibrated(rubric: Rubric = ML, **options: Any) -> Rubric:
    """The built-in rubric with parameters on every item (reverse keying included)."""
    dims = []
    n = 0
    for dim in rubric.dimensions:
        items = []
        for item in dim.items:
            items.append(attrs.evolve(item, irt=PARAMS[n % len(PARAMS)]))
            n += 1
        dims.append(attrs.evolve(dim, items=items))
    theta = ThetaOptions(**options) if options else None
    return attrs.evolve(rubric, dimensions=dims, strategy="theta", theta=theta)


RUBRIC = _calibrated()
MEAN = attrs.evolve(RUBRIC, strategy="mean")


def _method_kwargs(rubric: Rubric) -> dict[str, Any]:
    o = rubric.theta if rubric.theta is not None else ThetaOptions()
    prior = Prior(mean=o.prior_mean, sd=o.prior_sd)
    return {
        "method": o.method,
        "prior": None if o.method == "ml" else prior,
        "quadrature": Quadrature(points=o.points, lower=o.lower, upper=o.upper),
    }


def _matrix(seed: int, n: int = 40, missing: float = 0.2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 6, size=(n, len(RUBRIC.item_ids))).astype(float)
    values[rng.random(values.shape) < missing] = np.nan
    return values


def _answers(row: np.ndarray, rubric: Rubric = RUBRIC) -> dict[str, int | None]:
    return {i: None if math.isnan(v) else int(v) for i, v in zip(rubric.item_ids, row, strict=True)}


# ------------------------------------------------------------------ one respondent
@pytest.mark.parametrize("method", ["eap", "map", "ml"])
def test_score_gives_the_theta_of_score_theta(method: str) -> None:
    rubric = _calibrated(method=method, prior_sd=1.3)
    answers = _answers(_matrix(1, n=1)[0], rubric)
    profile = mgrlead.score(rubric, answers)
    expected = score_theta(rubric, answers, **_method_kwargs(rubric))
    for d in rubric.dimensions:
        got, want = profile[d.id], expected[d.id]
        assert got.theta is not None
        assert got.theta.method == method
        assert got.theta.theta == want.theta
        assert got.score == want.theta  # the headline is θ
        assert got.theta.theta_se == want.se
        assert got.theta.t_score == 50.0 + 10.0 * got.theta.theta
        if method == "ml":  # no prior in the likelihood; the declared one is the population
            population = Prior(mean=0.0, sd=1.3).percentile(np.array([want.theta]))[0]
            assert got.theta.theta_percentile == population
        else:
            assert got.theta.theta_percentile == want.percentile
    assert profile.strategy == "theta"


def test_theta_chosen_at_call_time() -> None:
    answers = _answers(_matrix(8, n=1)[0])
    chosen = mgrlead.score(MEAN, answers, strategy="theta")
    declared = mgrlead.score(RUBRIC, answers)
    assert chosen.dimensions == declared.dimensions
    assert chosen.overall == declared.overall
    assert chosen.sources["strategy:theta"].startswith("mgrlead.builtin")
    assert chosen.strategy == "theta"
    assert MEAN.strategy == "mean"
    frame = mgrlead.score_frame(MEAN, {i: [v] for i, v in answers.items()}, strategy="theta")
    assert frame["process_results_theta"][0] == chosen["process_results"].score


def test_the_ordinary_metrics_stay_those_of_the_sums() -> None:
    for row in _matrix(2, n=10):
        answers = _answers(row)
        theta, mean = mgrlead.score(RUBRIC, answers), mgrlead.score(MEAN, answers)
        for a, b in zip(theta, mean, strict=True):
            assert (a.sum, a.mean, a.percent, a.position) == (b.sum, b.mean, b.percent, b.position)
            assert (a.answered, a.missing, a.scorable) == (b.answered, b.missing, b.scorable)
        assert theta.overall == mean.overall


def test_missing_answers_drop_out_of_the_likelihood_and_are_never_zero() -> None:
    answers = dict.fromkeys(RUBRIC.item_ids, 4) | {"pr1": None, "pr2": None}
    profile = mgrlead.score(RUBRIC, answers)
    # the same θ as a rubric without the two unanswered items at all
    dim = RUBRIC.dimensions[0]
    kept = [i for i in dim.items if i.id not in {"pr1", "pr2"}]
    smaller = attrs.evolve(RUBRIC, dimensions=[attrs.evolve(dim, items=kept)])
    alone = mgrlead.score(smaller, {i.id: 4 for i in kept})
    assert profile["process_results"].score == alone["process_results"].score
    zero = score_theta(RUBRIC, answers | {"pr1": 1, "pr2": 1})["process_results"].theta
    assert profile["process_results"].score != zero


def test_the_missing_data_policy_still_decides() -> None:
    answers = dict.fromkeys(RUBRIC.item_ids, 4) | {f"pr{k}": None for k in range(1, 6)}
    result = mgrlead.score(RUBRIC, answers)["process_results"]
    assert not result.scorable
    assert result.theta is None
    assert result.score is None
    assert result.reason == "1 of 6 items answered; at least 3 needed"


def test_ml_with_every_answer_at_one_end_is_not_scorable_with_the_reason() -> None:
    rubric = _calibrated(method="ml")
    lowest = {}
    for dim in rubric.dimensions:
        for item in dim.items:
            lowest[item.id] = 5 if dim.reverses(item.keyed) else 1  # keyed category 0
    profile = mgrlead.score(rubric, lowest)
    result = profile["process_results"]
    assert not result.scorable
    assert result.reason is not None
    assert "lowest category" in result.reason
    assert result.sum is None
    assert result.theta is None
    assert not profile.overall.scorable
    batch = mgrlead.score_matrix(rubric, np.array([[float(lowest[i]) for i in rubric.item_ids]]))
    assert batch.profile(0) == profile
    assert math.isnan(batch.overall["percent"][0])


def test_json_round_trip_and_old_profiles_still_load() -> None:
    profile = mgrlead.score(RUBRIC, _answers(_matrix(3, n=1)[0]))
    assert mgrlead.Profile.from_json(profile.to_json()) == profile
    old = json.loads(mgrlead.score(ML, dict.fromkeys(ML.item_ids, 3)).to_json())
    for d in old["dimensions"]:
        del d["theta"]  # written before θ existed
    assert mgrlead.Profile.from_dict(old)["process_results"].theta is None


# ------------------------------------------------------------------ batches and engines
@pytest.mark.parametrize("method", ["eap", "map", "ml"])
def test_score_matrix_and_eager_frames_give_the_theta_of_score_theta(method: str) -> None:
    rubric = _calibrated(method=method)
    values = _matrix(4)
    expected = score_theta(rubric, values, **_method_kwargs(rubric))
    batch = mgrlead.score_matrix(rubric, values)
    frames = {
        "pandas": mgrlead.score_frame(rubric, pd.DataFrame(values, columns=rubric.item_ids)),
        "polars": mgrlead.score_frame(
            rubric, pl.DataFrame(values, schema=list(rubric.item_ids))
        ).to_pandas(),
    }
    for d in rubric.dimensions:
        want = expected[d.id]
        ok = want.status == 0
        got = batch.dimensions[d.id]
        np.testing.assert_array_equal(got["theta"][ok], want.theta[ok])
        np.testing.assert_array_equal(got["theta_se"][ok], want.se[ok])
        np.testing.assert_array_equal(got["score"][ok], want.theta[ok])
        for frame in frames.values():
            np.testing.assert_array_equal(frame[f"{d.id}_theta"].to_numpy()[ok], want.theta[ok])
            np.testing.assert_array_equal(frame[f"{d.id}_t_score"].to_numpy()[ok],
                                          want.t_score[ok])  # fmt: skip
    for row in range(len(values)):
        assert batch.profile(row) == mgrlead.score(rubric, _answers(values[row], rubric))


def _normal(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


LAZY = {
    "polars-lazy": lambda df: pl.from_pandas(df).lazy(),
    "duckdb": duckdb.from_df,
    "polars-native": pl.from_pandas,  # an eager frame with engine="native"
}


def _collect(result: Any) -> pd.DataFrame:
    if isinstance(result, pl.LazyFrame):
        return result.collect().to_pandas()
    if isinstance(result, pl.DataFrame):
        return result.to_pandas()
    if isinstance(result, duckdb.DuckDBPyRelation):
        return result.df()
    return result.compute().reset_index(drop=True)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(1, 12),
    method=st.sampled_from(["eap", "map", "ml"]),
    engine=st.sampled_from(list(LAZY)),
)
def test_lazy_engines_equal_the_numpy_engine(
    seed: int, rows: int, method: str, engine: str
) -> None:
    rubric = _calibrated(method=method)
    frame = pd.DataFrame(_matrix(seed, n=rows, missing=0.3), columns=rubric.item_ids)
    frame.insert(0, "person", [f"p{n}" for n in range(rows)])
    expected = mgrlead.score_frame(rubric, frame)
    mode = "native" if engine == "polars-native" else "auto"
    got = _collect(mgrlead.score_frame(rubric, LAZY[engine](frame), engine=mode))
    assert list(got.columns) == list(expected.columns)
    assert "process_results_theta" in got.columns
    for column in expected.columns:
        left = [_normal(v) for v in expected[column]]
        right = [_normal(v) for v in got[column]]
        assert left == right, (engine, column)


def test_dask_scores_theta_per_partition() -> None:
    import dask.dataframe as dd  # noqa: PLC0415 - only this test needs Dask

    frame = pd.DataFrame(_matrix(5, n=30), columns=RUBRIC.item_ids)
    expected = mgrlead.score_frame(RUBRIC, frame)
    got = _collect(mgrlead.score_frame(RUBRIC, dd.from_pandas(frame, npartitions=3)))
    for column in expected.columns:
        assert [_normal(v) for v in expected[column]] == [_normal(v) for v in got[column]]


# ------------------------------------------------------------------ properties
def _one_dimension(keyed: list[str], params: list[IrtParams], **theta: Any) -> Rubric:
    options = {"strategy": "theta", "theta": ThetaOptions(**theta) if theta else None}
    return irt_rubric(params, keyed, rubric_id="theta-test", title="θ", rubric_fields=options)


GRM_PARAMS = st.builds(
    lambda a, b: IrtParams(model="grm", a=a, thresholds=tuple(sorted(b))),
    st.floats(0.3, 3.0),
    st.lists(st.floats(-3, 3), min_size=4, max_size=4, unique=True).filter(
        lambda b: min(abs(x - y) for x in b for y in b if x != y) > 0.05
    ),
)


@settings(max_examples=40, deadline=None)
@given(
    params=st.lists(GRM_PARAMS, min_size=2, max_size=5),
    data=st.data(),
    method=st.sampled_from(["eap", "map"]),
)
def test_theta_rises_when_an_answer_moves_toward_the_high_pole(
    params: list[IrtParams], data: st.DataObject, method: str
) -> None:
    keyed = data.draw(st.lists(st.sampled_from(["high", "low"]), min_size=len(params),
                               max_size=len(params)))  # fmt: skip
    rubric = _one_dimension(keyed, params, method=method)
    answers = {f"i{n}": data.draw(st.integers(1, 5)) for n in range(len(params))}
    n = data.draw(st.integers(0, len(params) - 1))
    toward = 1 if keyed[n] == "high" else -1
    moved = answers[f"i{n}"] + toward
    if not 1 <= moved <= 5:
        return
    before = mgrlead.score(rubric, answers)["trait"].score
    after = mgrlead.score(rubric, answers | {f"i{n}": moved})["trait"].score
    assert before is not None
    assert after is not None
    assert after > before


@settings(max_examples=40, deadline=None)
@given(params=st.lists(GRM_PARAMS, min_size=2, max_size=5), data=st.data())
def test_reversing_an_items_keying_with_its_data_gives_the_same_theta(
    params: list[IrtParams], data: st.DataObject
) -> None:
    k = len(params)
    keyed = data.draw(st.lists(st.sampled_from(["high", "low"]), min_size=k, max_size=k))
    answers = {f"i{n}": data.draw(st.one_of(st.none(), st.integers(1, 5))) for n in range(k)}
    if all(v is None for v in answers.values()):
        return
    n = data.draw(st.integers(0, k - 1))
    flipped = [*keyed]
    flipped[n] = "low" if keyed[n] == "high" else "high"
    x = answers[f"i{n}"]
    reversed_answers = answers | {f"i{n}": None if x is None else 6 - x}
    a = mgrlead.score(_one_dimension(keyed, params), answers)["trait"]
    b = mgrlead.score(_one_dimension(flipped, params), reversed_answers)["trait"]
    if a.theta is None:  # too few answers for the missing-data policy
        assert b.theta is None
        assert a.reason == b.reason
        return
    assert b.theta is not None
    assert math.isclose(a.theta.theta, b.theta.theta, rel_tol=0, abs_tol=1e-12)
    assert math.isclose(a.theta.theta_se, b.theta.theta_se, rel_tol=0, abs_tol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    params=st.lists(GRM_PARAMS, min_size=1, max_size=5),
    sd=st.floats(0.5, 2.0),
    data=st.data(),
)
def test_the_eap_standard_error_never_exceeds_the_prior_sd(
    params: list[IrtParams], sd: float, data: st.DataObject
) -> None:
    rubric = _one_dimension(["high"] * len(params), params, prior_sd=sd, lower=-8.0, upper=8.0)
    answers = {f"i{n}": data.draw(st.integers(1, 5)) for n in range(len(params))}
    result = mgrlead.score(rubric, answers)["trait"].theta
    assert result is not None
    assert result.theta_se <= sd


# ------------------------------------------------------------------ bands and borderline
THETA_BANDS = (
    Band(id="below", label="Below", lower=-6.0, upper=-0.5),
    Band(id="typical", label="Typical", lower=-0.5, upper=0.5, include_upper=True),
    Band(id="above", label="Above", lower=0.5, upper=6.0, include_lower=False, include_upper=True),
)


def _banded(**theta: Any) -> Rubric:
    rubric = _calibrated(**theta)
    dims = [attrs.evolve(d, bands=THETA_BANDS, band_on="score") for d in rubric.dimensions]
    return attrs.evolve(rubric, dimensions=dims)


def test_bands_on_theta_and_the_borderline_flag() -> None:
    rubric = _banded(confidence=0.9)
    z = NormalDist().inv_cdf(0.95)
    seen = set()
    for row in _matrix(6, n=60, missing=0.1):
        for result in mgrlead.score(rubric, _answers(row)):
            assert result.theta is not None
            t, se = result.theta.theta, result.theta.theta_se
            (band,) = [b for b in THETA_BANDS if b.contains(t)]
            assert result.band == band.id
            lo = [b.id for b in THETA_BANDS if b.contains(t - z * se)]
            hi = [b.id for b in THETA_BANDS if b.contains(t + z * se)]
            assert result.theta.theta_borderline == (lo != hi)
            seen.add((result.band, result.theta.theta_borderline))
    assert {b for b, _ in seen} == {"below", "typical", "above"}
    assert {f for _, f in seen} == {True, False}


def test_no_borderline_flag_when_the_bands_label_the_percent() -> None:
    result = mgrlead.score(RUBRIC, dict.fromkeys(RUBRIC.item_ids, 4))["process_results"]
    assert result.theta is not None
    assert result.theta.theta_borderline is None
    assert (
        result.band
        == mgrlead.score(MEAN, dict.fromkeys(RUBRIC.item_ids, 4))["process_results"].band
    )


def test_bands_on_theta_must_cover_the_quadrature_range() -> None:
    short = (Band(id="all", label="All", lower=-3.0, upper=3.0, include_upper=True),)
    dims = [attrs.evolve(d, bands=short, band_on="score") for d in RUBRIC.dimensions]
    with pytest.raises(RubricError, match=r"must start at or below -6.*'theta' score runs"):
        mgrlead.score(attrs.evolve(RUBRIC, dimensions=dims), {})


# ------------------------------------------------------------------ declarations
def test_theta_on_a_dimension_without_parameters_names_it_and_its_items() -> None:
    with pytest.raises(RubricError, match=r"dimension 'process_results' has 6 items without IRT"):
        mgrlead.score(ML, {}, strategy="theta")
    partly = attrs.evolve(RUBRIC, dimensions=[*RUBRIC.dimensions[:3], ML.dimensions[3]])
    with pytest.raises(RubricError, match=r"dimension 'structure_strategy'.*'ss1'"):
        mgrlead.score(partly, {})


TOML = """
id = "coaching"
version = "1"
title = "Coaching"
strategy = "theta"

[scale]
min = 1
max = 5
labels = ["1", "2", "3", "4", "5"]

[theta]
method = "map"
prior_sd = 1.5
points = 41

[[dimensions]]
id = "coaching"
name = "Coaching"
polarity = "unipolar"
items = [
  { id = "c1", text = "One", keyed = "high", irt = { model = "grm", a = 1.8, thresholds = [-2.1, -0.9, 0.2, 1.4] } },
  { id = "c2", text = "Two", keyed = "low", irt = { model = "grm", a = 1.2, thresholds = [-1.5, -0.4, 0.6, 1.9] } },
]
"""  # noqa: E501


def test_the_theta_section_in_files_and_the_schema() -> None:
    rubric = load_rubric_text(TOML, fmt="toml")
    assert rubric.theta == ThetaOptions(method="map", prior_sd=1.5, points=41)
    for fmt in ("json", "yaml", "toml"):
        assert load_rubric_text(dump_rubric(rubric, fmt=fmt), fmt=fmt) == rubric
    assert "theta" in rubric_schema()["properties"]
    answers = {"c1": 4, "c2": 2}
    want = score_theta(rubric, answers, method="map", prior=Prior(sd=1.5),
                       quadrature=Quadrature(points=41))["coaching"]  # fmt: skip
    assert mgrlead.score(rubric, answers)["coaching"].score == want.theta
    # the options are part of the content hash; a rubric without them keeps its hash
    assert content_hash(rubric) != content_hash(attrs.evolve(rubric, theta=None))
    assert "theta" not in json.dumps(mgrlead.plan.scoring_content(ML))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('method = "mle"', "theta.method: unknown estimator 'mle'; use one of eap, map, ml"),
        ("prior_sd = 0", "theta.prior_sd must be positive, got 0"),
        ("points = 2", "theta.points must be a whole number of at least 3, got 2"),
        ("lower = 7.0", "theta: lower (7) must be less than upper (6)"),
        ("confidence = 95", "theta.confidence must be between 0 and 1 (e.g. 0.95), got 95"),
        ("priorsd = 1", "unknown key 'priorsd'"),
    ],
)
def test_bad_theta_options_name_the_field(line: str, message: str) -> None:
    section = '[theta]\nmethod = "map"\nprior_sd = 1.5\npoints = 41\n'
    assert section in TOML
    with pytest.raises(RubricFileError) as info:
        load_rubric_text(TOML.replace(section, f"[theta]\n{line}\n"), fmt="toml")
    assert message in str(info.value)
    assert "$.theta" in str(info.value)


def test_the_strategy_is_registered_and_prepared_with_the_rubric() -> None:
    plan = mgrlead.api.scoring_plan(RUBRIC)
    assert isinstance(plan.strategy, ThetaStrategy)
    assert plan.strategy.options == ThetaOptions()
    assert plan.strategy.params == tuple(i.irt for i in RUBRIC.items)


# ------------------------------------------------------------------ the CLI
def _coaching_files(tmp_path: Path, answers: str, name: str = "answers.csv") -> tuple[Path, Path]:
    """The coaching rubric (``TOML``) and ``answers`` written to files in ``tmp_path``."""
    rubric = tmp_path / "coaching.toml"
    rubric.write_text(TOML)
    data = tmp_path / name
    data.write_text(answers)
    return rubric, data


def test_the_cli_writes_the_theta_columns(tmp_path: Any) -> None:
    rubric, data = _coaching_files(tmp_path, "person,c1,c2\nann,4,2\nbob,1,\n")
    out = tmp_path / "scores.csv"
    result = run("score", str(data), "--rubric", str(rubric), "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    loaded = load_rubric_text(TOML, fmt="toml")
    want = score_theta(loaded, {"c1": 4, "c2": 2}, method="map", prior=Prior(sd=1.5),
                       quadrature=Quadrature(points=41))["coaching"]  # fmt: skip
    assert table["coaching_theta"][0] == want.theta
    assert table["coaching_score"][0] == want.theta
    assert {"coaching_theta_se", "coaching_t_score", "coaching_theta_percentile"} <= set(table)


def test_the_cli_strategy_flag_chooses_theta_and_refuses_a_rubric_without_parameters(
    tmp_path: Any,
) -> None:
    data = tmp_path / "answers.csv"
    data.write_text(",".join(ML.item_ids) + "\n" + ",".join(["3"] * 24) + "\n")
    result = run("score", str(data), "--strategy", "theta")
    line = one_line_error(result)
    assert line.startswith("mgrlead: error: rubric 'manager-leader': strategy 'theta'")
    assert "'pr1'" in line


def test_the_cli_table_shows_theta_and_metrics_select_it(tmp_path: Any) -> None:
    rubric, data = _coaching_files(tmp_path, "person,c1,c2\nann,4,2\nbob,1,\n")
    table = run("score", str(data), "--rubric", str(rubric), "--format", "table")
    assert table.exit_code == 0, table.output
    assert "theta_se" in table.output
    assert "θ in SDs of the calibration sample" in table.output
    assert "percent" not in table.output
    picked = run("score", str(data), "--rubric", str(rubric), "--metrics", "theta,t_score")
    assert picked.exit_code == 0, picked.output
    header = picked.output.splitlines()[0]
    assert header == '"person","coaching_theta","coaching_t_score"'


def test_imputation_fills_the_sums_but_never_theta() -> None:
    values = _matrix(9, n=12)
    values[3, :6] = np.nan  # process_results: nothing answered
    frame = pd.DataFrame(values, columns=RUBRIC.item_ids)
    scored = mgrlead.score_frame(RUBRIC, frame, missing="mean")
    plain = mgrlead.score_frame(MEAN, frame, missing="mean")
    expected = score_theta(RUBRIC, values)["process_results"]
    ok = expected.status == 0
    assert not ok[3]
    np.testing.assert_array_equal(scored["process_results_theta"][ok], expected.theta[ok])
    np.testing.assert_array_equal(
        scored["process_results_mean"][ok], plain["process_results_mean"][ok]
    )
    assert plain["process_results_imputed"][3] == 6  # the sums were imputed ...
    assert math.isnan(scored["process_results_theta"][3])  # ... θ is not
    assert math.isnan(scored["overall_percent"][3])
    batch = mgrlead.score_matrix(RUBRIC, values)  # no imputation: the policy refuses row 3
    assert batch.profile(3)["process_results"].reason == "0 of 6 items answered; at least 3 needed"
    lazy = mgrlead.score_frame(RUBRIC, pl.from_pandas(frame).lazy(), missing="mean").collect()
    assert [_normal(v) for v in lazy["process_results_theta"].to_list()] == [
        _normal(v) for v in scored["process_results_theta"]
    ]


def test_imputed_only_dimension_gives_theta_s_reason() -> None:
    rubric = attrs.evolve(RUBRIC, missing=mgrlead.MissingPolicy.named("mean"))
    values = _matrix(10, n=5)
    values[0, :6] = np.nan
    batch = mgrlead.score_matrix(rubric, values)
    result = batch.profile(0)["process_results"]
    assert not result.scorable
    assert result.reason == "0 items answered: θ needs at least one answer (it never imputes)"
    assert not batch.profile(0).overall.scorable


def test_duckdb_in_many_chunks_equals_numpy() -> None:
    frame = pd.DataFrame(_matrix(11, n=5000), columns=RUBRIC.item_ids)
    expected = mgrlead.score_frame(RUBRIC, frame)
    got = mgrlead.score_frame(RUBRIC, duckdb.from_df(frame)).df()
    for column in ("process_results_theta", "staff_counsel_theta_se", "overall_band"):
        assert [_normal(v) for v in got[column]] == [_normal(v) for v in expected[column]]


def test_native_expressions_cannot_score_theta_on_dask() -> None:
    import dask.dataframe as dd  # noqa: PLC0415 - only this test needs Dask

    frame = dd.from_pandas(pd.DataFrame(_matrix(12, n=4), columns=RUBRIC.item_ids), npartitions=2)
    with pytest.raises(mgrlead.EngineError, match=r"'theta' runs on numpy batches.*engine='auto'"):
        mgrlead.score_frame(RUBRIC, frame, engine="native")


def test_a_theta_rubric_file_without_parameters_is_refused_when_loaded(tmp_path: Any) -> None:
    from mgrlead.io.serialize import load_rubric_file  # noqa: PLC0415

    path = tmp_path / "coaching.toml"
    path.write_text(TOML)
    assert load_rubric_file(path).strategy == "theta"  # built in: no plugin host needed
    c2 = ', irt = { model = "grm", a = 1.2, thresholds = [-1.5, -0.4, 0.6, 1.9] }'
    assert c2 in TOML
    path.write_text(TOML.replace(c2, ""))
    for load in (load_rubric_file, mgrlead.load_rubric):
        with pytest.raises(RubricFileError) as info:
            load(path)
        assert "dimension 'coaching' has 1 item without IRT parameters ('c2')" in str(info.value)
        assert "@ $.strategy" in str(info.value)


def test_theta_rows_validate_against_the_score_row_schema(tmp_path: Any) -> None:
    import jsonschema  # noqa: PLC0415

    from mgrlead.io.schema import score_row_schema  # noqa: PLC0415

    rubric, data = _coaching_files(tmp_path, "person,c1,c2\nann,4,2\nbob,1,\ncy,,\n")
    done = run("score", str(data), "--rubric", str(rubric), "--format", "json")
    assert done.exit_code == 0, done.output
    rows = json.loads(done.output)
    schema = score_row_schema(mgrlead.api.scoring_plan(load_rubric_text(TOML, fmt="toml")))
    assert "coaching_theta_se" in schema["required"]
    for row in rows:
        jsonschema.validate(row, schema)
    assert rows[2]["coaching_theta"] is None  # not scorable: null
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**rows[0], "coaching_theta_borderline": "yes"}, schema)


def test_the_first_score_of_a_process_does_not_load_the_theta_machinery() -> None:
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    code = (
        "import sys, mgrlead; mgrlead.score('manager-leader', {}); "
        "print(sorted(m for m in sys.modules if m.startswith('mgrlead.irt')))"
    )
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_assess_shows_theta_with_its_standard_error(tmp_path: Any) -> None:
    rubric, answers = _coaching_files(tmp_path, '{"c1": 4, "c2": 2}', "answers.json")
    done = run("assess", "--rubric", str(rubric), "--answers", str(answers))
    assert done.exit_code == 0, done.output
    loaded = load_rubric_text(TOML, fmt="toml")
    theta = mgrlead.score(loaded, {"c1": 4, "c2": 2})["coaching"].theta
    assert theta is not None
    text = " ".join(done.output.split())
    assert f"θ {theta.theta:.2f} (standard error {theta.theta_se:.2f})" in text
    assert f"T-score {theta.t_score:.1f}" in text
