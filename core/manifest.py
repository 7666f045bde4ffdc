"""The dbt manifest a tool plans its run from, and the one rule for when it must be parsed again.

Dagster (``@dbt_assets``) and Airflow (cosmos, ``LoadMode.DBT_MANIFEST``) both read the graph of
the dbt project from ``manifest.json``, produced ahead of time by ``dbt parse``. A manifest is
current when it was parsed from exactly the files the project holds now, by the dbt version
installed now: a fingerprint of both (SHA-256) is written beside the manifest when it is parsed
and compared before a run. Content, not modification times: a fresh clone, a checkout or a copy
sets every time anew, and a packaged copy of the project must compare equal to its source.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path

from core.files import atomic_write

FINGERPRINT_FILE = "project.sha256"
# Everything under the project that is not dbt's own output is an input to the manifest.
NOT_SOURCES = frozenset({"target", "logs", "dbt_packages", ".user.yml"})


def project_fingerprint(project_dir: Path) -> str:
    """A hash of the dbt project's files and of the dbt version that parses them."""
    digest = hashlib.sha256(f"dbt-core {version('dbt-core')}\n".encode())
    for path in sorted(project_dir.rglob("*")):
        relative = path.relative_to(project_dir)
        if not path.is_file() or relative.parts[0] in NOT_SOURCES:
            continue
        digest.update(f"{relative.as_posix()}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _fingerprint_path(manifest: Path) -> Path:
    return manifest.with_name(FINGERPRINT_FILE)


def manifest_is_current(manifest: Path, project_dir: Path) -> bool:
    """True when ``manifest`` was parsed from the project as it is now (see the module's docstring)."""
    recorded = _fingerprint_path(manifest)
    return (
        manifest.is_file()
        and recorded.is_file()
        and recorded.read_text(encoding="utf-8").strip() == project_fingerprint(project_dir)
    )


def record_parse(manifest: Path, fingerprint: str) -> None:
    """Note that ``manifest`` was parsed from the project whose fingerprint, taken before the parse,
    is ``fingerprint`` (a file changed during the parse then makes the manifest stale, as it is)."""
    with atomic_write(_fingerprint_path(manifest)) as temporary:
        temporary.write_text(fingerprint + "\n", encoding="utf-8")
