"""Each deployed tool seen through its own API, as a team's tooling would see it: start a run of the
pipeline on an input folder, read a run's state and its steps' times, find the run a landed folder
got. Dagster through its GraphQL API (the webserver's ``/graphql``), Airflow through its REST API
(``/api/v2``), Prefect through its REST API (``/api``).

Every time is epoch seconds as the tool recorded it; states are mapped to four words
(``queued``, ``running``, ``success``, ``failed``), the tool's own word kept beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import httpx

from core.landing import run_key

QUEUED, RUNNING, SUCCESS, FAILED = "queued", "running", "success", "failed"
FINISHED = {SUCCESS, FAILED}


@dataclass(frozen=True)
class Step:
    name: str
    start: float
    end: float
    tries: int = 1


@dataclass(frozen=True)
class RunRecord:
    """One run as its tool records it."""

    run_id: str
    state: str  # one of QUEUED, RUNNING, SUCCESS, FAILED
    tool_state: str
    start: float | None
    end: float | None
    steps: list[Step] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


class ToolApi(Protocol):
    # The process a crash kills: the one that starts runs (Dagster's daemon, Airflow's scheduler,
    # Prefect's worker).
    crash_target: str

    def trigger(self, input_dir: Path, output_dir: Path) -> str: ...
    def run(self, run_id: str) -> RunRecord: ...
    def run_for_landed(self, folder: Path) -> str | None: ...
    def close(self) -> None: ...


def _epoch(stamp: str | None) -> float | None:
    return None if not stamp else datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _state(tool_state: str, queued: set[str], success: set[str], failed: set[str]) -> str:
    if tool_state in success:
        return SUCCESS
    if tool_state in failed:
        return FAILED
    return QUEUED if tool_state in queued else RUNNING


# --- Dagster: GraphQL ----------------------------------------------------------------------------

_DAGSTER_LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on Error { message }
  }
}"""
_DAGSTER_RUN = """
query Run($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { status startTime endTime stepStats { stepKey startTime endTime attempts { startTime } } }
  }
}"""
_DAGSTER_RUNS = """
query Runs($tags: [ExecutionTag!]) {
  runsOrError(filter: {tags: $tags}) { ... on Runs { results { runId } } }
}"""


class DagsterApi:
    crash_target = "daemon"
    location, job = "lc_pipeline", "lc_pipeline_job"

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=60)

    def _query(self, query: str, **variables: Any) -> dict[str, Any]:
        answer = self.http.post("/graphql", json={"query": query, "variables": variables})
        answer.raise_for_status()
        body = answer.json()
        if body.get("errors"):
            raise RuntimeError(f"Dagster GraphQL: {body['errors']}")
        return body["data"]

    def trigger(self, input_dir: Path, output_dir: Path) -> str:
        """The run the new-input-folder sensor would request for this folder (same config and tags)."""
        from impl_dagster.jobs import folder_run_request

        request = folder_run_request(input_dir, output_dir)
        params = {
            "selector": {
                "repositoryLocationName": self.location,
                "repositoryName": "__repository__",
                "jobName": self.job,
            },
            "runConfigData": request.run_config,
            "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in request.tags.items()]},
        }
        launched = self._query(_DAGSTER_LAUNCH, params=params)["launchRun"]
        if launched["__typename"] != "LaunchRunSuccess":
            raise RuntimeError(f"Dagster launchRun: {launched}")
        return launched["run"]["runId"]

    def run(self, run_id: str) -> RunRecord:
        run = self._query(_DAGSTER_RUN, runId=run_id)["runOrError"]
        steps = [
            Step(s["stepKey"], s["startTime"], s["endTime"], max(1, len(s["attempts"])))
            for s in run["stepStats"]
            if s["startTime"] and s["endTime"]
        ]
        state = _state(run["status"], {"QUEUED", "NOT_STARTED", "STARTING"}, {"SUCCESS"}, {"FAILURE", "CANCELED"})
        return RunRecord(run_id, state, run["status"], run["startTime"], run["endTime"], steps)

    def run_for_landed(self, folder: Path) -> str | None:
        found = self._query(_DAGSTER_RUNS, tags=[{"key": "lc/input_dir", "value": str(folder)}])["runsOrError"]
        results = found.get("results") or []
        return results[0]["runId"] if results else None

    def close(self) -> None:
        self.http.close()


# --- Airflow: REST -------------------------------------------------------------------------------


class AirflowApi:
    crash_target = "scheduler"

    def __init__(self, url: str, home: Path, dag_id: str | None = None) -> None:
        """Runs of ``dag_id`` (ours unless told otherwise)."""
        from impl_airflow.config import DAG_ID
        from impl_airflow.launch.deploy import api_client

        self.dag_id = dag_id or DAG_ID
        self.http = api_client(url, home)

    def trigger(self, input_dir: Path, output_dir: Path) -> str:
        conf = {"input_dir": str(input_dir), "output_dir": str(output_dir)}
        answer = self.http.post(f"/dags/{self.dag_id}/dagRuns", json={"logical_date": None, "conf": conf})
        answer.raise_for_status()
        return answer.json()["dag_run_id"]

    def run(self, run_id: str) -> RunRecord:
        answer = self.http.get(f"/dags/{self.dag_id}/dagRuns/{run_id}")
        answer.raise_for_status()
        run = answer.json()
        tasks = self.http.get(f"/dags/{self.dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 1000})
        tasks.raise_for_status()
        steps = [
            Step(t["task_id"], _epoch(t["start_date"]) or 0.0, _epoch(t["end_date"]) or 0.0, t["try_number"] or 1)
            for t in tasks.json()["task_instances"]
            if t["start_date"] and t["end_date"]
        ]
        state = _state(run["state"], {"queued"}, {"success"}, {"failed"})
        return RunRecord(run_id, state, run["state"], _epoch(run["start_date"]), _epoch(run["end_date"]), steps)

    def run_for_landed(self, folder: Path) -> str | None:
        run_id = f"landing__{run_key(folder)}"  # what lc_landing names the run it triggers
        return run_id if self.http.get(f"/dags/{self.dag_id}/dagRuns/{run_id}").status_code == 200 else None

    def close(self) -> None:
        self.http.close()


# --- Prefect: REST -------------------------------------------------------------------------------


class PrefectApi:
    crash_target = "worker"

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=f"{url}/api", timeout=60)
        # The flow's one deployment (impl_prefect/deployments.py), found by the flow's name: the harness's
        # environment has no Prefect to import the definitions with.
        answer = self.http.post("/deployments/filter", json={"flows": {"name": {"any_": ["lc_pipeline"]}}, "limit": 1})
        answer.raise_for_status()
        self.deployment_id = answer.json()[0]["id"]

    def trigger(self, input_dir: Path, output_dir: Path) -> str:
        parameters = {"input_dir": str(input_dir), "output_dir": str(output_dir)}
        answer = self.http.post(f"/deployments/{self.deployment_id}/create_flow_run", json={"parameters": parameters})
        answer.raise_for_status()
        return answer.json()["id"]

    def run(self, run_id: str) -> RunRecord:
        answer = self.http.get(f"/flow_runs/{run_id}")
        answer.raise_for_status()
        run = answer.json()
        tasks = self.http.post("/task_runs/filter", json={"flow_runs": {"id": {"any_": [run_id]}}, "limit": 200})
        tasks.raise_for_status()
        steps = [
            Step(t["name"], _epoch(t["start_time"]) or 0.0, _epoch(t["end_time"]) or 0.0, t["run_count"] or 1)
            for t in tasks.json()
            if t["start_time"] and t["end_time"]
        ]
        tool_state = run["state_type"]
        state = _state(tool_state, {"SCHEDULED", "PENDING"}, {"COMPLETED"}, {"FAILED", "CRASHED", "CANCELLED"})
        return RunRecord(run_id, state, tool_state, _epoch(run["start_time"]), _epoch(run["end_time"]), steps)

    def run_for_landed(self, folder: Path) -> str | None:
        answer = self.http.post("/flow_runs/filter", json={"limit": 200, "sort": "EXPECTED_START_TIME_DESC"})
        answer.raise_for_status()
        found = [run["id"] for run in answer.json() if run["parameters"].get("input_dir") == str(folder)]
        return found[0] if found else None

    def close(self) -> None:
        self.http.close()


def tool_api(tool: str, url: str, home: Path) -> ToolApi:
    if tool == "dagster":
        return DagsterApi(url)
    if tool == "airflow":
        return AirflowApi(url, home)
    return PrefectApi(url)
