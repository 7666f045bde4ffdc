"""Run the ``lc_pipeline`` flow once, locally: ``run(input_dir, output_dir) -> RunSummary``.

Prefect keeps its state under ``<output_dir>/prefect_home`` (never the user's home); with no
``PREFECT_API_URL`` the run starts Prefect's temporary server on ``prefect_home/prefect.db`` and
stops it at the end. See :mod:`impl_prefect.launch.runtime` for how the settings are scoped, and
``docs/prefect.md`` for watching runs in Prefect's UI.

Progress lines come from Prefect's own task-run spans (:mod:`impl_prefect.launch.spans`); Prefect's
logs go to the run's log file (and the terminal with ``-v``).

Importing this module does not import Prefect (that happens inside :func:`run`, after the
settings are in place), so it is cheap and has no side effect.

    python -m impl_prefect.launch.pipeline --input DIR --output DIR
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from pathlib import Path
from pkgutil import resolve_name
from typing import Any

from core.layout import QUALITY_REPORT
from core.progress import Progress
from core.run import RunSummary, summarise
from impl_prefect.launch.runtime import prefect_home, prefect_runtime
from impl_prefect.launch.spans import reporting_task_runs


def run(input_dir: Path, output_dir: Path, engine: str | None = None) -> RunSummary:
    """Run the whole pipeline once as a Prefect flow, dbt on ``engine`` (default: ``LC_ENGINE``, else
    DuckDB); raise on bad input or a failed check.

    Errors are the flow's own: :class:`core.errors.PipelineInputError` with its one-line message on
    bad input, :class:`core.errors.QualityCheckFailed` when a reconciliation fails.
    """
    output_dir = Path(output_dir).resolve()
    parameters = {"input_dir": Path(input_dir).resolve(), "output_dir": output_dir, "engine": engine}
    run_flow("impl_prefect.flows:lc_pipeline", output_dir, parameters)
    report = json.loads((output_dir / QUALITY_REPORT).read_text(encoding="utf-8"))
    return summarise("prefect", output_dir, report)


def run_flow(flow: str, output_dir: Path, parameters: dict[str, Any]) -> Any:
    """Call the flow ``flow`` names (``module:name``) once, with Prefect's state under ``output_dir``
    and its task runs as progress lines; return what the flow returns.

    The flow's module imports Prefect's task machinery (ours also prefect-dbt and dbt: seconds): it is
    imported while the temporary server starts, and after the settings are in place. The harness runs
    Prefect's hello world (its floor, ``bench/floor/``) through this too, so that the two runs differ
    in their flow only.
    """
    with prefect_runtime(prefect_home(output_dir), while_server_starts=partial(resolve_name, flow)):
        with Progress() as progress, reporting_task_runs(progress):
            return resolve_name(flow)(**parameters)  # imported already: a lookup


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m impl_prefect.launch.pipeline", description=__doc__.split("\n")[0])
    parser.add_argument("--input", type=Path, required=True, help="folder with customers.csv and accounts.csv")
    parser.add_argument("--output", type=Path, required=True, help="folder for the warehouse and outputs")
    args = parser.parse_args(argv)
    print("\n".join(run(args.input, args.output).lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
