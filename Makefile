# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test lint install install-test

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.run-deps: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements.txt requirements-test.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

install: $(VENV)/.run-deps

install-test: $(VENV)/.test-deps

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/  (staff: http://127.0.0.1:$(PORT)/admin/)"
	@# Routing, e-mail and the other background work run in a task worker that stops
	@# with the server.
	@$(PY) manage.py run_worker --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install-test
	$(PY) -m pytest

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

# Benchmarks (not part of `make test`): `make bench`, `make bench SCALE=1000000`.
# PostgreSQL when DATABASE_URL points at a server (database clinic_bench_<SCALE> there),
# a SQLite file under /tmp otherwise. `make loadtest` needs PostgreSQL.
SCALE ?= 100000
DURATION ?= 10
BENCH_ARGS ?=

.PHONY: bench loadtest install-bench

$(VENV)/.bench-deps: requirements.txt bench/requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r bench/requirements.txt
	touch $@

install-bench: $(VENV)/.bench-deps
	@command -v wrk >/dev/null || { echo "Installing wrk..."; \
		if [ "$$(id -u)" = 0 ]; then apt-get install -y -q wrk; \
		else sudo apt-get install -y -q wrk; fi; }

bench: install-bench
	$(PY) -m bench.run --scale=$(SCALE) --seconds=$(DURATION) $(BENCH_ARGS)

loadtest: install-bench
	$(PY) -m bench.loadtest $(if $(FAULTS),--faults)
