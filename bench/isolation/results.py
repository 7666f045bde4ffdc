"""What the testing-in-isolation section stores: per implementation, its test of one step."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepTest:
    """``bench/isolation/steps/step_<implementation>.py`` run by pytest in a process of its own."""

    implementation: str
    file: str  # relative to the repository
    code_lines: int  # the test module's code lines (no blank, comment or docstring line)
    seconds: float  # wall time of the pytest process: imports, the tool's test set-up, both tests
    passed: bool
    summary: str  # pytest's last line, or why it failed
    log: str
