"""Stated rationales: statements coded into themes, by country and kind of speaker; commitments; doubts; borders."""

from __future__ import annotations

import pandas as pd

from brief import vocab
from brief.data import split_list
from brief.text import cite, esc, fmt_date, fmt_int, join_words, number_word, plural, table_block

STANCE_ADJECTIVES = {"supports": "in support", "skeptical": "skeptical", "opposes": "opposed", "neutral": "neutral"}

SPEAKER_LABELS = {
    "government": "government",
    "military": "military",
    "parliament": "parliament",
    "analyst": "analysts",
    "campaigner": "campaigners",
    "international_org": "international organisations",
    "media": "media",
}


def known_by(statements: pd.DataFrame, as_of) -> pd.DataFrame:
    """Statements made on or before `as_of` (undated ones are kept: their articles predate the brief)."""
    return statements[statements["date_value"].map(lambda d: d is None or d <= as_of)]


def explode_themes(statements: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """One row per statement × theme × speaker country, with the theme's family and label."""
    rows = []
    for _, s in statements.iterrows():
        for theme in split_list(s["themes"]):
            for country in split_list(s["country"]):
                rows.append({**s.to_dict(), "theme": theme, "speaker_country": country})
    long = pd.DataFrame(rows)
    if long.empty:
        return pd.DataFrame(columns=list(statements.columns) + ["theme", "speaker_country", "family", "label"])
    return long.merge(themes[["theme", "family", "label"]], on="theme", how="left")


def from_countries(statements: pd.DataFrame, countries: tuple[str, ...]) -> pd.DataFrame:
    """Statements by speakers of the chosen states (joint statements count for each signatory)."""
    mask = statements["country"].map(lambda cell: bool(set(split_list(cell)) & set(countries)))
    return statements[mask]


def theme_matrix(long: pd.DataFrame, countries: tuple[str, ...], family: str = "rationale") -> pd.DataFrame:
    """Statements per (theme, country), themes ordered by total."""
    subset = long[(long["family"] == family) & long["speaker_country"].isin(countries)]
    matrix = subset.groupby(["label", "speaker_country"])["statement_id"].nunique().unstack(fill_value=0)
    matrix = matrix.reindex(columns=[c for c in countries], fill_value=0)
    return matrix.loc[matrix.sum(axis=1).sort_values(ascending=False, kind="stable").index]


def theme_matrix_chart(matrix: pd.DataFrame):
    """A dot matrix: one row per theme, one column per country, dot area = number of statements."""
    import matplotlib.pyplot as plt

    from brief.figures import chart_style, text_on

    countries = list(matrix.columns)
    with chart_style():
        fig, ax = plt.subplots(figsize=(6.4, 0.27 * len(matrix) + 1.2))
        peak = max(int(matrix.to_numpy().max()), 1)
        for x, country in enumerate(countries):
            for y, label in enumerate(matrix.index):
                count = int(matrix.loc[label, country])
                if count:
                    colour = vocab.COUNTRY_COLORS[country]
                    ax.scatter(x, y, s=100 + 250 * count / peak, color=colour, linewidths=0)
                    ax.annotate(str(count), (x, y), ha="center", va="center", fontsize=7, color=text_on(colour), fontweight="bold")
        ax.xaxis.tick_top()
        ax.set_xticks(range(len(countries)), [vocab.COUNTRY_NAMES[c] for c in countries])
        for tick, country in zip(ax.xaxis.get_major_ticks(), countries):
            tick.label2.set_color(vocab.COUNTRY_COLORS[country])
            tick.label2.set_fontweight("bold")
        ax.set_yticks(range(len(matrix)), list(matrix.index))
        ax.set_ylim(len(matrix) - 0.5, -0.6)
        ax.set_xlim(-0.6, len(countries) - 0.4)
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.tick_params(length=0)
        top = matrix.sum(axis=1).idxmax() if len(matrix) else ""
        title = f"Most-cited reason: {top.lower()}" if top else "No rationale statements recorded"
        fig.suptitle(title, x=0.01, ha="left", fontsize=10.5, fontweight="bold")
        fig.tight_layout()
    data = matrix.reset_index().rename(columns={"label": "theme"}).rename(columns=vocab.COUNTRY_NAMES)
    data.columns.name = None
    return fig, data, title


def attribution(s: pd.Series) -> str:
    """Speaker, role and date, escaped."""
    role = f", {esc(s['role'])}" if s.get("role") else ""
    when = f", {fmt_date(s['date'])}" if s.get("date") else ""
    return f"{esc(s['speaker'])}{role}{when}"


def statement_text(s: pd.Series) -> str:
    """A verbatim quote in quotation marks, or a paraphrase marked as one."""
    if s.get("quote"):
        return f"“{esc(s['quote'])}”"
    return f'<span class="paraphrase">Paraphrase: {esc(s["paraphrase"])}</span>'


# Notes that mark a statement as too doubtful to stand for a theme (set by the coders in statements.csv).
DOUBT_MARKERS = ("unverified", "[anonymous", "[generic", "mistranslation", "not found elsewhere", "(tsahkna is male)", "identity")
MIN_QUOTE_CHARS = 40  # a one-word quote ("flexibility") does not stand for anything


def is_doubtful(statement: pd.Series) -> bool:
    notes = str(statement.get("notes", "")).lower()
    return any(marker in notes for marker in DOUBT_MARKERS)


def representative(long: pd.DataFrame, theme: str) -> pd.Series | None:
    """The statement that best stands for a theme: a sound, verbatim quote by a named official, as specific as possible."""
    candidates = long[long["theme"] == theme].drop_duplicates("statement_id").copy()
    candidates = candidates[~candidates.apply(is_doubtful, axis=1)] if len(candidates) else candidates
    if candidates.empty:
        return None
    candidates["has_quote"] = candidates["quote"].str.len() >= MIN_QUOTE_CHARS
    candidates["named"] = ~candidates["speaker"].str.contains("unnamed|anonymous|collectively", case=False)
    candidates["official"] = candidates["speaker_type"].isin(["government", "military", "parliament"])
    candidates["n_themes"] = candidates["themes"].map(lambda c: len(split_list(c)))
    ranked = candidates.sort_values(["has_quote", "named", "official", "n_themes", "statement_id"], ascending=[False, False, False, True, True])
    return ranked.iloc[0]


def quotes_table_html(long: pd.DataFrame, themes: pd.DataFrame, family: str, slug: str, caption: str) -> str:
    rows, used = [], set()
    for _, theme in themes[themes["family"] == family].iterrows():
        s = representative(long[~long["statement_id"].isin(used)], theme["theme"])
        if s is None:
            continue
        used.add(s["statement_id"])
        rows.append([esc(theme["label"]), f"{statement_text(s)}{cite(s['source_id'])}", attribution(s)])
    return table_block(slug, caption, ["Theme", "Statement", "Who, when"], rows, source="statements.csv, themes.csv; one statement per theme, preferring verbatim quotes by named officials.")


def statements_list_html(statements: pd.DataFrame) -> str:
    items = "".join(
        f"<li><strong>{attribution(s)}</strong>: {statement_text(s)}{cite(s['source_id'])}</li>" for _, s in statements.iterrows()
    )
    return f'<ul class="statements">{items}</ul>'


def summary_html(statements: pd.DataFrame, long: pd.DataFrame, countries: tuple[str, ...]) -> str:
    """The section's opening paragraph, computed."""
    own = from_countries(statements, countries)
    stances = own["stance"].value_counts()
    rationale = long[(long["family"] == "rationale") & long["speaker_country"].isin(countries)]
    top = rationale.groupby("label")["statement_id"].nunique().sort_values(ascending=False, kind="stable").head(3)
    by_type = own["speaker_type"].value_counts()
    names = join_words(vocab.COUNTRY_NAMES[c] for c in countries)
    parts = [
        f"The dataset holds {plural(len(own), 'attributed statement')} by speakers from {esc(names)}: "
        + join_words(f"{number_word(int(stances[st]))} {STANCE_ADJECTIVES[st]}" for st in vocab.STANCES if stances.get(st, 0))
        + ".",
        f"They come from {join_words(f'{SPEAKER_LABELS[t]} ({int(n)})' for t, n in by_type.items())}.",
    ]
    if len(top):
        parts.append(
            "The reasons most often given are "
            + join_words(f"{esc(label.lower())} ({plural(int(n), 'statement')})" for label, n in top.items())
            + "."
        )
    return f'<p class="lead">{" ".join(parts)}</p>'


# ---------------------------------------------------------------------------- borders


def border_chart(countries_table: pd.DataFrame, countries: tuple[str, ...]):
    """Land border with Russia (mainland and Kaliningrad) and Belarus, stacked, per state."""
    import matplotlib.pyplot as plt

    from brief.figures import chart_style

    table = countries_table.set_index("country").loc[list(countries)]
    parts = [("border_russia_km", "Russia (mainland)", "#4d4d4d"), ("border_kaliningrad_km", "Russia (Kaliningrad)", "#8c8c8c"), ("border_belarus_km", "Belarus", "#c7c7c7")]
    table["total_km"] = sum(table[column] for column, _, _ in parts)
    order = table.sort_values("total_km", kind="stable").index.tolist()
    with chart_style():
        fig, ax = plt.subplots(figsize=(6.4, 0.36 * len(order) + 1.0))
        left = pd.Series(0.0, index=order)
        for column, label, colour in parts:
            values = table.loc[order, column]
            ax.barh(range(len(order)), values, left=left, color=colour, label=label, height=0.6)
            left += values
        for y, country in enumerate(order):
            ax.annotate(f"{fmt_int(table.loc[country, 'total_km'])} km", (table.loc[country, "total_km"], y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
        ax.set_yticks(range(len(order)), [vocab.COUNTRY_NAMES[c] for c in order])
        for label, country in zip(ax.get_yticklabels(), order):
            label.set_color(vocab.COUNTRY_COLORS[country])
            label.set_fontweight("bold")
        ax.set_xlabel("km of land border")
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, table["total_km"].max() * 1.15)
        ax.legend(loc="lower right", fontsize=7.5)
        longest = order[-1]
        title = f"{vocab.COUNTRY_NAMES[longest]} has the longest border with Russia and Belarus: {fmt_int(table.loc[longest, 'total_km'])} km" if len(order) > 1 else f"{vocab.COUNTRY_NAMES[longest]}: {fmt_int(table.loc[longest, 'total_km'])} km of border with Russia and Belarus"
        ax.set_title(title)
        fig.tight_layout()
    data = table.loc[order, [c for c, _, _ in parts] + ["total_km"]].reset_index()
    data.insert(1, "name", data["country"].map(vocab.COUNTRY_NAMES))
    return fig, data, title


def record_values(statements: pd.DataFrame, long: pd.DataFrame, countries: tuple[str, ...]) -> dict:
    """What the key findings need from this section."""
    own = from_countries(statements, countries)
    rationale = long[(long["family"] == "rationale") & long["speaker_country"].isin(countries)]
    top = rationale.groupby("label")["statement_id"].nunique().sort_values(ascending=False, kind="stable").head(3)
    skeptics = own[own["stance"] == "skeptical"].drop_duplicates("speaker")
    return {
        "statements": len(own),
        "top_themes": [{"label": label, "count": int(n)} for label, n in top.items()],
        "skeptics": [{"speaker": s["speaker"], "source_id": split_list(s["source_id"])[0]} for _, s in skeptics.iterrows()],
    }
