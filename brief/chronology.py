"""The withdrawal chronology: Art. 20 date arithmetic and the status of each state on a given date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from brief import vocab
from brief.data import add_months, effective_date, split_list


@dataclass(frozen=True)
class CountryStatus:
    """Where one state's withdrawal stood on the as-of date."""

    country: str
    status: str  # one of vocab.STATUSES
    last_stage: str | None
    last_date: dt.date | None
    deposit_date: dt.date | None
    effective_date: dt.date | None  # recorded if known by then, else derived from the deposit
    effective_recorded: bool
    source_ids: tuple[str, ...]
    contested: bool = False  # Art. 20(3): the withdrawal cannot take effect during an armed conflict

    @property
    def name(self) -> str:
        return vocab.COUNTRY_NAMES[self.country]


def withdrawal_events(events: pd.DataFrame) -> pd.DataFrame:
    """Only the dated withdrawal stages (not treaty milestones), sorted by date then stage order."""
    rank = {stage: i for i, stage in enumerate(vocab.STAGES)}
    frame = events[events["stage"].isin(vocab.STAGES)].copy()
    frame["stage_rank"] = frame["stage"].map(rank)
    return frame.sort_values(["date_value", "stage_rank", "event_id"]).reset_index(drop=True)


def known_by(events: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The events that had happened on or before `as_of`."""
    return events[events["date_value"].map(lambda d: d is not None and d <= as_of)]


def status_as_of(events: pd.DataFrame, country: str, as_of: dt.date) -> CountryStatus:
    """The status of one state's withdrawal on `as_of`, from the events recorded for it."""
    own = withdrawal_events(events[events["country"] == country])
    past = known_by(own, as_of)
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
    if past.empty:
        return CountryStatus(country, "not started", None, None, None, None, False, (), contested)
    # The furthest stage reached decides the status (a later, lesser step such as a new announcement does not undo it).
    last = past.sort_values(["stage_rank", "date_value"]).iloc[-1]
    status = vocab.STATUS_BY_STAGE[last["stage"]]
    known_deposit = deposit if deposit is not None and deposit <= as_of else None
    if known_deposit is None:
        effective, effective_recorded = None, False
    # Cite the step that decides the status (the last one), plus the deposit when it is known.
    key_steps = past[past["stage"].isin(["un_deposit"])].tail(1)
    sources = tuple(dict.fromkeys(split_list(last["source_ids"])[:2] + [s for cell in key_steps["source_ids"] for s in split_list(cell)[:1]]))
    return CountryStatus(
        country=country,
        status=status,
        last_stage=last["stage"],
        last_date=last["date_value"],
        deposit_date=known_deposit,
        effective_date=effective,
        effective_recorded=effective_recorded and effective is not None and effective <= as_of,
        source_ids=sources,
        contested=contested,
    )


def status_table(events: pd.DataFrame, countries: list[str], as_of: dt.date) -> list[CountryStatus]:
    return [status_as_of(events, country, as_of) for country in countries]


def effective_date_mismatches(events: pd.DataFrame) -> list[tuple[str, dt.date, dt.date]]:
    """(country, recorded, derived) for every recorded effective date that differs from deposit + 6 months."""
    mismatches = []
    for country, group in events.groupby("country"):
        deposits = group[group["stage"] == "un_deposit"]["date_value"].tolist()
        for recorded in group[group["stage"] == "withdrawal_effective"]["date_value"]:
            if deposits and recorded != effective_date(deposits[0]):
                mismatches.append((country, recorded, effective_date(deposits[0])))
    return mismatches


# ---------------------------------------------------------------------------- narrative and tables

STATUS_PHRASE = {
    "in effect": "withdrawal in effect",
    "deposited": "instrument deposited, withdrawal pending",
    "approved": "withdrawal approved at home, not yet deposited",
    "announced": "withdrawal announced",
    "not started": "no step recorded",
}


def _names(statuses: list[CountryStatus]) -> list[str]:
    return [s.name for s in statuses]


def summary_html(statuses: list[CountryStatus], as_of: dt.date) -> str:
    """The opening paragraph of the chronology, computed from the statuses on `as_of`."""
    from brief.text import cite, esc, fmt_date, join_words, number_word, plural, sentence_case

    by_status: dict[str, list[CountryStatus]] = {}
    for s in statuses:
        by_status.setdefault(s.status, []).append(s)
    total = len(statuses)
    sentences = []
    in_effect = by_status.get("in effect", [])
    pending = by_status.get("deposited", [])
    if in_effect:
        detail = join_words(
            f"{esc(s.name)} (from {fmt_date(s.effective_date)}){cite(*s.source_ids)}" for s in sorted(in_effect, key=lambda s: (s.effective_date, s.country))
        )
        verb = "was" if len(in_effect) == 1 else "were"
        lead = f"All {number_word(total)}" if len(in_effect) == total and total > 1 else f"{sentence_case(number_word(len(in_effect)))} of the {number_word(total)}"
        if total == 1:
            lead = "The"
        sentences.append(f"{lead} {'withdrawal' if len(in_effect) == 1 else 'withdrawals'} {verb} in effect on {fmt_date(as_of)}: {detail}.")
    if pending:
        detail = join_words(
            f"{esc(s.name)} (deposited {fmt_date(s.deposit_date)}, takes effect {fmt_date(s.effective_date)}){cite(*s.source_ids)}"
            for s in sorted(pending, key=lambda s: (s.deposit_date, s.country))
        )
        sentences.append(
            f"{sentence_case(plural(len(pending), 'state'))} had deposited an instrument of withdrawal whose six-month notice was still running: {detail}."
        )
        if not in_effect:
            first = min(s.effective_date for s in pending)
            sentences.append(f"On {fmt_date(as_of)} no withdrawal had yet taken effect; the first takes effect on {fmt_date(first)}.")
    for status in ("approved", "announced"):
        group = by_status.get(status, [])
        if group:
            detail = join_words(
                f"{esc(s.name)} ({esc(vocab.STAGE_LABELS[s.last_stage].lower())}, {fmt_date(s.last_date)}){cite(*s.source_ids)}" for s in group
            )
            sentences.append(f"{sentence_case(STATUS_PHRASE[status])}: {detail}.")
    if by_status.get("not started"):
        sentences.append(f"No step had yet been recorded for {join_words(esc(n) for n in _names(by_status['not started']))}.")
    return f'<p class="lead">{" ".join(sentences)}</p>'


KEY_STAGES = ("announcement", "parliament_vote", "head_of_state_signature", "un_deposit", "withdrawal_effective")
VOTE = re.compile(r"(\d+)\s*[-–]\s*(\d+)")


def _short_date(row: pd.Series) -> str:
    from brief.text import fmt_date

    text = fmt_date(row["date"])
    return text.replace("January", "Jan").replace("February", "Feb").replace("March", "Mar").replace("April", "Apr").replace("August", "Aug").replace("September", "Sep").replace("October", "Oct").replace("November", "Nov").replace("December", "Dec")


def key_step(events: pd.DataFrame, country: str, stage: str, as_of: dt.date) -> pd.Series | None:
    """The recorded step of a stage by `as_of`: the first announcement, otherwise the last step."""
    rows = known_by(withdrawal_events(events[(events["country"] == country) & (events["stage"] == stage)]), as_of)
    if rows.empty:
        return None
    return rows.iloc[0] if stage == "announcement" else rows.iloc[-1]


def status_table_html(statuses: list[CountryStatus], events: pd.DataFrame, as_of: dt.date) -> str:
    """One row per state: its status on `as_of` and the dates of the key steps (with the vote where recorded)."""
    from brief.text import cite, esc, fmt_date, table_block

    rows = []
    for s in statuses:
        cells = [esc(s.name), f'<span class="status status-{s.status.replace(" ", "-")}">{esc(s.status)}</span>']
        for stage in KEY_STAGES:
            step = key_step(events, s.country, stage, as_of)
            if step is not None:
                vote = VOTE.search(step["description"]) if stage == "parliament_vote" else None
                cells.append(f"{_short_date(step)}{f' ({vote.group(1)}–{vote.group(2)})' if vote else ''}{cite(step['source_ids'], limit=1)}")
            elif stage == "withdrawal_effective" and s.effective_date:
                cells.append(f"{fmt_date(s.effective_date)} (due)")
            else:
                cells.append("—")
        rows.append(cells)
    return table_block(
        "status",
        f"Where each withdrawal stood on {fmt_date(as_of)}, and the dates of its key steps",
        ["State", "Status", "First announced", "Parliament (votes for–against)", "Head of state", "Deposited with the UN", "In effect"],
        rows,
        source="events.csv; dates not yet recorded are derived as deposit + 6 months (Art. 20(3)) and marked “due”.",
    )


def events_table_html(events: pd.DataFrame, countries: list[str], as_of: dt.date) -> str:
    """Every recorded step up to `as_of` for the chosen states (and Ukraine, and treaty milestones)."""
    from brief.text import cite, disclosure, esc, fmt_date, per_edition, table_block

    shown = known_by(events[events["country"].isin(list(countries) + ["UA", "XX"])], as_of)
    shown = shown.sort_values(["date_value", "event_id"])
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
    table = table_block(
        "events",
        f"Recorded steps up to {fmt_date(as_of)}",
        ["Date", "State", "Step", "What happened", "Sources"],
        rows,
        source="events.csv.",
    )
    count = f"{len(rows)} recorded steps up to {fmt_date(as_of)}"
    return per_edition(
        disclosure(f"All {count}, with their sources", table),
        f'<p class="annex-note">The HTML edition of this brief lists all {count}, each with its sources; they are in <code>data/events.csv</code>.</p>',
    )


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


def timeline_chart(events: pd.DataFrame, countries: list[str], as_of: dt.date):
    """Stages per country on a time axis, the six-month notice periods as bars, the as-of date marked.

    Returns (matplotlib figure, data table, title).
    """
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from brief.figures import chart_style
    from brief.text import fmt_date

    statuses = {c: status_as_of(events, c, as_of) for c in countries}
    own = known_by(withdrawal_events(events[events["country"].isin(countries)]), as_of)
    rows = []
    with chart_style():
        fig, ax = plt.subplots(figsize=(6.6, 0.48 * len(countries) + 1.5))
        for y, country in enumerate(reversed(countries)):
            colour = vocab.COUNTRY_COLORS[country]
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
            if status.effective_date and not status.effective_recorded and status.effective_date > as_of:
                rows.append({"country": vocab.COUNTRY_NAMES[country], "date": status.effective_date.isoformat(), "stage": "Withdrawal in effect (due)"})
        ax.set_yticks(range(len(countries)), [vocab.COUNTRY_NAMES[c] for c in reversed(countries)])
        for label, country in zip(ax.get_yticklabels(), reversed(countries)):
            label.set_color(vocab.COUNTRY_COLORS[country])
            label.set_fontweight("bold")
        left = dt.date(2025, 3, 1)
        last_event = max([s.effective_date for s in statuses.values() if s.effective_date] + [d for d in own["date_value"]] + [left])
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
    from brief.text import fmt_date, number_word, sentence_case

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


def ukraine_html(events: pd.DataFrame, as_of: dt.date) -> str:
    """Ukraine's recorded steps up to `as_of`, and where its withdrawal stands under Art. 20(3)."""
    from brief.text import cite, esc, fmt_date

    steps = known_by(withdrawal_events(events[events["country"] == "UA"]), as_of)
    if steps.empty:
        return f"<p>No step by Ukraine towards withdrawal had been recorded by {fmt_date(as_of)}.</p>"
    items = "".join(
        f"<li><strong>{fmt_date(row['date'])}</strong>: {esc(row['description'])}{cite(row['source_ids'])}</li>"
        for _, row in steps.iterrows()
    )
    status = status_as_of(events, "UA", as_of)
    if status.status == "in effect":
        verdict = f"Ukraine's withdrawal was recorded as in effect from {fmt_date(status.effective_date)}."
    elif status.deposit_date:
        six_months = effective_date(status.deposit_date)
        verdict = (
            f"Article 20(3) provides that the withdrawal of a state engaged in an armed conflict does not take effect "
            f"before that conflict ends{cite('aca-mineban-text', 'icrc-ottawa-explained')}. Six months after Ukraine's "
            f"notification of {fmt_date(status.deposit_date)} would have been {fmt_date(six_months)}; on {fmt_date(as_of)} "
            f"no date of effect had been recorded for Ukraine."
        )
    else:
        verdict = f"On {fmt_date(as_of)} Ukraine had not deposited an instrument of withdrawal."
    return f'<ul class="steps">{items}</ul><div class="callout"><p>{verdict}</p></div>'


def effective_dates_check_html(events: pd.DataFrame, countries: list[str], as_of: dt.date) -> str:
    """Recorded dates of effect checked against deposit + six months, with what the sources say about them."""
    from brief.text import cite, esc, fmt_date, number_word

    own = known_by(events[events["country"].isin(countries) & (events["stage"] == "withdrawal_effective")], as_of)
    if own.empty:
        return ""
    mismatches = [m for m in effective_date_mismatches(events) if m[0] in countries and m[1] <= as_of]
    if mismatches:
        text = "Recorded dates of effect that differ from deposit + six months: " + "; ".join(
            f"{esc(vocab.COUNTRY_NAMES[c])} {fmt_date(recorded)} (rule gives {fmt_date(derived)})" for c, recorded, derived in mismatches
        ) + "."
    else:
        text = f"All {number_word(len(own))} recorded dates of effect equal the deposit date plus six months."
    notes = [f"{esc(vocab.COUNTRY_NAMES[row['country']])}: {esc(row['notes'])}{cite(row['source_ids'], limit=None) if 'gives' in row['notes'] else ''}" for _, row in own.iterrows() if row["notes"].strip()]
    if notes:
        text += " " + " ".join(notes)
    return f"<p>{text}</p>"
