"""What the deployed stacks' tests share: a folder PostgreSQL can use, input folders dropped into a
landing folder the way a producer should, a broken input, and "nothing left listening"."""

from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path
from typing import Any

from core.alerts import run_failure_alerts
from core.layout import INPUT_FILES
from core.services import DeployedStack, PostgresUnavailable, postgres_bin_dir
from testkit.prerequisites import require


def postgres_installed() -> bool:
    try:
        postgres_bin_dir()
    except PostgresUnavailable:
        return False
    return True


def reachable_deploy_dir(tmp_path: Path) -> Path:
    """A folder PostgreSQL's own user can reach when the tests run as root (skip if it is not installed)."""
    require(postgres_installed(), "the Debian package postgresql (initdb, pg_ctl)")
    if os.geteuid() == 0:
        for folder in (tmp_path, *tmp_path.parents):
            folder.chmod(folder.stat().st_mode | 0o001)
    return tmp_path / "deploy"


def drop_folder(source: Path, landing: Path, name: str) -> Path:
    """Copy the input files in under a temporary dot-name, then rename: a watcher sees a whole folder."""
    landing.mkdir(parents=True, exist_ok=True)
    partial = landing / f".{name}.partial"
    partial.mkdir()
    for spec in INPUT_FILES:
        shutil.copy(source / spec.name, partial / spec.name)
    folder = landing / name
    partial.rename(folder)
    return folder


def without_balance_column(source: Path, target: Path) -> Path:
    """The input files with the accounts' ``balance`` column missing: a run stops with an error."""
    target.mkdir(parents=True)
    shutil.copy(source / "customers.csv", target / "customers.csv")
    lines = (source / "accounts.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    keep = [i for i, name in enumerate(header) if name.strip().lower() != "balance"]
    rows = [",".join(cells[i] for i in keep if i < len(cells)) for cells in (line.split(",") for line in lines)]
    (target / "accounts.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return target


def alert_for(stack: DeployedStack, run_id: str, timeout: float = 120) -> dict[str, Any]:
    """The run-failure alert recorded for ``run_id`` in the stack's output folder, once it is there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.services.check()
        for alert in run_failure_alerts(stack.output_dir):
            if alert["run_id"] == run_id:
                return alert
        time.sleep(2)
    raise AssertionError(f"no alert for run {run_id} under {stack.output_dir} within {timeout:.0f} s")


def listening(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as sock:
        return sock.connect_ex((host, int(port))) == 0


def postgres_stopped(deploy_dir: Path) -> bool:
    """PostgreSQL removes its PID file as it exits."""
    return not (deploy_dir / "postgres" / "postmaster.pid").exists()
