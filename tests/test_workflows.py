"""Re-running with new data: an article, an event and a casualty year added without touching code."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from brief.data import read_raw, validation_problems
from brief.engine import cli
from brief.engine.build import build
from brief.engine.params import build_params

ARTICLE = (
    "Test article. Civilian casualties and child victims of mines worry humanitarian groups; "
    "the security threat and NATO deterrence worry defence ministries. Civilians, civilians, casualties."
)


def add_article(data_dir, tmp_path):
    path = tmp_path / "new_article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    code = cli.main(["add-source", str(path), "--title", "A new article on mines", "--publisher", "Test Publisher", "--published", "2026-03-05", "--url", "https://example.org/new-article", "--accessed", "2026-03-06", "--data-dir", str(data_dir)])
    assert code == 0
    return "a-new-article-on-mines"


def test_add_source_writes_a_valid_row_and_copies_the_text(data_copy, tmp_path):
    source_id = add_article(data_copy, tmp_path)
    row = read_raw("sources", data_copy).set_index("source_id").loc[source_id]
    assert row["text_file"] == "new_article.txt" and row["accessed"] == "2026-03-06"
    assert (data_copy / "sources" / "new_article.txt").read_text(encoding="utf-8") == ARTICLE
    assert validation_problems(data_copy) == []


def test_add_source_refuses_bad_input_and_changes_nothing(data_copy, tmp_path, capsys):
    before = (data_copy / "sources.csv").read_bytes()
    path = tmp_path / "bad.txt"
    path.write_bytes(b"caf\xe9")
    assert cli.main(["add-source", str(path), "--title", "T", "--publisher", "P", "--published", "2026-01-01", "--url", "https://example.org", "--data-dir", str(data_copy)]) == 1
    good = tmp_path / "good.txt"
    good.write_text("text", encoding="utf-8")
    assert cli.main(["add-source", str(good), "--title", "T", "--publisher", "P", "--published", "2026-13-01", "--url", "https://example.org", "--data-dir", str(data_copy)]) == 1
    assert "column 'published'" in capsys.readouterr().err
    assert (data_copy / "sources.csv").read_bytes() == before
    assert not (data_copy / "sources" / "good.txt").exists()


@pytest.mark.build
def test_new_data_flows_into_the_brief(data_copy, tmp_path, built_brief):
    source_id = add_article(data_copy, tmp_path)
    with (data_copy / "events.csv").open("a", encoding="utf-8") as f:
        f.write(f'EE-99,2026-03-02,day,EE,announcement,"Test event: Estonia announces a review of its mine policy.",{source_id},\n')
    with (data_copy / "casualties.csv").open("a", encoding="utf-8") as f:
        f.write(f"2025,7001,2001,4900,100,88,45,Landmine Monitor 2026,{source_id},test figure\n")
    out = tmp_path / "out"
    build(build_params(data_dir=data_copy, output_dir=out, formats="html"), log=lambda m: None)
    new = BeautifulSoup((out / "brief.html").read_text(encoding="utf-8"), "html.parser")
    old = BeautifulSoup((built_brief / "brief.html").read_text(encoding="utf-8"), "html.parser")
    assert "Test event: Estonia announces a review" in new.select_one("#chronology").get_text()
    assert "Test event" not in old.select_one("#chronology").get_text()
    assert "All five withdrawals are in effect" in new.select_one("#key_findings").get_text()  # a new step does not undo a status
    assert source_id in new.select_one("#fig-framing details").get_text()
    assert "7,001" in new.select_one("#fig-casualties details").get_text() and "2025" in new.select_one("#fig-casualties details").get_text()  # as the brief prints numbers
    assert "7,001 people killed or injured in 2025" in new.select_one("#key_findings").get_text()
    assert new.select_one(f"#ref-{source_id}") is not None and old.select_one(f"#ref-{source_id}") is None


def add(data_dir, text_path, capsys, *extra):
    code = cli.main(["add-source", str(text_path), "--title", "T", "--publisher", "P", "--published", "2026-01-01", "--url", "https://example.org", "--data-dir", str(data_dir), *extra])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("content,message", [(b"", "is empty"), (b" \n\t\n", "is empty"), (b"\x00" * 64, "holds NUL bytes")])
def test_add_source_refuses_an_empty_or_binary_text(data_copy, tmp_path, capsys, content, message):
    before = (data_copy / "sources.csv").read_bytes()
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    code, err = add(data_copy, path, capsys)
    assert code == 1 and f"article.txt {message}" in err and "Nothing was changed." in err and "Traceback" not in err
    assert (data_copy / "sources.csv").read_bytes() == before and not (data_copy / "sources" / "article.txt").exists()


def test_add_source_into_a_folder_that_is_not_a_data_folder(data_copy, tmp_path, capsys):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    import shutil

    shutil.rmtree(data_copy / "sources")
    code, err = add(data_copy, path, capsys)
    assert code == 1 and f"{data_copy} has no sources/ folder" in err
    empty = tmp_path / "empty"
    (empty / "sources").mkdir(parents=True)
    code, err = add(empty, path, capsys)
    assert code == 1 and "sources.csv: file is missing from" in err


@pytest.mark.parametrize("failing", ["shutil.copyfile", "write_atomic"])
def test_add_source_into_a_read_only_folder_says_so_and_changes_nothing(data_copy, tmp_path, capsys, monkeypatch, failing):
    """Simulated: as root (as CI runs) a read-only folder can still be written."""
    from brief.engine import add_source

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(data_copy / "sources.csv"))

    monkeypatch.setattr(add_source.shutil if failing == "shutil.copyfile" else add_source, failing.split(".")[-1], refuse)
    before = (data_copy / "sources.csv").read_bytes()
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    code, err = add(data_copy, path, capsys)
    assert code == 1 and f"cannot write to {data_copy / 'sources.csv'}: Permission denied" in err and "Traceback" not in err
    assert (data_copy / "sources.csv").read_bytes() == before and not (data_copy / "sources" / "article.txt").exists()


def test_a_source_id_from_a_long_title_is_cut_at_a_word():
    from brief.engine.add_source import slug

    title = "Lithuania's parliament votes to leave the Ottawa Convention banning anti-personnel landmines after months of debate"
    assert slug(title) == "lithuanias-parliament-votes-to-leave"
    assert slug("Pneumonoultramicroscopicsilicovolcanoconiosis-and-more-words-here") == "pneumonoultramicroscopicsilicovolcanocon"
    assert slug("Estonia’s exit — a view") == "estonias-exit-a-view"
