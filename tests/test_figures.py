"""Chart files: written whole by each run, and text from data drawn as text."""

from __future__ import annotations

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
