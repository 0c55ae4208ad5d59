"""What the command line shows: profiles, rubrics, analyses and progress, with rich.

Every text that comes from a rubric or the data is escaped (:func:`esc`), so that
rich never reads it as markup.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from mgrlead.errors import counted

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from mgrlead.model import Band, Rubric
    from mgrlead.results import NormScore, Profile

__all__ = [
    "bands_table",
    "console",
    "esc",
    "fmt",
    "json_safe",
    "norm_lines",
    "progress",
    "show_analysis",
    "show_profile",
    "show_rubric",
]


def console(*, stderr: bool = False) -> Console:
    """A rich console on standard output (or error)."""
    from rich.console import Console  # noqa: PLC0415

    return Console(file=sys.stderr if stderr else sys.stdout, highlight=False)


def esc(text: str) -> str:
    """``text`` with rich markup escaped."""
    from rich.markup import escape  # noqa: PLC0415

    return escape(text)


def bar(percent: float, width: int = 21) -> str:
    """A bar of ``width`` characters with a dot at ``percent``."""
    slot = round(percent / 100 * (width - 1))
    return "─" * slot + "●" + "─" * (width - 1 - slot)


def show_profile(rubric: Rubric, profile: Profile, console: Console) -> None:
    """Print a profile: one bar per dimension between its poles, band and feedback."""
    from rich.padding import Padding  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    console.print(f"[bold]{esc(rubric.title)}[/bold]  [dim]{rubric.id} {rubric.version}[/dim]\n")
    rows: list[tuple[str, str, str, float | None, str]] = []
    for dim in rubric.walk():
        result = profile[dim.id]
        rows.append((dim.low.label, dim.high.label, dim.name, result.percent,
                     result.band_label or f"not scorable: {result.reason}"))  # fmt: skip
    overall = profile.overall
    rows.append((rubric.low_label, rubric.high_label, "Overall", overall.percent,
                 overall.band_label or f"not scorable: {overall.reason}"))  # fmt: skip
    low_width = max(len(r[0]) for r in rows)
    high_width = max(len(r[1]) for r in rows)
    for low, high, name, percent, label in rows:
        console.print(f"[bold]{esc(name)}[/bold]")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", width=low_width, no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column(width=high_width, no_wrap=True)
        grid.add_column(justify="right", width=5, no_wrap=True)
        grid.add_column(no_wrap=True)
        if percent is None:
            grid.add_row(esc(low), "[dim]" + "·" * 21 + "[/dim]", esc(high), "", "")
            console.print(grid)
            console.print(Padding(f"[dim]{esc(label)}[/dim]", (0, 0, 0, 2)))
        else:
            grid.add_row(esc(low), bar(percent), esc(high), f"{percent:.1f}", esc(label))
            console.print(grid)
    console.print()
    for dim in rubric.walk():
        result = profile[dim.id]
        if not result.scorable or result.position is None:
            continue
        band = next(b for b in rubric.bands_of(dim) if b.id == result.band)
        counts = f"{result.answered} of {counted(result.n_items, 'item')} answered"
        label = esc(result.band_label or "")
        if result.norm is not None and result.norm.borderline:
            label += " (borderline)"
        console.print(f"[bold]{esc(dim.name)}[/bold]: {label} [dim]({counts})[/dim]")
        lines = [esc(band.feedback)] if band.feedback else []
        lines += norm_lines(result.norm, profile.norms)
        poles = [dim.low] if result.position < 0 else [dim.high] if result.position > 0 else []
        for pole in poles:
            for title, text in (
                ("What it means", pole.description),
                ("Strengths", pole.strengths),
                ("Risks", pole.risks),
                ("To develop", pole.development),
            ):
                if text:
                    lines.append(f"[italic]{title}:[/italic] {esc(text)}")
        for line in lines:
            console.print(Padding(line, (0, 0, 0, 2)))
        console.print()
    if overall.scorable:
        band = next(b for b in rubric.bands if b.id == overall.band)
        if band.feedback:
            console.print(f"[bold]Overall[/bold]: {esc(band.feedback)}")


def show_rubric(r: Rubric, console: Console) -> None:
    """Print a rubric: its scale, strategy, dimensions with their items, and bands."""
    from rich.table import Table  # noqa: PLC0415

    console.print(f"[bold]{esc(r.title)}[/bold]  {r.id} {r.version}")
    if r.description:
        console.print(esc(r.description))
    labels = ", ".join(f"{p} = {esc(r.scale.label(p))}" for p in r.scale)
    console.print(f"\nScale: {labels}")
    share = f"{r.missing.min_share:.0%}"
    console.print(
        f"Strategy: {r.strategy}; weighting: {r.weighting.id}; "
        f"a dimension needs {share} of its items answered\n"
    )
    for dim in r.walk():
        kind = "" if dim.bipolar else ", unipolar"
        caption = (
            f"0 = {esc(dim.low.label)} ({dim.low.id}), "
            f"100 = {esc(dim.high.label)} ({dim.high.id}){kind}"
        )
        if dim.dimensions:
            caption += f"; also scored from {', '.join(s.id for s in dim.dimensions)}"
        table = Table(title=esc(f"{dim.name}  [{dim.id}]"), caption=caption,
                      title_justify="left")  # fmt: skip
        for col in ("item", "keyed", "weight", "statement"):
            table.add_column(col, justify="right" if col == "weight" else "left")
        for item in dim.items:
            table.add_row(item.id, item.keyed, f"{item.weight:g}", esc(item.text))
        for ref in dim.item_refs:
            table.add_row(ref.id, ref.keyed, "", "[dim](defined in another dimension)[/dim]")
        if dim.items or dim.item_refs:
            console.print(table)
        else:
            console.print(f"[bold]{esc(dim.name)}[/bold]  {esc(f'[{dim.id}]')}: {caption}\n")
        if dim.bands is not None:
            console.print(bands_table(dim.bands, f"Bands of {dim.id} (on its {dim.band_on})"))
    console.print(bands_table(r.bands, "Bands (0-100)"))


def norm_lines(norm: NormScore | None, table: str | None) -> list[str]:
    """The lines that compare a score with its norms."""
    if norm is None:
        return []
    fell = " (your group has no norms: compared with the fallback group)" if norm.fallback else ""
    head = f"[italic]Compared with {esc(norm.group)}[/italic] ({esc(table or '')}){fell}"
    numbers = f"percentile {norm.percentile:.0f}, z {norm.z:+.2f}, T {norm.t:.0f}, sten {norm.sten}"
    lines = [f"{head}: {numbers}."]
    if norm.ci_low is not None and norm.ci_high is not None:
        lines.append(f"95% interval of the score: {norm.ci_low:.2f} to {norm.ci_high:.2f}.")
    if norm.borderline:
        lines.append(
            "[bold]Borderline:[/bold] the interval crosses a band boundary, so the label "
            "above is uncertain; read the neighbouring band's feedback too."
        )
    return lines


def bands_table(bands: Sequence[Band], title: str) -> Table:
    """A table of bands with their bounds."""
    from rich.table import Table  # noqa: PLC0415

    table = Table(title=title, title_justify="left")
    for col in ("band", "label", "from", "to"):
        table.add_column(col)
    for band in bands:
        lower = ("[" if band.include_lower else "(") + f"{band.lower:g}"
        upper = f"{band.upper:g}" + ("]" if band.include_upper else ")")
        table.add_row(band.id, esc(band.label), esc(lower), esc(upper))
    return table


def json_safe(value: Any) -> Any:  # noqa: ANN401
    """``value`` with infinities and NaN as ``None``, for JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def fmt(value: float | None, digits: int = 2) -> str:
    """A number with ``digits`` decimals; ``-`` when there is none."""
    return "-" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def show_analysis(analysis: Any, console: Console) -> None:  # noqa: ANN401
    """Print a reliability analysis: scales, items, correlations."""
    from rich.table import Table  # noqa: PLC0415

    console.print(
        f"[bold]Reliability[/bold]  {analysis.rubric} {analysis.rubric_version}, "
        f"{counted(analysis.n, 'respondent')}\n"
    )
    scales = Table(title="Scales", title_justify="left")
    for col in ("dimension", "items", "alpha", "95% CI", "std alpha", "G6",
                "omega", "av r", "S/N", "mean", "sd"):  # fmt: skip
        scales.add_column(col, justify="left" if col == "dimension" else "right")
    for d in analysis.dimensions:
        ci = f"{fmt(d.alpha_ci_low)}-{fmt(d.alpha_ci_high)}" if d.alpha is not None else "-"
        scales.add_row(
            d.dimension, str(d.n_items), fmt(d.alpha), ci, fmt(d.std_alpha), fmt(d.g6),
            fmt(d.omega_total), fmt(d.average_r), fmt(d.signal_noise), fmt(d.mean),
            fmt(d.sd),
        )  # fmt: skip
    console.print(scales)
    console.print(
        "alpha = Cronbach's alpha (raw), 95% CI = Feldt, std alpha = standardized, "
        "G6 = Guttman's lambda 6, omega = McDonald's omega total (one factor), "
        "av r = average inter-item correlation, S/N = signal/noise\n"
    )
    for d in analysis.dimensions:
        if d.note:
            console.print(f"[bold]{esc(d.dimension)}[/bold]: {esc(d.note)}")
        if not d.items:
            continue
        items = Table(title=f"Items of {esc(d.dimension)}", title_justify="left")
        for col in ("item", "rev", "n", "mean", "sd", "r", "r.cor", "r.drop",
                    "alpha if deleted", "missing", "flag"):  # fmt: skip
            items.add_column(col, justify="left" if col in {"item", "flag"} else "right")
        for i in d.items:
            flag = "possibly mis-keyed" if i.possibly_miskeyed else ""
            items.add_row(
                i.item, "-" if i.reversed else "+", str(i.n), fmt(i.mean), fmt(i.sd),
                fmt(i.raw_r), fmt(i.r_cor), fmt(i.r_drop), fmt(i.alpha_if_deleted),
                f"{i.missing:.0%}", flag,
            )  # fmt: skip
        console.print(items)
        for item in d.items:
            if item.possibly_miskeyed:
                console.print(
                    f"  [bold]{esc(item.item)}[/bold] may be mis-keyed: item-rest r = "
                    f"{item.r_drop:.2f}; alpha {fmt(d.alpha)} now, {fmt(item.alpha_if_deleted)}"
                    f" without it, {fmt(item.alpha_if_reversed)} if it were reversed. "
                    "Nothing was changed: check the item's wording and keying."
                )
        if d.excluded:
            console.print(f"  left out (no variance): {', '.join(d.excluded)}")
    ids = [d.dimension for d in analysis.dimensions]
    if len(ids) > 1:
        cor = Table(title="Scale correlations (raw below, disattenuated above)",
                    title_justify="left")  # fmt: skip
        cor.add_column("")
        for i in ids:
            cor.add_column(i, justify="right")
        for a_i, a in enumerate(ids):
            cells = []
            for b_i, b in enumerate(ids):
                if b_i < a_i:
                    cells.append(fmt(analysis.correlations[a][b]))
                elif b_i > a_i:
                    cells.append(fmt(analysis.disattenuated[a][b]))
                else:
                    cells.append(fmt(analysis[a].alpha))
            cor.add_row(a, *cells)
        console.print(cor)


@contextlib.contextmanager
def progress(total: int | None) -> Iterator[Callable[[int, str], None]]:
    """A rich progress bar on a terminal (standard error); nothing otherwise.

    The callback takes the rows done and what is being done (``scoring``, or
    ``pass 1 of 2: counting answers`` ...); a new pass starts the bar again.
    """
    if not sys.stderr.isatty():
        yield lambda _rows, _what: None
        return
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console(stderr=True), transient=True) as shown:
        task = shown.add_task("scoring", total=total)

        def advance(rows: int, what: str) -> None:
            shown.update(task, completed=rows, description=what)

        yield advance
