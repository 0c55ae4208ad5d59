"""The plain words a profile is explained with, shared by the terminal and the HTML report.

Every function returns plain text (no markup): the terminal escapes it for
rich, the HTML report lets Jinja2 escape it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mgrlead.i18n import N_, current_language, format_decimal
from mgrlead.i18n import gettext as _

if TYPE_CHECKING:
    from mgrlead.irt import ThetaScore
    from mgrlead.model import Band, Dimension, Pole, Rubric
    from mgrlead.results import DimensionScore, Profile

__all__ = [
    "IN_NO_BAND",
    "band_words",
    "bands_on_percent",
    "careless_notes",
    "few_groups",
    "group_label",
    "icc1_words",
    "icc2_words",
    "leaning",
    "norm_metric",
    "norm_table_words",
    "percent_interval",
    "percent_words",
    "rwg_words",
    "scale_note",
    "theta_alt",
    "theta_note",
    "theta_words",
    "uses_rubric_bands",
]

#: A run of the same answer this long (and over half the answers) gets a note.
LONG_RUN = 8
#: A mean answer this far from the middle (-1..+1) over balanced dimensions gets a note.
ACQUIESCENCE = 0.5


def percent_words(value: float, digits: int = 0) -> str:
    """A percentage (``value`` in percent) as the current language writes it.

    English ``95%``; German, French and Spanish ``95 %`` (a no-break space).
    """
    if current_language() == "en":
        return f"{value:.{digits}f}%"
    return f"{format_decimal(value, digits)}\u00a0%"


def scale_note(rubric: Rubric) -> str:
    """What the 0-100 numbers mean."""
    return _(
        "Each score runs from 0 to 100: 0 means every answer points to the pole on the left "
        "(the {low} side), 100 every answer to the pole on the right (the "
        "{high} side), and 50 sits exactly between them. It describes where "
        "your answers lie, not how good they are, and it is not a percentile (compare with "
        "a norm table for that)."
    ).format(low=rubric.low_label, high=rubric.high_label)


#: Said of a score that falls in a gap the rubric leaves between its bands.
IN_NO_BAND = N_("Your score falls between the bands, so no band describes it.")


def band_words(label: str | None, *, scored: bool = True) -> str:
    """A result's band as shown: its label, ``in no band``, or ``not scorable``.

    A scored result without a band label falls in a gap between bands.
    """
    if label is not None:
        return label
    return _("in no band") if scored else _("not scorable")


def leaning(dim: Dimension, position: float) -> tuple[str, tuple[Pole, ...]]:
    """Which pole a score leans toward, in words, and the poles whose texts apply."""
    if position > 0:
        return _("Your answers lean toward {pole}.").format(pole=dim.high.label), (dim.high,)
    if position < 0:
        return _("Your answers lean toward {pole}.").format(pole=dim.low.label), (dim.low,)
    return (
        _("Your answers sit exactly between {low} and {high}; both are described.").format(
            low=dim.low.label, high=dim.high.label
        ),
        (dim.low, dim.high),
    )


#: The metrics a norm score may compare, in words, as :func:`norm_metric` names them.
_METRIC_WORDS = {"percent": N_("percent"), "mean": N_("item mean"), "sum": N_("item sum")}


def _norm_source(score: DimensionScore) -> str | None:
    """The metric (``percent``, ``mean``, ``sum``) whose value the norm compared, if known."""
    norm = score.norm
    if norm is None:
        return None
    for name, value in (("percent", score.percent), ("mean", score.mean), ("sum", score.sum)):
        if value is not None and norm.raw == value:
            return name
    return None


def norm_table_words(norms: str | None) -> str:
    """A profile's norm table (``"id version"``) in words: ``norm table 'id' (version 1)``."""
    if not norms:
        return _("the norm table")
    table_id, _sep, version = norms.rpartition(" ")
    if not table_id:
        return _("norm table '{table}'").format(table=norms)
    return _("norm table '{table}' (version {version})").format(table=table_id, version=version)


def norm_metric(score: DimensionScore) -> str:
    """Which of a score's numbers its norm comparison is about, in words."""
    source = _norm_source(score)
    return _("score") if source is None else _(_METRIC_WORDS[source])


def percent_interval(
    score: DimensionScore, dim: Dimension, rubric: Rubric
) -> tuple[float, float] | None:
    """A norm score's confidence interval on the 0-100 axis, or ``None`` when it has none there.

    Converted from the norm table's metric with
    :func:`mgrlead.analysis.norms.convert_metric` and then held within 0..100 (an
    interval of a bounded score shown on its axis): the same interval whatever
    the metric the table describes.
    """
    from mgrlead.analysis.norms import convert_metric  # noqa: PLC0415
    from mgrlead.api import scoring_plan  # noqa: PLC0415

    norm = score.norm
    source = _norm_source(score)
    if norm is None or norm.ci_low is None or norm.ci_high is None or source is None:
        return None
    plan = scoring_plan(rubric)
    at = plan.dimension_ids.index(dim.id)
    dim_plan = plan.dimensions[at]
    low = convert_metric(norm.ci_low, source, "percent", plan.strategy.name, dim_plan)
    high = convert_metric(norm.ci_high, source, "percent", plan.strategy.name, dim_plan)
    if low is None or high is None:
        return None
    return min(max(low, 0.0), 100.0), min(max(high, 0.0), 100.0)


def bands_on_percent(rubric: Rubric, dim: Dimension) -> tuple[Band, ...]:
    """The bands a dimension's 0-100 bar can show: its bands when they are on the percent."""
    return rubric.bands_of(dim) if dim.band_on == "percent" else ()


def uses_rubric_bands(rubric: Rubric) -> bool:
    """Whether anything shown is labelled with the rubric's own bands."""
    return rubric.overall or any(d.bands is None for d in rubric.walk())


def careless_notes(profile: Profile, rubric: Rubric) -> list[str]:
    """Plain-word notes on how the answers were given (straight-lining, agreeing with all).

    The rules are deliberately simple: the same answer everywhere; a run of
    the same answer over half the answers (and at least :data:`LONG_RUN`);
    agreeing or disagreeing with most statements whatever side they take
    (:data:`ACQUIESCENCE`); agreeing with both sides of a dimension.
    """
    c = profile.careless
    if c is None:
        return []
    answered = sum(s.answered for s in profile if s.parent is None)
    notes = []
    # the same answer everywhere: one run covers every answer (exact, where the SD of
    # answers on a non-dyadic scale may be 2e-16 rather than 0)
    if c.longest_run >= answered > 1:
        from mgrlead.api import scoring_plan  # noqa: PLC0415

        if scoring_plan(rubric).careless.pairs:
            note = _(
                "You gave the same answer to all {answered} statements you answered. The "
                "statements point both ways, so the same answer everywhere puts every score "
                "near the middle whatever you think: the profile says little. Take it again "
                "and weigh each statement on its own."
            )
        else:
            note = _(
                "You gave the same answer to all {answered} statements you answered. The same "
                "answer everywhere pushes every score to the same end whatever you think: the "
                "profile says little. Take it again and weigh each statement on its own."
            )
        notes.append(note.format(answered=answered))
        return notes
    if c.longest_run >= max(LONG_RUN, answered // 2):
        notes.append(
            _(
                "{run} of your answers in a row (in the rubric's order of statements) "
                "were the same. If that was haste rather than how you see yourself, the scores "
                "are less telling."
            ).format(run=c.longest_run)
        )
    if c.acquiescence is not None and abs(c.acquiescence) >= ACQUIESCENCE:
        if c.acquiescence > 0:
            note = _(
                "You agreed with most statements, including ones that say opposite things. "
                "That pulls every score toward the middle."
            )
        else:
            note = _(
                "You disagreed with most statements, including ones that say opposite things. "
                "That pulls every score toward the middle."
            )
        notes.append(note)
    if c.both_poles:
        bipolar = sum(1 for d in rubric.walk() if d.bipolar)
        notes.append(
            _(
                "On {both} of {bipolar} dimensions you agreed with statements on both "
                "sides: a middle score there may mean 'both', not 'neither'."
            ).format(both=c.both_poles, bipolar=bipolar)
        )
    return notes


#: Fewer groups than this make the ICCs very uncertain (Bliese, 2000, asks for many more).
FEW_GROUPS = 10
#: Fewer members than this make a group's rwg(j) uncertain.
FEW_MEMBERS = 10
#: ICC(2) at or above this is usually taken as reliable group means (Bliese, 2000).
RELIABLE_ICC2 = 0.7
#: rwg(j) bands of LeBreton & Senter (2008): (lowest value, words).
RWG_WORDS = (
    (0.91, N_("very strong agreement")),
    (0.71, N_("strong agreement")),
    (0.51, N_("moderate agreement")),
    (0.31, N_("weak agreement")),
    (float("-inf"), N_("no real agreement")),
)


def group_label(by: str) -> str:
    """A grouping column as a title word: ``team`` is ``Team``, ``cost_centre`` ``Cost centre``.

    The column's name is the data's and stays as it is (capitalised); only the
    word for a column without a name is translated.
    """
    words = by.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else _("Group")


def icc1_words(icc1: float | None) -> str:
    """What an ICC(1) says, in a few plain words."""
    if icc1 is None:
        return _("ICC(1) not computed: too few groups or members shown.")
    if icc1 < 0:
        return _(
            "ICC(1) below 0: the groups differ less than chance would make them; read it "
            "as 0 (no group effect)."
        )
    # TRANSLATORS: {percent} is a percentage with its sign ("12 %")
    return _(
        "ICC(1): about {percent} of the differences between people lie between groups."
    ).format(percent=percent_words(icc1 * 100))


def icc2_words(icc2: float | None) -> str:
    """What an ICC(2) says, in a few plain words."""
    if icc2 is None:
        return _("ICC(2) not computed.")
    if icc2 < 0:
        return _(
            "ICC(2) below 0: the group means cannot tell the groups apart; how far below "
            "0 means nothing more."
        )
    if icc2 < RELIABLE_ICC2:
        return _("ICC(2) below {reliable}: the group means are too unreliable to compare.").format(
            reliable=format_decimal(RELIABLE_ICC2, 2)
        )
    return _("ICC(2): the group means are reliable enough to compare the groups.")


def few_groups(groups: int) -> str:
    """A warning when there are too few groups for ICCs to mean much (empty otherwise)."""
    if groups >= FEW_GROUPS:
        return ""
    return _(
        "Only {groups} groups: every ICC here is very uncertain (a member more or less can "
        "change it a lot); read them as a hint, not a finding. {few} or more groups "
        "are needed before they say much."
    ).format(groups=groups, few=FEW_GROUPS)


def rwg_words(rwg: float | None, members: int) -> str:
    """What a group's rwg(j) says, in plain words."""
    if rwg is None:
        return _("not computed (too few members answered every statement)")
    words = _(next(w for floor, w in RWG_WORDS if rwg >= floor))
    if members < FEW_MEMBERS:
        # TRANSLATORS: follows an agreement such as "strong agreement"
        words += _("; only {members} members, so uncertain").format(members=members)
    return words


#: What θ and its standard error mean, said once above the θ results.
_THETA_METHODS = {
    "eap": N_("the average of the values your answers make likely (EAP)"),
    "map": N_("the most likely value given your answers (MAP)"),
    "ml": N_("the value that makes your answers most likely (ML)"),
}


def theta_note(method: str) -> str:
    """What θ, its standard error and its 95 % interval mean, in plain words."""
    how = _(_THETA_METHODS[method]) if method in _THETA_METHODS else method
    return _(
        "\u03b8 (theta) places you on the trait the statements measure, on the scale of the "
        "people the statements were calibrated with: 0 is their average and 1 their standard "
        "deviation, so \u03b8 = 1 is one standard deviation above the average (T-score 60). "
        "It is {how}. The standard error (SE) says how precise \u03b8 is: the {level} interval, "
        "\u03b8 \u00b1 {z} SE, holds the true value in 95 of 100 cases. The chart shows how "
        "much the statements tell about each point of the scale (their information): the "
        "higher the curve at your \u03b8, the smaller the SE."
    ).format(how=how, z=format_decimal(1.96, 2), level=percent_words(95))


def theta_words(dim: Dimension, interval: tuple[float, float]) -> str:
    """Where a θ with this 95 % interval lies, in words: above or below 0 only when sure."""
    if interval[0] > 0:
        return _("Your answers place you above the calibration average, toward {pole}.").format(
            pole=dim.high.label
        )
    if interval[1] < 0:
        return _("Your answers place you below the calibration average, toward {pole}.").format(
            pole=dim.low.label
        )
    return _(
        "Your answers place you not clearly above or below the calibration average (the "
        "interval includes 0)."
    )


def theta_alt(score: ThetaScore, dim: Dimension, interval: tuple[float, float]) -> str:
    """The text alternative of a θ chart: what the picture shows."""
    theta = float("nan") if score.theta is None else score.theta
    return _(
        "Information of {dimension} along \u03b8, from {low} (left) to "
        "{high} (right), with your \u03b8 {theta} marked on the curve "
        "and its {level} interval, {lower} to {upper}, shaded."
    ).format(
        dimension=dim.name,
        low=dim.low.label,
        high=dim.high.label,
        theta=format_decimal(theta, 2),
        lower=format_decimal(interval[0], 2),
        upper=format_decimal(interval[1], 2),
        level=percent_words(95),
    )
