"""What the ``mgrlead irt`` commands print: rich tables of item parameters and fit.

The words and numbers are in the current language (:func:`mgrlead.i18n.use_language`,
``mgrlead irt fit --lang de``); ids, model names and statistics' names are not translated.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from mgrlead.cli.render import esc
from mgrlead.i18n import format_decimal, ngettext
from mgrlead.i18n import gettext as _

if TYPE_CHECKING:
    from rich.console import Console

    from mgrlead.irt.calibrate import Calibration

__all__ = ["MISFIT_P", "general", "number", "p_value", "show_calibration"]

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


def number(value: float | None, digits: int = 2) -> str:
    """A number with ``digits`` decimals in the current language; ``-`` when there is none."""
    if value is None or not math.isfinite(value):
        return "-"
    return format_decimal(value, digits)


def general(value: float) -> str:
    """``value`` as ``f"{value:g}"`` writes it, with the current language's decimal sign."""
    text = f"{value:g}"
    point = format_decimal(0.5, 1)[1]
    return text if point == "." else text.replace(".", point)


def p_value(p: float) -> str:
    """A p-value with three decimals, ``<0.001`` below that, ``-`` when there is none."""
    if not math.isfinite(p):
        return "-"
    return "<" + format_decimal(0.001, 3) if p < 0.001 else format_decimal(p, 3)


def _show_fit(cal: Calibration, console: Console) -> None:
    """The model fit and reliability: per dimension, then per item (S-X²)."""
    from rich.table import Table  # noqa: PLC0415

    tests = Table(title=_("Model fit"), **_layout(console))
    tests.add_column(_("dimension"), no_wrap=console.width >= NARROW, overflow="fold")
    # TRANSLATORS: column headings of the global fit table of `mgrlead irt fit`;
    # "df" are the degrees of freedom
    for col in (_("test"), _("statistic"), _("df"), "p", "RMSEA", "SRMSR", "n"):
        tests.add_column(col, justify="right", no_wrap=True)
    for f in cal.dimensions:
        g = f.global_fit
        tests.add_row(
            esc(f.dimension),
            *(
                [g.type, number(g.statistic), str(g.df), p_value(g.p), number(g.rmsea, 3),
                 number(g.srmsr, 3), str(g.n)]
                if g is not None
                else ["-"] * 7
            ),
        )  # fmt: skip
    console.print(tests)
    console.print(
        _(
            "test = limited-information goodness of fit, on the n respondents who answered "
            "every item (a small p: the model does not reproduce how the items are answered "
            "together); RMSEA, SRMSR: {close} or less is a close fit; -: not computed (see the "
            "notes)"
        ).format(close=format_decimal(0.05, 2).lstrip("0"))
        + "\n"
    )
    reliability = Table(title=_("Reliability of θ"), **_layout(console))
    reliability.add_column(_("dimension"), no_wrap=console.width >= NARROW, overflow="fold")
    # TRANSLATORS: the two kinds of reliability of θ (column headings)
    for col in (_("marginal"), _("empirical")):
        reliability.add_column(col, justify="right", no_wrap=True)
    for f in cal.dimensions:
        reliability.add_row(
            esc(f.dimension), number(f.marginal_reliability, 3),
            number(f.empirical_reliability, 3),
        )  # fmt: skip
    console.print(reliability)
    console.print(
        _(
            "marginal: from the test information over θ ~ N(0, 1); empirical: of the EAP "
            "scores of these respondents"
        )
        + "\n"
    )
    items = Table(title=_("Item fit (S-X²)"), **_layout(console))
    for col in (_("dimension"), _("item")):  # ids fold on a narrow screen, numbers never do
        items.add_column(col, no_wrap=console.width >= NARROW, overflow="fold")
    for col in ("S-X²", _("df"), "p", "n"):
        items.add_column(col, justify="right", no_wrap=True)
    items.add_column(_("flag"), no_wrap=True)
    misfits = 0
    order = {f.dimension: n for n, f in enumerate(cal.dimensions)}
    flag = esc(_("misfit"))
    for e in sorted(cal.items, key=lambda e: order[e.dimension]):  # stable: rubric order within
        if e.fit is None:
            items.add_row(esc(e.dimension), esc(e.item), "-", "-", "-", "-", "")
            continue
        misfit = e.fit.p < MISFIT_P
        misfits += misfit
        items.add_row(
            esc(e.dimension), esc(e.item), number(e.fit.statistic), str(e.fit.df),
            p_value(e.fit.p), str(e.fit.n), f"[bold red]{flag}[/bold red]" if misfit else "",
        )  # fmt: skip
    console.print(items)
    console.print(
        ngettext(
            "misfit: p < {p} ({n} item): the answers the model expects at each summed score "
            "differ from the observed ones more than chance explains; -: not computed (see "
            "the notes)",
            "misfit: p < {p} ({n} items): the answers the model expects at each summed score "
            "differ from the observed ones more than chance explains; -: not computed (see "
            "the notes)",
            misfits,
        ).format(p=general(MISFIT_P), n=misfits)
        + "\n"
    )


#: The convergence criterion as :func:`mgrlead.irt.calibrate` words it (in English).
_CRITERION = re.compile(
    r"EM until no parameter changed by (?P<em>\S+) in a cycle, then Newton until the largest "
    r"step was below (?P<newton>\S+)"
)


def _criterion(text: str) -> str:
    """The convergence criterion in the current language (as it is when not the usual words)."""
    match = _CRITERION.fullmatch(text)
    if match is None:
        return text
    return _(
        "EM until no parameter changed by {em} in a cycle, then Newton until the largest step "
        "was below {newton}"
    ).format(em=match["em"], newton=match["newton"])


def show_calibration(cal: Calibration, console: Console) -> None:
    """Print a calibration: per dimension its fit, then each item's estimates (SE)."""
    from rich.table import Table  # noqa: PLC0415

    r = cal.rubric
    console.print(
        _(
            "[bold]Calibration[/bold]  {rubric} {version}, model {model}, {points} quadrature "
            "points on {lower}..{upper}"
        ).format(
            rubric=esc(r.id),
            version=esc(r.version),
            model=cal.model,
            points=cal.quadrature.points,
            lower=general(cal.quadrature.lower),
            upper=general(cal.quadrature.upper),
        )
        + "\n"
    )
    fits = Table(title=_("Dimensions"), **_layout(console))
    fits.add_column(_("dimension"), no_wrap=console.width >= NARROW, overflow="fold")
    for col in ("n", "k", "-2LL", "AIC", "BIC", "EM+Newton"):
        fits.add_column(col, justify="right", no_wrap=True)
    for f in cal.dimensions:
        fits.add_row(
            esc(f.dimension), str(f.respondents), str(f.n_parameters), number(f.minus2ll, 1),
            number(f.aic, 1), number(f.bic, 1), f"{f.em_iterations}+{f.newton_iterations}",
        )  # fmt: skip
    console.print(fits)
    console.print(
        _(
            "n = respondents, k = parameters, -2LL = -2 log-likelihood (marginal), EM+Newton "
            "= iterations; converged: {criterion}"
        ).format(criterion=_criterion(cal.dimensions[0].criterion) if cal.dimensions else "-")
        + "\n"
    )
    for f in cal.dimensions:
        estimates = [e for e in cal.items if e.dimension == f.dimension]
        names = list(dict.fromkeys(n for e in estimates for n in e.names))
        table = Table(
            title=_("Items of {dimension} ({model}): estimate (standard error)").format(
                dimension=esc(f.dimension), model=f.model
            ),
            **_layout(console),
        )
        table.add_column(_("item"))
        for name in names:
            table.add_column(name, justify="right")
        for e in estimates:
            cells = dict(zip(e.names, (f"{number(v)} ({number(s)})" for v, s in
                                       zip(e.values, e.se, strict=True)), strict=True))  # fmt: skip
            table.add_row(esc(e.item), *(cells.get(n, "") for n in names))
        console.print(table)
    _show_fit(cal, console)
    for note in cal.notes:
        # TRANSLATORS: the note itself comes from the estimation and stays English
        console.print(_("note: {note}").format(note=esc(note)))
    n = len(cal.items)
    console.print(
        ngettext(
            "{n} item calibrated; parameters toward each dimension's high pole, logistic "
            "metric (D = 1), θ ~ N(0, 1)",
            "{n} items calibrated; parameters toward each dimension's high pole, logistic "
            "metric (D = 1), θ ~ N(0, 1)",
            n,
        ).format(n=n)
    )
