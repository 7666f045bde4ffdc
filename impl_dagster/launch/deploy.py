"""``make deploy-dagster``: Dagster deployed as its docs deploy it, on this machine, in the foreground.

    python -m impl_dagster.launch.deploy [--output output/deploy/dagster] [--port 3000]

Started in this order, each waited for, and stopped in reverse on Ctrl-C (nothing is left running):

1. PostgreSQL (:mod:`core.services`), its data in ``<output>/postgres``, database ``dagster``;
2. the dbt project packaged (``dagster-dbt project prepare-and-package``): parsed once, copied with its
   manifest into ``impl_dagster/dbt-project``, which the code location then loads as built;
3. the code location, served by a gRPC code server (``dagster api grpc -m impl_dagster.definitions``);
4. ``dagster-daemon run``: schedules, sensors, the run queue, run monitoring;
5. ``dagster-webserver`` on ``impl_dagster/deploy/workspace.yaml``;
6. the daily schedule, the new-input-folder sensor and the run-failure alert turned on
   (``dagster schedule start``, ``dagster sensor start``).

``DAGSTER_HOME`` is ``<output>/dagster_home``, holding ``impl_dagster/deploy/dagster.yaml``. Runs write
under ``<output>`` (``LC_OUTPUT_DIR``): a folder holding both input files dropped into
``<output>/landing`` gets a run writing to ``<output>/runs/<folder>``; failed runs are listed in
``<output>/alerts/run_failures.jsonl``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from core.services import DeployedStack, ServiceGroup, deploy_main, free_port, say, tool_deployment
from core.settings import OUTPUT_DIR_ENV

DEPLOY_DIR = Path(__file__).resolve().parent.parent / "deploy"
REPO = DEPLOY_DIR.parent.parent
DEFAULT_OUTPUT = REPO / "output" / "deploy" / "dagster"
BIN = Path(sys.executable).parent
# Turned on once the daemon runs (the definitions leave them stopped, for `dagster dev`).
SCHEDULES = ("lc_pipeline_daily",)
SENSORS = ("new_input_folder_sensor", "alert_on_run_failure")


@contextmanager
def dagster_stack(
    output_dir: Path = DEFAULT_OUTPUT, port: int | None = None, package: bool = True
) -> Iterator[DeployedStack]:
    """Start the whole stack (see the module's docstring); stop all of it on exit."""
    output_dir = output_dir.resolve()
    home = output_dir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEPLOY_DIR / "dagster.yaml", home / "dagster.yaml")
    with tool_deployment(output_dir, "dagster", cwd=REPO) as (postgres, services):
        if package:
            _package_dbt_project()
        services.env.update(
            {
                "DAGSTER_HOME": str(home),
                "LC_DAGSTER_PG_URL": postgres.url("dagster"),
                "LC_DAGSTER_GRPC_HOST": "127.0.0.1",
                "LC_DAGSTER_GRPC_PORT": str(free_port()),
                OUTPUT_DIR_ENV: str(output_dir),
                "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")]),
                "DO_NOT_TRACK": "1",
            }
        )
        url = f"http://127.0.0.1:{port or free_port()}"
        _start(services, services.env, url)
        for name in SCHEDULES:
            _dagster_cli(services.env, "schedule", "start", name)
        for name in SENSORS:
            _dagster_cli(services.env, "sensor", "start", name)
        stack = DeployedStack(url, home, output_dir, services)
        say(f"schedule {', '.join(SCHEDULES)} and sensors {', '.join(SENSORS)} running")
        say(f"Dagster UI on {url}; drop a folder with both input files into {stack.landing}")
        yield stack


def _start(services: ServiceGroup, env: dict[str, str], url: str) -> None:
    grpc_port = env["LC_DAGSTER_GRPC_PORT"]
    started = time.monotonic()
    services.start(
        "code-server",
        [str(BIN / "dagster"), "api", "grpc", "-m", "impl_dagster.definitions", "-h", "127.0.0.1", "-p", grpc_port],
        ready=lambda: _grpc_healthy(env, grpc_port),
    )
    say(f"code server on 127.0.0.1:{grpc_port} ({time.monotonic() - started:.1f} s)")
    services.start("daemon", [str(BIN / "dagster-daemon"), "run", "-w", str(DEPLOY_DIR / "workspace.yaml")])
    host, port = url.removeprefix("http://").split(":")
    started = time.monotonic()
    services.start(
        "webserver",
        [str(BIN / "dagster-webserver"), "-w", str(DEPLOY_DIR / "workspace.yaml"), "-h", host, "-p", port],
        ready=lambda: httpx.get(f"{url}/server_info", timeout=2).status_code == 200,
    )
    say(f"daemon and webserver up ({time.monotonic() - started:.1f} s)")


def _grpc_healthy(env: dict[str, str], port: str) -> bool:
    check = [str(BIN / "dagster"), "api", "grpc-health-check", "-p", port, "-h", "127.0.0.1"]
    return subprocess.run(check, env=env, capture_output=True, check=False).returncode == 0


def _dagster_cli(env: dict[str, str], *args: str) -> None:
    command = [str(BIN / "dagster"), *args, "-w", str(DEPLOY_DIR / "workspace.yaml")]
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:])} failed: {(done.stderr or done.stdout).strip()}")


def _package_dbt_project() -> None:
    """dagster-dbt's deploy-time step: parse once, copy the project and manifest beside the code.

    The previous copy goes first: while it exists, dagster-dbt takes it for the project itself (outside
    `dagster dev`) and would sync it onto itself, deleting it before the copy (a second deploy failed).
    """
    from impl_dagster.project import PACKAGED_PROJECT_DIR

    shutil.rmtree(PACKAGED_PROJECT_DIR, ignore_errors=True)
    started = time.monotonic()
    command = [str(BIN / "dagster-dbt"), "project", "prepare-and-package", "--file", "impl_dagster/project.py"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"dagster-dbt project prepare-and-package failed: {(done.stderr or done.stdout).strip()}")
    say(f"dbt project packaged into impl_dagster/dbt-project ({time.monotonic() - started:.1f} s)")


def main(argv: list[str] | None = None) -> int:
    return deploy_main(argv, "dagster", DEFAULT_OUTPUT, 3000, dagster_stack)


if __name__ == "__main__":
    sys.exit(main())
