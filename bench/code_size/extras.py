"""What each implementation has that the others do not: its extras, counted apart from its definitions.

Lines of code compare like for like only if a feature one implementation has and the others lack is
not counted against it. Each entry names a top-level definition (function, class or assignment) of a
file, and the feature it serves; the code-size section counts its lines under "extras" and leaves
them out of the definitions the ADR rows compare. A name that no longer exists fails the section.
"""

from __future__ import annotations

SCHEDULE = "a schedule"
FILE_ARRIVAL = "a run per new input folder (sensor)"
CHECKS_IN_TOOL = "our quality checks as the tool's own check results"
ALERTS = "an alert on each failed run (file, webhook)"

# implementation -> (file relative to its folder, top-level name) -> feature
EXTRAS: dict[str, dict[tuple[str, str], str]] = {
    "dagster": {
        ("jobs.py", "daily_schedule"): SCHEDULE,
        ("jobs.py", "landing_dir"): FILE_ARRIVAL,
        ("jobs.py", "_ready_folders"): FILE_ARRIVAL,
        ("jobs.py", "_input_files"): FILE_ARRIVAL,
        ("jobs.py", "new_input_folder_sensor"): FILE_ARRIVAL,
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
