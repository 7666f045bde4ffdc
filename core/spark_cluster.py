"""A Spark standalone cluster on this machine, for running ``--engine spark`` on a real cluster.

The local session (``local[2]``, :mod:`core.spark`) runs the driver and its tasks in one JVM, so
nothing in it crosses a process boundary. A standalone cluster does: a master, and workers that
each start an executor JVM of their own, which reads the raw Parquet files and writes the models'
Parquet files while the driver (in the pipeline's process) plans the queries and keeps the
metastore. Running the pipeline against one is how we check that the project does not depend on
living in one JVM, without a cluster elsewhere: every process here is a child of ours.

The master and each worker are started by pyspark's own launcher (``<pyspark>/bin/spark-class``;
the pip package ships no Spark distribution, and none is downloaded), each in a process group of
its own through :class:`core.services.ServiceGroup`, on free loopback ports, with their logs and
work folders under the folder given; on exit each group gets SIGTERM, then SIGKILL, so nothing is
left running (executors are children of their worker, in its group). The pipeline is pointed at
the cluster by ``LC_SPARK_MASTER`` (read by :func:`core.spark.session_settings`):

    with standalone_cluster(output_dir / "spark-cluster") as cluster:
        with scoped_environ({MASTER_ENV: cluster.url}):
            run(input_dir, output_dir, engine="spark")

or, from a shell, ``python -m core.spark_cluster`` (see ``docs/spark.md``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.services import ServiceGroup, free_port, say, serve_in_foreground
from core.spark import LIGHT_JVM_OPTIONS, LOG4J2_CONSOLE, MASTER_ENV

HOST = "127.0.0.1"
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
WORKER_CORES = 1  # two workers of one core each: the machine's two cores, as local[2] uses them
WORKER_MEMORY = "1g"  # what an executor gets by default (spark.executor.memory), so one fits
# Master and workers only schedule and supervise; the executors they start do the work.
DAEMON_MEMORY = "256m"
START_TIMEOUT_SECONDS = 180  # three JVMs starting on two cores, possibly shared with other work

# The daemons' and executors' log4j2 settings, to each process's log file: warnings and errors, and
# the master's and workers' own news (workers registered, applications and executors started and ended).
_LOG4J2 = (
    LOG4J2_CONSOLE
    + """\
logger.deploy.name = org.apache.spark.deploy
logger.deploy.level = info
"""
)


# The master's web UI is on the loopback interface: never through an http_proxy of the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ClusterUnavailable(RuntimeError):
    """The cluster cannot be started here (no pyspark launcher, no Java); the message says which."""


@dataclass(frozen=True)
class StandaloneCluster:
    """A running cluster: the URL drivers connect to, the master's web UI, and its processes."""

    url: str  # spark://127.0.0.1:<port>: the value for LC_SPARK_MASTER (spark.master)
    web_url: str  # http://127.0.0.1:<port>: the master's web UI; its /json is the cluster's state
    folder: Path
    services: ServiceGroup

    def state(self) -> dict[str, Any]:
        """The master's view of the cluster (workers, running and completed applications)."""
        return master_state(self.web_url)


def master_state(web_url: str) -> dict[str, Any]:
    """``GET <web UI>/json``: the master's JSON status page."""
    with _DIRECT.open(f"{web_url}/json", timeout=5) as response:
        return json.load(response)


def alive_workers(web_url: str) -> int:
    return sum(1 for worker in master_state(web_url).get("workers", []) if worker.get("state") == "ALIVE")


def spark_home() -> Path:
    """The pip package's folder, which is a Spark home: ``bin/spark-class`` and ``jars/``."""
    try:
        import pyspark
    except ImportError:
        raise ClusterUnavailable("pyspark is not installed (make setup installs it)") from None
    home = Path(pyspark.__file__).resolve().parent
    if not (home / "bin" / "spark-class").is_file() or not (home / "jars").is_dir():
        raise ClusterUnavailable(f"{home} has no bin/spark-class and jars/: not a pip-installed pyspark")
    return home


def cluster_environment(home: Path, conf_dir: Path) -> dict[str, str]:
    """The daemons' environment, which the executors they start inherit.

    ``SPARK_HOME`` is set so that ``spark-class`` need not run Python to find it; ``SPARK_CONF_DIR``
    points at the cluster's own folder (the log settings only, no ``spark-defaults.conf``: a
    driver's settings are its own); everything listens on the loopback interface; the executors'
    Python is this interpreter, the driver's.
    """
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and Path(java_home, "bin", "java").is_file()) and shutil.which("java") is None:
        raise ClusterUnavailable("Spark needs a Java 17 runtime: java on PATH, or JAVA_HOME")
    return {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_CONF_DIR": str(conf_dir),
        "SPARK_LOCAL_IP": HOST,
        "SPARK_DAEMON_MEMORY": DAEMON_MEMORY,
        "SPARK_DAEMON_JAVA_OPTS": LIGHT_JVM_OPTIONS,  # as the driver's
        # The master's REST submission server would take the fixed port 6066: jobs come from our driver only.
        "SPARK_MASTER_OPTS": "-Dspark.master.rest.enabled=false",
        "PYSPARK_PYTHON": sys.executable,
    }


@contextmanager
def standalone_cluster(
    folder: Path, workers: int = 2, port: int | None = None, web_port: int | None = None
) -> Iterator[StandaloneCluster]:
    """Start a master and ``workers`` workers, each a JVM in its own process group; stop them on exit.

    Returns once the master's web UI lists every worker ALIVE. The master listens on ``port`` and
    its web UI on ``web_port`` (default: free ones), on 127.0.0.1 only. Each worker offers one core
    and 1 GB to executors and keeps their work folders (an application's executor logs among them)
    under ``<folder>/work/worker-<n>``; each process's own log is ``<folder>/logs/<name>.log``.
    """
    folder = folder.resolve()
    home = spark_home()
    conf_dir = folder / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    (conf_dir / "log4j2.properties").write_text(_LOG4J2, encoding="utf-8")
    services = ServiceGroup(folder / "logs", cwd=folder, env=cluster_environment(home, conf_dir))
    spark_class = str(home / "bin" / "spark-class")
    port, web_port = port or free_port(), web_port or free_port()
    cluster = StandaloneCluster(f"spark://{HOST}:{port}", f"http://{HOST}:{web_port}", folder, services)
    try:
        master = [spark_class, MASTER_CLASS, "--host", HOST, "--port", str(port), "--webui-port", str(web_port)]
        services.start(
            "spark-master",
            master,
            ready=lambda: master_state(cluster.web_url)["status"] == "ALIVE",
            timeout=START_TIMEOUT_SECONDS,
        )
        for number in range(1, workers + 1):
            work_dir = folder / "work" / f"worker-{number}"
            work_dir.mkdir(parents=True, exist_ok=True)
            worker = [
                spark_class,
                WORKER_CLASS,
                cluster.url,
                "--host",
                HOST,
                "--cores",
                str(WORKER_CORES),
                "--memory",
                WORKER_MEMORY,
                "--work-dir",
                str(work_dir),
                "--webui-port",
                str(free_port()),
            ]
            services.start(f"spark-worker-{number}", worker)
        services.wait_until(
            lambda: alive_workers(cluster.web_url) == workers, f"{workers} workers ALIVE", START_TIMEOUT_SECONDS
        )
        yield cluster
    finally:
        services.stop()


def main(argv: list[str] | None = None) -> int:
    """``python -m core.spark_cluster``: a cluster in the foreground until Ctrl-C, then stopped."""
    parser = argparse.ArgumentParser(
        prog="python -m core.spark_cluster", description="A Spark standalone cluster on this machine, until Ctrl-C."
    )
    parser.add_argument("--folder", type=Path, default=Path("output/spark-cluster"), help="logs and work folders")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=7077, help="the master's port (default 7077)")
    args = parser.parse_args(argv)

    @contextmanager
    def announced() -> Iterator[StandaloneCluster]:
        say(f"starting a master and {args.workers} workers (logs in {args.folder.resolve() / 'logs'})")
        with standalone_cluster(args.folder, args.workers, port=args.port) as cluster:
            say(f"ready: {MASTER_ENV}={cluster.url}  (web UI {cluster.web_url}); Ctrl-C stops it")
            yield cluster

    return serve_in_foreground("spark-cluster", announced)  # it reports ClusterUnavailable, a RuntimeError


if __name__ == "__main__":
    sys.exit(main())
