# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test worker check-python system-deps system-deps-test clean

# Debian packages: WeasyPrint's libraries for the PDFs; the tests add Chromium
# (browser tests) and a font. scripts/system-deps installs them as root, or
# stops and prints the apt-get command to run.
PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
TEST_DEBS := $(PDF_DEBS) chromium

system-deps:
	@bash scripts/system-deps $(PDF_DEBS)

system-deps-test:
	@bash scripts/system-deps $(TEST_DEBS)

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "BKB needs Python 3.12 or newer (Django 6.1); '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "With pyenv, the .python-version file picks 3.12; or run: make PYTHON=python3.12 ..."; exit 1; }

$(VENV)/.installed-run: requirements.txt | check-python
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed-run
	$(PIP) install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed-run system-deps
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo
	DEBUG=true $(PY) manage.py figures_nightly --schedule
	@echo "Serving on http://127.0.0.1:8000 with a background task worker beside it (Ctrl-C stops both)"
	@DEBUG=true $(PY) manage.py db_worker --interval 1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

worker: $(VENV)/.installed-run
	$(PY) manage.py figures_nightly --schedule
	$(PY) manage.py db_worker

test: $(VENV)/.installed-dev system-deps-test
	$(VENV)/bin/ruff check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n auto

clean:
	rm -rf $(VENV) $(BENCH_VENV) db.sqlite3 staticfiles

# Measured at kabupaten scale (issues #5, #11): PostgreSQL on loopback, seeded once by
# seed_scale and reused; writes bench/results.md. DATABASE_URL overrides the target DB.
# gunicorn goes into the app's venv (it serves the app); locust into .venv-bench, apart.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bkb_bench
BENCH_VENV := .venv-bench

$(VENV)/.installed-bench: requirements-bench.txt $(VENV)/.installed-run
	$(PIP) install -q -r requirements-bench.txt
	touch $@

$(BENCH_VENV)/.installed: requirements-locust.txt | check-python
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q -r requirements-locust.txt
	touch $@

.PHONY: bench
bench: $(VENV)/.installed-bench $(BENCH_VENV)/.installed system-deps
	bash .ci/postgres bkb_bench
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} $(PY) -u bench/run.py $(BENCH_ARGS)
