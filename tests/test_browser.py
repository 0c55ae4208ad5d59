"""The HTML reports in a real browser: headless Chromium, offline, no errors, charts drawn.

Needs Debian's ``chromium`` (``.ci/run`` installs it) and the ``playwright``
package (in the test extra), which drives that Chromium: no browser download.
Outside CI the tests are skipped when Chromium is absent; in CI (``CI`` set)
its absence fails them.  Screenshots go to ``$MGRLEAD_SCREENSHOTS`` when set,
else to pytest's temporary directory.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mgrlead.cli import cli

EXAMPLES = Path(__file__).parent.parent / "examples"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: The profile chart's score marker colour (charts.profile_chart).
MARKER_RGB = (0x18, 0x64, 0xAB)

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("CI needs Chromium for the report tests: apt-get install chromium")
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Any:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    where = os.environ.get("MGRLEAD_SCREENSHOTS")
    out = Path(where) if where else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    return out


def _report(tmp_path: Path, args: list[str]) -> Path:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _open(browser: Any, path: Path) -> tuple[Any, list[str]]:
    """Open a report offline; return the page and every error or network request seen."""
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in {"error", "warning"} else None)  # fmt: skip
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def only_local(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            problems.append(f"network request: {url}")
            route.abort()

    page.route("**/*", only_local)
    page.goto(path.as_uri(), wait_until="load")
    return page, problems


def _images(page: Any) -> list[dict[str, Any]]:
    return list(
        page.evaluate(
            "Array.from(document.images).map(i => ({complete: i.complete, "
            "width: i.naturalWidth, shown: i.getBoundingClientRect().width}))"
        )
    )


def _has_colour(png: bytes, rgb: tuple[int, int, int], tolerance: int = 6) -> int:
    """How many pixels of a PNG screenshot are close to ``rgb``."""
    import numpy as np  # noqa: PLC0415
    from matplotlib.image import imread  # noqa: PLC0415

    pixels = (imread(io.BytesIO(png), format="png")[..., :3] * 255).round()
    close = np.all(np.abs(pixels - np.array(rgb)) <= tolerance, axis=-1)
    return int(close.sum())


def test_profile_report_renders_with_its_chart(browser: Any, tmp_path: Path, shots: Path) -> None:
    path = _report(tmp_path, [str(EXAMPLES / "responses.csv"), "--respondent", "R001"])
    page, problems = _open(browser, path)
    assert problems == []
    images = _images(page)
    assert len(images) == 1
    assert images[0]["complete"]
    assert images[0]["width"] > 300
    assert images[0]["shown"] > 300
    chart = page.locator("#profile-chart img")
    chart_png = chart.screenshot(path=str(shots / "profile-chart.png"))
    page.screenshot(path=str(shots / "profile-report.png"), full_page=True)
    # the screenshot shows the chart: its score markers are there, one per dimension
    assert _has_colour(chart_png, MARKER_RGB) > 4 * 40
    assert "Process-oriented vs. results-oriented" in page.inner_text("main")
    page.close()


def test_360_report_renders_and_hides_the_small_group(
    browser: Any,
    tmp_path: Path,
    shots: Path,
) -> None:
    path = _report(
        tmp_path, [str(EXAMPLES / "360-responses.csv"), "--kind", "360", "--subject", "blake"]
    )
    page, problems = _open(browser, path)
    assert problems == []
    images = _images(page)
    assert all(i["complete"] and i["width"] > 300 for i in images)
    page.screenshot(path=str(shots / "360-report.png"), full_page=True)
    text = page.inner_text("main")
    assert "Direct reports" in text
    assert text.count("not shown: 2 raters") == 4
    page.close()


def test_team_report_renders_every_team_chart(browser: Any, tmp_path: Path, shots: Path) -> None:
    path = _report(tmp_path, [str(EXAMPLES / "responses.csv"), "--kind", "team"])
    page, problems = _open(browser, path)
    assert problems == []
    images = _images(page)
    assert len(images) == 4
    assert all(i["complete"] and i["width"] > 300 for i in images)
    page.screenshot(path=str(shots / "team-report.png"), full_page=True)
    page.close()


def test_an_injected_script_in_the_data_does_not_run(browser: Any, tmp_path: Path) -> None:
    data = (
        (EXAMPLES / "360-responses.csv")
        .read_text()
        .replace("blake", "<script>window.injected=1</script>")
    )
    source = tmp_path / "evil.csv"
    source.write_text(data)
    path = _report(
        tmp_path,
        [str(source), "--kind", "360", "--subject", "<script>window.injected=1</script>"],
    )
    page, problems = _open(browser, path)
    assert problems == []
    assert page.evaluate("window.injected === undefined")
    assert "<script>window.injected=1</script>" in page.inner_text("h1")
    page.close()
