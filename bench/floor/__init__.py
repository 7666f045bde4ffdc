"""Each tool's floor: its hello world, started the way ``lc-pipeline run`` starts our implementation.

A floor is the least a tool costs here: the same runner (``bench.runner``, a new process per round),
the same launcher and tool set-up as ours (Dagster's local instance and in-process execution,
Airflow's child process, new SQLite metadata DB and ``dag.test()``, Prefect's temporary server),
with the tool's hello world for definitions: one asset, task or flow that writes one small file.
Timed in the runtime section's rounds beside our implementations (``bench/runtime/test_runtime.py``),
it splits a run's seconds into the tool's and ours. This module imports no tool: ``bench.runner``
reads it before any tool is imported.
"""

from __future__ import annotations

# What every hello world writes into its output folder.
HELLO_FILE = "hello.txt"
FLOOR_PREFIX = "floor-"
# tool -> what runs its hello world, as "module:function" with ``run(input_dir, output_dir)``'s
# signature (the input folder is ignored); a new tool brings its hello world and one line here.
FLOORS = {
    "scripts": "bench.floor.scripts_hello:run",
    "dagster": "bench.floor.launch:run_dagster",
    "airflow": "bench.floor.launch:run_airflow",
    "prefect": "bench.floor.launch:run_prefect",
}


def floor_of(tool: str) -> str:
    """The name ``tool``'s floor is timed and reported under (``floor-dagster``)."""
    return FLOOR_PREFIX + tool


def floor_tool(target: str) -> str | None:
    """The tool a timed target is the floor of, or None if it is no floor."""
    tool = target.removeprefix(FLOOR_PREFIX)
    return tool if target.startswith(FLOOR_PREFIX) and tool in FLOORS else None
