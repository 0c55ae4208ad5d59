"""The packaged rubrics, prebuilt (written by tools/build_prebuilt.py; do not edit).

Each entry is the SHA-256 of the rubric file it was made from and a function that
builds the same rubric with the model's own constructors (and validators).
"""

# ruff: noqa: E501 - the rubric's texts, as long as they are

from __future__ import annotations

from collections.abc import Callable

from mgrlead.model import Band, Dimension, Item, MissingPolicy, Pole, Rubric, Scale, Weighting

__all__ = ["PREBUILT"]

#: File name (without ``.toml``) to (SHA-256 of the file, builder).
PREBUILT: dict[str, tuple[str, Callable[[], Rubric]]] = {
    "manager-leader": (
        "94c1d172394824a244826f0dea41177328027a6f2a95636be9bb06fe80139eea",
        lambda: Rubric(
            id="manager-leader",
            version="1.0",
            title="Manager or Leader?",
            scale=Scale(
                min=1,
                max=5,
                labels=(
                    "Strongly disagree",
                    "Disagree",
                    "Neither agree nor disagree",
                    "Agree",
                    "Strongly agree",
                ),
            ),
            dimensions=(
                Dimension(
                    id="process_results",
                    name="Process-oriented vs. results-oriented",
                    low=Pole(
                        id="manager",
                        label="Process-oriented",
                        description="You prefer that everyone follows the tried and true guidelines and processes: if it worked before, it will work again.",
                        strengths="Consistent, repeatable work; fewer surprises; people know what is expected and changes do not distract the team from delivering.",
                        risks="A process can outlive its purpose; good ideas from the team may go unheard, and the team can miss better results that a new approach would bring.",
                        development="Once a quarter, pick one routine process and ask the people who run it what result it is for and what they would change; try one of their ideas.",
                    ),
                    high=Pole(
                        id="leader",
                        label="Results-oriented",
                        description="You care most that the team achieves the desired results, however they come, and you sponsor innovation in how the work is done.",
                        strengths="Focus on outcomes; openness to ideas from all around; the team adapts its ways of working when a better one appears.",
                        risks="Frequent changes to how work is done can unsettle people and make results less predictable; what works may not get written down for others.",
                        development="When a new way of working succeeds, write down the steps so the rest of the team can repeat it, and agree when it will be reviewed.",
                    ),
                    description="Whether you steer by following tried and true processes or by the results the team achieves, however they come.",
                    items=(
                        Item(
                            id="pr1",
                            text="When a process has worked before, I ask my team to keep following it as written.",
                            keyed="manager",
                        ),
                        Item(
                            id="pr2",
                            text="I judge my team's work mainly by the outcomes it achieves, not by how closely it followed the procedure.",
                            keyed="leader",
                        ),
                        Item(
                            id="pr3",
                            text="I make sure that everyone on my team knows and uses our agreed procedures.",
                            keyed="manager",
                        ),
                        Item(
                            id="pr4",
                            text="I encourage people to try a new way of working when it might get a better result.",
                            keyed="leader",
                        ),
                        Item(
                            id="pr5",
                            text="Before changing how we work, I want clear evidence that the current process is failing.",
                            keyed="manager",
                        ),
                        Item(
                            id="pr6",
                            text="I ask for ideas on how to reach our goals from people at every level, not only from those in charge.",
                            keyed="leader",
                        ),
                    ),
                ),
                Dimension(
                    id="staff_counsel",
                    name="Organize and staff vs. guide and counsel",
                    low=Pole(
                        id="manager",
                        label="Organize and staff",
                        description="You make sure every slot is filled properly so that the organisation's inner workings fit together and keep running at full capacity.",
                        strengths="Clear roles and responsibilities; gaps are noticed and filled quickly; the team has the capacity it needs to deliver.",
                        risks="People can come to feel like parts that fill a slot; talent already in the team may be overlooked, and those who want to grow may look elsewhere.",
                        development="Before you next fill a role from outside, talk with two people on your team about whether they would want it and what they would need to get there.",
                    ),
                    high=Pole(
                        id="leader",
                        label="Guide and counsel",
                        description="You advocate for your current staff, train them for the roles the organisation needs, and prefer to hire from within and promote career growth.",
                        strengths="Loyalty and growth; people see a future in the organisation; knowledge stays in the team.",
                        risks="Growing people from within takes time, and a role can stay open or be stretched while someone grows into it; outside perspectives may be missed.",
                        development="For each key role on your team, keep a simple plan for how it would be covered tomorrow if needed, alongside the growth plans of your people.",
                    ),
                    description="Whether you see your job as keeping every role filled and the organisation running at full capacity, or as advocating for your people and growing them into those roles.",
                    items=(
                        Item(
                            id="os1",
                            text="I keep a close eye on headcount and make sure every role on my team is filled.",
                            keyed="manager",
                        ),
                        Item(
                            id="os2",
                            text="I spend time helping the people on my team plan their next career step.",
                            keyed="leader",
                        ),
                        Item(
                            id="os3",
                            text="When a position opens, my first step is to define the role precisely and find someone to fill it.",
                            keyed="manager",
                        ),
                        Item(
                            id="os4",
                            text="When a position opens, I first look at whether someone already on the team could grow into it.",
                            keyed="leader",
                        ),
                        Item(
                            id="os5",
                            text="I arrange responsibilities so that each person has a clearly defined place in how the team runs.",
                            keyed="manager",
                        ),
                        Item(
                            id="os6",
                            text="I speak up for the people on my team when decisions about their roles or development are made.",
                            keyed="leader",
                        ),
                    ),
                ),
                Dimension(
                    id="memos_coaching",
                    name="Write memos vs. coach and teach",
                    low=Pole(
                        id="manager",
                        label="Write memos",
                        description="When something needs correcting, you send a clear message to the people concerned, so that it is fixed with minimal interruption to the day's work.",
                        strengths="Fast, clear, documented corrections that reach everyone at once and keep the day's productivity high.",
                        risks="A written correction tells people what to do but rarely why; the same problem may come back, and people may feel corrected rather than helped.",
                        development="The next time you are about to send a corrective message, talk with one of the people concerned first and ask how they see the problem.",
                    ),
                    high=Pole(
                        id="leader",
                        label="Coach and teach",
                        description="You believe that taking the time to retrain yields lasting change, and you coach people individually so that they learn to correct their own behaviour.",
                        strengths="People understand the reasons behind a correction, learn to solve problems themselves, and grow more independent.",
                        risks="Coaching takes time away from the day's work; urgent problems that affect everyone may need a quick, clear instruction as well.",
                        development="Decide in advance which kinds of problems need a short written note to everyone and which deserve a coaching conversation.",
                    ),
                    description="How you correct things that go wrong: with a quick written instruction to the people concerned, or by taking the time to coach them.",
                    items=(
                        Item(
                            id="mc1",
                            text="When something needs to be corrected, I send a clear written notice to the people concerned.",
                            keyed="manager",
                        ),
                        Item(
                            id="mc2",
                            text="When someone makes a mistake, I sit down with them to work out together how to do it differently.",
                            keyed="leader",
                        ),
                        Item(
                            id="mc3",
                            text="I prefer to correct problems in a way that interrupts the day's work as little as possible.",
                            keyed="manager",
                        ),
                        Item(
                            id="mc4",
                            text="I set aside time to coach people individually, even when the schedule is busy.",
                            keyed="leader",
                        ),
                        Item(
                            id="mc5",
                            text="I rely on written instructions, such as emails and guidelines, to tell people how things should be done.",
                            keyed="manager",
                        ),
                        Item(
                            id="mc6",
                            text="I would rather help people find the answer themselves than tell them what to do.",
                            keyed="leader",
                        ),
                    ),
                ),
                Dimension(
                    id="structure_strategy",
                    name="Structured thinker vs. strategic thinker",
                    low=Pole(
                        id="manager",
                        label="Structured thinker",
                        description="You love structure: guidelines that are easy to follow and multi-step systems that achieve expected results.",
                        strengths="Plans that people can follow; predictable delivery; risks are kept small and visible.",
                        risks="A strong preference for the expected can mean missing chances that need a calculated risk, and changing course late when the world changes.",
                        development="In your next planning round, add one small, time-boxed experiment with a clear stop rule next to the proven plan.",
                    ),
                    high=Pole(
                        id="leader",
                        label="Strategic thinker",
                        description="In the spirit of innovation, you would rather take strategic risks that move the organisation forward, and you welcome change in the name of efficiency.",
                        strengths="Long-term direction; readiness to change course when a better way appears; the organisation moves forward rather than standing still.",
                        risks="Frequent changes of course can tire people and leave work half-finished; risks taken may not be visible to everyone who carries them.",
                        development="When you change a plan, explain to the team what changes, why, and what stays the same, and check back after a few weeks how it went.",
                    ),
                    description="Whether you think in clear structures and multi-step systems that achieve expected results, or in strategic risks that move the organisation forward.",
                    items=(
                        Item(
                            id="ss1",
                            text="I like to break work into clear, step-by-step systems that anyone can follow.",
                            keyed="manager",
                        ),
                        Item(
                            id="ss2",
                            text="I am willing to take a calculated risk when it could move the organisation forward.",
                            keyed="leader",
                        ),
                        Item(
                            id="ss3",
                            text="I feel most confident when a plan spells out exactly what will happen and when.",
                            keyed="manager",
                        ),
                        Item(
                            id="ss4",
                            text="I regularly step back from day-to-day tasks to think about where the organisation should be in a few years.",
                            keyed="leader",
                        ),
                        Item(
                            id="ss5",
                            text="I prefer proven methods with predictable results over untested approaches.",
                            keyed="manager",
                        ),
                        Item(
                            id="ss6",
                            text="I am ready to change our plans when I see a more effective way to reach our goals.",
                            keyed="leader",
                        ),
                    ),
                ),
            ),
            description="Where do you stand between managing and leading? Four dimensions, each running from a manager pole (0) to a leader pole (100). Both ends are ways of getting people to succeed and of reaching company goals; which works better is up to your organisation and your situation. The result describes how you work, it does not rate you.",
            instructions="Rate how well each statement describes how you usually work, from 1 (strongly disagree) to 5 (strongly agree). There are no right or wrong answers.",
            low_label="Manager",
            high_label="Leader",
            weighting=Weighting(
                dimensions={},
                items={},
                description="Every dimension counts the same in the overall result.",
            ),
            bands=(
                Band(
                    id="manager_leaning",
                    label="Manager-leaning",
                    lower=0.0,
                    upper=40.0,
                    feedback="Your answers lean toward the manager side: you tend to rely on structure, clear roles and established ways of working.",
                ),
                Band(
                    id="balanced",
                    label="Balanced",
                    lower=40.0,
                    upper=60.0,
                    include_upper=True,
                    feedback="Your answers sit between the two sides: you draw on both the manager's and the leader's way of working, depending on the situation.",
                ),
                Band(
                    id="leader_leaning",
                    label="Leader-leaning",
                    lower=60.0,
                    upper=100.0,
                    include_lower=False,
                    include_upper=True,
                    feedback="Your answers lean toward the leader side: you tend to focus on results, people's growth and change.",
                ),
            ),
            missing=MissingPolicy(),
            translations={},
            sources={},
        ),
    ),
}
