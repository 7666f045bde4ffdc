"""``make deploy-airflow``: Airflow deployed as its docs deploy it, on this machine, in the foreground.

    python -m impl_airflow.launch.deploy [--output output/deploy/airflow] [--port 8080]

Started in this order, each waited for, and stopped in reverse on Ctrl-C (nothing is left running):

1. PostgreSQL (:mod:`core.services`), its data in ``<output>/postgres``, database ``airflow``;
2. the dbt manifest cosmos renders the DAG from, and ``airflow db migrate``;
3. ``airflow api-server`` (the UI, the REST API and the execution API tasks report to);
4. ``airflow scheduler`` with the LocalExecutor, ``airflow dag-processor``, ``airflow triggerer``
   (it runs the landing folder's trigger, and cosmos's WATCHER sensors when that mode is chosen);
5. ``lc_pipeline`` (daily at 06:00 UTC) and ``lc_landing`` (a run per new input folder) unpaused.

Every component gets the same environment: the DAG file reads it when parsed, by the DAG processor
and again by each task process. ``AIRFLOW_HOME`` is ``<output>/airflow_home``. A folder holding both
input files dropped into ``<output>/landing`` gets a run writing to ``<output>/runs/<folder>``. The UI
user is ``admin``, its password in ``<output>/airflow_home/simple_auth_manager_passwords.json.generated``.
"""

from __future__ import annotations

import json
import os
import secrets
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
from impl_airflow.config import DAG_ID, LANDING_DAG_ID, REPO_ROOT, airflow_environment

DEFAULT_OUTPUT = REPO_ROOT / "output" / "deploy" / "airflow"
# Airflow's environment (its own when this one lacks Airflow: the harness starts the stack from its own).
AIRFLOW = interpreter("airflow").with_name("airflow")
# Task processes the LocalExecutor keeps (Airflow's default, 32, forks 32 idle workers): two, as
# Dagster's deployment runs two runs at once.
PARALLELISM = 2
DAG_PARSE_TIMEOUT_SECONDS = 300


def password_file(home: Path) -> Path:
    """Where the API server writes the UI user's generated password (JSON: user -> password)."""
    return home / "simple_auth_manager_passwords.json.generated"


def api_client(url: str, home: Path) -> httpx.Client:
    """A client of the REST API (``/api/v2``), with a token for the ``admin`` user."""
    password = json.loads(password_file(home).read_text())["admin"]
    token = httpx.post(f"{url}/auth/token", json={"username": "admin", "password": password}, timeout=30)
    token.raise_for_status()
    return httpx.Client(
        base_url=f"{url}/api/v2", headers={"Authorization": f"Bearer {token.json()['access_token']}"}, timeout=30
    )


def deployed_environment(home: Path, database_url: str, url: str, output_dir: Path) -> dict[str, str]:
    """What every component reads: ours (``airflow_environment``), plus the deployment's own settings.

    Components authenticate to each other with tokens signed by a shared secret: one made for this
    start, as all of them start together.
    """
    host, port = url.removeprefix("http://").split(":")
    return {
        **airflow_environment(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database_url,
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(PARALLELISM),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
        "AIRFLOW__API__HOST": host,
        "AIRFLOW__API__PORT": port,
        "AIRFLOW__API__BASE_URL": url,
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
        OUTPUT_DIR_ENV: str(output_dir),
    }


@contextmanager
def airflow_stack(output_dir: Path = DEFAULT_OUTPUT, port: int = 8080) -> Iterator[DeployedStack]:
    """Start the whole stack (see the module's docstring); stop all of it on exit."""
    from impl_airflow.launch.manifest import prepare_manifest

    output_dir = output_dir.resolve()
    home = output_dir / "airflow_home"
    home.mkdir(parents=True, exist_ok=True)
    with tool_deployment(output_dir, "airflow", cwd=REPO_ROOT) as (postgres, services):
        prepare_manifest()
        url = f"http://127.0.0.1:{port}"
        env = services.env
        env.update(deployed_environment(home, postgres.url("airflow"), url, output_dir))
        env["PATH"] = os.pathsep.join([str(AIRFLOW.parent), env.get("PATH", "")])
        started = time.monotonic()
        _airflow(env, "db", "migrate")
        say(f"metadata database migrated ({time.monotonic() - started:.1f} s)")
        started = time.monotonic()
        services.start(
            "api-server",
            [str(AIRFLOW), "api-server"],
            ready=lambda: httpx.get(f"{url}/api/v2/monitor/health", timeout=2).status_code == 200,
            timeout=180,
        )
        for component in ("scheduler", "dag-processor", "triggerer"):
            services.start(component, [str(AIRFLOW), component])
        say(f"API server, scheduler, DAG processor and triggerer up ({time.monotonic() - started:.1f} s)")
        with api_client(url, home) as api:
            parsed = services.wait_until(
                lambda: _unpause(api, DAG_ID) and _unpause(api, LANDING_DAG_ID),
                "DAGs parsed and unpaused",
                DAG_PARSE_TIMEOUT_SECONDS,
                every=2,
            )
        stack = DeployedStack(url, home, output_dir, services)
        say(f"{DAG_ID} (daily 06:00 UTC) and {LANDING_DAG_ID} unpaused ({parsed:.1f} s)")
        say(f"Airflow UI on {url} (user admin, password in {password_file(home)})")
        say(f"drop a folder with both input files into {stack.landing}")
        yield stack


def _airflow(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(AIRFLOW), *args], env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"airflow {' '.join(args)} failed: {(done.stderr or done.stdout).strip()[-2000:]}")
    return done.stdout


def _unpause(api: httpx.Client, dag_id: str) -> bool:
    """True once the DAG is parsed (the API knows it) and unpaused; new DAGs start paused."""
    answer = api.patch(f"/dags/{dag_id}", json={"is_paused": False})
    return answer.status_code == 200 and answer.json()["is_paused"] is False


def main(argv: list[str] | None = None) -> int:
    return deploy_main(argv, "airflow", DEFAULT_OUTPUT, 8080, airflow_stack)


if __name__ == "__main__":
    sys.exit(main())
