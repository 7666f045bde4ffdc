"""The verdict rules as docs/harness.md states them, written from the rules' own docstrings.

The docs cannot drift from the code: ``tests/test_report.py`` checks that docs/harness.md holds this
text, and ``python -m bench.report.rules`` writes it there.
"""

from __future__ import annotations

import inspect
import sys

from bench.paths import REPO
from bench.report.claims import CLAIMS, CONSEQUENCES
from bench.verdicts import compare_with_best_other, tally

HARNESS_DOC = REPO / "docs" / "harness.md"
START, END = "<!-- rules: written by python -m bench.report.rules -->", "<!-- end of rules -->"


def _sentence(function: object) -> str:
    return " ".join((inspect.getdoc(function) or "").split()).replace("|", "\\|")


def rules_block() -> str:
    """The shared comparison, the tally, and one row per ADR row: its rule and the readings beside it."""
    lines = [
        START,
        "",
        f"**Every comparison.** {_sentence(compare_with_best_other)}",
        "",
        f"**Several comparisons in one row.** {_sentence(tally)}",
        "",
        "| row | rule (the function's docstring) | other fair readings in the robustness column |",
        "|---|---|---|",
    ]
    for claim in [*CLAIMS, *CONSEQUENCES]:
        readings = ", ".join(reading.name for reading in claim.readings) or "none"
        lines.append(f"| {claim.feature} | {_sentence(claim.judge)} | {readings} |")
    return "\n".join([*lines, "", END])


def with_rules(document: str) -> str:
    """``document`` with its rules block replaced by the current one."""
    before, rest = document.split(START, 1)
    _, after = rest.split(END, 1)
    return before + rules_block() + after


if __name__ == "__main__":
    HARNESS_DOC.write_text(with_rules(HARNESS_DOC.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stdout.write(f"wrote the rules into {HARNESS_DOC}\n")
