# Dealwatch: `make run` to try it, `make test` for the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test faults install migrate demo samples lint format check clean screenshot bench fuzz bench-ingest bench-digests bench-soak

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

# The real samples the project ships (EC mergers, DMA, antitrust, CMA, FTC, ACCC), ingested
# after the demo deals; a second run finds them unchanged (demo/samples.py).
samples: demo
	$(BIN)/python manage.py load_samples

# Links in the emails printed to the console point at this server. No Celery beat runs here, so
# /stats/ counts per request (STATS_EVERY_MINUTES=0) instead of reading rows beat would rebuild.
run: samples
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} STATS_EVERY_MINUTES=$${STATS_EVERY_MINUTES:-0} \
		$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The suite on every core (pytest-xdist): each worker has its own test database and cache keys.
# The API fuzz test first, in one process: its items (one per API operation) share one test id,
# which pytest-xdist cannot tell apart (it would run one of them).
TEST_WORKERS ?= auto
test: install
	$(BIN)/pytest -n 0 -m fuzz
	$(BIN)/pytest -n $(TEST_WORKERS) -m 'not fuzz'

# The fault tests alone, each line of what they survived printed (they also run in `make test`).
faults: install
	$(BIN)/pytest -n 0 -m fault -s

# Schemathesis fuzzes the API from its own OpenAPI schema, harder than `make test` does.
FUZZ_EXAMPLES ?= 200
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -m fuzz

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY=check-only-$$(date +%s)-not-a-real-key-0123456789abcdefghijklmnop ALLOWED_HOSTS=example.org \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

# Benchmarks (README, Benchmarks): PostgreSQL database dealwatch_bench, seeded once; wrk for pages.
bench: install
	$(BIN)/python bench/run.py

# Ingest twice on a copy: the EC antitrust dump, then a generated 10,000-case EC merger dump
# (bench/merger_dump.py). BENCH_INGEST=mergers (or antitrust) runs one; BENCH_MERGER_CASES=N.
bench-ingest: install
	$(BIN)/python bench/ingest.py

bench-digests: install
	$(BIN)/python bench/digests.py

# Five minutes (SOAK_SECONDS) of mixed public traffic on gunicorn, PostgreSQL and Redis, with an
# ingest halfway: errors, p50/p99 and worker memory (bench/soak.py; dealwatch_soak database).
bench-soak: install
	$(BIN)/python bench/soak.py
