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

from mgrlead.i18n import format_decimal, ngettext
from mgrlead.i18n import gettext as _
from mgrlead.report.texts import (
    bands_on_percent,
    norm_table_words,
    percent_interval,
    uses_rubric_bands,
)

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from mgrlead.model import Band, Dimension, Pole, Rubric
    from mgrlead.results import NormScore, Profile

__all__ = [
    "Bar",
    "bands_table",
    "console",
    "esc",
    "fmt",
    "json_safe",
    "norm_lines",
    "progress",
    "shortest",
    "show_analysis",
    "show_profile",
    "show_rubric",
    "signed",
]


def console(*, stderr: bool = False) -> Console:
    """A rich console on standard output (or error).

    Off a terminal (a file, a pipe) rich pads every line to its width; the
    lines are written without those trailing spaces.
    """
    from rich.console import Console  # noqa: PLC0415

    stream = sys.stderr if stderr else sys.stdout
    isatty = getattr(stream, "isatty", None)
    target: Any = stream if isatty is not None and isatty() else _Unpadded(stream)
    return Console(file=target, highlight=False)


class _Unpadded:
    """A text stream that drops the spaces at the end of every line written to it."""

    def __init__(self, stream: Any) -> None:  # noqa: ANN401 - any text stream
        self.stream = stream
        self.pending = ""

    def write(self, text: str) -> int:
        """Write ``text``; a line is written once its end is seen."""
        *lines, self.pending = (self.pending + text).split("\n")
        for line in lines:
            self.stream.write(line.rstrip(" ") + "\n")
        return len(text)

    def flush(self) -> None:
        """Write what is pending (without its trailing spaces) and flush."""
        if self.pending:
            self.stream.write(self.pending.rstrip(" "))
            self.pending = ""
        self.stream.flush()

    def isatty(self) -> bool:
        """Not a terminal."""
        return False


def esc(text: str) -> str:
    """``text`` with rich markup escaped."""
    from rich.markup import escape  # noqa: PLC0415

    return escape(text)


#: Rich colours of a rubric's bands, in band order (as the HTML report's legend).
BAND_STYLES = ("cyan", "grey62", "dark_orange", "green", "magenta", "yellow")
#: Below this width the pole labels go on their own line above the bar.
NARROW = 72


class Bar:
    """A 0-100 bar as wide as the space it is given, coloured by band, a dot at the score.

    A rich renderable: it takes the width rich gives it (the terminal's, or a
    table column's), so a wider terminal shows finer differences.
    """

    def __init__(self, percent: float | None, bands: Sequence[Band] = ()) -> None:
        """A bar for ``percent`` (``None``: not scorable), shaded by ``bands`` on 0-100."""
        self.percent = percent
        self.bands = tuple(bands)

    def _styles(self, width: int) -> list[str]:
        """Each cell's colour: the band whose stretch covers it (a point band: one cell)."""
        from mgrlead.model import band_stretches  # noqa: PLC0415

        step = 100 / (width - 1)
        out = ["grey62"] * width
        stretches = band_stretches(self.bands, tick=step)
        points = [s for s in stretches if self.bands[s[0]].lower == self.bands[s[0]].upper]
        ranges = [s for s in stretches if s not in points]
        for k, lo, hi in [
            *reversed(ranges),
            *points,
        ]:  # of two ranges the first wins; points on top
            for cell in range(math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) + 1):
                if 0 <= cell < width:
                    out[cell] = BAND_STYLES[k % len(BAND_STYLES)]
        return out

    def __rich_console__(self, console: Console, options: Any) -> Iterator[Any]:  # noqa: ANN401
        """Draw the bar in the width ``options`` allow."""
        from rich.segment import Segment  # noqa: PLC0415
        from rich.style import Style  # noqa: PLC0415

        width = max(int(options.max_width), 5)
        if self.percent is None:
            yield Segment("·" * width, Style(dim=True))
            return
        slot = round(min(max(self.percent, 0.0), 100.0) / 100 * (width - 1))
        for k, style in enumerate(self._styles(width)):
            if k == slot:
                yield Segment("●", Style(bold=True))
            else:
                yield Segment("━", Style.parse(style))

    def __rich_measure__(self, console: Console, options: Any) -> Any:  # noqa: ANN401
        """As narrow as 10 cells, as wide as allowed."""
        from rich.measure import Measurement  # noqa: PLC0415

        return Measurement(10, options.max_width)


def _dimension_row(  # noqa: PLR0913, PLR0917 - one dimension's bar and what it needs
    rubric: Rubric,
    dim: Dimension,
    percent: float | None,
    label: str,
    width: int,
    pole_widths: tuple[int, int],
) -> Any:  # noqa: ANN401 - a rich renderable
    """A dimension's bar between its poles, with its band label."""
    return _score_row(
        dim.name,
        (dim.low.label, dim.high.label),
        percent=percent,
        label=label,
        bands=bands_on_percent(rubric, dim),
        width=width,
        pole_widths=pole_widths,
    )


def _score_row(  # noqa: PLR0913 - one bar's texts, number, bands and layout
    name: str,
    poles: tuple[str, str],
    *,
    percent: float | None,
    label: str,
    bands: Sequence[Band],
    width: int,
    pole_widths: tuple[int, int] = (0, 0),
) -> Any:  # noqa: ANN401
    """A dimension's name with its score and band, and its bar between the poles.

    ``pole_widths`` gives every bar of a profile the same start and end, so
    that bars line up; below :data:`NARROW` columns the pole labels go on a
    line of their own and the bar takes the whole width.
    """
    from rich.console import Group  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    low, high = poles
    head = Table.grid(padding=(0, 1), expand=True)
    head.add_column(ratio=1)
    head.add_column(justify="right", no_wrap=True)
    number = "" if percent is None else f"[bold]{format_decimal(percent, 1)}[/bold] "
    head.add_row(f"[bold]{esc(name)}[/bold]", f"{number}{esc(label)}")
    line = Table.grid(padding=(0, 1), expand=True)
    if width < NARROW:
        from rich.text import Text  # noqa: PLC0415

        left, right = f"[dim]0 {esc(low)}[/dim]", f"[dim]{esc(high)} 100[/dim]"
        line.add_column(ratio=1)
        line.add_row(Bar(percent, bands))
        if len(low) + len(high) + len("0  100") + 1 > width:  # a line each, never run together
            return Group(head, Text.from_markup(left), Text.from_markup(right, justify="right"),
                         line)  # fmt: skip
        ends = Table.grid(padding=(0, 1), expand=True)
        ends.add_column(ratio=1)
        ends.add_column(justify="right")
        ends.add_row(left, right)
        return Group(head, ends, line)
    line.add_column(justify="right", no_wrap=True, min_width=pole_widths[0] or None)
    line.add_column(ratio=1)
    line.add_column(no_wrap=True, min_width=pole_widths[1] or None)
    line.add_row(f"[dim]{esc(low)}[/dim]", Bar(percent, bands), f"[dim]{esc(high)}[/dim]")
    return Group(head, line)


def _pole_widths(rubric: Rubric) -> tuple[int, int]:
    lows = [len(d.low.label) for d in rubric.walk()] + [len(rubric.low_label)]
    highs = [len(d.high.label) for d in rubric.walk()] + [len(rubric.high_label)]
    return max(lows), max(highs)


def _legend(bands: Sequence[Band]) -> Any:  # noqa: ANN401
    """``━━ Manager-leaning 0-40  ━━ Balanced 40-60 ...`` in the bands' colours.

    Each entry stays whole on its line; entries wrap between them.
    """
    from rich.columns import Columns  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    entries = []
    for k, b in enumerate(bands):
        entry = Text("━━ ", style=BAND_STYLES[k % len(BAND_STYLES)], no_wrap=True)
        entry.append(f"{b.label} {shortest(b.lower)}-{shortest(b.upper)}", style="default")
        entries.append(entry)
    return Columns(entries, padding=(0, 2))


def _pole_texts(pole: Pole) -> Any:  # noqa: ANN401
    """A pole's name, then what it means, its strengths, risks and development."""
    from rich.table import Table  # noqa: PLC0415

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="italic")
    grid.add_column(ratio=1)
    for title, text in (
        (_("What it means:"), pole.description),
        (_("Strengths:"), pole.strengths),
        (_("Risks:"), pole.risks),
        (_("To develop:"), pole.development),
    ):
        if text:
            grid.add_row(esc(title), esc(text))
    from rich.console import Group  # noqa: PLC0415

    return Group(f"[bold]{esc(pole.label)}[/bold]", grid)


def show_profile(rubric: Rubric, profile: Profile, console: Console) -> None:
    """Print a profile: what each dimension means for you, then a summary that stays on screen.

    The details come first, one section per dimension (its bar, band, norms,
    the pole you lean toward with its strengths, risks and development), then
    notes on how the answers were given, and last the summary of every bar,
    so that what is left on the screen is the whole profile at a glance.
    """
    from rich.padding import Padding  # noqa: PLC0415
    from rich.rule import Rule  # noqa: PLC0415

    from mgrlead.report.texts import (  # noqa: PLC0415
        IN_NO_BAND,
        band_words,
        leaning,
        norm_metric,
        scale_note,
    )

    width = console.width
    ends = _pole_widths(rubric)
    ident = f"{rubric.id} {rubric.version}"
    console.print(Rule(f"[bold]{esc(rubric.title)}[/bold]  [dim]{esc(ident)}[/dim]"))
    console.print(Padding(f"[dim]{esc(scale_note(rubric))}[/dim]", (0, 0, 1, 0)))
    for dim in rubric.walk():
        result = profile[dim.id]
        label = band_words(result.band_label, scored=result.scorable)
        borderline = result.norm is not None and result.norm.borderline
        # or θ ± z·SE reaches into another band
        borderline = borderline or (result.theta is not None and result.theta.theta_borderline)
        if borderline:
            # TRANSLATORS: {label} is a band's name; the score is close to the next band
            label = _("{label} (borderline)").format(label=label)
        console.print(_dimension_row(rubric, dim, result.percent, label, width, ends))
        counts = ngettext(
            "{answered} of {n_items} statement answered",
            "{answered} of {n_items} statements answered",
            result.n_items,
        ).format(answered=result.answered, n_items=result.n_items)
        if not result.scorable:
            # the reason says how many were answered; without one, the counts do
            why = (
                _("Not scorable: {reason}.").format(reason=result.reason)
                if result.reason
                else _("Not scorable ({counts}).").format(counts=counts)
            )
            console.print(Padding(f"[dim]{esc(why)}[/dim]", (0, 0, 1, 2)))
            continue
        lines = []
        poles: tuple[Pole, ...] = ()
        if result.position is not None:  # bipolar: name the pole the answers lean toward
            lean, poles = leaning(dim, result.position)
            lines.append(esc(lean))
        band = next((b for b in rubric.bands_of(dim) if b.id == result.band), None)
        if band is None:  # scored, in a gap between bands
            lines.append(esc(IN_NO_BAND))
        elif dim.bands is not None and band.feedback:
            lines.append(esc(band.feedback))  # the rubric's own bands are explained once
        lines += norm_lines(result.norm, profile.norms, percent_interval(result, dim, rubric),
                            norm_metric(result))  # fmt: skip
        if result.theta is not None:  # the theta strategy (docs/irt.md)
            t = result.theta
            lines.append(
                _(
                    "θ {theta} (standard error {se}); T-score {t_score}; percentile "
                    "{percentile} of the calibration population"
                ).format(
                    theta=format_decimal(t.theta, 2),
                    se=format_decimal(t.theta_se, 2),
                    t_score=format_decimal(t.t_score, 1),
                    percentile=format_decimal(t.theta_percentile, 0),
                )
            )
        lines.append(f"[dim]{counts}[/dim]")
        for line in lines:
            console.print(Padding(line, (0, 0, 0, 2)))
        for pole in poles:
            console.print(Padding(_pole_texts(pole), (0, 0, 0, 2)))
        console.print()
    _bands_explained(rubric, console)
    _careless(profile, rubric, console)
    _summary(rubric, profile, console)


def _bands_explained(rubric: Rubric, console: Console) -> None:
    """What each of the rubric's bands means, said once (when anything shown uses them)."""
    from rich.padding import Padding  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    if not uses_rubric_bands(rubric) or not any(b.feedback for b in rubric.bands):
        return
    console.print("[bold]" + esc(_("What the bands mean")) + "[/bold]")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for k, b in enumerate(rubric.bands):
        style = BAND_STYLES[k % len(BAND_STYLES)]
        grid.add_row(f"[{style}]━━[/] [bold]{esc(b.label)}[/bold]", esc(b.feedback))
    console.print(Padding(grid, (0, 0, 1, 2)))


def _careless(profile: Profile, rubric: Rubric, console: Console) -> None:
    """Plain words on how the answers were given, when there is something to say."""
    from rich.padding import Padding  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from mgrlead.report.texts import careless_notes  # noqa: PLC0415

    notes = careless_notes(profile, rubric)
    if not notes:
        return
    console.print("[bold]" + esc(_("How you answered")) + "[/bold]")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for note in notes:
        grid.add_row("•", esc(note))
    console.print(Padding(grid, (0, 0, 1, 2)))


def _summary(rubric: Rubric, profile: Profile, console: Console) -> None:
    """Every bar at once, the overall result and the band legend."""
    from rich.rule import Rule  # noqa: PLC0415

    from mgrlead.report.texts import band_words  # noqa: PLC0415

    width = console.width
    ends = _pole_widths(rubric)
    console.print(Rule("[bold]" + esc(_("Your profile at a glance")) + "[/bold]"))
    for dim in rubric.walk():
        result = profile[dim.id]
        label = band_words(result.band_label, scored=result.scorable)
        console.print(_dimension_row(rubric, dim, result.percent, label, width, ends))
    overall = profile.overall
    if rubric.overall:
        console.print(
            _score_row(
                _("Overall"),
                (rubric.low_label, rubric.high_label),
                percent=overall.percent,
                label=band_words(overall.band_label, scored=overall.scorable),
                bands=rubric.bands,
                width=width,
                pole_widths=ends,
            )
        )
    if uses_rubric_bands(rubric):
        console.print(_legend(rubric.bands))
    said = _("0 and 100 are the two poles, 50 the middle; it is not a grade.")
    console.print(f"[dim]{esc(said)}[/dim]")


def show_rubric(r: Rubric, console: Console) -> None:
    """Print a rubric: its scale, strategy, dimensions with their items, and bands.

    In the current language (:mod:`mgrlead.i18n`); ids, keys and numbers as
    the rubric file writes them.
    """
    from rich.table import Table  # noqa: PLC0415

    console.print(f"[bold]{esc(r.title)}[/bold]  {r.id} {r.version}")
    if r.description:
        console.print(esc(r.description))
    labels = ", ".join(f"{p} = {esc(r.scale.label(p))}" for p in r.scale)
    console.print("\n" + _("Scale: {labels}").format(labels=labels))
    policy = _(
        "Strategy: {strategy}; weighting: {weighting}; a dimension needs {share}% of its "
        "items answered"
    )
    share = format_decimal(100 * r.missing.min_share, 0)
    console.print(policy.format(strategy=r.strategy, weighting=r.weighting.id, share=share) + "\n")
    for dim in r.walk():
        caption = (
            _("0 = {low} ({low_id}), 100 = {high} ({high_id})")
            if dim.bipolar
            else _("0 = {low} ({low_id}), 100 = {high} ({high_id}), unipolar")
        ).format(
            low=esc(dim.low.label), low_id=dim.low.id, high=esc(dim.high.label),
            high_id=dim.high.id,
        )  # fmt: skip
        if dim.dimensions:
            caption += _("; also scored from {dimensions}").format(
                dimensions=", ".join(s.id for s in dim.dimensions)
            )
        table = Table(title=esc(f"{dim.name}  [{dim.id}]"), caption=caption,
                      title_justify="left")  # fmt: skip
        # TRANSLATORS: the columns of a rubric's items: id, keying, weight, the statement
        for col in (_("item"), _("keyed"), _("weight"), _("statement")):
            table.add_column(col, justify="right" if col == _("weight") else "left")
        for item in dim.items:
            table.add_row(item.id, item.keyed, f"{item.weight:g}", esc(item.text))
        for ref in dim.item_refs:
            table.add_row(
                ref.id, ref.keyed, "", "[dim]" + esc(_("(defined in another dimension)")) + "[/dim]"
            )
        if dim.items or dim.item_refs:
            console.print(table)
        else:
            console.print(f"[bold]{esc(dim.name)}[/bold]  {esc(f'[{dim.id}]')}: {caption}\n")
        if dim.bands is not None:
            # TRANSLATORS: {metric} is percent, mean or score (as the rubric file says)
            title = _("Bands of {dimension} (on its {metric})").format(
                dimension=dim.id, metric=dim.band_on
            )
            console.print(bands_table(dim.bands, title, gaps=dim.band_gaps))
    console.print(bands_table(r.bands, _("Bands (0-100)"), gaps=r.band_gaps))


def norm_lines(
    norm: NormScore | None,
    table: str | None,
    interval: tuple[float, float] | None = None,
    metric: str = "score",
) -> list[str]:
    """The lines that compare a score with its norms.

    ``interval`` is the confidence interval on the 0-100 scale of the score
    shown (:func:`mgrlead.report.charts.percent_interval`); without it the
    interval of the norm table's own ``metric`` is named as such, so that no
    line puts numbers of two scales side by side.
    """
    if norm is None:
        return []
    group = esc(norm.group)
    table_words = esc(norm_table_words(table))
    numbers = _("percentile {percentile}, z {z}, T {t}, sten {sten}").format(
        percentile=format_decimal(norm.percentile, 0), z=signed(norm.z, 2),
        t=format_decimal(norm.t, 0), sten=norm.sten,
    )  # fmt: skip
    if norm.fallback:
        # TRANSLATORS: [italic]...[/italic] is markup: keep it around the same words
        head = _(
            "[italic]Compared with group '{group}'[/italic] of {table} (your group has no "
            "norms: compared with the fallback group): {numbers}."
        )
    else:
        head = _("[italic]Compared with group '{group}'[/italic] of {table}: {numbers}.")
    lines = [head.format(group=group, table=table_words, numbers=numbers)]
    if interval is not None:
        lines.append(
            esc(_("95% interval of the score: {low} to {high} (of 100).")).format(
                low=format_decimal(interval[0], 1), high=format_decimal(interval[1], 1)
            )
        )
    elif norm.ci_low is not None and norm.ci_high is not None:
        lines.append(
            esc(
                _(
                    "95% interval of the {metric} the norms describe: {low} to {high} (not on "
                    "the 0-100 scale)."
                )
            ).format(
                metric=esc(metric),
                low=format_decimal(norm.ci_low, 2),
                high=format_decimal(norm.ci_high, 2),
            )
        )
    if norm.borderline:
        # TRANSLATORS: [bold]...[/bold] is markup: keep it around the same word
        lines.append(
            _(
                "[bold]Borderline:[/bold] the interval crosses a band boundary, so the label "
                "above is uncertain; read the neighbouring band's feedback too."
            )
        )
    return lines


def shortest(value: float) -> str:
    """A bound as ``f"{value:g}"`` writes it (``40``, ``33.5``), in the current language."""
    text = f"{value:g}"
    if "e" in text or "." not in text:
        return text
    return format_decimal(value, len(text.split(".", 1)[1]))


def signed(value: float, digits: int) -> str:
    """``value`` with its sign always written (``+0.50``, ``-1.25``), in the current language."""
    text = format_decimal(value, digits)
    if not text.startswith(("-", "\u2212")):  # as f"{value:+.2f}": +nan, +inf too
        return "+" + text
    return text


def bands_table(bands: Sequence[Band], title: str, *, gaps: bool = False) -> Table:
    """A table of bands with their bounds (``gaps``: they declare gaps, said below)."""
    from rich.table import Table  # noqa: PLC0415

    caption = _("A score outside these bands is in no band (band_gaps).") if gaps else None
    table = Table(title=title, title_justify="left", caption=caption, caption_justify="left")
    # TRANSLATORS: the columns of a table of bands: id, label, lower and upper bound
    for col in (_("band"), _("label"), _("from"), _("to")):
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


def _decimal(value: float | None, digits: int = 2) -> str:
    """:func:`fmt` in the current language (``0,85`` in German); ``-`` when there is none."""
    return "-" if value is None or not math.isfinite(value) else format_decimal(value, digits)


def show_analysis(analysis: Any, console: Console) -> None:  # noqa: ANN401
    """Print a reliability analysis: scales, items, correlations, in the current language."""
    from rich.table import Table  # noqa: PLC0415

    respondents = ngettext("{n} respondent", "{n} respondents", analysis.n).format(n=analysis.n)
    # TRANSLATORS: the heading of `mgrlead analyze`: a rubric's id and version, then the count
    heading = _("Reliability")
    console.print(
        f"[bold]{heading}[/bold]  {analysis.rubric} {analysis.rubric_version}, {respondents}\n"
    )
    from mgrlead.analysis.psychometrics import FELDT_NOTE  # noqa: PLC0415

    with_ci = FELDT_NOTE not in analysis.notes  # without scipy the interval is left out
    scales = Table(title=_("Scales"), title_justify="left")
    # TRANSLATORS: columns of the table of scales of `mgrlead analyze`; alpha, G6, omega, S/N
    # are the statistics' own names; "95% CI" is the confidence interval of alpha, "std alpha"
    # standardized alpha, "av r" the average inter-item correlation, "sd" the standard deviation
    headings = [_("dimension"), _("items"), "alpha", *([_("95% CI")] if with_ci else []),
                _("std alpha"), "G6", "omega", _("av r"), "S/N", _("mean"), _("sd")]  # fmt: skip
    for k, col in enumerate(headings):
        scales.add_column(col, justify="left" if k == 0 else "right")
    for d in analysis.dimensions:
        ci = (
            f"{_decimal(d.alpha_ci_low)}-{_decimal(d.alpha_ci_high)}"
            if d.alpha is not None
            else "-"
        )
        scales.add_row(
            d.dimension, str(d.n_items), _decimal(d.alpha), *([ci] if with_ci else []),
            _decimal(d.std_alpha), _decimal(d.g6), _decimal(d.omega_total), _decimal(d.average_r),
            _decimal(d.signal_noise), _decimal(d.mean), _decimal(d.sd),
        )  # fmt: skip
    console.print(scales)
    if with_ci:
        legend = _(
            "alpha = Cronbach's alpha (raw), 95% CI = Feldt, std alpha = standardized, "
            "G6 = Guttman's lambda 6, omega = McDonald's omega total (one factor), "
            "av r = average inter-item correlation, S/N = signal/noise"
        )
    else:
        legend = _(
            "alpha = Cronbach's alpha (raw), std alpha = standardized, "
            "G6 = Guttman's lambda 6, omega = McDonald's omega total (one factor), "
            "av r = average inter-item correlation, S/N = signal/noise"
        )
    console.print(legend + "\n")
    for d in analysis.dimensions:
        if d.note:
            console.print(f"[bold]{esc(d.dimension)}[/bold]: {esc(d.note)}")
        if not d.items:
            continue
        title = _("Items of {dimension}").format(dimension=esc(d.dimension))
        items = Table(title=title, title_justify="left")
        # TRANSLATORS: columns of the table of items of `mgrlead analyze`: "rev" says whether
        # the item is reverse-keyed (+/-), n, r, r.cor and r.drop are the statistics' own names
        # (as R's psych writes them), "missing" the share of respondents who left it out
        cols = [_("item"), _("rev"), "n", _("mean"), _("sd"), "r", "r.cor", "r.drop",
                _("alpha if deleted"), _("missing"), _("flag")]  # fmt: skip
        for k, col in enumerate(cols):
            items.add_column(col, justify="left" if k in {0, len(cols) - 1} else "right")
        for i in d.items:
            flag = _("possibly mis-keyed") if i.possibly_miskeyed else ""
            # TRANSLATORS: a percentage (the share of respondents who left an item out)
            missing = _("{percent}%").format(percent=format_decimal(i.missing * 100, 0))
            items.add_row(
                i.item, "-" if i.reversed else "+", str(i.n), _decimal(i.mean), _decimal(i.sd),
                _decimal(i.raw_r), _decimal(i.r_cor), _decimal(i.r_drop),
                _decimal(i.alpha_if_deleted), missing, flag,
            )  # fmt: skip
        console.print(items)
        for item in d.items:
            if item.possibly_miskeyed:
                text = _(
                    "{item} may be mis-keyed: item-rest r = {r}; alpha {alpha} now, "
                    "{without} without it, {reversed} if it were reversed. "
                    "Nothing was changed: check the item's wording and keying."
                ).format(
                    item=f"[bold]{esc(item.item)}[/bold]", r=format_decimal(item.r_drop, 2),
                    alpha=_decimal(d.alpha), without=_decimal(item.alpha_if_deleted),
                    reversed=_decimal(item.alpha_if_reversed),
                )  # fmt: skip
                console.print(f"  {text}")
        if d.excluded:
            left_out = _("left out (no variance): {items}").format(items=", ".join(d.excluded))
            console.print(f"  {left_out}")
    ids = [d.dimension for d in analysis.dimensions]
    if len(ids) > 1:
        cor = Table(title=_("Scale correlations (raw below, disattenuated above)"),
                    title_justify="left")  # fmt: skip
        cor.add_column("")
        for i in ids:
            cor.add_column(i, justify="right")
        for a_i, a in enumerate(ids):
            cells = []
            for b_i, b in enumerate(ids):
                if b_i < a_i:
                    cells.append(_decimal(analysis.correlations[a][b]))
                elif b_i > a_i:
                    cells.append(_decimal(analysis.disattenuated[a][b]))
                else:
                    cells.append(_decimal(analysis[a].alpha))
            cor.add_row(a, *cells)
        console.print(cor)


@contextlib.contextmanager
def progress(total: int | None) -> Iterator[Callable[[int, str], None]]:
    """A rich progress bar on a terminal (standard error); nothing otherwise.

    The callback takes the rows done and what is being done (``scoring``, or
    ``pass 1 of 2: counting answers`` ...), shown in the current language; a new
    pass starts the bar again.
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
        # TRANSLATORS: the label of `mgrlead score`'s progress bar
        task = shown.add_task(_("scoring"), total=total)

        def advance(rows: int, what: str) -> None:
            # `what` is one of mgrlead.io.stream's pass names, marked there with N_
            shown.update(task, completed=rows, description=_(what))

        yield advance
