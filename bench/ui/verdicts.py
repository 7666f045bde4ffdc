"""The ADR row judged from the UI section's figures: Local Development."""

from __future__ import annotations

from bench.store import Store
from bench.ui.render import measured_seconds
from bench.verdicts import NOT_MEASURABLE, REFUTED, SUPPORTED, Verdict


def judge_local_development(store: Store) -> Verdict:
    """ADR row "Local Development: `dagster dev` vs Complex setup", from the UI section's figures.

    Supported when Dagster's UI lists our pipeline sooner than Airflow's, needs fewer settings, and
    shows a code change sooner; refuted when any of these is not so; not measurable without both.
    """
    dagster, airflow = store.ui.tools.get("dagster"), store.ui.tools.get("airflow")
    if not dagster or not airflow:
        return Verdict(NOT_MEASURABLE, "the UI section did not run for both Dagster and Airflow (`--no-ui`?)")
    pair = {"dagster": dagster, "airflow": airflow}
    ready = {n: r.pipeline_listed_seconds for n, r in pair.items()}
    settings = {n: len(r.newcomer.settings) for n, r in pair.items()}
    reload = {n: r.hot_reload.seconds if r.hot_reload else None for n, r in pair.items()}
    evidence = (
        f"one make command each; settings passed: Dagster {settings['dagster']}, Airflow {settings['airflow']}; "
        f"command to pipeline listed: Dagster {measured_seconds(ready['dagster'])}, Airflow {measured_seconds(ready['airflow'])}; "
        f"code change to listed: Dagster {measured_seconds(reload['dagster'])} (Reload clicked), "
        f"Airflow {measured_seconds(reload['airflow'])} (automatic)"
    )
    if ready["dagster"] is None or ready["airflow"] is None:
        return Verdict(NOT_MEASURABLE, evidence)
    simpler = ready["dagster"] < ready["airflow"] and settings["dagster"] < settings["airflow"]
    if reload["dagster"] is not None and reload["airflow"] is not None:
        simpler = simpler and reload["dagster"] <= reload["airflow"]
    return Verdict(SUPPORTED if simpler else REFUTED, evidence)
