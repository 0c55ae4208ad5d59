"""What ``mgrlead score`` shows on a terminal, and the metrics a user may pick.

On a terminal the scores are a table for people: one row per respondent, each
dimension's percent and band, the overall result, and notes on rows worth a
second look (a dimension that could not be scored, answers filled in, answers
that look careless).  Files and pipes get every column at full precision
instead (:mod:`mgrlead.cli.score`); ``--metrics`` and ``--round`` shape both.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

from attrs import define, field

from mgrlead.errors import InputError
from mgrlead.i18n import format_decimal, ngettext
from mgrlead.i18n import gettext as _
from mgrlead.results import (
    CARELESS_METRICS,
    DIMENSION_METRICS,
    NORM_METRICS,
    OVERALL_METRICS,
    THETA_METRICS,
)

if TYPE_CHECKING:
    from rich.console import Console

    from mgrlead.model import Rubric
    from mgrlead.plan import ScoringPlan

__all__ = ["MAX_SHOWN", "ScoreView", "metric_names", "parse_metrics", "selector"]

#: The most rows the terminal view shows; the rest are counted, and a note says how to see them.
MAX_SHOWN: Final = 1000
#: What the terminal view shows when ``--metrics`` does not say.
DEFAULT_SHOWN: Final = ("percent", "band")
#: What it shows by default when the rubric scores θ (a column each).
THETA_SHOWN: Final = ("theta", "theta_se", "band")
#: Decimals of the terminal view when ``--round`` does not say.
DEFAULT_DIGITS: Final = 1
#: A run of identical answers at least this long (and half the items) is noted.
LONG_RUN: Final = 6
_GROUPS: Final = {"careless": tuple(m.name for m in CARELESS_METRICS)}


def metric_names() -> tuple[str, ...]:
    """Every metric ``--metrics`` knows, in column order, then the names of groups."""
    names = [m.name for m in (*DIMENSION_METRICS, *THETA_METRICS, *OVERALL_METRICS,
                              *CARELESS_METRICS)]  # fmt: skip
    names += [m.name for m in NORM_METRICS]
    return (*dict.fromkeys(names), *_GROUPS)


def parse_metrics(given: Sequence[str], *, norms: bool) -> tuple[str, ...] | None:
    """The metrics named by ``--metrics`` (comma-separated, repeatable); ``None``: all.

    Names are matched without regard to case; ``careless`` stands for every
    careless-responding indicator.

    Raises:
        InputError: an unknown name (with the closest known one), an empty
            list, or a norm metric without ``--norms``.
    """
    if not given:
        return None
    known = metric_names()
    by_lower = {name.lower(): name for name in known}
    chosen: list[str] = []
    for part in (p.strip() for text in given for p in text.split(",")):
        if not part:
            continue
        name = by_lower.get(part.lower())
        if name is None:
            close = difflib.get_close_matches(part.lower(), list(by_lower), n=1, cutoff=0.6)
            hint = f"; did you mean {by_lower[close[0]]!r}?" if close else ""
            raise InputError(
                f"--metrics: no metric named {part!r}{hint} (known: {', '.join(known)})"
            )
        if name in {m.name for m in NORM_METRICS} and not norms:
            raise InputError(f"--metrics: {name!r} compares with norms; give a table with --norms")
        chosen.extend(_GROUPS.get(name, (name,)))
    if not chosen:
        raise InputError("--metrics: name at least one metric, e.g. --metrics percent,band")
    return tuple(dict.fromkeys(chosen))


def _round(values: Any, digits: int) -> Any:  # noqa: ANN401
    """Floats rounded to ``digits`` decimals (as :func:`numpy.round`); other values as given."""
    import numpy as np  # noqa: PLC0415

    if isinstance(values, np.ndarray):
        return np.round(values, digits) if values.dtype.kind == "f" else values
    return [
        float(np.round(v, digits)) if isinstance(v, float) and math.isfinite(v) else v
        for v in values
    ]


def selector(
    plan: ScoringPlan, metrics: tuple[str, ...] | None, digits: int | None
) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
    """What ``--metrics`` and ``--round`` do to each chunk's columns (``None``: nothing).

    Pass-through columns always stay; a score column stays when its metric was
    named; ``norm_group`` stays with any norm metric.  Only float columns are rounded.
    """
    if metrics is None and digits is None:
        return None
    score_names = _score_columns(plan)
    wanted: set[str] | None = None
    if metrics is not None:
        wanted = {name for name, metric in score_names.items() if metric in metrics}
        if any(m.name in metrics for m in NORM_METRICS):
            wanted.add("norm_group")

    def select(columns: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name, values in columns.items():
            is_score = name in score_names or name == "norm_group"
            if wanted is not None and is_score and name not in wanted:
                continue
            out[name] = _round(values, digits) if digits is not None and is_score else values
        return out

    return select


def _score_columns(plan: ScoringPlan) -> dict[str, str]:
    """Every score column a run can write, and its metric."""
    names = {f"{d}_{m.name}": m.name for d in plan.dimension_ids for m in DIMENSION_METRICS}
    names |= {f"{d}_{m.name}": m.name for d in plan.dimension_ids for m in THETA_METRICS}
    names |= {f"{d}_{m.name}": m.name for d in plan.dimension_ids for m in NORM_METRICS}
    names |= {f"overall_{m.name}": m.name for m in OVERALL_METRICS}
    names |= {f"careless_{m.name}": m.name for m in CARELESS_METRICS}
    return names


@define
class ScoreView:
    """Collects a run's rows (up to :data:`MAX_SHOWN`) and prints them as a table.

    Call it with each chunk's columns (as :func:`mgrlead.io.stream.stream_score`
    does), then :meth:`show`.
    """

    plan: ScoringPlan
    rubric: Rubric
    metrics: tuple[str, ...] | None = None
    digits: int | None = None
    rows: list[dict[str, Any]] = field(factory=list)
    total: int = 0
    passthrough: list[str] = field(factory=list)

    def __call__(self, columns: dict[str, Any]) -> None:
        """Take one chunk's columns (every column, at full precision)."""
        scores = _score_columns(self.plan)
        names = list(columns)
        if not self.passthrough:
            self.passthrough = [n for n in names if n not in scores and n != "norm_group"]
        n = len(next(iter(columns.values()))) if columns else 0
        room = max(0, MAX_SHOWN - len(self.rows))
        for r in range(min(n, room)):
            self.rows.append({name: _plain(columns[name][r]) for name in names})
        self.total += n

    # ------------------------------------------------------------------ display
    def _labels(self, short: bool) -> tuple[dict[str, dict[str, str]], str]:
        """The band labels per group (``short``: initials of their words), and a legend.

        ``Manager-leaning`` is ``ML``; when two bands of a group would share
        initials, their ids are shown instead.
        """
        labels = {d.id: {b.id: b.label for b in d.bands} for d in self.plan.dimensions}
        labels["overall"] = {b.id: b.label for b in self.plan.overall_bands}
        if not short:
            return labels, ""
        out: dict[str, dict[str, str]] = {}
        explained: dict[str, str] = {}
        for group, by_id in labels.items():
            initials = {b: "".join(w[0] for w in re.split(r"[\s_-]+", t) if w).upper()
                        for b, t in by_id.items()}  # fmt: skip
            if len(set(initials.values())) < len(initials) or not all(initials.values()):
                initials = dict(zip(by_id, by_id, strict=True))  # they clash: the band ids
            out[group] = initials
            explained |= {initials[b]: t for b, t in by_id.items() if initials[b] != t}
        return out, ", ".join(f"{a} = {t}" for a, t in explained.items())

    def _columns(self, short: bool) -> tuple[list[_Column], str]:
        """The table's columns after the first (the respondent), and the band legend."""
        from mgrlead.cli.render import esc  # noqa: PLC0415

        digits = DEFAULT_DIGITS if self.digits is None else self.digits
        number = 3 + (digits + 1 if digits else 0)  # 100.0
        theta = self.plan.strategy.scores_theta  # θ, its SE and the band: a column each
        shown = self.metrics or (THETA_SHOWN if theta else DEFAULT_SHOWN)
        present = set(self.rows[0]) if self.rows else set()
        labels, legend = self._labels(short)
        together = self.metrics is None and not theta  # the default: percent and band in one
        columns: list[_Column] = []
        for group in [*self.plan.dimension_ids, "overall"]:
            metrics = tuple(m for m in shown if f"{group}_{m}" in present)
            head = group.replace("_", "_\n")  # long ids go on two lines
            bands = labels.get(group, {})
            if together and metrics:
                cells = []
                for row in self.rows:
                    if row.get(f"{group}_percent") is None:
                        cells.append("[dim]" + esc(_("not scored")) + "[/dim]")
                        continue
                    parts = [_cell(row.get(f"{group}_{m}"), m, digits, bands) for m in metrics]
                    if metrics[0] == "percent":
                        parts[0] = parts[0].rjust(number)
                    cells.append(" ".join(parts))
                columns.append(_Column(head, "left", cells))
                continue
            for m in metrics:
                cells = [_cell(row.get(f"{group}_{m}"), m, digits, bands) for row in self.rows]
                columns.append(_Column(f"{head}\n{m}", "left" if m == "band" else "right", cells))
        for m in shown:
            if f"careless_{m}" in present:
                cells = [_cell(row.get(f"careless_{m}"), m, digits, {}) for row in self.rows]
                columns.append(_Column(f"careless_\n{m}", "right", cells))
        return columns, legend

    def show(self, console: Console) -> None:
        """Print the table, a note for each flagged row, and what was left out.

        One column per dimension (and overall) with the percent and the band;
        with ``--metrics``, one per dimension and metric.  Band labels are
        shortened (with a legend) when the table is wider than the terminal,
        and a table still too wide is shown in parts, each with the respondents.
        """
        from mgrlead.cli.render import esc  # noqa: PLC0415

        key = self.passthrough[0] if self.passthrough else None
        idents = [
            str(n + 1) if key is None else "-" if r[key] is None else str(r[key])
            for n, r in enumerate(self.rows)
        ]
        first = _Column(key or "#", "left", [esc(i) for i in idents])
        columns, legend = self._columns(short=False)
        if first.width + sum(c.width for c in columns) > console.width:
            columns, legend = self._columns(short=True)
        pages: list[list[_Column]] = [[]]
        used = first.width
        for column in columns:
            if pages[-1] and used + column.width > console.width:
                pages.append([])
                used = first.width
            pages[-1].append(column)
            used += column.width
        title = f"[bold]{esc(self.rubric.title)}[/bold]  [dim]{esc(self.plan.rubric)}"
        console.print(f"{title} {esc(self.plan.version)}[/dim]")
        for page in pages:
            console.print(_table([first, *page]))
        more = self.total - len(self.rows)
        if more > 0:
            # TRANSLATORS: keep "-o FILE" and the file extensions (they are typed as they are)
            said = ngettext(
                "... and {more} more row: write them all with -o FILE (.csv, .json, .parquet)",
                "... and {more} more rows: write them all with -o FILE (.csv, .json, .parquet)",
                more,
            )
            console.print(esc(said.format(more=more)))
        if legend:
            console.print(esc(_("Bands: {legend}").format(legend=legend)))
        notes = [(i, flags) for i, row in zip(idents, self.rows, strict=True)
                 if (flags := self.flags(row))]  # fmt: skip
        if notes:
            console.print("[bold]" + esc(_("Worth a second look")) + "[/bold]")
            for ident, flags in notes:
                console.print(f"  {esc(ident)}: {esc('; '.join(flags))}")
        left_out = [p for p in self.passthrough if p != key]
        if self.plan.strategy.scores_theta:
            # TRANSLATORS: θ (theta) is the IRT estimate; SDs: standard deviations
            said = ngettext(
                "{n} respondent; θ in SDs of the calibration sample (0: its mean), with its "
                "standard error.",
                "{n} respondents; θ in SDs of the calibration sample (0: its mean), with its "
                "standard error.",
                self.total,
            )
        else:
            said = ngettext(
                "{n} respondent; percent from 0 (the first pole) to 100 (the second).",
                "{n} respondents; percent from 0 (the first pole) to 100 (the second).",
                self.total,
            )
        parts = [said.format(n=self.total)]
        if left_out:
            parts.append(_("Not shown: {columns}.").format(columns=", ".join(left_out)))
        # TRANSLATORS: keep the options as they are typed (-o FILE, --format csv|json)
        parts.append(_("Every column at full precision: -o FILE, --format csv|json, or a pipe."))
        console.print(f"[dim]{esc(' '.join(parts))}[/dim]")

    def flags(self, row: dict[str, Any]) -> list[str]:
        """Notes on one row: dimensions not scored, answers filled in, careless-looking answers."""
        notes = []
        unscored = [
            d.id for d in self.plan.dimensions
            if row.get(f"{d.id}_answered") is not None and row.get(f"{d.id}_percent") is None
        ]  # fmt: skip
        for dim_id in unscored:
            answered = row.get(f"{dim_id}_answered")
            total = next(len(d.members) for d in self.plan.dimensions if d.id == dim_id)
            # TRANSLATORS: {dimension} is a dimension's id; {total}: its number of items
            notes.append(
                _("{dimension} not scored ({answered} of {total} answered)").format(
                    dimension=dim_id, answered=answered, total=total
                )
            )
        imputed = sum(int(row.get(f"{d.id}_imputed") or 0) for d in self.plan.dimensions
                      if d.parent is None)  # fmt: skip
        if imputed:
            notes.append(
                ngettext("{n} answer filled in", "{n} answers filled in", imputed).format(n=imputed)
            )
        irv = row.get("careless_irv")
        run = row.get("careless_longest_run")
        n_items = len(self.plan.items)
        if irv == 0.0:
            notes.append(_("the same answer to every item"))
        elif isinstance(run, int) and run >= max(LONG_RUN, n_items // 2):
            notes.append(
                ngettext(
                    "{n} identical answer in a row", "{n} identical answers in a row", run
                ).format(n=run)
            )
        both = row.get("careless_both_poles")
        if isinstance(both, int) and both > 0:
            notes.append(
                ngettext(
                    "agreed with both poles of {n} dimension",
                    "agreed with both poles of {n} dimensions",
                    both,
                ).format(n=both)
            )
        return notes


def _plain(value: Any) -> Any:  # noqa: ANN401
    """A numpy scalar as a Python value (NaN as ``None``)."""
    item = getattr(value, "item", None)
    value = item() if callable(item) else value
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _cell(value: Any, metric: str, digits: int, labels: dict[str, str]) -> str:  # noqa: ANN401
    """One cell as markup: a number rounded, a band's label, ``-`` for none."""
    from mgrlead.cli.render import esc  # noqa: PLC0415

    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "[dim]-[/dim]"
    if metric == "band":
        return esc(labels.get(str(value), str(value)))
    if isinstance(value, float):
        import numpy as np  # noqa: PLC0415

        return format_decimal(float(np.round(value, digits)), digits)
    return esc(str(value))


@define
class _Column:
    """A column of the terminal table: its header, alignment and cells (markup)."""

    header: str
    justify: Literal["left", "right"]
    cells: list[str]

    @property
    def width(self) -> int:
        """The cells it takes on the screen, with padding and the gap to the next column."""
        from rich.text import Text  # noqa: PLC0415

        texts = [*self.header.split("\n"), *self.cells]
        return max(Text.from_markup(t).cell_len for t in texts) + 3


def _table(columns: list[_Column]) -> Any:  # noqa: ANN401 - a rich Table
    """A rich table of these columns (no borders but the line under the headers)."""
    from rich import box  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from mgrlead.cli.render import esc  # noqa: PLC0415

    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for column in columns:
        table.add_column(esc(column.header), justify=column.justify, no_wrap=True)
    for r in range(len(columns[0].cells)):
        table.add_row(*(column.cells[r] for column in columns))
    return table
