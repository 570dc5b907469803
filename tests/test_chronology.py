"""Status of each withdrawal on a date, from small synthetic event tables."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from brief import chronology
from brief.data import parse_partial_date


def events_frame(rows):
    frame = pd.DataFrame(rows, columns=["event_id", "date", "date_precision", "country", "stage", "description", "source_ids", "notes"])
    frame["date_value"] = frame["date"].map(parse_partial_date)
    return frame


EVENTS = events_frame(
    [
        ("A1", "2025-03-18", "day", "EE", "announcement", "x", "s1", ""),
        ("A2", "2025-06-04", "day", "EE", "parliament_vote", "x", "s2", ""),
        ("A3", "2025-06-27", "day", "EE", "un_deposit", "x", "s3", ""),
        ("B1", "2025-04-01", "day", "FI", "announcement", "x", "s4", ""),
        ("U1", "2025-07-18", "day", "UA", "un_deposit", "x", "s5", ""),
    ]
)


def test_status_moves_through_the_stages():
    assert chronology.status_as_of(EVENTS, "EE", dt.date(2025, 3, 1)).status == "not started"
    assert chronology.status_as_of(EVENTS, "EE", dt.date(2025, 4, 1)).status == "announced"
    assert chronology.status_as_of(EVENTS, "EE", dt.date(2025, 6, 10)).status == "approved"
    deposited = chronology.status_as_of(EVENTS, "EE", dt.date(2025, 9, 1))
    assert deposited.status == "deposited"
    assert deposited.effective_date == dt.date(2025, 12, 27) and not deposited.effective_recorded


def test_effective_date_is_derived_when_not_recorded():
    status = chronology.status_as_of(EVENTS, "EE", dt.date(2026, 1, 5))
    assert status.status == "deposited"  # not recorded as in effect, even though the date has passed
    assert status.effective_date == dt.date(2025, 12, 27)


def test_recorded_effect_counts_from_its_date():
    events = pd.concat([EVENTS, events_frame([("A4", "2025-12-27", "day", "EE", "withdrawal_effective", "x", "s6", "")])])
    assert chronology.status_as_of(events, "EE", dt.date(2025, 12, 26)).status == "deposited"
    after = chronology.status_as_of(events, "EE", dt.date(2025, 12, 27))
    assert after.status == "in effect" and after.effective_recorded


def test_ukraine_is_contested_and_gets_no_derived_effective_date():
    status = chronology.status_as_of(EVENTS, "UA", dt.date(2026, 6, 1))
    assert status.contested and status.effective_date is None


def test_summary_says_pending_before_and_in_effect_after():
    events = pd.concat([EVENTS, events_frame([("A4", "2025-12-27", "day", "EE", "withdrawal_effective", "x", "s6", "")])])
    before = chronology.summary_html(chronology.status_table(events, ["EE"], dt.date(2025, 9, 1)), dt.date(2025, 9, 1))
    after = chronology.summary_html(chronology.status_table(events, ["EE"], dt.date(2026, 3, 1)), dt.date(2026, 3, 1))
    assert "no withdrawal had yet taken effect" in before and "27 December 2025" in before
    assert "in effect" in after and "no withdrawal had yet" not in after


def test_mismatched_effective_dates_are_listed():
    events = pd.concat([EVENTS, events_frame([("A4", "2025-12-28", "day", "EE", "withdrawal_effective", "x", "s6", "")])])
    assert chronology.effective_date_mismatches(events) == [("EE", dt.date(2025, 12, 28), dt.date(2025, 12, 27))]
