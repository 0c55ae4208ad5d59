"""A rubric that declares no overall result (``overall = false``): no engine scores one.

The IPIP Big-Five example declares it: five separate traits do not add up to
one "Overall ... Balanced" (issue 16, item 15).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

import mgrlead
from mgrlead.cli import cli
from mgrlead.io.serialize import dump_rubric, load_rubric_text
from mgrlead.plan import content_hash

ROOT = Path(__file__).resolve().parent.parent
IPIP_FILE = ROOT / "examples" / "ipip-bfi25.toml"
RESPONSES = ROOT / "examples" / "ipip-responses.csv"
REASON = "the rubric declares no overall result"


def test_the_ipip_example_declares_no_overall() -> None:
    rubric = mgrlead.load_rubric(IPIP_FILE)
    assert rubric.overall is False
    assert mgrlead.load_rubric("manager-leader").overall is True  # the default


@pytest.mark.parametrize("fmt", ["toml", "json", "yaml"])
def test_the_declaration_survives_a_round_trip_through_files(fmt: str) -> None:
    rubric = mgrlead.load_rubric(IPIP_FILE)
    again = load_rubric_text(dump_rubric(rubric, fmt), fmt=fmt)
    assert again.overall is False
    assert again == rubric


def test_only_a_declared_no_overall_changes_the_content_hash() -> None:
    ml = mgrlead.load_rubric("manager-leader")
    # the hash of the built-in rubric recorded before the field existed
    assert content_hash(ml) == (
        "sha256:8e18316ce49fcb1370aae964360be7687b9cfece07b33a0bd974dee4a2b1a1ab"
    )
    assert content_hash(attrs.evolve(ml, overall=False)) != content_hash(ml)


def test_one_respondent_has_no_overall_result() -> None:
    rubric = mgrlead.load_rubric(IPIP_FILE)
    profile = mgrlead.score(rubric, dict.fromkeys(rubric.item_ids, 4))
    assert not profile.overall.scorable
    assert profile.overall.reason == REASON
    assert profile.overall.percent is None
    assert profile.overall.band is None
    assert all(s.scorable for s in profile)  # the dimensions are scored as before


def _frame_overall(kind: str) -> list[list[object]]:
    rubric = mgrlead.load_rubric(IPIP_FILE)
    columns = ["overall_percent", "overall_position", "overall_band"]
    if kind == "pandas":
        import pandas as pd  # noqa: PLC0415

        out = mgrlead.score_frame(rubric, pd.read_csv(RESPONSES))
        return [[None if pd.isna(v) else v for v in out[c]] for c in columns]
    import polars as pl  # noqa: PLC0415

    frame = pl.read_csv(RESPONSES)
    out = mgrlead.score_frame(rubric, frame.lazy() if kind == "polars-lazy" else frame)
    if hasattr(out, "collect"):
        out = out.collect()
    return [out[c].to_list() for c in columns]


@pytest.mark.parametrize("kind", ["pandas", "polars", "polars-lazy"])
def test_every_frame_engine_leaves_the_overall_empty(kind: str) -> None:
    for column in _frame_overall(kind):
        assert len(column) == 3  # the three people of the example
        assert all(v is None for v in column)


def test_the_score_command_leaves_the_overall_empty() -> None:
    result = CliRunner().invoke(cli, ["score", str(RESPONSES), "--rubric", str(IPIP_FILE)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows
    assert {r["overall_percent"] for r in rows} == {""}
    assert {r["overall_band"] for r in rows} == {""}
    assert all(r["stability_percent"] for r in rows)


def test_assess_and_the_report_show_no_overall(tmp_path: Path) -> None:
    rubric = mgrlead.load_rubric(IPIP_FILE)
    answers = tmp_path / "a.json"
    answers.write_text("{" + ", ".join(f'"{i}": 4' for i in rubric.item_ids) + "}")
    saved = tmp_path / "me.json"
    shown = CliRunner().invoke(
        cli, ["assess", "--rubric", str(IPIP_FILE), "--answers", str(answers), "-o", str(saved)]
    )
    assert shown.exit_code == 0, shown.output
    assert "Overall" not in shown.stdout
    assert "Stability" in shown.stdout
    out = tmp_path / "r.html"
    made = CliRunner().invoke(
        cli, ["report", str(saved), "--rubric", str(IPIP_FILE), "-o", str(out)]
    )
    assert made.exit_code == 0, made.output
    html = out.read_text()
    assert "Overall" not in html
    assert "Stability" in html
