"""360 rounds in the web app (issue 19, part 3): the admin API, raters' links, anonymity, export."""

from __future__ import annotations

import io
import json
import math
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("sqlalchemy")
pytest.importorskip("pandas")

import pandas as pd
from starlette.testclient import TestClient

import mgrlead
from mgrlead.groups.multirater import Anonymity
from mgrlead.web import create_app
from web_helpers import DATABASES, database_for, serving

if TYPE_CHECKING:
    from starlette.applications import Starlette

ADMIN = "an-admin-token-of-some-length"
AUTH = {"Authorization": f"Bearer {ADMIN}"}
RUBRIC = mgrlead.load_rubric("manager-leader")
API = "/api/v1"
#: Peers (2) are below the default minimum of 3; direct reports (3) are not.
GROUPS = {"self": 1, "manager": 1, "peer": 2, "direct_report": 3}


@pytest.fixture(params=DATABASES)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Starlette]:
    with serving(database_for(request.param, tmp_path), admin_token=ADMIN) as app:
        yield app


def _error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = r.json()["error"]
    return error


def _create(client: TestClient, **body: Any) -> dict[str, Any]:
    payload = {"subject": "Dana Lee", "rubric": "manager-leader", "raters": GROUPS} | body
    r = client.post(f"{API}/admin/rounds", json=payload, headers=AUTH)
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


def _answers(rng: random.Random, skip: int = 0) -> dict[str, int]:
    """Random valid answers to every item but the first ``skip``."""
    out = {}
    for item in RUBRIC.items[skip:]:
        scale = RUBRIC.item_scale(item)
        out[item.id] = rng.randint(scale.min, scale.max)
    return out


def _answer_all(client: TestClient, token: str, answers: dict[str, int]) -> None:
    for item_id, value in answers.items():
        r = client.put(f"{API}/sessions/{token}/answers/{item_id}", json={"value": value})
        assert r.status_code == 200, r.text
    r = client.post(f"{API}/sessions/{token}/finish", json={"allow_incomplete": True})
    assert r.status_code == 200, r.text


def _answer_by_form(client: TestClient, token: str, answers: dict[str, int]) -> None:
    """Answer every page of the rater's private link in the HTML form, then finish."""
    page = client.get(f"/s/{token}")
    assert page.status_code == 200, page.text
    csrf = client.cookies.get("mgrlead_csrf")
    items = list(answers.items())
    size = 6
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        last = start + size >= len(items)
        data = {"csrf": csrf, "page": str(start // size + 1), "go": "finish" if last else "next"}
        data |= {f"a.{i}": str(v) for i, v in chunk}
        r = client.post(f"/s/{token}", data=data, follow_redirects=False)
        assert r.status_code == 303, r.text
    assert r.headers["location"].endswith(f"/s/{token}/result")


def _run_round(
    client: TestClient, seed: int = 7, **body: Any
) -> tuple[dict[str, Any], list[tuple[str, str, dict[str, int]]]]:
    """A round whose every rater answered: the round, and (group, token, answers) per rater."""
    created = _create(client, **body)
    rng = random.Random(seed)  # noqa: S311 - test data
    given = []
    for k, rater in enumerate(created["raters"]):
        answers = _answers(rng, skip=1 if k == 3 else 0)  # one rater leaves pr1 unanswered
        if k == 0:
            _answer_by_form(client, rater["token"], answers)
        else:
            _answer_all(client, rater["token"], answers)
        given.append((rater["group"], rater["token"], answers))
    return created, given


def _mean_percent(answers: list[dict[str, int]], dimension: str) -> float:
    """A group's mean 0-100 score, from each rater's own profile (not the 360 code)."""
    scores = [mgrlead.score(RUBRIC, a)[dimension].percent for a in answers]
    return math.fsum(scores) / len(scores)


# ------------------------------------------------------------------ the whole flow
def test_a_round_from_creation_to_the_report(client: TestClient) -> None:
    created = _create(client, anonymity={"below": "suppress"})
    assert created["subject"] == "Dana Lee"
    assert created["status"] == "open"
    assert created["anonymity"] == {"default": 3, "minimum": {"self": 1, "manager": 1},
                                    "below": "suppress"}  # fmt: skip
    groups = [r["group"] for r in created["raters"]]
    assert {g: groups.count(g) for g in GROUPS} == GROUPS
    tokens = {r["token"] for r in created["raters"]}
    assert len(tokens) == sum(GROUPS.values())
    assert all(r["link"].endswith(f"/s/{r['token']}") for r in created["raters"])
    # the database keeps only the tokens' hashes
    store = client.app.state.store  # type: ignore[attr-defined]
    with store.engine.connect() as conn:
        dump = "\n".join(map(str, conn.exec_driver_sql("SELECT * FROM assessment_sessions")))
    assert not any(t in dump for t in tokens)

    rid = created["id"]
    seen = client.get(f"{API}/admin/rounds/{rid}", headers=AUTH).json()
    assert {g["group"]: (g["invited"], g["started"], g["finished"]) for g in seen["groups"]} == {
        g: (n, 0, 0) for g, n in GROUPS.items()
    }
    r = client.get(f"{API}/admin/rounds/{rid}/report", headers=AUTH)
    assert _error(r, 409)["type"] == "SessionStateError"  # nobody finished yet

    rng = random.Random(3)  # noqa: S311 - test data
    given: dict[str, list[dict[str, int]]] = {}
    for k, rater in enumerate(created["raters"]):
        answers = _answers(rng)
        if k == 0:
            _answer_by_form(client, rater["token"], answers)
        else:
            _answer_all(client, rater["token"], answers)
        given.setdefault(rater["group"], []).append(answers)
    seen = client.get(f"{API}/admin/rounds/{rid}", headers=AUTH).json()
    assert seen["finished"] == sum(GROUPS.values())
    assert {g["group"]: g["finished"] for g in seen["groups"]} == GROUPS
    assert "answers" not in json.dumps(seen)  # counts, never answers

    report = client.get(f"{API}/admin/rounds/{rid}/report", headers=AUTH)
    assert report.status_code == 200, report.text
    person = report.json()["result"]["people"][0]
    assert person["subject"] == "Dana Lee"
    views = {v["group"]: v for v in person["groups"]}
    for score in views["peer"]["dimensions"]:  # two peers: below the minimum of 3
        assert score["shown"] is False
        assert {score[k] for k in ("percent", "position", "mean", "score", "sd")} == {None}
    # suppressed: the peers' answers are in no figure; all others = manager + reports
    for dim in RUBRIC.dimensions:
        reports = next(s for s in views["direct_report"]["dimensions"] if s["dimension"] == dim.id)
        assert reports["percent"] == pytest.approx(_mean_percent(given["direct_report"], dim.id))
        others = next(s for s in views["all_others"]["dimensions"] if s["dimension"] == dim.id)
        expected = _mean_percent(given["manager"] + given["direct_report"], dim.id)
        assert others["percent"] == pytest.approx(expected)
        peers = _mean_percent(given["peer"], dim.id)
        assert peers not in list(_numbers(report.json()))

    page = client.get(f"{API}/admin/rounds/{rid}/report.html", headers=AUTH)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Dana Lee" in page.text
    walked = list(RUBRIC.walk())
    assert page.text.count('class="withheld"') == len(walked)  # the peers' cell of every row


def _numbers(value: Any) -> Iterator[float]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)
    elif isinstance(value, float):
        yield value


def test_the_merged_report_is_the_librarys_score_360_of_the_answers(client: TestClient) -> None:
    created, given = _run_round(client)
    rid = created["id"]
    result = client.get(f"{API}/admin/rounds/{rid}/report", headers=AUTH).json()["result"]
    columns: dict[str, list[Any]] = {"subject": [], "rater_group": []}
    columns |= {i: [] for i in RUBRIC.item_ids}
    for group, _token, answers in given:
        columns["subject"].append("Dana Lee")
        columns["rater_group"].append(group)
        for i in RUBRIC.item_ids:
            columns[i].append(answers.get(i))
    expected = mgrlead.score_360(RUBRIC, columns, anonymity=Anonymity())
    assert result == json.loads(expected.to_json())
    peers = next(v for v in result["people"][0]["groups"] if v["group"] == "peer")
    assert not any(s["shown"] for s in peers["dimensions"])


def test_the_export_reads_back_as_the_answers_given(client: TestClient, tmp_path: Path) -> None:
    created, given = _run_round(client)
    rid = created["id"]
    expected = pd.DataFrame(
        [{"subject": "Dana Lee", "rater_group": g} | {i: a.get(i) for i in RUBRIC.item_ids}
         for g, _t, a in given]
    )  # fmt: skip
    key = ["rater_group", *RUBRIC.item_ids]
    expected = expected.sort_values(key, na_position="first").reset_index(drop=True)
    for kind in ("csv", "parquet"):
        r = client.get(f"{API}/admin/rounds/{rid}/export?format={kind}", headers=AUTH)
        assert r.status_code == 200, r.text
        assert f"round-{rid}.{kind}" in r.headers["content-disposition"]
        read = pd.read_csv if kind == "csv" else pd.read_parquet
        frame = read(io.BytesIO(r.content))
        assert list(frame.columns) == ["subject", "rater_group", *RUBRIC.item_ids]
        frame = frame.sort_values(key, na_position="first").reset_index(drop=True)
        assert frame["pr1"].isna().sum() == 1  # the unanswered item: empty, never 0
        pd.testing.assert_frame_equal(frame, expected, check_dtype=False)
        path = tmp_path / f"round.{kind}"
        path.write_bytes(r.content)
        # what score_360 reads from the file is what the report shows
        again = mgrlead.score_360(RUBRIC, read(path))
        report = client.get(f"{API}/admin/rounds/{rid}/report", headers=AUTH).json()
        assert json.loads(again.to_json())["people"] == report["result"]["people"]


# ------------------------------------------------------------------ who may see what
def test_nobody_but_the_admin_reaches_a_round(client: TestClient) -> None:
    created, given = _run_round(client)
    rid = created["id"]
    rater = given[2][1]
    urls = [
        ("GET", f"{API}/admin/rounds/{rid}"),
        ("POST", f"{API}/admin/rounds/{rid}/close"),
        ("GET", f"{API}/admin/rounds/{rid}/report"),
        ("GET", f"{API}/admin/rounds/{rid}/report.html"),
        ("GET", f"{API}/admin/rounds/{rid}/export?format=csv"),
        ("GET", f"{API}/admin/rounds/{rid}/export?format=parquet"),
        ("POST", f"{API}/admin/rounds"),
        ("GET", f"{API}/admin/sessions"),
    ]
    for headers in (
        {},
        {"Authorization": f"Bearer {rater}"},
        {"Authorization": f"Bearer {ADMIN}x"},
        {"Authorization": ADMIN},
        {"Cookie": f"token={ADMIN}"},
    ):
        for method, url in urls:
            r = client.request(method, url, headers=headers)
            error = _error(r, 401)
            assert "Authorization: Bearer" in error["message"]
            assert "Dana" not in r.text
    assert client.get(f"{API}/admin/rounds/{rid}", headers=AUTH).json()["status"] == "open"
    # a rater's own link shows their own answers only, and no round figures
    _group, token, answers = given[2]
    own = client.get(f"{API}/sessions/{token}").json()
    assert own["answers"] == answers
    others = [a for g, t, a in given if t != token]
    for page in (client.get(f"/s/{token}/result"), client.get(f"/s/{token}/profile.json")):
        assert page.status_code == 200
        assert "Dana Lee" not in page.text
    assert others  # the other raters' answers are reached by their own tokens only
    for url in (f"/rounds/{rid}", f"{API}/rounds/{rid}", f"/s/{token}/round", f"/r/{rid}"):
        assert client.get(url).status_code == 404


def test_without_an_admin_token_there_are_no_round_endpoints(tmp_path: Path) -> None:
    app = create_app(database=tmp_path / "w.sqlite3")
    with TestClient(app) as c:
        r = c.post(f"{API}/admin/rounds", json={"subject": "x"}, headers=AUTH)
        assert _error(r, 404)["type"] == "NotFound"
        assert _error(c.get(f"{API}/admin/rounds/1/report", headers=AUTH), 404)
    app.state.store.close()


# ------------------------------------------------------------------ closing
def test_a_closed_round_refuses_answers_in_the_api_and_the_form(client: TestClient) -> None:
    created = _create(client)
    rid = created["id"]
    open_token = created["raters"][1]["token"]
    started = created["raters"][2]["token"]
    client.put(f"{API}/sessions/{started}/answers/pr1", json={"value": 3})
    closed = client.post(f"{API}/admin/rounds/{rid}/close", headers=AUTH)
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    at = closed.json()["closed_at"]
    again = client.post(f"{API}/admin/rounds/{rid}/close", headers=AUTH).json()
    assert again["closed_at"] == at  # closing twice changes nothing
    counts = {g["group"]: g["started"] for g in again["groups"]}
    assert counts["peer"] == 1
    assert sum(counts.values()) == 1

    for token in (open_token, started):
        r = client.put(f"{API}/sessions/{token}/answers/pr2", json={"value": 2})
        assert "closed" in _error(r, 409)["message"]
        r = client.put(f"{API}/sessions/{token}/answers/nope", json={"value": 99})
        assert _error(r, 409)["type"] == "SessionStateError"
        r = client.post(f"{API}/sessions/{token}/finish", json={"allow_incomplete": True})
        assert "closed" in _error(r, 409)["message"]
        page = client.get(f"/s/{token}")
        assert page.status_code == 409
        assert "This feedback round is closed" in page.text
        csrf = client.cookies.get("mgrlead_csrf")
        form = {"csrf": csrf, "page": "1", "go": "next", "a.pr2": "2"}
        posted = client.post(f"/s/{token}", data=form, follow_redirects=False)
        assert posted.status_code == 409
        assert "This feedback round is closed" in posted.text
    assert client.get(f"{API}/sessions/{started}").json()["answers"] == {"pr1": 3}


def test_closing_is_checked_under_the_sessions_lock(client: TestClient) -> None:
    created = _create(client)
    store = client.app.state.store  # type: ignore[attr-defined]
    token = created["raters"][0]["token"]
    store.close_round(created["id"])
    with pytest.raises(mgrlead.errors.SessionStateError, match="closed"):
        store.answer(token, "pr1", 2)
    with pytest.raises(mgrlead.errors.SessionStateError, match="closed"):
        store.finish(token, lambda _s: "{}")


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"raters": {"peers": 3}}, "raters.peers", "did you mean 'peer'"),
        ({"raters": {"peer": -1}}, "raters.peer", "0 or more"),
        ({"raters": {"peer": 2.5}}, "raters.peer", "whole number"),
        ({"raters": {}}, "raters", "1 to 500"),
        ({"raters": {"peer": 501}}, "raters", "1 to 500"),
        ({"subject": " "}, "subject", "1 to 200"),
        ({"subject": 3}, "subject", "must be a string"),
        ({"anonymity": {"below": "hide"}}, "anonymity.below", "'merge' or 'suppress'"),
        ({"anonymity": {"default": 0}}, "anonymity.default", "at least 1"),
        ({"anonymity": {"minimum": {"peer": "3"}}}, "anonymity.minimum.peer", "an integer"),
        ({"anonymity": {"minimum": {"peers": 3}}}, "anonymity.minimum.peers", "unknown"),
        ({"anonymity": {"max": 3}}, "anonymity.max", "unknown field"),
        ({"language": "xx"}, "language", "xx"),
        ({"extra": 1}, "extra", "unknown field"),
    ],
)
def test_a_bad_round_is_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str, words: str
) -> None:
    payload = {"subject": "Dana Lee", "rubric": "manager-leader", "raters": GROUPS} | body
    error = _error(client.post(f"{API}/admin/rounds", json=payload, headers=AUTH), 422)
    assert error["field"] == field
    assert words in error["message"]
    listed = client.get(f"{API}/admin/sessions", headers=AUTH).json()
    assert listed["started"] == 0  # nothing was created


def test_the_anonymity_minimum_below_one_is_the_librarys_error(client: TestClient) -> None:
    payload = {"subject": "D", "rubric": "manager-leader", "raters": GROUPS,
               "anonymity": {"minimum": {"peer": 0}}}  # fmt: skip
    error = _error(client.post(f"{API}/admin/rounds", json=payload, headers=AUTH), 422)
    with pytest.raises(mgrlead.MgrleadError) as raised:
        Anonymity(minimum={"peer": 0})
    assert error["message"] == str(raised.value)


def test_round_errors_have_their_codes(client: TestClient) -> None:
    payload = {"subject": "D", "rubric": "manager-leaderr", "raters": GROUPS}
    assert _error(client.post(f"{API}/admin/rounds", json=payload, headers=AUTH), 404)
    for url in ("", "/report", "/report.html", "/export"):
        error = _error(client.get(f"{API}/admin/rounds/99{url}", headers=AUTH), 404)
        assert error["type"] == "RoundNotFoundError"
        assert "99" in error["message"]
    error = _error(client.post(f"{API}/admin/rounds/99/close", headers=AUTH), 404)
    assert error["type"] == "RoundNotFoundError"
    rid = _create(client)["id"]
    error = _error(client.get(f"{API}/admin/rounds/{rid}/export?format=xlsx", headers=AUTH), 422)
    assert error["field"] == "format"
    assert re.search(r"csv or parquet", error["message"])
    assert _error(client.get(f"{API}/admin/rounds/x", headers=AUTH), 404)["type"] == "NotFound"


# ------------------------------------------------------------------ openapi
def test_the_openapi_schemas_describe_the_round_responses(client: TestClient) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    doc = client.get(f"{API}/openapi.json").json()

    def check(instance: Any, name: str) -> None:
        schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
        jsonschema.Draft202012Validator(schema).validate(instance)

    body = {"subject": "Dana Lee", "rubric": "manager-leader", "raters": GROUPS,
            "anonymity": {"default": 2, "minimum": {"peer": 3}, "below": "merge"}}  # fmt: skip
    check(body, "RoundCreate")
    created, _given = _run_round(client, **body)
    check(created, "RoundCreated")
    rid = created["id"]
    check(client.get(f"{API}/admin/rounds/{rid}", headers=AUTH).json(), "Round")
    check(client.get(f"{API}/admin/rounds/{rid}/report", headers=AUTH).json(), "RoundReport")
    check(client.post(f"{API}/admin/rounds/{rid}/close", headers=AUTH).json(), "Round")
    check(client.get(f"{API}/admin/rounds/{rid + 1}", headers=AUTH).json(), "Error")
    with pytest.raises(jsonschema.ValidationError):
        check(body | {"raters": {"peer": -1}}, "RoundCreate")


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_mgrlead_score_and_report_read_the_export(
    client: TestClient, tmp_path: Path, kind: str
) -> None:
    from helpers import run  # noqa: PLC0415

    created, given = _run_round(client)
    r = client.get(f"{API}/admin/rounds/{created['id']}/export?format={kind}", headers=AUTH)
    path = tmp_path / f"round.{kind}"
    path.write_bytes(r.content)
    out = tmp_path / "scores.csv"
    result = run("score", str(path), "-o", str(out))
    assert result.exit_code == 0, result.output
    scored = pd.read_csv(out)
    expected = sorted(mgrlead.score(RUBRIC, a)["process_results"].percent for _g, _t, a in given)
    assert sorted(scored["process_results_percent"]) == pytest.approx(expected)
    assert sorted(scored["rater_group"]) == sorted(g for g, _t, _a in given)
    page = tmp_path / "round.html"
    report = run("report", str(path), "--kind", "360", "--subject", "Dana Lee", "-o", str(page))
    assert report.exit_code == 0, report.output
    assert "Dana Lee" in page.read_text(encoding="utf-8")


def test_a_rater_deleting_their_session_leaves_the_round(client: TestClient) -> None:
    created, given = _run_round(client)
    rid = created["id"]
    token = given[-1][1]  # a direct report
    assert client.delete(f"{API}/sessions/{token}").status_code == 204
    seen = client.get(f"{API}/admin/rounds/{rid}", headers=AUTH).json()
    counts = {g["group"]: (g["invited"], g["finished"]) for g in seen["groups"]}
    assert counts["direct_report"] == (2, 2)
    store = client.app.state.store  # type: ignore[attr-defined]
    with store.engine.connect() as conn:
        left = conn.exec_driver_sql("SELECT count(*) FROM raters_360").scalar()
    assert left == sum(GROUPS.values()) - 1
    export = client.get(f"{API}/admin/rounds/{rid}/export", headers=AUTH)
    frame = pd.read_csv(io.BytesIO(export.content))
    assert len(frame) == sum(GROUPS.values()) - 1


def test_a_rater_sees_whom_they_rate_escaped_and_as_which_group(client: TestClient) -> None:
    subject = '<script>alert("x")</script> Dana'
    created = _create(client, subject=subject)
    by_group = {r["group"]: r["token"] for r in created["raters"]}
    state = client.get(f"{API}/sessions/{by_group['peer']}").json()
    assert state["round"] == {"subject": subject, "group": "peer", "status": "open"}
    page = client.get(f"/s/{by_group['peer']}")
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Dana" in page.text
    assert "as one of the group “Peers”" in page.text
    own = client.get(f"/s/{by_group['self']}").text
    assert "Your 360° feedback on yourself" in own
    plain = client.post(f"{API}/sessions", json={"rubric": "manager-leader"}).json()
    assert "round" not in plain
    assert 'id="round"' not in client.get(f"/s/{plain['token']}").text
    client.post(f"{API}/admin/rounds/{created['id']}/close", headers=AUTH)
    assert client.get(f"{API}/sessions/{by_group['peer']}").json()["round"]["status"] == "closed"


def test_an_answer_waits_for_a_close_under_way_and_is_refused(client: TestClient) -> None:
    import datetime as dt  # noqa: PLC0415
    import threading  # noqa: PLC0415
    import time  # noqa: PLC0415

    from sqlalchemy import update  # noqa: PLC0415

    from mgrlead.web.store import RoundRow  # noqa: PLC0415

    created = _create(client)
    token = created["raters"][2]["token"]
    store = client.app.state.store  # type: ignore[attr-defined]
    outcome: dict[str, str] = {}

    def answer() -> None:
        try:
            store.answer(token, "pr1", 2)
            outcome["stored"] = "yes"
        except mgrlead.errors.SessionStateError as exc:
            outcome["refused"] = str(exc)

    worker = threading.Thread(target=answer)
    with store._write() as conn:  # a close under way, not committed yet
        now = dt.datetime.now(dt.timezone.utc)
        conn.execute(update(RoundRow).where(RoundRow.id == created["id"]).values(closed_at=now))
        worker.start()
        time.sleep(0.5)
        assert worker.is_alive()  # the answer waits for the round's row
    worker.join(30)
    assert "closed" in outcome.get("refused", ""), outcome
    assert store.get(token).answers == {}


def test_a_round_whose_rubric_changed_is_not_scored_with_the_new_one(tmp_path: Path) -> None:
    import attrs  # noqa: PLC0415

    from mgrlead.model import Scale  # noqa: PLC0415

    db = tmp_path / "x.sqlite3"
    with TestClient(create_app(database=db, admin_token=ADMIN)) as c:
        created, _given = _run_round(c)
    rid = created["id"]
    changed = attrs.evolve(RUBRIC, version="1.1", scale=Scale.agreement(7))
    with TestClient(create_app(database=db, admin_token=ADMIN, rubrics=[changed])) as c:
        for tail in ("/report", "/report.html", "/export?format=csv"):
            error = _error(c.get(f"{API}/admin/rounds/{rid}{tail}", headers=AUTH), 409)
            assert "no longer serves as it was" in error["message"]
        seen = c.get(f"{API}/admin/rounds/{rid}", headers=AUTH).json()  # counts still shown
        assert seen["finished"] == sum(GROUPS.values())
