"""The verdicts the report gives an ADR claim, and what each comes with: the figures that decided it."""

from __future__ import annotations

from dataclasses import dataclass

SUPPORTED, REFUTED, NOT_MEASURABLE = "supported", "refuted", "not measurable here"


@dataclass(frozen=True)
class Verdict:
    verdict: str
    evidence: str
