"""Run-failure alerts, one format for every orchestrator: each failed run becomes a line someone will see.

An alert is one JSON line appended to ``<output folder>/alerts/run_failures.jsonl`` and, when
``LC_ALERT_WEBHOOK_URL`` is set, posted there as JSON (a chat or incident tool's incoming webhook).
The file's line is written first: a webhook that does not answer loses nothing, and the caller logs
the delivery problem this returns where its tool shows such things.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from core.settings import OUTPUT_DIR_ENV, env_path

WEBHOOK_ENV = "LC_ALERT_WEBHOOK_URL"
ALERTS_FILE = "alerts/run_failures.jsonl"


def alerts_home(run_output_dir: Path) -> Path:
    """Where a run's alert goes: the deployment's output folder (``LC_OUTPUT_DIR``), where every run's
    alerts gather; without one, the run's own output folder."""
    return env_path(OUTPUT_DIR_ENV) or run_output_dir


def last_line(message: str) -> str:
    """A failure's own words: the last line of an error and its traceback."""
    lines = message.strip().splitlines()
    return lines[-1] if lines else ""


def alert_run_failure(
    output_dir: Path,
    *,
    run_id: str,
    pipeline: str,
    input_dir: str | None,
    error: str,
    failed_steps: Mapping[str, str],
) -> str | None:
    """Record one failed run; returns why the webhook did not take it, or None."""
    alert = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_id": run_id,
        "job": pipeline,
        "input_dir": input_dir,
        "error": error,
        "failed_steps": dict(failed_steps),
    }
    alerts = output_dir / ALERTS_FILE
    alerts.parent.mkdir(parents=True, exist_ok=True)
    with alerts.open("a", encoding="utf-8") as file:
        file.write(json.dumps(alert) + "\n")
    if url := os.environ.get(WEBHOOK_ENV):
        try:
            httpx.post(url, json=alert, timeout=10).raise_for_status()
        except httpx.HTTPError as problem:
            return f"alert for run {run_id} not delivered to {WEBHOOK_ENV}: {problem}"
    return None


def run_failure_alerts(output_dir: Path) -> list[dict[str, Any]]:
    """The alerts recorded under ``output_dir``, oldest first."""
    alerts = output_dir / ALERTS_FILE
    if not alerts.exists():
        return []
    return [json.loads(line) for line in alerts.read_text(encoding="utf-8").splitlines() if line.strip()]
