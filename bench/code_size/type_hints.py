"""How much static typing does each tool give the code written against it? (ADR row "Type Safety")

mypy checks each ``impl_*`` folder against the installed frameworks (their inline types, ``.pyi``
stubs and overloads, as an IDE sees them) and reports, per module, how many expressions it could
only type as ``Any``. Typed share = 1 - (Any expressions + expressions mypy reports an error on) /
all expressions, read per module so that the verdict can read the definitions alone (the files the
size rows count) or all the code.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.code_size.count import is_launcher
from bench.code_size.results import ModuleTyping, TypedShare
from bench.paths import REPO

_TOTAL = re.compile(r"^\s*Total\s+(\d+)\s+(\d+)\s+([\d.]+)%", re.MULTILINE)
_MODULE = re.compile(r"^\s*([\w.]+)\s+(\d+)\s+(\d+)\s+[\d.]+%$", re.MULTILINE)


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
        modules=_modules(report, errors, folder.name),
    )


def _modules(report: str, errors: list[dict[str, Any]], package: str) -> dict[str, ModuleTyping]:
    """Each module's row of mypy's Any-expressions report, with the errors mypy reported in its file."""
    per_file: dict[str, int] = {}
    for error in errors:
        module = str(error.get("file", "")).removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        per_file[module] = per_file.get(module, 0) + 1
    modules = {}
    for name, anys, exprs in _MODULE.findall(report):
        if name == "Total":
            continue
        inside = Path(*name.split(".")[1:]) if name.startswith(f"{package}.") else Path(name)
        launcher = bool(inside.parts) and is_launcher(inside)
        modules[name] = ModuleTyping(int(anys), int(exprs), per_file.get(name, 0), launcher)
    return modules


def _mypy_messages(stdout: str) -> list[dict[str, Any]]:
    """mypy's messages from its machine-readable output (``--output json``), one object a line."""
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
