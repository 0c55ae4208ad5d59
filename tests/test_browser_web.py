"""The web app's pages in a real browser (issue 19, parts 1, 2 and 7).

uvicorn serves :func:`mgrlead.web.create_app` on 127.0.0.1 (a free port, in a
thread); headless Chromium (Debian's, driven by playwright as in
``test_browser.py``) takes the built-in assessment with the keyboard only,
reloads in the middle and resumes, and sees the results.  Screenshots at
1200 px and 400 px go to ``$MGRLEAD_SCREENSHOTS`` when set.

axe-core checks every page when its ``axe.min.js`` is found: at
``$MGRLEAD_AXE``, or installed with ``npm install axe-core`` into a temporary
folder when npm is on the PATH; without it that test is skipped and says so.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("playwright")

import mgrlead
from mgrlead.web import create_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
RUBRIC = mgrlead.load_rubric("manager-leader")

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("CI needs Chromium for the browser tests: apt-get install chromium")
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 (a free port, in a thread) until closed."""
    import uvicorn  # noqa: PLC0415

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(create_app(database=tmp_path_factory.mktemp("web") / "browser.sqlite3"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield launched
        launched.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    where = os.environ.get("MGRLEAD_SCREENSHOTS")
    out = Path(where) if where else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="module")
def axe_source(tmp_path_factory: pytest.TempPathFactory) -> str | None:
    given = os.environ.get("MGRLEAD_AXE")
    if given:
        return Path(given).read_text("utf-8")
    npm = shutil.which("npm")
    if npm is None:
        return None
    where = tmp_path_factory.mktemp("axe")
    try:
        subprocess.run(  # noqa: S603 - a fixed command
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(where), "axe-core"],
            check=True,
            capture_output=True,
            timeout=120,
        )
    except (subprocess.SubprocessError, OSError):
        return None
    path = where / "node_modules" / "axe-core" / "axe.min.js"
    return path.read_text("utf-8") if path.exists() else None


def _page(browser: Any, width: int = 1200) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 1000})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in {"error", "warning"} else None)  # fmt: skip
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return page, problems


def _focused(page: Any) -> dict[str, Any]:
    return dict(
        page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
            return {tag: e.tagName, type: e.type || '', name: e.name || '', value: e.value || '',
                    outline: s.outlineStyle, text: e.textContent.trim()}; }"""
        )
    )


def _answer_page_by_keyboard(page: Any, key: str, *, stop_after: int | None = None) -> int:
    """Tab through the page's statements pressing ``key`` on each; return how many."""
    answered = 0
    for _ in range(60):
        page.keyboard.press("Tab")
        now = _focused(page)
        if now["type"] == "radio":
            assert now["outline"] != "none", "the focused radio shows no focus"
            page.keyboard.press(key)
            answered += 1
            if stop_after is not None and answered == stop_after:
                return answered
        elif now["tag"] == "BUTTON":
            assert now["value"] in {"next", "finish"}, now
            return answered
    raise AssertionError("never reached the page's button")


def _saved(page: Any, count: int) -> None:
    page.wait_for_function(
        f"document.querySelectorAll('fieldset[data-saved=yes]').length >= {count}"
    )


def test_take_the_assessment_with_the_keyboard_reload_and_resume(
    server: str, browser: Any, shots: Path
) -> None:
    page, problems = _page(browser)
    page.goto(f"{server}/r/{RUBRIC.id}")
    page.screenshot(path=str(shots / "web-landing-1200.png"), full_page=True)
    # keyboard only: Tab to the start button, Enter
    for _ in range(10):
        page.keyboard.press("Tab")
        if _focused(page)["text"] == "Start":
            break
    else:
        raise AssertionError("Tab never reached the start button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    private = page.url
    assert "/s/" in private
    page.screenshot(path=str(shots / "web-form-1200.png"), full_page=True)
    # page 1 and 2 with keys 4 and 2, Enter on Next
    for key in ("4", "2"):
        assert _answer_page_by_keyboard(page, key) == 6
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert "Page 3 of 4" in page.content()
    # half of page 3, saved by the script as it goes; then reload through the private link
    assert _answer_page_by_keyboard(page, "5", stop_after=3) == 3
    _saved(page, 3)
    page.reload()
    page.goto(private)
    assert "Page 3 of 4" in page.content()
    checked = page.eval_on_selector_all("input[type=radio]:checked", "els => els.length")
    assert checked == 3
    # go on: Tab through (the checked statements keep their answers; keys answer the rest)
    page.set_viewport_size({"width": 400, "height": 900})
    page.screenshot(path=str(shots / "web-form-400.png"), full_page=True)
    page.set_viewport_size({"width": 1200, "height": 1000})
    assert _answer_page_by_keyboard(page, "5") == 6
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _answer_page_by_keyboard(page, "1") == 6
    assert _focused(page)["value"] == "finish"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/result")
    text = page.inner_text("main")
    for dim in RUBRIC.dimensions:
        assert dim.name in text
    assert "Keep your results" in text
    page.screenshot(path=str(shots / "web-result-1200.png"), full_page=True)
    page.set_viewport_size({"width": 400, "height": 900})
    page.screenshot(path=str(shots / "web-result-400.png"), full_page=True)
    # the score markers are drawn: the CSP let the report's bar styles through
    left = page.eval_on_selector("#glance .marker", "e => getComputedStyle(e).left")
    assert left not in {"auto", "0px"}
    # the print style sheet leaves out navigation and downloads
    page.emulate_media(media="print")
    assert page.is_hidden("#downloads")
    assert page.is_hidden("nav.site")
    assert page.is_visible("#glance")
    assert problems == []
    page.close()


def test_the_form_works_without_javascript(server: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/r/{RUBRIC.id}")
    with page.expect_navigation():
        page.click("text=Start")
    assert page.is_hidden(".keys")  # the script's hint stays hidden without it
    chosen = []
    for _ in range(6):  # the browser's own radio keys: Tab into a group, Space chooses
        for _ in range(5):
            page.keyboard.press("Tab")
            if _focused(page)["type"] == "radio":
                break
        page.keyboard.press("ArrowRight")  # moves to the next point and chooses it
        page.keyboard.press("Space")
        chosen.append(_focused(page)["value"])
    assert chosen == ["2"] * 6
    with page.expect_navigation():
        page.click("button[value=next]")
    assert "Page 2 of 4" in page.content()
    with page.expect_navigation():
        page.click("button[value=back]")
    checked = page.eval_on_selector_all("input[type=radio]:checked", "els => els.map(e => e.value)")
    assert checked == chosen  # saved by the plain form, shown again
    context.close()


def test_pages_have_no_axe_violations(server: str, browser: Any, axe_source: str | None) -> None:
    if axe_source is None:
        pytest.skip("axe-core is not available (set MGRLEAD_AXE to its axe.min.js, or install npm)")
    page, problems = _page(browser)
    page.goto(f"{server}/r/{RUBRIC.id}")
    urls = [f"{server}/", page.url]
    with page.expect_navigation():
        page.click("text=Start")
    urls.append(page.url)
    for n in range(4):
        for name in RUBRIC.item_ids[n * 6 : n * 6 + 6]:
            page.check(f"input[name='a.{name}'][value='{1 + n}']")
        with page.expect_navigation():
            page.click("button[value=next], button[value=finish]")
        if n == 1:
            urls.append(page.url)
    urls.append(page.url)
    assert urls[-1].endswith("/result")
    found = {}
    for url in urls:
        page.goto(url)
        page.evaluate(axe_source)  # evaluated by the driver, not injected: the CSP stays on
        result = page.evaluate("() => axe.run(document).then(r => r.violations)")
        found[url] = [(v["id"], v["impact"], len(v["nodes"])) for v in result]
    assert all(not v for v in found.values()), found
    assert problems == []
    page.close()


ADMIN = "admin-token-for-the-browser-test"


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with its administrator endpoints on (a token), for a 360 round."""
    database = tmp_path_factory.mktemp("web360") / "rounds.sqlite3"
    yield from _serve(create_app(database=database, admin_token=ADMIN))


def test_a_360_round_end_to_end_hides_a_small_group(
    admin_server: str, browser: Any, shots: Path
) -> None:
    # the administrator opens a round (API), the subject rates themself in the
    # browser with the keyboard, the other raters answer by their links (API);
    # the round's report has no numbers for the two peers (below the minimum of
    # 3), and the subject's own link reaches no round URL
    import httpx  # noqa: PLC0415

    admin = {"Authorization": f"Bearer {ADMIN}"}
    api = httpx.Client(base_url=f"{admin_server}/api/v1/", timeout=30)
    body = {
        "subject": "Dana <b>Lee</b>",
        "rubric": RUBRIC.id,
        "raters": {"self": 1, "manager": 1, "peer": 2, "direct_report": 3},
        "anonymity": {"default": 3, "below": "suppress"},
    }
    created = api.post("admin/rounds", headers=admin, json=body).json()
    raters = created["raters"]
    self_link = next(r for r in raters if r["group"] == "self")
    rounds = f"admin/rounds/{created['id']}"

    page, problems = _page(browser)
    page.goto(self_link["link"])
    assert "Dana <b>Lee</b>" in page.inner_text("main")  # whom they rate, as text
    for key in ("4", "4", "2", "5"):
        assert _answer_page_by_keyboard(page, key) == 6
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert page.url.endswith("/result")
    others = [r for r in raters if r["group"] != "self"]
    for k, rater in enumerate(others):
        for j, item in enumerate(RUBRIC.item_ids):
            value = {"value": (j + k) % 5 + 1}
            reply = api.put(f"sessions/{rater['token']}/answers/{item}", json=value)
            assert reply.status_code == httpx.codes.OK, reply.text
        assert api.post(f"sessions/{rater['token']}/finish").status_code == httpx.codes.OK

    for url in (f"{rounds}/report", f"{rounds}/report.html"):
        assert api.get(url).status_code == httpx.codes.UNAUTHORIZED
        theirs = {"Authorization": f"Bearer {self_link['token']}"}
        assert api.get(url, headers=theirs).status_code == httpx.codes.UNAUTHORIZED

    data = api.get(f"{rounds}/report", headers=admin).json()
    groups = {g["group"]: g for g in data["result"]["people"][0]["groups"]}
    assert groups["peer"]["raters"] == 2
    assert all(d["percent"] is None and not d["shown"] for d in groups["peer"]["dimensions"])
    assert all(d["percent"] is not None for d in groups["manager"]["dimensions"])
    # the HTML report is a download (self-contained): the administrator opens it
    html = api.get(f"{rounds}/report.html", headers=admin).text
    assert "Dana &lt;b&gt;Lee&lt;/b&gt;" in html
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    report = context.new_page()
    report.set_content(html)
    text = report.inner_text("body")
    peer_rows = [line for line in text.splitlines() if line.startswith("Peers")]
    assert len(peer_rows) == len(RUBRIC.dimensions)
    assert all("not shown" in row and "%" not in row for row in peer_rows)
    assert all(row.split("\t")[:2] == ["Peers", "2"] for row in peer_rows)
    # "all others" leaves the peers out: the manager and the three direct reports
    others_rows = [line for line in text.splitlines() if line.startswith("All others\t")]
    assert others_rows
    assert all(row.split("\t")[1] == "4" for row in others_rows)
    report.screenshot(path=str(shots / "web-360-report-1200.png"), full_page=True)
    report.set_viewport_size({"width": 400, "height": 900})
    report.screenshot(path=str(shots / "web-360-report-400.png"), full_page=True)
    assert problems == []
    context.close()
    page.close()
    api.close()
