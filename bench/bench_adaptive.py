"""Adaptive testing (issue 18): the next-item time for a 120-item bank, against one EAP update.

    python bench/bench_adaptive.py [--rounds 20] [--loops 200] [--asked 20]

The bank: four dimensions of 30 graded-response items (fixed parameters, half
reverse-keyed).  A session has answered ``--asked`` items; the benchmark times:

* one EAP update (the baseline): add one answered item's log-probability row to
  a dimension's log posterior on the 61-node grid and take the posterior mean
  and SD (``mgrlead.irt.scoring.eap``), the least work any adaptive step does;
* the next item, as a web request does it after loading a session: every
  dimension's posterior from the answers so far, the stopping rules and the
  selection over all 120 items (maximum Fisher information; and KL);
* the selection step alone (``mgrlead.adaptive.engine.select``).

All run in alternating rounds (bench/common.py); the table gives the fastest
time per call and the median ratio to the baseline.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import interleaved

from mgrlead.adaptive import AdaptiveSession, CatOptions
from mgrlead.adaptive.engine import compile_bank, posterior, select
from mgrlead.irt.scoring import eap
from mgrlead.model import Dimension, IrtParams, Item, Pole, Rubric, Scale


def bank_rubric(per_dimension: int = 30, dimensions: int = 4) -> Rubric:
    """Four dimensions of 30 GRM items, parameters fixed by a seeded generator."""
    rng = np.random.default_rng(7)
    dims = []
    for d in range(dimensions):
        items = []
        for k in range(per_dimension):
            b = np.sort(rng.normal(0.0, 1.0, 4)) + np.array([-0.8, -0.3, 0.3, 0.8])
            items.append(Item(id=f"d{d}i{k}", text=f"Item {k} of {d}", keyed="+-"[k % 2],
                              irt=IrtParams(model="grm", a=float(rng.uniform(0.8, 2.5)),
                                            thresholds=b.tolist())))  # fmt: skip
        dims.append(Dimension(id=f"d{d}", name=f"Dimension {d}", low=Pole(id="low", label="Low"),
                              high=Pole(id="high", label="High"), items=items))  # fmt: skip
    return Rubric(id="bench-bank", version="1", title="Bench bank", scale=Scale.agreement(5),
                  dimensions=dims, overall=False)  # fmt: skip


def main() -> None:
    """Time the three and print a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--loops", type=int, default=200)
    parser.add_argument("--asked", type=int, default=20)
    args = parser.parse_args()
    rubric = bank_rubric()
    rng = random.Random(1)
    sessions = {}
    for selection in ("mfi", "kl"):
        session = AdaptiveSession.start(rubric, CatOptions(se=0.2, selection=selection), seed=3)
        for _ in range(args.asked):
            session.answer(session.next_item() or "", rng.randint(1, 5))
        text = session.to_json()
        sessions[selection] = text
    bank = compile_bank(rubric, CatOptions(se=0.2))
    log_post = np.broadcast_to(bank.log_prior, (1, len(bank.nodes))).copy()
    row = bank.code_rows[0, 2][None, :]

    def one_eap() -> object:
        return eap(log_post + row, bank.nodes)

    def next_item(selection: str) -> object:
        loaded = AdaptiveSession.from_json(rubric, sessions[selection])
        return loaded.next_item()

    full = np.broadcast_to(bank.log_prior, (1, 4, len(bank.nodes))).copy()
    theta, se, w = posterior(bank, full)
    asked = np.zeros((1, bank.size), dtype=bool)
    asked[0, :: 120 // max(args.asked, 1)] = True
    uniform = np.random.default_rng(0).random((1, bank.size + 1))

    def select_only() -> object:
        return select(bank, asked, asked & False, theta, se, w, uniform)

    base, times, ratios = interleaved(
        one_eap,
        lambda: next_item("mfi"),
        lambda: next_item("kl"),
        select_only,
        rounds=args.rounds,
        loops=args.loops,
    )
    sys.stdout.write("| operation (120-item bank, 4 dimensions, 61 nodes) | time | ratio |\n")
    sys.stdout.write("|---|---|---|\n")
    sys.stdout.write(f"| one EAP update (baseline) | {base * 1e6:.1f} µs | 1 |\n")
    names = (
        f"next item, MFI: load the JSON ({args.asked} answered), posteriors, rules, selection",
        f"next item, KL: load the JSON ({args.asked} answered), posteriors, rules, selection",
        "selection step alone (MFI)",
    )
    for name, t, r in zip(names, times, ratios, strict=True):
        sys.stdout.write(f"| {name} | {t * 1e6:.1f} µs | {r:.0f} |\n")


if __name__ == "__main__":
    main()
