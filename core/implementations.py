"""The orchestrators ``lc-pipeline`` can run, found through Python entry points.

The core imports none of them: each implementation registers its ``run`` function under the entry
point group below, one line in ``pyproject.toml``::

    [project.entry-points."lc_pipeline.implementations"]
    dagster = "impl_dagster.launch.pipeline:run"

so a fifth orchestrator is a folder plus one such line (``docs/adding-an-orchestrator.md``).
Loading an entry point imports only its module, so ``--impl scripts`` never imports Dagster.

A ``run`` function takes ``(input_dir, output_dir, engine)`` and returns a :class:`core.run.RunSummary`;
``engine`` (``duckdb`` or ``spark``; None: ``LC_ENGINE``, else DuckDB) is what runs the dbt project.

Each orchestrator is an extra of the same name (``pip install "lc-pipeline[dagster]"``), and two tools
whose requirements conflict never share an environment: a source checkout keeps one per tool under
``.venvs/<name>`` (``make setup-all``), and :func:`interpreter` says which Python runs a given
implementation, so the CLI and the harness start each one where it is installed.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from importlib.metadata import EntryPoint, PackageNotFoundError, entry_points, requires, version
from pathlib import Path
from typing import Protocol

from core.errors import PipelineError
from core.run import RunSummary

ENTRY_POINT_GROUP = "lc_pipeline.implementations"
DISTRIBUTION = "lc-pipeline"
# Where a source checkout keeps the environments of tools that cannot share the main one (make setup-all).
TOOL_ENVIRONMENTS_DIR = Path(__file__).resolve().parent.parent / ".venvs"
_EXTRA_MARKER = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")
_NAME = re.compile(r"[A-Za-z0-9._-]+")


class ImplementationNotInstalled(PipelineError):
    """The chosen implementation's tool is installed neither here nor in an environment of its own."""


class RunFunction(Protocol):
    def __call__(self, input_dir: Path, output_dir: Path, engine: str | None = None) -> RunSummary: ...


@cache
def _registered() -> dict[str, EntryPoint]:
    found = {entry.name: entry for entry in entry_points(group=ENTRY_POINT_GROUP)}
    if not found:
        raise RuntimeError(
            f"no implementation is registered under the entry point group {ENTRY_POINT_GROUP!r}: "
            "install the project (make setup) so its entry points exist"
        )
    return found


def implementation_names() -> list[str]:
    """The registered implementations, in the order ``pyproject.toml`` declares them."""
    return list(_registered())


def load_run(name: str) -> RunFunction:
    """``name``'s run function; imports its module, and only that."""
    return _entry(name).load()


def _entry(name: str) -> EntryPoint:
    registered = _registered()
    if name not in registered:
        raise ValueError(f"unknown implementation {name!r}: choose one of {', '.join(registered)}")
    return registered[name]


def requirement_names(extra: str | None = None) -> list[str]:
    """The distributions this package requires: the core's (``extra`` None) or one extra's only."""
    names = []
    for requirement in requires(DISTRIBUTION) or []:
        spec, _, marker = requirement.partition(";")
        declared_for = _EXTRA_MARKER.search(marker)
        if (declared_for.group(1) if declared_for else None) != extra:
            continue
        name = _NAME.match(spec.strip())
        if name:
            names.append(name.group(0))
    return names


def installed_here(implementation: str) -> bool:
    """Whether this environment has what ``implementation`` runs on: every requirement of the extra
    named after it (plain scripts has none, so it runs wherever the core is installed)."""
    for name in requirement_names(implementation):
        try:
            version(name)
        except PackageNotFoundError:
            return False
    return True


def interpreter(implementation: str) -> Path:
    """The Python that runs ``implementation``: this one when its tool is installed here, else the
    environment a source checkout keeps for it (``.venvs/<name>``)."""
    _entry(implementation)  # an unknown name is a usage error, not a missing install
    if installed_here(implementation):
        return Path(sys.executable)
    python = TOOL_ENVIRONMENTS_DIR / implementation / "bin" / "python"
    if python.exists():
        return python
    raise ImplementationNotInstalled(
        f"{implementation} is not installed in this environment ({sys.prefix}): "
        f'pip install "{DISTRIBUTION}[{implementation}]", or `make setup-all` in a source checkout'
    )
