# The brief's commands. `make` alone lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
BUILD_ARGS ?=
PORT ?= 8000
PREVIEW_ARGS ?=

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml Makefile
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (brief)" >/dev/null
	@git rev-parse --git-dir >/dev/null 2>&1 && $(VENV)/bin/nbstripout --install --attributes .gitattributes \
		&& git config filter.nbstripout.extrakeys "metadata.language_info" || true
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the pinned requirements (done by the others when needed)

brief: $(STAMP) ## validate the data, run the notebooks and write output/brief.html and output/brief.pdf
	$(PY) -m brief build $(BUILD_ARGS)

preview: $(STAMP) ## serve the HTML brief at http://127.0.0.1:8000/ and rebuild it on every save (PORT=N to change; Ctrl-C stops it)
	$(PY) -m brief preview --port $(PORT) $(PREVIEW_ARGS)

validate: $(STAMP) ## check data/ against the data contract
	$(PY) -m brief validate

test: $(STAMP) ## run the linter and the whole test suite (about 10 minutes)
	$(VENV)/bin/ruff check brief tests benchmarks
	$(PY) -m pytest

test-quick: $(STAMP) ## the fast tests only: no notebook runs, builds or browser (about 15 s)
	$(VENV)/bin/ruff check brief tests benchmarks
	$(PY) -m pytest -m "not build"

lab: $(STAMP) ## open JupyterLab on notebooks/
	$(VENV)/bin/jupyter lab notebooks/

clean: ## remove executed notebooks, recorded results and the build cache, which ends kept kernels (keeps the published brief)
	rm -rf output/notebooks output/.staging* output/failed output/results output/.cache

.PHONY: help venv brief preview validate test test-quick lab clean
