# Two commands on a fresh machine (Python 3.11 on PATH is all it needs):
#   make run    set everything up, then run the pipeline on generated sample data
#   make test   set everything up, then run the test suite
#   make bench  set everything up, then run the full harness (the reviewer's command; CI runs it after make test)
# uv is installed into .tools/ (never system-wide) and installs the locked environments: .venv/ holds the
# core, Dagster (the production path), Spark and the harness; Airflow and Prefect cannot share one environment
# (their FastAPI pins conflict), so each has its own under .venvs/, made by `make setup-all`.

PYTHON ?= python3.11
UV_VERSION := 0.13.9
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never

# Each UI's port and the output folder whose tool state it shows; override on the command line,
# e.g. `make dagster-dev DAGSTER_PORT=3001 DAGSTER_OUTPUT=/tmp/lc` (the harness does, see bench/ui/launch.py).
DAGSTER_PORT ?= 3000
DAGSTER_OUTPUT ?= output/dagster
AIRFLOW_PORT ?= 8080
AIRFLOW_OUTPUT ?= output/airflow
PREFECT_PORT ?= 4200
PREFECT_OUTPUT ?= output/prefect
# What the Dagster and Airflow UIs serve: our definitions unless told otherwise (the harness points
# them at each tool's hello world, bench/floor/, to time the tool's own floor the same way).
DAGSTER_MODULE ?= impl_dagster.definitions
AIRFLOW_DAGS ?= impl_airflow/dags

# The implementations that run in an environment of their own (.venvs/<name>: the project with that extra).
TOOL_ENVS := airflow prefect

.PHONY: setup setup-all run test bench sample dbt-docs dagster-dev airflow-ui prefect-ui deploy-dagster deploy-airflow deploy-prefect clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

setup: $(UV)
	$(UV) sync --frozen --python $(PYTHON) --extra dagster --extra spark

setup-all: setup
	for tool in $(TOOL_ENVS); do \
	  UV_PROJECT_ENVIRONMENT=.venvs/$$tool $(UV) sync --frozen --python $(PYTHON) --extra $$tool --extra spark || exit 1; \
	done

run: setup
	$(UV) run --frozen --no-sync lc-pipeline run

# The tests of each tool's environment run in it: `-m airflow` in .venvs/airflow, and so on; the rest in .venv.
test: setup-all
	$(UV) run --frozen --no-sync ruff check .
	$(UV) run --frozen --no-sync ruff format --check .
	$(UV) run --frozen --no-sync mypy
	$(UV) run --frozen --no-sync deptry .
	$(UV) run --frozen --no-sync pytest -n 2 --dist loadfile -m "not deployed $(foreach tool,$(TOOL_ENVS),and not $(tool))" tests
	for tool in $(TOOL_ENVS); do \
	  .venvs/$$tool/bin/pytest -n 2 --dist loadfile -m "$$tool and not deployed" tests || exit 1; \
	done

# The Dagster UI on http://127.0.0.1:3000, with the run history of `make run` (same instance folder).
dagster-dev: setup
	mkdir -p $(DAGSTER_OUTPUT)/dagster_home
	test -f $(DAGSTER_OUTPUT)/dagster_home/dagster.yaml || printf 'telemetry:\n  enabled: false\n' > $(DAGSTER_OUTPUT)/dagster_home/dagster.yaml
	DAGSTER_HOME=$(abspath $(DAGSTER_OUTPUT))/dagster_home .venv/bin/dagster dev -m $(DAGSTER_MODULE) -h 127.0.0.1 -p $(DAGSTER_PORT)

# Dagster deployed, in the foreground: PostgreSQL, a gRPC code server, the daemon and the webserver on
# http://127.0.0.1:3000, the schedule and sensors on (impl_dagster/launch/deploy.py). Ctrl-C stops all.
DEPLOY_OUTPUT ?= output/deploy
deploy-dagster: setup
	.venv/bin/python -m impl_dagster.launch.deploy --output $(DEPLOY_OUTPUT)/dagster --port $(DAGSTER_PORT)

# Airflow deployed, in the foreground: PostgreSQL, the API server (UI) on http://127.0.0.1:8080, the scheduler
# (LocalExecutor), the DAG processor and the triggerer; the daily and landing DAGs unpaused
# (impl_airflow/launch/deploy.py). Ctrl-C stops all.
deploy-airflow: setup-all
	.venvs/airflow/bin/python -m impl_airflow.launch.deploy --output $(DEPLOY_OUTPUT)/airflow --port $(AIRFLOW_PORT)

# Prefect deployed, in the foreground: PostgreSQL, the Prefect server (UI) on http://127.0.0.1:4200, a process
# work pool and its worker, the deployment (daily, and per new input folder) and the landing watcher
# (impl_prefect/launch/deploy.py). Ctrl-C stops all.
deploy-prefect: setup-all
	.venvs/prefect/bin/python -m impl_prefect.launch.deploy --output $(DEPLOY_OUTPUT)/prefect --port $(PREFECT_PORT)

# Airflow's UI (airflow standalone) on http://127.0.0.1:8080, on the Airflow home of
# `lc-pipeline run --impl airflow` (output/airflow); the admin password is printed.
airflow-ui: setup-all
	.venvs/airflow/bin/python -m impl_airflow.launch.ui --output $(AIRFLOW_OUTPUT) --port $(AIRFLOW_PORT) --dags-folder $(AIRFLOW_DAGS)

# Prefect's UI on http://127.0.0.1:4200, on the Prefect home of `lc-pipeline run --impl prefect`.
# (PREFECT_UI_API_URL: `--port` alone moves the server, but its UI still calls the API on port 4200.)
prefect-ui: setup-all
	PREFECT_HOME=$(abspath $(PREFECT_OUTPUT))/prefect_home PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 \
	  PREFECT_UI_API_URL=http://127.0.0.1:$(PREFECT_PORT)/api .venvs/prefect/bin/prefect server start --host 127.0.0.1 --port $(PREFECT_PORT)

# dbt's documentation site (models, tests, lineage graph) for a finished run's warehouse, on
# http://127.0.0.1:8081: `make run` first, or DBT_DOCS_OUTPUT=<a run's output folder>. Ctrl-C stops it.
DBT_DOCS_OUTPUT ?= output/dagster
DBT_DOCS_PORT ?= 8081
DBT_DOCS_ARGS = --project-dir dbt --profiles-dir dbt --target-path $(abspath $(DBT_DOCS_OUTPUT))/dbt_docs
dbt-docs: setup
	test -f $(DBT_DOCS_OUTPUT)/warehouse.duckdb || { echo "no warehouse in $(DBT_DOCS_OUTPUT): run make run first" >&2; exit 2; }
	LC_WAREHOUSE_PATH=$(abspath $(DBT_DOCS_OUTPUT))/warehouse.duckdb .venv/bin/dbt docs generate $(DBT_DOCS_ARGS) \
	  --log-path $(abspath $(DBT_DOCS_OUTPUT))/dbt_docs/logs
	.venv/bin/dbt docs serve $(DBT_DOCS_ARGS) --host 127.0.0.1 --port $(DBT_DOCS_PORT) --no-browser

# The reviewer's command: the full harness (bench/results/report.md), with pytest-benchmark's JSON beside it.
bench: setup-all
	$(UV) run --frozen --no-sync pytest bench --benchmark-json=bench/results/benchmark.json

# The sample report in docs/results/: one harness run at one commit with every section, the deployed one
# included, and SAMPLE_ROUNDS rounds (CI's make bench keeps its lighter default). Hours on 2 cores. The
# report is copied even when a test failed: its Failures section says which.
SAMPLE_ROUNDS ?= 5
SAMPLE_FILES = report.md results.json benchmark.json
sample: setup-all
	-$(UV) run --frozen --no-sync pytest bench --deployed --rounds $(SAMPLE_ROUNDS) --benchmark-json=bench/results/benchmark.json
	rm -rf docs/results/deployed docs/results/*.png
	for file in $(SAMPLE_FILES); do cp bench/results/$$file docs/results/ || exit 1; done
	cp bench/results/*.png docs/results/

clean:
	rm -rf output .pytest_cache dbt/target dbt/logs
