"""Outlook: what is due after the as-of date, and what the data cannot yet tell."""

from __future__ import annotations

import pandas as pd

from brief.data import split_list
from brief.facts import ChronologyFacts, CountryStatus


def due_after(chronology: ChronologyFacts) -> list[CountryStatus]:
    """Deposited withdrawals whose date of effect is still to come, soonest first."""
    return sorted((s for s in chronology.with_status("deposited") if s.effective_date), key=lambda s: s.effective_date)


def capability_plans(statements: pd.DataFrame, countries, last: int = 4) -> pd.DataFrame:
    """The latest statements about acquiring, producing or deploying mines by speakers of the chosen states."""
    mask = statements["themes"].map(lambda cell: "capability_building" in split_list(cell)) & statements["country"].map(
        lambda cell: bool(set(split_list(cell)) & set(countries))
    )
    return statements[mask & statements["date_value"].notna()].sort_values("date_value").tail(last)


def last_meeting(events: pd.DataFrame) -> pd.Series | None:
    meetings = events[events["stage"] == "meeting_of_states_parties"].sort_values("date_value")
    return meetings.iloc[-1] if len(meetings) else None
