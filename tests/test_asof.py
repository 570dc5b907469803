"""One owner of "known on date D": rows count from their own date and from the publication of their sources."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from brief.asof import cut, known_sources, load_known, published_by
from brief.config import DATA_DIR
from brief.data import load
from brief.engine.build import build
from brief.engine.params import build_params

SOURCES = pd.DataFrame(
    [
        {"source_id": "old", "published": "2025-03-01"},
        {"source_id": "monthly", "published": "2025-12"},  # known from the end of its month
        {"source_id": "late", "published": "2025-12-01"},
        {"source_id": "undated", "published": ""},
    ]
)


def known_on(day: str) -> set[str]:
    return known_sources(SOURCES, dt.date.fromisoformat(day))


def test_a_source_counts_from_the_last_day_its_publication_date_can_mean():
    assert known_on("2025-12-01") == {"old", "late", "undated"}
    assert known_on("2025-12-31") == {"old", "late", "monthly", "undated"}
    assert published_by("2025", dt.date(2025, 12, 30)) is False


def test_events_count_from_their_date_and_from_their_report():
    events = pd.DataFrame(
        [
            {"event_id": "a", "date": "2025-06-01", "source_ids": "old;late"},
            {"event_id": "b", "date": "2025-06-01", "source_ids": "late"},  # happened in June, reported in December
            {"event_id": "c", "date": "2025-11", "source_ids": "old"},  # a month: known once the month is over
        ]
    )
    early = cut("events", events, dt.date(2025, 11, 15), known_on("2025-11-15"))
    assert list(early["event_id"]) == ["a"]
    assert list(early["source_ids"]) == ["old"]  # the later source is not cited before it was published
    later = cut("events", events, dt.date(2025, 12, 2), known_on("2025-12-02"))
    assert list(later["event_id"]) == ["a", "b", "c"] and later["source_ids"].iloc[0] == "old;late"


def test_a_casualty_year_is_known_once_the_monitor_reporting_it_is_out():
    casualties = pd.DataFrame([{"year": "2023", "source_id": "old"}, {"year": "2024", "source_id": "late"}])
    assert list(cut("casualties", casualties, dt.date(2025, 11, 30), known_on("2025-11-30"))["year"]) == ["2023"]
    assert list(cut("casualties", casualties, dt.date(2025, 12, 1), known_on("2025-12-01"))["year"]) == ["2023", "2024"]


def test_a_claim_needs_its_article_and_keeps_only_published_evidence():
    claims = pd.DataFrame(
        [
            {"claim_id": "C1", "source_id": "old", "evidence_source_ids": "late"},  # its only evidence came later
            {"claim_id": "C2", "source_id": "old", "evidence_source_ids": ""},  # unverifiable: no evidence to wait for
            {"claim_id": "C3", "source_id": "late", "evidence_source_ids": "old"},  # the article itself came later
        ]
    )
    known = cut("claims", claims, dt.date(2025, 6, 1), known_on("2025-06-01"))
    assert list(known["claim_id"]) == ["C2"]


def test_undated_statements_count_from_their_source_and_method_tables_are_whole():
    statements = pd.DataFrame([{"statement_id": "S1", "date": "", "source_id": "late"}, {"statement_id": "S2", "date": "", "source_id": "undated"}])
    assert list(cut("statements", statements, dt.date(2025, 6, 1), known_on("2025-06-01"))["statement_id"]) == ["S2"]
    assert len(load_known("themes", DATA_DIR, dt.date(2025, 3, 1))) == len(load("themes"))


@pytest.mark.build
@pytest.mark.parametrize("as_of", ["2025-09-01", "2026-01-05"])
def test_nothing_in_the_brief_rests_on_a_later_source(tmp_path, as_of):
    build(build_params(as_of=as_of, output_dir=tmp_path, formats="html"), log=lambda m: None)
    soup = BeautifulSoup((tmp_path / "brief.html").read_text(encoding="utf-8"), "html.parser")
    published = dict(zip(load("sources")["source_id"], load("sources")["published"]))
    cited = [li["id"].removeprefix("ref-") for li in soup.select(".reference-list li")]
    assert cited
    day = dt.date.fromisoformat(as_of)
    assert [s for s in cited if not published_by(published[s], day)] == []
    findings = soup.select_one("#key_findings").get_text(" ", strip=True)
    if as_of == "2025-09-01":
        assert "have deposited instruments of withdrawal" in findings and "are in effect" not in findings
        assert "6,279" not in soup.get_text()  # Landmine Monitor 2025 (1 December 2025) was not out
    else:
        assert "Three of five withdrawals are in effect" in findings and "take effect on" in findings
