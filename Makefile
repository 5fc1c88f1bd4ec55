# Storefront Analytics — the README names `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8050
DEMO_ORDERS ?= 50000

.PHONY: run test lint bench screenshots serve load torture clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall whenever a requirements file changes.
$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

# The scheduler (refresher every second, nightly job) runs inside this one process.
run: $(VENV)/.runtime-installed
	$(BIN)/flask db upgrade
	$(BIN)/flask demo init --orders $(DEMO_ORDERS)
	SCHEDULER_ENABLED=1 $(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest

# Every budget on the SIZE shop (100k, 1m, 3m), then the growth table over all three sizes.
# Each shop is generated once under bench/data/; BENCH_DATABASE_URL adds PostgreSQL figures.
SIZE ?= 1m
bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench --size $(SIZE)
	$(BIN)/python -m bench --growth

# Production server: gunicorn with gunicorn.conf.py (needs DATABASE_URL and SECRET_KEY set).
serve: $(VENV)/.runtime-installed
	$(BIN)/flask db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

$(VENV)/.load-installed: requirements-load.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-load.txt
	touch $@

# 60 s of mixed load against gunicorn (2 workers) on the bench data; LOAD_DATABASE_URL for PostgreSQL.
load: $(VENV)/.load-installed
	bash load/run.sh

# The write-path torture test at full size (SQLite; TORTURE_DATABASE_URL for PostgreSQL).
torture: $(VENV)/.dev-installed
	$(BIN)/python -m load.torture $(if $(TORTURE_DATABASE_URL),--database-url $(TORTURE_DATABASE_URL))

screenshots: $(VENV)/.dev-installed
	SCREENSHOT_DIR=docs/screenshots $(BIN)/pytest tests/integration/test_browser.py -k "(every_page or phone) and sqlite"
	SCREENSHOT_DIR=docs/screenshots $(BIN)/pytest tests/integration/test_insights_browser.py -k sqlite
	# After the walk above (whose demo shop has no lines): products.png on a shop with lines.
	SCREENSHOT_DIR=docs/screenshots $(BIN)/pytest tests/integration/test_products_browser.py -k sqlite

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
