"""Start each tool's own UI the way the README tells a user to, measure it, and stop it.

Every UI is started with its Makefile target (``make dagster-dev``, ``make airflow-ui``,
``make prefect-ui``): the recipe a user runs, with only the port and the state folder overridden
(``DAGSTER_PORT=... DAGSTER_OUTPUT=...``). ``-o setup`` skips the environment sync the target depends
on: the harness already runs inside that environment, and re-syncing it is not part of starting a UI.

The targets run inside a *workspace*: a temporary copy of the code (Makefile, ``core``, ``dbt``,
every ``impl_*``) with the repository's ``.venv`` linked in, and ``PYTHONPATH`` pointing at the copy
so every process the UI starts imports the copy. Hot-reload edits change that copy, never the
repository, and each tool's state (Dagster instance, Airflow metadata DB, Prefect DB) lives under the
workspace too.

Each server runs in its own process group (``start_new_session``): stopping it is SIGTERM to the
group, SIGKILL after a grace period, and a final sweep of any process still in its session, so no
server outlives the test. Memory is the sum of the proportional set sizes (PSS) of every process in
the session, sampled twice a second: shared pages are split between the processes that share them,
so a server that forks a dozen workers (Airflow) is not counted a dozen times over.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from tenacity import RetryError, Retrying, retry_if_exception_type, retry_if_result, stop_after_delay, wait_fixed

from bench.child import reporting_snippet, run_python
from bench.measure import scrubbed_environment
from bench.paths import REPO
from bench.ui.results import Stop
from bench.ui.subjects import OURS, SUBJECTS, Subject
from core.implementations import TOOL_ENVIRONMENTS_DIR, interpreter

CODE_DIRS = ("core", "dbt", "impl_scripts", "impl_dagster", "impl_airflow", "impl_prefect", "bench/floor")
# The floors (bench/floor) and the runner that starts Prefect's hello world (bench.runner) need these.
CODE_FILES = ("Makefile", "bench/__init__.py", "bench/runner.py", "bench/child.py", "bench/paths.py")
# Derived or run-time folders that a copy of the code must not carry over.
_NOT_COPIED = shutil.ignore_patterns("__pycache__", "target", "logs", "output", "dbt_packages", "dbt-project", "*.pyc")
PROBE_NAME = "hot_reload_probe"  # the asset / task / task run a hot-reload edit adds


@dataclass(frozen=True)
class UiTool:
    """How the README starts one tool's UI: a Makefile target and its two overridable variables."""

    name: str
    target: str
    port_var: str
    output_var: str


TOOLS: dict[str, UiTool] = {
    "dagster": UiTool("dagster", "dagster-dev", "DAGSTER_PORT", "DAGSTER_OUTPUT"),
    "airflow": UiTool("airflow", "airflow-ui", "AIRFLOW_PORT", "AIRFLOW_OUTPUT"),
    "prefect": UiTool("prefect", "prefect-ui", "PREFECT_PORT", "PREFECT_OUTPUT"),
}


# --- the workspace --------------------------------------------------------------------------------


def make_workspace(dest: Path) -> Path:
    """A throwaway checkout of the code, so hot-reload edits and tool state never touch the repo."""
    for name in CODE_FILES:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, dest / name)
    for name in CODE_DIRS:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, dest / name, ignore=_NOT_COPIED, dirs_exist_ok=True)
    for environments in (".venv", TOOL_ENVIRONMENTS_DIR.name):
        if not (dest / environments).exists() and (REPO / environments).is_dir():
            (dest / environments).symlink_to(REPO / environments, target_is_directory=True)
    return dest


def base_environment(workspace: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A fresh shell's environment (no inherited tool settings), importing the workspace's code first."""
    env = scrubbed_environment()
    env.pop("PYTHONPATH", None)
    env.update({"PYTHONPATH": str(workspace), "DO_NOT_TRACK": "1", "PYTHONUNBUFFERED": "1"})
    env.update(extra or {})
    return env


def make_command(tool: UiTool, port: int, state_dir: Path, variables: dict[str, str] | None = None) -> list[str]:
    """The README's make target, with the port and state folder overridden, and ``variables`` (what
    points a target at a tool's hello world instead of our pipeline; none for ours)."""
    return [
        "make",
        "--no-print-directory",
        "-o",
        "setup",
        "-o",
        "setup-all",
        tool.target,
        f"{tool.port_var}={port}",
        f"{tool.output_var}={state_dir}",
        *(f"{name}={value}" for name, value in (variables or {}).items()),
    ]


def recipe_commands(tool: UiTool, workspace: Path, port: int, state_dir: Path) -> list[str]:
    """The shell commands the make target runs (``make -n``): what a newcomer would type without make."""
    make, *arguments = make_command(tool, port, state_dir)
    dry = subprocess.run(
        [make, "-n", *arguments],
        cwd=workspace,
        capture_output=True,
        text=True,
        check=True,
    )
    commands, pending = [], ""
    for line in dry.stdout.splitlines():
        pending += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            commands.append(pending.strip())
            pending = ""
    return [c for c in commands if c]


# --- a running UI ---------------------------------------------------------------------------------


def _session_processes(session_id: int) -> list[psutil.Process]:
    """Every live process of a session (the server and whatever it started, however deep)."""
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if os.getsid(proc.pid) == session_id:
                found.append(proc)
        except (ProcessLookupError, PermissionError, psutil.Error):
            continue
    return found


def _proportional_memory(proc: psutil.Process) -> int:
    """PSS: shared pages split between the processes sharing them, so forked workers are not counted N times."""
    try:
        return proc.memory_full_info().pss
    except (psutil.AccessDenied, AttributeError):
        try:
            return proc.memory_info().rss
        except psutil.Error:
            return 0
    except psutil.Error:
        return 0


@dataclass
class UiServer:
    """One UI started as a user starts it; memory sampled until it stops."""

    tool: UiTool
    workspace: Path
    port: int
    state_dir: Path
    log_path: Path
    env: dict[str, str]
    make_variables: dict[str, str] = field(default_factory=dict)  # see make_command
    process: subprocess.Popen | None = None
    started: float = 0.0
    peak_rss_mib: float = 0.0
    marks: dict[str, float] = field(default_factory=dict)  # name -> seconds since start
    peaks: dict[str, float] = field(default_factory=dict)  # name -> peak RSS (MiB) up to that mark
    _stop_sampling: threading.Event = field(default_factory=threading.Event)
    _sampler: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def command(self) -> list[str]:
        return make_command(self.tool, self.port, self.state_dir, self.make_variables)

    def start(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("w")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            self.command, cwd=self.workspace, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()  # the child holds its own descriptor
        self._sampler = threading.Thread(target=self._sample, name=f"rss-{self.tool.name}", daemon=True)
        self._sampler.start()

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def mark(self, name: str) -> float:
        """Record a moment (seconds since the command started) and the peak memory up to it."""
        self.marks[name] = self.elapsed()
        self.peaks[name] = self.peak_rss_mib
        return self.marks[name]

    def _sample(self) -> None:
        assert self.process is not None
        while not self._stop_sampling.is_set():
            total = 0
            for proc in _session_processes(self.process.pid):
                total += _proportional_memory(proc)
            self.peak_rss_mib = max(self.peak_rss_mib, total / 2**20)
            self._stop_sampling.wait(0.5)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, chars: int = 2500) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def wait_until(self, name: str, check: Callable[[], bool], timeout: float, every: float = 0.5) -> float:
        """Poll ``check`` until it holds; mark the moment. Raises with the log's tail if it never does,
        and at once if the server exits first."""

        def server_up_and_check() -> bool:
            if self.process is None or self.process.poll() is not None:
                code = self.process.returncode if self.process else None
                raise RuntimeError(f"{self.tool.target} exited ({code}) before {name}:\n{self.log_tail()}")
            return check()

        if poll_until(server_up_and_check, timeout, every) is None:
            raise TimeoutError(f"{self.tool.target}: no {name} after {timeout:.0f} s:\n{self.log_tail()}")
        return self.mark(name)

    def stop(self, grace: float = 45.0) -> Stop:
        """SIGTERM to the process group, SIGKILL after ``grace``; then sweep the session. Never leaves a server."""
        if self.process is None:
            return Stop()
        session = self.process.pid
        began = time.perf_counter()
        try:
            os.killpg(session, signal.SIGTERM)
        except ProcessLookupError:
            pass
        # The group leader is make; the tool's own processes shut down after it: wait for all of them.
        deadline = began + grace
        while time.perf_counter() < deadline and (self.process.poll() is None or _session_processes(session)):
            time.sleep(0.25)
        left = _session_processes(session)
        cleanly = self.process.poll() is not None and not left
        killed = 0
        try:
            os.killpg(session, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for proc in left:  # also those that left the group but not the session
            try:
                proc.kill()
                killed += 1
            except psutil.Error:
                pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        seconds = time.perf_counter() - began
        self._stop_sampling.set()
        if self._sampler:
            self._sampler.join(timeout=5)
        return Stop(seconds, cleanly, killed)


# --- HTTP ----------------------------------------------------------------------------------------


def http_json(
    url: str, body: Any = None, headers: dict[str, str] | None = None, timeout: float = 10, method: str | None = None
) -> Any:
    """GET (or POST a JSON body) and decode the JSON answer; an HTTP error status raises."""
    response = httpx.request(
        method or ("GET" if body is None else "POST"), url, json=body, headers=headers, timeout=timeout
    )
    response.raise_for_status()
    return response.json() if response.content else None


def answers(url: str, timeout: float = 3) -> bool:
    """The UI's page is served (HTTP 200 with a body)."""
    response = httpx.get(url, timeout=timeout)
    return response.status_code == 200 and bool(response.content)


# What a server that is still starting answers with: no connection yet, an error page, a body that
# is not yet what the check reads.
NOT_YET = (OSError, ValueError, KeyError, TypeError, httpx.HTTPError)


def poll_until(
    check: Callable[[], Any],
    timeout: float,
    every: float = 0.5,
    not_yet: tuple[type[BaseException], ...] = NOT_YET,
) -> float | None:
    """Seconds until ``check()`` returns something true (errors of ``not_yet`` count as not yet; any
    other error stops the wait), or None when ``timeout`` passes first."""
    began = time.perf_counter()
    retrying = Retrying(
        stop=stop_after_delay(timeout),
        wait=wait_fixed(every),
        retry=retry_if_exception_type(not_yet) | retry_if_result(lambda held: not held),
    )
    try:
        retrying(check)
    except RetryError:
        return None
    return time.perf_counter() - began


# --- Dagster: GraphQL ------------------------------------------------------------------------------


class DagsterApi:
    """The GraphQL API the Dagster UI itself uses."""

    def __init__(self, url: str) -> None:
        self.endpoint = f"{url}/graphql"

    def query(self, text: str, variables: dict[str, Any] | None = None, timeout: float = 60) -> dict[str, Any]:
        answer = http_json(self.endpoint, {"query": text, "variables": variables or {}}, timeout=timeout)
        if answer.get("errors"):
            raise ValueError(f"GraphQL errors: {answer['errors']}")
        return answer["data"]

    def locations(self) -> list[dict[str, Any]]:
        data = self.query(
            "{ workspaceOrError { __typename ... on Workspace { locationEntries { name loadStatus "
            "locationOrLoadError { __typename ... on PythonError { message } } } } } }"
        )
        return data["workspaceOrError"].get("locationEntries", [])

    def asset_nodes(self) -> list[dict[str, Any]]:
        data = self.query(
            "{ assetNodes { assetKey { path } dependencyKeys { path } computeKind kinds groupName "
            "isMaterializable assetMaterializations(limit: 1) { runId } } }"
        )
        return data["assetNodes"]

    def loaded_asset_keys(self) -> set[str]:
        return {"/".join(node["assetKey"]["path"]) for node in self.asset_nodes()}

    def reload_location(self, name: str) -> str:
        data = self.query(
            "mutation($name: String!) { reloadRepositoryLocation(repositoryLocationName: $name) "
            "{ __typename ... on WorkspaceLocationEntry { loadStatus } ... on PythonError { message } } }",
            {"name": name},
            timeout=300,
        )
        return data["reloadRepositoryLocation"]["__typename"]

    def job_origin(self, job_name: str) -> dict[str, str]:
        data = self.query(
            "{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } jobs { name } } } } }"
        )
        for repo in data["repositoriesOrError"]["nodes"]:
            if any(job["name"] == job_name for job in repo["jobs"]):
                return {"repositoryLocationName": repo["location"]["name"], "repositoryName": repo["name"]}
        raise LookupError(f"no job {job_name} in the workspace")

    def launch_job(self, job_name: str, run_config: dict[str, Any] | None = None) -> str:
        """Launch a job (what the Launchpad's button does) with ``run_config``; returns the run id."""
        origin = self.job_origin(job_name)
        data = self.query(
            "mutation($p: ExecutionParams!) { launchRun(executionParams: $p) { __typename "
            "... on LaunchRunSuccess { run { runId } } ... on PythonError { message } "
            "... on RunConfigValidationInvalid { errors { message } } ... on InvalidStepError { invalidStepKey } "
            "... on UnauthorizedError { message } } }",
            {"p": {"selector": {**origin, "jobName": job_name}, "runConfigData": run_config or {}}},
        )
        launched = data["launchRun"]
        if launched["__typename"] != "LaunchRunSuccess":
            raise RuntimeError(f"launchRun: {launched}")
        return launched["run"]["runId"]

    def run_status(self, run_id: str) -> str:
        data = self.query(
            "query($id: ID!) { runOrError(runId: $id) { __typename ... on Run { status } } }", {"id": run_id}
        )
        return data["runOrError"].get("status", data["runOrError"]["__typename"])


# --- Airflow: REST API v2 with the simple auth manager's token -------------------------------------


class AirflowApi:
    """Airflow 3's REST API, logged in as the ``admin`` user ``airflow standalone`` creates."""

    def __init__(self, url: str, airflow_home: Path) -> None:
        self.url = url
        self.passwords = airflow_home / "simple_auth_manager_passwords.json.generated"
        self._token: str | None = None

    def password(self) -> str:
        return json.loads(self.passwords.read_text())["admin"]

    def token(self) -> str:
        """A JWT from ``POST /auth/token`` (what the login form does)."""
        if self._token is None:
            answer = http_json(f"{self.url}/auth/token", {"username": "admin", "password": self.password()})
            self._token = answer["access_token"]
        return self._token

    def get(self, path: str) -> Any:
        return self.call(path)

    def call(self, path: str, body: Any = None, method: str | None = None) -> Any:
        return http_json(f"{self.url}{path}", body, headers={"Authorization": f"Bearer {self.token()}"}, method=method)

    def healthy(self) -> bool:
        return http_json(f"{self.url}/api/v2/monitor/health", timeout=3) is not None

    def task_ids(self, dag_id: str) -> set[str]:
        return {task["task_id"] for task in self.get(f"/api/v2/dags/{dag_id}/tasks")["tasks"]}

    def file_token(self, dag_id: str) -> str:
        """The token naming the DAG's file, as the DAG page has it (``GET /api/v2/dags/{dag_id}``)."""
        return self.get(f"/api/v2/dags/{dag_id}")["file_token"]

    def reparse(self, file_token: str) -> None:
        """What the UI's "Reparse Dag" button sends: a request that the DAG processor parse that file next."""
        self.call(f"/api/v2/parseDagFile/{file_token}", method="PUT")

    def unpause(self, dag_id: str) -> bool:
        """New DAGs start paused, and a run of a paused DAG waits: the UI's toggle, once per start."""
        return self.call(f"/api/v2/dags/{dag_id}", {"is_paused": False}, method="PATCH")["is_paused"] is False


# --- Prefect: REST API -----------------------------------------------------------------------------


class PrefectApi:
    def __init__(self, url: str) -> None:
        self.api = f"{url}/api"

    def healthy(self) -> bool:
        return http_json(f"{self.api}/health", timeout=3) is True

    def flow_runs(self) -> list[dict[str, Any]]:
        return http_json(f"{self.api}/flow_runs/filter", {"sort": "START_TIME_DESC", "limit": 10})

    def task_run_names(self, flow_run_id: str | None = None) -> list[str]:
        body: dict[str, Any] = {"limit": 200}
        if flow_run_id:
            body["flow_runs"] = {"id": {"any_": [flow_run_id]}}
        return [run["name"] for run in http_json(f"{self.api}/task_runs/filter", body)]

    def task_runs_named(self, like: str) -> list[dict[str, Any]]:
        return http_json(f"{self.api}/task_runs/filter", {"task_runs": {"name": {"like_": like}}, "limit": 10})

    def task_run_states(self, like: str) -> list[str]:
        """The state types (``COMPLETED``, ``FAILED``, ...) of the task runs whose name contains ``like``."""
        return [run["state_type"] for run in self.task_runs_named(like)]


# --- hot-reload edits (on the workspace copy) -------------------------------------------------------
#
# Every edit adds the same thing at the same place in each tool's graph: a new step downstream of the
# pipeline's last step (ours: the quality report; a floor: its one step), which a run of the whole
# pipeline then runs last. The subject (bench/ui/subjects.py) names the file, the graph and that step.

LAST_STEP = SUBJECTS["dagster"][OURS].last_step  # our pipeline's: the same in every tool


def add_dagster_asset(
    workspace: Path, subject: Subject, name: str = PROBE_NAME, downstream_of_last: bool = True
) -> Path:
    """A new asset in the code location's definitions module, as a developer would add one:
    downstream of the last step (or an asset of its own, as the untimed automatic-pickup check adds)."""
    path = workspace / subject.definitions
    deps = f", deps=[{subject.last_step!r}]" if downstream_of_last else ""
    path.write_text(
        path.read_text()
        + f'''

# Added by the harness (bench/ui/launch.py) to measure hot reload; this is a temporary copy.
from dagster import Definitions as _ProbeDefinitions, asset as _probe_asset  # noqa: E402


@_probe_asset(group_name="hot_reload"{deps})
def {name}() -> None:
    """A new asset: the UI lists it once the code location has reloaded."""


defs = _ProbeDefinitions.merge(defs, _ProbeDefinitions(assets=[{name}]))
'''
    )
    return path


def add_airflow_task(workspace: Path, subject: Subject) -> Path:
    """A new task in the existing DAG file (a change of a known file, not a new file), downstream of
    the DAG's last task. The ``@dag`` function is named as its DAG id."""
    path = workspace / subject.definitions
    source = path.read_text()
    lines = source.splitlines()
    call = _last_module_level_call(source, subject.graph)
    lines[call - 1] = f"_lc_dag = {lines[call - 1].strip()}"
    lines.insert(
        call,
        f'''
# Added by the harness (bench/ui/launch.py) to measure how soon a DAG change shows; a temporary copy.
with _lc_dag:

    @task(task_id="{PROBE_NAME}")
    def {PROBE_NAME}() -> None:
        """A new task: the UI lists it once the DAG processor has parsed the changed file."""

    _lc_dag.get_task("{subject.last_step}") >> {PROBE_NAME}()''',
    )
    path.write_text("\n".join(lines) + "\n")
    return path


def add_prefect_task(workspace: Path, subject: Subject) -> Path:
    """A new task in the flow, called with the flow's last result (ours: the quality report):
    downstream of the last task in Prefect's run graph, which draws its edges from the data a task is
    given. There is no server-side code: the next run shows it."""
    path = workspace / subject.definitions
    flow_function = subject.graph
    source = path.read_text()
    flow = next(
        node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef) and node.name == flow_function
    )
    last = flow.body[-1]
    if not (isinstance(last, ast.Return) and last.value is not None):
        raise LookupError(f"{flow_function}() does not end with `return <last step>`")
    value = ast.get_source_segment(source, last.value)
    lines = source.splitlines()
    indent = " " * last.col_offset
    assert last.end_lineno is not None
    lines[last.lineno - 1 : last.end_lineno] = [
        f"{indent}_probe_upstream = {value}  # changed by the harness (bench/ui/launch.py)",
        f"{indent}{PROBE_NAME}(_probe_upstream)",
        f"{indent}return _probe_upstream",
    ]
    lines.append(f'''

from prefect import task as _probe_task  # noqa: E402


@_probe_task(name="{PROBE_NAME}")
def {PROBE_NAME}(upstream: object) -> None:
    """A new task: it appears in the next run the server records."""
''')
    path.write_text("\n".join(lines) + "\n")
    return path


def _last_module_level_call(source: str, function: str) -> int:
    """Line of the last top-level ``function()`` call statement (how a ``@dag`` file creates its DAG)."""
    found = [
        node.lineno
        for node in ast.parse(source).body
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == function
    ]
    if not found:
        raise LookupError(f"no top-level {function}() call in the DAG file")
    return found[-1]


# --- newcomer's view: commands, settings, config files -------------------------------------------


CONFIG_SUFFIXES = (".yaml", ".yml", ".cfg", ".toml", ".ini", ".json.generated")


def config_files(folder: Path) -> list[str]:
    """Configuration files in a tool's state folder (relative names), e.g. dagster.yaml, airflow.cfg."""
    if not folder.exists():
        return []
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and p.name.endswith(CONFIG_SUFFIXES) and "logs" not in p.parts
    )


def workspace_value(workspace: Path, implementation: str, imports: str, expression: str, timeout: float = 600) -> Any:
    """``expression`` (JSON-able) evaluated after ``imports``, in a new process, by the Python that runs
    ``implementation``: the workspace's copy of the code, with that tool's installed packages."""
    return run_python(
        ["-c", f"{imports}\n{reporting_snippet(expression)}"],
        f"{expression} in {workspace}",
        python=interpreter(implementation),
        cwd=workspace,
        env=base_environment(workspace),
        timeout=timeout,
    )


def airflow_ui_settings(workspace: Path) -> list[str]:
    """The environment ``python -m impl_airflow.launch.ui`` sets for ``airflow standalone`` (names only)."""
    return workspace_value(
        workspace,
        "airflow",
        "from pathlib import Path\nfrom impl_airflow.launch.ui import ui_environment",
        "sorted(ui_environment(Path('in'), Path('out'), 8080))",
    )
