"""The built-in manager-leader rubric, as the article describes it."""

from __future__ import annotations

import re
from pathlib import Path

import mgrlead

ARTICLE_DIMENSIONS = {
    "process_results": ("Process-oriented", "Results-oriented"),
    "staff_counsel": ("Organize and staff", "Guide and counsel"),
    "memos_coaching": ("Write memos", "Coach and teach"),
    "structure_strategy": ("Structured thinker", "Strategic thinker"),
}


def test_identity() -> None:
    rubric = mgrlead.load_rubric("manager-leader")
    assert (rubric.id, rubric.version) == ("manager-leader", "1.0")
    assert "manager-leader" in mgrlead.builtin_rubrics()
    assert mgrlead.load_rubric("manager-leader") is rubric  # loaded once


def test_four_bipolar_dimensions_from_the_article() -> None:
    rubric = mgrlead.load_rubric("manager-leader")
    found = {d.id: (d.low.label, d.high.label) for d in rubric.dimensions}
    assert found == ARTICLE_DIMENSIONS
    for d in rubric.dimensions:
        assert (d.low.id, d.high.id) == ("manager", "leader")


def test_five_point_agreement_scale() -> None:
    scale = mgrlead.load_rubric("manager-leader").scale
    assert (scale.min, scale.max) == (1, 5)
    assert scale.labels[0] == "Strongly disagree"
    assert scale.labels[-1] == "Strongly agree"


def test_six_or_more_balanced_first_person_items_per_dimension() -> None:
    for d in mgrlead.load_rubric("manager-leader").dimensions:
        assert len(d.items) >= 6
        keys = [i.keyed for i in d.items]
        assert keys.count("manager") == keys.count("leader"), d.id
        for i in d.items:
            assert re.search(r"\b(I|my|me)\b", i.text), i.text


def test_every_pole_has_all_four_kinds_of_feedback() -> None:
    for d in mgrlead.load_rubric("manager-leader").dimensions:
        for p in (d.low, d.high):
            for text in (p.description, p.strengths, p.risks, p.development):
                assert len(text.split()) >= 10, (d.id, p.id)


def test_bands_name_the_leaning_without_judging() -> None:
    rubric = mgrlead.load_rubric("manager-leader")
    assert [b.label for b in rubric.bands] == ["Manager-leaning", "Balanced", "Leader-leaning"]
    assert (rubric.low_label, rubric.high_label) == ("Manager", "Leader")
    judging = ("better", "worse", "bad", "poor", "good leader", "should")
    for band in rubric.bands:
        assert not any(word in band.feedback.lower() for word in judging), band.id


def test_agreeing_with_everything_lands_in_the_middle() -> None:
    rubric = mgrlead.load_rubric("manager-leader")
    for value in rubric.scale:
        profile = mgrlead.score(rubric, dict.fromkeys(rubric.item_ids, value))
        assert profile.overall.percent == 50.0
        assert profile.overall.band == "balanced"


def test_the_docs_page_shows_every_item_and_pole() -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "builtin-rubric.md").read_text(
        "utf-8"
    )
    rubric = mgrlead.load_rubric("manager-leader")
    for d in rubric.dimensions:
        assert d.name in page
        assert d.low.label in page
        assert d.high.label in page
        for i in d.items:
            assert f"| `{i.id}` | {i.keyed} | {i.text} |" in page
