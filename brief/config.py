"""Every path the project uses, derived from the package location (nobody joins path strings by hand)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = PROJECT_ROOT / "brief"
DATA_DIR = PROJECT_ROOT / "data"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
MANIFEST_FILE = NOTEBOOKS_DIR / "manifest.toml"
FIGURES_DIR = PROJECT_ROOT / "figures"
OUTPUT_DIR = PROJECT_ROOT / "output"
TEMPLATES_DIR = PACKAGE_DIR / "engine" / "templates"
REQUIREMENTS_FILE = PROJECT_ROOT / "requirements.txt"
DATA_README = DATA_DIR / "README.md"

# Where each section records its facts for the key findings and the outlook. A build publishes
# them here (beside the brief), so the summary notebooks also run on their own in JupyterLab.
RESULTS_DIRNAME = "results"

# What a build keeps in an output folder besides the edition: its cache, copies of failed notebooks,
# the record of what it wrote (brief/engine/edition.py), the lock that keeps a second build out, and
# the staging folders it builds in.
CACHE_DIRNAME = ".cache"
KEPT_DIRNAME = "kernels"  # in the cache: the records of the kernels a build kept for the next (brief.engine.kernels.Kept)
FAILED_DIRNAME = "failed"
EDITION_RECORD = ".edition.json"
BUILD_LOCK = ".build.lock"
STAGING_PREFIX = ".staging"

# The name of the Jupyter kernel papermill starts; the Makefile installs it into .venv.
KERNEL_NAME = "python3"

# Default "as of" date of the brief: the edition date. Parameter cells repeat it as a literal
# (papermill reads literals only); tests/test_notebooks.py checks that they agree.
DEFAULT_AS_OF = "2026-11-22"


def figures_dir_for(output_dir: Path) -> Path:
    """Charts land in the project's figures/ for the default output, beside the brief otherwise."""
    output_dir = Path(output_dir).resolve()
    return FIGURES_DIR if output_dir == OUTPUT_DIR.resolve() else output_dir / "figures"


def results_dir_for(output_dir: Path) -> Path:
    return Path(output_dir) / RESULTS_DIRNAME


# The publication: named once, used by the title block of both editions and by the key-findings
# notebook's "How to cite". The licence is the project owners' choice (see the README).
TITLE = "Leaving the Mine Ban Treaty"
SUBTITLE = (
    "The 2025–26 withdrawals of Estonia, Latvia, Lithuania, Finland and Poland from the "
    "Ottawa Convention, and Ukraine's contested attempt"
)
SERIES = "Policy brief"
AUTHOR = "Ottawa Convention withdrawals brief project"
LICENCE = "CC BY 4.0 for the text and charts; quotations and source data remain under their owners' terms"

# A kernel whose environment sets this to "1" draws each chart once, as the SVG of the page: no PNG
# copy (for the Word edition and readers' own use) and no phone layout, two thirds of a chart's
# drawing time (brief.figures.save). The live preview does so; a build never does.
DRAFT_ENV = "BRIEF_DRAFT_CHARTS"
# A kernel whose environment names a folder here keeps each chart it draws there, by what drew it
# (the chart function and its arguments), and draws a chart whose function and arguments it has
# seen before from that folder, not again (brief.figures.memoized). The build names a folder per
# version of the package's code, in its cache, and `--force` empties it first.
CHART_MEMO_ENV = "BRIEF_CHART_MEMO"
# Seconds that a build's kernels stay up, idle, for the next build into the same output folder
# (brief.engine.kernels.Kept); "0" keeps none. The test suite sets 0.
KEEP_KERNELS_ENV = "BRIEF_KEEP_KERNELS"
KEEP_KERNELS_SECONDS = 600
# The niceness of the work a build does beside its notebooks (checking the data, warming up the
# renderer) when it has more notebooks to run than kernels: that work may wait, the notebooks may not
# (brief.engine.build._background_niceness).
BACKGROUND_NICENESS = 10
