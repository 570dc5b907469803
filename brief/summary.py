"""Key findings, outlook and methods: built from what the section notebooks recorded and from data/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from brief import vocab
from brief.data import TABLES, split_list
from brief.text import cite, esc, fmt_date, fmt_int, join_words, number_word, per_edition, plural, sentence_case, table_block

# ---------------------------------------------------------------------------- what sections record


def chronology_results(statuses, events: pd.DataFrame, as_of: dt.date) -> dict:
    """The chronology's figures for the key findings and the outlook."""
    from brief.chronology import known_by, withdrawal_events

    own = known_by(withdrawal_events(events[events["country"].isin([s.country for s in statuses])]), as_of)
    first_announcement = own[own["stage"] == "announcement"].sort_values("date_value").head(1)
    return {
        "as_of": as_of,
        "countries": [s.country for s in statuses],
        "statuses": [
            {
                "country": s.country,
                "status": s.status,
                "deposit_date": s.deposit_date,
                "effective_date": s.effective_date,
                "source_ids": list(s.source_ids),
            }
            for s in statuses
        ],
        "first_announcement": first_announcement["date"].iloc[0] if len(first_announcement) else None,
        "first_announcement_sources": first_announcement["source_ids"].iloc[0] if len(first_announcement) else "",
    }


# ---------------------------------------------------------------------------- key findings


def _status_finding(chron: dict) -> str:
    as_of = dt.date.fromisoformat(chron["as_of"])
    statuses = chron["statuses"]
    total = len(statuses)
    in_effect = [s for s in statuses if s["status"] == "in effect"]
    pending = [s for s in statuses if s["status"] == "deposited"]
    names = lambda group: join_words(vocab.COUNTRY_NAMES[s["country"]] for s in group)  # noqa: E731
    sources = cite(*[s["source_ids"][0] for s in statuses if s["source_ids"]], limit=None)
    if in_effect and len(in_effect) == total:
        last = max(s["effective_date"] for s in in_effect)
        first = min(s["effective_date"] for s in in_effect)
        text = f"<strong>All {number_word(total)} withdrawals are in effect.</strong> They took effect between {fmt_date(first)} and {fmt_date(last)}, six months after each instrument reached the UN Secretary-General"
        return f"{text}.{sources}"
    elif in_effect:
        text = f"<strong>{sentence_case(number_word(len(in_effect)))} of {number_word(total)} withdrawals are in effect</strong> ({names(in_effect)})"
        if pending:
            text += f"; {names(pending)} {'takes' if len(pending) == 1 else 'take'} effect on {join_words(fmt_date(s['effective_date']) for s in pending)}"
    elif pending:
        first = min(s["effective_date"] for s in pending)
        text = f"<strong>{sentence_case(number_word(len(pending)))} of {number_word(total)} states have deposited instruments of withdrawal</strong>; none is yet in effect, and the first takes effect on {fmt_date(first)}"
    else:
        stage_states = join_words(f"{vocab.COUNTRY_NAMES[s['country']]} ({s['status']})" for s in statuses)
        text = f"<strong>No withdrawal has been deposited yet</strong>: {stage_states}"
    return f"{text} (as of {fmt_date(as_of)}).{sources}"


def _pace_finding(chron: dict) -> str | None:
    deposits = [s for s in chron["statuses"] if s["deposit_date"]]
    if not chron["first_announcement"] or not deposits:
        return None
    start = dt.date.fromisoformat(chron["first_announcement"])
    spans = [(dt.date.fromisoformat(s["deposit_date"]) - start).days for s in deposits]
    return (
        f"<strong>A fast, coordinated exit.</strong> From the first recorded announcement on {fmt_date(start)}"
        f"{cite(chron['first_announcement_sources'])} to deposit with the UN took "
        f"{min(spans)}–{max(spans)} days ({plural(len(deposits), 'state')})."
        if len(set(spans)) > 1
        else f"<strong>A fast, coordinated exit.</strong> From the first recorded announcement on {fmt_date(start)}{cite(chron['first_announcement_sources'])} to deposit took {spans[0]} days."
    )


def _membership_finding(hum: dict) -> str:
    peak, last = hum["parties_peak"], hum["parties_last"]
    if last["count"] < peak["count"]:
        return (
            f"<strong>The treaty shrank for the first time.</strong> States Parties fell from {peak['count']} "
            f"({fmt_date(peak['date'])}){cite(peak['source_id'])} to {last['count']} ({fmt_date(last['date'])})"
            f"{cite(last['source_id'])}{' (a count derived from the withdrawals)' if last['derived'] else ''}."
        )
    return f"<strong>Membership at its peak.</strong> The Convention had {peak['count']} States Parties on {fmt_date(peak['date'])}{cite(peak['source_id'])}; no withdrawal had yet reduced it."


def _casualty_finding(hum: dict) -> str:
    c = hum["casualties"]
    text = (
        f"<strong>Casualties are rising.</strong> Landmine Monitor recorded {fmt_int(c['casualties'])} people killed or injured in {c['year']}, "
        f"{'up' if c['change_pct'] > 0 else 'down'} {abs(c['change_pct']):.0f}% on {c['previous_year']}"
        if c["change_pct"] > 0
        else f"<strong>Casualties.</strong> Landmine Monitor recorded {fmt_int(c['casualties'])} people killed or injured in {c['year']}, down {abs(c['change_pct']):.0f}% on {c['previous_year']}"
    )
    if c["civilian_share_pct"] is not None:
        text += f"; {c['civilian_share_pct']:.0f}% of those whose status was known were civilians"
    return f"{text}.{cite(c['source_id'])}"


def _rationale_finding(rat: dict) -> str:
    top = rat["top_themes"][:2]
    doubts = rat["skeptics"]
    text = (
        f"<strong>One reason above all.</strong> Of {rat['statements']} statements by officials and others from the withdrawing states, "
        + join_words(f"{t['count']} cite {esc(t['label'].lower())}" for t in top)
        + "."
    )
    if doubts:
        text += f" Yet {join_words(esc(d['speaker']) + cite(d['source_id']) for d in doubts)} doubted the military value of the mines."
    return text


def _critics_finding(hum: dict) -> str:
    crit = hum["critics"]
    top = crit["top_theme"]
    return (
        f"<strong>Critics say the norm is eroding.</strong> The dataset holds {plural(crit['count'], 'attributed statement')} opposing the withdrawals on humanitarian grounds, "
        f"from {join_words(esc(n) for n in crit['notable'])}; the most common argument is {esc(top['label'].lower())} ({top['count']})."
        + cite(*crit["source_ids"], limit=3)
    )


def _claims_finding(aud: dict) -> str:
    return (
        f"<strong>The coverage contains errors.</strong> Of {aud['claims']} claims checked in the {number_word(aud['articles'])} corpus articles, "
        f"{aud['false']} are false, {aud['misleading']} misleading and {aud['unverifiable']} could not be verified; "
        f"the automatic cross-check found {plural(aud['date_conflicts'], 'conflicting date')} and {plural(aud['count_conflicts'], 'conflicting count')} of States Parties."
        + cite(*aud["example_sources"], limit=2)
    )


def key_findings_html(results: dict) -> str:
    findings = [
        _status_finding(results["chronology"]),
        _pace_finding(results["chronology"]),
        _rationale_finding(results["rationales"]),
        _membership_finding(results["humanitarian"]),
        _casualty_finding(results["humanitarian"]),
        _critics_finding(results["humanitarian"]),
        _claims_finding(results["claims"]),
    ]
    items = "".join(f"<li>{f}</li>" for f in findings if f)
    return f'<ul class="key-findings">{items}</ul>'


# ---------------------------------------------------------------------------- outlook


def outlook_html(results: dict, events: pd.DataFrame, statements: pd.DataFrame, casualties: pd.DataFrame, as_of: dt.date) -> str:
    """What to watch after the as-of date, from the data; nothing stated that the sources do not hold."""
    items = []
    chron = results["chronology"]
    pending = [s for s in chron["statuses"] if s["status"] in ("deposited",) and s["effective_date"]]
    for s in sorted(pending, key=lambda s: s["effective_date"]):
        items.append(f"<strong>{fmt_date(s['effective_date'])}</strong>: {vocab.COUNTRY_NAMES[s['country']]}'s withdrawal is due to take effect (deposit of {fmt_date(s['deposit_date'])} + six months, Art. 20(3)){cite(*s['source_ids'])}.")
    waiting = [s for s in chron["statuses"] if s["status"] in ("announced", "approved")]
    for s in waiting:
        items.append(f"{vocab.COUNTRY_NAMES[s['country']]}: withdrawal {s['status']} but not yet deposited with the UN; it can take effect no earlier than six months after deposit{cite(*s['source_ids'])}.")
    ukraine = events[(events["country"] == "UA") & events["date_value"].map(lambda d: d is not None and d <= as_of)]
    if len(ukraine):
        last = ukraine.sort_values("date_value").iloc[-1]
        items.append(
            f"<strong>Ukraine</strong>: its last recorded step ({fmt_date(last['date'])}) was: {esc(last['description'])}{cite(last['source_ids'])} "
            f"Whether and when it takes effect depends on Article 20(3) and the end of the armed conflict; no date of effect is recorded."
        )
    build_up = statements[statements["themes"].str.contains("capability_building") & statements["date_value"].map(lambda d: d is not None and d <= as_of) & statements["country"].map(lambda c: bool(set(split_list(c)) & set(chron["countries"])))]
    build_up = build_up.sort_values("date_value").tail(4)
    for _, s in build_up.iterrows():
        text = s["paraphrase"] or s["quote"]
        label = "Paraphrase" if s["paraphrase"] else "Quote"
        items.append(f"<strong>Production and procurement plans</strong> ({esc(s['speaker'])}, {fmt_date(s['date'])}): <span class=\"paraphrase\">{label}: {esc(text)}</span>{cite(s['source_id'])}")
    meetings = events[(events["stage"] == "meeting_of_states_parties")].sort_values("date_value")
    past = meetings[meetings["date_value"].map(lambda d: d <= as_of)]
    future = meetings[meetings["date_value"].map(lambda d: d > as_of)]
    if len(future):
        m = future.iloc[0]
        items.append(f"<strong>{fmt_date(m['date'])}</strong>: {esc(m['description'])}{cite(m['source_ids'])}")
    elif len(past):
        m = past.iloc[-1]
        items.append(f"<strong>Meetings of the States Parties</strong>: the last recorded was {fmt_date(m['date'])}{cite(m['source_ids'])}. The date and place of the next meeting are not recorded in this edition's sources.")
    latest_year = int(casualties["year"].max())
    items.append(f"<strong>The casualty record</strong>: the latest year in the data is {latest_year}; the next Landmine Monitor edition will add {latest_year + 1} and may revise earlier years.")
    return '<ul class="outlook">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


# ---------------------------------------------------------------------------- methods


# The renderer writes the build's inputs fingerprint into elements of this class, so the methods
# notebook does not depend on every input of the build (and stays cached when one of them changes).
FINGERPRINT_SLOT = "fill-fingerprint"


def row_counts(data_dir: Path) -> list[tuple[str, int]]:
    counts = []
    for name, spec in TABLES.items():
        path = Path(data_dir) / spec.file
        if path.exists():
            counts.append((spec.file, len(pd.read_csv(path, dtype=str, keep_default_na=False))))
    texts = list((Path(data_dir) / "sources").glob("*.txt"))
    counts.append(("sources/*.txt", len(texts)))
    return counts


def methods_html(data_dir: Path, themes: pd.DataFrame, casualties: pd.DataFrame, params: dict) -> str:
    from brief import __version__

    counts = row_counts(data_dir)
    rows = [[esc(name), str(n)] for name, n in counts]
    files = per_edition(
        table_block("data-files", "Data files of this build and their rows", ["File", "Rows"], rows, source="data/; the data dictionary is data/README.md.", numeric=(1,)),
        "<p><strong>Data files.</strong> " + join_words(f"<code>{esc(name)}</code> ({n})" for name, n in counts) + " rows; the data dictionary is <code>data/README.md</code>.</p>",
    )
    families = themes.groupby("family")["theme"].count()
    editions = casualties.sort_values("year")["monitor_edition"]
    params_rows = [[esc(k), esc(", ".join(v) if isinstance(v, list) else v)] for k, v in params.items() if k in ("as_of", "countries")]
    params_table = table_block("parameters", "Parameters and version of this build", ["Parameter", "Value"], params_rows + [["inputs fingerprint", f'<span class="{FINGERPRINT_SLOT}">(filled in by the build)</span>'], ["brief package", esc(__version__)]], source="the build command; the fingerprint is a SHA-256 over data, notebooks, package, requirements and parameters.")
    return (
        "<p><strong>Corpus.</strong> Five news and analysis articles, held in full in <code>data/sources/</code>, are the starting corpus; "
        "their facts were checked against public sources (ministries, parliaments, the UN depositary where available, Landmine Monitor, "
        "ICBL, news agencies), each cited with its address and access date. Dates were cross-checked with two independent sources where possible; "
        "what could not be confirmed was left out or is marked in the data's notes.</p>"
        f"<p><strong>Coding.</strong> Statements were coded with a stance and up to three themes from a scheme of {plural(int(families.get('rationale', 0)), 'rationale theme')} "
        f"and {plural(int(families.get('criticism', 0)), 'criticism theme')}, each with a written definition (<code>themes.csv</code>). "
        "Quotes are verbatim from the held texts, checked on every build; statements from other sources are paraphrases and marked as such.</p>"
        f"<p><strong>Data vintages.</strong> Casualty figures are as first reported by each annual Landmine Monitor, from {esc(editions.iloc[0])} to {esc(editions.iloc[-1])}; "
        "later revisions are recorded in the notes. Effective dates not recorded in the sources are derived as deposit + six months (Art. 20(3)).</p>"
        f"{files}{params_table}"
        "<p><strong>Reproduce.</strong> <code>make brief</code> builds this edition from a fresh clone; "
        "<code>python -m brief build --as-of YYYY-MM-DD</code> builds it for another date. Identical inputs give an identical fingerprint.</p>"
    )
