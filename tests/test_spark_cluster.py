"""The dbt project on a Spark standalone cluster gives the same answers as on DuckDB (docs/spark.md).

Opt-in (``LC_SPARK_CLUSTER=1``): it starts five JVMs more than the local session does (a master, two
workers, their two executors) besides the driver: minutes on 2 cores. The cluster is
started by :func:`core.spark_cluster.standalone_cluster`; the pipeline runs in a process of its own
with ``LC_SPARK_MASTER`` set, since a process keeps its first Spark session and this test process
may hold a local one already (``tests/test_spark.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from core.outputs import output_differences
from core.spark import MASTER_ENV, SparkLayout, spark_tables
from core.spark_cluster import standalone_cluster
from testkit.prerequisites import require

REPO = Path(__file__).resolve().parent.parent
RUN_TIMEOUT_SECONDS = 900

pytestmark = pytest.mark.skipif(
    os.environ.get("LC_SPARK_CLUSTER") != "1",
    reason="a Spark master, two workers and their executors (minutes on 2 cores): set LC_SPARK_CLUSTER=1",
)


def _processes_in(folder: Path) -> list[psutil.Process]:
    """Every process that names ``folder`` on its command line or works in it: the cluster's daemons
    (their working folder), the workers (``--work-dir``) and the executors (an application's folder)."""
    found = []
    for process in psutil.process_iter(["cmdline", "cwd"]):
        cmdline, cwd = process.info["cmdline"] or [], process.info["cwd"] or ""
        if cwd.startswith(str(folder)) or any(str(folder) in part for part in cmdline):
            found.append(process)
    return found


def test_scripts_pipeline_on_a_standalone_cluster_equals_duckdb(
    small_input: Path, scripts_reference: Path, tmp_path: Path
) -> None:
    require(shutil.which("java") is not None, "Spark needs a Java runtime (java on PATH)")
    cluster_dir, output_dir = tmp_path / "cluster", tmp_path / "output"
    started = time.monotonic()
    with standalone_cluster(cluster_dir, workers=2) as cluster:
        ready = time.monotonic()
        daemons = [psutil.Process(service.process.pid) for service in cluster.services.services if service.process]
        assert len(daemons) == 3 and cluster.state()["aliveworkers"] == 2
        code = f"from pathlib import Path; from impl_scripts.pipeline import run; run(Path({str(small_input)!r}), Path({str(output_dir)!r}), engine='spark')"
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO,
            env={**os.environ, MASTER_ENV: cluster.url},
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_SECONDS,
        )
        ran = time.monotonic()
        assert done.returncode == 0, done.stderr[-5000:]
        state = cluster.state()
    stopped = time.monotonic()
    print(
        f"\ncluster ready {ready - started:.1f} s, pipeline run {ran - ready:.1f} s, "
        f"stop {stopped - ran:.1f} s, total {stopped - started:.1f} s"
    )

    # The run's session was on the cluster: its settings name the master, the master lists the
    # application as finished, and both workers ran an executor of it (each keeps a work folder).
    defaults = (SparkLayout(output_dir).conf_dir / "spark-defaults.conf").read_text()
    assert f"spark.master {cluster.url}\n" in defaults
    apps = [app for app in state["completedapps"] + state["activeapps"] if app["name"] == "lc-pipeline"]
    assert len(apps) == 1 and apps[0]["state"] == "FINISHED", json.dumps(state, indent=2)
    for worker in ("worker-1", "worker-2"):
        assert list((cluster_dir / "work" / worker).glob(f"{apps[0]['id']}/*/stderr")), worker

    differences = output_differences(scripts_reference, output_dir)
    assert not differences, json.dumps(differences, indent=2, ensure_ascii=False)
    assert spark_tables(SparkLayout(output_dir))

    # Nothing of the cluster is left: not its daemons, not an executor.
    assert not [daemon.pid for daemon in daemons if daemon.is_running()]
    assert not _processes_in(cluster_dir.resolve())
