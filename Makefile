# opendeur: `make demo` runs the whole loop, `make test` runs every test. Both create .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONSTRAINTS := requirements/constraints.txt
PIP := $(BIN)/python -m pip install --quiet --constraint $(CONSTRAINTS)

.PHONY: demo test test-fast lint bench lock install dev clean

install: $(VENV)/.installed-app
dev: $(VENV)/.installed-dev

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "opendeur needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-app: $(BIN)/python pyproject.toml $(CONSTRAINTS)
	$(PIP) --editable .
	@touch $@

# The tests cover the optional transformers backend too (torch 2.13.0 is a local CPU wheel).
$(VENV)/.installed-dev: $(VENV)/.installed-app
	$(PIP) --editable '.[dev,transformers]'
	@touch $@

demo: install
	$(BIN)/opendeur demo

test: dev
	$(BIN)/python -m pytest

test-fast: dev
	$(BIN)/python -m pytest -m "not slow and not service"

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: dev
	$(BIN)/python -m benchmarks

lock: dev
	$(BIN)/pip-compile --all-extras --strip-extras --no-header --no-annotate --no-emit-index-url \
		--no-emit-find-links --quiet \
		--output-file $(CONSTRAINTS).new pyproject.toml
	{ sed -n '1,3p' $(CONSTRAINTS); cat $(CONSTRAINTS).new; } > $(CONSTRAINTS).tmp
	mv $(CONSTRAINTS).tmp $(CONSTRAINTS); rm -f $(CONSTRAINTS).new

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
