"""The dbt project on Apache Spark (dbt-spark, ``method: session``): what differs from a DuckDB run.

Only dbt changes engine. Everything around it stays on DuckDB, so there is one ingestion and one
export path, tested once:

1. ``core.ingest`` loads and checks the CSVs into DuckDB's raw tables exactly as for a DuckDB run;
   :func:`land_raw_table` then lands each raw table as a Parquet file under
   ``<output>/spark/raw/``, as a lake would hold it.
2. dbt runs with the ``spark`` target of ``dbt/profiles.yml``: the ``raw`` sources read those
   Parquet files where they lie (``dbt/models/staging/_sources.yml``) and every model is written
   as a Parquet table under ``<output>/spark/tables/<model>/`` (``location_root`` in
   ``dbt/dbt_project.yml``).
3. :func:`publish_tables` gives the run's DuckDB warehouse one view per Spark table over its
   Parquet files, so ``core.export`` (files, quality report) and Dagster's checks read Spark's
   results with the same code, and the output files are written by the same writer.

The Spark session is local (``local[2]``), or on the master ``LC_SPARK_MASTER`` names (a standalone
cluster on this machine: :mod:`core.spark_cluster`). Its settings are written to
``<output>/spark/conf/spark-defaults.conf`` and handed over as ``SPARK_CONF_DIR``, which every
JVM the project starts reads: the one :func:`start_session` starts in this process (the scripts
pipeline, whose in-process dbt then finds it through ``getOrCreate()``), and the one dbt starts in
its own process when Dagster's dbt CLI resource runs it. Pointing the project at a cluster or at
Databricks needs only another profile: see ``docs/spark.md``.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from core.environment import scoped_environ
from core.files import atomic_write
from core.layout import FIELD_COUNT, HEADER_FIELD_COUNT, RAW_SCHEMA, SOURCE_FILE, SOURCE_ROW, InputFile

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = logging.getLogger(__name__)

# Read by dbt/profiles.yml, dbt/dbt_project.yml and dbt/models/staging/_sources.yml.
TARGET_ENV = "LC_DBT_TARGET"
RAW_DIR_ENV = "LC_SPARK_RAW_DIR"
TABLES_DIR_ENV = "LC_SPARK_TABLES_DIR"
# Where the session runs: unset, a local session (local[2]); set, that master, e.g. the spark:// URL
# of the standalone cluster core.spark_cluster starts on this machine.
MASTER_ENV = "LC_SPARK_MASTER"
LOCAL_MASTER = "local[2]"

# Every JVM of ours runs many short tasks on small data: compiling with C1 only roughly halved a
# micro-benchmark's time here (less JIT work competing for 2 cores; noisy, loaded machine), and a heap
# of a few hundred MB needs no parallel GC threads.
LIGHT_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
# log4j2 for every JVM of ours: warnings and errors to stderr, one line each with the time.
LOG4J2_CONSOLE = """\
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
"""
# Hive's metastore logs an ERROR with a stack trace for every `create schema if not exists` of a
# schema that exists, which dbt runs each time; Spark's own log4j2 template silences it the same way.
_LOG4J2 = (
    LOG4J2_CONSOLE
    + """\
logger.hive_handler.name = org.apache.hadoop.hive.metastore.RetryingHMSHandler
logger.hive_handler.level = fatal
logger.hive_functions.name = org.apache.hadoop.hive.ql.exec.FunctionRegistry
logger.hive_functions.level = error
logger.hive_conf.name = org.apache.hadoop.hive.conf.HiveConf
logger.hive_conf.level = error
logger.hadoop_native.name = org.apache.hadoop.util.NativeCodeLoader
logger.hadoop_native.level = error
logger.metastore.name = org.apache.hadoop.hive.metastore
logger.metastore.level = error
logger.hive_session.name = org.apache.hadoop.hive.ql.session.SessionState
logger.hive_session.level = error
logger.datanucleus.name = DataNucleus
logger.datanucleus.level = error
"""
)


@dataclass(frozen=True)
class SparkLayout:
    """Where one run keeps its Spark files: all under ``<output>/spark/``, never in the repository."""

    output_dir: Path

    @property
    def root(self) -> Path:
        return self.output_dir.resolve() / "spark"

    @property
    def conf_dir(self) -> Path:
        """``SPARK_CONF_DIR``: spark-defaults.conf and log4j2.properties."""
        return self.root / "conf"

    @property
    def raw_dir(self) -> Path:
        """The landed raw tables, one Parquet file per input file."""
        return self.root / "raw"

    @property
    def tables_dir(self) -> Path:
        """dbt's models as Spark writes them: one folder of Parquet files per model."""
        return self.root / "tables"

    @property
    def metastore_dir(self) -> Path:
        """The embedded Derby database of Spark's Hive metastore (schemas and table locations)."""
        return self.root / "metastore_db"

    @property
    def warehouse_dir(self) -> Path:
        """``spark.sql.warehouse.dir``: the schemas' own folders (tables go to ``tables_dir``)."""
        return self.root / "warehouse"

    def raw_file(self, spec: InputFile) -> Path:
        return self.raw_dir / f"{spec.raw_table}.parquet"


def session_settings(layout: SparkLayout) -> dict[str, str]:
    """The local session's settings: small, quiet, offline, and every file under the run's folder.

    ANSI mode is off: dbt-spark 1.11 forces ``spark.sql.ansi.enabled=false`` on every statement of a
    session connection. The models never rely on it: every cast of text is guarded by a full-match
    regular expression, and the decimal types are wide enough that no product or sum overflows (an
    overflow would show as NULL, which the dbt tests' ``not_null`` on every money column would fail).

    ``LC_SPARK_MASTER`` replaces ``local[2]`` (:mod:`core.spark_cluster`); every other setting
    stays, the driver's among them: it listens on 127.0.0.1, so the cluster must be on this machine,
    and its paths are local ones, which executors here read and write as the driver does.
    """
    java_options = " ".join(
        [
            f'-Dderby.system.home="{layout.root}"',  # derby.log goes there, not into the working folder
            LIGHT_JVM_OPTIONS,
        ]
    )
    return {
        "spark.master": os.environ.get(MASTER_ENV) or LOCAL_MASTER,
        "spark.app.name": "lc-pipeline",
        "spark.driver.memory": "1g",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.extraJavaOptions": java_options,
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": str(layout.warehouse_dir),
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={layout.metastore_dir};create=true",
        # A re-run rebuilds each table in its folder: dbt drops the (external) table, whose files
        # stay, then creates it again there; the new files replace the old ones.
        "spark.sql.legacy.allowNonEmptyLocationInCTAS": "true",
    }


def write_session_conf(layout: SparkLayout) -> Path:
    """Write ``spark-defaults.conf`` and ``log4j2.properties`` into the run's ``SPARK_CONF_DIR``."""
    layout.conf_dir.mkdir(parents=True, exist_ok=True)
    defaults = "".join(f"{key} {value}\n" for key, value in session_settings(layout).items())
    (layout.conf_dir / "spark-defaults.conf").write_text(defaults, encoding="utf-8")
    (layout.conf_dir / "log4j2.properties").write_text(_LOG4J2, encoding="utf-8")
    return layout.conf_dir


def jvm_environment(layout: SparkLayout) -> dict[str, str]:
    """What a JVM started by pyspark needs to find the run's settings (written by
    :func:`write_session_conf`), and to stay off the network."""
    return {
        "SPARK_CONF_DIR": str(layout.conf_dir),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": sys.executable,
    }


def dbt_environment(layout: SparkLayout) -> dict[str, str]:
    """The environment of a ``dbt`` invocation on Spark, in this process or in a dbt subprocess."""
    return {
        TARGET_ENV: "spark",
        RAW_DIR_ENV: str(layout.raw_dir),
        TABLES_DIR_ENV: str(layout.tables_dir),
        **jvm_environment(layout),
    }


def start_session(layout: SparkLayout) -> "SparkSession":
    """The Spark session of this process: started with the run's settings, or the one already running.

    dbt-spark's session method calls ``SparkSession.builder.getOrCreate()``, so the session started
    here is the one dbt uses. A process keeps its first session (a JVM holds one): later runs in
    the same process (tests, notebooks) reuse it, with its metastore where the first run put it;
    each run's tables and raw files still go to its own folder (they are paths, not settings).
    """
    from pyspark.sql import SparkSession

    logging.getLogger("py4j").setLevel(logging.WARNING)  # an INFO line per closed gateway connection
    write_session_conf(layout)
    with scoped_environ(jvm_environment(layout)):
        return SparkSession.builder.enableHiveSupport().getOrCreate()


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _string_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def land_raw_table(con: duckdb.DuckDBPyConnection, spec: InputFile, layout: SparkLayout) -> Path:
    """Write ``raw.<table>`` to its Parquet file in record order: temporary name first, then renamed.

    Only the columns the dbt sources declare are landed (the metadata and required columns): extra
    columns of a file are ignored downstream anyway, and their names, taken from the header, need
    not be valid Spark column names.
    """
    columns = [SOURCE_ROW, SOURCE_FILE, FIELD_COUNT, HEADER_FIELD_COUNT, *spec.columns]
    final = layout.raw_file(spec)
    final.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(final) as temporary:
        con.execute(
            f"COPY (SELECT {', '.join(map(_quote_identifier, columns))} "
            f"FROM {RAW_SCHEMA}.{spec.raw_table} ORDER BY {SOURCE_ROW}) TO $path (FORMAT parquet)",
            {"path": str(temporary)},
        )
    log.info("landed %s.%s as %s", RAW_SCHEMA, spec.raw_table, final)
    return final


def spark_tables(layout: SparkLayout) -> dict[str, Path]:
    """Model name -> folder of every table Spark has written for this run."""
    if not layout.tables_dir.is_dir():
        return {}
    return {
        folder.name: folder
        for folder in sorted(layout.tables_dir.iterdir())
        if folder.is_dir() and any(folder.glob("*.parquet"))
    }


def publish_tables(con: duckdb.DuckDBPyConnection, layout: SparkLayout) -> list[str]:
    """Give the DuckDB warehouse a view per Spark table, over its Parquet files; returns the names.

    Whatever the warehouse held under a name before (a DuckDB run's table in the same folder, an
    older view) is replaced. The views name absolute paths: moving the output folder breaks them
    (run again to re-create them).
    """
    published = []
    for name, folder in spark_tables(layout).items():
        kind = con.execute(
            "SELECT table_type FROM information_schema.tables WHERE table_schema = 'main' AND table_name = $name",
            {"name": name},
        ).fetchall()
        if kind and kind[0][0] == "BASE TABLE":
            con.execute(f"DROP TABLE main.{_quote_identifier(name)}")
        # A view's definition cannot hold a bound parameter: the path goes in as an escaped literal.
        con.execute(
            f"CREATE OR REPLACE VIEW main.{_quote_identifier(name)} AS "
            f"SELECT * FROM read_parquet({_string_literal(str(folder / '*.parquet'))})"
        )
        published.append(name)
    log.info("published %d Spark tables into the DuckDB warehouse as views", len(published))
    return published
