"""``mgrlead irt fit``, ``irt show`` and ``cat simulate`` in other languages (issue 20, part 4).

The words expected here are written for these tests (not copied from the
catalogues); the numbers are those of the library, with a decimal comma.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner
from rich.console import Console

import mgrlead
from mgrlead.adaptive import CatOptions, simulate
from mgrlead.cli import cli
from mgrlead.i18n import use_language
from mgrlead.irt import calibrate, empirical_reliability, marginal_reliability

from .helpers import run
from .test_irt_cli import ANSWERS, _csv, _rows

if TYPE_CHECKING:
    from matplotlib.axes import Axes

ROOT = Path(__file__).resolve().parent.parent
COACHING = ROOT / "examples" / "irt-coaching.toml"
BIG5 = ROOT / "examples" / "ipip-bfi50-irt.toml"


def _comma(value: float, digits: int) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def _words(text: str) -> str:
    """The text with its lines joined (rich wraps long notes)."""
    return " ".join(text.split())


def _ticks(ax: Axes, axis: str = "y") -> str:
    formatter = (ax.yaxis if axis == "y" else ax.xaxis).get_major_formatter()
    formatter.set_locs([0.0, 0.5, 1.0])
    return str(formatter(0.5))


# ------------------------------------------------------------------ irt fit
def test_irt_fit_lang_de(tmp_path: Path) -> None:
    data = _csv(tmp_path / "responses.csv")
    english, german = tmp_path / "en.toml", tmp_path / "de.toml"
    args = ["irt", "fit", str(data), "--dimension", "memos_coaching"]
    done = run(*args, "-o", str(german), "--lang", "de")
    assert done.exit_code == 0, done.output
    assert run(*args, "-o", str(english)).exit_code == 0
    # the rubric written is the same in every language
    assert german.read_bytes() == english.read_bytes()
    out = _words(done.stdout)
    for words in (
        "Kalibrierung",
        "Quadraturpunkte",
        "Aussagen von memos_coaching (grm): Schätzung (Standardfehler)",
        "Modellanpassung",
        "Reliabilität von θ",
        "Passung der Aussagen (S-X²)",
        "Fehlpassung: p < 0,01 (1 Aussage)",  # one item of these data misfits
        "konvergiert: EM, bis sich kein Parameter",
        "Aussagen kalibriert",
        "θ ~ N(0; 1)",
    ):
        assert words in out, words
    calibrated = mgrlead.load_rubric(str(german))
    marginal = marginal_reliability(calibrated, "memos_coaching")
    empirical = empirical_reliability(calibrated, ANSWERS, "memos_coaching")
    assert ["memos_coaching", _comma(marginal, 3), _comma(empirical, 3)] in _rows(done.stdout)
    for english_words in (
        "Calibration",
        "Model fit",
        "Reliability of θ",
        "Item fit",
        "estimate (standard error)",
        "quadrature points",
        "items calibrated",
        "misfit",
        "converged",
        "marginal: from the test information",
        "not computed (see the notes)",
    ):
        assert english_words not in out, english_words
    assert f"wrote {german}" in done.stderr  # a log line: English, as every command's


def test_irt_fit_in_german_keeps_every_figure_whole_at_60_columns() -> None:
    from mgrlead.cli.render_irt import show_calibration  # noqa: PLC0415

    cal = calibrate(mgrlead.load_rubric("manager-leader"), ANSWERS, dimensions=["memos_coaching"])
    console = Console(record=True, width=60, force_terminal=True)
    with use_language("de"):
        show_calibration(cal, console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "…" not in text
    (fit,) = cal.dimensions
    for value in (fit.minus2ll, fit.aic, fit.bic):
        assert _comma(value, 1) in text
    assert fit.global_fit is not None
    assert _comma(fit.global_fit.statistic, 2) in text


# ------------------------------------------------------------------ irt show
def test_irt_show_lang_fr() -> None:
    wide = {"COLUMNS": "120"}  # the thresholds on one line each
    args = ["irt", "show", "--rubric", str(COACHING)]
    done = CliRunner().invoke(cli, [*args, "--lang", "fr"], env=wide)
    assert done.exit_code == 0, done.output
    english = CliRunner().invoke(cli, args, env=wide).stdout
    out = done.stdout
    words = _words(out)
    for french in (
        "Coaching [coaching] : 4 affirmations",
        "seuils / pas",
        "modèle",
        "Information du test et erreur standard",
        "loi a priori N(0 ; 1²)",
        "ES ≤ 0,4 pour θ",
        "Fidélité marginale : 0,",
        "pôle haut",
    ):
        assert french.replace(" ", " ") in words.replace(" ", " "), french
    assert "b -1,50 -0,40 0,60 1,90" in out  # c2's thresholds as the rubric declares them
    assert " bas " in out.split(" c2 ")[1].splitlines()[0]  # c2 is keyed toward the low pole
    # the same numbers as in English, with decimal commas
    reliability = english.split("Marginal reliability: ")[1].split()[0]
    assert f"Fidélité marginale\u00a0: {reliability.replace('.', ',')}" in out
    for english_words in (
        "thresholds / steps",
        "Test information and standard error",
        "Marginal reliability",
        "Parameters toward the high pole",
        " for θ ",
        "max info",
        " high ",
        " low ",
    ):
        assert english_words not in out, english_words


def test_irt_show_in_french_keeps_every_number_whole_at_60_columns() -> None:
    from mgrlead.cli.irt_show import show_information  # noqa: PLC0415
    from mgrlead.irt import information_summary  # noqa: PLC0415

    rubric = mgrlead.load_rubric(str(BIG5))
    summary = information_summary(rubric, "extraversion", points=(-2.0, 0.0, 2.0))
    console = Console(record=True, width=60, force_terminal=True)
    with use_language("fr"):
        show_information(rubric, summary, console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "…" not in text
    for it in summary.items:
        assert _comma(it.peak, 3) in text


def test_irt_charts_speak_the_language() -> None:
    from mgrlead.irt import Prior  # noqa: PLC0415
    from mgrlead.report.irt_charts import (  # noqa: PLC0415
        category_chart,
        information_chart,
        item_information_chart,
    )

    rubric = mgrlead.load_rubric(str(COACHING))
    with use_language("fr"):
        info = information_chart(rubric, "coaching", prior=Prior(sd=1.5), target_se=0.4)
        items = item_information_chart(rubric, "coaching")
        curves = category_chart(rubric, "c2")
    ax, se_axis = info.axes
    assert ax.get_title() == "Coaching\u00a0: information du test et erreur standard"
    assert ax.get_ylabel() == "information"
    assert se_axis.get_ylabel() == "erreur standard"
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        "information du test",
        "ES (loi a priori N(0\u00a0; 1,5²))",
        "ES 0,4",
    ]
    assert _ticks(ax) == "0,5"
    assert _ticks(ax, "x") == "0,5"
    assert _ticks(se_axis) == "0,5"
    assert items.axes[0].get_ylabel() == "information de l\u2019affirmation"
    assert _ticks(items.axes[0]) == "0,5"
    assert curves.axes[0].get_ylabel() == "probabilité de la réponse"
    assert "courbes de réponse aux catégories" in curves.axes[0].get_title()
    assert _ticks(curves.axes[0]) == "0,5"
    english = information_chart(rubric, "coaching").axes[0]  # English: as it was
    assert english.get_title() == "Coaching: test information and standard error"
    assert _ticks(english) == "0.5"


# ------------------------------------------------------------------ cat simulate
def test_cat_simulate_lang_es(tmp_path: Path) -> None:
    spanish, english = tmp_path / "es.json", tmp_path / "en.json"
    args = ["cat", "simulate", "--rubric", str(BIG5), "-n", "40"]
    done = run(*args, "-o", str(spanish), "--lang", "es")
    assert done.exit_code == 0, done.output
    plain = run(*args, "-o", str(english))
    assert plain.exit_code == 0, plain.output
    assert json.loads(spanish.read_text()) == json.loads(english.read_text())  # neutral
    result = simulate(mgrlead.load_rubric(str(BIG5)), CatOptions(se=0.4), n=40, seed=0)
    out = _words(done.stdout)
    for words in (
        "40 pruebas adaptativas simuladas",
        "EE objetivo 0,4",
        "máximo de afirmaciones: ninguno",
        f"Longitud de la prueba: media {_comma(result.mean_length, 1)}",
        "Por dimensión",
        "frente al θ verdadero",
        "Reglas de parada aplicadas",
        "Mayor exposición (de 50 afirmaciones)",
        "proporción",
    ):
        assert words in out, words
    for d in result.dimensions():
        assert f"{_comma(d.mean_items, 1)}/{d.items}" in out
        if not math.isnan(d.rmse):
            assert _comma(d.rmse, 3) in out
    for english_words in (
        "simulated adaptive tests",
        "Test length",
        "fewer items",
        "Per dimension",
        "Stopping rules",
        "Highest exposure",
        "exposure ",
        "correlation",
        " share ",
    ):
        assert english_words not in out, english_words


def test_cat_simulate_lang_en_is_the_english_output() -> None:
    args = ["cat", "simulate", "--rubric", str(BIG5), "-n", "20"]
    assert run(*args, "--lang", "en").stdout == run(*args).stdout


@pytest.mark.parametrize("width", [60, 80, 84])
def test_cat_simulate_keeps_every_figure_whole_in_every_language(width: int) -> None:
    from mgrlead.cli.cat import show_simulation  # noqa: PLC0415

    result = simulate(mgrlead.load_rubric(str(BIG5)), CatOptions(se=0.4), n=30, seed=1)
    for lang in ("de", "fr", "es"):
        console = Console(record=True, width=width, force_terminal=True)
        with use_language(lang):
            show_simulation(result, console)
        text = console.export_text()
        assert max(len(line) for line in text.splitlines()) <= width, lang
        assert "…" not in text, lang  # the longer headings do not cut a number
        for d in result.dimensions():
            assert _comma(d.rmse_vs_full, 3) in text, lang


def test_cat_charts_speak_the_language() -> None:
    from mgrlead.report.cat_charts import exposure_chart, length_chart  # noqa: PLC0415

    rubric = mgrlead.load_rubric(str(BIG5))
    runs = [simulate(rubric, CatOptions(se=se), n=10, seed=0, full=False) for se in (0.4, 0.5)]
    with use_language("es"):
        length = length_chart(runs).axes[0]
        exposure = exposure_chart(runs[0], limit=0.25).axes[0]
    assert length.get_xlabel() == "EE objetivo"
    assert length.get_ylabel() == "afirmaciones presentadas"
    assert "10 sujetos simulados" in length.get_title()
    assert _ticks(length, "x") == "0,5"
    assert exposure.get_ylabel() == "tasa de exposición"
    assert "10 pruebas simuladas" in exposure.get_title()
    assert _ticks(exposure) == "0,5"
    # the item ids stay the exposure chart's x labels
    labels = [t.get_text() for t in exposure.get_xticklabels()]
    assert labels == [
        i for i, _ in sorted(runs[0].exposure().items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    legend = exposure.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["objetivo 0,25"]
