"""``lc_landing``: a run of ``lc_pipeline`` for each new input folder in the landing folder.

The landing folder (``core.landing``: ``LC_LANDING_DIR``, else ``<LC_OUTPUT_DIR>/landing``) is an
Asset watched by ``NewInputFolderTrigger`` in the triggerer; each poll that finds new folders fires
one event of it naming them, and this DAG runs on those events. Airflow hands a DAG run every event
since its last run, so several folders can arrive in one run: it triggers ``lc_pipeline`` once per
folder, with that folder as input and ``<LC_OUTPUT_DIR>/runs/<folder>`` as output. The pipeline
run's id is the folder's run key (name and file times), so a folder seen twice (after a triggerer
restart) is not run twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import Asset, AssetWatcher, dag, get_current_context, task

from core.landing import landing_dir, run_output_dir
from core.settings import OUTPUT_DIR_ENV, env_path
from impl_airflow.config import DAG_ID, DEFAULT_OUTPUT_DIR, LANDING_DAG_ID
from impl_airflow.triggers import NewInputFolderTrigger

OUTPUT_DIR = env_path(OUTPUT_DIR_ENV, DEFAULT_OUTPUT_DIR).resolve()
LANDING = landing_dir(OUTPUT_DIR)
LANDING_ASSET = Asset(
    name="lc_landing",
    uri=f"file://{LANDING}",
    watchers=[AssetWatcher(name="new_input_folder", trigger=NewInputFolderTrigger(str(LANDING)))],
)


@dag(
    dag_id=LANDING_DAG_ID,
    schedule=[LANDING_ASSET],
    tags=["lending-club"],
    doc_md=__doc__,
)
def landing() -> None:
    @task
    def landed_folders() -> list[dict[str, Any]]:
        """One ``lc_pipeline`` run request per folder this run's events name."""
        events = get_current_context()["triggering_asset_events"][LANDING_ASSET]
        payloads = {folder["run_key"]: folder for event in events for folder in event.extra["payload"]["folders"]}
        return [
            {
                "trigger_run_id": f"landing__{key}",
                "conf": {
                    "input_dir": payload["input_dir"],
                    "output_dir": str(run_output_dir(OUTPUT_DIR, Path(payload["input_dir"]))),
                },
            }
            for key, payload in payloads.items()
        ]

    TriggerDagRunOperator.partial(
        task_id="run_pipeline", trigger_dag_id=DAG_ID, skip_when_already_exists=True
    ).expand_kwargs(landed_folders())


landing()
