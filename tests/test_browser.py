"""The HTML brief in a real browser (Debian's Chromium via Playwright): no errors, no failed loads, accessible."""

from __future__ import annotations

import shutil

import pytest

pytestmark = pytest.mark.build
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (.ci/run installs it with apt-get)", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.mark.parametrize("width", [390, 1366], ids=["phone", "desktop"])
def test_renders_without_errors_or_failed_loads(browser, built_brief, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors, failed = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto((built_brief / "brief.html").as_uri())
    page.wait_for_load_state("load")
    assert errors == [] and failed == []
    assert page.locator("figure.chart svg").count() >= 5
    # Nothing but wide tables (which scroll in their own box) may push the page sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    page.close()


def test_show_data_discloses_the_table(browser, built_brief):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto((built_brief / "brief.html").as_uri())
    table = page.locator("#fig-timeline details.fig-data table")
    assert not table.is_visible()
    page.locator("#fig-timeline details.fig-data summary").click()
    assert table.is_visible() and table.locator("tbody tr").count() > 10
    page.close()


def test_no_serious_or_critical_accessibility_violations(browser, built_brief):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto((built_brief / "brief.html").as_uri())
    results = Axe().run(page)
    assert results.response["passes"], "axe did not run"
    serious = [(v["id"], v["impact"], len(v["nodes"])) for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
    page.close()
