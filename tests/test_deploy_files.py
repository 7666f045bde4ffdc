"""The Dagster deployment beyond one machine, checked as far as this machine can without a cluster or
a Docker daemon: the compose file by Compose's own validator, and every file against the single-machine
stack it mirrors (the same instance config, code location, schedule and sensors), so that they cannot
drift apart unseen."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

pytest.importorskip("dagster", reason="the Dagster deployment's files are read with Dagster's own definitions")

from impl_dagster.jobs import WAREHOUSE_TAG  # noqa: E402
from impl_dagster.launch.deploy import DEPLOY_DIR, SCHEDULES, SENSORS  # noqa: E402
from testkit.prerequisites import require  # noqa: E402

COMPOSE = DEPLOY_DIR / "compose.yaml"
HELM_VALUES = DEPLOY_DIR / "helm-values.yaml"
REPO = Path(__file__).resolve().parent.parent
CODE_LOCATION = ["-m", "impl_dagster.definitions"]
pytestmark = pytest.mark.dagster


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict:
    """The compose file as Compose resolves it (anchors merged, variables at their defaults)."""
    require(shutil.which("docker-compose") is not None, "the Debian package docker-compose (its `config` validator)")
    resolved = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config"], capture_output=True, text=True, check=False
    )
    assert resolved.returncode == 0, resolved.stderr
    return yaml.safe_load(resolved.stdout)


def test_compose_runs_the_same_processes_as_the_single_machine_stack(compose: dict) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "code-server", "daemon", "webserver", "turn-on"}
    assert services["code-server"]["command"][:3] == ["dagster", "api", "grpc"]
    assert services["code-server"]["command"][3:5] == CODE_LOCATION
    assert services["daemon"]["command"][:2] == ["dagster-daemon", "run"]
    assert services["webserver"]["command"][0] == "dagster-webserver"
    for name in ("code-server", "daemon", "webserver"):
        environment = services[name]["environment"]
        assert environment["LC_DAGSTER_GRPC_HOST"] == "code-server", name
        assert environment["LC_DAGSTER_PG_URL"].startswith("postgresql+psycopg2://dagster:"), name


def test_compose_turns_on_every_schedule_and_sensor_the_local_stack_does(compose: dict) -> None:
    turn_on = " ".join(compose["services"]["turn-on"]["command"])
    for name in SCHEDULES:
        assert f"dagster schedule start {name}" in turn_on
    for name in SENSORS:
        assert f"dagster sensor start {name}" in turn_on


def test_the_helm_values_keep_the_instance_settings_of_dagster_yaml() -> None:
    """One run per warehouse, the run monitor's timeouts and no telemetry, as on one machine."""
    values, instance = _yaml(HELM_VALUES), _yaml(DEPLOY_DIR / "dagster.yaml")
    queued = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    [limit] = queued["tagConcurrencyLimits"]
    [local_limit] = instance["concurrency"]["runs"]["tag_concurrency_limits"]
    assert limit["key"] == local_limit["key"] == WAREHOUSE_TAG
    assert limit["value"] == {"applyLimitPerUniqueValue": True} and limit["limit"] == local_limit["limit"] == 1
    monitoring, local_monitoring = values["dagsterDaemon"]["runMonitoring"], instance["run_monitoring"]
    assert monitoring["enabled"] is local_monitoring["enabled"] is True
    assert monitoring["maxRuntimeSeconds"] == local_monitoring["max_runtime_seconds"]
    assert values["telemetry"]["enabled"] is instance["telemetry"]["enabled"] is False


def test_the_helm_values_serve_our_code_location_and_launch_runs_on_kubernetes() -> None:
    values = _yaml(HELM_VALUES)
    [deployment] = values["dagster-user-deployments"]["deployments"]
    assert deployment["dagsterApiGrpcArgs"] == CODE_LOCATION
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["postgresql"]["enabled"] is False  # a managed PostgreSQL, named in the values
    run_env = {item["name"]: item.get("value") for item in deployment["env"]}
    assert run_env["LC_ENGINE"] == "spark"  # the data on the Spark engine (the ADR's phase 3)


def _image_distributions(build_args: dict[str, str]) -> set[str]:
    """The distributions the Dockerfile's ``uv sync`` installs with ``build_args``, read from the lock
    (``uv export`` with the same flags): the image's dependency set, without a Docker daemon."""
    uv = REPO / ".tools" / "bin" / "uv"
    require(uv.is_file(), f"uv in {uv.parent} (make setup)")
    dockerfile = (DEPLOY_DIR / "Dockerfile").read_text(encoding="utf-8")
    args = {name: value for name, value in re.findall(r'^ARG (\w+)="([^"]*)"', dockerfile, re.MULTILINE)}
    args.update(build_args)
    [sync, *_] = re.findall(r"uv sync ([^\\&\n]+)", dockerfile)
    flags = [
        flag for flag in re.sub(r"\$(\w+)", lambda m: args[m.group(1)], sync).split() if flag != "--no-install-project"
    ]
    exported = subprocess.run(
        [str(uv), "export", *flags, "--no-hashes", "--no-emit-project"], cwd=REPO, capture_output=True, text=True
    )
    assert exported.returncode == 0, exported.stderr
    return {line.split("==")[0] for line in exported.stdout.splitlines() if "==" in line and not line.startswith("#")}


def test_the_image_installs_dagster_and_no_other_orchestrator() -> None:
    installed = _image_distributions({})
    assert {"dagster", "dagster-dbt", "dagster-postgres", "dbt-duckdb"} <= installed
    assert not installed & {"apache-airflow", "prefect", "pyspark", "dbt-spark", "pytest", "ruff"}


def test_the_spark_build_adds_spark_alone() -> None:
    installed = _image_distributions({"EXTRAS": "--extra dagster --extra spark"})
    assert {"dagster", "pyspark", "dbt-spark"} <= installed
    assert not installed & {"apache-airflow", "prefect", "pytest"}
