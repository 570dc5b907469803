"""Bad input gets a clear error and loses nothing; untrusted text stays text; the PDF fetches nothing (tests/test_typst_pdf.py)."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from bs4 import BeautifulSoup

from brief.engine import cli
from brief.engine.build import NotebookError, build
from brief.engine.params import build_params
from tests.conftest import edit_csv, failure_of_build, kernel_processes

pytestmark = pytest.mark.build


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--as-of", "2025-13-01"], "--as-of '2025-13-01' is not a date"),
        (["--countries", "EE,DE"], "unknown country DE"),
        (["--formats", "epub"], "--formats"),
        (["--output-dir", "/proc/forbidden/out"], "cannot be written"),
    ],
)
def test_bad_parameters_exit_2_with_a_message(argv, message, capsys):
    assert cli.main(["build", *argv]) == 2
    assert message in capsys.readouterr().err


def test_bad_data_exits_1_naming_file_line_and_column(data_copy, tmp_path, capsys):
    edit_csv(data_copy / "events.csv", "EE-03,2025-06-04,day,EE", "EE-03,2025-06-04,day,QQ")
    assert cli.main(["build", "--data-dir", str(data_copy), "--output-dir", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "events.csv, line" in err and "column 'country'" in err and "Nothing was published" in err
    assert not (tmp_path / "o" / "notebooks").exists()


def test_data_that_breaks_the_notebooks_stops_a_cold_build_and_its_kernels_at_once(data_copy, tmp_path):
    """The notebooks start while the data is checked, four of them waiting for two kernels; a date that
    the check rejects also makes the first ones fail, which once left the others waiting for ever."""
    import psutil

    from brief.data import DataError

    edit_csv(data_copy / "events.csv", "EE-03,2025-06-04", "EE-03,2025-06-31")
    error = failure_of_build(build_params(data_dir=data_copy, output_dir=tmp_path / "out"))
    assert isinstance(error, DataError) and "June 2025 has no 31st day" in str(error)
    assert not list((tmp_path / "out").glob("brief.*")) and not (tmp_path / "out" / "failed").exists()
    kernels = kernel_processes()
    assert not psutil.wait_procs(kernels, timeout=5)[1]


def test_failing_notebook_is_reported_and_kept_and_the_last_brief_survives(built_brief, data_copy, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built_brief, out)
    def published():
        """The edition a reader sees (the cache may gain entries for the notebooks that did run)."""
        return {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and p.parts[len(out.parts)] in ("brief.html", "brief.pdf", "figures", "notebooks")}

    before = published()
    # Valid by the contract, but one year of casualties is too few for the year-on-year change.
    lines = (data_copy / "casualties.csv").read_text(encoding="utf-8").splitlines()
    (data_copy / "casualties.csv").write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    with pytest.raises(NotebookError) as info:
        build(build_params(data_dir=data_copy, output_dir=out, formats="html"), log=lambda m: None)
    error = info.value
    assert error.notebook == "04_humanitarian.ipynb" and error.cell is not None and "IndexError" in error.error
    assert error.kept_copy.exists() and error.kept_copy.parent == out.resolve() / "failed"
    cells = nbformat.read(error.kept_copy, as_version=4).cells  # partly executed: what ran, and the error where it stopped
    assert any(o.get("ename") == "IndexError" for o in cells[error.cell - 1].outputs)
    assert any(c.outputs for c in cells[: error.cell - 1] if c.cell_type == "code")
    assert all(not c.get("outputs") for c in cells[error.cell :])
    assert published() == before
    assert not (out / ".staging").exists()


def test_html_in_data_is_shown_as_text(data_copy, tmp_path):
    edit_csv(data_copy / "events.csv", "The Riigikogu passed the withdrawal law", "<script>alert(1)</script><img src=x onerror=alert(2)> The Riigikogu passed the withdrawal law")
    edit_csv(data_copy / "sources.csv", "Mine Ban Treaty (text)", "Mine Ban Treaty <script>alert(3)</script> (text)")
    out = tmp_path / "out"
    build(build_params(data_dir=data_copy, output_dir=out, formats="html,pdf"), log=lambda m: None)
    html = (out / "brief.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all("script") and not soup.select("img[onerror]")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;script&gt;alert(3)&lt;/script&gt;" in html


def test_javascript_and_file_urls_in_sources_are_refused(data_copy):
    from brief.data import validation_problems

    edit_csv(data_copy / "sources.csv", "http://www.armscontrol.org/treaties/mineban", "javascript:alert(1)")
    edit_csv(data_copy / "sources.csv", "https://icblcmc.org/our-impact/mine-ban-treaty-text", "file:///etc/passwd")
    problems = [str(p) for p in validation_problems(data_copy)]
    assert sum("column 'url'" in p and "must be an http(s) URL" in p for p in problems) == 2
