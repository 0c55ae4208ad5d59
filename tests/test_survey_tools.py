"""Other survey tools' instruments: SurveyJS and QSF forms, psych keys lists (issue 20, part 3)."""

from __future__ import annotations

import csv
import json
import types
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mgrlead
from mgrlead import hookimpl
from mgrlead.errors import InputError, PluginWarning, RubricError
from mgrlead.io.serialize import load_rubric_data, load_rubric_text
from mgrlead.io.survey import TODO, RubricFormat, Skeleton, from_qsf, from_surveyjs, to_surveyjs
from mgrlead.model import Rubric
from mgrlead.plugins.host import get_plugin_host, set_default_host
from mgrlead.testing.hypothesis import rubrics

from .helpers import one_line_error, run

FIXTURES = Path(__file__).parent / "fixtures"
SURVEYJS = FIXTURES / "survey-tools-surveyjs.json"
QSF = FIXTURES / "survey-tools-mixed.qsf"


def _items_of(data: dict[str, Any]) -> dict[str, tuple[str, list[str]]]:
    """Item id -> (text, scale labels) of a skeleton's rubric data, read by hand."""
    out = {}
    for dim in data["dimensions"]:
        for item in dim["items"]:
            scale = item.get("scale", data["scale"])
            out[item["id"]] = (item["text"], list(scale["labels"]))
    return out


def _keyed(skeleton: Skeleton, keyed: str) -> Rubric:
    """The skeleton with every item keyed ``keyed``: what a user does after importing."""
    data = json.loads(json.dumps(skeleton.data))
    for dim in data["dimensions"]:
        for item in dim["items"]:
            item["keyed"] = keyed
    return load_rubric_data(data, source="keyed.toml")


# ------------------------------------------------------------------ SurveyJS
def test_builtin_rubric_round_trips_through_surveyjs() -> None:
    rubric = mgrlead.load_rubric("manager-leader")
    survey = to_surveyjs(rubric)
    # a page per dimension, a rating question per item, named by the item id
    assert [p["name"] for p in survey["pages"]] == [d.id for d in rubric.dimensions]
    questions = [e for p in survey["pages"] for e in p["elements"] if e["type"] == "rating"]
    assert [q["name"] for q in questions] == [i.id for i in rubric.items]
    first = questions[0]["rateValues"][0]  # the built-in rubric's languages come along
    assert first["value"] == 1
    assert first["text"]["default"] == "Strongly disagree"
    assert first["text"]["de"] == "Stimme überhaupt nicht zu"
    skeleton = from_surveyjs(json.dumps(survey).encode(), "ml.json")
    assert skeleton.unmapped == ()
    got = _items_of(dict(skeleton.data))
    assert got == {i.id: (i.text, list(rubric.scale.labels)) for i in rubric.items}
    assert skeleton.data["title"] == rubric.title
    assert skeleton.data["instructions"] == rubric.instructions
    for lang in ("de", "fr", "es"):
        assert (
            skeleton.data["translations"][lang]["item.pr1.text"]
            == (rubric.translations[lang]["item.pr1.text"])
        )


def test_surveyjs_results_score_as_answers() -> None:
    """SurveyJS's results object ({question name: value}) is what mgrlead.score takes."""
    rubric = mgrlead.load_rubric("manager-leader")
    questions = [e for p in to_surveyjs(rubric)["pages"] for e in p["elements"]
                 if e["type"] == "rating"]  # fmt: skip
    # the respondent picks the highest rateValue of every question
    results = json.loads(json.dumps({q["name"]: q["rateValues"][-1]["value"] for q in questions}))
    profile = mgrlead.score(rubric, results)
    # every dimension has as many items keyed to each pole: agreeing with all lands mid-way
    assert {d.percent for d in profile.dimensions} == {50.0}
    assert all(d.answered == 6 for d in profile.dimensions)


def test_surveyjs_translations_become_localized_strings_and_back() -> None:
    rubric = mgrlead.load_rubric("manager-leader")
    first = rubric.items[0]
    rubric = Rubric(**{**{a: getattr(rubric, a) for a in (
        "id", "version", "title", "scale", "dimensions", "description", "instructions")},
        "translations": {"de": {"title": "Manager oder Leader?",
                                f"item.{first.id}.text": "Ein Satz.",
                                "scale.labels.1": "Stimme gar nicht zu"}}})  # fmt: skip
    survey = to_surveyjs(rubric)
    assert survey["title"] == {"default": rubric.title, "de": "Manager oder Leader?"}
    question = survey["pages"][0]["elements"][1]
    assert question["title"] == {"default": first.text, "de": "Ein Satz."}
    assert question["rateValues"][0]["text"] == {"default": rubric.scale.labels[0],
                                                 "de": "Stimme gar nicht zu"}  # fmt: skip
    back = from_surveyjs(json.dumps(survey).encode(), "x.json")
    assert back.data["translations"] == {"de": {
        "title": "Manager oder Leader?", f"item.{first.id}.text": "Ein Satz.",
        "scale.labels.1": "Stimme gar nicht zu"}}  # fmt: skip


def test_surveyjs_fixture_maps_ratings_and_reports_the_rest() -> None:
    skeleton = from_surveyjs(SURVEYJS.read_bytes(), str(SURVEYJS))
    got = _items_of(dict(skeleton.data))
    assert got == {
        "th1": ("I plan the week before it starts.", ["Never", "Sometimes", "Often", "Always"]),
        "th2": ("I ask the team before deciding.", ["1", "2", "3", "4"]),
        "th3": ("I try new tools early.", [str(p) for p in range(11)]),
    }
    assert skeleton.data["instructions"] == "Rate each statement & be honest."
    assert skeleton.data["translations"]["de"]["title"] == "Teamgewohnheiten"
    report = "\n".join(skeleton.unmapped)
    for name in ("'remarks'", "'tools'", "'th4'"):
        assert name in report
    assert len(skeleton.unmapped) == 3


def test_a_skeleton_is_refused_until_keying_is_decided() -> None:
    skeleton = from_surveyjs(SURVEYJS.read_bytes(), "team.json")
    with pytest.raises(RubricError, match=f"item 'th1' is keyed toward '{TODO}'"):
        load_rubric_text(skeleton.toml(), fmt="toml", source="team.toml")
    decided = _keyed(skeleton, "+")  # once decided, it scores
    assert [i.id for i in decided.items] == ["th1", "th2", "th3"]
    assert decided.item_scale(decided.items[2]).max == 10


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rubric=rubrics(translations=st.booleans()))
def test_surveyjs_round_trip_keeps_ids_texts_and_labels(rubric: Rubric) -> None:
    skeleton = from_surveyjs(json.dumps(to_surveyjs(rubric)).encode(), "drawn.json")
    expected = {}
    for dim in rubric.walk():
        for item in dim.items:
            expected[item.id] = (item.text, list(rubric.item_scale(item).labels))
    assert _items_of(dict(skeleton.data)) == expected
    assert skeleton.unmapped == ()
    back = _keyed(skeleton, "+")  # a valid rubric once keyed: nothing else is missing
    assert {i.id for i in back.items} == set(expected)
    for lang, texts in rubric.translations.items():
        for key, text in texts.items():
            if key.startswith("item.") or key == "title":
                assert skeleton.data["translations"][lang][key] == text


# ------------------------------------------------------------------ QSF
def test_qsf_maps_supported_questions_and_reports_the_rest() -> None:
    skeleton = from_qsf(QSF.read_bytes(), str(QSF))
    got = _items_of(dict(skeleton.data))
    assert got == {
        "ws1": ("I set clear goals & deadlines.", ["Disagree", "Neutral", "Agree"]),
        "Q3_1": ("I listen before I speak.", ["Disagree", "Neutral", "Agree"]),
        "Q3_2": ("I share credit.", ["Disagree", "Neutral", "Agree"]),
    }
    assert skeleton.data["title"] == "Working styles (test form)"
    assert [u.split(":")[0] for u in skeleton.unmapped] == ["QID1", "QID4", "QID5", "QID6", "QID7"]
    assert "text entry" in skeleton.unmapped[1]


def test_qsf_with_only_unsupported_questions_is_an_error(tmp_path: Path) -> None:
    data = json.loads(QSF.read_text("utf-8"))
    data["SurveyElements"] = [e for e in data["SurveyElements"]
                              if e.get("PrimaryAttribute") in {"QID4", "QID6"}]  # fmt: skip
    bad = tmp_path / "open.qsf"
    bad.write_text(json.dumps(data), "utf-8")
    with pytest.raises(InputError, match="QID4: text entry") as caught:
        from_qsf(bad.read_bytes(), str(bad))
    assert "QID6" in str(caught.value)
    line = one_line_error(run("rubric", "import", str(bad)))
    assert str(bad) in line
    assert "QID4" in line


# ------------------------------------------------------------------ CLI
def test_cli_export_surveyjs_then_import(tmp_path: Path) -> None:
    out = tmp_path / "survey.json"
    result = run("rubric", "export", "manager-leader", "-o", str(out), "--format", "surveyjs")
    assert result.exit_code == 0, result.output
    survey = json.loads(out.read_text("utf-8"))
    assert survey["pages"][0]["elements"][1]["name"] == "pr1"
    skeleton_file = tmp_path / "skeleton.toml"
    result = run("rubric", "import", str(out), "-o", str(skeleton_file))
    assert result.exit_code == 0, result.output
    assert "to decide:" in result.stderr
    line = one_line_error(run("rubric", "validate", str(skeleton_file)))
    assert "keyed toward 'TODO'" in line


def test_cli_export_existing_formats_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert run("rubric", "export", "-o", str(out)).exit_code == 0
    assert "dimensions" in json.loads(out.read_text("utf-8"))
    line = one_line_error(run("rubric", "export", "--format", "nope"))
    assert "'nope'" in line
    assert "surveyjs" in line


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[1, 2]", "not a JSON object"),
        ("{not json", "not valid JSON"),
        ('{"pages": [{"elements": [{"type": "text", "name": "q9"}]}]}', "'q9'"),
    ],
)
def test_cli_bad_surveyjs_is_one_line_naming_the_file(
    tmp_path: Path, text: str, needle: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text, "utf-8")
    line = one_line_error(run("rubric", "import", str(bad)))
    assert str(bad) in line
    assert needle in line


def test_cli_import_unknown_extension(tmp_path: Path) -> None:
    odd = tmp_path / "form.xyz"
    odd.write_text("{}", "utf-8")
    assert "--format" in one_line_error(run("rubric", "import", str(odd)))


# ------------------------------------------------------------------ psych keys
def test_from_keys_builds_a_scoring_rubric(tmp_path: Path) -> None:
    keys = tmp_path / "bfi.csv"
    keys.write_text("# psych-style keys\nagree,A1,-A2,A3\nconsc,C1,-C2\n", "utf-8")
    out = tmp_path / "bfi.toml"
    result = run("rubric", "from-keys", str(keys), "--scale", "1..6",
                 "--labels", 'a,b,c,d,e,"f, g"', "-o", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    rubric = mgrlead.load_rubric(str(out))
    assert rubric.scale.labels == ("a", "b", "c", "d", "e", "f, g")
    agree = rubric.dimension("agree")
    assert [(i.id, agree.reverses(i.keyed)) for i in agree.items] == [
        ("A1", False), ("A2", True), ("A3", False)]  # fmt: skip
    # psych's reverse keying on the declared scale: min + max - x = 7 - 6 = 1
    profile = mgrlead.score(rubric, {"A1": 6, "A2": 6, "A3": 6, "C1": 2, "C2": 5})
    means = {d.dimension: d.mean for d in profile.dimensions}
    assert means == {"agree": pytest.approx((6 + 1 + 6) / 3), "consc": pytest.approx((2 + 2) / 2)}
    assert "write each item's statement" in result.stderr


@pytest.mark.parametrize(
    ("text", "args", "needle"),
    [
        ("agree,A1\nagree,A2\n", (), "line 2: dimension 'agree' is listed twice"),
        ("agree\n", (), "line 1: dimension 'agree' lists no items"),
        ("agree,A1,-A1\n", (), "line 1: item 'A1' is listed twice"),
        ("", (), "no keys"),
        ("agree,A1\n", ("--scale", "one..five"), "--scale 'one..five'"),
        ("agree,A1\n", ("--labels", "a,b"), "labels"),
    ],
)
def test_from_keys_bad_input_is_one_line(
    tmp_path: Path, text: str, args: tuple[str, ...], needle: str
) -> None:
    keys = tmp_path / "keys.csv"
    keys.write_text(text, "utf-8")
    line = one_line_error(run("rubric", "from-keys", str(keys), *args))
    assert needle in line
    if "--scale" not in args:
        assert str(keys) in line


# ------------------------------------------------------ SurveyJS results to `mgrlead score`
def test_cli_scores_surveyjs_results_json(tmp_path: Path) -> None:
    rubric = mgrlead.load_rubric("manager-leader")
    ids = [i.id for i in rubric.items]
    first = dict.fromkeys(ids, 5)
    second = {i: (1 if n % 2 else 5) for n, i in enumerate(ids)}
    del second[ids[0]]  # SurveyJS leaves an unanswered question out
    results = tmp_path / "results.json"
    results.write_text(json.dumps([first, second]), "utf-8")
    out = tmp_path / "scores.json"
    result = run("score", str(results), "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text("utf-8"))
    assert len(rows) == 2
    for row, answers in zip(rows, (first, second), strict=True):
        # the file's scores are those of the same answers given to mgrlead.score one by one
        for dim in mgrlead.score(rubric, answers).dimensions:
            assert row[f"{dim.dimension}_answered"] == dim.answered
            assert row[f"{dim.dimension}_percent"] == pytest.approx(dim.percent)
    assert rows[1][f"{rubric.dimensions[0].id}_missing"] == 1  # left out: missing, never 0


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[3]", "respondent 1 is a int"),
        ("[]", "an object {item id: answer} per respondent"),
        ("{oops", "not valid JSON"),
    ],
)
def test_cli_bad_results_json_is_one_line(tmp_path: Path, text: str, needle: str) -> None:
    bad = tmp_path / "results.json"
    bad.write_text(text, "utf-8")
    line = one_line_error(run("score", str(bad)))
    assert str(bad) in line
    assert needle in line


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"SurveyEntry": {}}', "no SurveyElements list"),
        ("[]", "not a JSON object"),
        ("\xff", "not valid JSON"),
    ],
)
def test_cli_bad_qsf_is_one_line_naming_the_file(tmp_path: Path, text: str, needle: str) -> None:
    bad = tmp_path / "bad.qsf"
    bad.write_bytes(text.encode("latin-1"))
    line = one_line_error(run("rubric", "import", str(bad)))
    assert str(bad) in line
    assert needle in line


def test_skeleton_comments_stay_comments() -> None:
    """A question id with a line break cannot add lines to the TOML."""
    data = json.loads(QSF.read_text("utf-8"))
    text_entry = next(e for e in data["SurveyElements"] if e["PrimaryAttribute"] == "QID4")
    text_entry["Payload"]["QuestionID"] = 'QID4\nkeyed = "+"'
    skeleton = from_qsf(json.dumps(data).encode(), "x.qsf")
    text = skeleton.toml()
    assert 'keyed = "+"' not in text.replace('\\nkeyed = "+"', "")
    with pytest.raises(RubricError, match="keyed toward 'TODO'"):
        load_rubric_text(text, fmt="toml", source="x.toml")


def test_cli_surveyjs_export_refuses_a_toml_name(tmp_path: Path) -> None:
    out = tmp_path / "survey.toml"
    line = one_line_error(run("rubric", "export", "--format", "surveyjs", "-o", str(out)))
    assert ".json" in line
    assert not out.exists()


# ------------------------------------------------------------------ formats are plugins
def _lines_plugin() -> types.ModuleType:
    def read(raw: bytes, source: str) -> Skeleton:
        items = [{"id": f"q{n}", "text": t, "keyed": TODO}
                 for n, t in enumerate(raw.decode().splitlines(), start=1)]  # fmt: skip
        dims = [{"id": "todo_dimension", "name": "TODO", "items": items}]
        scale = {"min": 1, "max": 3, "labels": ["a", "b", "c"]}
        data = {"id": "lines", "version": "1", "title": source, "scale": scale, "dimensions": dims}
        return Skeleton(data=data, todo=["key the items"])

    @hookimpl
    def mgrlead_register_rubric_formats(register: Any) -> None:
        register(RubricFormat(id="lines", suffixes=(".txt",), read=read))

    plugin = types.ModuleType("mgrlead_lines")
    plugin.mgrlead_register_rubric_formats = mgrlead_register_rubric_formats  # type: ignore[attr-defined]
    return plugin


def test_an_organisation_format_is_offered_by_the_cli(tmp_path: Path) -> None:
    host = get_plugin_host(entrypoints=False, plugins=[_lines_plugin()], environ={})
    assert host.source("rubric_format", "lines").startswith("mgrlead_lines")
    form = tmp_path / "form.txt"
    form.write_text("I plan.\nI listen.\n", "utf-8")
    previous = set_default_host(host)
    try:
        result = run("rubric", "import", str(form))
        refused = run("rubric", "export", "--format", "lines")
    finally:
        set_default_host(previous)
    assert result.exit_code == 0, result.output
    assert 'text = "I listen."' in result.stdout
    assert "to decide: key the items" in result.stderr
    line = one_line_error(refused)  # it reads only
    assert "'lines' is no rubric format that can write" in line


def test_the_hook_takes_only_rubric_formats() -> None:
    @hookimpl
    def mgrlead_register_rubric_formats(register: Any) -> None:
        register({"id": "dict"})

    plugin = types.ModuleType("mgrlead_sloppy")
    plugin.mgrlead_register_rubric_formats = mgrlead_register_rubric_formats  # type: ignore[attr-defined]
    with pytest.warns(PluginWarning, match="this hook takes a RubricFormat"):
        host = get_plugin_host(entrypoints=False, plugins=[plugin], environ={})
    assert host.names("rubric_format") == ("surveyjs", "qsf", "psych-keys")


def test_blank_surveyjs_translations_are_not_kept() -> None:
    """SurveyJS Creator leaves empty strings for languages not written yet."""
    question = {"type": "rating", "name": "a1", "title": {"default": "Q", "de": "F", "fr": " "}}
    survey = {"title": {"default": "T", "fr": ""}, "elements": [question]}
    skeleton = from_surveyjs(json.dumps(survey).encode(), "t.json")
    assert skeleton.data["translations"] == {"de": {"item.a1.text": "F"}}
    assert _keyed(skeleton, "+").translations == {"de": {"item.a1.text": "F"}}


def test_a_question_without_title_is_reported() -> None:
    question = {"type": "rating", "name": "a1", "title": {"de": "Nur Deutsch"}}
    skeleton = from_surveyjs(json.dumps({"elements": [question]}).encode(), "t.json")
    assert _items_of(dict(skeleton.data)) == {"a1": ("a1", ["1", "2", "3", "4", "5"])}
    assert any("'a1' has no title" in line for line in skeleton.todo)


# ------------------------------------------------------------------ SurveyJS matrices
MATRIX = {
    "title": "Habits",
    "pages": [{"elements": [
        {"type": "matrix", "name": "habits", "title": "How true is each?",
         "columns": [{"value": 1, "text": {"default": "Never", "de": "Nie"}},
                     {"value": 2, "text": "Sometimes"}, {"value": 3, "text": "Always"}],
         "rows": [{"value": "h1", "text": {"default": "I plan ahead.", "fr": "Je planifie."}},
                  {"value": "h2", "text": "I ask first."}, "h3"]},
        {"type": "matrix", "name": "odd", "columns": ["a", "b"], "rows": ["x1"]},
        {"type": "matrix", "name": "again", "columns": [1, 2, 3], "rows": ["h1"]},
    ]}],
}  # fmt: skip


def test_a_surveyjs_matrix_gives_an_item_per_row() -> None:
    skeleton = from_surveyjs(json.dumps(MATRIX).encode(), "habits.json")
    labels = ["Never", "Sometimes", "Always"]
    assert _items_of(dict(skeleton.data)) == {
        "h1": ("I plan ahead.", labels),
        "h2": ("I ask first.", labels),
        "h3": ("h3", labels),  # a row without text: its value, with a note
    }
    assert skeleton.data["translations"]["fr"]["item.h1.text"] == "Je planifie."
    assert any("row 'h3' has no text" in line for line in skeleton.todo)
    report = "\n".join(skeleton.unmapped)
    assert "question 'odd' (type 'matrix'): its columns ['a', 'b'] are not whole numbers" in report
    assert "question 'again' (type 'matrix'), row 'h1': a second item of this id" in report


def test_surveyjs_matrix_results_score_their_rows(tmp_path: Path) -> None:
    rubric = _keyed(from_surveyjs(json.dumps(MATRIX).encode(), "habits.json"), "high")
    results = tmp_path / "results.json"
    # SurveyJS keeps a matrix's answers under its name; the first left h3 out
    results.write_text(json.dumps([{"habits": {"h1": 3, "h2": 1}}, {"habits": {"h1": 1, "h3": 2}}]))
    out = tmp_path / "scores.csv"
    rubric_file = tmp_path / "habits.toml"
    from mgrlead.io.serialize import dump_rubric  # noqa: PLC0415

    rubric_file.write_text(dump_rubric(rubric, "toml"), "utf-8")
    result = run("score", str(results), "--rubric", str(rubric_file), "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(line for line in out.read_text("utf-8").splitlines()
                               if not line.startswith("#")))  # fmt: skip
    dim = rubric.dimensions[0].id
    assert [(r[f"{dim}_answered"], r[f"{dim}_missing"]) for r in rows] == [("2", "1"), ("2", "1")]
    assert float(rows[0][f"{dim}_percent"]) == 50.0  # 3 and 1 on 1..3: the middle
    assert float(rows[1][f"{dim}_percent"]) == 25.0  # 1 and 2
    clash = tmp_path / "clash.json"
    clash.write_text(json.dumps({"h1": 2, "habits": {"h1": 3}}))
    line = one_line_error(run("score", str(clash), "--rubric", str(rubric_file)))
    assert line == (
        f"mgrlead: error: {clash}: respondent 1 answers 'h1' twice ('h1' and row 'h1' of "
        "matrix 'habits'); give each item one answer"
    )
