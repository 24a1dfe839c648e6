# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Local runs keep the Dagster instance in SQLite under var/ (no dagster.yaml there); the
# top-level dagster.yaml is the production instance on PostgreSQL.
export DAGSTER_HOME ?= $(CURDIR)/var/dagster_home
export PDPB_LANDING_DIR ?= $(CURDIR)/var/landing

DEMO_START  := 2026-01
DEMO_END    := 2026-02
# Kota Serang (a city) and Kabupaten Bogor (the largest regency), at demo size.
DEMO_CITY   := 36.73
DEMO_REGENCY := 32.01

.PHONY: install demo test ui clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	mkdir -p $(DAGSTER_HOME)
	$(BIN)/pdpb synth --regency $(DEMO_CITY) --voters 20000 --months 2 --start $(DEMO_START) --seed 1 --out $(PDPB_LANDING_DIR)
	$(BIN)/pdpb synth --regency $(DEMO_REGENCY) --voters 50000 --months 2 --start $(DEMO_START) --seed 2 --out $(PDPB_LANDING_DIR)
	$(BIN)/pdpb run --regency $(DEMO_CITY) --month $(DEMO_START) --to $(DEMO_END)
	$(BIN)/pdpb run --regency $(DEMO_REGENCY) --month $(DEMO_START) --to $(DEMO_END)
	@echo
	@echo "Landing zone:   $(PDPB_LANDING_DIR)"
	@echo "Warehouse:      $(CURDIR)/var/warehouse.sqlite"
	@echo "Dagster home:   $(DAGSTER_HOME)"
	@echo "Open the UI:    make ui   (then http://127.0.0.1:3000, Assets and Runs)"

# The whole suite; PostgreSQL tests run against PDPB_TEST_POSTGRES_URL
# (default postgresql://postgres@127.0.0.1:5432/test) and must not skip when CI=true.
test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

ui: install
	mkdir -p $(DAGSTER_HOME)
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

clean:
	rm -rf var
