"""Paths, names and the process environment of the Airflow implementation.

Deliberately free of Airflow imports: Airflow reads ``AIRFLOW_HOME`` and the rest of its
configuration once, when it is first imported, so whoever starts Airflow must be able to build
this environment before that import happens (see ``impl_airflow.launch.pipeline``).
"""

from __future__ import annotations

from pathlib import Path

from core.settings import SAMPLE_INPUT_DIR, default_output_dir
from core.transform import DBT_PROJECT_DIR, SHIPPED_DBT_PROJECT_DIR

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
DAGS_FOLDER = PACKAGE_DIR / "dags"

# Build artefacts derived from the code (not from a run): the dbt manifest cosmos renders from.
BUILD_DIR = PACKAGE_DIR / ".build"
# One manifest per dbt project: the shipped one's here; another project's (LC_DBT_PROJECT_DIR, the
# harness's synthetic projects) inside that project, so runs of different projects, even at the
# same time, never read or overwrite each other's manifest.
DBT_TARGET_DIR = (
    BUILD_DIR / "dbt_target"
    if DBT_PROJECT_DIR == SHIPPED_DBT_PROJECT_DIR.resolve()
    else DBT_PROJECT_DIR / "target" / "airflow"
)
DBT_MANIFEST = DBT_TARGET_DIR / "manifest.json"

DAG_ID = "lc_pipeline"
LANDING_DAG_ID = "lc_landing"  # runs lc_pipeline for each new input folder (dags/lc_landing.py)
DAG_BUNDLE = "dags-folder"  # Airflow's default bundle: the folder AIRFLOW__CORE__DAGS_FOLDER names
# XCom key under which a task that failed on bad data (no retry can help) leaves its one-line message.
PIPELINE_ERROR_KEY = "pipeline_error"

# Run configuration: DAG params whose defaults come from these variables (read when the DAG is parsed).
# Base delay before a retry. Production-like default; tests shorten it so a retry costs seconds.
RETRY_DELAY_ENV = "LC_RETRY_DELAY_SECONDS"
DEFAULT_RETRY_DELAY_SECONDS = 30.0
# How cosmos renders the dbt project, one of its TestBehavior values: "after_each" (the default: a
# `dbt run` task per model, then a task for its tests) or "build" (one `dbt build` task per model,
# its tests included: half the tasks, tests no longer separate in the UI). Read at DAG parse time.
COSMOS_TEST_BEHAVIOR_ENV = "LC_COSMOS_TEST_BEHAVIOR"
# How cosmos runs the dbt tasks, one of its ExecutionMode values: "local" (the default: each dbt task
# invokes dbt for its own model) or "watcher" (one producer task runs a single `dbt build`; each model's
# task is a sensor that reports that model's result). Read at DAG parse time.
COSMOS_EXECUTION_MODE_ENV = "LC_COSMOS_EXECUTION_MODE"

# Where ``lc-pipeline run`` (no --input) writes its sample data when started from the repo root.
DEFAULT_INPUT_DIR = REPO_ROOT / SAMPLE_INPUT_DIR
DEFAULT_OUTPUT_DIR = REPO_ROOT / default_output_dir("airflow")

AIRFLOW_HOME_DIR = "airflow_home"
RESULT_FILE = "dag_run_result.json"
# A line the runner prints when a task instance starts or ends (Airflow's task listener hooks),
# followed by JSON; the launcher turns it into a progress line and logs every other line.
TASK_EVENT_PREFIX = "LC-TASK-EVENT "


def airflow_home(output_dir: Path) -> Path:
    """Every run keeps its own Airflow home (config, SQLite metadata DB, logs) beside its outputs."""
    return output_dir.resolve() / AIRFLOW_HOME_DIR


def airflow_environment(home: Path, dags_folder: Path = DAGS_FOLDER) -> dict[str, str]:
    """Environment for a process that runs Airflow against ``home`` and the DAG files in ``dags_folder``
    (ours unless told otherwise): set it before importing airflow."""
    home = home.resolve()
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # The dbt project is rendered from a manifest: parsing the DAG file is quick, but give a
        # cold machine room before the DAG processor gives up on it.
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        # Telemetry. Airflow 3 itself sends none (its Scarf usage collection was removed in
        # apache/airflow#45865); the variable below is a no-op today and keeps it off should a
        # future release bring the [usage_data_collection] section back.
        "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",  # cosmos usage metrics
        "DO_NOT_TRACK": "1",  # honoured by cosmos and dbt alike
        "SCARF_NO_ANALYTICS": "true",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        # cosmos caches partial-parse files; keep them with the run, not in the shared temp folder.
        "AIRFLOW__COSMOS__CACHE_DIR": str(home / "cosmos_cache"),
    }
