"""The house rules of the package: sections never import each other, and their words live in the notebooks."""

from __future__ import annotations

import ast

import pytest

from brief.config import NOTEBOOKS_DIR, PACKAGE_DIR
from brief.engine.manifest import load_manifest

SECTION_FILES = sorted((PACKAGE_DIR / "sections").glob("[!_]*.py"))


def imports_of(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_one_section_one_id_one_notebook_one_module():
    for section in load_manifest():
        assert section.notebook == f"{section.notebook[:2]}_{section.id}.ipynb"
        assert (PACKAGE_DIR / "sections" / f"{section.id}.py").is_file()
        assert (NOTEBOOKS_DIR / section.notebook).is_file()
    assert {p.stem for p in SECTION_FILES} == {s.id for s in load_manifest()}


@pytest.mark.parametrize("path", SECTION_FILES, ids=lambda p: p.stem)
def test_sections_do_not_import_each_other_or_the_engine(path):
    for name in imports_of(path):
        assert not name.startswith("brief.sections"), f"{path.name} imports {name}: move what they share down a layer"
        assert not name.startswith("brief.engine"), f"{path.name} imports {name}: sections compute, the engine builds"


@pytest.mark.parametrize("path", SECTION_FILES, ids=lambda p: p.stem)
def test_sections_print_no_sentences(path):
    """Running text is written in the notebook (brief.prose); a section module returns facts, tables and charts."""
    source = path.read_text(encoding="utf-8")
    for call in ("say(", "bullets(", "<p>", "<p class", "<li>"):
        assert call not in source, f"{path.name} writes prose ({call!r}); write the sentence in its notebook"


def test_what_a_kernel_preloads_does_not_import_the_validator():
    """Validation runs once, in the build, before any kernel; a kernel that imported pandera would pay 0.3 s for nothing."""
    import subprocess
    import sys

    from brief.engine.kernels import PRELOAD_MODULES

    probe = f"import sys\nfor m in {PRELOAD_MODULES!r}: __import__(m)\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'pandera'))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_the_command_line_runs_notebooks_without_building_the_iri_grammar():
    """`python -m brief` keeps jsonschema from importing rfc3987_syntax (2 s of grammar building per
    build); notebooks still run and validate as nbformat documents."""
    import subprocess
    import sys

    probe = (
        "import sys\nfrom brief.engine import cli\ncli.skip_slow_imports()\n"
        "import nbformat, papermill, jsonschema\n"
        "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')]))\n"
        "print(sys.modules.get('rfc3987_syntax'), 'iri' in jsonschema.FormatChecker().checkers)"
    )
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split() == ["None", "False"]
