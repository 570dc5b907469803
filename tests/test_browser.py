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


@pytest.mark.parametrize("width", [390, 1366], ids=["phone", "desktop"])
def test_no_accessibility_violations(browser, built_brief, width):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto((built_brief / "brief.html").as_uri())
    results = Axe().run(page)
    assert results.response["passes"], "axe did not run"
    violations = [(v["id"], v["impact"], len(v["nodes"])) for v in results.response["violations"]]
    assert violations == []
    page.close()


PHONE = {"width": 390, "height": 844}


def test_on_a_phone_chart_text_is_legible_and_no_table_cell_is_crushed(browser, built_brief):
    page = browser.new_page(viewport=PHONE)
    page.goto((built_brief / "brief.html").as_uri())
    smallest = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('figure.chart')].map(f => {
        const shown = [...f.querySelectorAll('.chart-body')].find(b => b.offsetParent);
        const sizes = [...shown.querySelectorAll('text')].map(t => t.getBoundingClientRect().height).filter(h => h > 0);
        return [f.id, Math.min(...sizes)]; }))""")
    report = {k: round(v, 1) for k, v in smallest.items()}
    print("smallest chart text at 390 px (CSS px):", report)
    assert all(v >= 11 for v in smallest.values()), report
    # Visible cells (a stacked table's header row is there for screen readers only).
    narrowest = page.evaluate("""() => Math.min(...[...document.querySelectorAll('td, th')]
        .filter(c => c.offsetParent && !c.closest('table.stack thead')).map(c => c.getBoundingClientRect().width))""")
    print("narrowest table cell at 390 px:", narrowest)
    assert narrowest >= 60
    assert page.locator(".to-contents").is_visible()
    page.close()


def test_a_citation_previews_its_reference_on_focus_and_the_reference_leads_back(browser, built_brief):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto((built_brief / "brief.html").as_uri())
    citation = page.locator("main a.cite").first
    citation.focus()
    preview = page.evaluate("(a) => getComputedStyle(a, '::after').content", citation.element_handle())
    assert preview.strip('"') == citation.get_attribute("data-preview") and len(preview) > 10
    target = citation.get_attribute("href")
    back = page.locator(f"{target} .backlinks a").first
    back.click()
    run = back.get_attribute("href")
    assert page.evaluate("location.hash") == run
    assert page.locator(run).locator("a.cite").count() >= 1  # it landed on the citation
    page.close()


def test_the_csv_link_decodes_to_the_chart_data(browser, built_brief):
    from urllib.parse import unquote

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto((built_brief / "brief.html").as_uri())
    figure = page.locator("#fig-casualties")
    href = figure.locator("a[download]").get_attribute("href")
    rows = unquote(href.split(",", 1)[1]).strip().splitlines()
    shown = figure.locator("details.fig-data tbody tr")
    assert len(rows) - 1 == shown.count()  # a header, then one line per row of "Show data"
    assert rows[0].split(",")[0] == figure.locator("details.fig-data th").first.text_content()
    page.close()
