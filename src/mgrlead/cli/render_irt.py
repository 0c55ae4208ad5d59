"""What the ``mgrlead irt`` commands print: rich tables of item parameters and fit."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from mgrlead.cli.render import esc, fmt
from mgrlead.errors import counted

if TYPE_CHECKING:
    from rich.console import Console

    from mgrlead.irt.calibrate import Calibration

__all__ = ["MISFIT_P", "p_value", "show_calibration"]

#: Below this width the tables lose their borders (one space between columns),
#: so that a 60-column terminal still shows every number whole.
NARROW = 80


def _layout(console: Console) -> dict[str, Any]:
    if console.width >= NARROW:
        return {"title_justify": "left"}
    return {"title_justify": "left", "box": None, "pad_edge": False, "padding": (0, 1),
            "show_edge": False}  # fmt: skip


#: An item whose S-X² p-value is below this is flagged ``misfit``.
MISFIT_P = 0.01


def p_value(p: float) -> str:
    """A p-value with three decimals, ``<0.001`` below that, ``-`` when there is none."""
    if not math.isfinite(p):
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _show_fit(cal: Calibration, console: Console) -> None:
    """The model fit and reliability: per dimension, then per item (S-X²)."""
    from rich.table import Table  # noqa: PLC0415

    tests = Table(title="Model fit", **_layout(console))
    tests.add_column("dimension", no_wrap=console.width >= NARROW, overflow="fold")
    for col in ("test", "statistic", "df", "p", "RMSEA", "SRMSR", "n"):
        tests.add_column(col, justify="right", no_wrap=True)
    for f in cal.dimensions:
        g = f.global_fit
        tests.add_row(
            esc(f.dimension),
            *(
                [g.type, fmt(g.statistic), str(g.df), p_value(g.p), fmt(g.rmsea, 3),
                 fmt(g.srmsr, 3), str(g.n)]
                if g is not None
                else ["-"] * 7
            ),
        )  # fmt: skip
    console.print(tests)
    console.print(
        "test = limited-information goodness of fit, on the n respondents who answered "
        "every item (a small p: the model does not reproduce how the items are answered "
        "together); RMSEA, SRMSR: .05 or less is a close fit; -: not computed (see the "
        "notes)\n"
    )
    reliability = Table(title="Reliability of θ", **_layout(console))
    reliability.add_column("dimension", no_wrap=console.width >= NARROW, overflow="fold")
    for col in ("marginal", "empirical"):
        reliability.add_column(col, justify="right", no_wrap=True)
    for f in cal.dimensions:
        reliability.add_row(
            esc(f.dimension), fmt(f.marginal_reliability, 3), fmt(f.empirical_reliability, 3)
        )
    console.print(reliability)
    console.print(
        "marginal: from the test information over θ ~ N(0, 1); empirical: of the EAP "
        "scores of these respondents\n"
    )
    items = Table(title="Item fit (S-X²)", **_layout(console))
    for col in ("dimension", "item"):  # ids fold on a narrow screen, numbers never do
        items.add_column(col, no_wrap=console.width >= NARROW, overflow="fold")
    for col in ("S-X²", "df", "p", "n"):
        items.add_column(col, justify="right", no_wrap=True)
    items.add_column("flag", no_wrap=True)
    misfits = 0
    order = {f.dimension: n for n, f in enumerate(cal.dimensions)}
    for e in sorted(cal.items, key=lambda e: order[e.dimension]):  # stable: rubric order within
        if e.fit is None:
            items.add_row(esc(e.dimension), esc(e.item), "-", "-", "-", "-", "")
            continue
        misfit = e.fit.p < MISFIT_P
        misfits += misfit
        items.add_row(
            esc(e.dimension), esc(e.item), fmt(e.fit.statistic), str(e.fit.df),
            p_value(e.fit.p), str(e.fit.n), "[bold red]misfit[/bold red]" if misfit else "",
        )  # fmt: skip
    console.print(items)
    console.print(
        f"misfit: p < {MISFIT_P:g} ({counted(misfits, 'item')}): the answers the model "
        "expects at each summed score differ from the observed ones more than chance "
        "explains; -: not computed (see the notes)\n"
    )


def show_calibration(cal: Calibration, console: Console) -> None:
    """Print a calibration: per dimension its fit, then each item's estimates (SE)."""
    from rich.table import Table  # noqa: PLC0415

    r = cal.rubric
    console.print(
        f"[bold]Calibration[/bold]  {esc(r.id)} {esc(r.version)}, model {cal.model}, "
        f"{cal.quadrature.points} quadrature points on {cal.quadrature.lower:g}.."
        f"{cal.quadrature.upper:g}\n"
    )
    fits = Table(title="Dimensions", **_layout(console))
    fits.add_column("dimension", no_wrap=console.width >= NARROW, overflow="fold")
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
            **_layout(console),
        )
        table.add_column("item")
        for name in names:
            table.add_column(name, justify="right")
        for e in estimates:
            cells = dict(zip(e.names, (f"{fmt(v)} ({fmt(s)})" for v, s in
                                       zip(e.values, e.se, strict=True)), strict=True))  # fmt: skip
            table.add_row(esc(e.item), *(cells.get(n, "") for n in names))
        console.print(table)
    _show_fit(cal, console)
    for note in cal.notes:
        console.print(f"note: {esc(note)}")
    console.print(
        f"{counted(len(cal.items), 'item')} calibrated; parameters toward each dimension's "
        "high pole, logistic metric (D = 1), θ ~ N(0, 1)"
    )
