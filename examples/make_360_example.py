"""Write ``360-responses.csv``: an invented 360 round on the built-in rubric.

Run ``python examples/make_360_example.py`` to regenerate it (the seed is fixed).
Four managers are rated by themselves, their manager, peers, direct reports and
others.  The group sizes are chosen to exercise the anonymity rules: Blake has
only two direct reports (pooled with one "other" into all others), Casey only
two peers (pooled with Casey's manager), and Drew's raters skipped some items.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

import mgrlead

SEED = 360
#: subject -> (where the subject stands per dimension, -1 manager .. +1 leader,
#:             group sizes)
SUBJECTS = {
    "alex": ((0.6, 0.4, 0.8, 0.5), {"self": 1, "manager": 1, "peer": 4, "direct_report": 5}),
    "blake": (
        (-0.5, -0.2, -0.6, 0.1),
        {"self": 1, "manager": 1, "peer": 3, "direct_report": 2, "other": 1},
    ),
    "casey": ((0.1, 0.7, -0.3, -0.6), {"self": 1, "manager": 1, "peer": 2, "direct_report": 4}),
    "drew": ((-0.1, 0.0, 0.3, 0.9), {"self": 1, "peer": 3, "direct_report": 3}),
}
#: How much more (or less) leader-like each subject sees themselves than others do.
SELF_BIAS = {"alex": 0.5, "blake": -0.6, "casey": 0.0, "drew": 0.4}


def main() -> None:
    rng = np.random.default_rng(SEED)
    rubric = mgrlead.load_rubric("manager-leader")
    plan = rubric.plan
    items = plan.item_ids
    rows = []
    for subject, (latent, sizes) in SUBJECTS.items():
        for group, size in sizes.items():
            for k in range(size):
                answers: dict[str, int | str] = {}
                bias = SELF_BIAS[subject] if group == "self" else 0.0
                for d, dim in enumerate(plan.dimensions):
                    level = latent[d] + bias + rng.normal(0, 0.35)
                    for j, rev in zip(dim.members, dim.reverse, strict=True):
                        lean = -level if rev else level
                        value = int(np.clip(np.rint(3 + 1.6 * lean + rng.normal(0, 0.7)), 1, 5))
                        skip = subject == "drew" and group != "self" and rng.random() < 0.12
                        answers[items[j]] = "" if skip else value
                rows.append(
                    {
                        "subject": subject,
                        "rater_group": group,
                        "rater": f"{subject}-{group}-{k + 1}",
                        **answers,
                    }
                )
    path = Path(__file__).with_name("360-responses.csv")
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["subject", "rater_group", "rater", *items])
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
