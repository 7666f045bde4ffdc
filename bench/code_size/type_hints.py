"""How much static typing does each tool give the code written against it? (ADR row "Type Safety")

mypy checks each ``impl_*`` folder against the installed frameworks (their inline types, ``.pyi``
stubs and overloads, as an IDE sees them) and reports, per module, how many expressions it could
only type as ``Any``. Typed share = 1 - Any expressions / all expressions. mypy's own error count
is reported beside it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.code_size.results import TypedShare
from bench.paths import REPO

_TOTAL = re.compile(r"^\s*Total\s+(\d+)\s+(\d+)\s+([\d.]+)%", re.MULTILINE)


def typed_share(folder: Path, cache_dir: Path, python: Path | str = sys.executable) -> TypedShare:
    """Run mypy on one folder with ``python``, whose environment holds the tool the folder is written
    against; return the typed share of its expressions and mypy's error count."""
    with tempfile.TemporaryDirectory() as report_dir:
        done = subprocess.run(
            [
                str(python),
                "-m",
                "mypy",
                "--ignore-missing-imports",
                "--follow-imports=silent",
                "--cache-dir",
                str(cache_dir),
                "--output",
                "json",  # one JSON object per error on stdout
                "--any-exprs-report",
                report_dir,
                str(folder),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        report = (
            (Path(report_dir) / "any-exprs.txt").read_text() if (Path(report_dir) / "any-exprs.txt").exists() else ""
        )
    total = _TOTAL.search(report)
    if not total:
        return TypedShare(typed_share=None, error=(done.stdout + done.stderr).strip()[-300:])
    errors = [error for error in _mypy_messages(done.stdout) if error.get("severity") == "error"]
    any_exprs, all_exprs = int(total.group(1)), int(total.group(2))
    return TypedShare(
        typed_share=1 - any_exprs / all_exprs if all_exprs else None,
        any_expressions=any_exprs,
        expressions=all_exprs,
        mypy_errors=len(errors),
        mypy_error_codes=sorted({str(error.get("code")) for error in errors}),
    )


def _mypy_messages(stdout: str) -> list[dict[str, Any]]:
    """mypy's messages from its machine-readable output (``--output json``), one object a line."""
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
