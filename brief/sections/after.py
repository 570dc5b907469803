"""After the withdrawals: what the five states did next, how the treaty community answered, and the context."""

from __future__ import annotations

import datetime as dt
import textwrap

import pandas as pd

from brief import vocab
from brief.data import split_list
from brief.facts import AfterFacts, StageCount
from brief.figures import COUNTRY_COLORS, FOLLOW_UP_MARKERS, INK, memoized
from brief.text import cite, esc, fmt_date, table_block

# The kinds of event each part of the section shows.
NEXT_STEPS = vocab.FOLLOW_UP_STAGES + ("anti_tank_mines",)
RESPONSES = ("meeting_of_states_parties", "objection", "monitor_report", "civil_society_statement")
CONTEXT = ("military_statement", "domestic_review", "cluster_munitions_withdrawal")
RESPONSES_SINCE = dt.date(2025, 6, 1)  # the first deposits of instruments of withdrawal


def of_kind(events: pd.DataFrame, stages: tuple[str, ...], countries=None, since: dt.date | None = None) -> pd.DataFrame:
    """Events of the given stages (of the chosen states, from a date on), in date order."""
    mask = events["stage"].isin(stages)
    if countries is not None:
        mask &= events["country"].isin(countries)
    if since is not None:
        mask &= events["date_value"] >= since
    return events[mask].sort_values(["date_value", "event_id"])


def facts(events: pd.DataFrame, countries, as_of: dt.date) -> AfterFacts:
    steps = of_kind(events, vocab.FOLLOW_UP_STAGES, countries)
    effective = events[(events["stage"] == "withdrawal_effective") & events["country"].isin(countries)]
    return AfterFacts(
        as_of=as_of,
        countries=tuple(countries),
        in_effect=tuple(c for c in countries if c in set(effective["country"])),
        steps=tuple(StageCount(stage=s, label=vocab.STAGE_LABELS[s], count=int((steps["stage"] == s).sum())) for s in vocab.FOLLOW_UP_STAGES),
        states_with_steps=tuple(c for c in countries if c in set(steps["country"])),
        anti_tank_steps=len(of_kind(events, ("anti_tank_mines",), countries)),
        latest_step=steps["date_value"].max() if len(steps) else None,
        source_ids=tuple(split_list(ids)[0] for ids in steps.groupby("country").tail(1)["source_ids"]),
        responses=len(of_kind(events, RESPONSES, since=RESPONSES_SINCE)),
    )


# ---------------------------------------------------------------------------- chart

@memoized
def steps_chart(events: pd.DataFrame, countries: list[str], as_of: dt.date):
    """One row per state from its withdrawal's date of effect on: what it did next, one mark per step."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from brief.figures import chart_style

    steps = of_kind(events, NEXT_STEPS, countries)
    effective = events[(events["stage"] == "withdrawal_effective") & events["country"].isin(countries)].set_index("country")["date_value"]
    with chart_style():
        fig, ax = plt.subplots(figsize=(6.6, 0.46 * len(countries) + 1.5))
        for y, country in enumerate(reversed(countries)):
            colour = COUNTRY_COLORS[country]
            ax.axhline(y, color="#e5e5e5", linewidth=0.8, zorder=0)
            if country in effective.index:
                ax.plot([effective[country]], [y], marker="|", markersize=16, markeredgewidth=2, color=INK, linestyle="none")
            own = steps[steps["country"] == country]
            for offset, (_, row) in zip(_spread(own["date_value"]), own.iterrows()):
                anti_tank = row["stage"] == "anti_tank_mines"
                exact = row["date_precision"] == "day"
                ax.plot([row["date_value"]], [y + offset], marker=FOLLOW_UP_MARKERS[row["stage"]], markersize=7, linestyle="none",
                        markerfacecolor="white" if anti_tank or not exact else colour, markeredgecolor="#888888" if anti_tank else colour, markeredgewidth=1.2)
        ax.set_yticks(range(len(countries)), [vocab.COUNTRY_NAMES[c] for c in reversed(countries)])
        for label, country in zip(ax.get_yticklabels(), reversed(countries)):
            label.set_color(COUNTRY_COLORS[country])
            label.set_fontweight("bold")
        left = min([RESPONSES_SINCE] + list(steps["date_value"]))
        ax.set_xlim(dt.date(left.year, left.month, 1), max(as_of, dt.date(2026, 1, 1)) + dt.timedelta(days=20))
        ax.set_ylim(-0.7, len(countries) - 0.3)
        ax.axvline(as_of, color=INK, linestyle=(0, (4, 3)), linewidth=1)
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
        ax.grid(False)
        handles = [Line2D([], [], marker=m, color="#555555", markerfacecolor="white" if s == "anti_tank_mines" else "#555555", linestyle="none", markersize=6,
                          label=vocab.STAGE_LABELS[s]) for s, m in FOLLOW_UP_MARKERS.items()]
        handles.append(Line2D([], [], marker="|", color=INK, linestyle="none", markersize=10, markeredgewidth=2, label="Withdrawal in effect"))
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, fontsize=7.5, handletextpad=0.3, columnspacing=1.0)
        title = steps_title(steps, countries, as_of)
        ax.set_title("\n".join(textwrap.wrap(title, 64)))
        fig.tight_layout()
    data = steps.assign(country=steps["country"].map(vocab.COUNTRY_NAMES), step=steps["stage"].map(vocab.STAGE_LABELS))[["date", "country", "step", "description"]]
    return fig, data.reset_index(drop=True), title


def _spread(dates: pd.Series, gap_days: int = 25) -> list[float]:
    """Small vertical offsets so that steps close in time do not hide each other."""
    offsets, last, level = [], None, 0
    for d in dates:
        level = level + 1 if last is not None and (d - last).days < gap_days else 0
        offsets.append((0.0, 0.22, -0.22)[level % 3])
        last = d
    return offsets


def steps_title(steps: pd.DataFrame, countries, as_of: dt.date) -> str:
    from brief.text import number_word, sentence_case

    anti_personnel = steps[steps["stage"].isin(vocab.FOLLOW_UP_STAGES)]
    if not len(anti_personnel):
        return "No production, procurement or deployment step recorded"
    states = anti_personnel["country"].nunique()
    title = f"{sentence_case(number_word(states))} of {number_word(len(countries))} states took steps towards anti-personnel mines"
    latest = max(anti_personnel["date_value"])
    if (as_of - latest).days > 90:
        title += f"; none recorded after {latest.strftime('%B %Y')}"
    return title


# ---------------------------------------------------------------------------- tables


def events_table_html(frame: pd.DataFrame, slug: str, caption: str, source: str) -> str:
    rows = [[esc(fmt_date(r["date"])), esc(vocab.COUNTRY_NAMES[r["country"]]) if r["country"] != "XX" else "", esc(vocab.STAGE_LABELS[r["stage"]]),
             f"{esc(r['description'])}{cite(r['source_ids'])}"] for _, r in frame.iterrows()]
    return table_block(slug, caption, ["Date", "State", "Kind", "What happened"], rows, source=source)
