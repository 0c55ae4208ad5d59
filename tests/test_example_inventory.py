"""The public-domain example inventory in examples/, scored by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

import mgrlead
from mgrlead.cli import cli

ROOT = Path(__file__).resolve().parent.parent
IPIP = mgrlead.load_rubric(ROOT / "examples" / "ipip-bfi25.toml")


def _people() -> dict[str, dict[str, int | None]]:
    with (ROOT / "examples" / "ipip-responses.csv").open(newline="") as f:
        return {
            row.pop("person"): {k: int(v) if v else None for k, v in row.items()}
            for row in csv.DictReader(f)
        }


def test_structure_domains_in_metatraits() -> None:
    assert [d.id for d in IPIP.dimensions] == ["stability", "plasticity"]
    children = {d.id: [s.id for s in d.dimensions] for d in IPIP.dimensions}
    assert children == {
        "stability": ["agreeableness", "conscientiousness", "emotional_stability"],
        "plasticity": ["extraversion", "openness"],
    }
    assert len(IPIP.items) == 25
    assert {d.polarity for d in IPIP.walk()} == {"unipolar"}
    assert IPIP.licence.startswith("public domain")
    assert IPIP.source == "https://ipip.ori.org/"


def test_person_1_by_hand() -> None:
    # 1..6 scale: a "-" item scores 7 - x.
    profile = mgrlead.score(IPIP, _people()["P1"])
    expected = {
        "agreeableness": (7 - 2) + 5 + 4 + 6 + 3,  # 23
        "conscientiousness": 4 + 3 + 5 + (7 - 2) + (7 - 6),  # 18
        "emotional_stability": (7 - 1) + (7 - 2) + (7 - 3) + (7 - 4) + (7 - 6),  # 19
        "extraversion": (7 - 6) + (7 - 5) + 2 + 3 + 1,  # 9
        "openness": 6 + (7 - 1) + 5 + 6 + (7 - 2),  # 28
    }
    expected["stability"] = 23 + 18 + 19
    expected["plasticity"] = 9 + 28
    assert {s.dimension: s.score for s in profile} == expected
    bands = {s.dimension: s.band for s in profile}
    assert bands == {
        "stability": "average",  # 60 in [42, 66]
        "agreeableness": "high",  # 23 > 22
        "conscientiousness": "average",  # 18 in [14, 22]
        "emotional_stability": "average",
        "plasticity": "average",  # 37 in [28, 44]
        "extraversion": "low",  # 9 < 14
        "openness": "high",  # 28 > 22
    }
    assert profile["openness"].position is None  # unipolar


def test_person_3_with_gaps() -> None:
    profile = mgrlead.score(IPIP, _people()["P3"])
    agreeableness = profile["agreeableness"]
    assert (agreeableness.answered, agreeableness.missing) == (4, 1)
    assert agreeableness.score == (7 - 5) + 2 + 1 + 2  # sum of what was answered: 7
    assert agreeableness.band == "low"
    assert profile["plasticity"].answered == 9


@pytest.mark.parametrize("person", ["P1", "P2", "P3"])
def test_batch_agrees(person: str) -> None:
    people = _people()
    columns = {i: [people[p][i] for p in people] for i in IPIP.item_ids}
    columns["person"] = list(people)
    out = mgrlead.score_frame(IPIP, columns)
    row = list(people).index(person)
    single = mgrlead.score(IPIP, people[person])
    for s in single:
        assert out[f"{s.dimension}_score"][row] == s.score
        assert out[f"{s.dimension}_band"][row] == s.band


def test_cli_scores_the_example(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["score", str(ROOT / "examples" / "ipip-responses.csv"), "--rubric",
         str(ROOT / "examples" / "ipip-bfi25.toml"), "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = result.stdout
    assert '"agreeableness_score": 23.0' in rows
    _ = tmp_path
