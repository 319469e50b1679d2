# opendeur: `make demo` runs the whole loop, `make test` runs every test. Both create .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONSTRAINTS := requirements/constraints.txt
PIP := $(BIN)/python -m pip install --quiet --constraint $(CONSTRAINTS)

.PHONY: demo test test-fast lint bench lock install dev clean system-deps

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

# Debian's Chromium and ChromeDriver: the report's browser tests and `report weekly --pdf`.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		echo "installing Debian's chromium and chromium-driver (report PDF and browser tests)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install \
			-y -qq --no-install-recommends chromium chromium-driver >/dev/null; \
	fi

test: dev system-deps
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
