# Tongxin — the README's commands. `make run` serves the demo; `make test` runs every check.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Django 6.1 needs Python 3.12 or newer: take python3.13 or python3.12 (pyenv's too), never 3.11.
PY_CANDIDATES := python3.13 python3.12 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) \
	$(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) python3
PYTHON_SYSTEM ?= $(shell for p in $(PY_CANDIDATES); do \
	if $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	command -v $$p || echo $$p; break; fi; done)

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Commands that need no secret (translations, migration checks) run in development mode.
DEV_MANAGE := DJANGO_DEBUG=1 $(MANAGE)
STAMP := $(VENV)/.installed
VENDOR := static/vendor
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)
APT_PACKAGES_PDF := fonts-noto-cjk libharfbuzz-subset0 fontconfig gettext
APT_PACKAGES_TEST := chromium

.PHONY: help run test bench load lint typecheck format messages makemessages lock system system-test \
	assets venv migrate demo worker clean guide

help:
	@echo "make run    set up everything, load demo data and serve http://127.0.0.1:8000"
	@echo "make test   ruff, mypy, makemigrations --check and the whole test suite (in parallel)"
	@echo "make bench  benchmarks (not part of make test)"
	@echo "make load   a counsellor's day under load (docs/scaling.md; LOAD_ARGS=...)"
	@echo "make guide  run the browser journeys and rewrite the guide's screenshots (docs/guide/img)"

# Two hashed locks: what production runs, and what development and CI add to it.
LOCKS := requirements.lock requirements-dev.lock

$(STAMP): $(LOCKS) pyproject.toml
	@if [ -z "$(PYTHON_SYSTEM)" ]; then \
	  echo "Tongxin needs Python 3.12 or newer (Django 6.1)."; \
	  echo "Install python3.12 or python3.13 (Debian/Ubuntu: apt-get install python3.12-venv)"; \
	  exit 1; fi
	@test -x $(PY) || $(PYTHON_SYSTEM) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes \
		-r requirements.lock -r requirements-dev.lock
	@touch $@

venv: $(STAMP)

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/htmx
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* $(VENDOR)/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	@touch $@

assets: $(VENDOR)/.installed

# System packages the PDF reports need (a CJK font with bold, fast font subsetting) and gettext.
system:
	@missing=""; for p in $(APT_PACKAGES_PDF); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then \
	    echo "Installing:$$missing"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "PDF reports need these system packages, which are missing:$$missing"; \
	    echo "Install them with: sudo apt-get install$$missing"; \
	  fi; fi

system-test: system
	@if ! command -v chromium >/dev/null; then \
	  if command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then \
	    echo "Installing chromium for the browser tests"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES_TEST) >/dev/null; \
	  else echo "Browser tests need Chromium: sudo apt-get install chromium"; fi; fi

# A development environment file: DEBUG on, a random secret and a development key ring.
var/.env: | $(STAMP)
	@mkdir -p var
	@{ echo "# Development only: written by make run. Never use in production."; \
	   echo "DJANGO_DEBUG=1"; \
	   echo "DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')"; \
	   echo "TONGXIN_KEY_FILE=$(CURDIR)/var/keys.dev.json"; } > $@
	@chmod 600 $@

var/keys.dev.json: | var/.env
	$(MANAGE) keys generate --development --output $@

messages: $(STAMP)
	$(DEV_MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

makemessages: $(STAMP)
	$(DEV_MANAGE) makemessages -l zh_Hans --no-location --ignore=.venv --ignore=node_modules \
		--ignore=var --ignore=tests --ignore=bench --ignore=static/vendor

migrate: $(STAMP) var/.env
	@mkdir -p var
	$(MANAGE) migrate --no-input -v 0

demo: migrate var/keys.dev.json
	$(MANAGE) keys add --file var/keys.dev.json --if-needed
	$(MANAGE) seed_demo

run: $(STAMP) assets system messages var/.env var/keys.dev.json demo
	$(MANAGE) check
	@echo
	@echo "Tongxin is at http://127.0.0.1:8000  (stop with Ctrl-C)"
	@echo "Demo accounts, all with the password tongxin-demo-2026, then a code (keys in README):"
	@echo "  counselor_xlt   counsellor at 兴隆台区婚姻登记处"
	@echo "  counselor_ps    counsellor at 盘山县婚姻登记处"
	@echo "  supervisor_dw   supervisor of 大洼区婚姻登记处"
	@echo "  minzheng        civil-affairs administrator (民政局)"
	@echo "  fulian          women's-federation administrator (妇联)"
	@echo "  sysadmin        system administrator (accounts, calendar)"
	@echo "  secadmin        security administrator (roles, offices, second factors)"
	@echo "  auditadmin      audit administrator (the audit trail)"
	@echo "The current code of an account: $(MANAGE) totp_code USERNAME"
	@echo
	@trap 'kill 0' EXIT INT TERM; \
	  $(MANAGE) db_worker --queue-name '*' >var/worker.log 2>&1 & \
	  $(MANAGE) runserver 127.0.0.1:8000

worker: $(STAMP) var/.env
	$(MANAGE) db_worker --queue-name '*'

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: $(STAMP)
	DJANGO_DEBUG=1 $(VENV)/bin/mypy

# The suite runs on every core (pytest-xdist); tests that share an expensive set-up (the 2021
# pilot) stay in one worker (tests/conftest.py, WORKER_GROUPS). PYTEST_XDIST= runs serially.
PYTEST_XDIST ?= -n auto --dist loadgroup

test: $(STAMP) assets system-test messages lint typecheck
	@mkdir -p var
	DJANGO_DEBUG=1 $(MANAGE) makemigrations --check --dry-run
	@start=$$EPOCHREALTIME; \
	DJANGO_DEBUG=1 $(VENV)/bin/pytest $(PYTEST_XDIST) $(PYTEST_ARGS); status=$$?; \
	awk -v s="$$start" -v e="$$EPOCHREALTIME" \
		'BEGIN { printf "Test suite wall time: %.1f s\n", e - s }'; \
	exit $$status

# The illustrated guide (docs/guide/) shows the screens the browser journeys save: run them all
# in one browser with TONGXIN_SCREENSHOTS pointing at the guide's pictures (stale ones removed).
GUIDE_IMG := docs/guide/img

guide: $(STAMP) assets system-test messages
	rm -rf $(GUIDE_IMG)
	@start=$$EPOCHREALTIME; \
	TONGXIN_SCREENSHOTS=$(CURDIR)/$(GUIDE_IMG) DJANGO_DEBUG=1 $(VENV)/bin/pytest -q -p no:xdist \
		tests/browser; status=$$?; \
	awk -v s="$$start" -v e="$$EPOCHREALTIME" \
		'BEGIN { printf "Browser journeys wall time: %.1f s\n", e - s }'; \
	exit $$status
	@echo "Screenshots in $(GUIDE_IMG): $$(find $(GUIDE_IMG) -name '*.png' | wc -l)"

bench: $(STAMP) assets system messages
	DJANGO_DEBUG=1 $(PY) -m bench $(BENCH_ARGS)

# Against the generated database named by DATABASE_URL and its TONGXIN_KEY_FILE.
load: $(STAMP) messages
	$(PY) -m bench load $(LOAD_ARGS)

# Pins stay as they are unless UPGRADE=1 (pip-compile keeps the pins of an existing lock). The
# dev lock is constrained by the production lock, so both agree on every shared package.
PIP_COMPILE := $(VENV)/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)

lock: $(STAMP)
	$(PIP_COMPILE) -o requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev -c requirements.lock -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
