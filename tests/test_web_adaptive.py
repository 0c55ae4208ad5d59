"""Adaptive sessions in mgrlead.web (issue 19, part 2): the API and the form pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("sqlalchemy")

from starlette.testclient import TestClient

import mgrlead
from mgrlead.adaptive import AdaptiveSession, CatOptions
from mgrlead.errors import ReportError
from mgrlead.report import profile_report
from mgrlead.web import create_app
from web_helpers import DATABASES, database_for

if TYPE_CHECKING:
    from starlette.applications import Starlette

IRT = Path(__file__).resolve().parents[1] / "examples" / "ipip-bfi50-irt.toml"
RUBRIC = mgrlead.load_rubric(IRT)
API = "/api/v1"


def _app(url: str) -> Starlette:
    return create_app(database=url, rubrics=[IRT, "manager-leader"])


@pytest.fixture(params=DATABASES)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_for(request.param, tmp_path)


@pytest.fixture
def client(url: str) -> Iterator[TestClient]:
    app = _app(url)
    with TestClient(app) as c:
        yield c
    app.state.store.close()


def _code(item: str) -> int:
    """A fixed answer per item, varied over the scale (1 to 5)."""
    return sum(map(ord, item)) % 5 + 1


def _start(client: TestClient, **options: Any) -> dict[str, Any]:
    r = client.post(f"{API}/sessions", json={"rubric": RUBRIC.id, "adaptive": options})
    assert r.status_code == 201, r.text
    return r.json()


def _run(client: TestClient, token: str) -> list[str]:
    """Answer what the engine asks until it stops; the items asked, in order."""
    asked: list[str] = []
    while True:
        state = client.get(f"{API}/sessions/{token}").json()
        item = state["adaptive"]["next_item"]
        if state["adaptive"]["done"]:
            assert item is None
            return asked
        assert state["next_item"] == item
        asked.append(item)
        r = client.put(f"{API}/sessions/{token}/answers/{item}", json={"value": _code(item)})
        assert r.status_code == 200, r.text
        assert r.json()["adaptive"]["asked"] == asked


@pytest.mark.parametrize(
    ("options", "rule"), [({"se": 0.5}, "se"), ({"max_items": 6}, "max_items")]
)
def test_a_whole_adaptive_session_through_the_api(
    client: TestClient, options: dict[str, Any], rule: str
) -> None:
    state = _start(client, **options)
    token = state["token"]
    assert state["adaptive"]["asked"] == []
    asked = _run(client, token)
    assert len(asked) == len(set(asked)), "an item was asked twice"
    assert 0 < len(asked) < len(RUBRIC.items)
    end = client.get(f"{API}/sessions/{token}").json()
    assert rule in end["adaptive"]["stopped_by"]
    if rule == "max_items":
        assert len(asked) == 6
    # the answers are ordinary answer rows
    assert end["answers"] == {i: _code(i) for i in asked}
    profile = client.post(f"{API}/sessions/{token}/finish").json()
    # the same answers, given to the library's own adaptive session in the same order
    alone = AdaptiveSession.start(RUBRIC, CatOptions(**options), seed=0)
    for item in asked:
        alone.answer(item, _code(item))
    expected = {s.dimension: (s.theta, s.se) for s in alone.theta().scores}
    got = {d["dimension"]: d["theta"] for d in profile["dimensions"] if d["theta"] is not None}
    assert got
    for dim, theta in got.items():
        assert theta["theta"] == pytest.approx(expected[dim][0], abs=1e-12)
        assert theta["theta_se"] == pytest.approx(expected[dim][1], abs=1e-12)
    assert profile["strategy"] == "theta"


def test_only_the_item_asked_is_taken(client: TestClient) -> None:
    state = _start(client, se=0.4)
    token, asked = state["token"], state["adaptive"]["next_item"]
    other = next(i for i in RUBRIC.item_ids if i != asked)
    r = client.put(f"{API}/sessions/{token}/answers/{other}", json={"value": 3})
    assert r.status_code == 409, r.text
    assert repr(asked) in r.json()["error"]["message"]
    assert client.get(f"{API}/sessions/{token}").json()["answers"] == {}


def test_delete_takes_the_last_answer_back_and_re_estimates(client: TestClient) -> None:
    state = _start(client, se=0.4)
    token, first = state["token"], state["adaptive"]["next_item"]
    before = state["adaptive"]["estimates"]
    client.put(f"{API}/sessions/{token}/answers/{first}", json={"value": 5})
    second = client.get(f"{API}/sessions/{token}").json()["adaptive"]["next_item"]
    client.put(f"{API}/sessions/{token}/answers/{second}", json={"value": 1})
    # only the last answer can be taken back
    assert client.delete(f"{API}/sessions/{token}/answers/{first}").status_code == 409
    r = client.delete(f"{API}/sessions/{token}/answers/{second}")
    assert r.status_code == 200, r.text
    r = client.delete(f"{API}/sessions/{token}/answers/{first}")
    assert r.status_code == 200, r.text
    back = client.get(f"{API}/sessions/{token}").json()
    assert back["answers"] == {}
    assert back["adaptive"]["asked"] == []
    assert back["adaptive"]["estimates"] == before
    assert back["adaptive"]["next_item"] == first


def test_a_skip_is_not_an_answer_and_is_not_asked_again(client: TestClient) -> None:
    state = _start(client, max_items=3)
    token, first = state["token"], state["adaptive"]["next_item"]
    r = client.put(f"{API}/sessions/{token}/answers/{first}", json={"value": None})
    assert r.status_code == 200, r.text
    now = client.get(f"{API}/sessions/{token}").json()
    assert now["answers"] == {}
    assert now["adaptive"]["asked"] == [first]
    assert now["adaptive"]["next_item"] != first


def test_resuming_on_a_new_app_gives_the_same_next_item(url: str) -> None:
    first = _app(url)
    with TestClient(first) as c:
        token = _start(c, se=0.3)["token"]
        for _ in range(3):
            item = c.get(f"{API}/sessions/{token}").json()["adaptive"]["next_item"]
            c.put(f"{API}/sessions/{token}/answers/{item}", json={"value": _code(item)})
        before = c.get(f"{API}/sessions/{token}").json()["adaptive"]
    first.state.store.close()
    second = _app(url)
    with TestClient(second) as c:
        after = c.get(f"{API}/sessions/{token}").json()["adaptive"]
    second.state.store.close()
    assert after == before
    assert after["next_item"] is not None


def test_finishing_before_the_test_stops_needs_allow_incomplete(client: TestClient) -> None:
    token = _start(client, se=0.3)["token"]
    r = client.post(f"{API}/sessions/{token}/finish")
    assert r.status_code == 409
    assert "not stopped" in r.json()["error"]["message"]
    r = client.post(f"{API}/sessions/{token}/finish", json={"allow_incomplete": True})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rubric": RUBRIC.id, "adaptive": {"se": -1}}, "adaptive.se"),
        ({"rubric": RUBRIC.id, "adaptive": {"max_items": 0}}, "adaptive.max_items"),
        ({"rubric": RUBRIC.id, "adaptive": {"maxitems": 5}}, "adaptive.maxitems"),
        ({"rubric": RUBRIC.id, "adaptive": 5}, "adaptive"),
        ({"rubric": "manager-leader", "adaptive": {}}, "rubric"),
    ],
)
def test_bad_adaptive_options_are_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    r = client.post(f"{API}/sessions", json=body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["field"] == field, error
    assert re.search(r"\w", error["message"])


# ----------------------------------------------------------------- the form pages
def _csrf(client: TestClient) -> str:
    token = client.cookies.get("mgrlead_csrf")
    assert token
    return token


def _start_page(client: TestClient) -> str:
    """Start an adaptive session with the landing page's second button; its token."""
    landing = client.get(f"/r/{RUBRIC.id}")
    assert landing.status_code == 200
    assert 'name="adaptive" value="1"' in landing.text
    r = client.post(
        f"/r/{RUBRIC.id}", data={"csrf": _csrf(client), "adaptive": "1"}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    return r.headers["location"].rsplit("/", 1)[1]


def _shown(page: str) -> str | None:
    """The one statement an adaptive page shows (``None``: none)."""
    ids = re.findall(r'name="item" value="([^"]+)"', page)
    assert len(ids) <= 1
    assert len(re.findall(r'<fieldset class="statement"', page)) == len(ids)
    return ids[0] if ids else None


def _post(client: TestClient, token: str, **data: str) -> Any:
    return client.post(f"/s/{token}", data={"csrf": _csrf(client), **data}, follow_redirects=False)


def test_a_rubric_without_parameters_offers_no_adaptive_start(client: TestClient) -> None:
    landing = client.get("/r/manager-leader")
    assert landing.status_code == 200
    assert 'name="adaptive"' not in landing.text


def test_a_whole_adaptive_session_through_the_pages(client: TestClient) -> None:
    token = _start_page(client)
    asked: list[str] = []
    page = client.get(f"/s/{token}")
    assert "Precision reached: 0%" in page.text
    assert "Page 1 of" not in page.text
    while True:
        item = _shown(page.text)
        assert item is not None
        assert item not in asked, "an item was asked twice"
        asked.append(item)
        r = _post(client, token, item=item, **{f"a.{item}": str(_code(item))})
        assert r.status_code == 303, r.text
        if r.headers["location"].endswith("/result"):
            break
        page = client.get(r.headers["location"])
        assert page.status_code == 200
    state = client.get(f"{API}/sessions/{token}").json()
    assert state["finished_at"] is not None
    assert state["answers"] == {i: _code(i) for i in asked}
    assert len(asked) < len(RUBRIC.items)
    # the default options' SE rule stopped it; θ as the library's session on the same answers
    alone = AdaptiveSession.start(RUBRIC, CatOptions(), seed=0)
    for item in asked:
        alone.answer(item, _code(item))
    assert alone.done
    assert "se" in alone.stopped_by
    expected = {s.dimension: s.theta for s in alone.theta().scores}
    for dim in state["profile"]["dimensions"]:
        if dim["theta"] is not None:
            assert dim["theta"]["theta"] == pytest.approx(expected[dim["dimension"]], abs=1e-12)
    result = client.get(f"/s/{token}/result")
    assert result.status_code == 200
    assert RUBRIC.dimensions[0].name in result.text
    report = client.get(f"/s/{token}/report.html")
    assert report.status_code == 200
    assert "attachment" in report.headers["content-disposition"]


def test_the_report_of_an_adaptive_profile_takes_its_scoring_rubric() -> None:
    session = AdaptiveSession.start(RUBRIC, CatOptions(max_items=4), seed=3)
    while not session.done:
        session.answer(session.next_item(), 2)
    profile = session.profile()
    with pytest.raises(ReportError, match="another version"):
        profile_report(profile, RUBRIC)  # the θ strategy and the session's prior differ
    assert "<html" in profile_report(profile, session.scoring_rubric()).lower()


def test_back_on_an_adaptive_page_takes_the_last_answer_back(client: TestClient) -> None:
    token = _start_page(client)
    first = _shown(client.get(f"/s/{token}").text)
    assert first is not None
    _post(client, token, item=first, **{f"a.{first}": "5"})
    second = _shown(client.get(f"/s/{token}").text)
    assert second is not None
    assert second != first
    assert "Precision reached: 0%" not in client.get(f"/s/{token}").text
    r = _post(client, token, item=second, go="back")
    assert r.status_code == 303
    page = client.get(f"/s/{token}")
    assert _shown(page.text) == first
    assert "Precision reached: 0%" in page.text
    assert client.get(f"{API}/sessions/{token}").json()["answers"] == {}


def test_next_without_an_answer_asks_again_and_skip_skips(client: TestClient) -> None:
    token = _start_page(client)
    first = _shown(client.get(f"/s/{token}").text)
    r = _post(client, token, item=first or "")
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert 'id="unanswered"' in page.text
    assert _shown(page.text) == first
    _post(client, token, item=first or "", go="skip")
    state = client.get(f"{API}/sessions/{token}").json()
    assert state["answers"] == {}
    assert state["adaptive"]["asked"] == [first]
    assert _shown(client.get(f"/s/{token}").text) not in {first, None}


def test_a_stale_adaptive_page_is_refused_naming_the_item_asked(client: TestClient) -> None:
    token = _start_page(client)
    first = _shown(client.get(f"/s/{token}").text)
    assert first is not None
    _post(client, token, item=first, **{f"a.{first}": "2"})
    again = _post(client, token, item=first, **{f"a.{first}": "4"})
    assert again.status_code == 409
    nxt = client.get(f"{API}/sessions/{token}").json()["adaptive"]["next_item"]
    assert nxt in again.text
    assert client.get(f"{API}/sessions/{token}").json()["answers"] == {first: 2}
