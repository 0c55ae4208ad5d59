"""Write examples/ipip-bfi50-irt.toml: the IPIP 50-item Big-Five markers with GRM parameters.

The items are the public-domain IPIP Big-Five factor markers, 50-item version
(Goldberg, 1992; https://ipip.ori.org/newBigFive5broadKey.htm), ten per factor,
with their keying.  The item parameters are NOT published norms: the script
states generating parameters (a discrimination and four thresholds per item,
below), simulates answers from them (graded response model, θ ~ N(0, 1)) and,
when ``mgrlead.irt.calibrate`` is available, calibrates the items on those
simulated answers and writes the estimates; otherwise it writes the generating
parameters.  Either way the numbers come from simulated data.

Run it from the repository root:  ``python examples/make_irt_examples.py``
(``--respondents N``, ``--seed S``, ``--generating`` to skip calibration).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import numpy as np

import mgrlead
from mgrlead.io.serialize import dump_rubric
from mgrlead.model import Dimension, IrtParams, Item, Pole, Rubric, Scale

OUT = Path(__file__).resolve().parent / "ipip-bfi50-irt.toml"

#: (dimension id, name, [(item text, keyed "+" or "-"), ...]) in the IPIP's order.
FACTORS = (
    ("extraversion", "Extraversion", [
        ("Am the life of the party.", "+"),
        ("Don't talk a lot.", "-"),
        ("Feel comfortable around people.", "+"),
        ("Keep in the background.", "-"),
        ("Start conversations.", "+"),
        ("Have little to say.", "-"),
        ("Talk to a lot of different people at parties.", "+"),
        ("Don't like to draw attention to myself.", "-"),
        ("Don't mind being the center of attention.", "+"),
        ("Am quiet around strangers.", "-"),
    ]),
    ("agreeableness", "Agreeableness", [
        ("Feel little concern for others.", "-"),
        ("Am interested in people.", "+"),
        ("Insult people.", "-"),
        ("Sympathize with others' feelings.", "+"),
        ("Am not interested in other people's problems.", "-"),
        ("Have a soft heart.", "+"),
        ("Am not really interested in others.", "-"),
        ("Take time out for others.", "+"),
        ("Feel others' emotions.", "+"),
        ("Make people feel at ease.", "+"),
    ]),
    ("conscientiousness", "Conscientiousness", [
        ("Am always prepared.", "+"),
        ("Leave my belongings around.", "-"),
        ("Pay attention to details.", "+"),
        ("Make a mess of things.", "-"),
        ("Get chores done right away.", "+"),
        ("Often forget to put things back in their proper place.", "-"),
        ("Like order.", "+"),
        ("Shirk my duties.", "-"),
        ("Follow a schedule.", "+"),
        ("Am exacting in my work.", "+"),
    ]),
    ("emotional_stability", "Emotional stability", [
        ("Get stressed out easily.", "-"),
        ("Am relaxed most of the time.", "+"),
        ("Worry about things.", "-"),
        ("Seldom feel blue.", "+"),
        ("Am easily disturbed.", "-"),
        ("Get upset easily.", "-"),
        ("Change my mood a lot.", "-"),
        ("Have frequent mood swings.", "-"),
        ("Get irritated easily.", "-"),
        ("Often feel blue.", "-"),
    ]),
    ("intellect", "Intellect / imagination", [
        ("Have a rich vocabulary.", "+"),
        ("Have difficulty understanding abstract ideas.", "-"),
        ("Have a vivid imagination.", "+"),
        ("Am not interested in abstract ideas.", "-"),
        ("Have excellent ideas.", "+"),
        ("Do not have a good imagination.", "-"),
        ("Am quick to understand things.", "+"),
        ("Use difficult words.", "+"),
        ("Spend time reflecting on things.", "+"),
        ("Am full of ideas.", "+"),
    ]),
)  # fmt: skip

PREFIX = {"extraversion": "E", "agreeableness": "A", "conscientiousness": "C",
          "emotional_stability": "N", "intellect": "O"}  # fmt: skip

#: The generating parameters: item j (0..9) of every factor has discrimination
#: A[j] and thresholds LOCATION[j] + SPREAD (toward the high pole of its factor).
A = (2.6, 1.8, 2.3, 1.4, 2.0, 1.6, 2.4, 1.2, 1.9, 2.1)
LOCATION = (-0.9, 0.6, -0.3, 1.1, 0.2, -1.2, 0.8, -0.5, 0.0, 0.4)
SPREAD = (-2.2, -0.8, 0.4, 1.9)


def generating_rubric() -> Rubric:
    """The rubric with the generating parameters."""
    dims = []
    for dim_id, name, items in FACTORS:
        its = [
            Item(
                id=f"{PREFIX[dim_id]}{j + 1}",
                text=text,
                keyed=keyed,
                irt=IrtParams(
                    model="grm",
                    a=A[j],
                    thresholds=tuple(round(LOCATION[j] + s, 2) for s in SPREAD),
                ),
            )
            for j, (text, keyed) in enumerate(items)
        ]
        dims.append(Dimension(id=dim_id, name=name, polarity="unipolar",
                              low=Pole(id="low", label="Low"), high=Pole(id="high", label="High"),
                              items=its))  # fmt: skip
    return Rubric(
        id="ipip-bfi50-irt",
        version="1.0",
        title="IPIP Big-Five markers (50 items), IRT parameters from simulated data",
        description=(
            "The IPIP 50-item Big-Five factor markers with graded-response-model parameters. "
            "THE PARAMETERS COME FROM SIMULATED DATA (examples/make_irt_examples.py), NOT FROM "
            "PUBLISHED NORMS OR REAL RESPONDENTS: use them to try adaptive testing, not to "
            "interpret anyone's scores."
        ),
        instructions=(
            "Describe yourself as you generally are now, not as you wish to be in the future. "
            "Rate how accurately each statement describes you."
        ),
        scale=Scale(
            min=1,
            max=5,
            labels=(
                "Very inaccurate",
                "Moderately inaccurate",
                "Neither accurate nor inaccurate",
                "Moderately accurate",
                "Very accurate",
            ),
        ),
        dimensions=dims,
        overall=False,
        authors=("Lewis R. Goldberg (IPIP items)",),
        licence="public domain (IPIP items); parameters: simulated, see the description",
        source="https://ipip.ori.org/newBigFive5broadKey.htm (Goldberg, 1992)",
        intended_use="Examples of IRT scoring and adaptive testing; not for decisions on people.",
        strategy="mean",
    )


def simulate(rubric: Rubric, n: int, seed: int) -> np.ndarray:
    """Answers ``(n, items)`` drawn from the rubric's own parameters, θ ~ N(0, 1) per factor."""
    irt = importlib.import_module("mgrlead.irt")
    rng = np.random.default_rng(seed)
    out = np.empty((n, len(rubric.items)))
    column = {item_id: k for k, item_id in enumerate(rubric.item_ids)}
    for dim in rubric.dimensions:
        theta = rng.standard_normal(n)
        for item in dim.items:
            logp = irt.category_log_probabilities(item.irt, theta)  # (K, n), keyed
            cum = np.cumsum(np.exp(logp), axis=0)
            cat = (rng.random(n)[None, :] > cum[:-1]).sum(axis=0)
            reverse = dim.reverses(item.keyed)
            code = rubric.scale.max - cat if reverse else rubric.scale.min + cat
            out[:, column[item.id]] = code
    return out


def main() -> None:
    """Simulate, calibrate when possible, write the TOML file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--generating", action="store_true", help="write the generating values")
    args = parser.parse_args()
    rubric = generating_rubric()
    how = "the generating parameters (mgrlead.irt.calibrate is not available)"
    irt = importlib.import_module("mgrlead.irt")
    calibrate = getattr(irt, "calibrate", None)
    if calibrate is not None and not args.generating:
        data = simulate(rubric, args.respondents, args.seed)
        # the generating rubric carries the parameters the answers were drawn with:
        # re-estimate them from the answers alone
        calibration = calibrate(rubric, data, model="grm", refit=True, version=rubric.version)
        rubric = calibration.rubric
        how = f"calibrated (GRM, marginal ML) on {args.respondents} simulated respondents"
    header = (
        "# IPIP Big-Five factor markers, 50-item version, with GRM item parameters.\n"
        "#\n"
        "# Items: the International Personality Item Pool, https://ipip.ori.org/\n"
        "# (Goldberg, 1992, the 50-item Big-Five markers, newBigFive5broadKey.htm);\n"
        "# public domain.\n"
        "#\n"
        "# THE IRT PARAMETERS ARE FROM SIMULATED DATA, NOT PUBLISHED NORMS: written by\n"
        f"# examples/make_irt_examples.py (seed {args.seed}) as {how}.\n"
        "# They let you try θ scoring and adaptive testing (docs/adaptive.md); do not\n"
        "# interpret anyone's scores with them.\n\n"
    )
    OUT.write_text(header + dump_rubric(rubric, "toml"), "utf-8")
    mgrlead.load_rubric(OUT)  # it loads back
    sys.stdout.write(f"wrote {OUT} ({how})\n")


if __name__ == "__main__":
    main()
