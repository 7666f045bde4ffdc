"""Airflow: ``dag.test()`` with every task but ``quality_report`` and the ``check_inputs`` it reads its
folders from marked successful without running. First, as for any ``dag.test()`` on Airflow 3: the
metadata DB migrated, the DAG serialized, and the dbt manifest cosmos renders the DAG from built."""

import os

import pytest
from airflow.dag_processing.bundles.manager import DagBundlesManager
from airflow.dag_processing.dagbag import BundleDagBag, sync_bag_to_db
from airflow.utils.db import upgradedb
from airflow.utils.session import create_session
from airflow.utils.state import DagRunState

from impl_airflow.config import DAG_BUNDLE, DAG_ID, DAGS_FOLDER
from impl_airflow.launch.manifest import prepare_manifest


@pytest.fixture(scope="module")
def dag():
    prepare_manifest()
    upgradedb()
    with create_session() as session:
        DagBundlesManager().sync_bundles_to_db(session=session)
    dagbag = BundleDagBag(dag_folder=DAGS_FOLDER, bundle_path=DAGS_FOLDER, bundle_name=DAG_BUNDLE)
    sync_bag_to_db(dagbag, DAG_BUNDLE, None)
    return dagbag.dags[DAG_ID]


def report_step(dag, folder: str):
    conf = {"input_dir": os.environ["LC_STEP_INPUT"], "output_dir": folder}
    return dag.test(run_conf=conf, mark_success_pattern=r"(?!check_inputs$|quality_report$).*")


def test_the_report_is_written_when_every_check_passes(dag) -> None:
    assert report_step(dag, os.environ["LC_STEP_GOOD"]).state == DagRunState.SUCCESS


def test_the_step_fails_on_a_broken_warehouse(dag) -> None:
    assert report_step(dag, os.environ["LC_STEP_BROKEN"]).state == DagRunState.FAILED
