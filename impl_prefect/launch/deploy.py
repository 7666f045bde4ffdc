"""``make deploy-prefect``: Prefect deployed as its docs deploy it, on this machine, in the foreground.

    python -m impl_prefect.launch.deploy [--output output/deploy/prefect] [--port 4200]

Started in this order, each waited for, and stopped in reverse on Ctrl-C (nothing is left running):

1. PostgreSQL (:mod:`core.services`), its data in ``<output>/postgres``, database ``prefect``;
2. ``prefect server start`` on it (the API, the UI, the scheduler and the automations' triggers);
3. the process work pool ``lc-process`` and the deployment (``impl_prefect.deployments``: daily at
   06:00 UTC, and a trigger on each landed folder's event);
4. ``prefect worker start`` on that pool: it runs each flow run as a process of its own;
5. the landing watcher (``impl_prefect.landing``), which emits an event per new input folder.

``PREFECT_HOME`` is ``<output>/prefect_home``. A folder holding both input files dropped into
``<output>/landing`` gets a run writing to ``<output>/runs/<folder>``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from core.implementations import interpreter
from core.services import DeployedStack, deploy_main, say, tool_deployment
from core.settings import OUTPUT_DIR_ENV
from impl_prefect.launch.runtime import prefect_environment

REPO = Path(__file__).resolve().parent.parent.parent
DEFAULT_OUTPUT = REPO / "output" / "deploy" / "prefect"
# Prefect's environment (its own when this one lacks Prefect: the harness starts the stack from its own).
PYTHON = interpreter("prefect")
BIN = PYTHON.parent
WORK_POOL = "lc-process"
# How often the worker asks for runs to start (Prefect's default, 10 s, would add up to 10 s to
# every run's start; Dagster's deployment dequeues every second).
WORKER_QUERY_SECONDS = 2


def deployed_environment(home: Path, database_url: str, url: str, output_dir: Path) -> dict[str, str]:
    """What the server, the worker, its flow runs and the watcher read."""
    return {
        **prefect_environment(home),
        "PREFECT_API_URL": f"{url}/api",
        "PREFECT_UI_API_URL": f"{url}/api",
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": database_url,
        "PREFECT_WORKER_QUERY_SECONDS": str(WORKER_QUERY_SECONDS),
        # Flow runs report they are alive, so that one whose process died can be told from a slow one.
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30",
        OUTPUT_DIR_ENV: str(output_dir),
    }


@contextmanager
def prefect_stack(output_dir: Path = DEFAULT_OUTPUT, port: int = 4200) -> Iterator[DeployedStack]:
    """Start the whole stack (see the module's docstring); stop all of it on exit."""
    output_dir = output_dir.resolve()
    home = output_dir / "prefect_home"
    home.mkdir(parents=True, exist_ok=True)
    with tool_deployment(output_dir, "prefect", cwd=REPO) as (postgres, services):
        # The server's migrations create this extension, which takes a superuser: our role is one.
        postgres.sql("create extension if not exists pg_trgm", database="prefect")
        url = f"http://127.0.0.1:{port}"
        env = services.env
        env.update(deployed_environment(home, postgres.url("prefect", "postgresql+asyncpg"), url, output_dir))
        env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
        started = time.monotonic()
        services.start(
            "server",
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            ready=lambda: httpx.get(f"{url}/api/health", timeout=2).status_code == 200,
            timeout=180,
        )
        say(f"Prefect server up ({time.monotonic() - started:.1f} s)")
        _prefect(env, "work-pool", "create", WORK_POOL, "--type", "process", "--overwrite")
        _python(env, "-c", "from impl_prefect.deployments import deploy; deploy()")
        say(f"work pool {WORK_POOL} and deployment lc_pipeline/lc-pipeline (daily 06:00 UTC, per landed folder)")
        services.start("worker", [str(BIN / "prefect"), "worker", "start", "--pool", WORK_POOL])
        services.start("landing-watcher", [str(PYTHON), "-m", "impl_prefect.landing", "--output", str(output_dir)])
        stack = DeployedStack(url, home, output_dir, services)
        say(f"Prefect UI on {url}; drop a folder with both input files into {stack.landing}")
        yield stack


def _prefect(env: dict[str, str], *args: str) -> None:
    _run(env, [str(BIN / "prefect"), *args])


def _python(env: dict[str, str], *args: str) -> None:
    _run(env, [str(PYTHON), *args])


def _run(env: dict[str, str], command: list[str]) -> None:
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {(done.stderr or done.stdout).strip()[-2000:]}")


def main(argv: list[str] | None = None) -> int:
    return deploy_main(argv, "prefect", DEFAULT_OUTPUT, 4200, prefect_stack)


if __name__ == "__main__":
    sys.exit(main())
