"""A real build into a temporary folder: sections, no code, embedded figures, the as-of date, a readable PDF."""

from __future__ import annotations

import re
import shutil

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from brief.build import build
from brief.data import DataError
from brief.params import build_params
from tests.conftest import edit_csv

pytestmark = pytest.mark.build


def test_html_has_sections_figures_and_no_code(built_brief):
    html = (built_brief / "brief.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert [h.get_text(" ", strip=True) for h in soup.select("section.brief-section > h2")][:1] == ["1 Key findings"]
    assert soup.select_one("section#references li")
    assert soup.select("figure.chart svg"), "no embedded chart"
    assert not re.search(r"In\s*\[\d*\]|jp-InputArea|ctx = notebook_context|import ", html)
    assert "22 November 2026" in soup.select_one(".as-of").get_text()
    assert not soup.select('link[rel="stylesheet"], script[src], img[src^="http"]'), "the HTML must be self-contained"
    assert (built_brief / "figures" / "timeline.svg").exists() and (built_brief / "figures" / "timeline.png").exists()
    assert (built_brief / "notebooks" / "01_chronology.ipynb").exists()


def test_pdf_has_pages_and_extractable_text(built_brief):
    reader = PdfReader(built_brief / "brief.pdf")
    assert 2 <= len(reader.pages) <= 40
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "22 November 2026" in text
    assert reader.metadata.title == "Leaving the Mine Ban Treaty"


def test_as_of_changes_the_chronology(tmp_path):
    def lead(as_of):
        out = tmp_path / as_of
        build(build_params(as_of=as_of, output_dir=out, formats="html"), log=lambda m: None)
        soup = BeautifulSoup((out / "brief.html").read_text(encoding="utf-8"), "html.parser")
        return soup.select_one("#chronology p.lead").get_text(" ", strip=True)

    pending, in_effect = lead("2025-09-01"), lead("2026-03-01")
    assert "no withdrawal had yet taken effect" in pending
    assert "All five withdrawals were in effect on 1 March 2026" in in_effect


def test_bad_data_stops_the_build_and_keeps_the_last_brief(built_brief, data_copy, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built_brief, out)
    before = {p.name: p.read_bytes() for p in out.glob("brief.*")}
    edit_csv(data_copy / "events.csv", "EE-03,2025-06-04", "EE-03,2025-06-31")
    with pytest.raises(DataError, match="events.csv, line"):
        build(build_params(data_dir=data_copy, output_dir=out), log=lambda m: None)
    assert {p.name: p.read_bytes() for p in out.glob("brief.*")} == before
    assert not (out / "notebooks" / ".staging").exists()


SPEC_ORDER = ["key-findings", "chronology", "rationales", "humanitarian", "claims", "outlook", "methods", "references"]


def soup_of(folder):
    return BeautifulSoup((folder / "brief.html").read_text(encoding="utf-8"), "html.parser")


def test_every_spec_section_in_order(built_brief):
    soup = soup_of(built_brief)
    assert [s["id"] for s in soup.select("main > section.brief-section")] == SPEC_ORDER


def test_every_citation_resolves_and_every_reference_is_cited(built_brief):
    soup = soup_of(built_brief)
    cited = {a["href"][1:] for a in soup.select("a.cite")}
    references = {li["id"] for li in soup.select(".reference-list li")}
    assert cited and cited == references
    numbers = [int(li["value"]) for li in soup.select(".reference-list li")]
    assert numbers == list(range(1, len(numbers) + 1))


def test_key_findings_hold_only_numbers_the_data_holds(built_brief):
    import datetime as dt

    from brief import data, humanitarian
    from brief.chronology import status_table

    soup = soup_of(built_brief)
    section = soup.select_one("#key-findings")
    for cites in section.select(".cites"):
        cites.decompose()
    text = section.get_text(" ", strip=True)
    casualties = data.load("casualties")
    change = humanitarian.latest_change(casualties)
    parties = data.load("states_parties")
    claims = data.load("claims")
    events = data.load("events")
    as_of = dt.date(2026, 11, 22)
    statuses = status_table(events, ["EE", "LV", "LT", "FI", "PL"], as_of)
    expected = [
        f"{change['casualties']:,} people killed or injured in {change['year']}",
        f"{abs(change['change_pct']):.0f}% on {change['previous_year']}",
        f"from {parties['states_parties'].max()}",
        f"to {parties.sort_values('date_value')['states_parties'].iloc[-1]}",
        f"Of {len(claims)} claims checked",
        f"{(claims['verdict'] == 'false').sum()} are false",
        f"between {min(s.effective_date for s in statuses).day} December 2025 and {max(s.effective_date for s in statuses).day} February 2026",
    ]
    for phrase in expected:
        assert phrase in text, phrase
    # No other figure sneaks in: every number in the findings is one of the recomputed ones or part of a date.
    allowed = {str(n) for n in range(1, 32)} | {"2022", "2023", "2024", "2025", "2026"}
    allowed |= {f"{change['casualties']:,}", f"{abs(change['change_pct']):.0f}", f"{change['civilian_share_pct']:.0f}"}
    allowed |= {str(v) for v in parties["states_parties"]} | {str(len(claims))}
    allowed |= {str(v) for v in claims["verdict"].value_counts()}
    from brief import rationales

    statements = rationales.known_by(data.load("statements"), as_of)
    themes = data.load("themes")
    recorded = rationales.record_values(statements, rationales.explode_themes(statements, themes), ("EE", "LV", "LT", "FI", "PL"))
    allowed |= {str(recorded["statements"])} | {str(t["count"]) for t in recorded["top_themes"]}
    critics = humanitarian.record_values(casualties, parties, humanitarian.critics(statements, themes), themes)["critics"]
    allowed |= {str(critics["count"]), str(critics["top_theme"]["count"])}
    first = min(e for e in events.loc[events["stage"] == "announcement", "date_value"])
    allowed |= {str((s.deposit_date - first).days) for s in statuses}
    for number in re.findall(r"\d+(?:,\d{3})*", text):
        assert number in allowed, number


def test_a_different_as_of_changes_key_findings_and_outlook(built_brief, tmp_path):
    out = tmp_path / "early"
    build(build_params(as_of="2025-09-01", output_dir=out, formats="html"), log=lambda m: None)
    early, now = soup_of(out), soup_of(built_brief)
    for section in ("#key-findings", "#outlook"):
        assert early.select_one(section).get_text() != now.select_one(section).get_text()
    assert "have deposited instruments of withdrawal" in early.select_one("#key-findings").get_text()
    assert "due to take effect" in early.select_one("#outlook").get_text()
