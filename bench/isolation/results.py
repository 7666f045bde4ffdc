"""What the testing-in-isolation section stores: per implementation and way, its test of one step."""

from __future__ import annotations

from dataclasses import dataclass

# The two ways each tool's test of the step is written (``bench/isolation/steps/``).
HELPER = "helper"  # the tool's own test helper: materialize, prefect_test_harness, dag.test()
DIRECT = "direct"  # the lightest way the tool's docs show: a direct call, .fn(), the task's function


@dataclass(frozen=True)
class StepTest:
    """One step test module, run by pytest in a fresh process of its own, once per repeat."""

    implementation: str
    way: str  # HELPER or DIRECT
    file: str  # relative to the repository
    code_lines: int  # the test module's code lines (no blank, comment or docstring line)
    seconds: float  # the median of seconds_samples
    # Wall time of each repeat's pytest process: imports, the tool's test set-up, both tests.
    seconds_samples: list[float]
    passed: bool  # every repeat passed
    summary: str  # pytest's closing line (and a failure's first error), from the first failed repeat, else the last
    log: str  # that repeat's pytest output
