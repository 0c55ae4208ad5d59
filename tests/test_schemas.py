"""The JSON Schemas of profiles and score rows, generated from the result classes.

They are what a web backend validates stored results against, so every real
profile and row must pass and a wrong one must not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import mgrlead
from mgrlead.api import scoring_plan
from mgrlead.cli import cli
from mgrlead.io.schema import profile_schema, score_row_schema
from mgrlead.testing import hypothesis as mh

ML = mgrlead.load_rubric("manager-leader")
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "responses.csv"
PROFILE = jsonschema.Draft202012Validator(profile_schema())


def test_the_schemas_are_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(profile_schema())
    jsonschema.Draft202012Validator.check_schema(score_row_schema(scoring_plan(ML)))


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_profile_validates_against_the_profile_schema(data: st.DataObject) -> None:
    rubric = data.draw(mh.rubrics())
    answers = data.draw(mh.answers(rubric))
    profile = mgrlead.score(rubric, answers)
    PROFILE.validate(json.loads(profile.to_json()))


def _profile_json() -> dict[str, Any]:
    answers = dict.fromkeys(ML.item_ids, 4) | {"pr1": None, "pr2": None, "pr3": None, "pr4": None}
    return json.loads(mgrlead.score(ML, answers).to_json())


def test_an_unscorable_dimension_is_null_in_a_valid_profile() -> None:
    document = _profile_json()
    process = next(d for d in document["dimensions"] if d["dimension"] == "process_results")
    assert process["scorable"] is False
    assert process["mean"] is None
    PROFILE.validate(document)


@pytest.mark.parametrize(
    ("path", "value"),
    [(("dimensions", 1, "percent"), "58"), (("dimensions", 1, "answered"), 2.5),
     (("overall", "percent"), "high"), (("dimensions", 1, "scorable"), "yes")],
)  # fmt: skip
def test_a_profile_with_a_wrong_value_fails(path: tuple[Any, ...], value: object) -> None:
    document = _profile_json()
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        PROFILE.validate(document)


def test_a_profile_missing_a_field_fails() -> None:
    document = _profile_json()
    del document["dimensions"][0]["missing"]
    with pytest.raises(jsonschema.ValidationError, match="'missing' is a required property"):
        PROFILE.validate(document)


def _rows() -> list[dict[str, Any]]:
    done = CliRunner().invoke(cli, ["score", str(EXAMPLE), "--format", "json"])
    assert done.exit_code == 0, done.output
    rows: list[dict[str, Any]] = json.loads(done.output)
    return rows


def test_every_row_mgrlead_score_writes_validates() -> None:
    schema = score_row_schema(scoring_plan(ML))
    rows = _rows()
    assert len(rows) == 20
    for row in rows:
        jsonschema.validate(row, schema)
    assert {"respondent", "team"} <= set(rows[0])  # pass-through columns are allowed


def test_a_row_with_an_unknown_band_or_a_missing_score_fails() -> None:
    schema = score_row_schema(scoring_plan(ML))
    row = _rows()[0]
    with pytest.raises(jsonschema.ValidationError, match="is not one of"):
        jsonschema.validate({**row, "overall_band": "visionary"}, schema)
    del row["process_results_mean"]
    with pytest.raises(jsonschema.ValidationError, match="required"):
        jsonschema.validate(row, schema)


def test_without_careless_the_row_schema_has_no_careless_columns() -> None:
    schema = score_row_schema(scoring_plan(ML), careless=False)
    assert not [name for name in schema["properties"] if name.startswith("careless_")]
    assert "careless_irv" in score_row_schema(scoring_plan(ML))["properties"]
