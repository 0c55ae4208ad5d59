"""Self-contained HTML reports of profiles, 360 rounds and teams (``mgrlead[report]``).

Each report is one HTML file: the profile's bars are drawn in HTML and CSS
(sharp at any width, and in print), the 360 and team charts are embedded as
SVG data URIs; no script, no stylesheet, font or image from anywhere else, so
it opens offline and can be mailed or archived as it is.  The plain words that
explain a result are shared with the terminal (:mod:`mgrlead.report.texts`).

Every text from a rubric file or the data goes through Jinja2's HTML
autoescaping: an item or a team called ``<script>`` shows as that text.

Reports only read results: they refuse a rubric whose content hash is not the
one the results were scored with.

Every report is written in a language (``lang``, see :func:`report_languages`):
the interface's fixed texts come from mgrlead's catalogues
(:mod:`mgrlead.i18n`), numbers are written as the language writes them, and
the rubric's own texts (dimensions, poles, bands, feedback) from the rubric's
translation into that language when it has one.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mgrlead.errors import ReportError
from mgrlead.i18n import (
    N_,
    LanguageError,
    current_language,
    format_decimal,
    match_language,
    resolve_language,
    use_language,
)
from mgrlead.i18n import gettext as _
from mgrlead.plan import content_hash as content_hash_of
from mgrlead.report.charts import (
    chart_bytes,
    feedback360_chart,
    team_chart,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from mgrlead.groups.multirater import Round360
    from mgrlead.groups.teams import TeamSummary
    from mgrlead.irt import ThetaProfile
    from mgrlead.model import Band, Dimension, Rubric
    from mgrlead.results import Profile

__all__ = [
    "ReportError",
    "default_group_label",
    "environment",
    "feedback360_report",
    "group_labels",
    "profile_context",
    "profile_report",
    "report_languages",
    "team_report",
    "write_charts",
]


def environment(*packages: str) -> Any:  # noqa: ANN401 - jinja2 is optional and untyped here
    """The reports' Jinja2 environment: autoescaping, strict, the report filters.

    ``packages`` name further packages whose ``templates`` folders are searched
    first (the web app's pages extend the report's templates this way: one set
    of templates for both).
    """
    try:
        import jinja2  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - the extra is installed in the tests
        raise ReportError("reports need Jinja2: pip install 'mgrlead[report]'") from exc
    from mgrlead.report.texts import IN_NO_BAND, band_words  # noqa: PLC0415

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                *(jinja2.PackageLoader(p, "templates") for p in packages),
                jinja2.PackageLoader("mgrlead.report", "templates"),
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    from mgrlead.i18n import gettext, ngettext  # noqa: PLC0415

    # the current language at render time (use_language around the rendering)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["band_words"] = band_words  # a scored result's band label, or "in no band"
    env.filters["band_range"] = _band_range
    env.filters["dec"] = format_decimal  # 52.5 (English), 52,5 (German, French, Spanish)
    env.filters["signed"] = signed_decimal  # +0.25, -1.50
    env.globals["in_no_band"] = IN_NO_BAND
    return env


def signed_decimal(value: float, digits: int = 1) -> str:
    """``value`` with its sign always written (``+0.25``), as the current language writes numbers.

    English gives what ``f"{value:+.{digits}f}"`` gives.
    """
    plus = f"{value:+.{digits}f}".startswith("+")
    return ("+" if plus else "") + format_decimal(value, digits)


def report_languages(rubric: Rubric, lang: str | None) -> tuple[str | None, Rubric, str]:
    """The interface language, the rubric's texts and the page's ``lang`` of a report in ``lang``.

    ``lang`` ``None``: the current language (:func:`mgrlead.i18n.current_language`);
    in English the rubric as given, and the page says the rubric's language.
    Otherwise the interface
    speaks ``lang`` (a shipped language, or its base: ``de-CH`` is ``de``) and
    the rubric's texts are its translation into ``lang`` (or its base) when it
    has one; a rubric without that translation keeps its own texts.  A
    language the interface is not shipped in is refused, unless the rubric
    has texts in it: then the rubric speaks that language and the interface
    falls back to English.

    Returns:
        The language to pass to :func:`mgrlead.i18n.use_language` (``None``:
        keep the current one), the rubric to show, and the page's ``lang``.

    Raises:
        LanguageError: neither the interface nor the rubric has texts in ``lang``.
    """
    if lang is None:
        lang = current_language()
        if lang == "en":
            return None, rubric, rubric.language
    tag = lang.strip().replace("_", "-")
    code = match_language(tag, (rubric.language, *rubric.translations))  # pt-br names pt-BR
    shown = None if code is None else rubric.localized(code)
    try:
        interface = resolve_language(tag)
    except LanguageError as exc:
        if shown is None:
            raise LanguageError(f"{exc} (rubric {rubric.id!r} has no texts in it either)") from None
        interface = "en"
    return interface, rubric if shown is None else shown, tag


def _data_uri(figure: Figure) -> str:
    svg = chart_bytes(figure, "svg")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _check_rubric(
    rubric: Rubric, content_hash: str, what: str, scored_with: tuple[str, str] | None = None
) -> None:
    """Refuse ``rubric`` unless the results were scored with it; name the one they were.

    ``scored_with`` is the ``(id, version)`` the results record: when it differs
    from the rubric's, the message says which rubric to give instead.
    """
    if not content_hash or content_hash == content_hash_of(rubric):
        return
    given = f"rubric {rubric.id!r} {rubric.version}"
    if scored_with is not None and scored_with != (rubric.id, rubric.version):
        their_id, their_version = scored_with
        hint = ""
        if their_id != rubric.id:
            from mgrlead.api import available_rubrics  # noqa: PLC0415

            # a registered name can be given as it is; any other rubric was a file
            registered = their_id in available_rubrics()
            hint = f" (--rubric {their_id})" if registered else " (--rubric with its file)"
        raise ReportError(
            f"the {what} was scored with rubric {their_id!r} {their_version}, not with "
            f"{given}; report it with rubric {their_id!r} {their_version}{hint}"
        )
    raise ReportError(
        f"the {what} was scored with another version of {given}: its scoring differs "
        f"(content {content_hash[:12]}, this one {content_hash_of(rubric)[:12]}); report it "
        "with the rubric file it was scored with"
    )


def _common(rubric: Rubric, title: str, content_hash: str, lang: str) -> dict[str, Any]:
    from mgrlead._version import __version__  # noqa: PLC0415

    return {
        "rubric": rubric,
        "title": title,
        "content_hash": content_hash or content_hash_of(rubric),
        "version": __version__,
        "lang": lang,
    }


def _band_label(bands: tuple[Band, ...], band_id: str | None, label: str | None) -> str | None:
    """A result's band label in the rubric's texts shown (a translation's), else the stored one."""
    return next((b.label for b in bands if b.id == band_id), label)


def _band_feedback(dim: Dimension | None, rubric: Rubric, band_id: str | None) -> str:
    bands = rubric.bands if dim is None else rubric.bands_of(dim)
    return next((b.feedback for b in bands if b.id == band_id), "")


def _segments(bands: tuple[Band, ...]) -> list[dict[str, Any]]:
    """Each band's stretch of the 0-100 track (:func:`~mgrlead.model.band_stretches`)."""
    from mgrlead.model import band_stretches  # noqa: PLC0415
    from mgrlead.report.charts import band_colour  # noqa: PLC0415

    return [
        {"left": lo, "width": hi - lo, "colour": band_colour(k), "band": bands[k]}
        for k, lo, hi in band_stretches(bands)
    ]


def _band_range(band: Band) -> str:
    """``40-60`` (with an en dash), or ``50`` for a point band."""
    if band.lower == band.upper:
        return f"{band.lower:g}"
    return f"{band.lower:g}\u2013{band.upper:g}"


def _bar(  # noqa: PLR0913 - one bar's texts and numbers
    name: str,
    low: str,
    high: str,
    *,
    percent: float | None,
    label: str | None,
    bands: tuple[Band, ...],
    interval: tuple[float, float] | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "low": low,
        "high": high,
        "percent": percent,
        "label": label,
        "segments": _segments(bands),
        "interval": interval,
    }


def profile_report(  # noqa: PLR0913 - the profile, its rubric and what else to show
    profile: Profile,
    rubric: Rubric,
    *,
    respondent: object = None,
    title: str | None = None,
    norm_caveat: str | None = None,
    theta: ThetaProfile | None = None,
    lang: str | None = None,
) -> str:
    """An individual profile as a self-contained HTML page: everything ``mgrlead assess`` says.

    At a glance, every dimension's bar (band colours with a legend, the
    confidence interval when norms give one); then for each dimension where
    the answers lean, what that pole means, its strengths, risks and
    development, the norms; notes on careless responding; what the bands
    mean, each said once.  Laid out for screens from phone to desktop and for
    print.

    Args:
        profile: The profile to show.
        rubric: The rubric it was scored with (its texts, poles and feedback).
        respondent: An id to print at the top (escaped like everything else).
        title: The page title (default: the rubric's title).
        norm_caveat: A warning about the norm table, shown with every norm
            comparison (:meth:`NormTable.size_warning
            <mgrlead.analysis.norms.NormTable.size_warning>`).
        theta: The respondent's θ scores (:func:`mgrlead.irt.score_theta` of
            the same answers, with the same rubric): a section shows each
            dimension's θ, its 95 % interval and θ on the dimension's
            information curve, in plain words.  Without it there is no such
            section.
        lang: The language of the page (``"de"``, ``"fr"``, ``"es"``, ...; see
            :func:`report_languages`); ``None``: the current language.

    Raises:
        ReportError: the rubric is not the one the profile was scored with,
            or ``theta`` names a dimension the rubric has no parameters for.
        LanguageError: neither the interface nor the rubric has texts in ``lang``.
    """
    interface, _shown, _page = report_languages(rubric, lang)
    with use_language(interface):
        context = profile_context(
            profile, rubric, respondent=respondent, title=title, norm_caveat=norm_caveat,
            theta=theta, lang=lang,
        )  # fmt: skip
        return str(environment().get_template("profile.html.j2").render(context))


def profile_context(  # noqa: PLR0913 - the arguments of profile_report
    profile: Profile,
    rubric: Rubric,
    *,
    respondent: object = None,
    title: str | None = None,
    norm_caveat: str | None = None,
    theta: ThetaProfile | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """What ``profile.html.j2`` renders: the context :func:`profile_report` gives it.

    Pages that show a profile inside another frame (the web app's results
    page) render the same template with this context and their own blocks.
    The context's texts are in ``lang`` (or the current language); render the
    template within ``use_language`` of the same language, so its own texts
    match.

    Raises:
        ReportError: as :func:`profile_report`.
        LanguageError: as :func:`profile_report`.
    """
    interface, shown, page_lang = report_languages(rubric, lang)
    with use_language(interface):
        return _profile_context(
            profile, rubric, shown, page_lang, respondent=respondent, title=title,
            norm_caveat=norm_caveat, theta=theta,
        )  # fmt: skip


def _profile_context(  # noqa: PLR0913 - the arguments of profile_report, the languages resolved
    profile: Profile,
    scored: Rubric,
    rubric: Rubric,
    lang: str,
    *,
    respondent: object,
    title: str | None,
    norm_caveat: str | None,
    theta: ThetaProfile | None,
) -> dict[str, Any]:
    """:func:`profile_context` of ``scored`` with the texts of ``rubric`` (its translation)."""
    from mgrlead.report.texts import (  # noqa: PLC0415
        band_words,
        bands_on_percent,
        careless_notes,
        leaning,
        norm_metric,
        norm_table_words,
        percent_interval,
        scale_note,
        uses_rubric_bands,
    )

    _check_rubric(scored, profile.content_hash, "profile", (profile.rubric, profile.rubric_version))
    rows = []
    bars = []
    for dim in rubric.walk():
        score = profile[dim.id]
        interval = percent_interval(score, dim, rubric)
        bands = bands_on_percent(rubric, dim)
        # by its id, in the texts shown: a profile saved in German keeps
        # "Ausgewogen", which an English report must not show
        band_label = _band_label(rubric.bands_of(dim), score.band, score.band_label)
        borderline = score.norm is not None and score.norm.borderline
        bar = _bar(dim.name, dim.low.label, dim.high.label, percent=score.percent,
                   label=band_words(band_label, scored=score.scorable)
                   + (" " + _("(borderline)") if borderline else ""),
                   bands=bands,
                   interval=interval)  # fmt: skip
        bars.append(bar)
        lean, poles = ("", ()) if score.position is None else leaning(dim, score.position)
        rows.append(
            {
                "dimension": dim,
                "score": score,
                "band_label": band_label,
                "bar": bar,
                "interval": interval,
                "metric": norm_metric(score),
                # a dimension's own bands say their own thing; the rubric's are said once
                "feedback": _band_feedback(dim, rubric, score.band) if dim.bands else "",
                "lean": lean,
                "poles": poles,
            }
        )
    overall = profile.overall
    overall_label = _band_label(rubric.bands, overall.band, overall.band_label)
    overall_bar = _bar(_("Overall"), rubric.low_label, rubric.high_label,
                       percent=overall.percent,
                       label=band_words(overall_label, scored=overall.scorable),
                       bands=rubric.bands)  # fmt: skip
    from mgrlead.report.charts import band_colour  # noqa: PLC0415

    # every band, point bands too (a band of no width is still a band a score can be in)
    legend = [{"colour": band_colour(k), "band": b} for k, b in enumerate(rubric.bands)]
    context = _common(rubric, title or rubric.title, profile.content_hash, lang) | {
        "profile": profile,
        "overall_band_label": overall_label,
        "respondent": respondent,
        "rows": rows,
        "bars": bars,
        "overall_bar": overall_bar,
        "legend": legend,
        "has_intervals": any(r["interval"] for r in rows),
        "norms": profile.norms or "",
        "norm_caveat": norm_caveat,
        "norms_words": norm_table_words(profile.norms),
        "scale_note": scale_note(rubric),
        "careless": careless_notes(profile, rubric),
        # dimensions whose bars are coloured by bands of their own
        "own_bands": any(d.bands and d.band_on == "percent" for d in rubric.walk()),
        "rubric_bands": uses_rubric_bands(rubric),
    }
    context |= _theta_context(theta, rubric)
    return context


def _theta_context(theta: ThetaProfile | None, rubric: Rubric) -> dict[str, Any]:
    """What the θ section of a profile report needs: per dimension θ, SE, interval, chart."""
    if theta is None:
        return {"theta": None, "theta_rows": [], "theta_note": "", "theta_chart_note": ""}
    from mgrlead.irt import irt_dimensions  # noqa: PLC0415
    from mgrlead.report.irt_charts import theta_chart, theta_interval  # noqa: PLC0415
    from mgrlead.report.texts import theta_alt, theta_note, theta_words  # noqa: PLC0415

    dims = {d.id: d for d in rubric.walk()}
    calibrated = set(irt_dimensions(rubric))
    rows = []
    chart_note = ""
    for score in theta.scores:
        if score.dimension not in calibrated:
            missing = score.dimension not in dims
            what = "has no dimension" if missing else "has no IRT parameters for"
            raise ReportError(
                f"the θ scores are of dimension {score.dimension!r}, but rubric {rubric.id!r} "
                f"{what} {score.dimension!r}; score θ with the rubric of the report"
            )
        dim = dims[score.dimension]
        row: dict[str, Any] = {"dimension": dim, "score": score, "chart": None}
        if score.scorable:
            interval = theta_interval(score)
            row |= {
                "interval": interval,
                "words": theta_words(dim, interval),
                "alt": theta_alt(score, dim, interval),
            }
            try:
                row["chart"] = _data_uri(theta_chart(rubric, score))
            except ReportError as exc:  # no matplotlib: the numbers and words stay
                chart_note = _("The charts are left out: {reason}.").format(reason=exc)
        rows.append(row)
    return {
        "theta": theta,
        "theta_rows": rows,
        "theta_note": theta_note(theta.method),
        "theta_chart_note": chart_note,
    }


#: The default rater groups' labels (:data:`mgrlead.groups.multirater.DEFAULT_GROUPS`),
#: translated when a round keeps them; labels a round was given are its own.
_GROUP_LABELS = {
    "self": N_("Self"),
    # TRANSLATORS: the rater group of the person's own boss (360 feedback), not the pole
    "manager": N_("Manager"),
    "peer": N_("Peers"),
    "direct_report": N_("Direct reports"),
    "other": N_("Others"),
    "all_others": N_("All others"),
}


def default_group_label(group: str) -> str | None:
    """A default rater group's label in the current language (``None``: not a default group)."""
    label = _GROUP_LABELS.get(group)
    return None if label is None else _(label)


def group_labels(result: Round360) -> dict[str, str]:
    """Every rater group's label as shown: a default label in the current language."""
    labels = dict(result.group_labels)
    for view in (v for p in result.people for v in p.groups):
        labels.setdefault(view.group, view.label)
    return {
        group: _(_GROUP_LABELS[group]) if _GROUP_LABELS.get(group) == label else label
        for group, label in labels.items()
    }


def _anonymity_note(result: Round360, labels: dict[str, str]) -> str:
    rules = result.anonymity
    special = ", ".join(f"{labels.get(g, g)} {n}" for g, n in rules.minimum.items())
    if rules.below == "merge":
        note = _(
            "Groups with fewer raters than their minimum ({default}; {special}) are not "
            "shown on their own: their ratings are pooled into all others."
        )
    else:
        note = _(
            "Groups with fewer raters than their minimum ({default}; {special}) are not "
            "shown on their own: their ratings are left out of every figure."
        )
    return note.format(default=rules.default, special=special)


def feedback360_report(
    result: Round360, rubric: Rubric, subject: object, *, lang: str | None = None
) -> str:
    """One subject's 360 feedback as a self-contained HTML page, anonymity applied.

    Only what :func:`mgrlead.groups.multirater.score_360` lets be shown reaches the
    page: withheld views carry no numbers to print.  ``lang``: the page's
    language, as in :func:`profile_report`.  The default rater groups' labels
    ("Self", "Peers", ...) are translated; labels the round was given are shown
    as they are.

    Raises:
        ReportError: the subject is not in the round, or the rubric differs.
        LanguageError: neither the interface nor the rubric has texts in ``lang``.
    """
    interface, shown, page_lang = report_languages(rubric, lang)
    with use_language(interface):
        return _feedback360_report(result, rubric, shown, subject, page_lang)


def _feedback360_report(
    result: Round360, scored: Rubric, rubric: Rubric, subject: object, lang: str
) -> str:
    _check_rubric(scored, result.content_hash, "360 round", (result.rubric, result.rubric_version))
    try:
        feedback = result[subject]
    except KeyError:
        known = ", ".join(repr(p.subject) for p in result.people[:10])
        raise ReportError(f"subject {subject!r} is not in the round; it has {known}") from None
    dims = list(rubric.walk())
    rows = []
    for dim in dims:
        cells = []
        for view in feedback.groups:
            score = view[dim.id]
            label = _band_label(rubric.bands_of(dim), score.band, score.band_label)
            cells.append(
                {"label": view.label, "group": view.group, "score": score, "band_label": label}
            )
        rows.append({"dimension": dim, "cells": cells})
    gaps = [
        {"name": dim.name, "high": dim.high.label, "gap": gap}
        for dim, gap in zip(dims, feedback.gaps, strict=True)
    ]
    labels = group_labels(result)
    title = _("360\u00b0 feedback: {subject}").format(subject=feedback.subject)
    context = _common(rubric, title, result.content_hash, lang) | {
        "feedback": feedback,
        "rows": rows,
        "gaps": gaps,
        "gap_threshold": result.gap_threshold,
        "group_labels": labels,
        "anonymity_note": _anonymity_note(result, labels),
        "chart": _data_uri(feedback360_chart(feedback, rubric, labels=labels)),
    }
    return str(environment().get_template("feedback360.html.j2").render(context))


def team_report(
    summary: TeamSummary, rubric: Rubric, *, title: str | None = None, lang: str | None = None
) -> str:
    """Every group of a :class:`~mgrlead.groups.teams.TeamSummary` as a self-contained HTML page.

    The page is named after the grouping ("Team report", "Site report"), and
    says in plain words what each ICC and rwg(j) means and when it cannot be
    trusted (negative values, few groups, small groups).  ``lang``: the page's
    language, as in :func:`profile_report`.

    Raises:
        ReportError: the rubric is not the one the summary was scored with.
        LanguageError: neither the interface nor the rubric has texts in ``lang``.
    """
    interface, shown, page_lang = report_languages(rubric, lang)
    with use_language(interface):
        return _team_report(summary, rubric, shown, title, page_lang)


def _team_report(
    summary: TeamSummary, scored: Rubric, rubric: Rubric, title: str | None, lang: str
) -> str:
    from mgrlead.report.texts import (  # noqa: PLC0415
        FEW_GROUPS,
        FEW_MEMBERS,
        RELIABLE_ICC2,
        few_groups,
        group_label,
        icc1_words,
        icc2_words,
        rwg_words,
    )

    _check_rubric(
        scored, summary.content_hash, "team summary", (summary.rubric, summary.rubric_version)
    )
    dims = {d.id: d for d in rubric.walk()}
    teams = []
    for stats in summary.teams:
        rows = []
        for d in stats.dimensions:
            bands = [(b.label, d.bands[b.id]) for b in rubric.bands_of(dims[d.dimension])]
            if d.in_no_band:  # scored in a gap between bands
                bands.append((_("in no band"), d.in_no_band))
            rows.append(
                {
                    "name": dims[d.dimension].name,
                    "stats": d,
                    "bands": bands if d.shown else [],
                    "rwg_words": rwg_words(d.rwg_j, d.rwg_members),
                }
            )
        chart = _data_uri(team_chart(stats, rubric)) if stats.shown else None
        teams.append({"stats": stats, "rows": rows, "chart": chart})
    icc = [
        {
            "name": dims[i.dimension].name,
            "icc": i,
            "icc1_words": icc1_words(i.icc1),
            "icc2_words": icc2_words(i.icc2),
        }
        for i in summary.icc
    ]
    group = group_label(summary.by)
    # TRANSLATORS: {group} is the grouping column's name, capitalised ("Team", "Site")
    heading = title or _("{group} report").format(group=group)
    context = _common(rubric, heading, summary.content_hash, lang) | {
        "summary": summary,
        "group": group,
        "teams": teams,
        "icc": icc,
        "few_groups": FEW_GROUPS,
        "warning": few_groups(max((i.groups for i in summary.icc), default=0)),
        "few_members": FEW_MEMBERS,
        "reliable_icc2": RELIABLE_ICC2,
    }
    return str(environment().get_template("team.html.j2").render(context))


def write_charts(
    figures: dict[str, Figure], directory: str | Path, formats: tuple[str, ...] = ("png", "svg")
) -> list[Path]:
    """Write each figure as ``<name>.<format>`` into ``directory`` (created if needed).

    Each file is written atomically: a failure leaves no partial chart.
    """
    from mgrlead.io.files import atomic_open  # noqa: PLC0415

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, figure in figures.items():
        for fmt in formats:
            path = out / f"{name}.{fmt}"
            data = chart_bytes(figure, fmt)
            with atomic_open(path, "wb") as f:
                f.write(data)
            written.append(path)
    return written
