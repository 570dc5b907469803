"""The build cache, tested by what is executed (not by time)."""

from __future__ import annotations

import pytest

from brief.engine import build as build_module
from brief.engine.build import build
from brief.engine.params import build_params
from tests.conftest import edit_csv  # noqa: E402

pytestmark = pytest.mark.build
ALL = {"00_key_findings.ipynb", "01_chronology.ipynb", "02_after.ipynb", "03_rationales.ipynb", "04_humanitarian.ipynb", "05_claims.ipynb", "06_outlook.ipynb", "07_methods.ipynb"}


@pytest.fixture
def first_build(data_copy, tmp_path):
    out = tmp_path / "out"
    result = build(build_params(data_dir=data_copy, output_dir=out, formats="html"), log=lambda m: None)
    assert set(result.executed) == ALL and result.rendered
    return data_copy, out


def rebuild(data_dir, out, **overrides):
    return build(build_params(data_dir=data_dir, output_dir=out, formats="html", **overrides), log=lambda m: None)


def test_second_build_executes_and_renders_nothing(first_build):
    data_dir, out = first_build
    html = (out / "brief.html").read_bytes()
    again = rebuild(data_dir, out)
    assert again.executed == () and not again.rendered
    assert (out / "brief.html").read_bytes() == html


def test_one_data_file_reexecutes_exactly_its_readers(first_build):
    data_dir, out = first_build
    terms = data_dir / "framing_terms.csv"
    terms.write_text(terms.read_text(encoding="utf-8") + "landmine,criticism,test term\n", encoding="utf-8")
    again = rebuild(data_dir, out)
    # framing_terms.csv is declared by the humanitarian and methods notebooks; the key findings
    # use the humanitarian results, which the framing dictionary does not change.
    assert set(again.executed) == {"04_humanitarian.ipynb", "07_methods.ipynb"}
    assert again.rendered


def test_a_value_in_a_file_that_a_notebook_only_counts_does_not_rerun_it(first_build):
    data_dir, out = first_build
    # Methods shows how many rows borders.csv holds (manifest: `counts`); the rationales draw its lengths.
    edit_csv(data_dir / "borders.csv", "EE-RU-factbook,EE,russia,factbook,324.0,", "EE-RU-factbook,EE,russia,factbook,325.0,")
    assert set(rebuild(data_dir, out).executed) == {"03_rationales.ipynb"}
    borders = data_dir / "borders.csv"
    borders.write_text(borders.read_text(encoding="utf-8") + "LV-BY-national,LV,belarus,national,1.0,not stated,cia-factbook-json,\n", encoding="utf-8")
    assert set(rebuild(data_dir, out).executed) == {"03_rationales.ipynb", "07_methods.ipynb"}


def test_a_new_source_reruns_only_the_notebooks_that_load_sources(first_build):
    data_dir, out = first_build
    sources = data_dir / "sources.csv"
    header = sources.read_text(encoding="utf-8").splitlines()[0].split(",")
    row = {c: "" for c in header} | {"source_id": "new-article", "kind": "news", "title": "A new article", "publisher": "X", "published": "2026-11-01"}
    sources.write_text(sources.read_text(encoding="utf-8") + ",".join(row[c] for c in header) + "\n", encoding="utf-8")
    again = rebuild(data_dir, out)
    # the three notebooks that load sources.csv whole; the others depend only on the rows their tables cite
    assert set(again.executed) == {"04_humanitarian.ipynb", "05_claims.ipynb", "07_methods.ipynb"}


def test_a_cited_source_changing_its_date_reruns_the_notebooks_whose_rows_cite_it(first_build):
    data_dir, out = first_build
    # 112ua-rada is cited by an event only: the event readers re-run, the rationales (no events) do not
    edit_csv(data_dir / "sources.csv", "112.ua (German),2025-07-15,", "112.ua (German),2025-07-16,")
    again = rebuild(data_dir, out)
    assert "01_chronology.ipynb" in again.executed and "03_rationales.ipynb" not in again.executed


def test_a_parameter_or_the_package_source_invalidates(first_build, monkeypatch):
    data_dir, out = first_build
    assert set(rebuild(data_dir, out, as_of="2026-01-05").executed) == ALL
    monkeypatch.setattr(build_module, "code_digest", lambda: "changed package source")
    assert set(rebuild(data_dir, out, as_of="2026-01-05").executed) == ALL


def test_force_bypasses_the_cache(first_build):
    data_dir, out = first_build
    assert set(rebuild(data_dir, out, force=True).executed) == ALL


def test_a_corrupted_entry_is_detected_and_rebuilt(first_build):
    data_dir, out = first_build
    entries = list((out / ".cache" / "sections" / "chronology").iterdir())
    assert len(entries) == 1
    notebook = entries[0] / "notebook.ipynb"
    notebook.write_text(notebook.read_text(encoding="utf-8").replace("Estonia", "Atlantis"), encoding="utf-8")
    again = rebuild(data_dir, out)
    assert "01_chronology.ipynb" in again.executed
    assert "Atlantis" not in (out / "brief.html").read_text(encoding="utf-8")


def test_deleted_output_is_rendered_again(first_build):
    data_dir, out = first_build
    (out / "brief.html").unlink()
    again = rebuild(data_dir, out)
    assert again.executed == () and again.rendered and (out / "brief.html").exists()


def test_a_derived_file_that_fails_its_checksum_is_remade(tmp_path):
    from brief.engine.cache import Cache

    cache = Cache(tmp_path)
    made = []

    def make():
        made.append(1)
        return b"fragment"

    assert cache.blob("fragments", "k.html", make) == b"fragment" == cache.blob("fragments", "k.html", make)
    assert len(made) == 1
    (tmp_path / "fragments" / "k.html").write_bytes(b"tampered")
    assert cache.blob("fragments", "k.html", make) == b"fragment" and len(made) == 2


def test_the_columns_that_cite_sources_are_found_by_their_names():
    from brief.data import TABLES
    from brief.engine.cache import SOURCE_REFERENCE

    for name, spec in TABLES.items():
        if name == "sources":
            continue
        by_schema = {c for c, col in spec.columns.items() if col.kind in ("ref", "refs") and col.ref == "sources"}
        by_name = {c for c in spec.columns if SOURCE_REFERENCE.fullmatch(c)}
        assert by_name == by_schema, name


def test_an_entry_with_draft_charts_serves_the_preview_but_not_a_build(tmp_path):
    from brief.config import DATA_DIR
    from brief.engine.cache import Cache, Planner
    from brief.engine.manifest import load_manifest

    section = next(s for s in load_manifest() if s.id == "rationales")
    notebook, figures = tmp_path / "run.ipynb", tmp_path / "figures"
    notebook.write_text("{}", encoding="utf-8")
    figures.mkdir()
    (figures / "borders.svg").write_text("<svg/>", encoding="utf-8")
    cache = Cache(tmp_path / "cache")
    cache.store(section, "k1", notebook, None, figures)  # as the preview stores it: SVG only

    def planner(draft_charts):  # (a planner is one build's, or one preview rebuild's)
        return Planner(cache, DATA_DIR, {}, "code", force=False, draft_charts=draft_charts)

    assert planner(draft_charts=True).lookup(section, "k1") is not None
    assert planner(draft_charts=False).lookup(section, "k1") is None
    (figures / "borders.png").write_bytes(b"png")
    cache.store(section, "k1", notebook, None, figures)  # as a build stores it
    assert planner(draft_charts=False).lookup(section, "k1") is not None and planner(draft_charts=True).lookup(section, "k1") is not None


def test_a_rebuild_draws_only_the_charts_whose_data_changed_and_gives_what_a_forced_build_gives(first_build, tmp_path):
    import os

    data_dir, out = first_build
    drawn = [entry for entry in (out / ".cache" / "charts").glob("*/*")]
    assert len(drawn) == 8  # every chart of the brief, drawn once
    for entry in drawn:  # marked, and made old: an entry used again keeps its mark and becomes new
        (entry / "mark").write_text("drawn by the first build", encoding="utf-8")
        os.utime(entry, (0, 0))
    edit_csv(data_dir / "borders.csv", "FI-RU-factbook,FI,russia,factbook,1309.0", "FI-RU-factbook,FI,russia,factbook,1312.0")
    again = rebuild(data_dir, out)
    assert set(again.executed) == {"03_rationales.ipynb"}  # (Methods only counts the rows of borders.csv)
    used = [e for e in drawn if (e / "mark").exists() and e.stat().st_mtime > 0]
    assert len(used) == 1  # the rationales' other chart (themes by state), not drawn again
    assert len(list((out / ".cache" / "charts").glob("*/*"))) == 9  # the border chart, drawn with the new length
    forced = rebuild(data_dir, tmp_path / "forced", force=True)
    assert set(forced.executed) == ALL
    assert (out / "brief.html").read_bytes() == (tmp_path / "forced" / "brief.html").read_bytes()
    charts = sorted(p.name for p in (out / "figures").iterdir())
    assert charts == sorted(p.name for p in (tmp_path / "forced" / "figures").iterdir()) and any(c.endswith(".png") for c in charts)
    for name in charts:
        assert (out / "figures" / name).read_bytes() == (tmp_path / "forced" / "figures" / name).read_bytes(), name
