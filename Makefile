# The curriculum's two commands (see README.md):
#   make lab    set everything up, then open the curriculum in JupyterLab at the index
#   make test   set everything up, then run every test (lint, unit tests, notebooks)
# Everything is installed into a local virtual environment, .venv/, from pyproject.toml.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(wildcard notebooks/[0-9]*.ipynb)
PYTEST_NB := --nbval-lax --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg
LAB_ARGS ?=
# Jupyter refuses to start as root (containers, CI) unless told it is intended.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: help setup lab test lint unit nbval nav execute stale student html bench clean

help:
	@echo "make lab      set up and open JupyterLab at notebooks/00.00-Index.ipynb"
	@echo "make test     set up and run every test (ruff, pytest, nbval over all notebooks)"
	@echo "make student  write student versions of the notebooks to build/student/"
	@echo "make html     export the notebooks to offline HTML in build/html/"
	@echo "make nav      regenerate notebook headers, navigation and the index"
	@echo "make execute  re-run every notebook top to bottom and store its outputs"
	@echo "make bench    benchmarks: optimizers vs Keras (bench/RESULTS.md), tuning vs Optuna,"
	@echo "              scikit-optimize and random search (bench/TUNING.md); installs .[bench]"

# The environment: rebuilt when pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/00.00-Index.ipynb $(ROOT_FLAG) $(LAB_ARGS)

# One pytest run: unit tests, the notebook-structure and student tests, and nbval over
# every notebook; the slowest notebooks are listed at the end (see conftest.py).
test: $(STAMP) lint
	$(BIN)/python -m pytest tests notebooks $(PYTEST_NB) -q

lint: $(STAMP)
	$(BIN)/ruff check surveykit tests tools notebooks conftest.py

unit: $(STAMP)
	$(BIN)/python -m pytest tests -q

nbval: $(STAMP)
	$(BIN)/python -m pytest notebooks $(PYTEST_NB) -q

nav: $(STAMP)
	$(BIN)/python tools/nbtools.py nav

execute: $(STAMP)
	$(BIN)/python tools/nbtools.py execute $(NB)

stale: $(STAMP)
	$(BIN)/python tools/nbtools.py stale

student: $(STAMP)
	$(BIN)/python tools/nbtools.py student --out build/student

html: $(STAMP)
	$(BIN)/python tools/nbtools.py html --out build/html

# Performance is measured here, never by timed assertions in tests.
# The tuning benchmark's peers (scikit-optimize, greenlet) are installed here rather than
# by `make setup`; Optuna's GPSampler also needs a CPU PyTorch (see bench/README.md).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/optimizers.py --out bench/RESULTS.md
	$(BIN)/python bench/tuning.py --out bench/TUNING.md

clean:
	rm -rf build .pytest_cache .ruff_cache
