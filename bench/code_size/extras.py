"""What some implementations have and others lack: their extras, counted apart from their definitions.

Lines of code compare like for like only if a feature that some implementations have and another lacks
is not counted against them. Each entry names a top-level definition (function, class or assignment) of a
file, and the feature it serves; the code-size section counts its lines under "extras" and leaves
them out of the definitions the ADR rows compare. A name that no longer exists fails the section.
"""

from __future__ import annotations

CHECKS_IN_TOOL = "our quality checks as the tool's own check results"
ALERTS = "an alert on each failed run (file, webhook)"

# A schedule and a run per new input folder are no extras: Dagster, Airflow and Prefect each have them
# (jobs.py; dags/lc_landing.py and triggers.py; deployments.py and landing.py), in their definitions.
# implementation -> (file relative to its folder, top-level name) -> feature
EXTRAS: dict[str, dict[tuple[str, str], str]] = {
    "dagster": {
        ("assets/checks.py", "_reconcile_check"): CHECKS_IN_TOOL,
        ("assets/checks.py", "_files_check"): CHECKS_IN_TOOL,
        ("assets/checks.py", "reconcile_checks"): CHECKS_IN_TOOL,
        ("assets/checks.py", "files_checks"): CHECKS_IN_TOOL,
        ("alerts.py", "WEBHOOK_ENV"): ALERTS,
        ("alerts.py", "ALERTS_FILE"): ALERTS,
        ("alerts.py", "alert_on_run_failure"): ALERTS,
    },
    "prefect": {
        ("tasks.py", "_publish_report"): CHECKS_IN_TOOL,
    },
}
