# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Whether the caller chose a Dagster instance (DAGSTER_HOME=.../deploy/production: PostgreSQL).
DAGSTER_HOME_ORIGIN := $(origin DAGSTER_HOME)
# `make demo` and `pdpb run` keep the Dagster instance in SQLite under var/dagster_home (an empty
# dagster.yaml there); plain `dagster dev` in this folder uses the same storage through the
# top-level dagster.yaml. deploy/production/dagster.yaml is the production instance.
export DAGSTER_HOME ?= $(CURDIR)/var/dagster_home
export PDPB_LANDING_DIR ?= $(CURDIR)/var/landing
# The demo regencies' first month (their roll starts from the DPT there); `make ui` agrees.
export PDPB_START_MONTH ?= 2026-01

.PHONY: install demo test ui cluster cluster-down clean

$(STAMP): pyproject.toml lab/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,cluster]' -e './lab[splink]'   # the pipeline (and its Celery cluster), the lab: generator, benchmarks, Splink
	touch $(STAMP)

install: $(STAMP)

demo: install
	mkdir -p $(DAGSTER_HOME) && touch $(DAGSTER_HOME)/dagster.yaml
	scripts/demo.sh

# The whole suite; PostgreSQL tests run against PDPB_TEST_POSTGRES_URL
# (default postgresql://postgres@127.0.0.1:5432/test) and must not skip when CI=true.
test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

# Plain `dagster dev`, as a newcomer runs it (the top-level dagster.yaml), unless the caller set
# DAGSTER_HOME.
ui: install
	$(if $(filter environment command line,$(DAGSTER_HOME_ORIGIN)),,env -u DAGSTER_HOME) \
	    $(BIN)/dagster dev -h 127.0.0.1 -p 3000

# A whole cluster on this machine (docs/cluster.md): webserver, daemon, CLUSTER_WORKERS (2) Celery
# workers on the production instance, PostgreSQL and Redis; pid files and logs in var/cluster.
cluster: install
	env -u DAGSTER_HOME PYTHON=$(BIN)/python scripts/cluster.sh up

# Stops exactly what `make cluster` started.
cluster-down:
	env -u DAGSTER_HOME PYTHON=$(BIN)/python scripts/cluster.sh down

clean:
	rm -rf var
