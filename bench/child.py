"""The one way the harness hears back from a process it starts: a marked JSON line on stdout.

A measured run, a lineage or timeline reading, a model-scaling case and a reliability shard each
run in a fresh process (the tools' imports are heavy and set process-wide state). The child ends
with :func:`report` (one line: the marker, then JSON); the parent finds the last such line in what
the child printed with :func:`result_in`, whatever else the tools printed around it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.paths import REPO

MARKER = "BENCH-RESULT "


def report(result: Any) -> None:
    """In the child: the result as the last line of stdout, after whatever the run printed."""
    sys.stdout.flush()
    print(MARKER + json.dumps(result, default=str), flush=True)


def result_in(output: str) -> Any | None:
    """In the parent: the child's result from its output, or None if it never reported one."""
    for line in reversed(output.splitlines()):
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    return None


def run_python(
    args: Sequence[str],
    what: str,
    *,
    python: Path | str = sys.executable,
    cwd: Path = REPO,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Any:
    """Run ``python ARGS`` in a new process and return what it reported; raise naming ``what``, with
    the end of its error output, if it failed or reported nothing."""
    done = subprocess.run(
        [str(python), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    result = result_in(done.stdout)
    if done.returncode != 0 or result is None:
        raise RuntimeError(f"{what} failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return result


def reporting_snippet(expression: str) -> str:
    """Python source that reports ``expression`` like :func:`report`, for a child that runs code
    given on its command line (``python -c``) and may not have ``bench`` on its path."""
    return f"import json; print({MARKER!r} + json.dumps({expression}), flush=True)"
