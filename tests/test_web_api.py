"""The JSON API of mgrlead.web (issue 19, parts 5 and 6), through Starlette's TestClient."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("sqlalchemy")

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

import mgrlead
from mgrlead.errors import AnswerError, InputError, RequestError
from mgrlead.io.serialize import load_rubric_text
from mgrlead.model import MissingCode, Scale
from mgrlead.plan import content_hash
from mgrlead.results import Profile
from mgrlead.testing import hypothesis as mh
from mgrlead.web import Store, create_app
from mgrlead.web.safety import RateLimiter
from web_helpers import DATABASES, database_for, serving

ADMIN = "an-admin-token-of-some-length"
RUBRIC = mgrlead.load_rubric("manager-leader")
API = "/api/v1"


@pytest.fixture(params=DATABASES)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Starlette]:
    with serving(database_for(request.param, tmp_path), admin_token=ADMIN) as app:
        yield app


def _session(client: TestClient, **body: Any) -> dict[str, Any]:
    r = client.post(f"{API}/sessions", json={"rubric": "manager-leader", **body})
    assert r.status_code == 201, r.text
    return r.json()


def _error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"error"}
    return body["error"]


def _library_message(call: Any) -> str:
    try:
        call()
    except mgrlead.MgrleadError as exc:
        return str(exc)
    raise AssertionError("the library raised nothing")


# ------------------------------------------------------------------ rubrics
def test_rubrics_are_listed_with_their_version_and_hash(client: TestClient) -> None:
    listed = client.get(f"{API}/rubrics").json()["rubrics"]
    ids = [r["id"] for r in listed]
    assert ids == list(mgrlead.available_rubrics())
    ml = listed[ids.index("manager-leader")]
    assert ml["version"] == RUBRIC.version
    assert ml["items"] == 24
    assert ml["content_hash"] == content_hash(RUBRIC)
    assert ml["links"]["self"] == f"http://testserver{API}/rubrics/manager-leader"


def test_a_rubric_is_served_in_the_json_form_rubric_files_use(client: TestClient) -> None:
    r = client.get(f"{API}/rubrics/manager-leader")
    assert r.status_code == 200
    assert load_rubric_text(r.text, fmt="json") == RUBRIC


def test_an_unknown_rubric_is_404_naming_the_closest(client: TestClient) -> None:
    error = _error(client.get(f"{API}/rubrics/manager-leadr"), 404)
    assert error["type"] == "UnknownIdError"
    assert "did you mean 'manager-leader'" in error["message"]


def test_only_the_rubrics_asked_for_are_served(tmp_path: Path) -> None:
    other = attrs.evolve(RUBRIC, id="other", version="2.0")
    app = create_app(database=tmp_path / "x.sqlite3", rubrics=[other])
    with TestClient(app) as c:
        assert [r["id"] for r in c.get(f"{API}/rubrics").json()["rubrics"]] == ["other"]
        _error(c.get(f"{API}/rubrics/manager-leader"), 404)


def test_two_rubrics_with_one_id_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="two of the rubrics have the id 'manager-leader'"):
        create_app(
            database=tmp_path / "x.sqlite3",
            rubrics=["manager-leader", attrs.evolve(RUBRIC, version="9")],
        )


# ------------------------------------------------------------------ score
def _json_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """NaN is not JSON: the API takes null for it (the library treats both as missing)."""
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in answers.items()}


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_score_returns_what_mgrlead_score_returns(shared_store: Store, data: Any) -> None:
    rubric = data.draw(mh.rubrics(), label="rubric")
    answers = data.draw(mh.answers(rubric), label="answers")
    careless = data.draw(st.booleans(), label="careless")
    with TestClient(create_app(database=shared_store, rubrics=[rubric])) as c:
        r = c.post(
            f"{API}/score",
            json={
                "rubric": rubric.id,
                "answers": _json_answers(answers),
                "options": {"careless": careless},
            },
        )
    assert r.status_code == 200, r.text
    assert r.json() == json.loads(r.text)
    assert Profile.from_json(r.text) == mgrlead.score(rubric, answers, careless=careless)


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One database for the property tests' many examples (each makes its own app)."""
    store = Store(tmp_path_factory.mktemp("shared") / "web.sqlite3")
    yield store
    store.close()


@pytest.mark.parametrize(
    ("value", "shown"),
    [(9, 9), (True, True), ("3", "3"), (2.5, 2.5), (0, 0)],
)
def test_score_errors_are_the_librarys(client: TestClient, value: Any, shown: Any) -> None:
    answers = {"pr1": value}
    r = client.post(f"{API}/score", json={"rubric": "manager-leader", "answers": answers})
    error = _error(r, 422)
    assert error["type"] == "AnswerError"
    assert error["item"] == "pr1"
    assert error["message"] == _library_message(lambda: mgrlead.score(RUBRIC, {"pr1": shown}))


def test_score_refuses_an_unknown_item_with_the_librarys_message(client: TestClient) -> None:
    r = client.post(f"{API}/score", json={"rubric": "manager-leader", "answers": {"px": 1}})
    error = _error(r, 422)
    assert error["message"] == _library_message(lambda: mgrlead.score(RUBRIC, {"px": 1}))


def test_score_options_reach_the_library(client: TestClient) -> None:
    answers = dict.fromkeys(RUBRIC.item_ids, 2)
    answers["pr1"] = None
    body = {"rubric": "manager-leader", "answers": answers, "options": {"careless": False}}
    got = Profile.from_json(client.post(f"{API}/score", json=body).text)
    assert got == mgrlead.score(RUBRIC, answers, careless=False)
    assert got.careless is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": {}}, "rubric"),
        ({"rubric": "manager-leader"}, "answers"),
        ({"rubric": 3, "answers": {}}, "rubric"),
        ({"rubric": "manager-leader", "answers": [1, 2]}, "answers"),
        ({"rubric": "manager-leader", "answers": {}, "optoins": {}}, "optoins"),
        ({"rubric": "manager-leader", "answers": {}, "options": {"carless": True}},
         "options.carless"),
        ({"rubric": "manager-leader", "answers": {}, "options": {"careless": "no"}},
         "options.careless"),
    ],
)  # fmt: skip
def test_a_bad_field_is_422_naming_it(client: TestClient, body: Any, field: str) -> None:
    error = _error(client.post(f"{API}/score", json=body), 422)
    assert error["type"] == "RequestError"
    assert error["field"] == field
    assert repr(field.rsplit(".", 1)[-1]) in error["message"] or field in error["message"]


def test_an_unknown_option_value_is_the_librarys_error(client: TestClient) -> None:
    body = {"rubric": "manager-leader", "answers": {}, "options": {"strategy": "meen"}}
    error = _error(client.post(f"{API}/score", json=body), 422)
    assert error["message"] == _library_message(lambda: mgrlead.score(RUBRIC, {}, strategy="meen"))


@pytest.mark.parametrize(
    ("content", "status", "words"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b'{"rubric": "a", "rubric": "b"}', 400, "gives the key 'rubric' twice"),
        (b'{"rubric": "manager-leader", "answers": {"pr1": NaN}}', 400, "NaN, which is not JSON"),
        (b"[1, 2]", 422, "must be a JSON object"),
        (b"", 400, "has no body"),
        (b"[" * 100_000 + b"]" * 100_000, 400, "not valid JSON"),
    ],
)
def test_a_malformed_body_is_refused(
    client: TestClient, content: bytes, status: int, words: str
) -> None:
    r = client.post(f"{API}/score", content=content, headers={"Content-Type": "application/json"})
    assert words in _error(r, status)["message"]


def test_a_body_that_is_not_json_typed_is_415(client: TestClient) -> None:
    r = client.post(
        f"{API}/score",
        content=b'{"rubric": "manager-leader", "answers": {}}',
        headers={"Content-Type": "text/plain"},
    )
    assert "Content-Type: application/json" in _error(r, 415)["message"]


def test_a_large_body_is_413_with_or_without_a_length(tmp_path: Path) -> None:
    app = create_app(database=tmp_path / "x.sqlite3", max_body_bytes=300)
    body = json.dumps({"rubric": "manager-leader", "answers": {"pr1": 1}, "pad": "x" * 400})
    with TestClient(app) as c:
        r = c.post(f"{API}/score", content=body, headers={"Content-Type": "application/json"})
        assert "larger than 300 bytes" in _error(r, 413)["message"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: chunked
            for k in range(0, len(body), 50):
                yield body[k : k + 50].encode()

        r = c.post(f"{API}/score", content=chunks(), headers={"Content-Type": "application/json"})
        assert "larger than 300 bytes" in _error(r, 413)["message"]
        small = {"rubric": "manager-leader", "answers": {"pr1": 1}}
        assert c.post(f"{API}/score", json=small).status_code == 200


# ------------------------------------------------------------------ sessions
def test_a_session_from_start_to_profile(client: TestClient) -> None:
    state = _session(client)
    token = state["token"]
    assert len(token) >= 43
    assert state["answers"] == {}
    assert state["items_total"] == 24
    assert state["next_item"] == RUBRIC.item_ids[0]
    page = state["page"]
    assert page["number"] == 1
    assert page["count"] == 4
    assert [i["id"] for i in page["items"]] == list(RUBRIC.item_ids[:6])
    first = page["items"][0]
    assert first["text"] == RUBRIC.item(RUBRIC.item_ids[0]).text
    assert [lab["label"] for lab in first["scale"]["labels"]] == list(RUBRIC.scale.labels)
    answers = {item: (k % 5) + 1 for k, item in enumerate(RUBRIC.item_ids)}
    for item, value in answers.items():
        r = client.put(f"{API}/sessions/{token}/answers/{item}", json={"value": value})
        assert r.status_code == 200, r.text
    assert r.json()["next_item"] is None
    assert r.json()["answered_count"] == 24
    r = client.post(f"{API}/sessions/{token}/finish")
    assert r.status_code == 200, r.text
    profile = Profile.from_json(r.text)
    assert profile == mgrlead.score(RUBRIC, answers)
    assert client.post(f"{API}/sessions/{token}/finish").text == r.text  # again: the same
    state = client.get(f"{API}/sessions/{token}").json()
    assert state["finished_at"] is not None
    assert Profile.from_dict(state["profile"]) == profile
    for value in (1, 9):  # finished comes first, before the answer's own checks
        r = client.put(f"{API}/sessions/{token}/answers/pr1", json={"value": value})
        assert "can no longer change" in _error(r, 409)["message"]


def test_the_state_shows_the_page_of_the_next_unanswered_item(client: TestClient) -> None:
    token = _session(client)["token"]
    for item in RUBRIC.item_ids[:7]:
        client.put(f"{API}/sessions/{token}/answers/{item}", json={"value": 3})
    state = client.get(f"{API}/sessions/{token}").json()
    assert state["next_item"] == RUBRIC.item_ids[7]
    assert state["page"]["number"] == 2
    assert state["page"]["items"][0]["answer"] == 3
    assert client.get(f"{API}/sessions/{token}?page=1").json()["page"]["number"] == 1
    assert _error(client.get(f"{API}/sessions/{token}?page=5"), 422)["field"] == "page"
    assert _error(client.get(f"{API}/sessions/{token}?page=x"), 422)["field"] == "page"


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(RUBRIC.item_ids[:8]),
            st.one_of(st.none(), st.integers(1, 5)),
            st.booleans(),
        ),
        max_size=20,
    )
)
def test_a_sequence_of_answers_is_stored_as_given(shared_store: Store, steps: Any) -> None:
    store = shared_store
    with TestClient(create_app(database=store, rubrics=["manager-leader"])) as c:
        token = _session(c)["token"]
        expected: dict[str, int] = {}
        for item, value, by_delete in steps:
            url = f"{API}/sessions/{token}/answers/{item}"
            r = c.delete(url) if value is None and by_delete else c.put(url, json={"value": value})
            assert r.status_code == 200, r.text
            if value is None:
                expected.pop(item, None)
            else:
                expected[item] = value
            assert r.json()["answered_count"] == len(expected)
        state = c.get(f"{API}/sessions/{token}").json()
    assert state["answers"] == expected
    assert store.get(token).answers == expected


@pytest.mark.parametrize("value", [9, 0, True, "3", 2.5, [3]])
def test_an_invalid_answer_is_422_with_the_librarys_message(client: TestClient, value: Any) -> None:
    token = _session(client)["token"]
    r = client.put(f"{API}/sessions/{token}/answers/pr1", json={"value": value})
    error = _error(r, 422)
    assert error == {
        "type": "AnswerError",
        "message": _library_message(lambda: mgrlead.score(RUBRIC, {"pr1": value})),
        "item": "pr1",
    }
    assert client.get(f"{API}/sessions/{token}").json()["answers"] == {}


def test_a_whole_float_answer_is_stored_as_its_code(client: TestClient) -> None:
    token = _session(client)["token"]
    r = client.put(f"{API}/sessions/{token}/answers/pr1", json={"value": 4.0})
    assert r.json()["value"] == 4
    assert client.get(f"{API}/sessions/{token}").json()["answers"] == {"pr1": 4}


def test_an_unknown_item_is_404_naming_the_closest(client: TestClient) -> None:
    token = _session(client)["token"]
    error = _error(client.put(f"{API}/sessions/{token}/answers/pr9", json={"value": 1}), 404)
    assert error["item"] == "pr9"
    assert "did you mean" in error["message"]
    assert _error(client.put(f"{API}/sessions/{token}/answers/pr1", json={}), 422)["field"] == (
        "value"
    )


def test_a_missing_code_is_an_answer_kept_as_given(tmp_path: Path) -> None:
    scale = attrs.evolve(RUBRIC.scale, missing=[MissingCode(code=9, label="Not applicable")])
    rubric = attrs.evolve(RUBRIC, id="with-na", scale=scale)
    with TestClient(create_app(database=tmp_path / "x.sqlite3", rubrics=[rubric])) as c:
        state = _session(c, rubric="with-na")
        assert state["page"]["items"][0]["scale"]["missing"] == [
            {"value": 9, "label": "Not applicable"}
        ]
        token = state["token"]
        r = c.put(f"{API}/sessions/{token}/answers/pr1", json={"value": 9})
        assert r.status_code == 200, r.text
        assert c.get(f"{API}/sessions/{token}").json()["answers"] == {"pr1": 9}
        for item in rubric.item_ids[1:]:
            c.put(f"{API}/sessions/{token}/answers/{item}", json={"value": 2})
        got = Profile.from_json(c.post(f"{API}/sessions/{token}/finish").text)
    answers = {**dict.fromkeys(rubric.item_ids[1:], 2), "pr1": 9}
    assert got == mgrlead.score(rubric, answers)


def test_finishing_an_incomplete_session_needs_consent(client: TestClient) -> None:
    token = _session(client)["token"]
    client.put(f"{API}/sessions/{token}/answers/pr1", json={"value": 2})
    error = _error(client.post(f"{API}/sessions/{token}/finish"), 409)
    assert error["item"] == "pr2"
    assert "23 items of 24 not answered" in error["message"]
    r = client.post(f"{API}/sessions/{token}/finish", json={"allow_incomplete": True})
    assert Profile.from_json(r.text) == mgrlead.score(RUBRIC, {"pr1": 2})


def test_completeness_is_judged_on_the_answers_under_the_lock(app: Starlette) -> None:
    """An answer cleared between the request's first read and the finish is noticed."""
    with TestClient(app) as c:
        token = _session(c)["token"]
        for item in RUBRIC.item_ids:
            c.put(f"{API}/sessions/{token}/answers/{item}", json={"value": 3})
        store = app.state.store
        snapshot = store.get(token)  # complete
        c.delete(f"{API}/sessions/{token}/answers/pr4")
        store.get = lambda _token: snapshot  # the endpoint's first read is stale
        error = _error(c.post(f"{API}/sessions/{token}/finish"), 409)
    assert error["item"] == "pr4"
    assert type(store).get(store, token).finished_at is None


def test_a_session_in_a_language_the_rubric_lacks_is_refused(client: TestClient) -> None:
    r = client.post(f"{API}/sessions", json={"rubric": "manager-leader", "language": "xx"})
    error = _error(r, 422)
    assert error["field"] == "language"
    assert error["message"] == _library_message(lambda: RUBRIC.localized("xx"))


def test_a_session_in_another_language_shows_its_texts(tmp_path: Path) -> None:
    rubric = attrs.evolve(
        RUBRIC, id="bilingual", translations={"de": {"item.pr1.text": "Auf Deutsch"}}
    )
    with TestClient(create_app(database=tmp_path / "x.sqlite3", rubrics=[rubric])) as c:
        state = _session(c, rubric="bilingual", language="de")
        assert state["language"] == "de"
        assert state["page"]["items"][0]["text"] == "Auf Deutsch"
        assert state["page"]["items"][1]["text"] == rubric.item("pr2").text


def test_a_session_whose_rubric_changed_is_409(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite3"
    with TestClient(create_app(database=db)) as c:
        token = _session(c)["token"]
    changed = attrs.evolve(RUBRIC, version="1.1", scale=Scale.agreement(7))
    with TestClient(create_app(database=db, rubrics=[changed])) as c:
        error = _error(c.get(f"{API}/sessions/{token}"), 409)
        assert "changed since the session began" in error["message"]
        _error(c.put(f"{API}/sessions/{token}/answers/pr1", json={"value": 6}), 409)


def test_a_session_can_be_deleted_by_its_token(client: TestClient, app: Starlette) -> None:
    token = _session(client)["token"]
    client.put(f"{API}/sessions/{token}/answers/pr1", json={"value": 2})
    assert client.delete(f"{API}/sessions/{token}").status_code == 204
    assert _error(client.get(f"{API}/sessions/{token}"), 404)["type"] == "SessionNotFoundError"
    _error(client.delete(f"{API}/sessions/{token}"), 404)
    assert app.state.store.counts() == []


def test_an_unknown_token_is_404(client: TestClient) -> None:
    error = _error(client.get(f"{API}/sessions/not-a-token"), 404)
    assert error["message"].startswith("no session has this token")


def test_the_session_links_and_location(client: TestClient) -> None:
    r = client.post(f"{API}/sessions", json={"rubric": "manager-leader"})
    token = r.json()["token"]
    assert r.headers["location"] == f"http://testserver{API}/sessions/{token}"
    assert r.json()["links"]["finish"] == f"http://testserver{API}/sessions/{token}/finish"


# ------------------------------------------------------------------ admin
def test_the_admin_endpoints_need_the_token(client: TestClient) -> None:
    _session(client)
    done = _session(client)["token"]
    client.post(f"{API}/sessions/{done}/finish", json={"allow_incomplete": True})
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": ADMIN}):
        r = client.get(f"{API}/admin/sessions", headers=headers)
        assert _error(r, 401)["type"] == "RequestError"
        assert r.headers["www-authenticate"].startswith("Bearer")
    r = client.get(f"{API}/admin/sessions", headers={"Authorization": f"Bearer {ADMIN}"})
    assert r.status_code == 200
    assert r.json()["started"] == 2
    assert r.json()["finished"] == 1
    assert r.json()["rubrics"][0]["rubric"] == "manager-leader"


def test_without_a_token_the_admin_endpoints_are_off(tmp_path: Path) -> None:
    with TestClient(create_app(database=tmp_path / "x.sqlite3")) as c:
        r = c.get(f"{API}/admin/sessions", headers={"Authorization": "Bearer anything-at-all"})
        _error(r, 404)
        assert "/admin/sessions" not in c.get(f"{API}/openapi.json").json()["paths"]


@pytest.mark.parametrize("token", ["", "short", " " * 20, 12345678901234567890])
def test_a_weak_admin_token_is_refused(tmp_path: Path, token: Any) -> None:
    with pytest.raises(InputError, match="at least 16 characters"):
        create_app(database=tmp_path / "x.sqlite3", admin_token=token)


@pytest.mark.parametrize(
    ("name", "value"), [("page_size", 0), ("max_body_bytes", -1), ("sessions_per_minute", 1.5)]
)
def test_bad_settings_are_refused(tmp_path: Path, name: str, value: Any) -> None:
    with pytest.raises(InputError, match=name):
        create_app(database=tmp_path / "x.sqlite3", **{name: value})


# ------------------------------------------------------------------ safety
def test_an_internal_error_shows_no_stack_trace(app: Starlette) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        msg = "secret detail in /srv/app/store.py line 12"
        raise RuntimeError(msg)

    with TestClient(app, raise_server_exceptions=False) as c:
        token = _session(c)["token"]
        app.state.store.get = broken
        r = c.get(f"{API}/sessions/{token}")
    assert r.status_code == 500
    assert r.json() == {
        "error": {
            "type": "InternalError",
            "message": "the server failed to answer this request; the error is in its log",
        }
    }
    for leak in ("secret", "Traceback", "RuntimeError", ".py"):
        assert leak not in r.text
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/rubrics"), ("GET", "/nowhere"), ("POST", "/sessions"), ("DELETE", "/rubrics")],
)
def test_every_response_has_the_security_headers(
    client: TestClient, method: str, path: str
) -> None:
    r = client.request(method, API + path, json={"rubric": "manager-leader"})
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"


def test_frame_ancestors_can_be_opened_to_a_host(tmp_path: Path) -> None:
    app = create_app(database=tmp_path / "x.sqlite3", frame_ancestors="https://intra.example")
    with TestClient(app) as c:
        r = c.get(f"{API}/health")
    assert "frame-ancestors https://intra.example" in r.headers["content-security-policy"]
    assert "x-frame-options" not in r.headers
    with pytest.raises(InputError, match="frame_ancestors"):
        create_app(database=tmp_path / "x.sqlite3", frame_ancestors="'self'; script-src *")


def test_new_sessions_are_limited_per_client(tmp_path: Path) -> None:
    app = create_app(database=tmp_path / "x.sqlite3", sessions_per_minute=2)
    with TestClient(app) as c:
        _session(c)
        _session(c)
        r = c.post(f"{API}/sessions", json={"rubric": "manager-leader"})
        assert _error(r, 429)["type"] == "RequestError"
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert c.post(f"{API}/score", json={"rubric": "manager-leader", "answers": {}}).is_success
    with TestClient(app, client=("10.0.0.2", 5000)) as other:
        _session(other)


def test_the_rate_limiter_window_slides() -> None:
    limiter = RateLimiter(2, window=60, max_clients=3)
    limiter.hit("a", now=0)
    limiter.hit("a", now=10)
    with pytest.raises(RequestError, match="at most 2 a minute") as caught:
        limiter.hit("a", now=30)
    assert caught.value.status == 429
    assert caught.value.retry_after == 30
    limiter.hit("a", now=60.5)
    for k in range(10):  # many clients: the old ones are forgotten, memory stays bounded
        limiter.hit(f"c{k}", now=200 + k)
    assert len(limiter._events) <= 3


# ------------------------------------------------------------------ openapi, mounting
def test_the_openapi_document_is_valid(client: TestClient) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    doc = client.get(f"{API}/openapi.json").json()
    validator.validate(doc)
    assert doc["openapi"].startswith("3.1")
    assert doc["servers"] == [{"url": API}]
    assert set(doc["paths"]) == {
        "/rubrics", "/rubrics/{rubric_id}", "/score", "/sessions", "/sessions/{token}",
        "/sessions/{token}/answers/{item_id}", "/sessions/{token}/finish", "/health",
        "/admin/sessions", "/admin/rounds", "/admin/rounds/{round_id}",
        "/admin/rounds/{round_id}/close", "/admin/rounds/{round_id}/report",
        "/admin/rounds/{round_id}/report.html", "/admin/rounds/{round_id}/export",
    }  # fmt: skip


def test_the_openapi_schemas_describe_real_responses(client: TestClient) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    doc = client.get(f"{API}/openapi.json").json()

    def check(instance: Any, name: str) -> None:
        schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
        jsonschema.Draft202012Validator(schema).validate(instance)

    state = _session(client)
    check(state, "SessionState")
    token = state["token"]
    answered = client.put(f"{API}/sessions/{token}/answers/pr1", json={"value": 2}).json()
    check(answered, "AnswerResult")
    body = {"allow_incomplete": True}
    check(client.post(f"{API}/sessions/{token}/finish", json=body).json(), "Profile")
    check(client.get(f"{API}/sessions/{token}").json(), "SessionState")
    check(client.get(f"{API}/rubrics/manager-leader").json(), "Rubric")
    check(client.get(f"{API}/sessions/x").json(), "Error")


def test_the_app_mounts_under_a_path(tmp_path: Path) -> None:
    parent = Starlette(routes=[Mount("/assess", app=create_app(database=tmp_path / "x.sqlite3"))])
    with TestClient(parent) as c:
        listed = c.get("/assess/api/v1/rubrics").json()["rubrics"]
        assert listed[0]["links"]["self"].startswith("http://testserver/assess/api/v1/rubrics/")
        r = c.post("/assess/api/v1/sessions", json={"rubric": "manager-leader"})
        assert r.status_code == 201
        token = r.json()["token"]
        assert r.headers["location"] == f"http://testserver/assess/api/v1/sessions/{token}"
        assert c.get(r.headers["location"]).json()["token"] == token
        r = c.put(f"/assess/api/v1/sessions/{token}/answers/pr1", json={"value": 5})
        assert r.status_code == 200
        assert c.get("/assess/api/v1/openapi.json").json()["servers"] == [{"url": "/assess/api/v1"}]
        assert c.get("/api/v1/rubrics").status_code == 404  # only under the mount


def test_import_mgrlead_imports_no_web_package() -> None:
    code = (
        "import sys, mgrlead, mgrlead.api\n"
        "mgrlead.score('manager-leader', {'pr1': 2})\n"
        "web = ('starlette', 'sqlalchemy', 'alembic', 'uvicorn', 'mgrlead.web')\n"
        "print(*[m for m in web if m in sys.modules] or ['none'])"
    )
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["none"]


def test_answer_errors_keep_their_item(client: TestClient) -> None:
    """AnswerError's item reaches the JSON (the library's attribute, not parsed text)."""
    token = _session(client)["token"]
    r = client.put(f"{API}/sessions/{token}/answers/os2", json={"value": 6})
    assert _error(r, 422)["item"] == "os2"
    with pytest.raises(AnswerError) as caught:
        mgrlead.score(RUBRIC, {"os2": 6})
    assert caught.value.item == "os2"
