"""Stated rationales: statements coded into themes, by country and kind of speaker; commitments; doubts; borders."""

from __future__ import annotations

import pandas as pd

from brief import vocab
from brief.data import split_list
from brief.facts import RationaleFacts, Speaker, ThemeCount
from brief.figures import BORDER_COLORS, COUNTRY_COLORS, INK, memoized
from brief.statements import MIN_QUOTE_CHARS, attribution, from_countries, statement_text, theme_counts
from brief.text import cite, esc, fmt_int, fmt_number, lower_first, sentence_case, table_block


def theme_matrix(long: pd.DataFrame, countries: tuple[str, ...], family: str = "rationale") -> pd.DataFrame:
    """Counted statements per (theme, country), themes ordered by total; a joint statement counts for each signatory."""
    subset = long[(long["family"] == family) & long["speaker_country"].isin(countries) & long["counted"]]
    matrix = subset.groupby(["label", "speaker_country"])["statement_id"].nunique().unstack(fill_value=0)
    matrix = matrix.reindex(columns=[c for c in countries], fill_value=0)
    return matrix.loc[matrix.sum(axis=1).sort_values(ascending=False, kind="stable").index]


def joint_cells(long: pd.DataFrame, family: str = "rationale") -> set[tuple[str, str]]:
    """(theme label, country) cells whose count includes a joint statement (one with several signatories)."""
    joint = long[(long["family"] == family) & long["counted"] & long["country"].str.contains(";", regex=False)]
    return set(zip(joint["label"], joint["speaker_country"]))


@memoized
def theme_matrix_chart(matrix: pd.DataFrame, joint: set[tuple[str, str]] = frozenset()):
    """A dot matrix: one row per theme, one column per country, dot area = number of statements;
    a ringed dot includes a joint statement, counted for each signatory."""
    import matplotlib.pyplot as plt

    from brief.figures import chart_style, text_on

    countries = list(matrix.columns)
    with chart_style():
        fig, ax = plt.subplots(figsize=(6.4, 0.27 * len(matrix) + 1.2))
        peak = max(int(matrix.to_numpy().max()) if matrix.size else 0, 1)
        for x, country in enumerate(countries):
            for y, label in enumerate(matrix.index):
                count = int(matrix.loc[label, country])
                if count:
                    colour = COUNTRY_COLORS[country]
                    ringed = (label, country) in joint
                    ax.scatter(x, y, s=100 + 250 * count / peak, color=colour, linewidths=1.6 if ringed else 0, edgecolors=INK if ringed else "none")
                    ax.annotate(str(count), (x, y), ha="center", va="center", fontsize=7, color=text_on(colour), fontweight="bold")
        ax.xaxis.tick_top()
        ax.set_xticks(range(len(countries)), [vocab.COUNTRY_NAMES[c] for c in countries])
        for tick, country in zip(ax.xaxis.get_major_ticks(), countries):
            tick.label2.set_color(COUNTRY_COLORS[country])
            tick.label2.set_fontweight("bold")
        ax.set_yticks(range(len(matrix)), list(matrix.index))
        ax.set_ylim(len(matrix) - 0.5, -0.6)
        ax.set_xlim(-0.6, len(countries) - 0.4)
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.tick_params(length=0)
        top = matrix.sum(axis=1).idxmax() if len(matrix) else ""
        title = f"Most-cited reason: {lower_first(top)}" if top else "No rationale statements recorded"
        fig.suptitle(title, x=0.01, ha="left", fontsize=10.5, fontweight="bold")
        fig.tight_layout()
    data = matrix.reset_index().rename(columns={"label": "theme"}).rename(columns=vocab.COUNTRY_NAMES)
    data.columns.name = None
    return fig, data, title


def representative(long: pd.DataFrame, theme: str) -> pd.Series | None:
    """The statement that best stands for a theme: a sound, verbatim quote by a named official, as specific as possible."""
    candidates = long[(long["theme"] == theme) & long["counted"]].drop_duplicates("statement_id").copy()
    if candidates.empty:
        return None
    candidates["has_quote"] = candidates["quote"].str.len() >= MIN_QUOTE_CHARS
    candidates["official"] = candidates["speaker_type"].isin(["government", "military", "parliament"])
    candidates["n_themes"] = candidates["themes"].map(lambda c: len(split_list(c)))
    ranked = candidates.sort_values(["has_quote", "official", "n_themes", "statement_id"], ascending=[False, False, True, True])
    return ranked.iloc[0]


def quotes_table_html(long: pd.DataFrame, themes: pd.DataFrame, family: str, slug: str, caption: str, source: str) -> str:
    rows, used = [], set()
    for _, theme in themes[themes["family"] == family].iterrows():
        s = representative(long[~long["statement_id"].isin(used)], theme["theme"])
        if s is None:
            continue
        used.add(s["statement_id"])
        rows.append([esc(theme["label"]), f"{statement_text(s)}{cite(s['source_id'])}", attribution(s)])
    return table_block(slug, caption, ["Theme", "Statement", "Who, when"], rows, source=source)


# ---------------------------------------------------------------------------- borders


def border_lengths(borders: pd.DataFrame, countries, measure: str = "factbook") -> pd.DataFrame:
    """km per state (rows, in the given order) and neighbour (columns) by one measure; 0 where no border is recorded."""
    chosen = borders[(borders["measure"] == measure) & borders["country"].isin(countries)]
    table = chosen.pivot_table(index="country", columns="neighbour", values="km", aggfunc="sum")
    return table.reindex(index=list(countries), columns=list(vocab.NEIGHBOURS)).fillna(0.0)


@memoized
def border_chart(borders: pd.DataFrame, countries: tuple[str, ...]):
    """Land border with Russia (mainland and Kaliningrad) and Belarus, stacked, per state, by the one measure every state has."""
    import matplotlib.pyplot as plt

    from brief.figures import chart_style

    table = border_lengths(borders, countries)
    table["total_km"] = table.sum(axis=1)
    order = table.sort_values("total_km", kind="stable").index.tolist()
    with chart_style():
        fig, ax = plt.subplots(figsize=(6.4, 0.36 * len(order) + 1.0))
        left = pd.Series(0.0, index=order)
        for neighbour, label in vocab.NEIGHBOURS.items():
            values = table.loc[order, neighbour]
            ax.barh(range(len(order)), values, left=left, color=BORDER_COLORS[neighbour], label=sentence_case(label), height=0.6)
            left += values
        for y, country in enumerate(order):
            ax.annotate(f"{fmt_int(table.loc[country, 'total_km'])} km", (table.loc[country, "total_km"], y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
        ax.set_yticks(range(len(order)), [vocab.COUNTRY_NAMES[c] for c in order])
        for label, country in zip(ax.get_yticklabels(), order):
            label.set_color(COUNTRY_COLORS[country])
            label.set_fontweight("bold")
        ax.set_xlabel("km of land border (CIA World Factbook)")
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, max(table["total_km"].max(), 1) * 1.15)
        ax.legend(loc="lower right", fontsize=7.5)
        longest = order[-1]
        title = (f"{vocab.COUNTRY_NAMES[longest]} has the longest border with Russia and Belarus: {fmt_int(table.loc[longest, 'total_km'])} km" if len(order) > 1
                 else f"{vocab.COUNTRY_NAMES[longest]}: {fmt_int(table.loc[longest, 'total_km'])} km of border with Russia and Belarus")
        ax.set_title(title)
        fig.tight_layout()
    data = table.loc[order].reset_index()
    data.insert(1, "name", data["country"].map(vocab.COUNTRY_NAMES))
    data.columns.name = None
    return fig, data, title


def borders_table_html(borders: pd.DataFrame, countries, caption: str, source: str) -> str:
    """Each border by both measures, with what the national figure covers."""
    rows = []
    for country in countries:
        own = borders[borders["country"] == country]
        for neighbour, label in vocab.NEIGHBOURS.items():
            pair = own[own["neighbour"] == neighbour].set_index("measure")
            if pair.empty:
                continue
            factbook = pair.loc["factbook"] if "factbook" in pair.index else None
            national = pair.loc["national"] if "national" in pair.index else None
            rows.append([
                esc(vocab.COUNTRY_NAMES[country]), esc(sentence_case(label)),
                f"{fmt_number(factbook['km'])}{cite(factbook['source_ids'], limit=1)}" if factbook is not None else "",
                f"{fmt_number(national['km'])}{cite(national['source_ids'])}" if national is not None else "not found",
                esc(national["covers"]) if national is not None else esc(factbook["notes"]) if factbook is not None else "",
            ])
    return table_block("borders", caption, ["State", "Border with", "Factbook (km)", "National (km)", "What the national figure covers"], rows, source=source, numeric=(2, 3))


def facts(statements: pd.DataFrame, themes: pd.DataFrame, countries: tuple[str, ...]) -> RationaleFacts:
    """Who from the withdrawing states said what, counted once per statement."""
    own = from_countries(statements, countries)
    counted = own[own["counted"]]
    top = theme_counts(counted, themes, "rationale").head(3)
    labels = dict(zip(themes["label"], themes["theme"]))
    skeptics = own[own["stance"] == "skeptical"].drop_duplicates("speaker")
    return RationaleFacts(
        countries=tuple(countries),
        statements=len(counted),
        not_counted=len(own) - len(counted),
        stances={stance: int((counted["stance"] == stance).sum()) for stance in vocab.STANCES},
        speaker_types={kind: int(n) for kind, n in counted["speaker_type"].value_counts().items()},
        top_themes=tuple(ThemeCount(theme=labels[label], label=label, count=int(n)) for label, n in top.items()),
        skeptics=tuple(Speaker(speaker=s["speaker"], country=split_list(s["country"])[0], source_id=split_list(s["source_id"])[0], counted=bool(s["counted"])) for _, s in skeptics.iterrows()),
    )
