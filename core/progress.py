"""Progress lines while a run goes: one when a step starts, one when it ends, with its time.

Each implementation feeds :class:`Progress` from its tool's own events (Dagster's event log,
Airflow's task listeners, Prefect's run spans, dbt's node events for plain scripts), so a line
names the step as the tool names it; nothing here knows a tool. Lines go to the
``lc_pipeline.progress`` logger: the CLI decides where they show (``-q`` hides them) and the run's
log file always has them. While steps run long with nothing to report, a heartbeat line says what
is still running, so a quiet terminal never means a hung run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

PROGRESS_LOGGER = "lc_pipeline.progress"
HEARTBEAT_SECONDS = 30.0
# dbt's resource types as tools name a node (``model stg_customers``). Inside a step, a node that
# builds a table gets a line when it ends; a passing test or check is only counted, so that dbt's
# tens of tests stay readable (a failing one always gets its line).
DBT_NODE_TYPES = ("model", "test", "unit_test", "seed", "snapshot")
BUILDING_NODE_TYPES = frozenset({"model", "seed", "snapshot"})

log = logging.getLogger(PROGRESS_LOGGER)


def dbt_node(label: str) -> tuple[str, str] | None:
    """``(resource_type, name)`` of a step a tool names ``"<resource_type> <name>"``, else ``None``."""
    kind, _, name = label.partition(" ")
    return (kind, name) if kind in DBT_NODE_TYPES and name else None


class Progress:
    """Step lines and a heartbeat for one run; thread-safe (tools report from their own threads)."""

    def __init__(self, heartbeat_seconds: float = HEARTBEAT_SECONDS) -> None:
        self._heartbeat_seconds = heartbeat_seconds
        self._lock = threading.Lock()
        self._running: dict[str, float] = {}
        self._steps_done = 0
        self._nodes_done = 0
        self._last_line = time.monotonic()
        self._stopped = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def __enter__(self) -> Progress:
        self._heartbeat = threading.Thread(target=self._beat, name="lc-progress-heartbeat", daemon=True)
        self._heartbeat.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stopped.set()
        if self._heartbeat is not None:
            self._heartbeat.join()

    def started(self, step: str) -> None:
        with self._lock:
            if step in self._running:
                return
            self._running[step] = time.monotonic()
            self._say(logging.INFO, f"start {step}")

    def finished(self, step: str, seconds: float | None = None, failed: bool = False, detail: str = "") -> None:
        """``step`` ended; ``seconds`` as the tool recorded it, else timed from :meth:`started`."""
        with self._lock:
            began = self._running.pop(step, None)
            if seconds is None and began is not None:
                seconds = time.monotonic() - began
            self._steps_done += 1
            self._say(
                logging.WARNING if failed else logging.INFO,
                f"{'FAILED' if failed else 'done'} {step}{_timing(seconds)}{f': {detail}' if detail else ''}",
            )

    def node_finished(self, kind: str, name: str, seconds: float | None = None, failed: bool = False) -> None:
        """A node inside a step ended (a dbt model or test, a tool's check): a line for a model or
        a failure, a count for the rest."""
        with self._lock:
            self._nodes_done += 1
            if failed or kind in BUILDING_NODE_TYPES:
                self._say(
                    logging.WARNING if failed else logging.INFO,
                    f"{'FAILED' if failed else 'built'} {kind} {name}{_timing(seconds)} [{self._nodes_done} nodes done]",
                )

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time a step this process runs itself (what a plain script writes by hand)."""
        self.started(name)
        try:
            yield
        except BaseException:
            self.finished(name, failed=True)
            raise
        self.finished(name)

    def _say(self, level: int, line: str) -> None:
        self._last_line = time.monotonic()
        log.log(level, line)

    def _beat(self) -> None:
        while not self._stopped.wait(self._heartbeat_seconds / 3):
            with self._lock:
                now = time.monotonic()
                if not self._running or now - self._last_line < self._heartbeat_seconds:
                    continue
                running = ", ".join(f"{step} ({now - began:.0f} s)" for step, began in self._running.items())
                nodes = f", {self._nodes_done} nodes" if self._nodes_done else ""
                self._say(logging.INFO, f"still running: {running}; done so far: {self._steps_done} steps{nodes}")


def _timing(seconds: float | None) -> str:
    return "" if seconds is None else f" ({seconds:.1f} s)"
