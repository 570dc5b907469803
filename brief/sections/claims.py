"""Contested and erroneous claims: the claims ledger, conflicts found automatically in the corpus texts, and a profile of each article."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from brief import vocab
from brief.data import source_text, split_list
from brief.facts import ClaimsFacts
from brief.figures import VERDICT_COLORS, memoized
from brief.text import cite, esc, fmt_date, table_block

VERDICT_ORDER = ("false", "misleading", "disputed", "unverifiable", "correct")

# How the corpus names the five states (noun and adjective forms).
COUNTRY_WORDS = {
    "EE": r"Estonia\w*",
    "LV": r"Latvia\w*",
    "LT": r"Lithuania\w*",
    "FI": r"Finland|Finnish|Finns",
    "PL": r"Poland|Polish",
}
# Words that say which stage a sentence is about.
STAGE_WORDS = {
    "announcement": r"joint statement|joint declaration|announc",
    "parliament_vote": r"parliament|Riigikogu|Saeima|Seimas|Sejm|Eduskunta|lawmakers voted",
    "head_of_state_signature": r"\bpresident\b",
    "un_deposit": r"notif\w* the (?:UN|United Nations)|note to the UN|instrument\w* (?:of withdrawal )?(?:with|to) the (?:UN|United Nations)",
    "withdrawal_effective": r"completed the formal process|took effect|came into force",
}
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DAY_DATE = re.compile(rf"\b(?:({MONTHS})\s+(\d{{1,2}})|(\d{{1,2}})\s+({MONTHS}))(?:,?\s+(\d{{4}}))?", re.I)
MONTH_DATE = re.compile(rf"\b(?:in|early|late|mid-?)\s+(?:early\s+|late\s+)?({MONTHS})(?:\s+(\d{{4}}))?", re.I)
# An exact count ("164 States Parties"), not a bound ("over 160 countries").
PARTY_COUNT = re.compile(r"(?<!over )(?<!than )(?<!nearly )(?<!about )(?<!some )\b(\d{3})\s+(?:States Parties|states|countries)\b", re.I)


def _month_number(name: str) -> int:
    return [m.lower() for m in MONTHS.split("|")].index(name.lower()) + 1


def clauses(text: str) -> list[str]:
    """Sentences, further split where one sentence reports two facts ('…, while …')."""
    parts = re.split(r"(?<=[.!?])\s+|\n+|;\s+|,\s+while\s+", text)
    return [p.strip() for p in parts if p.strip()]


def extract_dates(text: str, default_year: int = 2025) -> list[dict]:
    """(country, stage, date, precision, clause) for each clause naming states, one stage and one date."""
    found = []
    for clause in clauses(text):
        countries = [c for c, pattern in COUNTRY_WORDS.items() if re.search(pattern, clause)]
        stages = [s for s, pattern in STAGE_WORDS.items() if re.search(pattern, clause, re.I)]
        if not countries or len(stages) != 1:
            continue
        stage = stages[0]
        if len(countries) > 1 and stage not in ("announcement", "un_deposit", "withdrawal_effective"):
            continue  # a vote or signature names one state; several would be ambiguous
        days = list(DAY_DATE.finditer(clause))
        months = list(MONTH_DATE.finditer(clause))
        if len(days) == 1:
            m = days[0]
            month, day = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            try:
                date = dt.date(int(m.group(5) or default_year), _month_number(month), int(day))
            except ValueError:  # an impossible date in an article ('June 31') cannot be compared with the dataset
                continue
            value, precision = date.isoformat(), "day"
        elif len(months) == 1 and not days:
            m = months[0]
            value, precision = f"{int(m.group(2) or default_year):04d}-{_month_number(m.group(1)):02d}", "month"
        else:
            continue
        for country in countries:
            found.append({"country": country, "stage": stage, "date": value, "precision": precision, "clause": clause})
    return found


def extract_party_counts(text: str) -> list[dict]:
    found = []
    for clause in clauses(text):
        if not re.search(r"convention|treaty|acceded|ratif|part(?:y|ies)", clause, re.I):
            continue
        for m in PARTY_COUNT.finditer(clause):
            found.append({"count": int(m.group(1)), "clause": clause})
    return found


def _agrees(stated: str, precision: str, recorded: str) -> bool:
    if precision == "month":
        return recorded.startswith(stated)
    return stated == recorded


def date_checks(sources: pd.DataFrame, events: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    """Every date the held texts give for a withdrawal step, compared with the dataset and with each other."""
    rows = []
    for _, source in sources[sources["text_file"] != ""].iterrows():
        for item in extract_dates(source_text(source, data_dir)):
            recorded = events[(events["country"] == item["country"]) & (events["stage"] == item["stage"])]
            if recorded.empty:
                continue
            matches = [r for _, r in recorded.iterrows() if _agrees(item["date"], item["precision"], r["date"])]
            best = matches[0] if matches else recorded.iloc[0]
            rows.append(
                {
                    "source_id": source["source_id"],
                    "country": item["country"],
                    "stage": item["stage"],
                    "stated": item["date"],
                    "recorded": best["date"],
                    "event_id": best["event_id"],
                    "event_sources": best["source_ids"],
                    "agrees": bool(matches),
                    "clause": item["clause"],
                }
            )
    frame = pd.DataFrame(rows, columns=["source_id", "country", "stage", "stated", "recorded", "event_id", "event_sources", "agrees", "clause"])
    return frame.drop_duplicates(["source_id", "country", "stage", "stated"]).reset_index(drop=True)


def count_conflicts(sources: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    """Counts of States Parties the held texts give, when two texts disagree."""
    rows = []
    for _, source in sources[sources["text_file"] != ""].iterrows():
        for item in extract_party_counts(source_text(source, data_dir)):
            rows.append({"source_id": source["source_id"], **item})
    frame = pd.DataFrame(rows, columns=["source_id", "count", "clause"])
    if frame["count"].nunique() < 2:
        return frame.iloc[0:0]
    return frame


def conflicts_table_html(dates: pd.DataFrame, counts: pd.DataFrame, parties: pd.DataFrame) -> str:
    """The automatic cross-check: a table of what disagrees (empty when nothing does)."""
    disagreements = dates[~dates["agrees"]]
    rows = []
    for _, d in disagreements.iterrows():
        rows.append(
            [
                esc(f"{vocab.COUNTRY_NAMES[d['country']]}: {vocab.STAGE_LABELS[d['stage']].lower()}"),
                f"{fmt_date(d['stated'])}{cite(d['source_id'])}",
                f"{fmt_date(d['recorded'])}{cite(d['event_sources'])}",
            ]
        )
    for _, c in counts.iterrows():
        rows.append(
            [
                "Number of States Parties",
                f"{c['count']}{cite(c['source_id'])}: “{esc(_short(c['clause']))}”",
                _parties_context(c["count"], parties),
            ]
        )
    if not rows:
        return ""
    return table_block(
        "conflicts",
        "Where the sources disagree, found automatically",
        ["Fact", "The article says", "The dataset (and its sources) says"],
        rows,
        source="data/sources/ texts compared with events.csv and states_parties.csv by brief/sections/claims.py.",
    )


def _short(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _parties_context(count: int, parties: pd.DataFrame) -> str:
    reached = parties[parties["states_parties"] == count].sort_values("date_value")
    if reached.empty:
        return "No such count is recorded in states_parties.csv."
    first = reached.iloc[0]
    return f"{count} was first reached on {fmt_date(first['date'])}{cite(first['source_id'])}"


# ---------------------------------------------------------------------------- ledger and profiles


def ledger_html(claims: pd.DataFrame, caption: str, verdicts: tuple[str, ...] = ("false", "misleading", "disputed", "unverifiable")) -> str:
    """The claims the corpus gets wrong, disputes or cannot back up (those with the given verdicts), with the correction and the evidence."""
    shown = claims[claims["verdict"].isin(verdicts)].copy()
    shown["order"] = shown["verdict"].map(VERDICT_ORDER.index)
    shown = shown.sort_values(["order", "claim_id"])
    rows = [
        [
            f"{esc(c['claim'])}{cite(c['source_id'])}",
            f'<span class="verdict verdict-{esc(c["verdict"])}">{esc(c["verdict"])}</span>',
            esc(c["correction"]) or "No trace found (the search is described in claims.csv).",
            cite(c["evidence_source_ids"]) or "—",
        ]
        for _, c in shown.iterrows()
    ]
    return table_block(
        "claims",
        caption,
        ["Claim (article)", "Verdict", "Correction", "Evidence"],
        rows,
        source="claims.csv.",
    )


def profiles(sources: pd.DataFrame, statements: pd.DataFrame, claims: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    """Per corpus article: size, attributions (named or not), verbatim quotes, claims checked and their verdicts."""
    rows = []
    corpus = sources[sources["kind"] == "corpus_article"]
    for _, source in corpus.iterrows():
        own = statements[statements["source_id"] == source["source_id"]]
        anonymous = own["notes"].str.contains(r"\[(?:anonymous|generic|unnamed)", case=False, regex=True) | own["speaker"].str.contains("unnamed|anonymous", case=False)
        checked = claims[claims["source_id"] == source["source_id"]]
        verdicts = checked["verdict"].value_counts()
        rows.append(
            {
                "source_id": source["source_id"],
                "publisher": source["publisher"],
                "published": source["published"],
                "words": len(re.findall(r"\w+", source_text(source, data_dir))),
                "attributions": len(own),
                "named": int((~anonymous).sum()),
                "anonymous_or_generic": int(anonymous.sum()),
                "verbatim_quotes": int((own["quote"] != "").sum()),
                "claims_checked": len(checked),
                **{v: int(verdicts.get(v, 0)) for v in VERDICT_ORDER},
            }
        )
    return pd.DataFrame(rows)


def profiles_html(profile: pd.DataFrame) -> str:
    rows = [
        [
            f"{esc(p['source_id'])}{cite(p['source_id'])}",
            f"{esc(p['publisher'])}, {fmt_date(p['published']) if p['published'] else 'undated'}",
            str(p["words"]),
            f"{p['named']} / {p['anonymous_or_generic']}",
            str(p["verbatim_quotes"]),
            f"{p['claims_checked']} / {p['false'] + p['misleading']} / {p['unverifiable']}",
        ]
        for _, p in profile.iterrows()
    ]
    return table_block(
        "profiles",
        "The corpus articles: attributions and checked claims",
        ["Article", "Publisher, date", "Words", "Speakers named / unnamed", "Verbatim quotes", "Claims checked / false or misleading / unverifiable"],
        rows,
        source="sources.csv, statements.csv, claims.csv; counts, not ratings of the outlets.",
        numeric=(2, 3, 4, 5),
    )


@memoized
def verdict_chart(claims: pd.DataFrame):
    import matplotlib.pyplot as plt

    from brief.figures import chart_style

    table = claims.groupby(["source_id", "verdict"]).size().unstack(fill_value=0).reindex(columns=list(VERDICT_ORDER), fill_value=0)
    table = table.sort_index(ascending=False)
    with chart_style():
        fig, ax = plt.subplots(figsize=(6.4, 0.36 * len(table) + 1.2))
        left = pd.Series(0, index=table.index)
        for verdict in VERDICT_ORDER:
            ax.barh(range(len(table)), table[verdict], left=left, color=VERDICT_COLORS[verdict], label=verdict, height=0.6)
            for y, (value, start) in enumerate(zip(table[verdict], left)):
                if value:
                    ax.annotate(str(value), (start + value / 2, y), ha="center", va="center", fontsize=7.5, color="white" if verdict in ("false", "correct") else "#222222")
            left += table[verdict]
        ax.set_yticks(range(len(table)), list(table.index))
        ax.set_xlabel("claims checked")
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=5, fontsize=7.5)
        wrong = int(table[["false", "misleading"]].to_numpy().sum())
        title = f"{wrong} of {int(table.to_numpy().sum())} checked claims are false or misleading"
        ax.set_title(title)
        fig.tight_layout()
    data = table.reset_index()
    data.columns.name = None
    return fig, data, title


def facts(claims: pd.DataFrame, dates: pd.DataFrame, counts: pd.DataFrame, sources: pd.DataFrame) -> ClaimsFacts:
    """What the audit found, for its notebook and for the key findings."""
    verdicts = claims["verdict"].value_counts()
    false_claims = claims[claims["verdict"] == "false"]
    return ClaimsFacts(
        claims=len(claims),
        articles=int((sources["kind"] == "corpus_article").sum()),
        verdicts={v: int(verdicts.get(v, 0)) for v in VERDICT_ORDER},
        dated_statements=len(dates),
        agreeing=int(dates["agrees"].sum()),
        date_conflicts=int((~dates["agrees"]).sum()),
        party_counts_found=len(counts),
        distinct_party_counts=int(counts["count"].nunique()) if len(counts) else 0,
        example_sources=tuple(split_list(c)[0] for c in false_claims["evidence_source_ids"].head(2) if split_list(c)),
    )
