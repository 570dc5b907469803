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
