"""The dbt manifest that cosmos renders the DAG's dbt tasks from (``LoadMode.DBT_MANIFEST``).

Parsing a DAG file must be quick and must not run dbt, so the manifest is produced ahead of time by
``dbt parse`` into a known path (``impl_airflow/.build/dbt_target/manifest.json``), the way a CI
step would before shipping DAGs. :func:`prepare_manifest` re-parses only when the dbt project
changed since the last parse (:mod:`core.manifest`: a fingerprint of its files is kept beside the
manifest), so calling it before every run costs milliseconds.

    python -m impl_airflow.launch.manifest        # (re)build it by hand, e.g. before `airflow standalone`
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from core.manifest import manifest_is_current, project_fingerprint, record_parse
from core.transform import DBT_PROJECT_DIR, dbt_cli_args
from impl_airflow.config import BUILD_DIR, DBT_MANIFEST, DBT_TARGET_DIR


def prepare_manifest(force: bool = False) -> Path:
    """Make sure ``DBT_MANIFEST`` matches the dbt project; run ``dbt parse`` if it does not."""
    if not force and manifest_is_current(DBT_MANIFEST, DBT_PROJECT_DIR):
        return DBT_MANIFEST
    from dbt.cli.main import dbtRunner  # imported late: dbt's import alone takes seconds

    fingerprint = project_fingerprint(DBT_PROJECT_DIR)
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    # Parse into a scratch folder and move the manifest into place, so a reader (a DAG processor,
    # another run) never sees a half-written file.
    with tempfile.TemporaryDirectory(dir=BUILD_DIR, prefix="dbt_parse_") as scratch:
        target = Path(scratch)
        os.environ.setdefault("DO_NOT_TRACK", "1")
        result = dbtRunner().invoke(dbt_cli_args(["parse", "--quiet"], target))
        if not result.success:
            raise RuntimeError(f"dbt parse of {DBT_PROJECT_DIR} failed: {result.exception or 'see dbt logs'}")
        DBT_TARGET_DIR.mkdir(parents=True, exist_ok=True)
        os.replace(target / "manifest.json", DBT_MANIFEST)
        shutil.rmtree(target / "logs", ignore_errors=True)
    record_parse(DBT_MANIFEST, fingerprint)
    return DBT_MANIFEST


if __name__ == "__main__":
    print(prepare_manifest(force="--force" in sys.argv[1:]))
