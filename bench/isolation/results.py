"""What the testing-in-isolation section stores: per implementation, its test of one step."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    way: str = "helper"  # "helper" (the tool's test helper) or "direct" (the lightest way its docs show)
    seconds_samples: list[float] = field(default_factory=list)  # each repeat's wall time
