"""Chronology: Art. 20 date arithmetic, the status of each state on the as-of date, its tables and timeline.

Every function takes tables already cut to the as-of date (brief.asof, through the notebook's
`ctx.load`): what was not known on that date is not here to leak.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from brief import vocab
from brief.data import add_months, effective_date, split_list
from brief.facts import ChronologyFacts, CountryStatus, Pace
from brief.figures import COUNTRY_COLORS, FOLLOW_UP_MARKERS, INK, memoized
from brief.text import cite, disclosure, esc, fmt_date, table_block


def withdrawal_events(events: pd.DataFrame) -> pd.DataFrame:
    """Only the dated withdrawal stages (not treaty milestones), sorted by date then stage order."""
    rank = {stage: i for i, stage in enumerate(vocab.STAGES)}
    frame = events[events["stage"].isin(vocab.STAGES)].copy()
    frame["stage_rank"] = frame["stage"].map(rank)
    return frame.sort_values(["date_value", "stage_rank", "event_id"]).reset_index(drop=True)


def status_as_of(events: pd.DataFrame, country: str, as_of: dt.date) -> CountryStatus:
    """The status of one state's withdrawal on `as_of`, from the (known) events recorded for it."""
    own = withdrawal_events(events[events["country"] == country])
    if own.empty:
        return CountryStatus(country=country, status="not started")
    deposits = own[own["stage"] == "un_deposit"]
    deposit = deposits["date_value"].iloc[0] if len(deposits) else None
    recorded = own[own["stage"] == "withdrawal_effective"]
    contested = country == "UA" and deposit is not None and recorded.empty
    if len(recorded):
        effective, effective_recorded = recorded["date_value"].iloc[0], True
    elif deposit is not None and not contested:
        effective, effective_recorded = effective_date(deposit), False
    else:
        effective, effective_recorded = None, False
    # The furthest stage reached decides the status (a later, lesser step such as a new announcement does not undo it).
    last = own.sort_values(["stage_rank", "date_value"]).iloc[-1]
    # Cite the step that decides the status, plus the deposit when it is known.
    sources = split_list(last["source_ids"])[:2] + [s for cell in deposits["source_ids"].tail(1) for s in split_list(cell)[:1]]
    return CountryStatus(
        country=country,
        status=vocab.STATUS_BY_STAGE[last["stage"]],
        last_stage=last["stage"],
        last_date=last["date_value"],
        deposit_date=deposit,
        effective_date=effective,
        effective_recorded=effective_recorded,
        source_ids=tuple(dict.fromkeys(sources)),
        contested=contested,
    )


def status_table(events: pd.DataFrame, countries, as_of: dt.date) -> list[CountryStatus]:
    return [status_as_of(events, country, as_of) for country in countries]


def pace(events: pd.DataFrame, countries) -> list[Pace]:
    """Per state, the days from its first recorded announcement to its deposit with the UN."""
    rows = []
    for country in countries:
        own = withdrawal_events(events[events["country"] == country])
        announced, deposited = own[own["stage"] == "announcement"].head(1), own[own["stage"] == "un_deposit"].head(1)
        if announced.empty or deposited.empty:
            continue
        a, d = announced.iloc[0], deposited.iloc[0]
        rows.append(
            Pace(
                country=country,
                announced=a["date_value"],
                deposited=d["date_value"],
                days=(d["date_value"] - a["date_value"]).days,
                source_ids=tuple(dict.fromkeys(split_list(a["source_ids"])[:1] + split_list(d["source_ids"])[:1])),
            )
        )
    return rows


def facts(events: pd.DataFrame, countries, as_of: dt.date) -> ChronologyFacts:
    """What the chronology establishes on `as_of`, for its notebook and for the key findings."""
    own = withdrawal_events(events[events["country"].isin(countries)])
    first = own[own["stage"] == "announcement"].head(1)
    return ChronologyFacts(
        as_of=as_of,
        countries=tuple(countries),
        statuses=tuple(status_table(events, countries, as_of)),
        pace=tuple(pace(events, countries)),
        first_announcement=first["date_value"].iloc[0] if len(first) else None,
        first_announcement_sources=tuple(split_list(first["source_ids"].iloc[0])) if len(first) else (),
        steps_recorded=len(listed_events(events, countries)),
    )


def effective_date_mismatches(events: pd.DataFrame) -> list[tuple[str, dt.date, dt.date]]:
    """(country, recorded, derived) for every recorded effective date that differs from deposit + 6 months."""
    mismatches = []
    for country, group in events.groupby("country"):
        deposits = group[group["stage"] == "un_deposit"]["date_value"].tolist()
        for recorded in group[group["stage"] == "withdrawal_effective"]["date_value"]:
            if deposits and recorded != effective_date(deposits[0]):
                mismatches.append((country, recorded, effective_date(deposits[0])))
    return mismatches


def effect_notes(events: pd.DataFrame, countries) -> pd.DataFrame:
    """Recorded dates of effect of the chosen states that carry a note (what the sources say about them)."""
    own = events[events["country"].isin(countries) & (events["stage"] == "withdrawal_effective")]
    return own[own["notes"].str.strip() != ""]


def ukraine_steps(events: pd.DataFrame) -> pd.DataFrame:
    return withdrawal_events(events[events["country"] == "UA"])


# ---------------------------------------------------------------------------- tables

KEY_STAGES = ("announcement", "parliament_vote", "head_of_state_signature", "un_deposit", "withdrawal_effective")
VOTE = re.compile(r"(\d+)\s*[-–]\s*(\d+)")
MONTH_ABBREVIATIONS = {"January": "Jan", "February": "Feb", "March": "Mar", "April": "Apr", "August": "Aug", "September": "Sep", "October": "Oct", "November": "Nov", "December": "Dec"}


def _short_date(text: str) -> str:
    return re.sub("|".join(MONTH_ABBREVIATIONS), lambda m: MONTH_ABBREVIATIONS[m.group(0)], fmt_date(text))


def key_step(events: pd.DataFrame, country: str, stage: str) -> pd.Series | None:
    """The recorded step of a stage: the first announcement, otherwise the last step."""
    rows = withdrawal_events(events[(events["country"] == country) & (events["stage"] == stage)])
    if rows.empty:
        return None
    return rows.iloc[0] if stage == "announcement" else rows.iloc[-1]


STATUS_COLUMNS = ["State", "Status", "First announced", "Parliament (votes for–against)", "Head of state", "Deposited with the UN", "In effect"]


def status_table_html(statuses: list[CountryStatus], events: pd.DataFrame, *, caption: str, source: str) -> str:
    """One row per state: its status and the dates of its key steps (with the vote where recorded)."""
    rows = []
    for s in statuses:
        cells = [esc(s.name), f'<span class="status status-{s.status.replace(" ", "-")}">{esc(s.status)}</span>']
        for stage in KEY_STAGES:
            step = key_step(events, s.country, stage)
            if step is not None:
                vote = VOTE.search(step["description"]) if stage == "parliament_vote" else None
                cells.append(f"{_short_date(step['date'])}{f' ({vote.group(1)}–{vote.group(2)})' if vote else ''}{cite(step['source_ids'], limit=1)}")
            elif stage == "withdrawal_effective" and s.effective_date:
                cells.append(f"{fmt_date(s.effective_date)} (due)")
            else:
                cells.append("—")
        rows.append(cells)
    return table_block("status", caption, STATUS_COLUMNS, rows, source=source)


def listed_events(events: pd.DataFrame, countries) -> pd.DataFrame:
    """The steps the chronology lists: withdrawal stages of the chosen states and Ukraine, and treaty milestones
    (what the states did next, and the treaty community's answers, are in the after-section)."""
    shown = events[events["country"].isin(list(countries) + ["UA", "XX"]) & events["stage"].isin(vocab.STAGES + vocab.TREATY_STAGES)]
    return shown.sort_values(["date_value", "event_id"])


def events_table_html(events: pd.DataFrame, countries, *, caption: str, summary: str) -> str:
    """Every listed step (listed_events), in a block the reader opens."""
    shown = listed_events(events, countries)
    rows = [
        [
            fmt_date(row["date"]),
            esc(vocab.COUNTRY_NAMES[row["country"]]),
            esc(vocab.STAGE_LABELS.get(row["stage"], row["stage"].replace("_", " ").capitalize())),
            esc(row["description"]),
            cite(row["source_ids"], limit=1),
        ]
        for _, row in shown.iterrows()
    ]
    return disclosure(esc(summary), table_block("events", caption, ["Date", "State", "Step", "What happened", "Sources"], rows, source="events.csv."))


# ---------------------------------------------------------------------------- chart

STAGE_MARKERS = {
    "announcement": "o",
    "government_decision": "s",
    "parliament_vote": "D",
    "senate_vote": "d",
    "head_of_state_signature": "P",
    "un_deposit": "v",
    "withdrawal_effective": "*",
}
# What a state did next is drawn above its row, so that no mark sits inside a notice bar.
FOLLOW_UP_OFFSET = 0.33


@memoized
def timeline_chart(events: pd.DataFrame, countries: list[str], as_of: dt.date):
    """Stages per country on a time axis, the six-month notice periods as bars, the as-of date marked.

    Returns (matplotlib figure, data table, title).
    """
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from brief.figures import chart_style

    statuses = {c: status_as_of(events, c, as_of) for c in countries}
    own = withdrawal_events(events[events["country"].isin(countries)])
    follow_up = events[events["country"].isin(countries) & events["stage"].isin(vocab.FOLLOW_UP_STAGES) & (events["date_value"] >= dt.date(2025, 3, 1))]
    rows = []
    with chart_style():
        fig, ax = plt.subplots(figsize=(6.6, 0.48 * len(countries) + 1.5))
        for y, country in enumerate(reversed(countries)):
            colour = COUNTRY_COLORS[country]
            status = statuses[country]
            if status.deposit_date and status.effective_date:
                start, end = status.deposit_date, status.effective_date
                done_end = min(end, as_of)
                ax.barh(y, (done_end - start).days, left=start, height=0.34, color=colour, alpha=0.35, linewidth=0)
                if end > as_of:
                    ax.barh(y, (end - as_of).days, left=as_of, height=0.34, facecolor="none", edgecolor=colour, hatch="////", linewidth=0.8)
                    ax.plot([end], [y], marker=STAGE_MARKERS["withdrawal_effective"], markersize=11, markerfacecolor="white", markeredgecolor=colour, linestyle="none")
            for _, row in own[own["country"] == country].iterrows():
                exact = row["date_precision"] == "day"  # month-only dates are drawn hollow, at the 1st
                ax.plot([row["date_value"]], [y], marker=STAGE_MARKERS[row["stage"]], color=colour, markersize=11 if row["stage"] == "withdrawal_effective" else 7,
                        markerfacecolor=colour if exact else "white", markeredgecolor="white" if exact else colour, markeredgewidth=0.6 if exact else 1.2, linestyle="none")
                rows.append({"country": vocab.COUNTRY_NAMES[country], "date": row["date"], "stage": vocab.STAGE_LABELS[row["stage"]]})
            for _, row in follow_up[follow_up["country"] == country].iterrows():
                exact = row["date_precision"] == "day"
                ax.plot([row["date_value"]], [y + FOLLOW_UP_OFFSET], marker=FOLLOW_UP_MARKERS[row["stage"]], markersize=5, linestyle="none",
                        markerfacecolor="white" if not exact else INK, markeredgecolor=INK, markeredgewidth=0.8)
                rows.append({"country": vocab.COUNTRY_NAMES[country], "date": row["date"], "stage": vocab.STAGE_LABELS[row["stage"]]})
            if status.effective_date and not status.effective_recorded and status.effective_date > as_of:
                rows.append({"country": vocab.COUNTRY_NAMES[country], "date": status.effective_date.isoformat(), "stage": "Withdrawal in effect (due)"})
        ax.set_yticks(range(len(countries)), [vocab.COUNTRY_NAMES[c] for c in reversed(countries)])
        for label, country in zip(ax.get_yticklabels(), reversed(countries)):
            label.set_color(COUNTRY_COLORS[country])
            label.set_fontweight("bold")
        left = dt.date(2025, 3, 1)
        last_event = max([s.effective_date for s in statuses.values() if s.effective_date] + list(own["date_value"]) + list(follow_up["date_value"]) + [left])
        right = add_months(dt.date(last_event.year, last_event.month, 1), 2)
        if as_of <= right:
            right = max(right, add_months(as_of, 1))
            ax.axvline(as_of, color="#222222", linestyle=(0, (4, 3)), linewidth=1)
            ax.annotate(f"as of {fmt_date(as_of)}", xy=(as_of, len(countries) - 0.45), xytext=(-4, 0), textcoords="offset points", ha="right", va="bottom", fontsize=8, color="#222222")
        else:
            ax.annotate(f"as of {fmt_date(as_of)} →", xy=(1, 0), xycoords="axes fraction", xytext=(-2, 3), textcoords="offset points", ha="right", va="bottom", fontsize=7.5, color="#222222")
        ax.set_xlim(left, right)
        ax.set_ylim(-0.7, len(countries) - 0.1)
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 3, 5, 7, 9, 11)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
        ax.grid(axis="x", color="#e5e5e5")
        ax.grid(axis="y", visible=False)
        handles = [Line2D([], [], marker=m, color="#555555", linestyle="none", markersize=6, label=vocab.STAGE_LABELS[s]) for s, m in STAGE_MARKERS.items()]
        if len(follow_up):
            handles += [Line2D([], [], marker=FOLLOW_UP_MARKERS[s], color=INK, linestyle="none", markersize=5, label=f"Next: {vocab.STAGE_LABELS[s].lower()}")
                        for s in vocab.FOLLOW_UP_STAGES if s in set(follow_up["stage"])]
        handles.append(plt.Rectangle((0, 0), 1, 1, facecolor="#999999", alpha=0.35, label="Six-month notice (Art. 20(3))"))
        if (own["date_precision"] != "day").any():
            handles.append(Line2D([], [], marker="o", color="#555555", markerfacecolor="white", linestyle="none", markersize=6, label="Hollow: only the month is known"))
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=4, fontsize=7.5, handletextpad=0.3, columnspacing=1.0)
        title = timeline_title(list(statuses.values()), as_of)
        ax.set_title(title)
        fig.tight_layout()
    data = pd.DataFrame(rows, columns=["country", "date", "stage"]).sort_values(["date", "country"]).reset_index(drop=True)
    return fig, data, title


def timeline_title(statuses: list[CountryStatus], as_of: dt.date) -> str:
    """A chart title that states the finding on the as-of date."""
    from brief.text import number_word, sentence_case

    counts = {status: sum(s.status == status for s in statuses) for status in vocab.STATUSES}
    total = len(statuses)
    if counts["in effect"] == total:
        last = max(s.effective_date for s in statuses)
        return f"All {number_word(total)} withdrawals in effect by {fmt_date(last)}" if total > 1 else f"Withdrawal in effect since {fmt_date(last)}"
    if counts["in effect"]:
        return f"{sentence_case(number_word(counts['in effect']))} of {number_word(total)} withdrawals in effect on {fmt_date(as_of)}"
    if counts["deposited"]:
        return f"{sentence_case(number_word(counts['deposited']))} of {number_word(total)} instruments deposited; none in effect on {fmt_date(as_of)}"
    return f"Withdrawals under way on {fmt_date(as_of)}: none deposited yet"
