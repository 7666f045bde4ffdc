"""What the output-equality section stores: per implementation, its differences from the reference."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Equality:
    reference: str  # what the outputs were compared with: "the rules oracle" or "scripts"
    files_compared: int
    differences: list[dict[str, Any]] = field(default_factory=list)  # per file: problem, first rows

    @property
    def equal(self) -> bool:
        return not self.differences
