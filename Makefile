# firehouse — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXAMPLE_CONFIG := examples/firehouse.yaml

export FIREHOUSE_DATABASE_URL ?= sqlite:///var/firehouse.db

.PHONY: run test lint typecheck format install install-dev bench bench-deps clean screenshots

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "firehouse needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: migrate, load the example organisation, mint an admin token (and a web admin) and serve on :8000
run: $(VENV)/.installed
	@$(BIN)/firehouse db upgrade
	@$(BIN)/firehouse config apply $(EXAMPLE_CONFIG)
	@token=$$($(BIN)/firehouse token create --name "admin-$$(date +%Y%m%d-%H%M%S)" --role admin) && \
	  echo "" && echo "  Admin API token (shown once): $$token" && \
	  echo "  Try: FIREHOUSE_TOKEN=$$token $(BIN)/firehouse incidents"
	@password=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(12))') && \
	  if printf '%s\n' "$$password" | $(BIN)/firehouse user create admin --name "Maya Okafor" \
	       --role admin --person maya --password-stdin >/dev/null 2>&1; then \
	    echo "  Web UI: http://127.0.0.1:8000/ as admin, password (shown once): $$password"; \
	  else \
	    echo "  Web UI: http://127.0.0.1:8000/ as admin (new password: $(BIN)/firehouse user password admin)"; \
	  fi; echo ""
	@exec $(BIN)/firehouse serve --host 127.0.0.1 --port 8000

# The browser tests drive Debian's Chromium. Installed here when missing (root or sudo needed);
# without it they are skipped with a reason, except under CI, where a missing browser fails.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	-@echo "installing Debian's chromium for the browser tests"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo -n"; fi; \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium >/dev/null || \
	  { $$SUDO apt-get update -q >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium >/dev/null; }

## test: lint, type-check, check the import contracts, then run the whole suite
# Two test processes: one per core of a small CI machine (each gets its own databases).
PYTEST_WORKERS ?= 2
test: $(VENV)/.installed-dev $(CHROMIUM) lint typecheck
	$(BIN)/lint-imports
	$(BIN)/pytest -n $(PYTEST_WORKERS)

## screenshots: regenerate docs/screenshots/ from the browser tests (needs /usr/bin/chromium)
screenshots: $(VENV)/.installed-dev $(CHROMIUM)
	FIREHOUSE_SCREENSHOTS=1 $(BIN)/pytest -q -m browser tests/browser

lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

## bench-deps: wrk and nginx for bench/statuspage.py (Debian packages; root or sudo needed).
# Not part of `make test`. Without them the status page benchmark is skipped with a reason.
bench-deps:
	-@command -v wrk >/dev/null && { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null || { \
	  echo "installing Debian's wrk and nginx-light for the status page benchmark"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo -n"; fi; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q wrk nginx-light >/dev/null || \
	    { $$SUDO apt-get update -q >/dev/null && \
	      DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q wrk nginx-light >/dev/null; }; }

bench: $(VENV)/.installed-dev bench-deps
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
