# CommunityOps: `make run` starts everything, `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# The first interpreter that is Python 3.12 or newer (Django 6.1 needs it).
PYTHON := $(shell for candidate in python3.14 python3.13 python3.12 python3; do \
	command -v $$candidate >/dev/null 2>&1 && \
	$$candidate -c 'import sys; raise SystemExit(sys.version_info < (3, 12))' >/dev/null 2>&1 && \
	{ echo $$candidate; break; }; done)

.PHONY: run test bench lint messages soak

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON)" ]; then \
		echo "CommunityOps needs Python 3.12 or newer, and none was found."; \
		echo "Install one (for example: pyenv install 3.12, or apt-get install python3.12 python3.12-venv) and run make again."; \
		exit 1; fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py devstack

test: $(VENV)/.installed
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) -m bench

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# makemessages fills locale/ (the project's strings); compilemessages compiles every catalogue in
# LOCALE_PATHS, including locale_overrides/ (allauth's strings in Sie-Form, edited by hand: README).
messages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale de --no-wrap --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' \
		--ignore 'bench/*' --ignore 'staticfiles/*'
	$(PY) manage.py compilemessages --locale de --ignore '.venv/*'

# An hour of mixed load against gunicorn + qcluster on 127.0.0.1 with the worker SIGKILLed at
# random, then an exact reconciliation (bench/soak.py). Not part of `make test`.
# SOAK_SECONDS=300 make soak for a short run.
soak: $(VENV)/.installed
	$(PY) -m bench.soak
