"""θ scoring and calibration (issue 17): EAP of 1M respondents x 24 items against a
hand-written numpy EAP; calibration of 10,000 x 24 against girth's grm_mml.

    python bench/bench_irt.py [--rows 1000000] [--rounds 3] [--calibration-rows 10000]

The rubric is the built-in one with graded-response parameters on all 24 items
(four dimensions of six; half of them reverse-keyed); 2% of the answers are
missing.  The baseline is the same computation written by hand with numpy and
no checks: a (categories + 1, 61) log-probability table per item (the extra row
zero, for a missing answer), gathered and summed per dimension, then the
posterior mean and SD on the grid, in blocks of 8,192 rows.  Both run in
alternating rounds; the table gives the fastest time of each and their ratio.
It also checks that both give the same θ and SE (to 1e-9).

Calibration: 10,000 respondents simulated (mgrlead.irt.simulate, no missing
answers) from the same parameters, calibrated as four dimensions of six GRM
items (mgrlead.irt.calibrate on the rubric without parameters) against girth's
grm_mml (MIT, the test extra) called once per dimension on the same keyed
categories (girth knows no keying); one round each (a calibration takes
seconds), in the same run.  It checks that the two agree on every a within
0.02 (girth stops when no a moves by 1e-3).  Without girth the row is left out.
"""

from __future__ import annotations

import argparse
import time

import attrs
import numpy as np

import mgrlead
from mgrlead.irt import calibrate, score_theta, simulate
from mgrlead.model import IrtParams

BASE = mgrlead.load_rubric("manager-leader")
NODES = np.linspace(-6.0, 6.0, 61)


def rubric() -> mgrlead.Rubric:
    """The built-in rubric with GRM parameters on every item (fixed, varied by item)."""
    rng = np.random.default_rng(1)
    dims = []
    for dim in BASE.dimensions:
        items = []
        for item in dim.items:
            b = np.sort(rng.normal(0.0, 1.0, 4)) + np.array([-0.6, -0.2, 0.2, 0.6])
            a = float(rng.uniform(0.8, 2.5))
            items.append(attrs.evolve(item, irt=IrtParams(model="grm", a=a, thresholds=b.tolist())))
        dims.append(attrs.evolve(dim, items=items))
    return attrs.evolve(BASE, dimensions=dims)


def data(rows: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    x = rng.integers(1, 6, size=(rows, 24)).astype(np.float64)
    x[rng.random(size=x.shape) < 0.02] = np.nan
    return x


def hand_written_tables(r: mgrlead.Rubric) -> list[np.ndarray]:
    """Per item: log P(code | node), rows = codes 1..5 (reverse keying built in), then zeros."""
    out = []
    for dim in r.dimensions:
        for item in dim.items:
            p = item.irt
            if p is None or p.a is None:
                raise SystemExit(f"{item.id} has no GRM parameters")
            star = np.vstack([np.ones_like(NODES)]
                             + [1.0 / (1.0 + np.exp(-p.a * (NODES - b))) for b in p.thresholds]
                             + [np.zeros_like(NODES)])  # fmt: skip
            logp = np.log(star[:-1] - star[1:])
            if dim.reverses(item.keyed):
                logp = logp[::-1]
            out.append(np.vstack([logp, np.zeros((1, len(NODES)))]))
    return out


def hand_written_eap(x: np.ndarray, tables: list[np.ndarray]) -> list[np.ndarray]:
    """θ per dimension (6 items each), by hand: gathers, sums, posterior mean and SD."""
    log_prior = -0.5 * NODES**2
    n = len(x)
    theta = [np.empty(n) for _ in range(4)]
    se = [np.empty(n) for _ in range(4)]
    codes = np.where(np.isnan(x), 5, x - 1).astype(np.intp)
    for start in range(0, n, 8192):
        c = codes[start : start + 8192]
        for d in range(4):
            acc = np.broadcast_to(log_prior, (len(c), len(NODES))).copy()
            for j in range(6 * d, 6 * d + 6):
                acc += tables[j][c[:, j]]
            ok = (c[:, 6 * d : 6 * d + 6] < 5).sum(axis=1) >= 3  # the missing-data policy
            acc -= acc.max(axis=1, keepdims=True)
            w = np.exp(acc)
            total = w.sum(axis=1)
            mean = (w * NODES).sum(axis=1) / total
            dev = NODES - mean[:, None]
            theta[d][start : start + 8192] = np.where(ok, mean, np.nan)
            sd = np.sqrt((w * dev * dev).sum(axis=1) / total)
            se[d][start : start + 8192] = np.where(ok, sd, np.nan)
    return theta + se


def calibration(rows: int) -> str | None:
    """The table row of calibration: mgrlead against girth, on the same simulated data."""
    try:
        import girth
    except ImportError:
        print("girth is not installed: calibration left out (pip install girth)")
        return None
    r = rubric()
    x = simulate(r, rows, seed=2).answers
    keyed = []  # per dimension: (items, people) keyed categories 1..5, as girth takes them
    for dim in BASE.dimensions:
        cols = [BASE.item_ids.index(i.id) for i in dim.items]
        rev = np.array([dim.reverses(i.keyed) for i in dim.items])
        block = x[:, cols]
        keyed.append(np.where(rev, 6 - block, block).T.astype(int))
    start = time.perf_counter()
    ours = calibrate(BASE, x)
    t_ours = time.perf_counter() - start
    start = time.perf_counter()
    theirs = [girth.grm_mml(k) for k in keyed]
    t_theirs = time.perf_counter() - start
    a_ours = np.array([e.params.a for e in ours.items])
    a_theirs = np.concatenate([t["Discrimination"] for t in theirs])
    if np.abs(a_ours - a_theirs).max() > 0.02:
        raise SystemExit("mgrlead's and girth's estimates of a differ by more than 0.02")
    return (f"| calibration (GRM), {rows:,} x 24 items, 4 dimensions of 6 "
            f"| {t_ours:.2f} s | girth grm_mml: {t_theirs:.2f} s | {t_ours / t_theirs:.2f} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calibration-rows", type=int, default=10_000)
    args = parser.parse_args()
    r = rubric()
    x = data(args.rows)
    tables = hand_written_tables(r)
    ours = score_theta(r, x)
    theirs = hand_written_eap(x, tables)
    for d, col in enumerate(ours.dimensions):
        for got, want in ((col.theta, theirs[d]), (col.se, theirs[4 + d])):
            if not np.allclose(got, want, rtol=0, atol=1e-9, equal_nan=True):
                raise SystemExit(f"{col.dimension}: mgrlead and the hand-written EAP differ")
    best_ours = best_base = float("inf")
    for _ in range(args.rounds):
        start = time.perf_counter()
        hand_written_eap(x, tables)
        best_base = min(best_base, time.perf_counter() - start)
        start = time.perf_counter()
        score_theta(r, x)
        best_ours = min(best_ours, time.perf_counter() - start)
    print("| benchmark | mgrlead (fastest) | hand-written numpy (fastest) | ratio |")
    print("|---|---|---|---|")
    print(f"| EAP θ + SE, {args.rows:,} x 24 items, 4 dimensions, 61 nodes "
          f"| {best_ours:.2f} s | {best_base:.2f} s | {best_ours / best_base:.2f} |")  # fmt: skip
    row = calibration(args.calibration_rows) if args.calibration_rows > 0 else None
    if row is not None:
        print(row)


if __name__ == "__main__":
    main()
