"""The terminal assessment, the score table and the reasons results give, in every language.

Issue 20, part 4.  The expected words below are written for these tests (not
copied from the catalogues): if a text stops being translated, or a
translation goes missing from a catalogue, a test here fails.  The built-in
rubric's own texts (statements, poles, bands) are translated in the rubric
file; these tests need only the interface's texts, and use a small rubric of
their own for the rubric's translations.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
import textwrap
from pathlib import Path

import numpy as np
import pexpect
import pytest
from click.testing import CliRunner

import mgrlead
from mgrlead.cli import cli
from mgrlead.i18n import LANGUAGES, use_language

from .helpers import one_line_error, run

ML = mgrlead.load_rubric("manager-leader")
SRC = Path(mgrlead.__file__).resolve().parents[1]

#: 5 to pr1 (keyed toward the manager pole: 0 of 1), 3 to the other 23 items:
#: process_results is (0 + 5 * 0.5) / 6 = 41.67 %, the overall result
#: (41.67 + 3 * 50) / 4 = 47.92 %.
PIPED = "5\n" + "3\n" * 23

#: What each language's results screen must say (interface texts only).
EXPECTED = {
    "en": ["Reading 24 answers from standard input", "Your profile at a glance",
           "6 of 6 statements answered", "Overall", "it is not a grade", "41.7", "47.9"],
    "de": ["Lese 24 Antworten von der Standardeingabe", "Ihr Profil auf einen Blick",
           "6 von 6 Aussagen beantwortet", "Gesamt", "es ist keine Note", "41,7", "47,9"],
    "fr": ["Lecture de 24 réponses sur l\u2019entrée standard",
           "Votre profil en un coup d\u2019œil", "6 sur 6 énoncés", "Global",
           "ce n\u2019est pas une note", "41,7", "47,9"],
    "es": ["Leyendo 24 respuestas de la entrada estándar", "Su perfil de un vistazo",
           "6 de 6 afirmaciones respondidas", "Global", "no es una nota", "41,7", "47,9"],
}  # fmt: skip
#: English interface sentences that no other language may show.
ENGLISH = (
    "Reading 24 answers",
    "Your profile at a glance",
    "statements answered",
    "Overall",
    "0 and 100 are the two poles",
    "it is not a grade",
)

TINY = textwrap.dedent("""
    id = "tiny"
    version = "1"
    title = "Tiny check"
    low_label = "Steady"
    high_label = "Bold"

    [scale]
    min = 1
    max = 5
    labels = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]

    [[dimensions]]
    id = "pace"
    name = "Steady or bold"
    low = { id = "steady", label = "Steady" }
    high = { id = "bold", label = "Bold" }
    items = [
      { id = "p1", text = "I try new things first.", keyed = "bold" },
      { id = "p2", text = "I keep to what works.", keyed = "steady" },
      { id = "p3", text = "I wait and see.", keyed = "steady" },
    ]

    [translations.de]
    title = "Kleiner Test"
    "dimension.pace.name" = "Ruhig oder kühn"
    "dimension.pace.low.label" = "Ruhig"
    "dimension.pace.high.label" = "Kühn"

    [translations.pt]
    title = "Pequeno teste"
    "dimension.pace.name" = "Calmo ou ousado"
    "dimension.pace.low.label" = "Calmo"
    "dimension.pace.high.label" = "Ousado"
""")


@pytest.fixture
def tiny(tmp_path: Path) -> str:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, "utf-8")
    return str(path)


def _glance(output: str, heading: str) -> str:
    """The summary at the end of the results screen (from its heading on)."""
    assert heading in output, output
    return output[output.index(heading) :]


# ------------------------------------------------------------------ mgrlead assess
@pytest.mark.parametrize("lang", LANGUAGES)
def test_assess_speaks_the_language(lang: str) -> None:
    done = run("assess", "--lang", lang, input=PIPED)
    assert done.exit_code == 0, done.output
    for words in EXPECTED[lang]:
        assert words in done.output, (lang, words)
    if lang != "en":
        for sentence in ENGLISH:
            assert sentence not in done.output, (lang, sentence)
        # every score in the summary has a decimal comma, none a decimal point
        summary = _glance(done.stdout, EXPECTED[lang][1])
        assert re.findall(r"\d+,\d", summary)
        assert not re.findall(r"\d\.\d", summary), summary


def test_english_is_the_default_and_unchanged() -> None:
    plain = run("assess", input=PIPED)
    english = run("assess", "--lang", "en", input=PIPED)
    assert plain.exit_code == english.exit_code == 0, plain.output
    assert english.stdout == plain.stdout
    assert english.stderr == plain.stderr


def test_the_environment_variable_chooses_and_the_option_wins() -> None:
    runner = CliRunner(env={"MGRLEAD_LANG": "fr"})
    french = runner.invoke(cli, ["assess"], input=PIPED)
    assert french.exit_code == 0, french.output
    assert "Votre profil en un coup d\u2019œil" in french.stdout
    spanish = runner.invoke(cli, ["assess", "--lang", "es"], input=PIPED)
    assert "Su perfil de un vistazo" in spanish.stdout
    assert "Votre profil" not in spanish.stdout


def test_an_unknown_language_is_one_line_naming_what_there_is() -> None:
    line = one_line_error(run("assess", "--lang", "xx", input=PIPED))
    assert "'xx'" in line
    assert "en, de, fr, es" in line  # the interface's languages
    assert "'manager-leader' has texts in en" in line  # and the rubric's
    line = one_line_error(CliRunner(env={"MGRLEAD_LANG": "tlh"}).invoke(cli, ["assess"]))
    assert "'tlh'" in line


def test_a_rubric_translation_sets_its_texts_and_the_interface_follows(tiny: str) -> None:
    german = run("assess", "--rubric", tiny, "--lang", "de-CH", input="5\n3\n3\n")
    assert german.exit_code == 0, german.output
    assert "Kleiner Test" in german.stdout
    assert "Ruhig oder kühn" in german.stdout
    assert "Ihr Profil auf einen Blick" in german.stdout
    assert "Tiny check" not in german.stdout
    assert "warning" not in german.stderr


def test_a_language_only_the_rubric_has_keeps_the_interface_english(tiny: str) -> None:
    done = run("assess", "--rubric", tiny, "--lang", "pt", input="5\n3\n3\n")
    assert done.exit_code == 0, done.output
    assert "Calmo ou ousado" in done.stdout
    assert "Pequeno teste" in done.stdout
    assert "Your profile at a glance" in done.stdout
    assert "66.7" in done.stdout  # (1 + 0.5 + 0.5) / 3: an English number
    assert "warning" not in done.stderr


def test_a_rubric_without_the_language_keeps_its_texts_and_says_so(tiny: str) -> None:
    done = run("assess", "--rubric", tiny, "--lang", "es", input="5\n3\n3\n")
    assert done.exit_code == 0, done.output
    assert "Su perfil de un vistazo" in done.stdout  # the interface in Spanish
    assert "Steady or bold" in done.stdout  # the rubric's own texts
    warnings = [line for line in done.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert "'tiny' has no texts in 'es'" in warnings[0]


def test_not_scorable_in_german_on_screen(tiny: str) -> None:
    # one answer of three: the dimension needs two (half of its items)
    done = run("assess", "--rubric", tiny, "--lang", "de", input="5\n\n\n")
    assert done.exit_code == 0, done.output
    assert "Nicht auswertbar: 1 von 3 Aussagen beantwortet; mindestens 2 nötig." in done.stdout


def test_the_adaptive_test_speaks_german() -> None:
    example = str(Path(__file__).resolve().parents[1] / "examples" / "ipip-bfi50-irt.toml")
    done = run("assess", "--adaptive", "--rubric", example, "--max-items", "3", "--seed", "0",
               "--lang", "de", input="3\n3\n3\n")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Adaptive Schätzung" in done.stdout
    assert "3 Aussagen vorgelegt; beendet durch: max_items." in done.stdout
    assert "Antworten werden von der Standardeingabe gelesen" in done.stderr
    assert "Adaptive estimate" not in done.stdout
    assert "statements asked" not in done.stdout


def test_the_questions_in_a_terminal_speak_french(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(SRC), COLUMNS="120", LINES="40", TERM="xterm")
    command = " ".join(shlex.quote(a) for a in (sys.executable, "-m", "mgrlead", "assess",
                                                  "--lang", "fr", "--seed", "1"))  # fmt: skip
    child = pexpect.spawn("/bin/sh", ["-c", command], cwd=str(tmp_path), env=env,
                          encoding="utf-8", timeout=30, dimensions=(40, 120))  # fmt: skip
    child.expect("Tapez le chiffre de votre réponse")
    child.expect(r"Votre réponse \(1-5, ← retour, → passer, q quitter\)")
    child.send("3")
    child.expect("2/24")
    child.send("b")
    child.expect("retour")
    child.expect(r"Entrée garde 3\)")
    child.send("q")
    child.expect("Quitter sans enregistrer vos réponses")
    child.send("y")
    child.expect("Évaluation annulée")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


def test_norm_lines_in_german(tmp_path: Path) -> None:
    examples = Path(__file__).resolve().parents[1] / "examples"
    norms = tmp_path / "norms.toml"
    assert run("norms", "build", str(examples / "responses.csv"), "-o", str(norms)).exit_code == 0
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({i: 1 + k % 5 for k, i in enumerate(ML.item_ids)}), "utf-8")
    done = run("assess", "--answers", str(answers), "--norms", str(norms), "--lang", "de")
    assert done.exit_code == 0, done.output
    text = " ".join(done.stdout.split())
    assert "Verglichen mit der Gruppe \u201e" in text
    assert re.search(r"Perzentil \d+, z [+-]\d+,\d\d, T \d+, Sten \d+\.", text)
    assert re.search(r"95-%-Intervall des Werts: \d+,\d bis \d+,\d \(von 100\)\.", text)
    for english in ("Compared with group", "95% interval", "Borderline:"):
        assert english not in text, english
    assert not re.search(r"percentile \d", text)


# ------------------------------------------------------------------ mgrlead score
def _responses(tmp_path: Path) -> Path:
    path = tmp_path / "answers.csv"
    rows = [["id", *ML.item_ids], ["ann", "5", *["3"] * 23], ["bob", "4", *[""] * 23]]
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", "utf-8")
    return path


def test_the_score_table_speaks_german(tmp_path: Path) -> None:
    path = str(_responses(tmp_path))
    done = run("score", path, "--format", "table", "--lang", "de")
    assert done.exit_code == 0, done.output
    expected = (
        "2 befragte Personen", "Prozent von 0 (erster Pol) bis 100", "nicht ausgewertet",
        "Einen zweiten Blick wert", "process_results nicht ausgewertet (1 von 6 beantwortet)",
        "41,7", "47,9",
    )  # fmt: skip
    for words in expected:
        assert words in done.stdout, words
    for english in ("respondents", "not scored", "Worth a second look", "41.7"):
        assert english not in done.stdout, english


def test_files_are_the_same_in_every_language(tmp_path: Path) -> None:
    path = str(_responses(tmp_path))
    english = run("score", path)
    for lang in ("de", "fr"):
        other = CliRunner(env={"MGRLEAD_LANG": lang}).invoke(cli, ["score", path])
        assert other.exit_code == 0, other.output
        assert other.stdout == english.stdout  # CSV: column names and numbers as they are


# ------------------------------------------------------------------ reasons
GERMAN_REASON = "1 von 6 Aussagen beantwortet; mindestens 3 nötig"
ENGLISH_REASON = "1 of 6 items answered; at least 3 needed"


def test_reasons_are_made_in_the_current_language() -> None:
    answers = {"pr1": 4}
    with use_language("de"):
        german = mgrlead.score(ML, answers)
    assert german["process_results"].reason == GERMAN_REASON
    assert german["staff_counsel"].reason == "0 von 6 Aussagen beantwortet; mindestens 3 nötig"
    assert german.overall.reason.startswith("Dimension 'process_results', 'staff_counsel'")
    assert german.overall.reason.endswith(" nicht auswertbar")
    english = mgrlead.score(ML, answers)  # outside the block: English, as before
    assert english["process_results"].reason == ENGLISH_REASON
    with use_language("fr"):
        french = mgrlead.score(ML, answers)
    assert french["process_results"].reason == (
        "réponses\u00a0: 1 sur 6 énoncés\u00a0; il en faut au moins 3"
    )


def test_the_batch_path_gives_the_same_reasons() -> None:
    matrix = np.full((2, len(ML.item_ids)), np.nan)
    matrix[0, 0] = 4
    matrix[1, :] = 3
    with use_language("de"):
        batch = mgrlead.score_matrix(ML, matrix)
        first = batch.profile(0)
        single = mgrlead.score(ML, {"pr1": 4})
        frame = mgrlead.score_frame(ML, {i: matrix[:, j] for j, i in enumerate(ML.item_ids)})
    assert first["process_results"].reason == GERMAN_REASON
    assert first == single  # every reason, every number
    assert first.overall.reason == single.overall.reason
    assert batch.profile(1)["process_results"].reason is None
    assert list(frame["process_results_percent"])[1] == 50.0  # numbers do not change


def _two_items(policy: mgrlead.MissingPolicy, weight: float = 1.0) -> mgrlead.Rubric:
    """Items a (of ``weight``) and b (weight 1)."""
    items = [
        mgrlead.Item(id=i, text=i, keyed="hi", weight=w) for i, w in (("a", weight), ("b", 1.0))
    ]
    dim = mgrlead.Dimension(id="d", name="d", low=mgrlead.Pole(id="lo", label="Lo"),
                            high=mgrlead.Pole(id="hi", label="Hi"), items=items)  # fmt: skip
    return mgrlead.Rubric(id="t", version="1", title="T", scale=mgrlead.Scale.agreement(5),
                          missing=policy, dimensions=[dim])  # fmt: skip


def test_imputation_and_weight_reasons_in_spanish() -> None:
    imputed = _two_items(mgrlead.MissingPolicy(min_answered=0, min_share=0.0, impute="mean"))
    weightless = _two_items(mgrlead.MissingPolicy(), weight=0.0)
    with use_language("es"):
        nothing = mgrlead.score_matrix(imputed, np.full((2, 2), np.nan)).profile(0)
        zero = mgrlead.score(weightless, {"a": 4})
        zero_batch = mgrlead.score_matrix(weightless, np.array([[4.0, np.nan]])).profile(0)
    assert nothing["d"].reason == (
        "ninguna de sus 2 afirmaciones se respondió, y ninguna se pudo imputar"
    )
    assert (
        zero["d"].reason
        == zero_batch["d"].reason
        == ("todas las afirmaciones respondidas tienen peso 0")
    )


def test_theta_reasons_follow_the_language() -> None:
    from mgrlead.irt.scoring import STATUS, status_reason  # noqa: PLC0415 - numpy

    assert status_reason(0) == ""  # scored: no reason (not the catalogue's header)
    assert status_reason(4) == STATUS[4] == "the Newton iterations did not converge"
    with use_language("de"):
        assert status_reason(0) == ""
        assert status_reason(4) == "die Newton-Iterationen sind nicht konvergiert"
        assert status_reason(2).startswith("jede Antwort liegt in der niedrigsten Kategorie")


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("de", ["Skala: 1 = Stimme überhaupt nicht zu", "Gewichtung: equal", "Bereiche (0-100)",
                "Aussage", "Bezeichnung", "Prozessorientiert vs. ergebnisorientiert"]),
        ("fr", ["Échelle\u00a0: 1 = Pas du tout d'accord", "Plages (0-100)", "libellé"]),
        ("es", ["Escala: 1 = Totalmente en desacuerdo", "Rangos (0-100)", "etiqueta"]),
    ],
)  # fmt: skip
def test_rubric_show_speaks_the_language(lang: str, words: list[str]) -> None:
    shown = " ".join(run("rubric", "show", "--lang", lang).stdout.split())
    for word in words:
        assert " ".join(word.split()) in shown, word
    for english in ("Scale:", "Strategy:", "Bands (0-100)", "statement", "Strongly agree"):
        assert english not in shown
    plain = run("rubric", "show").stdout
    assert "Scale: 1 = Strongly disagree" in plain
    assert "Bands (0-100)" in plain


def test_long_pole_labels_never_run_together_at_60_columns() -> None:
    # German pole labels too long to share a line at 60 columns go on a line each
    import io  # noqa: PLC0415

    from rich.console import Console  # noqa: PLC0415

    from mgrlead.cli.render import show_profile  # noqa: PLC0415

    german = mgrlead.load_rubric("manager-leader").localized("de")
    answers = dict.fromkeys(german.item_ids, 3)
    out = io.StringIO()
    with use_language("de"):
        show_profile(german, mgrlead.score(german, answers),
                     Console(file=out, width=60, color_system=None))  # fmt: skip
    lines = out.getvalue().splitlines()
    assert "0 Organisieren und Stellen besetzen" in lines
    assert any(line.endswith("Begleiten und beraten 100") for line in lines)
    assert not any("besetzenBegleiten" in line for line in lines)
    assert all(len(line) <= 60 for line in lines)
