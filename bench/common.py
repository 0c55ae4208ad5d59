"""What the benchmark scripts share."""

from __future__ import annotations

import statistics
import time
import timeit
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by noise)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def interleaved(
    baseline: Callable[[], object],
    *candidates: Callable[[], object],
    rounds: int = 30,
    loops: int = 2000,
) -> tuple[float, list[float], list[float]]:
    """Time a baseline and candidates in alternating rounds of ``loops`` calls each.

    Returns the baseline's and each candidate's fastest time per call, and each
    candidate's median ratio to the baseline over the rounds: on a shared
    machine a slow spell then hits both sides of a ratio alike.
    """
    base_times: list[float] = []
    times: list[list[float]] = [[] for _ in candidates]
    ratios: list[list[float]] = [[] for _ in candidates]
    for _ in range(rounds):
        base = timeit.timeit(baseline, number=loops) / loops
        base_times.append(base)
        for k, candidate in enumerate(candidates):
            t = timeit.timeit(candidate, number=loops) / loops
            times[k].append(t)
            ratios[k].append(t / base)
    return (
        min(base_times),
        [min(t) for t in times],
        [statistics.median(r) for r in ratios],
    )
