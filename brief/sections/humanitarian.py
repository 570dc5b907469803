"""Humanitarian criticism: casualties (Landmine Monitor), States Parties over time, the critics, and framing."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from brief.data import source_text, split_list
from brief.facts import CasualtyChange, CriticsFacts, HumanitarianFacts, PartiesCount, ThemeCount
from brief.figures import CASUALTY_COLORS, DERIVED, FRAMING_COLORS, INK, memoized
from brief.statements import attribution, statement_text, theme_counts
from brief.text import cite, esc, fmt_date, fmt_int, number_word, per_edition, table_block

# ---------------------------------------------------------------------------- casualties


def latest_change(casualties: pd.DataFrame) -> CasualtyChange | None:
    """The latest year, its total, the change on the year before, and the last earlier year that was higher."""
    table = casualties.sort_values("year").reset_index(drop=True)
    if len(table) < 2:
        return None
    last, prev = table.iloc[-1], table.iloc[-2]
    higher = table[(table["year"] < last["year"]) & (table["casualties"] > last["casualties"])]
    return CasualtyChange(
        year=int(last["year"]),
        casualties=int(last["casualties"]),
        killed=None if pd.isna(last["killed"]) else int(last["killed"]),
        previous_year=int(prev["year"]),
        previous=int(prev["casualties"]),
        change_pct=round(100 * (last["casualties"] - prev["casualties"]) / prev["casualties"], 1),
        highest_since=int(higher["year"].max()) if len(higher) else None,
        civilian_share_pct=None if pd.isna(last["civilian_share_pct"]) else float(last["civilian_share_pct"]),
        child_share_pct=None if pd.isna(last["child_share_pct"]) else float(last["child_share_pct"]),
        source_id=split_list(last["source_id"])[0],
        edition=last["monitor_edition"],
    )


def totals_reported_as_deaths(casualties: pd.DataFrame, claims: pd.DataFrame) -> list[dict]:
    """Corpus claims that report a Monitor total (killed and injured) as deaths: year, total, killed, sources."""
    found = []
    for _, row in casualties[casualties["killed"].notna()].iterrows():
        total = fmt_int(row["casualties"])
        for _, claim in claims.iterrows():
            if total in claim["claim"] and re.search(r"death|dead|killed", claim["claim"], re.I) and claim["verdict"] in ("false", "misleading"):
                found.append({"year": int(row["year"]), "total": int(row["casualties"]), "killed": int(row["killed"]), "source_id": row["source_id"], "claim_source": claim["source_id"]})
    return found


@memoized
def casualties_chart(casualties: pd.DataFrame):
    import matplotlib.pyplot as plt

    from brief.figures import chart_style

    table = casualties.sort_values("year")
    table = table[table["year"] >= 2013]
    change = latest_change(casualties)
    colors = CASUALTY_COLORS
    with chart_style():
        fig, ax = plt.subplots(figsize=(6.4, 3.1))
        for _, row in table.iterrows():
            year = int(row["year"])
            if pd.isna(row["killed"]) or pd.isna(row["injured"]):
                ax.bar(year, row["casualties"], color=colors["total_only"], width=0.7, hatch="///", edgecolor="white", linewidth=0)
                continue
            killed, injured = int(row["killed"]), int(row["injured"])
            ax.bar(year, killed, color=colors["killed"], width=0.7)
            ax.bar(year, injured, bottom=killed, color=colors["injured"], width=0.7)
            ax.bar(year, int(row["casualties"]) - killed - injured, bottom=killed + injured, color=colors["unknown"], width=0.7)
        last = table.iloc[-1]
        ax.annotate(fmt_int(last["casualties"]), (int(last["year"]), last["casualties"]), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8, fontweight="bold")
        peak = table.loc[table["casualties"].idxmax()]
        if int(peak["year"]) != int(last["year"]):
            ax.annotate(fmt_int(peak["casualties"]), (int(peak["year"]), peak["casualties"]), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8)
        ax.set_xticks(table["year"].astype(int).tolist(), [f"{y}" if y % 2 == 0 else f"’{y % 100:02d}" for y in table["year"].astype(int)])
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: fmt_int(v)))
        handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in (colors["killed"], colors["injured"], colors["unknown"])] + [plt.Rectangle((0, 0), 1, 1, facecolor=colors["total_only"], hatch="///", edgecolor="white")]
        ax.legend(handles, ["Killed", "Injured", "Status unknown", "Total only (no split confirmed)"], ncol=2, loc="upper right", fontsize=7.5)
        ax.set_ylim(0, table["casualties"].max() * 1.25)
        direction = "up" if change.change_pct > 0 else "down"
        title = f"{fmt_int(change.casualties)} mine casualties in {change.year}, {direction} {abs(change.change_pct):.0f}% on {change.previous_year}"
        ax.set_title(title)
        fig.tight_layout()
    data = table[["year", "casualties", "killed", "injured", "unknown_status", "civilian_share_pct", "child_share_pct", "monitor_edition"]].astype(object)
    return fig, data.where(pd.notna(data), ""), title


# ---------------------------------------------------------------------------- States Parties


@memoized
def states_parties_chart(parties: pd.DataFrame):
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from brief.figures import chart_style

    table = parties.sort_values("date_value").reset_index(drop=True)
    table = table[table["date_value"].map(lambda d: d.year >= 1999).astype(bool)]
    peak = table.loc[table["states_parties"].idxmax()]
    last = table.iloc[-1]
    with chart_style():
        fig, ax = plt.subplots(figsize=(6.4, 2.8))
        ax.step(list(table["date_value"]), list(table["states_parties"]), where="post", color=INK, linewidth=1.6)
        stated = table[table["derived"] == "no"]
        derived = table[table["derived"] == "yes"]
        ax.plot(list(stated["date_value"]), list(stated["states_parties"]), "o", color=INK, markersize=4)
        ax.plot(list(derived["date_value"]), list(derived["states_parties"]), "o", markerfacecolor="white", markeredgecolor=DERIVED, markersize=5)
        ax.annotate(f"{int(peak['states_parties'])}", (peak["date_value"], peak["states_parties"]), xytext=(-6, 6), textcoords="offset points", ha="right", fontsize=8)
        ax.annotate(f"{int(last['states_parties'])}", (last["date_value"], last["states_parties"]), xytext=(4, -10), textcoords="offset points", fontsize=8, color=DERIVED)
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


def parties_facts(parties: pd.DataFrame) -> tuple[PartiesCount | None, PartiesCount | None, dt.date | None]:
    """The peak count, the last count and, if membership fell, the first date below the peak."""
    table = parties.sort_values("date_value").reset_index(drop=True)
    if table.empty:
        return None, None, None
    peak, last = table.loc[table["states_parties"].idxmax()], table.iloc[-1]

    def count(row) -> PartiesCount:
        return PartiesCount(count=int(row["states_parties"]), date=row["date_value"], source_id=split_list(row["source_id"])[0], derived=row["derived"] == "yes")

    after = table[(table["date_value"] > peak["date_value"]) & (table["states_parties"] < peak["states_parties"])]
    return count(peak), count(last), after["date_value"].iloc[0] if len(after) else None


# ---------------------------------------------------------------------------- critics


def critics(statements: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """Attributable statements opposing the withdrawals that carry a criticism theme, in date order.

    Only statements that count as evidence (brief.statements.mark_evidence); the claims ledger deals with the rest.
    """
    criticism = set(themes.loc[themes["family"] == "criticism", "theme"])
    mask = (statements["stance"] == "opposes") & statements["themes"].map(lambda c: bool(set(split_list(c)) & criticism))
    chosen = statements[mask & statements["counted"]]
    return chosen.sort_values(["date", "statement_id"])


def critics_table_html(critics_frame: pd.DataFrame, themes: pd.DataFrame) -> str:
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
                "publisher": source["publisher"],
                "published": source["published"],
                "title": source["title"],
                "words": words,
                "security_terms": counts["rationale"],
                "humanitarian_terms": counts["criticism"],
                "security_share_pct": round(100 * counts["rationale"] / total, 1) if total else 0.0,
            }
        )
    return pd.DataFrame(rows).sort_values("security_share_pct", ascending=False, kind="stable").reset_index(drop=True)


@memoized
def framing_chart(framing: pd.DataFrame):
    import matplotlib.pyplot as plt

    from brief.figures import chart_style

    table = framing.iloc[::-1].reset_index(drop=True)
    with chart_style():
        fig, ax = plt.subplots(figsize=(6.4, 0.36 * len(table) + 1.2))
        security = table["security_share_pct"]
        ax.barh(range(len(table)), security, color=FRAMING_COLORS["rationale"], height=0.6, label="Security framing")
        ax.barh(range(len(table)), 100 - security, left=security, color=FRAMING_COLORS["criticism"], height=0.6, label="Humanitarian framing")
        for y, row in table.iterrows():
            ax.annotate(f"{row['security_share_pct']:.0f}%", (2, y), va="center", fontsize=7.5, color="white", fontweight="bold")
        labels = [f"{row['publisher']}{', ' + fmt_date(row['published']) if row['published'] else ''} ({fmt_int(row['words'])} words)" for _, row in table.iterrows()]
        ax.set_yticks(range(len(table)), labels)
        ax.axvline(50, color="white", linewidth=1)
        ax.set_xlim(0, 100)
        ax.set_xlabel("share of framing terms (%)")
        ax.grid(False)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=2, fontsize=7.5)
        security_led = int((framing["security_share_pct"] > 50).sum())
        title = (f"All {number_word(security_led)} articles lean on security language" if security_led == len(framing) > 1
                 else f"{number_word(security_led).capitalize()} of {number_word(len(framing))} articles lean on security language")
        ax.set_title(title)
        fig.tight_layout()
    return fig, framing, title


def critics_facts(critics_frame: pd.DataFrame, themes: pd.DataFrame) -> CriticsFacts:
    counts = theme_counts(critics_frame, themes, "criticism")
    ids = dict(zip(themes["label"], themes["theme"]))
    notable = critics_frame[critics_frame["speaker_type"].isin(["international_org", "campaigner"])].drop_duplicates("speaker")
    return CriticsFacts(
        count=len(critics_frame),
        top_themes=tuple(ThemeCount(theme=ids[label], label=label, count=int(n)) for label, n in counts.head(3).items()),
        kinds={kind: int(n) for kind, n in critics_frame["speaker_type"].value_counts().items()},
        notable=tuple(re_short(s) for s in notable["speaker"].head(4)),
        source_ids=tuple(split_list(s)[0] for s in notable["source_id"].head(4)),
    )


def facts(casualties: pd.DataFrame, parties: pd.DataFrame, critics_frame: pd.DataFrame, themes: pd.DataFrame, framing: pd.DataFrame) -> HumanitarianFacts:
    peak, last, contraction = parties_facts(parties)
    return HumanitarianFacts(
        casualties=latest_change(casualties),
        parties_peak=peak,
        parties_last=last,
        contraction_from=contraction,
        critics=critics_facts(critics_frame, themes),
        framed_articles=len(framing),
        security_led_articles=int((framing["security_share_pct"] > 50).sum()) if len(framing) else 0,
    )


def re_short(speaker: str) -> str:
    """'Amnesty International (organisational statement)' -> 'Amnesty International'."""
    return re.sub(r"\s*\(.*?\)\s*", " ", speaker).strip()
