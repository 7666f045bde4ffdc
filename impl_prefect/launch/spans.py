"""Progress lines from Prefect's own run spans.

Prefect opens an OpenTelemetry span for every flow run and task run (``prefect.telemetry``), in
the process that runs it, as the run starts and ends; with no tracer provider configured they go
nowhere. :func:`reporting_task_runs` gives them a span processor that turns each task run's span
into progress lines: a line when a task run starts and ends, and for the task runs prefect-dbt
makes per dbt node (named ``model stg_customers``, ``test ...``), one line per model built (with
no time: such a task run records a node that dbt ran in its own thread). It adds to a tracer
provider the user configured (an exporter, say) rather than replacing it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from core.progress import Progress, dbt_node

_current: list[Progress] = []  # the run being reported, if any (one at a time per process)
_installed: list[Any] = []  # the span processor, added to the tracer provider once per process


def _run(span: Any) -> tuple[str, str]:
    """``(run type, run name)`` of a Prefect run's span (``flow`` or ``task``)."""
    attributes = span.attributes or {}
    return attributes.get("prefect.run.type", ""), attributes.get("prefect.run.name", "")


def _span_processor() -> Any:
    from opentelemetry.sdk.trace import SpanProcessor
    from opentelemetry.trace import StatusCode

    class TaskRunSpans(SpanProcessor):
        """A step is a task run of the flow (its span's parent is the flow run's): a line when it
        starts and ends. Any other task run (prefect-dbt's per-node ones, which it runs in threads
        and names once they end) is reported when it ends, as a node."""

        def __init__(self) -> None:
            self.flow_runs: set[int] = set()
            self.steps: set[int] = set()

        def on_start(self, span: Any, parent_context: Any = None) -> None:
            kind, name = _run(span)
            if kind == "flow":
                self.flow_runs.add(span.context.span_id)
            elif kind == "task" and span.parent is not None and span.parent.span_id in self.flow_runs:
                self.steps.add(span.context.span_id)
                if _current:
                    _current[-1].started(name)

        def on_end(self, span: Any) -> None:
            kind, name = _run(span)
            self.flow_runs.discard(span.context.span_id)
            if kind != "task" or not _current:
                return
            failed = span.status.status_code == StatusCode.ERROR
            if span.context.span_id in self.steps:
                self.steps.discard(span.context.span_id)
                _current[-1].finished(name, (span.end_time - span.start_time) / 1e9, failed=failed)
            else:  # a node's task run records a node dbt ran elsewhere: its span's length is not the node's
                node_kind, node_name = dbt_node(name) or ("task", name)
                _current[-1].node_finished(node_kind, node_name, failed=failed)

    return TaskRunSpans()


@contextmanager
def reporting_task_runs(progress: Progress) -> Iterator[None]:
    """Task-run spans of this process to ``progress`` while the context lasts."""
    if not _installed:
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider

        provider = trace.get_tracer_provider()
        if not isinstance(provider, TracerProvider):  # none configured: the API's no-op proxy
            provider = TracerProvider()
            trace.set_tracer_provider(provider)
        _installed.append(_span_processor())
        provider.add_span_processor(_installed[0])
    _current.append(progress)
    try:
        yield
    finally:
        _current.remove(progress)
