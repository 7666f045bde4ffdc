"""File arrival as Prefect events: one ``lc.input-folder.landed`` event per new input folder.

The deployment's trigger (``impl_prefect.deployments``) runs the pipeline for each event. Prefect has
no file sensor of its own; its docs have an outside process emit the events, and this is that
process: ``python -m impl_prefect.landing --output OUT``, a service of the deployed stack. It looks
every ``core.landing.POLL_SECONDS`` and keeps the run keys it has announced in a Prefect Variable,
so that a restart does not announce a folder again.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from prefect.events import emit_event
from prefect.variables import Variable

from core.landing import POLL_SECONDS, landing_dir, ready_folders, run_key, run_output_dir

LANDED_EVENT = "lc.input-folder.landed"
LANDED_RESOURCE_PREFIX = "lc.landing."
ANNOUNCED_VARIABLE = "lc_landing_run_keys"


def announce_new_folders(output_dir: Path) -> list[str]:
    """Emit an event for each ready folder version not announced yet; their run keys."""
    announced = set(Variable.get(ANNOUNCED_VARIABLE, default=[]) or [])
    new = []
    for folder in ready_folders(landing_dir(output_dir)):
        key = run_key(folder)
        if key in announced:
            continue
        emit_event(
            event=LANDED_EVENT,
            resource={"prefect.resource.id": f"{LANDED_RESOURCE_PREFIX}{key}"},
            payload={"input_dir": str(folder), "output_dir": str(run_output_dir(output_dir, folder))},
        )
        new.append(key)
    if new:
        Variable.set(ANNOUNCED_VARIABLE, sorted(announced | set(new)), overwrite=True)
    return new


def watch(output_dir: Path, poll_seconds: float = POLL_SECONDS) -> None:
    while True:
        for key in announce_new_folders(output_dir):
            print(f"announced {key}", flush=True)
        time.sleep(poll_seconds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m impl_prefect.landing", description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, required=True, help="the deployment's output folder")
    watch(parser.parse_args().output.resolve())
