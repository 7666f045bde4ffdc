"""The ``lc_pipeline`` flow deployed to a process work pool: every day at 06:00 UTC, and once per
new input folder.

Prefect starts a deployment's runs from its schedules and from event triggers (automations the
server keeps). File arrival is not an event Prefect sees by itself: ``impl_prefect.landing`` watches
the landing folder and emits ``lc.input-folder.landed`` for each new folder, and the trigger below
turns each such event into a run with that folder's paths as parameters.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from prefect import flow
from prefect.events.schemas.deployment_triggers import DeploymentEventTrigger

from impl_prefect.landing import LANDED_EVENT, LANDED_RESOURCE_PREFIX

REPO_ROOT = Path(__file__).resolve().parent.parent
DEPLOYMENT = "lc-pipeline"
WORK_POOL = "lc-process"

on_landed_folder = DeploymentEventTrigger(
    name="new input folder",
    expect={LANDED_EVENT},
    match={"prefect.resource.id": f"{LANDED_RESOURCE_PREFIX}*"},
    parameters={"input_dir": "{{ event.payload.input_dir }}", "output_dir": "{{ event.payload.output_dir }}"},
)


def deploy() -> UUID:
    """Register the deployment (again: it is updated in place) with the server ``PREFECT_API_URL`` names."""
    pipeline = flow.from_source(source=str(REPO_ROOT), entrypoint="impl_prefect/flows.py:lc_pipeline")
    return pipeline.deploy(
        name=DEPLOYMENT,
        work_pool_name=WORK_POOL,
        cron="0 6 * * *",
        triggers=[on_landed_folder],
        # A flow run whose worker dies carries on: with its output streamed to the worker, it would
        # block on the closed pipe instead.
        job_variables={"stream_output": False},
        build=False,
        push=False,
        print_next_steps=False,
    )
