"""The web pages in German, French and Spanish (issue 20, part 4).

The pages' own words come from the catalogues, the rubric's from its
``translations``; the language is the session's, the landing page's ``?lang=``,
or what the browser's ``Accept-Language`` prefers.  The words expected here
are written for these tests; the English pages are those of
``tests/test_web_pages.py``, unchanged.
"""

# ruff: noqa: RUF001 - French is written with a typographic apostrophe (U+2019)

from __future__ import annotations

import asyncio
import html
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("sqlalchemy")
pytest.importorskip("jinja2")
pytest.importorskip("werkzeug")

import attrs
import httpx
from starlette.testclient import TestClient

import mgrlead
from mgrlead.i18n import LANGUAGES
from mgrlead.web import create_app
from mgrlead.web.endpoints import Api
from mgrlead.web.pages import browser_language, own_name
from test_web_pages import ITEMS, RUBRIC, _csrf, _pages, _start, _submit
from web_helpers import serving

if TYPE_CHECKING:
    from starlette.applications import Starlette

ADMIN = "an-admin-token-of-some-length"
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != "en")
IRT = Path(__file__).resolve().parents[1] / "examples" / "ipip-bfi50-irt.toml"

#: The test rubric's own texts in each language (the built-in rubric's come separately).
RUBRIC_TEXTS = {
    "de": {
        "title": "Verwalten oder führen?",
        "description": "Eine kurze Selbsteinschätzung.",
        "instructions": "Antworten Sie spontan.",
        f"item.{ITEMS[0]}.text": "Bewährte Abläufe behalte ich bei.",
    },
    "fr": {
        "title": "Gérer ou diriger ?",
        "description": "Une courte autoévaluation.",
        "instructions": "Répondez spontanément.",
        f"item.{ITEMS[0]}.text": "Je garde les procédures qui ont fait leurs preuves.",
    },
    "es": {
        "title": "¿Gestionar o liderar?",
        "description": "Una breve autoevaluación.",
        "instructions": "Responda de forma espontánea.",
        f"item.{ITEMS[0]}.text": "Mantengo los procesos que han dado buen resultado.",
    },
}
LABELS = {
    "de": ["Stimme gar nicht zu", "Stimme eher nicht zu", "Teils, teils", "Stimme eher zu",
           "Stimme voll zu"],
    "fr": ["Pas du tout d’accord", "Plutôt pas d’accord", "Ni l’un ni l’autre", "Plutôt d’accord",
           "Tout à fait d’accord"],
    "es": ["Totalmente en desacuerdo", "Algo en desacuerdo", "Ni de acuerdo ni en desacuerdo",
           "Algo de acuerdo", "Totalmente de acuerdo"],
}  # fmt: skip


def _translated(rubric: mgrlead.Rubric, texts: dict[str, dict[str, str]]) -> mgrlead.Rubric:
    scale = rubric.scale
    translations = {
        lang: texts[lang]
        | {f"scale.labels.{v}": lab for v, lab in zip(scale, LABELS[lang], strict=True)}
        for lang in TRANSLATED
    }
    return attrs.evolve(rubric, translations=translations)


TEST_RUBRIC = _translated(RUBRIC, RUBRIC_TEXTS)

#: Words each page shows in each language (written here, not read from the catalogues).
WORDS: dict[str, dict[str, list[str]]] = {
    "landing": {
        "en": ["How to answer", "24 statements on 4 pages; it takes about 4 minutes.", ">Start<"],
        "de": ["So antworten Sie", "24 Aussagen auf 4 Seiten; das dauert etwa 4 Minuten.",
               ">Starten<", "Ihre Antworten werden laufend gespeichert"],
        "fr": ["Comment répondre", "24 affirmations sur 4 pages\u00a0; comptez environ 4 minutes.",
               ">Commencer<", "au fur et à mesure"],
        "es": ["Cómo responder", "24 afirmaciones en 4 páginas; se tarda unos 4 minutos.",
               ">Empezar<", "se guardan sobre la marcha"],
    },
    "form": {
        "en": ["Page 1 of 4", "0 of 24 statements answered", ">Next<"],
        "de": ["Seite 1 von 4", "0 von 24 Aussagen beantwortet", ">Weiter<", "Zum Inhalt springen",
               "Alle Fragebögen", "Ihr persönlicher Link"],
        "fr": ["Page 1 sur 4", "Réponses données\u00a0: 0 sur 24 affirmations", ">Suivant<",
               "Aller au contenu", "Toutes les évaluations", "votre lien personnel"],
        "es": ["Página 1 de 4", "0 de 24 afirmaciones respondidas", ">Siguiente<",
               "Ir al contenido", "Todas las evaluaciones", "su enlace personal"],
    },
    "last": {  # the last page, after trying to finish with one statement unanswered
        "en": ["1 statement is not answered yet", "Finish with 1 unanswered", ">Back<"],
        "de": ["1 Aussage ist noch nicht beantwortet", "Mit 1 unbeantworteten Aussage abschließen",
               ">Zurück<"],
        "fr": ["1 affirmation n’a pas encore de réponse",
               "Terminer avec 1 affirmation sans réponse", ">Précédent<"],
        "es": ["1 afirmación aún no tiene respuesta", "Terminar con 1 sin responder",
               ">Anterior<"],
    },
    "result": {
        "en": ["Keep your results", "The report as one HTML file", "Skip to the results"],
        "de": ["Ihre Ergebnisse aufbewahren", "Der Bericht als eine HTML-Datei",
               "Zu den Ergebnissen springen", "drucken Sie sie mit Ihrem Browser"],
        "fr": ["Conserver vos résultats", "Le rapport en un seul fichier HTML",
               "Aller aux résultats", "imprimez-la depuis votre navigateur"],
        "es": ["Guarde sus resultados", "El informe en un único archivo HTML",
               "Ir a los resultados", "imprímala desde su navegador"],
    },
    "missing": {  # the private link of no assessment
        "en": ["No such assessment", "See the assessments this site offers"],
        "de": ["Diesen Fragebogen gibt es nicht", "Die Fragebögen dieser Website ansehen"],
        "fr": ["Évaluation introuvable", "Voir les évaluations proposées par ce site"],
        "es": ["Esta evaluación no existe", "Ver las evaluaciones que ofrece este sitio"],
    },
    "adaptive": {
        "en": ["Precision reached: 0%", "Skip this statement"],
        "de": ["Erreichte Genauigkeit: 0\u00a0%", "Diese Aussage überspringen",
               "Bisher 0 Aussagen"],
        "fr": ["Précision atteinte\u00a0: 0\u00a0%", "Passer cette affirmation",
               "0 affirmation jusqu’ici"],
        "es": ["Precisión alcanzada: 0\u00a0%", "Omitir esta afirmación",
               "0 afirmaciones hasta ahora"],
    },
}  # fmt: skip

#: English interface sentences that no translated page may show.
ENGLISH = [
    "How to answer", "statements on", "it takes about", "Your answers are saved", ">Start<",
    "Start the short", "Languages:", "Skip to the content", "All assessments", "Page 1 of",
    "statements answered", ">Next<", ">Back<", "See my results", "not answered yet",
    "Finish with", "Keep your results", "The report as one HTML file", "The profile as JSON",
    "To make a PDF", "Skip to the results", "No such assessment", "See the assessments",
    "Precision reached", "Skip this statement", "so far;", "The next statement is chosen",
    "This private link", "private link",
]  # fmt: skip
#: The result page's own: the rest of it is the report's (profile.html.j2, translated there).
ENGLISH_RESULT = [
    "Keep your results", "The report as one HTML file", "The profile as JSON", "To make a PDF",
    "Skip to the results", "All assessments", "share it only with",
]  # fmt: skip


def _text(response: Any) -> str:
    assert response.status_code in {200, 404, 409}, response.text
    return html.unescape(response.text)


def _check(page: str, kind: str, lang: str) -> None:
    assert f'<html lang="{lang}">' in page
    for words in WORDS[kind][lang]:
        assert words in page, f"{kind} in {lang}: {words!r} missing"
    if lang != "en":
        leaked = [e for e in (ENGLISH_RESULT if kind == "result" else ENGLISH) if e in page]
        assert not leaked, f"{kind} in {lang}: English shows: {leaked}"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Starlette]:
    with serving(tmp_path / "web.sqlite3", rubrics=[TEST_RUBRIC], admin_token=ADMIN) as app:
        yield app


def _finish(client: TestClient, token: str, skip: int = 0) -> Any:
    """Answer every statement (but the last ``skip``) page by page and finish."""
    pages = _pages()
    answered = ITEMS[: len(ITEMS) - skip]
    for number, items in enumerate(pages, start=1):
        answers = {i: 1 + (k % 5) for k, i in enumerate(items) if i in answered}
        go = "finish" if number == len(pages) else "next"
        r = _submit(client, token, number, answers, go=go)
        assert r.status_code == 303, r.text
    return r


# ------------------------------------------------------------------ every page, every language
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_landing_page_in_each_language(client: TestClient, lang: str) -> None:
    page = _text(client.get(f"/r/{RUBRIC.id}?lang={lang}"))
    _check(page, "landing", lang)
    title = RUBRIC.title if lang == "en" else RUBRIC_TEXTS[lang]["title"]
    assert f"<title>{title}</title>" in page
    assert f'name="lang" value="{lang}"' in page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_form_and_its_please_answer_warning_in_each_language(
    client: TestClient, lang: str
) -> None:
    token = _start(client, lang=lang)
    page = _text(client.get(f"/s/{token}"))
    _check(page, "form", lang)
    if lang != "en":
        assert RUBRIC_TEXTS[lang][f"item.{ITEMS[0]}.text"] in page
        assert f"<span>{LABELS[lang][4]}</span>" in page
    r = _finish(client, token, skip=1)
    assert "unanswered=1" in r.headers["location"]
    _check(_text(client.get(r.headers["location"])), "last", lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_result_page_in_each_language(client: TestClient, lang: str) -> None:
    token = _start(client, lang=lang)
    r = _finish(client, token)
    assert r.headers["location"].endswith("/result")
    _check(_text(client.get(r.headers["location"])), "result", lang)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_result_page_writes_a_decimal_comma(client: TestClient, lang: str) -> None:
    token = _start(client, lang=lang)
    page = client.get(_finish(client, token).headers["location"]).text
    scores = re.findall(r"<strong>(-?\d+[.,]\d)</strong>", page)
    assert scores, "the result page shows no score"
    assert all("," in s for s in scores), scores


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_error_pages_in_the_browsers_language(client: TestClient, lang: str) -> None:
    header = {"Accept-Language": lang}
    _check(_text(client.get("/s/" + "x" * 43, headers=header)), "missing", lang)
    unknown = _text(client.get("/no/such/page", headers=header))
    assert f'<html lang="{lang}">' in unknown
    expected = {"en": "Page not found", "de": "Seite nicht gefunden", "fr": "Page introuvable",
                "es": "Página no encontrada"}  # fmt: skip
    assert expected[lang] in unknown
    # the JSON API does not translate its errors: developers read them
    api = client.get("/api/v1/sessions/" + "x" * 43, headers=header)
    assert api.json()["error"]["type"] == "SessionNotFoundError"
    assert "no" in api.json()["error"]["message"].lower()
    assert "Fragebogen" not in api.text


def test_a_session_page_error_is_in_the_sessions_language(client: TestClient) -> None:
    token = _start(client, lang="fr")
    page = _text(client.get(f"/s/{token}?page=9", headers={"Accept-Language": "de"}))
    assert '<html lang="fr">' in page
    assert "Page inexistante" in page
    assert "Cette évaluation comporte les pages 1 à 4." in page


def test_a_refused_form_is_told_in_the_sessions_language(client: TestClient) -> None:
    token = _start(client, lang="fr")
    refused = client.post(f"/s/{token}", data={"pr1": "4"})  # no CSRF token: refused
    assert refused.status_code == 403
    page = html.unescape(refused.text)
    assert '<html lang="fr">' in page  # the session's language, not the browser's (none)
    assert "Cela n’a pas fonctionné" in page
    assert "That did not work" not in page


def test_a_closed_rounds_raters_page_in_the_rounds_language(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {ADMIN}"}
    body = {"subject": "Dana Lee", "rubric": RUBRIC.id, "language": "de",
            "raters": {"self": 1, "peer": 3}}  # fmt: skip
    created = client.post("/api/v1/admin/rounds", json=body, headers=auth).json()
    tokens = {r["group"]: r["token"] for r in created["raters"]}
    own = _text(client.get(f"/s/{tokens['self']}"))
    assert "Ihre Selbsteinschätzung im 360°-Feedback, <strong>Dana Lee</strong>." in own
    peer = _text(client.get(f"/s/{tokens['peer']}"))
    assert "Ihr 360°-Feedback zu <strong>Dana Lee</strong>, als Mitglied der Gruppe „" in peer
    assert "Dana Lee sieht Ihre einzelnen Antworten nicht." in peer
    client.post(f"/api/v1/admin/rounds/{created['id']}/close", headers=auth)
    closed = client.get(f"/s/{tokens['peer']}")
    assert closed.status_code == 409
    assert "Diese Feedbackrunde ist abgeschlossen" in closed.text
    assert "und nimmt keine Antworten mehr an" in closed.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_adaptive_page_in_each_language(tmp_path: Path, lang: str) -> None:
    irt = mgrlead.load_rubric(IRT)
    texts = {code: {"title": f"IRT {code}"} for code in TRANSLATED}
    rubric = attrs.evolve(irt, translations={code: texts[code] for code in TRANSLATED})
    app = create_app(database=tmp_path / "a.sqlite3", rubrics=[rubric])
    with TestClient(app) as c:
        c.get(f"/r/{rubric.id}?lang={lang}")
        form = {"csrf": _csrf(c), "lang": lang, "adaptive": "1"}
        started = c.post(f"/r/{rubric.id}", data=form, follow_redirects=False)
        assert started.status_code == 303, started.text
        _check(_text(c.get(started.headers["location"])), "adaptive", lang)
    app.state.store.close()


# ------------------------------------------------------------------ choosing the language
def test_the_browsers_languages_choose_among_the_rubrics(client: TestClient) -> None:
    swiss = {"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"}
    page = _text(client.get(f"/r/{RUBRIC.id}", headers=swiss))
    assert '<html lang="fr">' in page
    assert RUBRIC_TEXTS["fr"]["title"] in page
    assert 'name="lang" value="fr"' in page  # the session started here keeps it
    for header, lang in [
        ("xx", "en"),  # none of its languages: the rubric's own
        ("de;q=0, es;q=0.5", "es"),  # q=0 refuses German
        ("it, es-MX;q=0.7, de;q=0.6", "es"),
        ("en-GB, de;q=0.9", "en"),
    ]:
        shown = client.get(f"/r/{RUBRIC.id}", headers={"Accept-Language": header}).text
        assert f'<html lang="{lang}">' in shown, header
    # ?lang= wins over the browser
    chosen = client.get(f"/r/{RUBRIC.id}?lang=es", headers={"Accept-Language": "de"}).text
    assert '<html lang="es">' in chosen


def test_the_session_keeps_its_language_whatever_the_browser_says(client: TestClient) -> None:
    client.headers["Accept-Language"] = "es"
    client.get(f"/r/{RUBRIC.id}")
    data = {"csrf": _csrf(client), "lang": "es"}
    started = client.post(f"/r/{RUBRIC.id}", data=data, follow_redirects=False)
    token = started.headers["location"].rsplit("/", 1)[1]
    client.headers["Accept-Language"] = "de"
    page = _text(client.get(f"/s/{token}"))
    assert '<html lang="es">' in page
    assert "Página 1 de 4" in page


def test_pages_without_a_rubric_follow_the_interface_languages(client: TestClient) -> None:
    index = _text(client.get("/", headers={"Accept-Language": "es-ES,es;q=0.9"}))
    assert '<html lang="es">' in index
    assert "<title>Evaluaciones</title>" in index
    assert "24 afirmaciones" in index
    english = _text(client.get("/", headers={"Accept-Language": "pt-BR"}))
    assert '<html lang="en">' in english
    assert "24 statements" in english


def test_the_language_switcher_names_each_language_in_itself(client: TestClient) -> None:
    page = client.get(f"/r/{RUBRIC.id}?lang=de").text
    nav = re.search(r'<nav aria-label="Sprachen" id="languages">(.*?)</nav>', page, re.DOTALL)
    assert nav is not None
    links = re.findall(r'<a href="/r/manager-leader\?lang=(\w+)"[^>]*>([^<]+)</a>', nav.group(1))
    assert links == [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]
    assert 'hreflang="de" lang="de" aria-current="page">Deutsch' in nav.group(1)


def test_a_language_the_rubric_lacks_is_named_in_the_note(client: TestClient) -> None:
    # a language the rubric lacks: the browser's choice, with a note naming what there is
    page = _text(client.get(f"/r/{RUBRIC.id}?lang=it", headers={"Accept-Language": "de"}))
    assert '<html lang="de">' in page
    assert "'it'" in page
    assert "English, Deutsch, Français, Español" in page
    page = _text(client.get(f"/r/{RUBRIC.id}?lang=it"))
    assert '<html lang="en">' in page  # no browser language: the rubric's own
    assert "It has: English, Deutsch, Français, Español." in page


@pytest.mark.parametrize(("wanted", "lang"), [("es-MX", "es"), ("DE", "de"), ("fr_CA", "fr")])
def test_a_regional_or_upper_case_lang_takes_its_language(
    client: TestClient, wanted: str, lang: str
) -> None:
    page = _text(client.get(f"/r/{RUBRIC.id}?lang={wanted}"))
    assert f'<html lang="{lang}">' in page
    assert "has no texts" not in page


def test_the_list_of_assessments_shows_their_titles_in_the_browsers_language(
    client: TestClient,
) -> None:
    page = _text(client.get("/", headers={"Accept-Language": "de"}))
    assert '<html lang="de">' in page
    assert html.escape(TEST_RUBRIC.localized("de").title) in page
    assert html.escape(TEST_RUBRIC.title) not in page


def test_languages_the_interface_lacks_are_named_in_themselves_too() -> None:
    assert own_name("it") == "Italiano"
    assert own_name("de-CH") == "Deutsch (Schweiz)"
    assert own_name("qq-zz") == "qq-zz"  # no such language: its tag as given


def test_the_accept_language_header_is_parsed_by_quality() -> None:
    shipped = ["en", "de", "fr", "es"]
    assert browser_language("fr-CH, fr;q=0.9, en;q=0.8", shipped) == "fr"
    assert browser_language("en;q=0.1, de;q=0.8", shipped) == "de"
    assert browser_language("xx, yy;q=0.5", shipped) is None
    assert browser_language("", shipped) is None
    assert browser_language(None, shipped) is None
    assert browser_language("de-AT", ["en", "de-CH", "de"]) == "de"


# ------------------------------------------------------------------ concurrency
def test_interleaved_requests_keep_their_own_languages(
    client: TestClient, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests in two languages, each paused while the other runs, in one event loop."""
    tokens = {}
    for lang in ("de", "fr"):
        tokens[lang] = _start(client, lang=lang)
        _finish(client, tokens[lang])
    # both requests wait here for each other: each has set its language before and
    # renders after the other has set its own
    meeting = threading.Barrier(2, timeout=20)
    adaptive_of = Api.adaptive_of
    store_get = type(app.state.store).get

    def wait_then(method: Any) -> Any:
        def waiting(self: Any, *args: Any) -> Any:
            meeting.wait()
            return method(self, *args)

        return waiting

    monkeypatch.setattr(Api, "adaptive_of", wait_then(adaptive_of))

    async def both(urls: dict[str, tuple[str, str]]) -> dict[str, str]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as ac:
            pages = await asyncio.gather(
                *(ac.get(url, headers={"Accept-Language": h}) for url, h in urls.values())
            )
        return {lang: html.unescape(p.text) for lang, p in zip(urls, pages, strict=True)}

    # the result pages: the sessions' languages
    shown = asyncio.run(both({lang: (f"/s/{t}/result", "en") for lang, t in tokens.items()}))
    for lang in ("de", "fr"):
        _check(shown[lang], "result", lang)
    monkeypatch.setattr(Api, "adaptive_of", adaptive_of)
    # the error pages of no session: the browsers' languages
    monkeypatch.setattr(type(app.state.store), "get", wait_then(store_get))
    missing = "/s/" + "x" * 43
    shown = asyncio.run(both({lang: (missing, lang) for lang in ("es", "de")}))
    for lang in ("es", "de"):
        _check(shown[lang], "missing", lang)
