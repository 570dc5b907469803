"""Status of each withdrawal on a date, from small synthetic event tables."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from brief.asof import cut
from brief.data import parse_partial_date
from brief.sections import chronology


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


SOURCES = {"s1", "s2", "s3", "s4", "s5", "s6"}


def status_on(events, country, day):
    """The status a notebook computes: from the events known on `day` (cut by brief.asof)."""
    return chronology.status_as_of(cut("events", events, day, SOURCES), country, day)


def test_status_moves_through_the_stages():
    assert status_on(EVENTS, "EE", dt.date(2025, 3, 1)).status == "not started"
    assert status_on(EVENTS, "EE", dt.date(2025, 4, 1)).status == "announced"
    assert status_on(EVENTS, "EE", dt.date(2025, 6, 10)).status == "approved"
    deposited = status_on(EVENTS, "EE", dt.date(2025, 9, 1))
    assert deposited.status == "deposited"
    assert deposited.effective_date == dt.date(2025, 12, 27) and not deposited.effective_recorded


def test_effective_date_is_derived_when_not_recorded():
    status = status_on(EVENTS, "EE", dt.date(2026, 1, 5))
    assert status.status == "deposited"  # not recorded as in effect, even though the date has passed
    assert status.effective_date == dt.date(2025, 12, 27)


def test_recorded_effect_counts_from_its_date():
    events = pd.concat([EVENTS, events_frame([("A4", "2025-12-27", "day", "EE", "withdrawal_effective", "x", "s6", "")])])
    assert status_on(events, "EE", dt.date(2025, 12, 26)).status == "deposited"
    after = status_on(events, "EE", dt.date(2025, 12, 27))
    assert after.status == "in effect" and after.effective_recorded


def test_ukraine_is_contested_and_gets_no_derived_effective_date():
    status = status_on(EVENTS, "UA", dt.date(2026, 6, 1))
    assert status.contested and status.effective_date is None


def test_facts_pace_per_state_and_first_announcement():
    facts = chronology.facts(cut("events", EVENTS, dt.date(2025, 9, 1), SOURCES), ("EE", "FI"), dt.date(2025, 9, 1))
    assert [(p.country, p.days) for p in facts.pace] == [("EE", 101)]  # FI has not deposited
    assert facts.first_announcement == dt.date(2025, 3, 18) and facts.first_announcement_sources == ("s1",)
    assert [s.status for s in facts.statuses] == ["deposited", "announced"]


def test_mismatched_effective_dates_are_listed():
    events = pd.concat([EVENTS, events_frame([("A4", "2025-12-28", "day", "EE", "withdrawal_effective", "x", "s6", "")])])
    assert chronology.effective_date_mismatches(events) == [("EE", dt.date(2025, 12, 28), dt.date(2025, 12, 27))]
