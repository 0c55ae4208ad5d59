"""360 feedback: group views, anonymity (with an attack that must fail), gaps, errors."""

from __future__ import annotations

import json
import math
import statistics
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import mgrlead
from mgrlead import InputError, MgrleadError
from mgrlead.api import scoring_plan
from mgrlead.groups.multirater import ALL_OTHERS, Anonymity, score_360

from .helpers import dim, item, rubric

EXAMPLE = Path(__file__).parent.parent / "examples" / "360-responses.csv"
ITEMS = ("a1", "a2", "a3", "a4")
ONE_DIM = rubric([dim("d", [item("a1"), item("a2", "lo"), item("a3"), item("a4", "lo")])])
OTHERS = ("manager", "peer", "direct_report", "other")


def _read_example() -> dict[str, list[Any]]:
    import pyarrow.csv as pacsv  # noqa: PLC0415

    return pacsv.read_csv(EXAMPLE).to_pydict()


def _frame(rows: list[tuple[str, str, tuple[int | None, ...]]]) -> dict[str, list[Any]]:
    data: dict[str, list[Any]] = {"subject": [], "rater_group": []}
    data |= {i: [] for i in ITEMS}
    for subject, group, answers in rows:
        data["subject"].append(subject)
        data["rater_group"].append(group)
        for i, a in zip(ITEMS, answers, strict=True):
            data[i].append(a)
    return data


def _percent(answers: tuple[int | None, ...]) -> float | None:
    profile = mgrlead.score(ONE_DIM, dict(zip(ITEMS, answers, strict=True)))
    return profile["d"].percent


def test_group_views_are_the_mean_of_their_raters_scored_one_by_one() -> None:
    data = _read_example()
    result = score_360("manager-leader", data)
    r = mgrlead.load_rubric("manager-leader")
    alex = result["alex"]
    for group in ("peer", "direct_report"):
        rows = [k for k, (s, g) in enumerate(zip(data["subject"], data["rater_group"], strict=True))
                if s == "alex" and g == group]  # fmt: skip
        for d in scoring_plan(r).dimensions:
            singles = [
                mgrlead.score(r, {i: data[i][k] for i in r.item_ids})[d.id].percent for k in rows
            ]
            view = alex[group][d.id]
            assert view.shown
            assert view.raters == len(rows)
            assert view.percent == pytest.approx(statistics.fmean(singles), abs=1e-12)
            assert view.sd == pytest.approx(statistics.stdev(singles), abs=1e-12)
    # all others: every rater but self
    others = [k for k, s in enumerate(data["subject"]) if s == "alex"
              and data["rater_group"][k] != "self"]  # fmt: skip
    assert alex[ALL_OTHERS].raters == len(others)


def test_example_two_direct_reports_never_appear_on_their_own() -> None:
    result = score_360("manager-leader", _read_example())
    blake = result["blake"]
    assert blake["direct_report"].raters == 2
    assert "direct_report" not in blake.shown_groups()
    for view in blake["direct_report"].dimensions:
        assert view.percent is None
        assert view.sd is None
        assert view.band is None
        assert "fewer than the 3" in (view.reason or "")
    # pooled with the single "other" rater: three raters from two groups
    assert blake[ALL_OTHERS].dimensions[0].shown
    dumped = json.loads(result.to_json())
    person = next(p for p in dumped["people"] if p["subject"] == "blake")
    dr = next(g for g in person["groups"] if g["group"] == "direct_report")
    assert all(d["percent"] is None and d["mean"] is None for d in dr["dimensions"])


def test_two_peers_fold_the_manager_into_all_others() -> None:
    # Casey: 1 manager, 2 peers, 4 direct reports.  Peers alone are too few; pooled
    # only with nobody they would be "all others minus the rest", so the smallest
    # shown group (the manager) is folded in too.
    casey = score_360("manager-leader", _read_example())["casey"]
    assert set(casey.shown_groups()) == {"self", "direct_report", ALL_OTHERS}
    assert "cannot be told apart" in (casey["manager"].dimensions[0].reason or "")


def test_the_differencing_attack_fails_on_the_textbook_case() -> None:
    # manager 1 (shown), peers 3 (shown), direct reports 2 (too few): the attacker
    # takes n * mean of all others minus the shown groups' sums.
    answers = [(5, 1, 5, 1), (4, 2, 4, 2), (3, 3, 3, 3), (2, 4, 2, 4), (1, 5, 1, 5), (2, 2, 5, 1)]
    groups = ["manager", "peer", "peer", "peer", "direct_report", "direct_report"]
    data = _frame([("s", g, a) for g, a in zip(groups, answers, strict=True)])
    person = score_360(ONE_DIM, data)["s"]
    published = {v.group: v.dimensions[0] for v in person.groups if v.dimensions[0].shown}
    true_dr = statistics.fmean(p for p in (_percent(a) for a in answers[4:]) if p is not None)
    total = published[ALL_OTHERS]
    recovered = total.raters * (total.percent or 0) - sum(
        v.raters * (v.percent or 0) for g, v in published.items() if g != ALL_OTHERS
    )
    rest = total.raters - sum(v.raters for g, v in published.items() if g != ALL_OTHERS)
    # What is left over is never the two direct reports alone.
    assert not (rest == 2 and math.isclose(recovered / rest, true_dr))
    assert "direct_report" not in person.shown_groups()


answer_rows = st.tuples(*[st.one_of(st.none(), st.integers(1, 5))] * 4)


@st.composite
def rounds(draw: st.DrawFn) -> tuple[list[tuple[str, tuple[int | None, ...]]], Anonymity]:
    rows: list[tuple[str, tuple[int | None, ...]]] = []
    if draw(st.booleans()):
        rows.append(("self", draw(answer_rows)))
    for group in OTHERS:
        rows += [(group, a) for a in draw(st.lists(answer_rows, max_size=5))]
    minimum = {"self": 1, "manager": draw(st.integers(1, 3))}
    minimum |= {g: draw(st.integers(1, 5)) for g in ("peer", "direct_report")}
    if draw(st.booleans()):
        minimum[ALL_OTHERS] = draw(st.integers(1, 5))
    rules = Anonymity(
        default=draw(st.integers(2, 4)),
        minimum=minimum,
        below=draw(st.sampled_from(["merge", "suppress"])),
    )
    return rows, rules


def _output(rows: list[tuple[str, tuple[int | None, ...]]], rules: Anonymity) -> str:
    data = _frame([("s", g, a) for g, a in rows])
    return score_360(ONE_DIM, data, anonymity=rules).to_json()


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(rounds())
def test_no_output_lets_anyone_recover_a_group_below_its_minimum(
    case: tuple[list[tuple[str, tuple[int | None, ...]]], Anonymity],
) -> None:
    """An attacker who sees everything cannot tell a small group's answers apart.

    For every group shown as below its minimum, take one of its scored raters and
    either change their answers or swap them with a rater outside the group whose
    score differs.  Some such change must leave every published byte the same:
    then the published output cannot determine the group's scores.
    """
    rows, rules = case
    assume(rows)
    percents = [_percent(a) for _, a in rows]
    scored = [p for (g, _), p in zip(rows, percents, strict=True) if p is not None and g != "self"]
    # Distinct scores: otherwise "all equal" would be learnt from any aggregate.
    assume(len({Fraction(p).limit_denominator(1000) for p in scored}) == len(scored))
    before = _output(rows, rules)
    person = json.loads(before)["people"][0]
    for view in person["groups"]:
        g, d = view["group"], view["dimensions"][0]
        if g in {"self", ALL_OTHERS} or d["shown"] or d["raters"] == 0:
            continue
        if d["raters"] >= rules.minimum_for(g):
            continue  # folded in to protect another group, not itself protected
        a = next(k for k, (grp, _) in enumerate(rows) if grp == g and percents[k] is not None)
        changed = list(rows)
        new = (5, 1, 5, 1) if percents[a] != 100.0 else (1, 5, 1, 5)  # 100 %, else 0 %
        changed[a] = (g, new)
        if _output(changed, rules) == before:
            continue
        swaps = []
        for r, (grp, answers) in enumerate(rows):
            if grp in {g, "self"} or percents[r] is None or percents[r] == percents[a]:
                continue
            swapped = list(rows)
            swapped[a], swapped[r] = (g, answers), (grp, rows[a][1])
            swaps.append(_output(swapped, rules) == before)
        assert any(swaps), f"group {g!r} below its minimum is recoverable"


def test_minimums_keep_self_and_manager_at_one_unless_given() -> None:
    rules = Anonymity(minimum={"peer": 4})
    assert (rules.minimum_for("self"), rules.minimum_for("manager")) == (1, 1)
    assert (rules.minimum_for("peer"), rules.minimum_for("other")) == (4, 3)
    assert Anonymity(minimum={"manager": 3}).minimum_for("manager") == 3


def test_suppress_leaves_small_groups_out_of_all_others() -> None:
    answers = [(5, 1, 5, 1), (4, 2, 4, 2), (3, 3, 3, 3), (4, 1, 4, 2), (1, 5, 1, 5)]
    groups = ["peer", "peer", "peer", "direct_report", "direct_report"]
    data = _frame([("s", g, a) for g, a in zip(groups, answers, strict=True)])
    person = score_360(ONE_DIM, data, anonymity=Anonymity(below="suppress"))["s"]
    assert person[ALL_OTHERS].dimensions[0].raters == 3
    assert person[ALL_OTHERS].dimensions[0].percent == person["peer"].dimensions[0].percent
    assert "left out" in (person["direct_report"].dimensions[0].reason or "")


def test_all_others_needs_its_own_minimum() -> None:
    data = _frame([("s", "self", (5, 1, 5, 1)), ("s", "manager", (1, 5, 1, 5))])
    person = score_360(ONE_DIM, data)["s"]
    assert person["manager"].dimensions[0].shown
    assert not person[ALL_OTHERS].dimensions[0].shown
    assert person.gaps[0].gap is None


def test_a_rater_who_skipped_a_dimension_does_not_count_towards_it() -> None:
    rows = [("peer", (5, 1, 5, 1)), ("peer", (4, 2, 4, 2)), ("peer", (None, None, None, 3))]
    person = score_360(ONE_DIM, _frame([("s", g, a) for g, a in rows]))["s"]
    assert person["peer"].raters == 3
    assert person["peer"].dimensions[0].raters == 2
    assert not person["peer"].dimensions[0].shown


def test_gaps_mark_blind_spots_and_hidden_strengths() -> None:
    high, low, mid = (5, 1, 5, 1), (1, 5, 1, 5), (3, 3, 3, 3)
    peers = [("s", "peer", mid)] * 3
    blind = score_360(ONE_DIM, _frame([("s", "self", high), *peers]))["s"].gaps[0]
    assert (blind.kind, blind.gap) == ("blind_spot", 50.0)
    hidden = score_360(ONE_DIM, _frame([("s", "self", low), *peers]))["s"].gaps[0]
    assert (hidden.kind, hidden.gap) == ("hidden_strength", -50.0)
    near = score_360(ONE_DIM, _frame([("s", "self", mid), *peers]), gap=60.0)["s"].gaps[0]
    assert (near.kind, near.gap) == (None, 0.0)
    edge = score_360(ONE_DIM, _frame([("s", "self", high), *peers]), gap=50.0)["s"].gaps[0]
    assert edge.kind == "blind_spot"


def test_rows_and_frames_carry_no_numbers_for_withheld_views() -> None:
    result = score_360("manager-leader", _read_example())
    frame = result.to_frame("pyarrow")
    assert (
        frame.num_rows
        == len(result.to_rows())
        == sum(len(v.dimensions) for p in result.people for v in p.groups)
    )
    for row in result.to_rows():
        if not row["shown"]:
            assert row["percent"] is None
            assert row["sd"] is None


def test_custom_groups_and_labels() -> None:
    data = _frame([("s", "team_lead", (5, 1, 5, 1)), ("s", "client", (1, 5, 1, 5))])
    result = score_360(ONE_DIM, data, groups={"team_lead": "Team lead", "client": "Clients"},
                       anonymity=Anonymity(default=1))  # fmt: skip
    assert result["s"]["client"].label == "Clients"
    assert result["s"][ALL_OTHERS].dimensions[0].raters == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rater_group": ["peer", "boss"]}, "row 1: rater group 'boss'"),
        ({"subject": ["s", None]}, "row 1: the subject None"),
        ({"subject": ["s", ""]}, "row 1: the subject ''"),
    ],
)
def test_bad_rows_are_named(change: dict[str, list[Any]], message: str) -> None:
    data = _frame([("s", "peer", (1, 2, 3, 4)), ("s", "peer", (1, 2, 3, 4))]) | change
    with pytest.raises(InputError, match=message):
        score_360(ONE_DIM, data)


def test_missing_columns_and_bad_options_are_refused() -> None:
    data = _frame([("s", "peer", (1, 2, 3, 4))])
    with pytest.raises(InputError, match="no column 'rater'"):
        score_360(ONE_DIM, data, group="rater")
    with pytest.raises(InputError, match="no column 'who'"):
        score_360(ONE_DIM, data, subject="who")
    with pytest.raises(InputError, match="gap must be a positive"):
        score_360(ONE_DIM, data, gap=0)
    with pytest.raises(InputError, match="reserved"):
        score_360(ONE_DIM, data, groups={"all_others": "x"})
    with pytest.raises(MgrleadError, match="group 'peer'"):
        Anonymity(minimum={"peer": 0})


def test_the_reasons_a_view_is_withheld_are_in_the_current_language() -> None:
    from mgrlead.i18n import use_language  # noqa: PLC0415

    with use_language("de"):
        result = score_360("manager-leader", _read_example())
    blake, casey = result["blake"], result["casey"]
    assert blake["direct_report"].dimensions[0].reason == (
        "2 Bewertende, weniger als die 3, die zum Anzeigen nötig sind; mit allen anderen "
        "zusammengefasst"
    )
    assert casey["manager"].dimensions[0].reason == (
        "mit allen anderen zusammengefasst, damit die dort gebündelten kleineren Gruppen "
        "nicht zu unterscheiden sind"
    )
    data = _frame([("s", "self", (5, 1, 5, 1)), ("s", "manager", (1, 5, 1, 5))])
    with use_language("es"):
        person = score_360(ONE_DIM, data)["s"]
    assert person[ALL_OTHERS].dimensions[0].reason == (
        "1 evaluador más, menos de los 3 necesarios para mostrarse"
    )
    # in English, as before
    english = score_360("manager-leader", _read_example())["blake"]
    assert english["direct_report"].dimensions[0].reason == (
        "2 raters, fewer than the 3 needed to be shown; merged into all others"
    )
