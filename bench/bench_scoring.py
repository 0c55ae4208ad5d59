"""Benchmarks of scoring, each as a ratio against a baseline measured in the same run.

    python bench/bench_scoring.py [--rows 1000000] [--stream-rows 10000000]

Prints a markdown table.  No test asserts a time: these machines are shared.
Baseline and candidates run in alternating rounds (5 for the batch, 30 of
2,000 calls for one respondent); the table gives the fastest time of each, the
ratio of the fastest times, and the median of the per-round ratios.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
from common import interleaved

import mgrlead

RUBRIC = mgrlead.load_rubric("manager-leader")
ITEMS = RUBRIC.item_ids


def data(rows: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    x = rng.integers(1, 6, size=(rows, len(ITEMS))).astype(np.float64)
    x[rng.random(size=x.shape) < 0.02] = np.nan
    return x


def bare_numpy(x: np.ndarray) -> dict[str, np.ndarray]:
    """The same per-dimension means and percents, written by hand with numpy."""
    reverse = np.array([i.keyed == "manager" for i in RUBRIC.items])
    keyed = np.where(reverse, 6.0 - x, x)
    out = {}
    for d in range(4):
        block = keyed[:, 6 * d : 6 * d + 6]
        answered = (~np.isnan(block)).sum(axis=1)
        mean = np.nansum(block, axis=1) / answered
        ok = answered >= 3
        out[f"d{d}"] = np.where(ok, mean, np.nan)
        out[f"p{d}"] = np.where(ok, (mean - 1) / 4 * 100, np.nan)
    return out


def bare_numpy_careless(x: np.ndarray) -> dict[str, np.ndarray]:
    """The means and percents, and the careless-responding indicators, by hand.

    Longest run of identical consecutive answers (missing answers skipped),
    intra-individual SD, acquiescence and agreeing with both poles, vectorised.
    """
    out = bare_numpy(x)
    n, k = x.shape
    present = ~np.isnan(x)
    # the index of the last answer before each item (-1: none)
    last = np.maximum.accumulate(np.where(present, np.arange(k), -1), axis=1)
    before = np.concatenate([np.full((n, 1), -1), last[:, :-1]], axis=1)
    previous = np.take_along_axis(x, np.maximum(before, 0), axis=1)
    breaks = present & ((before < 0) | (x != previous))
    answered = np.cumsum(present, axis=1)
    start = np.maximum.accumulate(np.where(breaks, answered - 1, 0), axis=1)
    out["longest_run"] = np.where(present, answered - start, 0).max(axis=1)
    u = np.where(present, (x - 3.0) / 2.0, 0.0)
    count = answered[:, -1]
    mean = u.sum(axis=1) / np.maximum(count, 1)
    deviation = np.where(present, u - mean[:, None], 0.0)
    variance = (deviation**2).sum(axis=1) / np.maximum(count - 1, 1)
    out["irv"] = np.where(count >= 2, np.sqrt(variance), np.nan)
    out["acquiescence"] = np.where(count > 0, mean, np.nan)
    high = np.array([i.keyed == "leader" for i in RUBRIC.items])
    both = np.zeros(n, dtype=np.int64)
    for d in range(4):
        block = u[:, 6 * d : 6 * d + 6]
        agree_high = block[:, high[6 * d : 6 * d + 6]].sum(axis=1) > 0
        agree_low = block[:, ~high[6 * d : 6 * d + 6]].sum(axis=1) > 0
        both += agree_high & agree_low
    out["both_poles"] = both
    return out


def fair_numpy(x: np.ndarray) -> dict[str, np.ndarray]:
    """Every column the default ``score_matrix`` returns, by hand with vectorised numpy.

    Per dimension: sum, mean, percent, position, score (the mean), answered,
    missing, band; overall percent, position and band; the four careless
    indicators (:func:`bare_numpy_careless`).  The fair floor of issue 21, goal 1.
    """
    from mgrlead.api import scoring_plan

    plan = scoring_plan(RUBRIC)
    out = bare_numpy_careless(x)
    reverse = np.array([i.keyed == "manager" for i in RUBRIC.items])
    keyed = np.where(reverse, 6.0 - x, x)
    shares = []
    for d, dim in enumerate(plan.dimensions):
        block = keyed[:, 6 * d : 6 * d + 6]
        answered = (~np.isnan(block)).sum(axis=1)
        total = np.nansum(block, axis=1)
        ok = answered >= dim.required
        mean = total / np.where(answered > 0, answered, 1)
        share = (total - answered) / 4.0 / np.where(answered > 0, answered, 1)
        percent = share * 100.0
        band = np.zeros(len(x), dtype=np.int64)
        for bound, lower_includes in dim.boundaries.cuts:
            band += (percent > bound) if lower_includes else (percent >= bound)
        out[f"{dim.id}_sum"] = np.where(ok, total, np.nan)
        out[f"{dim.id}_mean"] = np.where(ok, mean, np.nan)
        out[f"{dim.id}_score"] = out[f"{dim.id}_mean"]
        out[f"{dim.id}_percent"] = np.where(ok, percent, np.nan)
        out[f"{dim.id}_position"] = np.where(ok, 2.0 * share - 1.0, np.nan)
        out[f"{dim.id}_answered"] = answered
        out[f"{dim.id}_missing"] = 6 - answered
        out[f"{dim.id}_band"] = np.where(ok, band, -1)
        shares.append((ok, share))
    ok = np.logical_and.reduce([o for o, _ in shares])
    overall = sum(s for _, s in shares) / len(shares)
    band = np.zeros(len(x), dtype=np.int64)
    for bound, lower_includes in plan.overall_boundaries.cuts:
        band += (overall * 100 > bound) if lower_includes else (overall * 100 >= bound)
    out["overall_percent"] = np.where(ok, overall * 100.0, np.nan)
    out["overall_position"] = np.where(ok, 2.0 * overall - 1.0, np.nan)
    out["overall_band"] = np.where(ok, band, -1)
    return out


def check_fair(x: np.ndarray) -> None:
    """The fair floor returns mgrlead's numbers (to rounding), or the benchmark stops."""
    mine = mgrlead.score_matrix(RUBRIC, x)
    columns = mine.columns(band_ids=False)
    for name, values in fair_numpy(x).items():
        theirs = columns.get(name, columns.get(f"careless_{name}"))
        if theirs is None:
            continue
        if not np.allclose(np.asarray(theirs, dtype=float), values, equal_nan=True):
            raise SystemExit(f"the fair floor computes {name} differently from mgrlead")


def pure_python(answers: dict[str, float]) -> dict[str, float]:
    """One respondent's dimension means, with a plain loop."""
    out = {}
    for dim in RUBRIC.dimensions:
        total = 0.0
        n = 0
        for item in dim.items:
            v = answers.get(item.id)
            if v is None:
                continue
            total += 6 - v if item.keyed == "manager" else v
            n += 1
        out[dim.id] = total / n if n >= 3 else float("nan")
    return out


FIRST_SCORE = (
    "import mgrlead\n"
    "rubric = mgrlead.load_rubric('manager-leader')\n"
    "mgrlead.score(rubric, dict.fromkeys(rubric.item_ids, 4))"
)


def import_time() -> tuple[float, float, float, float]:
    """A bare interpreter, ``import mgrlead``, that plus a first ``score()``, in seconds;
    and the first ``score()`` with no third-party plugin loaded (as ``pip install mgrlead``).

    With bytecode (written by a first run), as an installed package has it.
    """
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def run(code: str, **extra: str) -> float:
        here = {**env, **extra}
        subprocess.run([sys.executable, "-c", code], check=True, env=here)  # noqa: S603
        best = 1e9
        for _ in range(7):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, env=here)  # noqa: S603
            best = min(best, time.perf_counter() - start)
        return best

    return (
        run("pass"),
        run("import mgrlead"),
        run(FIRST_SCORE),
        run(FIRST_SCORE, MGRLEAD_LOAD_PLUGINS=""),
    )


def write_big_csv(rows: int) -> Path:
    """A CSV of ``rows`` respondents (2 % missing), written in chunks."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    folder = Path(tempfile.mkdtemp())
    path = folder / "big.csv"
    chunk = 1_000_000
    with pacsv.CSVWriter(path, pa.schema([(i, pa.float64()) for i in ITEMS])) as writer:
        for start in range(0, rows, chunk):
            x = data(min(chunk, rows - start))
            writer.write_table(pa.table({i: pa.array(x[:, j], from_pandas=True)
                                         for j, i in enumerate(ITEMS)}))  # fmt: skip
    return path


def read_and_score(path: Path, out: Path | None) -> None:
    """The streaming baseline: pyarrow reads the whole file as numbers, numpy scores it
    (``score_matrix``), pyarrow writes the same columns; no chunks, no checks of the text."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pacsv.read_csv(
        path, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(ITEMS, pa.float64()))
    )
    x = np.column_stack([table.column(i).to_numpy() for i in ITEMS])
    scores = mgrlead.score_matrix(RUBRIC, x)
    bands = scores.band_codes()
    columns = {}
    for name, values in scores.columns(band_ids=False).items():
        if name in bands:
            index, ids = bands[name]
            at = pa.array(np.where(index < 0, 0, index), mask=index < 0)
            columns[name] = pa.compute.take(pa.array(ids, pa.string()), at)
        else:
            columns[name] = pa.array(values, from_pandas=True)
    result = pa.table(columns)
    if out is None:  # read and score only
        return
    if out.suffix == ".parquet":
        pq.write_table(result, out)
    else:
        pacsv.write_csv(result, out)


def stream(path: Path, suffix: str) -> tuple[float, float]:
    """``mgrlead score`` on ``path`` in a child process: seconds and peak memory (MB)."""
    # The child reports its own peak (VmHWM, which exec resets): the benchmark's own
    # arrays must not count, and ru_maxrss of children would include them (fork).
    code = (
        "import sys\nfrom mgrlead.cli import cli\n"
        f"cli.main(['score', {str(path)!r}, '-o', {str(path.with_suffix('.out' + suffix))!r}], "
        "standalone_mode=False)\n"
        "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])"
    )
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    return seconds, int(done.stdout.strip().splitlines()[-1]) / 1024


def stream_table(ratio_rows: int, memory_rows: int) -> None:
    """Streaming against the one-shot baseline, alternating, and the peak on a big file."""
    path = write_big_csv(ratio_rows)
    best_read = 1e9
    for _ in range(3):
        start = time.perf_counter()
        read_and_score(path, None)
        best_read = min(best_read, time.perf_counter() - start)
    print(
        f"| pyarrow reads a {ratio_rows:,}-row CSV, numpy scores it, nothing written "
        f"| | {ratio_rows / best_read:,.0f} rows/s | | |"
    )
    for suffix in (".csv", ".parquet"):
        best_base = best_stream = 1e9
        for _ in range(3):
            start = time.perf_counter()
            read_and_score(path, path.with_suffix(".base" + suffix))
            best_base = min(best_base, time.perf_counter() - start)
            best_stream = min(best_stream, stream(path, suffix)[0])
        print(
            f"| stream a {ratio_rows:,}-row CSV to {suffix[1:]} | {ratio_rows / best_stream:,.0f} rows/s "
            f"| {ratio_rows / best_base:,.0f} rows/s (pyarrow reads, numpy scores, pyarrow writes) "
            f"| {best_base / best_stream:.2f} of the baseline's throughput | |"
        )
    if memory_rows:
        big = write_big_csv(memory_rows)
        seconds, peak = stream(big, ".csv")
        print(
            f"| stream a {memory_rows:,}-row CSV ({big.stat().st_size / 1e6:.0f} MB) to csv "
            f"| {memory_rows / seconds:,.0f} rows/s, {seconds:.0f} s | peak memory {peak:.0f} MB | | |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--stream-rows", type=int, default=0)
    args = parser.parse_args()
    x = data(args.rows)
    frame = pd.DataFrame(x, columns=list(ITEMS))
    polars_frame = pl.from_pandas(frame)
    baseline, batch, batch_ratios = interleaved(
        lambda: bare_numpy(x),
        lambda: mgrlead.score_matrix(RUBRIC, x, careless=False),
        lambda: mgrlead.score_matrix(RUBRIC, x),
        lambda: mgrlead.score_frame(RUBRIC, frame, careless=False),
        lambda: mgrlead.score_frame(RUBRIC, polars_frame, careless=False),
        lambda: mgrlead.score_frame(RUBRIC, polars_frame.lazy(), careless=False).collect(),
        rounds=5,
        loops=1,
    )
    check = mgrlead.score_matrix(RUBRIC, x[:1000])
    for name, values in bare_numpy_careless(x[:1000]).items():  # the floor is honest
        if name in check.careless and not np.allclose(check.careless[name], values, equal_nan=True):
            raise SystemExit(f"the numpy floor computes {name} differently from mgrlead")
    floor, (careless,), (careless_ratio,) = interleaved(
        lambda: bare_numpy_careless(x),
        lambda: mgrlead.score_matrix(RUBRIC, x),
        rounds=5,
        loops=1,
    )
    check_fair(x[:5000])
    fair, (fair_mine,), (fair_ratio,) = interleaved(
        lambda: fair_numpy(x),
        lambda: mgrlead.score_matrix(RUBRIC, x),
        rounds=5,
        loops=1,
    )
    # one respondent who answered everything, and one with two gaps (another path)
    one = dict(zip(ITEMS, (int(v) for v in np.nan_to_num(x[0], nan=3.0)), strict=True))
    gappy = {**one, ITEMS[1]: None, ITEMS[9]: None}
    floats = {k: float(v) for k, v in one.items()}  # a data frame's row
    loop, (single, single_careless, gaps_careless, floats_careless), ratios = interleaved(
        lambda: pure_python(one),
        lambda: mgrlead.score(RUBRIC, one, careless=False),
        lambda: mgrlead.score(RUBRIC, one),
        lambda: mgrlead.score(RUBRIC, gappy),
        lambda: mgrlead.score(RUBRIC, floats),
    )
    ratio, ratio_careless, ratio_gaps, ratio_floats = ratios
    bare, imported, first, first_alone = import_time()
    print(
        "| benchmark | mgrlead (fastest) | baseline (fastest) | ratio of fastest | median ratio |"
    )
    print("|---|---|---|---|---|")
    n = f"{args.rows:,} x 24, 2% missing"
    labels = [
        f"batch {n}: `score_matrix(careless=False)` (numpy)",
        "the same with the careless indicators (the default)",
        "the same, `score_frame(careless=False)` on pandas",
        "the same, `score_frame(careless=False)` on polars",
        "the same, `score_frame(careless=False)` on a polars LazyFrame (native)",
    ]
    for k, label in enumerate(labels):
        base = f"{baseline:.3f} s (hand-written numpy)" if k == 0 else ""
        print(
            f"| {label} | {batch[k]:.3f} s | {base} | {batch[k] / baseline:.2f} "
            f"| {batch_ratios[k]:.2f} |"
        )
    print(
        f"| batch {n}: `score_matrix()` with the careless indicators | {careless:.3f} s "
        f"| {floor:.3f} s (hand-written numpy with the indicators) "
        f"| {careless / floor:.2f} | {careless_ratio:.2f} |"
    )
    print(
        f"| batch {n}: `score_matrix()` with the careless indicators | {fair_mine:.3f} s "
        f"| {fair:.3f} s (fair floor: hand-written numpy returning the same columns) "
        f"| {fair_mine / fair:.2f} | {fair_ratio:.2f} |"
    )
    singles = [
        ("one respondent: `score(careless=False)`", single, ratio),
        ("the same with the careless indicators (the default)", single_careless, ratio_careless),
        ("the same, two of the 24 answers missing", gaps_careless, ratio_gaps),
        (
            "the same, every answer a whole float (a data frame's row)",
            floats_careless,
            ratio_floats,
        ),
    ]
    for k, (label, seconds, median) in enumerate(singles):
        base = f"{loop * 1e6:.1f} µs (pure-Python loop)" if k == 0 else ""
        print(
            f"| {label} | {seconds * 1e6:.1f} µs | {base} | {seconds / loop:.2f} | {median:.2f} |"
        )
    print(
        f"| `import mgrlead` | {(imported - bare) * 1000:.0f} ms | {bare * 1000:.0f} ms "
        "(bare interpreter) | | |"
    )
    print(
        f"| the first `score()` of a process: `load_rubric` and `score` after the import "
        f"| {(first - imported) * 1000:.0f} ms | | | |"
    )
    print(
        "| the same with no third-party plugin loaded (`MGRLEAD_LOAD_PLUGINS=`) "
        f"| {(first_alone - imported) * 1000:.0f} ms | | | |"
    )
    if args.stream_rows:
        stream_table(min(args.stream_rows, 2_000_000), args.stream_rows)


if __name__ == "__main__":
    main()
