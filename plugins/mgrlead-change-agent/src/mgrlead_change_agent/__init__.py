"""mgrlead-change-agent: a fifth bipolar dimension, guards stability vs. drives change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mgrlead import Dimension, Item, Pole, hookimpl

if TYPE_CHECKING:
    from mgrlead.plugins.hookspecs import FeedbackRegistrar, Registrar

__version__ = "1.0.0"

CHANGE = Dimension(
    id="change",
    name="Guards stability vs. drives change",
    description=(
        "Whether you protect what works and keep the organisation steady, or look for "
        "what to change next and set change in motion."
    ),
    low=Pole(
        id="manager",
        label="Guards stability",
        description="You protect what works and keep the organisation steady through change.",
        strengths="Reliability; people can count on stable routines, roles and priorities.",
        risks="Needed changes may start late, and people with new ideas may stop offering them.",
        development=(
            "Each month, ask your team which one routine they would change if they could, "
            "and try the most promising idea on a small scale."
        ),
    ),
    high=Pole(
        id="leader",
        label="Drives change",
        description="You look for what to change next and set change in motion yourself.",
        strengths="Momentum; the organisation adapts early and people see that ideas matter.",
        risks="Too many changes at once can exhaust people and blur what stays the same.",
        development=(
            "Before starting a new change, list what will stay the same and tell your team; "
            "finish or stop one change before the next one starts."
        ),
    ),
    items=[
        Item(id="ca1", text="I keep our routines steady, even when others call for change.",
             keyed="manager"),
        Item(id="ca2", text="I start improvements before anyone asks me to.", keyed="leader"),
        Item(id="ca3", text="I wait until a change has proven itself elsewhere before I adopt it.",
             keyed="manager"),
        Item(id="ca4", text="I look for what our team should be doing differently next year.",
             keyed="leader"),
        Item(id="ca5", text="I protect my team from changes that would disrupt our work.",
             keyed="manager"),
        Item(id="ca6", text="I encourage my team to question how things have always been done.",
             keyed="leader"),
    ],
)  # fmt: skip


@hookimpl
def mgrlead_register_dimensions(register: Registrar) -> None:
    """Register the ``change`` dimension."""
    register(CHANGE)


@hookimpl
def mgrlead_contribute_feedback(register: FeedbackRegistrar) -> None:
    """Add a change-related suggestion to the built-in strategic-thinking pole."""
    register(
        dimension="structure_strategy",
        target="high",
        field="development",
        text="Pair each strategic change with one person who will check how it lands.",
        mode="append",
        translations={
            "de": "Stellen Sie jeder strategischen Veränderung eine Person zur Seite, die "
            "prüft, wie sie ankommt.",
            "fr": "Associez à chaque changement stratégique une personne qui vérifie comment "
            "il est reçu.",
            "es": "Asigne a cada cambio estratégico una persona que compruebe cómo se recibe.",
        },
    )
