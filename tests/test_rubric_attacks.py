"""Rubric documents built to hang, crash or quietly lose a value (issue 15).

Each is refused at once with one line that says what and where.
"""

from __future__ import annotations

from typing import Any

import pytest

import mgrlead
from mgrlead.api import scorer
from mgrlead.io.serialize import MAX_ALIASES, load_rubric_text, parse_text


def test_a_json_key_given_twice_is_refused_with_the_key_and_its_lines() -> None:
    text = '{\n  "id": "r",\n  "version": "1",\n  "id": "s"\n}'
    with pytest.raises(mgrlead.RubricFileError, match=r"'id' is given twice.*line 2, 4"):
        parse_text(text, fmt="json")


def test_a_yaml_key_given_twice_is_refused_with_its_line() -> None:
    text = "id: r\nversion: '1'\ntitle: T\nid: s\n"
    with pytest.raises(mgrlead.RubricFileError, match=r"'id' is given twice.*\(line 4\)"):
        parse_text(text, fmt="yaml")


def test_toml_refuses_a_key_given_twice_too() -> None:
    with pytest.raises(mgrlead.RubricFileError, match="not valid TOML"):
        parse_text('id = "r"\nid = "s"\n', fmt="toml")


def _laughs(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels + 1):
        refs = ", ".join([f"*a{n - 1}"] * 9)
        lines.append(f"a{n}: &a{n} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [6, 9, 12])
def test_yaml_alias_bombs_are_refused_fast_with_a_short_message(levels: int) -> None:
    with pytest.raises(mgrlead.RubricFileError) as info:
        load_rubric_text(_laughs(levels), fmt="yaml")
    message = str(info.value)
    assert len(message) < 1_000
    assert "aliases" in message or "values" in message


def test_a_few_aliases_are_fine() -> None:
    data = parse_text("a: &x [1, 2]\nb: *x\n", fmt="yaml")
    assert data == {"a": [1, 2], "b": [1, 2]}
    assert MAX_ALIASES >= 10


@pytest.mark.parametrize(
    ("fmt", "text"),
    [("json", "[" * 5000 + "]" * 5000), ("yaml", "- " * 500 + "x\n"),
     ("toml", "a = " + "[" * 5000 + "]" * 5000 + "\n")],
)  # fmt: skip
def test_documents_nested_thousands_deep_are_one_line_errors(fmt: str, text: str) -> None:
    with pytest.raises(mgrlead.RubricFileError) as info:
        parse_text(text, fmt=fmt)
    assert len(str(info.value)) < 1_000
    assert "RecursionError" not in str(info.value)


def test_rubric_texts_are_never_read_as_terminal_markup() -> None:
    import io  # noqa: PLC0415

    import attrs  # noqa: PLC0415
    from rich.console import Console  # noqa: PLC0415

    from mgrlead.cli.render import show_profile, show_rubric  # noqa: PLC0415

    ml = mgrlead.load_rubric("manager-leader")
    hostile = "[/] x [link=https://example.invalid]click[/link] [bold red]loud"
    dims = [
        attrs.evolve(
            d,
            name=hostile,
            bands=[attrs.evolve(b, feedback=hostile, label=hostile) for b in ml.bands],
            low=attrs.evolve(d.low, description=hostile),
            high=attrs.evolve(d.high, description=hostile),
        )
        for d in ml.dimensions
    ]
    rubric = attrs.evolve(ml, title=hostile, dimensions=dims,
                          bands=[attrs.evolve(b, feedback=hostile) for b in ml.bands])  # fmt: skip
    out = io.StringIO()
    screen = Console(file=out, width=200, force_terminal=True)
    profile = mgrlead.score(rubric, {i.id: 5 if i.keyed == "leader" else 2 for i in rubric.items})
    show_profile(rubric, profile, screen)  # "[/]" would raise MarkupError
    show_rubric(rubric, screen)
    text = out.getvalue()
    assert "[/] x [link=https://example.invalid]click[/link]" in text
    assert "\x1b]8;" not in text  # no terminal hyperlink was made


@pytest.mark.parametrize(
    "column",
    ["timedelta64[ns]", "datetime64[ns]", "bool", "complex"],
)
def test_columns_of_durations_dates_booleans_or_complex_numbers_are_not_answers(
    column: str,
) -> None:
    import numpy as np  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415

    ml = mgrlead.load_rubric("manager-leader")
    frame = pd.DataFrame({i: [3, 4] for i in ml.item_ids})
    values = {"timedelta64[ns]": pd.to_timedelta([5, 4], unit="ns"),
              "datetime64[ns]": pd.to_datetime([5, 4]), "bool": [True, False],
              "complex": np.array([3 + 0j, 4 + 0j])}[column]  # fmt: skip
    frame["pr1"] = values
    with pytest.raises(mgrlead.AnswerError, match="item 'pr1': the column holds"):
        mgrlead.score_frame(ml, frame)
    with pytest.raises(mgrlead.AnswerError, match="item 'pr1'"):
        mgrlead.score_frame(ml, {i: np.asarray(frame[i]) for i in ml.item_ids})


def test_weights_so_large_that_sums_overflow_are_refused_by_name() -> None:
    import attrs  # noqa: PLC0415

    from mgrlead import Weighting  # noqa: PLC0415

    ml = mgrlead.load_rubric("manager-leader")
    huge = Weighting(id="huge", items=dict.fromkeys(ml.item_ids, 1e308))
    with pytest.raises(mgrlead.RubricError, match=r"dimension 'process_results'.*overflow"):
        mgrlead.score(attrs.evolve(ml, weighting=huge), dict.fromkeys(ml.item_ids, 3))
    large = Weighting(id="large", items=dict.fromkeys(ml.item_ids, 1e300))  # fine: ratios matter
    profile = mgrlead.score(attrs.evolve(ml, weighting=large), dict.fromkeys(ml.item_ids, 3))
    assert profile["process_results"].percent == 50.0


def test_scales_far_from_zero_score_at_once_and_absurd_ones_are_refused() -> None:
    from mgrlead import Dimension, Item, Pole, Rubric, Scale  # noqa: PLC0415

    def one(scale: Scale) -> Rubric:
        items = [Item(id="a", text="A", keyed="hi"), Item(id="b", text="B", keyed="lo")]
        dim = Dimension(id="d", name="D", low=Pole(id="lo", label="Lo"),
                        high=Pole(id="hi", label="Hi"), items=items)  # fmt: skip
        return Rubric(id="r", version="1", title="T", scale=scale, dimensions=[dim])

    far = one(Scale(min=999_998, max=999_999, labels=["no", "yes"]))
    profile = mgrlead.score(far, {"a": 999_999, "b": 999_998})
    assert profile["d"].percent == 100.0
    # the tables hold the scale's two codes, not a million entries from 0 up
    tables = scorer(far).single.__globals__
    assert [len(tables[f"_x0_{m}"]) for m in range(2)] == [2, 2]
    for bad in ({"min": 10_000_000, "max": 10_000_001}, {"min": 2**70, "max": 2**70 + 1}):
        with pytest.raises(mgrlead.RubricError, match="beyond ±1,000,000"):
            Scale(labels=["no", "yes"], **bad)
    with pytest.raises(mgrlead.RubricError, match="at most 1,001"):
        Scale(min=0, max=5000, labels=[str(p) for p in range(5001)])


def _write(path: object, text: str) -> None:
    from pathlib import Path  # noqa: PLC0415

    Path(str(path)).write_text(text, encoding="utf-8")


def test_files_that_extend_each_other_are_a_one_line_error(tmp_path: object) -> None:
    from pathlib import Path  # noqa: PLC0415

    folder = Path(str(tmp_path))
    _write(folder / "a.toml", 'extends = "b.toml"\nid = "a"\nversion = "1"\n')
    _write(folder / "b.toml", 'extends = "a.toml"\nid = "b"\nversion = "1"\n')
    _write(folder / "self.toml", 'extends = "self.toml"\nid = "s"\nversion = "1"\n')
    for name, loop in (("a.toml", "b.toml -> a.toml -> b.toml"), ("self.toml", "self.toml")):
        with pytest.raises(mgrlead.RubricFileError, match="extend each other in a loop") as info:
            mgrlead.load_rubric(folder / name)
        assert loop in str(info.value)
        assert "RecursionError" not in str(info.value)


def test_extends_stays_in_the_folder_of_the_file(tmp_path: object) -> None:
    from pathlib import Path  # noqa: PLC0415

    folder = Path(str(tmp_path))
    (folder / "inner").mkdir()
    _write(folder / "secret.toml", 'id = "s"\nversion = "1"\n')  # any file outside
    _write(folder / "inner" / "up.toml", 'extends = "../secret.toml"\nid = "u"\nversion = "1"\n')
    _write(folder / "inner" / "abs.toml",
           f'extends = "{folder / "secret.toml"}"\nid = "x"\nversion = "1"\n')  # fmt: skip
    for name in ("up.toml", "abs.toml"):
        with pytest.raises(mgrlead.RubricFileError, match="lies outside the folder"):
            mgrlead.load_rubric(folder / "inner" / name)


def test_an_extending_file_with_a_dimension_id_twice_is_refused() -> None:
    import json  # noqa: PLC0415

    ml = mgrlead.load_rubric("manager-leader")
    from mgrlead.io.serialize import unstructure_rubric  # noqa: PLC0415
    from mgrlead.plugins import default_host  # noqa: PLC0415

    dim = unstructure_rubric(ml)["dimensions"][0]
    text = json.dumps({"extends": "manager-leader", "id": "x", "version": "1",
                       "dimensions": [dim, dim]})  # fmt: skip
    with pytest.raises(mgrlead.RubricFileError, match="'process_results' is used twice"):
        load_rubric_text(text, fmt="json", context=default_host())


def test_a_duplicate_among_thousands_of_items_is_found_and_named() -> None:
    from mgrlead import Dimension, Item, Pole, Rubric, Scale  # noqa: PLC0415

    items = [Item(id=f"i{k}", text="t", keyed="hi") for k in range(10_000)]
    items.append(Item(id="i4321", text="again", keyed="hi"))
    dim = Dimension(id="d", name="D", low=Pole(id="lo", label="L"),
                    high=Pole(id="hi", label="H"), items=items)  # fmt: skip
    with pytest.raises(mgrlead.RubricError, match="'i4321'"):
        Rubric(id="r", version="1", title="T", scale=Scale.agreement(5), dimensions=[dim])


def _duplicated(ml: Any) -> Any:
    """A pandas frame with two columns named ``pr1`` (pandas allows it)."""
    import pandas as pd  # noqa: PLC0415

    frame = pd.DataFrame([dict.fromkeys(ml.item_ids, 3)] * 3)
    return pd.concat([frame, frame[["pr1"]]], axis=1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda _: mgrlead.score(None, {}), "a rubric is a Rubric, a registered name or a file"),
        (lambda ml: mgrlead.score(ml, {}, strategy=5), "strategy must be a str"),
        (lambda ml: mgrlead.score(ml, {}, weighting=5), "weighting must be a str or Weighting"),
        (lambda ml: mgrlead.score(ml, {}, missing=5), "missing must be a str or MissingPolicy"),
        (lambda ml: mgrlead.score(ml, {}, norms=5), "norms must be a NormTable"),
        (lambda _: mgrlead.load_rubric("x" * 5000), "5,000 characters long"),
        (lambda ml: mgrlead.score_frame(ml, dict.fromkeys(ml.item_ids, 3)),
         "is a int, not a column"),
        (lambda ml: mgrlead.score_frame(ml, {i: (v for v in [3]) for i in ml.item_ids}),
         "is a generator, not a column"),
        (lambda ml: mgrlead.score_frame(ml, {i: [3] for i in ml.item_ids}, norms=5),
         "norms must be a NormTable"),
        (lambda ml: mgrlead.score(ml, {}, careless="no"), "careless must be True or False"),
        (lambda ml: mgrlead.score_matrix(ml, [[3] * 24], careless=0),
         "careless must be True or False"),
        (lambda ml: mgrlead.score_frame(ml, {i: [3] for i in ml.item_ids}, careless=None),
         "careless must be True or False"),
        (lambda ml: mgrlead.build_rubric(ml, weighting=5), "weighting must be a str"),
        (lambda ml: mgrlead.build_rubric(ml, strategy=5), "strategy must be a str"),
        (lambda ml: mgrlead.build_rubric(ml, extra_dimensions=5), "must be a list of dimension"),
        (lambda ml: mgrlead.build_rubric(ml, extra_dimensions="process_results"),
         "must be a list of dimension"),
        (lambda ml: mgrlead.build_rubric(ml, extra_dimensions=[5]), r"holds 5 \(int\)"),
        (lambda ml: mgrlead.score_frame(ml, _duplicated(ml)), "more than one column named 'pr1'"),
        (lambda ml: mgrlead.score_360(ml, _duplicated(ml)), "more than one column named 'pr1'"),
    ],
)  # fmt: skip
def test_library_calls_with_the_wrong_types_raise_mgrlead_errors(call: Any, message: str) -> None:
    with pytest.raises(mgrlead.InputError, match=message):
        call(mgrlead.load_rubric("manager-leader"))


@pytest.mark.parametrize(
    "args",
    [["score", "examples/responses.csv", "-o", "/sys/mgrlead-test.csv"],
     ["rubric", "export", "manager-leader", "-o", "/sys/mgrlead-test.toml"],
     ["rubric", "schema", "-o", "/sys/mgrlead-test.json"]],
)  # fmt: skip
def test_an_output_that_cannot_be_written_is_one_line(args: list[str]) -> None:
    import os  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    from click.testing import CliRunner  # noqa: PLC0415

    from mgrlead.cli import cli  # noqa: PLC0415

    try:  # /sys refuses new files even to root
        os.close(os.open("/sys/mgrlead-probe", os.O_CREAT | os.O_WRONLY))
    except OSError:
        pass
    else:  # pragma: no cover - a system where /sys takes files
        Path("/sys/mgrlead-probe").unlink()
        pytest.skip("needs a folder no one may write to (Linux's /sys)")
    root = Path(__file__).resolve().parents[1]
    args = [str(root / a) if a.startswith("examples/") else a for a in args]
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 2
    assert done.output.strip().splitlines() == [
        f"mgrlead: error: cannot write '{args[-1]}': Permission denied"
    ]
