"""``mgrlead analyze``, ``mgrlead norms build`` and score's progress bar in every language.

Issue 20, part 4.  The expected words below are written for these tests (not
copied from the catalogues): if a text stops being translated, or its
translation goes missing, a test here fails.  The English output is pinned by
the tests of analyze and norms (tests/test_psych_reliability.py,
tests/test_cli*.py, tests/test_norm_sizes.py) and by the English cases here.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import sys
from pathlib import Path

import pexpect
import pytest

import mgrlead

from .helpers import run

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SRC = Path(mgrlead.__file__).resolve().parents[1]

#: The English headings, notes and flags of analyze that no other language may show.
ENGLISH_ANALYSIS = (
    "Reliability",
    "respondents",
    "Scales",
    "Items of",
    "alpha if deleted",
    "possibly mis-keyed",
    "may be mis-keyed",
    "Nothing was changed",
    "left out (no variance)",
    "Scale correlations",
    "average inter-item correlation",
    "signal/noise",
    "mean",
)


def _miskeyed(tmp_path: Path) -> Path:
    """The example responses with pr2's answers turned round (5 -> 1 ...) and ss6 all 3.

    pr2 then runs against the rest of its dimension (flagged as possibly
    mis-keyed) and ss6 has no variance (left out of the analysis).
    """
    with (EXAMPLES / "responses.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    flip, flat = rows[0].index("pr2"), rows[0].index("ss6")
    for row in rows[1:]:
        row[flip] = str(6 - int(row[flip])) if row[flip] else ""
        row[flat] = "3"
    path = tmp_path / "miskeyed.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def _flat(text: str) -> str:
    """The text with every run of white space as one space (rich wraps long lines).

    A no-break space counts as white space here too (rich may wrap at one).
    """
    return " ".join(text.split())


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A console wide enough that no table heading is cut."""
    monkeypatch.setenv("COLUMNS", "220")


# ---------------------------------------------------------------- mgrlead analyze
ANALYSIS = {
    "de": ["Reliabilität manager-leader 1.0, 20 befragte Personen", "Skalen", "Mittelwert",
           "Aussagen der Dimension process_results", "evtl. falsch gepolt",
           "pr2 ist möglicherweise falsch gepolt", "Prüfen Sie", "ausgelassen (keine Varianz): ss6",
           "Korrelationen der Skalen", "mittlere Korrelation", "fehlend", "0 %"],
    "fr": ["Fiabilité manager-leader 1.0, 20 répondants", "Échelles", "moyenne",
           "Affirmations de la dimension process_results", "sens de cotation douteux",
           "Le sens de cotation de pr2 est peut-être erroné", "vérifiez",
           "écartées (aucune variance)\u00a0: ss6", "Corrélations entre échelles",
           "corrélation moyenne", "manquantes", "0\u00a0%"],
    "es": ["Fiabilidad manager-leader 1.0, 20 personas encuestadas", "Escalas", "media",
           "Afirmaciones de la dimensión process_results", "posible clave errónea",
           "Puede que la clave de pr2 sea errónea", "revise", "excluidas (sin varianza): ss6",
           "Correlaciones entre escalas", "correlación media", "sin respuesta", "0 %"],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["de", "fr", "es"])
def test_analyze_speaks_the_language(lang: str, tmp_path: Path, wide: None) -> None:
    done = run("analyze", str(_miskeyed(tmp_path)), "--lang", lang)
    assert done.exit_code == 0, done.output
    text = _flat(done.stdout)
    for words in ANALYSIS[lang]:
        assert _flat(words) in text, words
    for english in ENGLISH_ANALYSIS:
        assert english not in text, english
    # decimal commas, and no decimal point in any number (the rubric's version 1.0 aside)
    assert re.search(r"\b0,\d\d\b", text)
    assert not re.search(r"\d\.\d\d", text)


def test_analyze_in_english_is_as_it_was(tmp_path: Path, wide: None) -> None:
    done = run("analyze", str(_miskeyed(tmp_path)))
    assert done.exit_code == 0, done.output
    text = _flat(done.stdout)
    for words in ("Reliability manager-leader 1.0, 20 respondents", "Scales",
                  "Items of process_results",
                  "possibly mis-keyed", "pr2 may be mis-keyed: item-rest r = -0.78;",
                  "Nothing was changed: check the item's wording and keying.",
                  "left out (no variance): ss6", "Scale correlations (raw below"):  # fmt: skip
        assert words in text, words
    assert re.search(r"\b0\.\d\d\b", text)
    assert "0%" in text


def test_analyze_json_is_the_same_in_every_language(tmp_path: Path) -> None:
    data = str(_miskeyed(tmp_path))
    english = run("analyze", data, "--json")
    german = run("analyze", data, "--json", "--lang", "de")
    assert english.exit_code == german.exit_code == 0, german.output
    assert json.loads(german.stdout) == json.loads(english.stdout)
    assert german.stdout == english.stdout


def test_analyze_takes_mgrlead_lang(
    tmp_path: Path, wide: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MGRLEAD_LANG", "es")
    done = run("analyze", str(EXAMPLES / "responses.csv"))
    assert done.exit_code == 0, done.output
    assert "Fiabilidad" in done.stdout
    assert "Reliability" not in done.stdout


# ------------------------------------------------------------ mgrlead norms build
def test_norms_build_says_what_it_wrote_in_french(tmp_path: Path) -> None:
    english, french = tmp_path / "en.toml", tmp_path / "fr.toml"
    data = str(EXAMPLES / "responses.csv")
    done_en = run("norms", "build", data, "-o", str(english))
    done_fr = run("norms", "build", data, "-o", str(french), "--lang", "fr")
    assert done_en.exit_code == done_fr.exit_code == 0, done_fr.output
    said = done_fr.stderr
    assert f"{french}\u00a0: normes pour manager-leader, groupes all" in said
    assert "(n = 19 à 20 selon la dimension)" in said
    for words in ("norms for", "groups all", "by dimension"):
        assert words not in said, words
    assert "norms for manager-leader, groups all (n = 19 to 20 by dimension)" in done_en.stderr
    # the file is the same in every language
    assert french.read_bytes() == english.read_bytes()


# ------------------------------------------------------- mgrlead score, progress bar
def _progress(tmp_path: Path, *lang: str) -> str:
    """What ``mgrlead score`` shows on a terminal (the progress bar goes to standard error)."""
    env = dict(os.environ, PYTHONPATH=str(SRC), COLUMNS="120", LINES="40", TERM="xterm")
    env.pop("MGRLEAD_LANG", None)
    args = (sys.executable, "-m", "mgrlead", "score", str(EXAMPLES / "responses.csv"),
            "-o", str(tmp_path / "scores.csv"), *lang)  # fmt: skip
    child = pexpect.spawn("/bin/sh", ["-c", " ".join(shlex.quote(a) for a in args)],
                          cwd=str(tmp_path), env=env, encoding="utf-8", timeout=60,
                          dimensions=(40, 120))  # fmt: skip
    shown = child.read()
    child.close()
    assert child.exitstatus == 0, shown
    return shown


def test_the_progress_bar_speaks_spanish(tmp_path: Path) -> None:
    shown = _progress(tmp_path, "--lang", "es")
    assert "puntuando" in shown
    assert "scoring" not in shown  # not at the start, nor after a chunk's update


def test_the_progress_bar_in_english(tmp_path: Path) -> None:
    assert "scoring" in _progress(tmp_path)
