"""The one way the harness hears back from a process it starts: a marked JSON line on stdout.

A measured run, a lineage or timeline reading, a model-scaling case and a reliability shard each
run in a fresh process (the tools' imports are heavy and set process-wide state). The child ends
with :func:`report` (one line: the marker, then JSON); the parent finds the last such line in what
the child printed with :func:`result_in`, whatever else the tools printed around it.
"""

from __future__ import annotations

import json
import sys
from typing import Any

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


def reporting_snippet(expression: str) -> str:
    """Python source that reports ``expression`` like :func:`report`, for a child that runs code
    given on its command line (``python -c``) and may not have ``bench`` on its path."""
    return f"import json; print({MARKER!r} + json.dumps({expression}), flush=True)"
