"""Attributed statements, shared by the sections that quote them: who said it, in what words, and which count.

Below the sections (rationales and humanitarian both use it; sections never import each other).
"""

from __future__ import annotations

import pandas as pd

from brief.data import split_list
from brief.prose import fill
from brief.text import esc, fmt_date

MIN_QUOTE_CHARS = 40  # a one-word quote ("flexibility") does not stand for anything
# Ledger verdicts under which an utterance cannot stand as evidence of what was said.
DISCOUNTING_VERDICTS = ("unverifiable", "false")


def mark_evidence(statements: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """The statements with a `counted` column: named, found outside the reporting article, and not
    called unverifiable or false by the claims ledger. Counts use these; the others are shown, labelled."""
    verdicts = dict(zip(claims["claim_id"], claims["verdict"]))
    discounted = statements.get("claim_id", pd.Series("", index=statements.index)).map(lambda c: verdicts.get(c, "") in DISCOUNTING_VERDICTS).astype(bool)
    counted = (statements["attribution"] == "named") & (statements["verified"] == "yes") & ~discounted
    return statements.assign(counted=counted.astype(bool))


def standing(s) -> str:
    """Why a statement is shown but not counted, as a short plain-text label ('' when it counts)."""
    if s["counted"]:
        return ""
    if s["attribution"] != "named":
        return f"{s['attribution']} attribution, not counted"
    if s["verified"] != "yes":
        return "not found outside the reporting article, not counted"
    return "the claims ledger could not verify it, not counted"


def attribution(s: pd.Series) -> str:
    """Speaker, role and date, as escaped HTML (for tables)."""
    return esc(who(s))


def statement_text(s: pd.Series) -> str:
    """A verbatim quote in quotation marks, or a paraphrase marked as one (HTML)."""
    if s.get("quote"):
        return f"“{esc(s['quote'])}”"
    return f'<span class="paraphrase">Paraphrase: {esc(s["paraphrase"])}</span>'


def from_countries(statements: pd.DataFrame, countries: tuple[str, ...]) -> pd.DataFrame:
    """Statements by speakers of the chosen states (a joint statement belongs to each signatory)."""
    mask = statements["country"].map(lambda cell: bool(set(split_list(cell)) & set(countries))).astype(bool)  # bool even when empty
    return statements[mask]


def explode_themes(statements: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """One row per statement × theme × speaker country, with the theme's family and label."""
    rows = [
        {**s.to_dict(), "theme": theme, "speaker_country": country}
        for _, s in statements.iterrows()
        for theme in split_list(s["themes"])
        for country in split_list(s["country"])
    ]
    if not rows:  # keep the statements' dtypes, so that a boolean column still selects rows
        return statements.iloc[0:0].assign(theme="", speaker_country="", family="", label="")
    return pd.DataFrame(rows).merge(themes[["theme", "family", "label"]], on="theme", how="left")


def theme_counts(statements: pd.DataFrame, themes: pd.DataFrame, family: str) -> pd.Series:
    """Statements per theme label of one family, most frequent first (ties in scheme order)."""
    labels = themes[themes["family"] == family].set_index("theme")["label"]
    counts = pd.Series({labels[t]: sum(t in split_list(c) for c in statements["themes"]) for t in labels.index}, dtype=int)
    counts = counts[counts > 0]
    return counts.sort_values(ascending=False, kind="stable")


def who(s) -> str:
    """'Speaker, role, 27 June 2025' as plain text (escaped where it is printed)."""
    return ", ".join(part for part in (s["speaker"], s["role"], fmt_date(s["date"]) if s["date"] else "") if part)


def words(s):
    """The statement as Markdown: a verbatim quote in quotation marks, or a paraphrase marked as one;
    a statement that does not count as evidence says why."""
    text = fill("“{q}”", q=s["quote"]) if s["quote"] else fill("*Paraphrase:* {p}", p=s["paraphrase"])
    label = standing(s) if "counted" in s else ""
    return text + (fill(" *({label})*", label=label) if label else "")
