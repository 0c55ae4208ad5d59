"""Rubric documents built to hang, crash or quietly lose a value (issue 15).

Each is refused at once with one line that says what and where.
"""

from __future__ import annotations

import time

import pytest

import mgrlead
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
    start = time.perf_counter()
    with pytest.raises(mgrlead.RubricFileError) as info:
        load_rubric_text(_laughs(levels), fmt="yaml")
    assert time.perf_counter() - start < 30  # a guard against a hang, not a timing test
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
