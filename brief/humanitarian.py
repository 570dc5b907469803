"""Humanitarian criticism: casualties (Landmine Monitor), States Parties over time, the critics, and framing."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from brief.data import split_list, source_text
from brief.text import cite, esc, fmt_date, fmt_int, join_words, number_word, per_edition, plural, table_block

KILLED, INJURED, UNKNOWN, TOTAL_ONLY = "#b2182b", "#ef8a62", "#bdbdbd", "#9e9e9e"


# ---------------------------------------------------------------------------- casualties


def latest_change(casualties: pd.DataFrame) -> dict:
    """The latest year, its total, the change on the year before, and the last earlier year that was higher."""
    table = casualties.sort_values("year").reset_index(drop=True)
    last, prev = table.iloc[-1], table.iloc[-2]
    higher = table[(table["year"] < last["year"]) & (table["casualties"] > last["casualties"])]
    return {
        "year": int(last["year"]),
        "casualties": int(last["casualties"]),
        "killed": None if pd.isna(last["killed"]) else int(last["killed"]),
        "previous_year": int(prev["year"]),
        "previous": int(prev["casualties"]),
        "change_pct": round(100 * (last["casualties"] - prev["casualties"]) / prev["casualties"], 1),
        "highest_since": int(higher["year"].max()) if len(higher) else None,
        "civilian_share_pct": None if pd.isna(last["civilian_share_pct"]) else float(last["civilian_share_pct"]),
        "child_share_pct": None if pd.isna(last["child_share_pct"]) else float(last["child_share_pct"]),
        "source_id": last["source_id"],
        "edition": last["monitor_edition"],
    }


def casualties_chart(casualties: pd.DataFrame):
    import matplotlib.pyplot as plt

    from brief.figures import chart_style

    table = casualties.sort_values("year")
    table = table[table["year"] >= 2013]
    change = latest_change(casualties)
    with chart_style():
        fig, ax = plt.subplots(figsize=(6.4, 3.1))
        for _, row in table.iterrows():
            year = int(row["year"])
            if pd.isna(row["killed"]) or pd.isna(row["injured"]):
                ax.bar(year, row["casualties"], color=TOTAL_ONLY, width=0.7, hatch="///", edgecolor="white", linewidth=0)
                continue
            killed, injured = int(row["killed"]), int(row["injured"])
            ax.bar(year, killed, color=KILLED, width=0.7)
            ax.bar(year, injured, bottom=killed, color=INJURED, width=0.7)
            ax.bar(year, int(row["casualties"]) - killed - injured, bottom=killed + injured, color=UNKNOWN, width=0.7)
        last = table.iloc[-1]
        ax.annotate(fmt_int(last["casualties"]), (int(last["year"]), last["casualties"]), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8, fontweight="bold")
        peak = table.loc[table["casualties"].idxmax()]
        if int(peak["year"]) != int(last["year"]):
            ax.annotate(fmt_int(peak["casualties"]), (int(peak["year"]), peak["casualties"]), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8)
        ax.set_xticks(table["year"].astype(int).tolist(), [f"{y}" if y % 2 == 0 else f"’{y % 100:02d}" for y in table["year"].astype(int)])
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: fmt_int(v)))
        handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in (KILLED, INJURED, UNKNOWN)] + [plt.Rectangle((0, 0), 1, 1, facecolor=TOTAL_ONLY, hatch="///", edgecolor="white")]
        ax.legend(handles, ["Killed", "Injured", "Status unknown", "Total only (no split confirmed)"], ncol=2, loc="upper right", fontsize=7.5)
        ax.set_ylim(0, table["casualties"].max() * 1.25)
        direction = "up" if change["change_pct"] > 0 else "down"
        title = f"{fmt_int(change['casualties'])} mine casualties in {change['year']}, {direction} {abs(change['change_pct']):.0f}% on {change['previous_year']}"
        ax.set_title(title)
        fig.tight_layout()
    data = table[["year", "casualties", "killed", "injured", "unknown_status", "civilian_share_pct", "child_share_pct", "monitor_edition"]].astype(object)
    return fig, data.where(pd.notna(data), ""), title


def casualties_html(casualties: pd.DataFrame, claims: pd.DataFrame) -> str:
    """The casualty paragraph, and a correction for every claim that reports a Monitor total as deaths."""
    c = latest_change(casualties)
    parts = [
        f"Landmine Monitor recorded {fmt_int(c['casualties'])} people killed or injured by mines and explosive remnants of war in {c['year']}"
        + (f", {fmt_int(c['killed'])} of them killed" if c["killed"] else "")
        + f" ({esc(c['edition'])}){cite(c['source_id'])}.",
        f"That is {abs(c['change_pct']):.0f}% {'more' if c['change_pct'] > 0 else 'fewer'} than the {fmt_int(c['previous'])} of {c['previous_year']}"
        + (f", and the highest total since {c['highest_since']}" if c["highest_since"] and c["change_pct"] > 0 else "")
        + ".",
    ]
    if c["civilian_share_pct"] is not None:
        parts.append(
            f"Civilians were {c['civilian_share_pct']:.0f}% of the casualties whose status was known"
            + (f", and children {c['child_share_pct']:.0f}% of the civilian casualties" if c["child_share_pct"] is not None else "")
            + f"{cite(c['source_id'])}."
        )
    notes = []
    for _, row in casualties.iterrows():
        if pd.isna(row["killed"]):
            continue
        total = fmt_int(row["casualties"])
        for _, claim in claims.iterrows():
            if total in claim["claim"] and re.search(r"death|dead|killed", claim["claim"], re.I) and claim["verdict"] in ("false", "misleading"):
                notes.append(
                    f"The Monitor's totals count people killed <em>and</em> injured: of the {total} casualties of {int(row['year'])}, "
                    f"{fmt_int(row['killed'])} were killed{cite(row['source_id'])}. One corpus article reports the {total} as deaths{cite(claim['source_id'])}."
                )
    body = f'<p class="lead">{" ".join(parts)}</p>'
    return body + "".join(f'<div class="callout"><p>{n}</p></div>' for n in notes)


# ---------------------------------------------------------------------------- States Parties


def states_parties_chart(parties: pd.DataFrame):
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from brief.figures import chart_style

    table = parties.sort_values("date_value").reset_index(drop=True)
    table = table[table["date_value"].map(lambda d: d.year >= 1999)]
    peak = table.loc[table["states_parties"].idxmax()]
    last = table.iloc[-1]
    with chart_style():
        fig, ax = plt.subplots(figsize=(6.4, 2.8))
        ax.step(list(table["date_value"]), list(table["states_parties"]), where="post", color="#333333", linewidth=1.6)
        stated = table[table["derived"] == "no"]
        derived = table[table["derived"] == "yes"]
        ax.plot(list(stated["date_value"]), list(stated["states_parties"]), "o", color="#333333", markersize=4)
        ax.plot(list(derived["date_value"]), list(derived["states_parties"]), "o", markerfacecolor="white", markeredgecolor="#b2182b", markersize=5)
        ax.annotate(f"{int(peak['states_parties'])}", (peak["date_value"], peak["states_parties"]), xytext=(-6, 6), textcoords="offset points", ha="right", fontsize=8)
        ax.annotate(f"{int(last['states_parties'])}", (last["date_value"], last["states_parties"]), xytext=(4, -10), textcoords="offset points", fontsize=8, color="#b2182b")
        ax.xaxis.set_major_locator(mdates.YearLocator(4))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.set_ylabel("States Parties")
        if int(last["states_parties"]) < int(peak["states_parties"]):
            title = f"Membership fell for the first time: from {int(peak['states_parties'])} to {int(last['states_parties'])}"
        else:
            title = f"Membership grew to {int(last['states_parties'])} States Parties"
        ax.set_title(title)
        fig.tight_layout()
    data = table[["date", "states_parties", "event", "derived"]]
    return fig, data, title


def states_parties_html(parties: pd.DataFrame) -> str:
    table = parties.sort_values("date_value").reset_index(drop=True)
    peak = table.loc[table["states_parties"].idxmax()]
    last = table.iloc[-1]
    after = table[(table["date_value"] > peak["date_value"]) & (table["states_parties"] < peak["states_parties"])]
    text = (
        f"The Convention reached {int(peak['states_parties'])} States Parties on {fmt_date(peak['date'])}{cite(peak['source_id'])}."
    )
    if len(after):
        derived = (after["derived"] == "yes").any()
        text += (
            f" The withdrawals that took effect from {fmt_date(after.iloc[0]['date'])} are the first contraction of its membership in its history,"
            f" to {int(last['states_parties'])} on {fmt_date(last['date'])}{cite(last['source_id'])}."
        )
        if derived:
            text += " Counts marked as derived (hollow markers) are computed from the previous count and the withdrawal, not stated by a source."
    return f"<p>{text}</p>"


# ---------------------------------------------------------------------------- critics


def critics(statements: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """Attributable statements opposing the withdrawals that carry a criticism theme, in date order.

    Anonymous, generic or unverified attributions are left out here; the claims ledger deals with them.
    """
    from brief.rationales import is_doubtful

    criticism = set(themes.loc[themes["family"] == "criticism", "theme"])
    mask = (statements["stance"] == "opposes") & statements["themes"].map(lambda c: bool(set(split_list(c)) & criticism))
    chosen = statements[mask]
    chosen = chosen[~chosen.apply(is_doubtful, axis=1)] if len(chosen) else chosen
    return chosen.sort_values(["date", "statement_id"])


def critics_table_html(critics_frame: pd.DataFrame, themes: pd.DataFrame) -> str:
    from brief.rationales import attribution, statement_text

    labels = dict(zip(themes["theme"], themes["label"]))
    rows = [
        [attribution(s), f"{statement_text(s)}{cite(s['source_id'])}", esc("; ".join(labels[t] for t in split_list(s["themes"]) if t in labels))]
        for _, s in critics_frame.iterrows()
    ]
    full = table_block("critics", "Who made the humanitarian case, and what they said", ["Who, when", "Statement", "Themes"], rows, source="statements.csv; paraphrases are marked as such.")
    short_rows = [
        [attribution(s), esc("; ".join(labels[t] for t in split_list(s["themes"]) if t in labels)), cite(s["source_id"])]
        for _, s in critics_frame.iterrows()
    ]
    short = table_block(
        "critics-print",
        "Who made the humanitarian case, and on which grounds",
        ["Who, when", "Arguments (themes)", "Source"],
        short_rows,
        source="statements.csv; the HTML edition gives each statement in full or in paraphrase.",
    )
    return per_edition(full, short)


def critics_summary_html(critics_frame: pd.DataFrame, themes: pd.DataFrame) -> str:
    labels = dict(zip(themes["theme"], themes["label"]))
    counts = pd.Series([t for c in critics_frame["themes"] for t in split_list(c) if t in labels]).value_counts()
    kinds = critics_frame["speaker_type"].value_counts()
    kind_words = {"campaigner": "campaign groups and NGOs", "international_org": "UN and international bodies", "government": "governments", "analyst": "analysts"}
    top = join_words(f"{esc(labels[t].lower())} ({plural(int(n), 'statement')})" for t, n in counts.head(3).items())
    who = join_words(f"{number_word(int(n))} from {kind_words.get(k, k)}" for k, n in kinds.items())
    return f"<p>The dataset holds {plural(len(critics_frame), 'statement')} opposing the withdrawals on humanitarian grounds: {who}. Their most common arguments: {top}.</p>"


# ---------------------------------------------------------------------------- framing


def term_pattern(term: str) -> re.Pattern:
    """A dictionary term matches words that start with it (multi-word terms match as a phrase)."""
    return re.compile(r"\b" + r"\s+".join(map(re.escape, term.lower().split())) + r"\w*", re.IGNORECASE)


def framing_counts(sources: pd.DataFrame, terms: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    """For every source whose full text is held: security and humanitarian term counts and shares."""
    rows = []
    patterns = [(term_pattern(t), family) for t, family in zip(terms["term"], terms["family"])]
    for _, source in sources[sources["text_file"] != ""].iterrows():
        text = source_text(source, data_dir)
        words = len(re.findall(r"\w+", text))
        counts = {"rationale": 0, "criticism": 0}
        for pattern, family in patterns:
            counts[family] += len(pattern.findall(text))
        total = counts["rationale"] + counts["criticism"]
        rows.append(
            {
                "source_id": source["source_id"],
                "title": source["title"],
                "words": words,
                "security_terms": counts["rationale"],
                "humanitarian_terms": counts["criticism"],
                "security_share_pct": round(100 * counts["rationale"] / total, 1) if total else 0.0,
            }
        )
    return pd.DataFrame(rows).sort_values("security_share_pct", ascending=False, kind="stable").reset_index(drop=True)


def framing_chart(framing: pd.DataFrame):
    import matplotlib.pyplot as plt

    from brief.figures import chart_style

    table = framing.iloc[::-1].reset_index(drop=True)
    with chart_style():
        fig, ax = plt.subplots(figsize=(6.4, 0.36 * len(table) + 1.2))
        security = table["security_share_pct"]
        ax.barh(range(len(table)), security, color="#2c5d8a", height=0.6, label="Security framing")
        ax.barh(range(len(table)), 100 - security, left=security, color="#d9a441", height=0.6, label="Humanitarian framing")
        for y, row in table.iterrows():
            ax.annotate(f"{row['security_share_pct']:.0f}%", (2, y), va="center", fontsize=7.5, color="white", fontweight="bold")
        labels = [f"{row['source_id']} ({fmt_int(row['words'])} words)" for _, row in table.iterrows()]
        ax.set_yticks(range(len(table)), labels)
        ax.axvline(50, color="white", linewidth=1)
        ax.set_xlim(0, 100)
        ax.set_xlabel("share of framing terms (%)")
        ax.grid(False)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=2, fontsize=7.5)
        security_led = int((framing["security_share_pct"] > 50).sum())
        title = f"{number_word(security_led).capitalize()} of {number_word(len(framing))} articles lean on security language"
        ax.set_title(title)
        fig.tight_layout()
    return fig, framing, title


def record_values(casualties: pd.DataFrame, parties: pd.DataFrame, critics_frame: pd.DataFrame, themes: pd.DataFrame) -> dict:
    """What the key findings need from this section."""
    table = parties.sort_values("date_value").reset_index(drop=True)
    peak = table.loc[table["states_parties"].idxmax()]
    last = table.iloc[-1]
    labels = dict(zip(themes["theme"], themes["label"]))
    theme_counts = pd.Series([t for c in critics_frame["themes"] for t in split_list(c) if t in labels]).value_counts()
    notable = critics_frame[critics_frame["speaker_type"].isin(["international_org", "campaigner"])].drop_duplicates("speaker")
    return {
        "casualties": latest_change(casualties),
        "parties_peak": {"count": int(peak["states_parties"]), "date": peak["date"], "source_id": split_list(peak["source_id"])[0]},
        "parties_last": {"count": int(last["states_parties"]), "date": last["date"], "source_id": split_list(last["source_id"])[0], "derived": last["derived"] == "yes"},
        "critics": {
            "count": len(critics_frame),
            "top_theme": {"label": labels[theme_counts.index[0]], "count": int(theme_counts.iloc[0])} if len(theme_counts) else {"label": "", "count": 0},
            "notable": [re_short(s) for s in notable["speaker"].head(4)],
            "source_ids": [split_list(s)[0] for s in notable["source_id"].head(4)],
        },
    }


def re_short(speaker: str) -> str:
    """'Amnesty International (organisational statement)' -> 'Amnesty International'."""
    return re.sub(r"\s*\(.*?\)\s*", " ", speaker).strip()
