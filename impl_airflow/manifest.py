"""The dbt manifest that cosmos renders the DAG's dbt tasks from (``LoadMode.DBT_MANIFEST``).

Parsing a DAG file must be quick and must not run dbt, so the manifest is produced ahead of time by
``dbt parse`` into a known path (``impl_airflow/.build/dbt_target/manifest.json``), the way a CI
step would before shipping DAGs. :func:`prepare_manifest` re-parses only when the dbt project
changed since the last parse (a fingerprint of its files is kept beside the manifest), so calling it
before every run costs milliseconds.

    python -m impl_airflow.manifest        # (re)build it by hand, e.g. before `airflow standalone`
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

from core.transform import DBT_PROJECT_DIR, dbt_cli_args
from impl_airflow.config import BUILD_DIR, DBT_MANIFEST, DBT_TARGET_DIR

_FINGERPRINT = DBT_TARGET_DIR / "project.sha256"
# Everything under the project that is not dbt's own output is an input to the manifest.
_NOT_SOURCES = {"target", "logs", "dbt_packages", ".user.yml"}


def project_fingerprint() -> str:
    """A hash of the dbt project's files and of the dbt version that parses them."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"dbt-core {version('dbt-core')}\n".encode())
    for path in sorted(DBT_PROJECT_DIR.rglob("*")):
        relative = path.relative_to(DBT_PROJECT_DIR)
        if not path.is_file() or relative.parts[0] in _NOT_SOURCES:
            continue
        digest.update(f"{relative.as_posix()}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def manifest_is_current() -> bool:
    return (
        DBT_MANIFEST.is_file() and _FINGERPRINT.is_file() and _FINGERPRINT.read_text().strip() == project_fingerprint()
    )


def prepare_manifest(force: bool = False) -> Path:
    """Make sure ``DBT_MANIFEST`` matches the dbt project; run ``dbt parse`` if it does not."""
    if not force and manifest_is_current():
        return DBT_MANIFEST
    from dbt.cli.main import dbtRunner  # imported late: dbt's import alone takes seconds

    fingerprint = project_fingerprint()
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
        fingerprint_tmp = target / "project.sha256"
        fingerprint_tmp.write_text(fingerprint + "\n")
        os.replace(fingerprint_tmp, _FINGERPRINT)
        shutil.rmtree(target / "logs", ignore_errors=True)
    return DBT_MANIFEST


if __name__ == "__main__":
    print(prepare_manifest(force="--force" in sys.argv[1:]))
