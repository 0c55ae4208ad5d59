"""The HTML pages of mgrlead.web (issue 19, parts 1 and 2), through Starlette's TestClient."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("sqlalchemy")
pytest.importorskip("jinja2")

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

import mgrlead
import mgrlead.report
from mgrlead.model import Pole
from mgrlead.results import Profile
from mgrlead.web import create_app
from web_helpers import DATABASES, database_for, serving

if TYPE_CHECKING:
    from starlette.applications import Starlette

RUBRIC = mgrlead.load_rubric("manager-leader")
ITEMS = RUBRIC.item_ids
EVIL = "<script>alert('x')</script>"
TOKEN_LINK = re.compile(r"^/s/([A-Za-z0-9_-]{43})$")


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_for(request.param, tmp_path)


@pytest.fixture
def app(database: str) -> Iterator[Starlette]:
    with serving(database) as app:
        yield app


def _csrf(client: TestClient) -> str:
    token = client.cookies.get("mgrlead_csrf")
    assert token, "the page set no CSRF cookie"
    return token


def _start(client: TestClient, rubric: str = "manager-leader", lang: str = "") -> str:
    landing = client.get(f"/r/{rubric}" + (f"?lang={lang}" if lang else ""))
    assert landing.status_code == 200, landing.text
    hidden = re.search(r'name="csrf" value="([^"]+)"', landing.text)
    assert hidden is not None
    assert hidden.group(1) == _csrf(client)
    r = client.post(
        f"/r/{rubric}", data={"csrf": hidden.group(1), "lang": lang}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    match = TOKEN_LINK.match(r.headers["location"])
    assert match, r.headers["location"]
    return match.group(1)


def _submit(
    client: TestClient, token: str, page: int, answers: dict[str, int], go: str = "next"
) -> Any:
    data = {"csrf": _csrf(client), "page": str(page), "go": go}
    data |= {f"a.{k}": str(v) for k, v in answers.items()}
    return client.post(f"/s/{token}", data=data, follow_redirects=False)


def _radios(page: str) -> list[str]:
    return re.findall(r'type="radio" name="a\.([^"]+)"', page)


def _checked(page: str) -> dict[str, int]:
    found = re.findall(r'name="a\.([^"]+)" value="(\d+)" checked', page)
    return {k: int(v) for k, v in found}


def _pages(items: tuple[str, ...] = ITEMS, size: int = 6) -> list[tuple[str, ...]]:
    return [items[k : k + size] for k in range(0, len(items), size)]


# ------------------------------------------------------------------ index and landing
def test_index_lists_every_rubric_with_a_link(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert f'href="/r/{RUBRIC.id}"' in r.text
    assert html.escape(RUBRIC.title) in r.text


def test_landing_page_says_what_it_is_and_how_long_it_takes(client: TestClient) -> None:
    r = client.get(f"/r/{RUBRIC.id}")
    assert r.status_code == 200
    text = html.unescape(r.text)
    assert RUBRIC.title in text
    assert RUBRIC.description in text
    assert RUBRIC.instructions in text
    # 24 statements at 10 s each: 4 minutes; 6 a page: 4 pages
    assert "24 statements on 4 pages; it takes about 4 minutes." in text
    assert re.search(r'<form method="post" action="/r/manager-leader">', r.text)


def test_unknown_rubric_is_a_friendly_404_page(client: TestClient) -> None:
    r = client.get("/r/manager-leeder")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "manager-leader" in r.text  # did you mean


def test_start_creates_a_session_and_redirects_to_its_private_link(
    client: TestClient, app: Starlette
) -> None:
    token = _start(client)
    stored = app.state.store.get(token)
    assert stored.rubric_id == RUBRIC.id
    assert stored.answers == {}
    r = client.get(f"/s/{token}")
    assert r.status_code == 200
    assert _radios(r.text)[::5] == list(ITEMS[:6])  # five points per statement


# ------------------------------------------------------------------ the form
def test_form_page_has_labelled_fieldsets_progress_and_no_inline_script(
    client: TestClient,
) -> None:
    token = _start(client)
    page = client.get(f"/s/{token}").text
    assert page.count('<fieldset class="statement"') == 6
    assert page.count("<legend>") == 6
    for label in RUBRIC.scale.labels:
        assert page.count(f"<span>{html.escape(label)}</span>") == 6
    # every radio is inside its own <label>
    assert len(re.findall(r'<label><input type="radio"', page)) == 30
    assert '<progress id="progress" max="4" value="1">' in page
    assert "Page 1 of 4" in page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.DOTALL)
    assert scripts == [(' src="/static/app.js" defer', "")]
    js = client.get("/static/app.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/report.css").status_code == 200
    assert client.get("/static/nothing.js").status_code == 404


def test_pages_save_answers_go_on_and_back(client: TestClient, app: Starlette) -> None:
    token = _start(client)
    first = dict.fromkeys(ITEMS[:6], 4)
    r = _submit(client, token, 1, first)
    assert r.status_code == 303
    assert r.headers["location"] == f"/s/{token}?page=2"
    assert app.state.store.get(token).answers == first
    second = {ITEMS[6]: 2, ITEMS[7]: 5}
    r = _submit(client, token, 2, second, go="back")
    assert r.headers["location"] == f"/s/{token}?page=1"
    assert app.state.store.get(token).answers == first | second  # back saves too
    back = client.get(r.headers["location"]).text
    assert _checked(back) == first  # the answers given are shown again
    assert "Page 1 of 4" in back
    page2 = client.get(f"/s/{token}?page=2").text
    assert _checked(page2) == second
    assert 'value="back"' in page2
    assert client.get(f"/s/{token}?page=9").status_code == 404


def test_a_changed_answer_replaces_the_old_one(client: TestClient, app: Starlette) -> None:
    token = _start(client)
    _submit(client, token, 1, {ITEMS[0]: 1})
    _submit(client, token, 1, {ITEMS[0]: 5})
    assert app.state.store.get(token).answers == {ITEMS[0]: 5}


def test_a_bad_answer_is_refused_with_the_librarys_message(
    client: TestClient, app: Starlette
) -> None:
    token = _start(client)
    r = _submit(client, token, 1, {ITEMS[0]: 9})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")
    assert ITEMS[0] in r.text
    r = _submit(client, token, 1, {"nope": 3})
    assert r.status_code == 404
    assert app.state.store.get(token).answers == {}


def test_resume_lands_on_the_first_page_with_an_unanswered_statement(
    database: str,
) -> None:
    app = create_app(database=database)
    with TestClient(app) as c:
        token = _start(c)
        _submit(c, token, 1, dict.fromkeys(ITEMS[:6], 3))
        _submit(c, token, 2, dict.fromkeys(ITEMS[6:9], 2))  # page 2 half answered
    app.state.store.close()
    again = create_app(database=database)  # a server restart: the database remembers
    try:
        with TestClient(again) as c:
            page = c.get(f"/s/{token}").text
            assert "Page 2 of 4" in page
            assert _checked(page) == dict.fromkeys(ITEMS[6:9], 2)
    finally:
        again.state.store.close()


# ------------------------------------------------------------------ CSRF
def test_a_form_without_the_right_csrf_token_is_refused(client: TestClient, app: Starlette) -> None:
    token = _start(client)
    good = _csrf(client)
    for bad in ("", "x" * 43, good + "x"):
        data = {"csrf": bad, "page": "1", f"a.{ITEMS[0]}": "3"}
        r = client.post(f"/s/{token}", data=data, follow_redirects=False)
        assert r.status_code == 403, bad
        assert r.headers["content-type"].startswith("text/html")
        assert "reload the page" in r.text
    # the right field but no cookie (a cross-site form cannot read or set it)
    client.cookies.clear()
    data = {"csrf": good, "page": "1", f"a.{ITEMS[0]}": "3"}
    assert client.post(f"/s/{token}", data=data).status_code == 403
    assert client.post(f"/r/{RUBRIC.id}", data={"csrf": good}).status_code == 403
    assert app.state.store.get(token).answers == {}
    assert app.state.store.counts()[0].started == 1


def test_too_many_starts_from_one_address_get_a_429_page(tmp_path: Path) -> None:
    app = create_app(database=tmp_path / "x.sqlite3", sessions_per_minute=2)
    with TestClient(app) as c:
        _start(c)
        _start(c)
        c.get(f"/r/{RUBRIC.id}")
        r = c.post(f"/r/{RUBRIC.id}", data={"csrf": _csrf(c)}, follow_redirects=False)
        assert r.status_code == 429
        assert r.headers["content-type"].startswith("text/html")
        wait = int(r.headers["retry-after"])
        assert wait >= 1
        # a respondent's words (the API's JSON keeps the developer's message)
        assert (
            "Too many assessments were started from this address in the last minute. "
            f"Please try again in {wait} seconds."
        ) in r.text
        r = c.post(f"/r/{RUBRIC.id}", data={"csrf": _csrf(c)}, headers={"Accept-Language": "de"},
                   follow_redirects=False)  # fmt: skip
        assert r.status_code == 429
        assert "Von dieser Adresse wurden in der letzten Minute zu viele Fragebögen" in r.text
    app.state.store.close()


# ------------------------------------------------------------------ finish and results
def test_finish_shows_the_results_and_downloads(client: TestClient, app: Starlette) -> None:
    token = _start(client)
    answers = {i: 1 + k % 5 for k, i in enumerate(ITEMS)}
    for n, items in enumerate(_pages(), start=1):
        go = "finish" if n == 4 else "next"
        r = _submit(client, token, n, {i: answers[i] for i in items}, go=go)
    assert r.headers["location"] == f"/s/{token}/result"
    expected = mgrlead.score(RUBRIC, answers)
    stored = app.state.store.get(token)
    assert Profile.from_json(stored.profile) == expected
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    text = html.unescape(page.text)
    for dim in RUBRIC.dimensions:
        assert dim.name in text
        assert f"{expected[dim.id].percent:.1f}" in text
    assert "Keep your results" in text
    # the form now leads to the results; answers can no longer change
    assert client.get(f"/s/{token}", follow_redirects=False).headers["location"] == (
        f"/s/{token}/result"
    )
    report = client.get(f"/s/{token}/report.html")
    assert "attachment" in report.headers["content-disposition"]
    assert report.text == mgrlead.report.profile_report(expected, RUBRIC)
    js = client.get(f"/s/{token}/profile.json")
    assert "attachment" in js.headers["content-disposition"]
    assert Profile.from_json(js.text) == expected


def test_results_page_csp_allows_its_bars_and_no_inline_script(client: TestClient) -> None:
    token = _start(client)
    for n, items in enumerate(_pages(), start=1):
        _submit(client, token, n, dict.fromkeys(items, 4), go="finish" if n == 4 else "next")
    r = client.get(f"/s/{token}/result")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    styles = set(re.findall(r' style="([^"]*)"', r.text))
    assert styles  # the bars are drawn with them
    for value in styles:
        digest = base64.b64encode(hashlib.sha256(html.unescape(value).encode()).digest())
        assert f"'sha256-{digest.decode()}'" in csp
    assert "<script" not in r.text
    assert "<style" not in r.text  # the report's style sheet is linked, not inline


def test_straight_lining_is_told_in_plain_words(client: TestClient) -> None:
    token = _start(client)
    for n, items in enumerate(_pages(), start=1):
        _submit(client, token, n, dict.fromkeys(items, 3), go="finish" if n == 4 else "next")
    text = html.unescape(client.get(f"/s/{token}/result").text)
    assert "How you answered" in text
    assert "You gave the same answer to all 24 statements you answered." in text


def test_finish_with_unanswered_statements_asks_first(client: TestClient, app: Starlette) -> None:
    token = _start(client)
    _submit(client, token, 1, dict.fromkeys(ITEMS[:6], 4))
    r = _submit(client, token, 4, dict.fromkeys(ITEMS[18:], 2), go="finish")
    assert r.headers["location"] == f"/s/{token}?page=2&unanswered=1"
    page = client.get(r.headers["location"]).text
    assert "12 statements are not answered yet" in page
    assert app.state.store.get(token).finished_at is None
    r = _submit(client, token, 2, {}, go="finish-anyway")
    assert r.headers["location"] == f"/s/{token}/result"
    answers = dict.fromkeys(ITEMS[:6], 4) | dict.fromkeys(ITEMS[18:], 2)
    profile = Profile.from_json(app.state.store.get(token).profile)
    assert profile == mgrlead.score(RUBRIC, answers)  # unanswered stay missing, never 0


def test_an_unfinished_result_redirects_to_the_form(client: TestClient) -> None:
    token = _start(client)
    for tail in ("/result", "/report.html", "/profile.json"):
        r = client.get(f"/s/{token}{tail}", follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == f"/s/{token}"


def test_a_wrong_token_is_a_friendly_404_page(client: TestClient) -> None:
    for path in ("/s/not-a-token", "/s/not-a-token/result", "/s/not-a-token/report.html"):
        r = client.get(path)
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("text/html")
        assert "No such assessment" in r.text
    r = client.get("/no/such/page")
    assert r.status_code == 404
    assert "Page not found" in r.text
    # the JSON API still answers in JSON
    api = client.get("/api/v1/no/such")
    assert api.status_code == 404
    assert api.json()["error"]["type"] == "NotFound"


# ------------------------------------------------------------------ language
def test_lang_shows_the_rubrics_translation(tmp_path: Path) -> None:
    german = attrs.evolve(
        RUBRIC,
        translations={
            "de": {
                "title": "Manager oder Führungskraft?",
                f"item.{ITEMS[0]}.text": "Wenn sich ein Prozess bewährt hat, bleibt er.",
                "scale.labels.5": "Stimme voll zu",
            }
        },
    )
    app = create_app(database=tmp_path / "x.sqlite3", rubrics=[german])
    with TestClient(app) as c:
        landing = c.get(f"/r/{RUBRIC.id}?lang=de").text
        assert "Manager oder Führungskraft?" in landing
        assert '<html lang="de">' in landing
        token = _start(c, lang="de")
        assert app.state.store.get(token).language == "de"
        page = c.get(f"/s/{token}").text
        assert "Wenn sich ein Prozess bewährt hat, bleibt er." in page
        assert "<span>Stimme voll zu</span>" in page
        assert RUBRIC.item(ITEMS[1]).text in html.unescape(page)  # untranslated: falls back
        other = c.get(f"/r/{RUBRIC.id}?lang=fr").text
        assert "no texts in &#39;fr&#39;" in other
        assert html.escape(RUBRIC.title) in other
    app.state.store.close()


# ------------------------------------------------------------------ escaping
def _evil() -> mgrlead.Rubric:
    first = RUBRIC.dimensions[0]
    items = [attrs.evolve(first.items[0], text=f"Item {EVIL}"), *first.items[1:]]
    low = Pole(id=first.low.id, label=f"Low {EVIL}", description=f"about {EVIL}")
    dim = attrs.evolve(first, name=f"Dimension {EVIL}", items=items, low=low)
    return attrs.evolve(
        RUBRIC,
        title=f"Title {EVIL}",
        description=f"Description {EVIL}",
        instructions=f"Instructions {EVIL}",
        dimensions=[dim, *RUBRIC.dimensions[1:]],
    )


def test_rubric_texts_are_escaped_on_every_page(tmp_path: Path) -> None:
    app = create_app(database=tmp_path / "x.sqlite3", rubrics=[_evil()])
    with TestClient(app) as c:
        shown = [c.get("/").text, c.get(f"/r/{RUBRIC.id}").text]
        token = _start(c)
        shown.append(c.get(f"/s/{token}").text)
        for n, items in enumerate(_pages(), start=1):
            _submit(c, token, n, dict.fromkeys(items, 1), go="finish" if n == 4 else "next")
        shown.append(c.get(f"/s/{token}/result").text)
        for page in shown:
            assert "<script>alert" not in page
            assert "&lt;script&gt;alert" in page
        assert "Item &lt;script&gt;" in shown[2]
        assert "Dimension &lt;script&gt;" in shown[3]
    app.state.store.close()


# ------------------------------------------------------------------ property
@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(
        database=tmp_path_factory.mktemp("pages") / "x.sqlite3", sessions_per_minute=10_000
    )
    with TestClient(app) as c:
        yield c
    app.state.store.close()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    answers=st.dictionaries(st.sampled_from(ITEMS), st.integers(1, 5), max_size=len(ITEMS)),
    size=st.integers(1, 24),
)
def test_form_answers_are_stored_as_given_and_scored_as_mgrlead_scores(
    shared: TestClient, answers: dict[str, int], size: int
) -> None:
    token = _start(shared)
    api = shared.app.state.mgrlead  # type: ignore[attr-defined]
    api.page_size = size  # the page size is the app's; every size must work
    try:
        pages = _pages(size=size)
        for n, items in enumerate(pages, start=1):
            given_here = {i: answers[i] for i in items if i in answers}
            last = n == len(pages)
            r = _submit(shared, token, n, given_here, go="finish-anyway" if last else "next")
            assert r.status_code == 303
        stored = shared.app.state.store.get(token)  # type: ignore[attr-defined]
    finally:
        api.page_size = 6
    assert stored.answers == answers
    assert Profile.from_json(stored.profile) == mgrlead.score(RUBRIC, answers)


# ------------------------------------------------------------------ mounted
def test_pages_work_mounted_under_a_path(tmp_path: Path) -> None:
    from starlette.applications import Starlette  # noqa: PLC0415
    from starlette.routing import Mount  # noqa: PLC0415

    inner = create_app(database=tmp_path / "x.sqlite3")
    outer = Starlette(routes=[Mount("/assess", inner)])
    with TestClient(outer) as c:
        landing = c.get(f"/assess/r/{RUBRIC.id}")
        assert '<form method="post" action="/assess/r/manager-leader">' in landing.text
        assert 'href="/assess/static/app.css"' in landing.text
        assert c.cookies.get("mgrlead_csrf")
        r = c.post(
            f"/assess/r/{RUBRIC.id}", data={"csrf": _csrf(c), "lang": ""}, follow_redirects=False
        )
        assert r.status_code == 303
        link = r.headers["location"]
        assert link.startswith("/assess/s/")
        token = link.rsplit("/", 1)[1]
        page = c.get(link).text
        assert f'data-api="/assess/api/v1/sessions/{token}/answers/"' in page
        data = {"csrf": _csrf(c), "page": "1", "go": "next", f"a.{ITEMS[0]}": "2"}
        r = c.post(link, data=data, follow_redirects=False)
        assert r.headers["location"] == f"{link}?page=2"
        assert inner.state.store.get(token).answers == {ITEMS[0]: 2}
        # the script's autosave address is the API's
        put = c.put(f"/assess/api/v1/sessions/{token}/answers/{ITEMS[1]}", json={"value": 5})
        assert put.status_code == 200
    inner.state.store.close()
