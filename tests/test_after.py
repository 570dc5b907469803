"""What the states did next: the section's facts, and how the timeline draws the follow-up steps."""

from __future__ import annotations

import datetime as dt

from brief import vocab
from brief.sections import after, chronology
from tests.test_chronology import events_frame

EVENTS = events_frame(
    [
        ("E3", "2025-06-27", "day", "EE", "un_deposit", "x", "s1", ""),
        ("E4", "2025-12-27", "day", "EE", "withdrawal_effective", "x", "s1", ""),
        ("P3", "2025-08-20", "day", "PL", "un_deposit", "x", "s2", ""),
        ("P4", "2026-02-20", "day", "PL", "withdrawal_effective", "x", "s2", ""),
        ("PA", "2025-12-17", "day", "PL", "production_decision", "plan", "s3;s9", ""),  # inside Poland's notice period
        ("PB", "2026-03-03", "day", "PL", "procurement", "consult", "s4", ""),
        ("PC", "2026-02-18", "day", "PL", "anti_tank_mines", "AT", "s5", ""),
        ("EA", "2024-12", "month", "EE", "military_statement", "view", "s6", ""),
        ("X1", "2025-12-05", "day", "XX", "objection", "obj", "s7", ""),
        ("X0", "2025-03-01", "day", "XX", "objection", "too early", "s8", ""),
    ]
)


def test_facts_count_steps_towards_anti_personnel_mines_apart_from_anti_tank_and_context():
    facts = after.facts(EVENTS, ("EE", "PL"), dt.date(2026, 11, 22))
    assert facts.in_effect == ("EE", "PL")
    assert {s.stage: s.count for s in facts.steps} == {"production_decision": 1, "procurement": 1, "deployment_plan": 0}
    assert facts.states_with_steps == ("PL",)
    assert facts.anti_tank_steps == 1
    assert facts.latest_step == dt.date(2026, 3, 3)
    assert facts.source_ids == ("s4",)  # the first source of Poland's latest step
    assert facts.responses == 1  # the objection of March 2025 is before June 2025


def test_chart_title_says_when_the_last_step_was():
    steps = after.of_kind(EVENTS, after.NEXT_STEPS, ("EE", "PL"))
    assert after.steps_title(steps, ("EE", "PL"), dt.date(2026, 11, 22)) == "One of two states took steps towards anti-personnel mines; none recorded after March 2026"
    assert after.steps_title(steps, ("EE", "PL"), dt.date(2026, 3, 10)).endswith("anti-personnel mines")
    assert after.steps_title(steps.iloc[0:0], ("EE",), dt.date(2026, 3, 10)).startswith("No production")


def test_timeline_draws_follow_up_steps_as_their_own_marks_never_inside_a_notice_bar():
    import matplotlib.pyplot as plt

    fig, data, _ = chronology.timeline_chart(EVENTS, ["EE", "PL"], dt.date(2026, 11, 22))
    ax = fig.axes[0]
    bars = [p.get_bbox() for p in ax.patches]
    follow_up = {m for s, m in chronology.FOLLOW_UP_MARKERS.items() if s in vocab.FOLLOW_UP_STAGES}
    marks = [line for line in ax.lines if line.get_marker() in follow_up and len(line.get_xdata()) == 1 and line.get_label() and not line.get_label().startswith("Next")]
    drawn = [(line.get_xdata()[0], line.get_ydata()[0]) for line in marks]
    assert len(drawn) >= 2  # Poland's production plan and procurement step
    import matplotlib.dates as mdates

    for x, y in drawn:
        xnum = mdates.date2num(x)
        assert not any(b.x0 <= xnum <= b.x1 and b.y0 <= y <= b.y1 for b in bars)
    assert {"Production plan", "Procurement step"} <= set(data["stage"])
    assert "Anti-tank mines (not banned)" not in set(data["stage"])  # not a step towards anti-personnel mines
    plt.close(fig)
