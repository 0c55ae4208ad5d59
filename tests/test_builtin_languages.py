"""The built-in rubric in German, French and Spanish (issue 20, part 4).

Every text of ``manager-leader`` is translated into each shipped language, no
translation is the English left in place, the punctuation and the numbers a text
refers to survive translation, a translated rubric scores exactly as the English
one, and ``mgrlead assess --lang`` asks in the language chosen.
"""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest

import mgrlead
from helpers import run
from mgrlead.plan import content_hash
from mgrlead.plugins.builtin import packaged_rubric

#: The rubric file as shipped: its texts, with no plugin's contributed feedback.
FILE = packaged_rubric("manager-leader")
FILE_PATH = Path(mgrlead.__file__).parent / "plugins" / "rubrics" / "manager-leader.toml"
ENGLISH = FILE.text_keys()
#: The built-in rubric as people get it (what scores and the command line use).
ML = mgrlead.load_rubric("manager-leader")
LANGUAGES = ("de", "fr", "es")
SRC = Path(mgrlead.__file__).resolve().parents[1]

#: The texts a language rightly keeps as in English: "Manager" and "Leader" are
#: the words German and French business writing use for the two poles.
SAME_AS_ENGLISH = {
    "de": {"low_label", "high_label"},
    "fr": {"low_label", "high_label"},
    "es": set(),
}

#: Space before ``: ; ? !`` in French: a no-break space (or the narrow one).
FRENCH_SPACES = {"\u00a0", "\u202f"}


def texts(lang: str) -> dict[str, str]:
    return dict(FILE.translations[lang])


def flat(text: str) -> str:
    """``text`` with every run of white space (line breaks, no-break spaces) one space."""
    return " ".join(text.split())


# ------------------------------------------------------------------ complete
def test_the_built_in_rubric_ships_exactly_these_languages() -> None:
    assert FILE.language == ML.language == "en"
    assert sorted(FILE.translations) == sorted(LANGUAGES)
    assert ML.translations == FILE.translations


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_is_translated(lang: str) -> None:
    missing = [key for key, text in ENGLISH.items() if text and key not in texts(lang)]
    assert missing == [], f"{lang}: no translation of {missing}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_localized_shows_the_translation_of_every_text(lang: str) -> None:
    shown = FILE.localized(lang).text_keys()
    expected = {key: texts(lang)[key] for key, text in ENGLISH.items() if text}
    assert {key: text for key, text in shown.items() if text} == expected


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_translation_is_the_english_left_in_place(lang: str) -> None:
    same = {key for key, text in texts(lang).items() if text == ENGLISH[key]}
    assert same == SAME_AS_ENGLISH[lang]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_texts_that_tell_things_apart_stay_apart(lang: str) -> None:
    there = FILE.localized(lang)
    groups = {
        "scale labels": list(there.scale.labels),
        "band labels": [b.label for b in there.bands],
        "dimension names": [d.name for d in there.dimensions],
        "item texts": [i.text for i in there.items],
        "pole labels": [p.label for d in there.dimensions for p in (d.low, d.high)]
        + [there.low_label, there.high_label],
    }
    for what, values in groups.items():
        assert len(set(values)) == len(values), f"{lang}: two {what} are the same: {values}"


# ------------------------------------------------------------------ punctuation
def _ending(text: str) -> str:
    """The sentence mark a text ends with ('' for a label without one)."""
    return text[-1] if text[-1] in ".?!:;" else ""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_punctuation_and_numbers_survive_translation(lang: str) -> None:
    for key, text in texts(lang).items():
        english = ENGLISH[key]
        assert text == text.strip(), f"{lang} {key}: leading or trailing space: {text!r}"
        assert "  " not in text, f"{lang} {key}: two spaces in {text!r}"
        assert "\n" not in text, f"{lang} {key}: a line break in {text!r}"
        assert _ending(text) == _ending(english), f"{lang} {key}: ends unlike {english!r}"
        # the numbers a text names (scale points, the poles' 0 and 100) stay the same
        assert re.findall(r"\d+", text) == re.findall(r"\d+", english), f"{lang} {key}"
        assert text[0].isupper() == english[0].isupper() or text[0] in "¿¡", f"{lang} {key}"


def test_spanish_questions_and_exclamations_open_and_close() -> None:
    for key, text in texts("es").items():
        assert text.count("¿") == text.count("?"), f"es {key}: {text!r}"
        assert text.count("¡") == text.count("!"), f"es {key}: {text!r}"
        for opened, closed in (("¿", "?"), ("¡", "!")):
            depth = 0
            for char in text:
                depth += (char == opened) - (char == closed)
                assert depth in {0, 1}, f"es {key}: {opened}...{closed} out of order: {text!r}"


def test_french_puts_a_no_break_space_before_high_punctuation() -> None:
    for key, text in texts("fr").items():
        for match in re.finditer(r"[:;?!]", text):
            before = text[match.start() - 1]
            assert before in FRENCH_SPACES, f"fr {key}: {before!r} before {match.group()!r}"


@pytest.mark.parametrize("lang", ["de", "es"])
def test_no_french_spacing_elsewhere(lang: str) -> None:
    for key, text in texts(lang).items():
        assert not FRENCH_SPACES & set(text), f"{lang} {key}: {text!r}"
        assert not re.search(r"\s[:;?!]", text), f"{lang} {key}: {text!r}"


# ------------------------------------------------------------------ scores
def _pattern(manager: int | None, leader: int | None) -> dict[str, int | None]:
    """Every manager-keyed item answered ``manager``, every leader-keyed one ``leader``."""
    return {i.id: manager if i.keyed == "manager" else leader for i in ML.items}


#: Answer patterns and each dimension's mean and percent (0 manager .. 100 leader),
#: worked out by hand on the 1..5 scale: a manager-keyed answer x counts as 6 - x.
BY_HAND = [
    (_pattern(1, 5), 5.0, 100.0),  # leader every way
    (_pattern(5, 1), 1.0, 0.0),  # manager every way: the reverse-keyed items carry it
    (_pattern(4, 4), 3.0, 50.0),  # agreeing with everything lands in the middle
    (_pattern(2, 4), 4.0, 75.0),  # (4 + 4) / 2 = 4 on 1..5
    (_pattern(None, 2), 2.0, 25.0),  # half the items answered: enough (min_share 0.5)
]


def _numbers(profile: mgrlead.Profile) -> list[tuple[Any, ...]]:
    rows = [(d.dimension, d.scorable, d.sum, d.mean, d.percent, d.position, d.score,
             d.answered, d.missing, d.band) for d in profile.dimensions]  # fmt: skip
    o = profile.overall
    return [*rows, ("overall", o.scorable, o.percent, o.position, o.band)]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("answers", "mean", "percent"), BY_HAND)
def test_a_translated_rubric_scores_exactly_as_the_english(
    lang: str, answers: dict[str, int | None], mean: float, percent: float
) -> None:
    translated = ML.localized(lang)
    assert [(i.id, i.keyed, i.weight) for i in translated.items] == [
        (i.id, i.keyed, i.weight) for i in ML.items
    ]
    assert content_hash(translated) == content_hash(ML)
    there = mgrlead.score(translated, answers)
    here = mgrlead.score(ML, answers)
    assert [(d.mean, d.percent) for d in there.dimensions] == [(mean, percent)] * 4
    assert _numbers(there) == _numbers(here)
    assert there.content_hash == here.content_hash
    # the band is the same one, named in the language asked for
    band = {b.id: b for b in translated.bands}[there.overall.band or ""]
    assert there.overall.band_label == band.label == texts(lang)[f"band.{band.id}.label"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_uneven_pattern_scores_the_same_in_every_language(lang: str) -> None:
    answers = {item_id: 1 + k * 7 % 5 for k, item_id in enumerate(ML.item_ids)}
    answers[ML.item_ids[3]] = None
    assert _numbers(mgrlead.score(ML.localized(lang), answers)) == _numbers(
        mgrlead.score(ML, answers)
    )


# ------------------------------------------------------------------ the command line
@pytest.mark.parametrize("lang", LANGUAGES)
def test_assess_shows_the_profile_in_the_language(lang: str, tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(_pattern(1, 5)), "utf-8")
    result = run("assess", "--answers", str(path), "--lang", lang)
    assert result.exit_code == 0, result.output
    shown = flat(result.stdout)
    t = {key: flat(text) for key, text in texts(lang).items()}
    for dim in ML.dimensions:
        assert t[f"dimension.{dim.id}.high.label"] in shown
        assert t[f"dimension.{dim.id}.high.strengths"].split(";")[0] in shown
    assert t["band.leader_leaning.label"] in shown
    assert ENGLISH["band.leader_leaning.label"] not in shown
    for dim in ML.dimensions:
        assert ENGLISH[f"dimension.{dim.id}.high.strengths"].split(";")[0] not in shown


def test_assess_asks_in_german_in_a_terminal(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(SRC), COLUMNS="160", LINES="40", TERM="xterm")
    env.pop("NO_COLOR", None)
    command = [sys.executable, "-m", "mgrlead", "assess", "--lang", "de", "--json"]
    child = pexpect.spawn(
        "/bin/sh",
        ["-c", " ".join(map(shlex.quote, command)) + " > me.json"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 160),
    )
    child.logfile_read = io.StringIO()
    for n in range(1, 25):
        child.expect(f"{n}/24")
        child.expect("Ihre Antwort")  # the interface speaks German too
        child.send("4")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.logfile_read.getvalue())
    shown = flat(re.sub("[│╭╮╰╯]", " ", shown))  # the instructions' panel, unframed
    t = {key: flat(text) for key, text in texts("de").items()}
    for item in ML.items:
        assert t[f"item.{item.id}.text"] in shown
        assert item.text not in shown
    for point in ML.scale:
        assert f"{point} {t[f'scale.labels.{point}']}" in shown
    assert t["title"] in shown
    assert t["instructions"] in shown
    assert "Strongly agree" not in shown
    assert "Your answer" not in shown
    profile = mgrlead.Profile.from_json((tmp_path / "me.json").read_text("utf-8"))
    assert _numbers(profile) == _numbers(mgrlead.score(ML, dict.fromkeys(ML.item_ids, 4)))


def test_a_localized_rubric_says_its_language_and_goes_back() -> None:
    english = FILE
    german = english.localized("de")
    assert german.language == "de"
    assert sorted(german.translations) == ["en", "es", "fr"]
    assert german.translations["en"]["item.pr1.text"] == english.items[0].text
    assert german.localized("en") == english  # every text back, translations included
    assert german.localized("fr") == english.localized("fr")
    assert german.localized("de") is german


def test_a_rubric_made_from_the_built_in_keeps_the_translations_of_its_texts() -> None:
    import attrs  # noqa: PLC0415

    one = attrs.evolve(ML, dimensions=ML.dimensions[:1])  # what the docs' examples do
    german = one.localized("de")
    assert german.dimensions[0].name == ML.localized("de").dimensions[0].name
    assert "dimension.staff_counsel.name" not in one.translations["de"]  # its dimension went
    assert set(one.translations["de"]) <= set(one.text_keys())
    with pytest.raises(mgrlead.RubricError, match="unknown text key 'titel'; did you mean"):
        attrs.evolve(ML, translations={"de": {"titel": "Titel"}})  # a key of no text at all


def test_a_file_translating_a_text_it_does_not_have_is_refused(tmp_path: Path) -> None:
    text = FILE_PATH.read_text("utf-8") + '\n[translations.it]\n"item.zz9.text" = "Io"\n'
    path = tmp_path / "r.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(mgrlead.RubricFileError, match=(
        r"translation 'it' has the unknown text key 'item.zz9.text'; did you mean "
        r"'item.\w+.text'\? @ \$.translations.it"
    )):  # fmt: skip
        mgrlead.load_rubric(str(path))
