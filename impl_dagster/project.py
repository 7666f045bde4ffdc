"""The one dbt project (``dbt/``) as Dagster sees it, and where its manifest comes from.

The dagster-dbt way (as in dagster's ``examples/assets_dbt_python``):

* under ``dagster dev``, :meth:`DbtProject.prepare_if_dev` runs ``dbt parse`` at every code-location
  load, so edits to the models show up on "Reload";
* for a deployment, ``dagster-dbt project prepare-and-package --file impl_dagster/project.py`` parses
  once at build time and copies the project with its manifest into ``impl_dagster/dbt-project``,
  which is then used instead of ``dbt/`` (nothing is parsed at import);
* elsewhere (``lc-pipeline``, tests, a fresh clone) dagster-dbt's preparer parses the project only
  when its manifest is missing or stale, by the rule every tool here shares (:mod:`core.manifest`:
  a fingerprint of the project's files beside the manifest); a current manifest costs milliseconds.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from core.manifest import manifest_is_current as manifest_is_current_for
from core.manifest import project_fingerprint, record_parse
from core.transform import DBT_PROJECT_DIR, SHIPPED_DBT_PROJECT_DIR

logger = logging.getLogger(__name__)

PACKAGED_PROJECT_DIR = Path(__file__).resolve().parent / "dbt-project"
# Dagster's own artifacts folder inside the dbt project, so that a ``dbt parse`` run by another
# tool into ``dbt/target`` never swaps the manifest under a running code location.
TARGET_PATH = Path("target") / "dagster"

# The dbt CLI of this environment. dagster-dbt runs ``dbt`` from PATH (to parse the project and
# for ``dbt --version``), and ``.venv/bin/dagster dev`` started without activating the venv has no
# ``dbt`` there: put this interpreter's scripts folder on PATH when ``dbt`` is not found.
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"
if shutil.which("dbt") is None and DBT_EXECUTABLE.exists():
    os.environ["PATH"] = os.pathsep.join([str(DBT_EXECUTABLE.parent), os.environ.get("PATH", "")])
if not DBT_EXECUTABLE.exists():
    DBT_EXECUTABLE = Path(shutil.which("dbt") or "dbt")


dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    target_path=TARGET_PATH,
    # A packaged copy stands for the shipped dbt/ only: a project named by LC_DBT_PROJECT_DIR (the
    # harness's synthetic projects) must not be replaced by it silently.
    packaged_project_dir=PACKAGED_PROJECT_DIR if DBT_PROJECT_DIR == SHIPPED_DBT_PROJECT_DIR.resolve() else None,
)


def manifest_is_current(project: DbtProject) -> bool:
    return manifest_is_current_for(project.manifest_path, project.project_dir)


def ensure_manifest(project: DbtProject) -> None:
    """Parse the project with dagster-dbt's preparer when its manifest is missing or stale."""
    packaged = project.packaged_project_dir is not None and project.project_dir == project.packaged_project_dir
    if packaged and project.manifest_path.exists():
        # A deployment's packaged copy is used as built; only warn if dbt/ has changed since.
        if project_fingerprint(project.project_dir) != project_fingerprint(DBT_PROJECT_DIR):
            logger.warning(
                "%s differs from %s; re-run `dagster-dbt project prepare-and-package "
                "--file impl_dagster/project.py` (or delete %s)",
                project.packaged_project_dir,
                DBT_PROJECT_DIR,
                project.packaged_project_dir,
            )
        return
    if manifest_is_current(project):
        return
    logger.info("dbt manifest missing or out of date: running dbt parse into %s", project.manifest_path.parent)
    _prepare(project)


def _prepare(project: DbtProject) -> None:
    """dagster-dbt's own preparation (``dbt parse``), noting what it parsed."""
    fingerprint = project_fingerprint(project.project_dir)
    project.preparer.prepare(project)
    record_parse(project.manifest_path, fingerprint)


if dbt_project.preparer.using_dagster_dev():
    _prepare(dbt_project)  # what dbt_project.prepare_if_dev() does: parse at every code-location load
else:
    ensure_manifest(dbt_project)
