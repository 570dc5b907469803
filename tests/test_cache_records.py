"""Cache records that do not hold what the build expects are a miss, never a crash."""

from __future__ import annotations

import json

import pytest

from brief.engine.cache import Cache
from brief.engine.manifest import Section

SECTION = Section("chronology", "Chronology", "01_chronology.ipynb")
NOT_AN_OBJECT = ["[]", "null", "3", '"text"', "{not json"]
WRONG = [*NOT_AN_OBJECT, '{"files": null}', '{"files": []}', '{"files": {"notebook.ipynb": null}}', "{}"]


@pytest.mark.parametrize("content", NOT_AN_OBJECT)
def test_a_record_of_the_wrong_type_reads_as_empty(tmp_path, content):
    cache = Cache(tmp_path)
    for name in ("validated", "render"):
        (tmp_path / f"{name}.json").write_text(content, encoding="utf-8")
        assert cache.read_record(name) == {}


@pytest.mark.parametrize("content", WRONG)
def test_an_entry_whose_manifest_is_of_the_wrong_type_is_a_miss_and_removed(tmp_path, content):
    cache = Cache(tmp_path)
    folder = cache.entry_folder(SECTION, "k")
    folder.mkdir(parents=True)
    (folder / "notebook.ipynb").write_text("{}", encoding="utf-8")
    (folder / "entry.json").write_text(content, encoding="utf-8")
    assert cache.lookup(SECTION, "k") is None
    assert not folder.exists()


def test_an_intact_entry_is_found(tmp_path):
    cache = Cache(tmp_path)
    (tmp_path / "nb.ipynb").write_text("{}", encoding="utf-8")
    cache.store(SECTION, "k", tmp_path / "nb.ipynb", None, tmp_path / "no-figures")
    assert cache.lookup(SECTION, "k") is not None
    assert json.loads((cache.entry_folder(SECTION, "k") / "entry.json").read_text(encoding="utf-8"))["files"]


def test_a_counted_file_is_keyed_by_its_rows_as_the_data_reads_them(tmp_path):
    """row_count changes exactly when brief.data.read_lines would find another number of rows."""
    from brief.data import read_lines
    from brief.engine.cache import row_count

    path = tmp_path / "t.csv"

    def both(text: str) -> tuple[str, int]:
        path.write_text(text, encoding="utf-8")
        return row_count(path), len(read_lines(path, "t.csv")[0])

    base = both('a,b\n1,"x"\n2,y\n')
    assert base == ("2 rows", 2)
    assert both('a,b\n1,"x"\n2,z\n') == base  # a value edited
    assert both('a,b\n\n1,"two\nlines"\n\n2,y\n') == base  # blank lines, a field over two lines
    assert both('a,b\n1,"x"\n2,y\n3,w\n') == ("3 rows", 3)
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a.txt").write_text("one")
    before = row_count(folder)
    (folder / "a.txt").write_text("edited")
    assert row_count(folder) == before
    (folder / "b.txt").write_text("two")
    assert row_count(folder) != before
    (path).write_bytes(b"a,b\n\xff,1\n")  # not UTF-8: keyed by its content, and validation says why
    assert row_count(path) != row_count(tmp_path / "missing.csv") and "rows" not in row_count(path)
