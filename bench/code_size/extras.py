"""What some implementations have and others lack: their extras, counted apart from their definitions.

Lines of code compare like for like only if a feature that some implementations have and another lacks
is not counted against them. Each entry names a top-level definition (function, class or assignment) of a
file, and the feature it serves; the code-size section counts its lines under "extras" and leaves
them out of the definitions the ADR rows compare. A name that no longer exists fails the section.
"""

from __future__ import annotations

CHECKS_IN_TOOL = "our quality checks as the tool's own check results"

# A schedule, a run per new input folder and an alert per failed run are no extras: Dagster, Airflow and
# Prefect each have them (jobs.py, alerts.py; dags/lc_landing.py, triggers.py, alerts.py; deployments.py,
# landing.py, alerts.py), in their definitions.
# implementation -> (file relative to its folder, top-level name) -> feature
EXTRAS: dict[str, dict[tuple[str, str], str]] = {
    "dagster": {
        ("assets/checks.py", "_reconcile_check"): CHECKS_IN_TOOL,
        ("assets/checks.py", "_files_check"): CHECKS_IN_TOOL,
        ("assets/checks.py", "reconcile_checks"): CHECKS_IN_TOOL,
        ("assets/checks.py", "files_checks"): CHECKS_IN_TOOL,
    },
    "prefect": {
        ("tasks.py", "_publish_report"): CHECKS_IN_TOOL,
    },
}

# Whole files only one implementation ships, for a feature the others lack, left out of its config
# files: Dagster's deployment beyond one machine (compose and Helm, the ADR's phase 3), on paper only.
EXTRA_FILES: dict[str, dict[str, str]] = {
    "dagster": {
        "deploy/compose.yaml": "its deployment beyond one machine (compose)",
        "deploy/helm-values.yaml": "its deployment beyond one machine (Helm)",
    },
}
