"""Which failures a retry can fix: the one rule every orchestrator's retry policy applies."""

from __future__ import annotations

from core.errors import (
    PipelineInputError,
    QualityCheckFailed,
    WarehouseInUse,
    is_permanent,
    permanent_error_named,
)


def test_bad_input_and_failed_checks_are_permanent_anything_else_is_retried() -> None:
    assert is_permanent(PipelineInputError("customers.csv: no header row"))
    assert is_permanent(QualityCheckFailed("accounts do not reconcile"))
    assert not is_permanent(WarehouseInUse("warehouse.duckdb is locked"))  # another process may let go
    assert not is_permanent(OSError("disk full"))
    assert not is_permanent(None)


def test_a_permanent_error_survives_a_process_boundary_by_name() -> None:
    rebuilt = permanent_error_named("PipelineInputError", "accounts.csv: missing column Balance")
    assert isinstance(rebuilt, PipelineInputError) and str(rebuilt) == "accounts.csv: missing column Balance"
    assert permanent_error_named("KeyError", "x") is None
