"""Loading rubrics from files: strict, with every problem reported at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mgrlead
from mgrlead import RubricFileError, RubricNotFoundError
from mgrlead.io.serialize import dump_rubric, load_rubric_text, unstructure_rubric

ML = mgrlead.load_rubric("manager-leader")


def _data() -> dict:  # type: ignore[type-arg]
    return json.loads(dump_rubric(ML))


def test_dump_and_load_give_back_an_equal_rubric(tmp_path: Path) -> None:
    path = tmp_path / "ml.json"
    path.write_text(dump_rubric(ML), "utf-8")
    again = mgrlead.load_rubric(path)
    assert again == ML
    answers = {"pr1": 1, "pr2": 5, "os1": 2, "os2": 4, "os3": 3}
    a, b = mgrlead.score(again, answers), mgrlead.score(ML, answers)
    assert (a.dimensions, a.overall) == (b.dimensions, b.overall)


def test_load_rubric_by_path_string(tmp_path: Path) -> None:
    path = tmp_path / "ml.json"
    path.write_text(dump_rubric(ML), "utf-8")
    assert mgrlead.load_rubric(str(path)) == ML


def test_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(
        """
id = "tiny"
version = "0.1"
title = "Tiny"
[scale]
min = 0
max = 2
labels = ["no", "maybe", "yes"]
[[dimensions]]
id = "d"
name = "D"
low = { id = "a", label = "A" }
high = { id = "b", label = "B" }
items = [ { id = "q1", text = "Q1", keyed = "b" }, { id = "q2", text = "Q2", keyed = "a" } ]
""",
        "utf-8",
    )
    tiny = mgrlead.load_rubric(path)
    assert repr(tiny) == "<Rubric tiny 0.1: 1 dimension, 2 items>"
    assert mgrlead.score(tiny, {"q1": 2, "q2": 0})["d"].percent == 100.0


def test_every_problem_is_reported_with_its_path() -> None:
    data = _data()
    data["scale"]["max"] = "5"
    data["dimensions"][2]["items"][0]["weight"] = "heavy"
    data["dimensions"][1]["colour"] = "blue"
    with pytest.raises(RubricFileError) as info:
        load_rubric_text(json.dumps(data), fmt="json", source="rubric.json")
    problems = info.value.problems
    assert "expected an integer, got str '5' @ $.scale.max" in problems
    assert "expected a number, got str 'heavy' @ $.dimensions[2].items[0].weight" in problems
    assert any("unknown key 'colour'" in p and p.endswith("@ $.dimensions[1]") for p in problems)
    assert str(info.value).startswith("rubric.json: 3 problems")


def test_model_invariants_are_reported_with_a_path() -> None:
    data = _data()
    data["dimensions"][3]["items"][1]["keyed"] = "boss"
    with pytest.raises(RubricFileError, match=r"keyed toward 'boss'.* @ \$\.dimensions\[3\]"):
        load_rubric_text(json.dumps(data), fmt="json", source="r.json")


def test_rubric_level_invariant_is_reported_at_the_root() -> None:
    data = _data()
    data["weighting"]["dimensions"] = {"nope": 1}
    with pytest.raises(RubricFileError, match=r"r.json: .*weights 'nope'.* @ \$$"):
        load_rubric_text(json.dumps(data), fmt="json", source="r.json")


def test_unknown_strategy_in_a_file(tmp_path: Path) -> None:
    data = _data()
    data["strategy"] = "median"
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(RubricFileError, match=r"no strategy named 'median'.* @ \$\.strategy$"):
        mgrlead.load_rubric(path)


def test_provenance_is_not_part_of_a_file(tmp_path: Path) -> None:
    data = _data()
    assert "sources" not in data
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data), "utf-8")
    assert mgrlead.load_rubric(path).sources == {"rubric:manager-leader": "file r.json"}
    data["sources"] = {"rubric:x": "me"}
    with pytest.raises(RubricFileError, match="unknown key 'sources'"):
        load_rubric_text(json.dumps(data), fmt="json", source="r.json")


def test_misspelt_key_gets_a_suggestion() -> None:
    data = _data()
    data["dimensions"][0]["items"][2]["keyd"] = data["dimensions"][0]["items"][2].pop("keyed")
    with pytest.raises(RubricFileError) as info:
        load_rubric_text(json.dumps(data), fmt="json", source="r.json")
    assert "unknown key 'keyd' (did you mean 'keyed'?)" in str(info.value)
    assert "required key is missing @ $.dimensions[0].items[2].keyed" in info.value.problems


def test_missing_key() -> None:
    data = _data()
    del data["title"]
    with pytest.raises(RubricFileError, match=r"required key is missing @ \$\.title"):
        load_rubric_text(json.dumps(data), fmt="json", source="r.json")


def test_booleans_are_not_numbers() -> None:
    data = _data()
    data["dimensions"][0]["items"][0]["weight"] = True
    with pytest.raises(RubricFileError, match=r"got bool True @ \$\.dimensions\[0\]\.items\[0\]"):
        load_rubric_text(json.dumps(data), fmt="json", source="r.json")


def test_a_list_must_be_a_list() -> None:
    data = _data()
    data["dimensions"] = "all of them"
    with pytest.raises(RubricFileError, match=r"expected a list, got str .* @ \$\.dimensions"):
        load_rubric_text(json.dumps(data), fmt="json", source="r.json")


def test_weights_table_is_checked() -> None:
    data = _data()
    data["weighting"]["dimensions"] = {"process_results": "2"}
    with pytest.raises(RubricFileError, match=r"expected a number, got str '2'"):
        load_rubric_text(json.dumps(data), fmt="json", source="r.json")


def test_invalid_toml_and_json() -> None:
    with pytest.raises(RubricFileError, match=r"x.toml: not valid TOML"):
        load_rubric_text("id = ", fmt="toml", source="x.toml")
    with pytest.raises(RubricFileError, match=r"x.json: not valid JSON"):
        load_rubric_text("{", fmt="json", source="x.json")
    with pytest.raises(RubricFileError, match=r"expected a table at the top"):
        load_rubric_text("[1, 2]", fmt="json", source="x.json")


def test_unknown_suffix_and_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "r.ini"
    path.write_text("x", "utf-8")
    with pytest.raises(RubricFileError, match=r"r.ini: unknown rubric file type '.ini'"):
        mgrlead.load_rubric(path)
    with pytest.raises(RubricFileError, match="cannot read the file"):
        mgrlead.io.serialize.load_rubric_file(tmp_path / "absent.toml")


def test_unknown_name_suggests_the_builtin() -> None:
    with pytest.raises(
        RubricNotFoundError, match=r"'manager-leadr'.*did you mean 'manager-leader'"
    ):
        mgrlead.load_rubric("manager-leadr")


def test_unstructured_rubric_is_plain_data() -> None:
    data = unstructure_rubric(ML)
    assert json.loads(json.dumps(data)) == data
    assert "_plan" not in data
    assert "plan" not in data


def test_profile_from_bad_dict() -> None:
    profile = mgrlead.score(ML, {"pr1": 3}).to_dict()
    profile["overall"]["percent"] = "high"
    with pytest.raises(mgrlead.MgrleadError, match=r"overall.percent"):
        mgrlead.Profile.from_dict(profile)
