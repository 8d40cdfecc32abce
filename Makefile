# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test lint install install-test messages messages-check system-packages

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
	$(PY) manage.py load_demo_outcomes
	@echo "Serving on http://127.0.0.1:$(PORT)/  (staff: http://127.0.0.1:$(PORT)/admin/)"
	@# Routing, e-mail and the other background work run in a task worker that stops
	@# with the server.
	@$(PY) manage.py run_worker --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The suite runs in one process per core (pytest-xdist): first everything but the
# browser tests, then those, each with its own timing.
TEST_WORKERS ?= auto

test: install-test system-packages
	$(PY) -m pytest -n $(TEST_WORKERS) -m "not browser"
	$(PY) -m pytest -n $(TEST_WORKERS) -m browser

# What the suite needs from Debian: Chromium's headless shell for the browser tests,
# Pango and a font for the PDF letters, gettext for the translations check. Installed
# when run as root (as CI is); otherwise the browser tests are skipped and the test
# run says so at its end.
SYSTEM_PACKAGES := chromium-headless-shell fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 gettext

system-packages:
	@missing=$$(for package in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" \
		|| echo $$package; done); \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ]; then \
		echo "Installing $$missing for the tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq $$missing >/dev/null; \
	elif [ -n "$$missing" ]; then \
		echo "Not root: not installing $$missing (tests that need them will not run)."; \
	fi

# ruff, ruff format, django-upgrade and djlint (.pre-commit-config.yaml), then the
# migrations check; the translations check first. The formatters fix what they find;
# the run then fails.
lint: install-test messages-check
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure
	$(PY) manage.py makemigrations --check --dry-run

# Translations: the compiled .mo is committed beside each .po, so `make run` needs no
# gettext tools. `make messages` compiles them (Debian's gettext); `messages-check`
# fails when a .mo is missing or says other than its .po.
messages: install
	$(PY) manage.py compilemessages --ignore=$(VENV)

messages-check:
	@status=0; for po in locale/*/LC_MESSAGES/*.po; do \
		mo="$${po%.po}.mo"; tmp="$$(mktemp -d)"; \
		msgfmt --check -o "$$tmp/po.mo" "$$po" && msgunfmt "$$tmp/po.mo" > "$$tmp/po.txt" || status=1; \
		if [ -f "$$mo" ] && msgunfmt "$$mo" > "$$tmp/mo.txt" && cmp -s "$$tmp/po.txt" "$$tmp/mo.txt"; then \
			echo "$$mo matches $$po"; \
		else \
			echo "$$mo does not match $$po: run 'make messages' and commit the .mo"; status=1; \
		fi; \
		rm -r "$$tmp"; \
	done; exit $$status

# Benchmarks (not part of `make test`): `make bench`, `make bench SCALE=1000000`.
# PostgreSQL when DATABASE_URL points at a server (database clinic_bench_<SCALE> there),
# a SQLite file under /tmp otherwise. `make loadtest` needs PostgreSQL.
SCALE ?= 100000
DURATION ?= 10
BENCH_ARGS ?=

.PHONY: bench loadtest cluster install-bench

$(VENV)/.bench-deps: requirements.txt bench/requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r bench/requirements.txt
	touch $@

BENCH_PACKAGES := wrk haproxy

install-bench: $(VENV)/.bench-deps
	@missing=$$(for package in $(BENCH_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" \
		|| echo $$package; done); \
	if [ -n "$$missing" ]; then echo "Installing $$missing..."; \
		if [ "$$(id -u)" = 0 ]; then apt-get install -y -q $$missing; \
		else sudo apt-get install -y -q $$missing; fi; fi

bench: install-bench
	$(PY) -m bench.run --scale=$(SCALE) --seconds=$(DURATION) $(BENCH_ARGS)

# `make cluster NODES=3`: HAProxy on 127.0.0.1:8080 in front of N gunicorn nodes, each
# with its task worker, on a fresh PostgreSQL database clinic_cluster (DATABASE_URL's
# server, default the local one); Ctrl-C stops it all.
NODES ?= 3

cluster: install-bench
	$(PY) -m bench.cluster --nodes=$(NODES)

loadtest: install-bench
	$(PY) -m bench.loadtest --nodes=$(NODES) $(if $(FAULTS),--faults) \
		$(if $(KILL_NODE),--kill-node=$(KILL_NODE))
