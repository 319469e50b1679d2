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

# Debian packages the service tests start on 127.0.0.1: Chromium and ChromeDriver (report PDF,
# browser tests), and WordPress with PHP and MariaDB (the WordPress channel's tests).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SYSTEM_PACKAGES := chromium chromium-driver wordpress php-cli php-mysql mariadb-server-core \
	default-jre-headless
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
		|| ! command -v php >/dev/null || [ ! -x /usr/sbin/mariadbd ] || ! command -v java >/dev/null \
		|| [ ! -f /usr/share/wordpress/wp-settings.php ]; then \
		echo "installing Debian packages for the service tests: $(SYSTEM_PACKAGES)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install \
			-y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; \
	fi

# The theme sites' quality tests: the Nu HTML Checker (vnu-jar, run with Java) and axe-core,
# pinned in package-lock.json; npm ci downloads no browser.
# --ignore-scripts: vnu-jar's install script would fetch a Java from GitHub when none is found.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --silent
	@touch $@

test: dev system-deps node_modules/.installed
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
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache node_modules
