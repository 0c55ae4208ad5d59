"""Every report in every shipped language (issue 20, part 4).

Each kind of report (profile, profile with θ, 360, team) is rendered in each
language of :data:`mgrlead.i18n.LANGUAGES`: the page says its language, the
German, French and Spanish pages carry words written here (not copied from the
catalogues) and none of the English interface sentences of the English page,
and numbers are written with a decimal comma.  English stays as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest

import mgrlead
from helpers import one_line_error, run
from mgrlead.analysis.norms import NormTable
from mgrlead.api import load_rubric
from mgrlead.groups.multirater import Round360, score_360
from mgrlead.groups.teams import TeamSummary, summarize_teams
from mgrlead.i18n import LANGUAGES, LanguageError, use_language
from mgrlead.irt import ThetaProfile, score_theta
from mgrlead.report import (
    feedback360_report,
    profile_context,
    profile_report,
    report_languages,
    team_report,
)

if TYPE_CHECKING:
    from mgrlead.results import Profile

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != "en")


def _read(name: str) -> dict[str, list[Any]]:
    import pyarrow.csv as pacsv  # noqa: PLC0415

    return pacsv.read_csv(EXAMPLES / name).to_pydict()


# ---------------------------------------------------------------- the results shown
@cache
def _ml() -> mgrlead.Rubric:
    return load_rubric("manager-leader")


@cache
def _profile() -> Profile:
    """R001 of the example, with norms of the same file (percentiles and intervals)."""
    r = _ml()
    columns = _read("responses.csv")
    norms = NormTable.build(r, columns, id="example")
    answers = {i: columns[i][0] for i in r.item_ids}
    return mgrlead.score(r, answers, norms=norms)


@cache
def _coaching() -> tuple[mgrlead.Rubric, Profile, ThetaProfile]:
    r = load_rubric(EXAMPLES / "irt-coaching.toml")
    answers = {i: (k % 5) + 1 for k, i in enumerate(r.item_ids)}
    return r, mgrlead.score(r, answers), score_theta(r, answers)


@cache
def _round() -> Round360:
    return score_360(_ml(), _read("360-responses.csv"))


@cache
def _teams() -> TeamSummary:
    return summarize_teams(_ml(), _read("responses.csv"), by="team")


def _render_profile(lang: str | None) -> str:
    return profile_report(_profile(), _ml(), respondent="R001", lang=lang)


def _render_theta(lang: str | None) -> str:
    r, profile, theta = _coaching()
    return profile_report(profile, r, theta=theta, lang=lang)


def _render_360(lang: str | None) -> str:
    result = _round()
    return feedback360_report(result, _ml(), result.people[0].subject, lang=lang)


def _render_team(lang: str | None) -> str:
    return team_report(_teams(), _ml(), lang=lang)


RENDER: dict[str, Callable[[str | None], str]] = {
    "profile": _render_profile,
    "theta": _render_theta,
    "360": _render_360,
    "team": _render_team,
}

#: English interface sentences and headings of each kind (each checked to be in
#: the English page): none may be left in a translated page.
ENGLISH: dict[str, tuple[str, ...]] = {
    "profile": (
        "Each score runs from 0 to 100",
        "At a glance",
        "What the bands mean",
        "Dimension by dimension",
        "Compared with group",
        "interval of the score",
        "statements answered",
        "What it means",
        "Strengths",
        "To develop",
        "your score",
        "Respondent:",
        "scored with mgrlead",
        "of 100, from",
    ),
    "theta": (
        "On the calibrated scale",
        "places you on the trait",
        "The standard error (SE)",
        "Your answers place you",
        "Information of",
        "statements answered",
        "At a glance",
    ),
    "360": (
        "Person rated",
        "Self and others",
        "By rater group",
        "All others",
        "Direct reports",
        "Groups with fewer raters",
        "points or more between self",
        "Blind spot",
        "Hidden strength",
        "360 chart",
        "360° feedback",
    ),
    "team": (
        "Team report",
        "Grouped by",
        "How to read the numbers",
        "agreement within a group",
        "how much the groups differ",
        "can the groups be told apart",
        "When not to trust them",
        "Between groups",
        "Groups left out",
        "Members per band",
        "What it says",
        "members)",
        "Only 4 groups",
        "below 0",
    ),
}

#: Words each translated page must have: written for this test.
EXPECTED: dict[str, dict[str, tuple[str, ...]]] = {
    "profile": {
        "de": ("Auf einen Blick", "Dimension für Dimension", "Was die Bereiche bedeuten",
               "Ihre Antworten neigen zu", "Perzentil", "Stärken", "Befragte Person"),
        "fr": ("En un coup d\u2019œil", "Dimension par dimension", "Ce que signifient les plages",
               "Vos réponses penchent vers", "percentile", "Forces", "Répondant"),
        "es": ("De un vistazo", "Dimensión por dimensión", "Qué significan los rangos",
               "Sus respuestas se inclinan hacia", "percentil", "Fortalezas", "Participante"),
    },
    "theta": {
        "de": ("Auf der kalibrierten Skala", "Standardfehler", "Aussagen beantwortet"),
        "fr": ("Sur l\u2019échelle calibrée", "erreur type", "affirmations ont reçu une réponse"),
        "es": ("En la escala calibrada", "error estándar", "afirmaciones respondidas"),
    },
    "360": {
        "de": ("360°-Feedback", "Bewertete Person", "Alle anderen", "Nach Bewertergruppe",
               "Blinder Fleck"),
        "fr": ("Feedback à 360°", "Personne évaluée", "Tous les autres",
               "Par groupe d\u2019évaluateurs", "Angle mort"),
        "es": ("Evaluación 360°", "Persona evaluada", "Todos los demás", "Por grupo de evaluadores",
               "Punto ciego"),
    },
    "team": {
        "de": ("Bericht: Team", "So lesen Sie die Zahlen", "Zwischen den Gruppen",
               "Übereinstimmung", "Mitglieder"),
        "fr": ("Rapport\u00a0: Team", "Comment lire les chiffres", "Entre les groupes", "accord",
               "membres"),
        "es": ("Informe: Team", "Cómo leer las cifras", "Entre grupos", "acuerdo", "miembros"),
    },
}  # fmt: skip


@cache
def _page(kind: str, lang: str | None) -> str:
    return RENDER[kind](lang)


def _text(html: str) -> str:
    """The page's text (entities resolved) without its charts."""
    import html as html_module  # noqa: PLC0415

    no_data = re.sub(r'src="data:[^"]*"', "", html)
    return html_module.unescape(no_data)


# ---------------------------------------------------------------- every kind, every language
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", list(RENDER))
def test_every_report_says_its_language(kind: str, lang: str) -> None:
    html = _page(kind, lang)
    assert f'<html lang="{lang}">' in html
    assert html.count("<html") == 1


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("kind", list(RENDER))
def test_a_translated_report_has_no_english_interface_text(kind: str, lang: str) -> None:
    english = _text(_page(kind, "en"))
    page = _text(_page(kind, lang))
    for sentence in ENGLISH[kind]:
        assert sentence in english, f"the English {kind} page has no {sentence!r}"
        assert sentence not in page, f"{lang} {kind}: {sentence!r} is left in English"
    for words in EXPECTED[kind][lang]:
        assert words in page, f"{lang} {kind}: no {words!r}"


@pytest.mark.parametrize("kind", list(RENDER))
def test_english_is_the_report_as_it_was(kind: str) -> None:
    """``lang="en"`` and no ``lang`` give the same page, and it is in English."""
    assert _page(kind, "en") == _page(kind, None)
    assert '<html lang="en">' in _page(kind, None)


def _one(value: float, digits: int = 1, sign: str = "") -> tuple[str, str]:
    """The English and the decimal-comma writing of ``value`` (computed here)."""
    english = f"{value:{sign}.{digits}f}"
    assert "." in english
    return english, english.replace(".", ",")


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_profile_writes_decimal_commas(lang: str) -> None:
    overall = _profile().overall.percent
    assert overall is not None
    point, comma = _one(overall)
    assert f"<strong>{point}</strong>" in _page("profile", "en")
    html = _page("profile", lang)
    assert f"<strong>{comma}</strong>" in html
    assert f"<strong>{point}</strong>" not in html
    norm = _profile()["process_results"].norm
    assert norm is not None
    z_point, z_comma = _one(norm.z, 2, "+")
    assert f"z {z_point}" in _page("profile", "en")
    assert f"z {z_comma}" in html


@pytest.mark.parametrize("lang", TRANSLATED)
def test_theta_360_and_team_reports_write_decimal_commas(lang: str) -> None:
    theta = _coaching()[2].scores[0]
    assert theta.se is not None
    _, se = _one(theta.se, 2)
    assert se in _text(_page("theta", lang))
    assert "1,96" in _text(_page("theta", lang))  # θ ± 1,96 SE
    gap = next(g.gap for g in _round().people[0].gaps if g.gap is not None)
    gap_point, gap_comma = _one(gap, 1, "+")
    assert gap_point in _page("360", "en")
    assert gap_comma in _page("360", lang)
    stats = next(s for t in _teams().teams for s in t.dimensions if s.mean is not None)
    assert stats.mean is not None
    mean_point, mean_comma = _one(stats.mean)
    assert f">{mean_point}<" in _page("team", "en")
    assert f">{mean_comma}<" in _page("team", lang)
    assert "0,70 " in _text(_page("team", lang))  # the reliable ICC(2)


def test_css_numbers_keep_their_decimal_point() -> None:
    """The bars' positions are CSS: a comma there would break the layout."""
    html = _page("profile", "de")
    assert re.search(r'class="marker" style="left: \d+\.\d\d%"', html)


# ---------------------------------------------------------------- the rubric's texts
def _translated_rubric(lang: str) -> mgrlead.Rubric:
    r = _ml()
    texts = {
        "title": f"Titel {lang}",
        "dimension.process_results.name": f"Prozess {lang}",
        "band.manager_leaning.label": f"Manager-Seite {lang}",
        "band.balanced.label": f"Ausgewogen {lang}",
        "band.leader_leaning.label": f"Leader-Seite {lang}",
    }
    return attrs.evolve(r, translations={lang: texts})


def test_a_rubric_translation_gives_the_rubric_texts_and_band_labels() -> None:
    r = _translated_rubric("de")
    html = profile_report(_profile(), r, lang="de")
    assert "Titel de" in html
    assert "Prozess de" in html
    band = _profile().overall.band
    shown = {"manager_leaning": "Manager-Seite de", "balanced": "Ausgewogen de",
             "leader_leaning": "Leader-Seite de"}[str(band)]  # fmt: skip
    # the profile stores the English label; the page shows the translation's
    assert _profile().overall.band_label not in _text(html).split("Gesamt:")[1][:80]
    assert shown in _text(html).split("Gesamt:")[1][:80]
    assert "Auf einen Blick" in html


def test_a_rubric_without_the_translation_keeps_its_texts() -> None:
    english_only = attrs.evolve(_ml(), translations={})
    html = profile_report(_profile(), english_only, lang="de")
    assert english_only.dimensions[0].name in html
    assert "Auf einen Blick" in html
    # the built-in rubric has German texts: they come with the German interface
    german = profile_report(_profile(), _ml(), lang="de")
    assert _ml().localized("de").dimensions[0].name in german
    assert _ml().dimensions[0].name not in german


def test_a_language_only_the_rubric_speaks_falls_back_to_english_interface() -> None:
    r = _translated_rubric("it")
    html = profile_report(_profile(), r, lang="it")
    assert '<html lang="it">' in html
    assert "Titel it" in html
    assert "At a glance" in html


def test_a_language_nobody_speaks_is_refused_naming_the_shipped_ones() -> None:
    with pytest.raises(LanguageError) as info:
        profile_report(_profile(), _ml(), lang="xx")
    message = str(info.value)
    assert "'xx'" in message
    for lang in LANGUAGES:
        assert lang in message
    for report in (lambda: _render_360("xx"), lambda: _render_team("xx")):
        with pytest.raises(LanguageError):
            report()


def test_a_regional_tag_uses_its_base_language() -> None:
    interface, _rubric, page = report_languages(_ml(), "de-CH")
    assert interface == "de"
    assert page == "de-CH"
    assert "Auf einen Blick" in profile_report(_profile(), _ml(), lang="de-CH")


def test_the_current_language_is_the_default() -> None:
    with use_language("fr"):
        html = profile_report(_profile(), _translated_rubric("fr"))
        context = profile_context(_profile(), _ml())
    assert '<html lang="fr">' in html
    assert "En un coup d\u2019œil" in html
    assert "Titel fr" in html  # the rubric's translation into the current language
    assert context["scale_note"].startswith("Chaque score")


def test_report_charts_speak_the_language() -> None:
    from mgrlead.report.charts import feedback360_chart  # noqa: PLC0415
    from mgrlead.report.irt_charts import theta_chart  # noqa: PLC0415

    r, _, theta = _coaching()
    with use_language("de"):
        figure = theta_chart(r, theta.scores[0])
        chart360 = feedback360_chart(_round().people[0], _ml())
    ax = figure.axes[0]
    assert ax.get_ylabel() == "Information"
    assert "Intervall" in ax.get_title()
    assert "," in ax.get_title()  # θ and its interval with decimal commas
    legend = ax.get_legend()
    assert legend is not None
    assert "Ihr θ" in [t.get_text() for t in legend.get_texts()]
    formatter = ax.yaxis.get_major_formatter()
    formatter.set_locs([0.0, 0.5, 1.0])
    assert formatter(0.5) == "0,5"
    assert "360°-Sicht" in chart360.axes[0].get_title()
    english = theta_chart(r, theta.scores[0]).axes[0]
    formatter = english.yaxis.get_major_formatter()
    formatter.set_locs([0.0, 0.5, 1.0])
    assert formatter(0.5) == "0.5"
    assert english.get_ylabel() == "information"


# ---------------------------------------------------------------- the command line
def test_mgrlead_report_lang_de(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = run("report", str(EXAMPLES / "responses.csv"), "--respondent", "R001", "--lang",
                 "de", "-o", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert '<html lang="de">' in html
    assert "Auf einen Blick" in html
    assert "At a glance" not in html


def test_mgrlead_report_lang_team(tmp_path: Path) -> None:
    out = tmp_path / "t.html"
    result = run("report", str(EXAMPLES / "responses.csv"), "--kind", "team", "--lang", "es",
                 "-o", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Cómo leer las cifras" in out.read_text("utf-8")


def test_mgrlead_report_refuses_an_unknown_language(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = run("report", str(EXAMPLES / "responses.csv"), "--respondent", "R001", "--lang",
                 "xx", "-o", str(out))  # fmt: skip
    line = one_line_error(result)
    assert "'xx'" in line
    assert "de" in line
    assert not out.exists()


def test_a_profile_saved_in_german_reads_in_english_in_an_english_report() -> None:
    # the band label stored with the profile is German; the report shows the
    # label of the band's id in the texts it is written in
    ml = _ml()
    with use_language("de"):
        german = mgrlead.score(ml.localized("de"), dict.fromkeys(ml.item_ids, 3))
    assert german.overall.band_label == "Ausgewogen"
    html = profile_report(german, ml)
    assert "Ausgewogen" not in html
    assert "Balanced" in html


def test_mgrlead_report_takes_mgrlead_lang_and_warns_in_english(tmp_path: Path) -> None:
    from click.testing import CliRunner  # noqa: PLC0415

    from mgrlead.analysis.norms import NormTable, dump_norms  # noqa: PLC0415
    from mgrlead.cli import cli  # noqa: PLC0415

    ml = _ml()
    few = {i: [3, 4, 2] if k % 2 else [2, 5, 3] for k, i in enumerate(ml.item_ids)}  # three
    norms = tmp_path / "few.toml"
    norms.write_text(dump_norms(NormTable.build(ml, few, id="few"), "toml"), "utf-8")
    out = tmp_path / "r.html"
    result = CliRunner(env={"MGRLEAD_LANG": "fr"}).invoke(cli, [
        "report", str(EXAMPLES / "responses.csv"), "--respondent", "R001",
        "--norms", str(norms), "-o", str(out),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert '<html lang="fr">' in html
    assert "table de normes" in html  # the report's caveat, in the report's language
    assert "mgrlead: warning: norm table 'few'" in result.stderr  # the warning line: English
