# Agora: `make run` sets everything up and serves the demo; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
TEST_WORKERS ?= 2

.PHONY: run install services db migrate demo serve test test-fast lint clean

run: install services db migrate demo serve

install: $(VENV)/.installed

$(VENV)/.installed: requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	touch $@

services:
	bash scripts/services.sh

db: install
	$(PY) scripts/ensure_database.py

migrate: db
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_demo

# The worker rides out broker outages by itself; should it still exit, it is started again.
serve:
	@echo "Agora on http://$(HOST):$(PORT)/ (Ctrl-C stops the server and the worker)"
	@mkdir -p var; export DEBUG=$${DEBUG:-1}; trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	while :; do \
		$(BIN)/celery -A config worker --beat --schedule=var/celerybeat-schedule --loglevel=warning --concurrency=1; \
		echo "The Celery worker exited (status $$?); starting it again." >&2; sleep 1; \
	done & \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite, as CI runs it (.ci/run). TEST_WORKERS=0 runs it in this one process.
test: install services
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The edit-run loop: all but the browser, Celery-worker and fuzzing tests.
test-fast: install services
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not browser and not workers and not fuzz" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var .pytest_cache

# The database of DATABASE_URL to a pg_dump file (var/backups/agora-<UTC time>.dump unless
# BACKUP_FILE says where), or BACKUP_FILE restored into it. Redis holds nothing to keep.
.PHONY: backup restore
backup: install
	$(PY) scripts/backup.py backup $(if $(BACKUP_FILE),--file "$(BACKUP_FILE)")

restore: db
	$(PY) scripts/backup.py restore $(if $(BACKUP_FILE),--file "$(BACKUP_FILE)")

# Benchmarks in their own database (agora_bench); results in bench/RESULTS.md.
# wrk loads the server for the read-throughput figure; the bench skips it if wrk is missing.
.PHONY: bench bench-quick
INSTALL_WRK := command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

bench: install services
	-@$(INSTALL_WRK)
	$(PY) bench/run.py

bench-quick: install services
	-@$(INSTALL_WRK)
	$(PY) bench/run.py --quick

# The soak with faults (bench/soak.py): its own PostgreSQL cluster (port 5439) and Redis
# (port 6399), never the shared ones; SOAK_SECONDS of load (240); results in bench/SOAK.md.
.PHONY: soak
soak: install
	$(PY) bench/soak.py
