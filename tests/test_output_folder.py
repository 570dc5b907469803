"""A build writes only where it may: never over the project or someone's files, one build per folder, one edition per folder."""

from __future__ import annotations

import pytest

from brief.config import EDITION_RECORD, MANIFEST_FILE, NOTEBOOKS_DIR, PROJECT_ROOT
from brief.engine import cli, edition
from brief.engine.params import ParameterError, build_params


def refused(argv, capsys) -> str:
    assert cli.main(["build", *argv]) == 2
    return capsys.readouterr().err


def test_the_project_folder_is_refused_before_any_work(monkeypatch, capsys):
    monkeypatch.chdir(PROJECT_ROOT)
    before = sorted(p.name for p in PROJECT_ROOT.iterdir())
    notebooks = {p.name: p.read_bytes() for p in NOTEBOOKS_DIR.iterdir() if p.is_file()}
    assert "holds the project itself" in refused(["--output-dir", "."], capsys)
    assert "holds the project itself" in refused(["--output-dir", str(PROJECT_ROOT.parent)], capsys)
    assert MANIFEST_FILE.is_file() and {p.name: p.read_bytes() for p in NOTEBOOKS_DIR.iterdir() if p.is_file()} == notebooks
    assert sorted(p.name for p in PROJECT_ROOT.iterdir()) == before  # no .cache, no lock, no staging


@pytest.mark.parametrize("folder", ["notebooks", "data", "brief", "figures", "tests/new-folder"])
def test_folders_inside_the_project_other_than_output_are_refused(folder, capsys):
    assert "inside the project" in refused(["--output-dir", str(PROJECT_ROOT / folder)], capsys)
    assert not (PROJECT_ROOT / "tests" / "new-folder").exists()


def test_a_folder_holding_other_files_is_refused_and_left_alone(tmp_path, capsys):
    mine = tmp_path / "mine"
    (mine / "notebooks").mkdir(parents=True)
    (mine / "notebooks" / "analysis.ipynb").write_text("my work", encoding="utf-8")
    (mine / "brief.html").write_text("my own page", encoding="utf-8")
    err = refused(["--output-dir", str(mine)], capsys)
    assert "holds files a build did not write (brief.html, notebooks/analysis.ipynb)" in err
    assert (mine / "notebooks" / "analysis.ipynb").read_text(encoding="utf-8") == "my work"
    assert sorted(p.name for p in mine.iterdir()) == ["brief.html", "notebooks"]


def test_the_data_folder_is_refused(data_copy, tmp_path):
    with pytest.raises(ParameterError, match="overlaps the data folder"):
        build_params(data_dir=data_copy, output_dir=data_copy / "out")
    with pytest.raises(ParameterError, match="overlaps the data folder"):
        build_params(data_dir=data_copy, output_dir=tmp_path)


def test_an_empty_or_new_folder_and_the_projects_output_are_accepted(tmp_path):
    (tmp_path / "empty").mkdir()
    for folder in (tmp_path / "empty", tmp_path / "new", PROJECT_ROOT / "output"):
        assert build_params(output_dir=folder, formats="html").output_dir == folder.resolve()


def stage(folder, names):
    staging = folder / ".staging-test"
    for name in names:
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_text(f"new {name}", encoding="utf-8")
    return {name: staging / name for name in names}


def test_publishing_records_the_edition_and_a_stale_pdf_is_removed(tmp_path):
    out, said = tmp_path / "out", []
    out.mkdir()
    edition.publish(out, stage(out, ["brief.html", "brief.pdf", "figures/a.svg", "notebooks/01_x.ipynb"]), formats=("html", "pdf"), key="k1", log=said.append)
    record = edition.read_record(out)
    assert record["formats"] == ["html", "pdf"] and set(record["files"]) == {"brief.html", "brief.pdf", "figures/a.svg", "notebooks/01_x.ipynb"}
    assert edition.foreign_files(out) == [] and edition.intact(record, out)
    edition.publish(out, stage(out, ["brief.html", "figures/b.svg", "notebooks/01_x.ipynb"]), formats=("html",), key="k2", log=said.append)
    assert not (out / "brief.pdf").exists() and not (out / "figures" / "a.svg").exists()
    assert said == ["Removed brief.pdf of the previous edition: this build made HTML only."]
    assert edition.read_record(out)["formats"] == ["html"]


def test_publishing_never_removes_what_the_build_did_not_write(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    edition.publish(out, stage(out, ["brief.html", "figures/a.svg"]), formats=("html",), key="k1", log=lambda m: None)
    (out / "figures" / "mine.svg").write_text("mine", encoding="utf-8")
    edition.publish(out, stage(out, ["brief.html", "figures/b.svg"]), formats=("html",), key="k2", log=lambda m: None)
    assert (out / "figures" / "mine.svg").read_text(encoding="utf-8") == "mine"


def test_a_record_of_the_wrong_type_owns_nothing(tmp_path):
    (tmp_path / "brief.html").write_text("x", encoding="utf-8")
    for content in ("null", "[]", '{"files": null}', '{"files": {"brief.html": 3}}'):
        (tmp_path / EDITION_RECORD).write_text(content, encoding="utf-8")
        assert edition.read_record(tmp_path) == {} and edition.foreign_files(tmp_path) == ["brief.html"]


def test_a_second_build_into_the_same_folder_stops_with_a_message(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    with edition.build_lock(out):
        assert cli.main(["build", "--output-dir", str(out), "--formats", "html"]) == 1
    err = capsys.readouterr().err
    assert f"another build is writing to {out.resolve()}" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == [".build.lock"]


@pytest.mark.build
def test_an_html_build_after_html_and_pdf_leaves_no_stale_pdf(built_brief, tmp_path):
    import shutil

    from brief.engine.build import build

    out = tmp_path / "out"
    shutil.copytree(built_brief, out)
    said = []
    result = build(build_params(output_dir=out, formats="html"), log=said.append)
    assert result.executed == () and result.rendered
    assert (out / "brief.html").exists() and not (out / "brief.pdf").exists()
    assert "Removed brief.pdf of the previous edition: this build made HTML only." in said
    assert edition.read_record(out)["formats"] == ["html"]
    assert not list(out.glob(".staging*"))
