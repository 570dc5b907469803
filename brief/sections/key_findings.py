"""Key findings: reads the facts the other sections recorded (brief.engine.results); computes what they combine."""

from __future__ import annotations

from brief.facts import ChronologyFacts, Pace


def pace_range(chronology: ChronologyFacts) -> tuple[Pace, Pace] | None:
    """The fastest and the slowest state from first announcement to deposit; None before any deposit."""
    if not chronology.pace:
        return None
    ordered = sorted(chronology.pace, key=lambda p: (p.days, p.country))
    return ordered[0], ordered[-1]


def tense(chronology: ChronologyFacts) -> str:
    """'all in effect', 'some in effect', 'deposited' or 'under way': which story the key findings tell."""
    statuses = [s.status for s in chronology.statuses]
    if statuses and all(s == "in effect" for s in statuses):
        return "all in effect"
    if "in effect" in statuses:
        return "some in effect"
    if "deposited" in statuses:
        return "deposited"
    return "under way"
