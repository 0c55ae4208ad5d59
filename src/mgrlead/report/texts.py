"""The plain words a profile is explained with, shared by the terminal and the HTML report.

Every function returns plain text (no markup): the terminal escapes it for
rich, the HTML report lets Jinja2 escape it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mgrlead.model import Dimension, Pole, Rubric
    from mgrlead.results import DimensionScore, Profile

__all__ = ["careless_notes", "leaning", "norm_metric", "scale_note"]

#: A run of the same answer this long (and over half the answers) gets a note.
LONG_RUN = 8
#: A mean answer this far from the middle (-1..+1) over balanced dimensions gets a note.
ACQUIESCENCE = 0.5


def scale_note(rubric: Rubric) -> str:
    """What the 0-100 numbers mean."""
    return (
        "Each score runs from 0 to 100: 0 means every answer points to the pole on the left "
        f"(the {rubric.low_label} side), 100 every answer to the pole on the right (the "
        f"{rubric.high_label} side), and 50 sits exactly between them. It describes where "
        "your answers lie, not how good they are, and it is not a percentile (compare with "
        "a norm table for that)."
    )


def leaning(dim: Dimension, position: float) -> tuple[str, tuple[Pole, ...]]:
    """Which pole a score leans toward, in words, and the poles whose texts apply."""
    if position > 0:
        return f"Your answers lean toward {dim.high.label}.", (dim.high,)
    if position < 0:
        return f"Your answers lean toward {dim.low.label}.", (dim.low,)
    return (
        (
            f"Your answers sit exactly between {dim.low.label} and {dim.high.label}; "
            "both are described."
        ),
        (dim.low, dim.high),
    )


def norm_metric(score: DimensionScore) -> str:
    """Which of a score's numbers its norm comparison is about, in words."""
    norm = score.norm
    if norm is None:
        return "score"
    for name, value in (("percent", score.percent), ("item mean", score.mean),
                        ("item sum", score.sum)):  # fmt: skip
        if value is not None and norm.raw == value:
            return name
    return "score"


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
    if c.irv == 0 and answered > 1:
        notes.append(
            f"You gave the same answer to all {answered} statements you answered. The "
            "statements point both ways, so the same answer everywhere puts every score "
            "near the middle whatever you think: the profile says little. Take it again "
            "and weigh each statement on its own."
        )
        return notes
    if c.longest_run >= max(LONG_RUN, answered // 2):
        notes.append(
            f"{c.longest_run} of your answers in a row (in the rubric's order of statements) "
            "were the same. If that was haste rather than how you see yourself, the scores "
            "are less telling."
        )
    if c.acquiescence is not None and abs(c.acquiescence) >= ACQUIESCENCE:
        verb = "agreed" if c.acquiescence > 0 else "disagreed"
        notes.append(
            f"You {verb} with most statements, including ones that say opposite things. "
            "That pulls every score toward the middle."
        )
    if c.both_poles:
        bipolar = sum(1 for d in rubric.walk() if d.bipolar)
        notes.append(
            f"On {c.both_poles} of {bipolar} dimensions you agreed with statements on both "
            "sides: a middle score there may mean 'both', not 'neither'."
        )
    return notes
