"""Chart files: written whole by each run, and text from data drawn as text."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import pandas as pd

from brief import figures


def save_chart(folder, title="Casualties per year"):
    with figures.chart_style():
        fig, ax = plt.subplots()
        ax.bar(["2023", "2024"], [5757, 6279])
        ax.set_title(title)
    return figures.save(fig, "race", caption="c", source="s", alt="a", data=pd.DataFrame({"year": [2023]}), figures_dir=folder)


def test_two_runs_saving_one_chart_cannot_mix_their_bytes(tmp_path, monkeypatch):
    clean = tmp_path / "clean"
    save_chart(clean)
    close, others = plt.close, []

    def close_then_another_run_saves(fig=None):
        close(fig)
        if not others:  # another kernel saves the same chart into the same folder at this moment
            others.append("saving")
            save_chart(tmp_path / "shared")

    monkeypatch.setattr(figures.plt, "close", close_then_another_run_saves)
    save_chart(tmp_path / "shared")
    svg = (tmp_path / "shared" / "race.svg").read_text(encoding="utf-8")
    assert "Verdana, sans-serif, Verdana" not in svg
    assert svg.encode() == (clean / "race.svg").read_bytes()
    assert not [p.name for p in (tmp_path / "shared").iterdir() if p.suffix == ".tmp"]


def test_dollar_signs_in_labels_from_data_are_text_not_maths(tmp_path):
    for title in ("Costs of $5 and $6", r"A broken $\frac$ formula"):
        figure = save_chart(tmp_path, title=title)
        assert title.replace("$", "") in figure.svg.replace("$", "")
        assert f">{title}<" in (tmp_path / "race.svg").read_text(encoding="utf-8").replace("&#36;", "$")


def test_show_data_has_readable_headers_and_values_and_a_csv_that_decodes_to_the_data():
    from urllib.parse import unquote

    from bs4 import BeautifulSoup

    from brief.figures import data_table_html

    data = pd.DataFrame({"date": ["2025-03-07", "2025-06"], "total_km": [324.0, 1309.5], "year": [2013, 2024], "casualties": [3308, 6279], "russia": [1.0, 2.0]})
    soup = BeautifulSoup(data_table_html(data, "borders"), "html.parser")
    assert [th.get_text() for th in soup.select("th")] == ["Date", "Total (km)", "Year", "Casualties", "Mainland Russia"]
    assert [td.get_text() for td in soup.select("tbody tr")[0].select("td")] == ["7 March 2025", "324", "2013", "3,308", "1"]
    assert soup.select("tbody tr")[1].select_one("td").get_text() == "June 2025"
    link = soup.select_one("a[download]")
    assert link["download"] == "borders.csv" and link["href"].startswith("data:text/csv;charset=utf-8,")
    back = pd.read_csv(io.StringIO(unquote(link["href"].split(",", 1)[1])))
    assert list(back.columns)[1] == "Total (km)" and back["Casualties"].tolist() == [3308, 6279]


def test_the_phone_variant_of_a_chart_has_no_text_below_the_minimum(tmp_path):
    import re

    from brief.figures import NARROW_MIN_PT, chart_style, save

    with chart_style():
        fig, ax = plt.subplots(figsize=(6.4, 3))
        ax.barh([0, 1], [3, 4])
        ax.set_yticks([0, 1], ["A rather long category label that must wrap", "Short"])
        ax.annotate("small note", (1, 0), fontsize=6)
    figure = save(fig, "probe", caption="c", source="s", alt="a", data=pd.DataFrame({"x": [1]}), figures_dir=tmp_path)
    sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", figure.svg_narrow)]
    assert sizes and min(sizes) >= NARROW_MIN_PT
    assert 'id="probe-narrow-title"' in figure.svg_narrow and 'id="probe-title"' in figure.svg  # ids stay unique in the page


def test_a_kernel_told_to_draw_drafts_saves_the_svg_alone_and_shows_it_at_every_width(tmp_path, monkeypatch):
    built = save_chart(tmp_path / "build")
    monkeypatch.setenv(figures.DRAFT_ENV, "1")
    draft = save_chart(tmp_path / "preview")
    assert sorted(p.name for p in (tmp_path / "build").iterdir()) == ["race.png", "race.svg"]
    assert sorted(p.name for p in (tmp_path / "preview").iterdir()) == ["race.svg"]
    assert (tmp_path / "preview" / "race.svg").read_bytes() == (tmp_path / "build" / "race.svg").read_bytes()
    assert built.svg_narrow and not draft.svg_narrow
    assert 'chart-wide has-narrow"' in built._repr_html_()  # hidden on a phone, where its phone layout shows
    assert 'chart-wide"' in draft._repr_html_() and "chart-narrow" not in draft._repr_html_()  # shown at every width


# ---------------------------------------------------------------------------- charts drawn before


def counted_chart():
    """A memoized chart function that counts how often it really draws."""
    calls = []

    @figures.memoized
    def bars(frame: pd.DataFrame, marked: set[str], label: str = "km"):
        calls.append(label)
        with figures.chart_style():
            fig, ax = plt.subplots()
            ax.bar(frame["country"], frame["km"], color=["#0072B2" if c in marked else "#999999" for c in frame["country"]])
            ax.set_ylabel(label)
        return fig, frame.assign(marked=frame["country"].isin(marked)), f"Borders in {label}"

    return bars, calls


def save_bars(result, folder):
    fig, data, title = result
    figure = figures.save(fig, "bars", caption=title, source="s", alt="a", data=data, figures_dir=folder)
    return figure, data, {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def borders(km_of_finland=1309.0):
    return pd.DataFrame({"country": ["EE", "LV", "FI"], "km": [324.0, 332.0, km_of_finland]})


def test_a_chart_drawn_before_with_equal_arguments_is_not_drawn_again_and_saves_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv(figures.CHART_MEMO_ENV, str(tmp_path / "memo"))
    bars, calls = counted_chart()
    first = save_bars(bars(borders(), {"EE", "FI"}), tmp_path / "first")
    # equal, not identical: a frame built anew, and a set built in another order
    result = bars(borders(), {"FI", "EE"})
    assert isinstance(result[0], figures.Drawn) and calls == ["km"]
    second = save_bars(result, tmp_path / "second")
    assert second[2] == first[2] and set(first[2]) == {"bars.svg", "bars.png"}
    assert (second[0].svg, second[0].svg_narrow, second[0].caption) == (first[0].svg, first[0].svg_narrow, first[0].caption)
    assert first[0].svg_narrow  # the phone layout is kept too
    pd.testing.assert_frame_equal(second[1], first[1])
    monkeypatch.delenv(figures.CHART_MEMO_ENV)
    fresh = save_bars(bars(borders(), {"EE", "FI"}), tmp_path / "fresh")  # no memo: drawn, and the same bytes
    assert calls == ["km", "km"] and fresh[2] == first[2]


def test_other_arguments_or_a_draft_draw_the_chart_again(tmp_path, monkeypatch):
    monkeypatch.setenv(figures.CHART_MEMO_ENV, str(tmp_path / "memo"))
    bars, calls = counted_chart()
    before = save_bars(bars(borders(), {"EE"}), tmp_path / "a")
    changed = save_bars(bars(borders(1312.0), {"EE"}), tmp_path / "b")
    assert changed[2]["bars.svg"] != before[2]["bars.svg"]
    relabelled = bars(borders(), {"EE"}, label="miles")
    assert calls == ["km", "km", "miles"] and not isinstance(relabelled[0], figures.Drawn)
    plt.close(relabelled[0])
    monkeypatch.setenv(figures.DRAFT_ENV, "1")
    draft = bars(borders(), {"EE"})
    assert not isinstance(draft[0], figures.Drawn) and len(calls) == 4
    save_bars(draft, tmp_path / "draft")
    monkeypatch.setenv(figures.DRAFT_ENV, "0")
    assert isinstance(bars(borders(1312.0), {"EE"})[0], figures.Drawn)  # the full drawing is still kept beside the draft


def test_a_damaged_drawing_is_drawn_again_and_kept_whole(tmp_path, monkeypatch):
    memo = tmp_path / "memo"
    monkeypatch.setenv(figures.CHART_MEMO_ENV, str(memo))
    bars, calls = counted_chart()
    first = save_bars(bars(borders(), {"EE"}), tmp_path / "first")
    [entry] = [p for p in memo.iterdir()]
    (entry / "chart.svg").write_text("<svg>not what was drawn</svg>", encoding="utf-8")
    again = save_bars(bars(borders(), {"EE"}), tmp_path / "again")
    assert calls == ["km", "km"] and again[2] == first[2]
    assert isinstance(bars(borders(), {"EE"})[0], figures.Drawn)  # kept again, whole
    assert [p.name for p in memo.iterdir()] == [entry.name]


def test_the_key_of_a_drawing_is_the_same_in_every_kernel():
    """Kernels hash strings each with a seed of their own, so a set's order differs from one to the next; the key must not."""
    import subprocess
    import sys

    probe = ("import pandas as pd\nfrom brief import figures\n"
             "def chart(frame, joint): pass\n"
             "print(figures.memo_key(chart, (pd.DataFrame({'a': ['x', 'y']}), {('EE', 'border'), ('LV', 'border'), ('LT', 'security'), ('FI', 'deterrence')}), {}, False))")
    keys = {subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout for seed in (1, 2, 3, 4)}
    assert len(keys) == 1 and len(keys.pop().strip()) == 32
