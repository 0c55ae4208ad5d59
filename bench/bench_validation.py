"""How rubric validation grows with the number of items: it should be linear.

    python bench/bench_validation.py

Builds one dimension of 1,000, 10,000 and 100,000 items (fastest of 3) and
prints each time beside the 1,000-item one: a linear check gives ratios near
10 and 100, a quadratic one near 100 and 10,000.
"""

from __future__ import annotations

from common import best_of

from mgrlead import Dimension, Item, Pole, Rubric, Scale


def build(n: int) -> Rubric:
    items = [Item(id=f"i{k}", text="t", keyed="hi" if k % 2 else "lo") for k in range(n)]
    dim = Dimension(id="d", name="D", low=Pole(id="lo", label="L"),
                    high=Pole(id="hi", label="H"), items=items)  # fmt: skip
    return Rubric(id="r", version="1", title="T", scale=Scale.agreement(5), dimensions=[dim])


def main() -> None:
    base = best_of(lambda: build(1000))
    print("| items | validation | ratio to 1,000 items |")
    print("|---|---|---|")
    for n in (1000, 10_000, 100_000):
        seconds = best_of(lambda n=n: build(n))
        print(f"| {n:,} | {seconds:.3f} s | {seconds / base:.1f} |")


if __name__ == "__main__":
    main()
