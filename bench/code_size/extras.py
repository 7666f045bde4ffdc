"""What some implementations have and others lack: their extras, counted apart from their definitions.

Lines of code compare like for like only if a feature that some implementations have and another lacks
is not counted against them. Each entry names a top-level definition (function, class or assignment) of a
file, and the feature it serves; the code-size section counts its lines under "extras" and leaves
them out of the definitions the ADR rows compare. A name that no longer exists fails the section.
"""

from __future__ import annotations

SCHEDULE = "a schedule"
FILE_ARRIVAL = "a run per new input folder (a sensor, a trigger)"
CHECKS_IN_TOOL = "our quality checks as the tool's own check results"
ALERTS = "an alert on each failed run (file, webhook)"

# implementation -> (file relative to its folder, top-level name) -> feature
EXTRAS: dict[str, dict[tuple[str, str], str]] = {
    "dagster": {
        ("jobs.py", "daily_schedule"): SCHEDULE,
        ("jobs.py", "new_input_folder_sensor"): FILE_ARRIVAL,
        ("jobs.py", "_run_request"): FILE_ARRIVAL,
        ("assets/checks.py", "_reconcile_check"): CHECKS_IN_TOOL,
        ("assets/checks.py", "_files_check"): CHECKS_IN_TOOL,
        ("assets/checks.py", "reconcile_checks"): CHECKS_IN_TOOL,
        ("assets/checks.py", "files_checks"): CHECKS_IN_TOOL,
        ("alerts.py", "WEBHOOK_ENV"): ALERTS,
        ("alerts.py", "ALERTS_FILE"): ALERTS,
        ("alerts.py", "alert_on_run_failure"): ALERTS,
    },
    "airflow": {
        ("dags/lc_landing.py", "OUTPUT_DIR"): FILE_ARRIVAL,
        ("dags/lc_landing.py", "LANDING"): FILE_ARRIVAL,
        ("dags/lc_landing.py", "LANDING_ASSET"): FILE_ARRIVAL,
        ("dags/lc_landing.py", "landing"): FILE_ARRIVAL,
        ("triggers.py", "NewInputFolderTrigger"): FILE_ARRIVAL,
    },
    "prefect": {
        ("tasks.py", "_publish_report"): CHECKS_IN_TOOL,
    },
}
