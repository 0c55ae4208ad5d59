"""What the ``mgrlead irt`` commands print: rich tables of item parameters and fit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mgrlead.cli.render import esc, fmt
from mgrlead.errors import counted

if TYPE_CHECKING:
    from rich.console import Console

    from mgrlead.irt.calibrate import Calibration

__all__ = ["show_calibration"]


def show_calibration(cal: Calibration, console: Console) -> None:
    """Print a calibration: per dimension its fit, then each item's estimates (SE)."""
    from rich.table import Table  # noqa: PLC0415

    r = cal.rubric
    console.print(
        f"[bold]Calibration[/bold]  {esc(r.id)} {esc(r.version)}, model {cal.model}, "
        f"{cal.quadrature.points} quadrature points on {cal.quadrature.lower:g}.."
        f"{cal.quadrature.upper:g}\n"
    )
    fits = Table(title="Dimensions", title_justify="left")
    fits.add_column("dimension", no_wrap=True)
    for col in ("n", "k", "-2LL", "AIC", "BIC", "EM+Newton"):
        fits.add_column(col, justify="right", no_wrap=True)
    for f in cal.dimensions:
        fits.add_row(
            esc(f.dimension), str(f.respondents), str(f.n_parameters), fmt(f.minus2ll, 1),
            fmt(f.aic, 1), fmt(f.bic, 1), f"{f.em_iterations}+{f.newton_iterations}",
        )  # fmt: skip
    console.print(fits)
    console.print(
        "n = respondents, k = parameters, -2LL = -2 log-likelihood (marginal), EM+Newton "
        "= iterations; converged: "
        f"{cal.dimensions[0].criterion if cal.dimensions else '-'}\n"
    )
    for f in cal.dimensions:
        estimates = [e for e in cal.items if e.dimension == f.dimension]
        names = list(dict.fromkeys(n for e in estimates for n in e.names))
        table = Table(
            title=f"Items of {esc(f.dimension)} ({f.model}): estimate (standard error)",
            title_justify="left",
        )
        table.add_column("item")
        for name in names:
            table.add_column(name, justify="right")
        for e in estimates:
            cells = dict(zip(e.names, (f"{fmt(v)} ({fmt(s)})" for v, s in
                                       zip(e.values, e.se, strict=True)), strict=True))  # fmt: skip
            table.add_row(esc(e.item), *(cells.get(n, "") for n in names))
        console.print(table)
    for note in cal.notes:
        console.print(f"note: {esc(note)}")
    console.print(
        f"{counted(len(cal.items), 'item')} calibrated; parameters toward each dimension's "
        "high pole, logistic metric (D = 1), θ ~ N(0, 1)"
    )
