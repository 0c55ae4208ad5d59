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


def _open(browser: Any, path: Path, width: int = 1000) -> tuple[Any, list[str]]:
    """Open a report offline; return the page and every error or network request seen."""
    page = browser.new_page(viewport={"width": width, "height": 1400})
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


def test_profile_report_renders_its_bars(browser: Any, tmp_path: Path, shots: Path) -> None:
    path = _report(tmp_path, [str(EXAMPLES / "responses.csv"), "--respondent", "R001"])
    page, problems = _open(browser, path)
    assert problems == []
    glance = page.locator("#glance")
    glance_png = glance.screenshot(path=str(shots / "profile-glance.png"))
    page.screenshot(path=str(shots / "profile-report.png"), full_page=True)
    # the screenshot shows a score marker on each of the five bars (four and overall)
    assert page.locator("#glance .marker").count() == 5
    assert _has_colour(glance_png, MARKER_RGB) > 5 * 40
    assert "Process-oriented vs. results-oriented" in page.inner_text("main")
    page.close()


def _profile_page(tmp_path: Path, answers: dict[str, int], *extra: str) -> Path:
    import json  # noqa: PLC0415

    saved = tmp_path / "me.json"
    source = tmp_path / "answers.json"
    source.write_text(json.dumps(answers))
    made = CliRunner().invoke(cli, ["assess", "--answers", str(source), "-o", str(saved), *extra])
    assert made.exit_code == 0, made.output
    return _report(tmp_path, [str(saved)])


def _extremes() -> dict[str, int]:
    """All the way to the low pole on the first dimension, to the high pole on the others."""
    import mgrlead  # noqa: PLC0415

    rubric = mgrlead.load_rubric("manager-leader")
    answers = {}
    for k, dim in enumerate(rubric.dimensions):
        toward = dim.low.id if k == 0 else dim.high.id
        for item in dim.items:
            answers[item.id] = 5 if item.keyed == toward else 1
    return answers


@pytest.mark.parametrize("width", [1200, 400])
def test_profile_report_says_what_assess_says_at_any_width(
    browser: Any, tmp_path: Path, shots: Path, width: int
) -> None:
    import mgrlead  # noqa: PLC0415

    rubric = mgrlead.load_rubric("manager-leader")
    path = _profile_page(tmp_path, _extremes())
    page, problems = _open(browser, path, width=width)
    assert problems == []
    page.screenshot(path=str(shots / f"profile-report-{width}.png"), full_page=True)
    text = page.inner_text("body")
    # everything assess says about the pole each dimension leans toward
    for k, dim in enumerate(rubric.dimensions):
        pole = dim.low if k == 0 else dim.high
        for said in (pole.description, pole.strengths, pole.risks, pole.development):
            assert " ".join(said.split()) in " ".join(text.split())
        assert f"Your answers lean toward {pole.label}." in text
    # each band's sentence once (in the legend of bands), not once per dimension
    for band in rubric.bands:
        assert " ".join(text.split()).count(" ".join(band.feedback.split())) == 1
    assert text.count(rubric.title) == 1  # the title once
    assert "norm table that has reliabilities" not in text
    legend = page.inner_text("#legend")
    assert all(band.label in legend for band in rubric.bands)
    # nothing wider than the screen; text a phone can read
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('dd')).fontSize)")
    assert size >= 14
    # markers at 0 and at 100 are whole: as many marker pixels as one in the middle
    markers = page.locator("#glance .marker")
    assert markers.count() == 5
    boxes = [markers.nth(k).bounding_box() for k in range(5)]
    view = page.viewport_size["width"]
    assert all(b["x"] >= 0 and b["x"] + b["width"] <= view for b in boxes)
    rows = page.locator("#glance li.bar")
    pixels = [_has_colour(rows.nth(k).screenshot(), MARKER_RGB) for k in range(5)]
    assert min(pixels) > 0.9 * max(pixels), pixels
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


@pytest.mark.parametrize("width", [1200, 400])
def test_team_report_renders_every_team_chart_and_explains_its_figures(
    browser: Any, tmp_path: Path, shots: Path, width: int
) -> None:
    path = _report(tmp_path, [str(EXAMPLES / "responses.csv"), "--kind", "team"])
    page, problems = _open(browser, path, width=width)
    assert problems == []
    images = _images(page)
    assert len(images) == 4
    assert all(i["complete"] and i["width"] > 300 for i in images)
    page.screenshot(path=str(shots / f"team-report-{width}.png"), full_page=True)
    assert page.inner_text("h1") == "Team report"  # named after the grouping
    reading = page.inner_text("#reading")
    for figure in ("rwg(j)", "ICC(1)", "ICC(2)"):
        assert figure in reading
    # the example's ICC(2) of process_results is -10.784: the row says what that means
    row = page.locator("tr", has_text="-10.784").inner_text()
    assert "cannot tell the groups apart" in row
    assert "read it as 0" in row
    assert "Only 4 groups" in page.inner_text("#few-groups")
    assert "agreement" in page.inner_text("#team-1 table")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
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


def test_profile_report_prints_with_its_colours(browser: Any, tmp_path: Path, shots: Path) -> None:
    path = _profile_page(tmp_path, _extremes())
    page, problems = _open(browser, path)
    assert problems == []
    page.emulate_media(media="print")
    shot = page.locator("#glance").screenshot(path=str(shots / "profile-report-print.png"))
    assert _has_colour(shot, MARKER_RGB) > 5 * 40  # markers and band colours are kept
    band = (0xDB, 0xE9, 0xF6)  # the first band's colour (charts.band_colour(0))
    assert _has_colour(shot, band, tolerance=2) > 1000
    adjust = page.evaluate("getComputedStyle(document.querySelector('.track')).printColorAdjust")
    assert adjust == "exact"
    pdf = page.pdf(path=str(shots / "profile-report.pdf"), format="A4")
    assert pdf.startswith(b"%PDF")
    page.close()
