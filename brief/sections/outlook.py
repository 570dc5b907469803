"""Outlook: what is due after the as-of date, and what the data cannot yet tell."""

from __future__ import annotations

import pandas as pd

from brief import vocab
from brief.facts import ChronologyFacts, CountryStatus


def due_after(chronology: ChronologyFacts) -> list[CountryStatus]:
    """Deposited withdrawals whose date of effect is still to come, soonest first."""
    return sorted((s for s in chronology.with_status("deposited") if s.effective_date), key=lambda s: s.effective_date)


def latest_steps(events: pd.DataFrame, countries) -> pd.DataFrame:
    """Each chosen state's latest recorded step towards producing, buying or laying anti-personnel mines."""
    steps = events[events["country"].isin(countries) & events["stage"].isin(vocab.FOLLOW_UP_STAGES)]
    latest = steps.sort_values(["date_value", "event_id"]).groupby("country").tail(1)
    order = {c: i for i, c in enumerate(countries)}
    return latest.sort_values("country", key=lambda s: s.map(order))


def last_meeting(events: pd.DataFrame) -> pd.Series | None:
    meetings = events[events["stage"] == "meeting_of_states_parties"].sort_values("date_value")
    return meetings.iloc[-1] if len(meetings) else None
