"""What the code-size section stores: each implementation's size, the shared code's, mypy's figures."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CodeSize:
    """What one implementation's orchestration layer costs to write and read."""

    implementation: str
    python_files: int
    code_lines: int
    # Of code_lines: what our CLI needs to start the tool (``launch.py`` or ``launch/``), and the rest,
    # what a team writes to use the tool (its definitions).
    launcher_lines: int
    definition_lines: int
    config_files: list[str]
    config_lines: int
    framework_apis: list[str]


@dataclass(frozen=True)
class SharedCodeSize:
    """The code every implementation calls, counted once: the core and the dbt project."""

    core_python_lines: int
    dbt_sql_yaml_lines: int
    dbt_files: int


@dataclass(frozen=True)
class TypedShare:
    """mypy over one implementation: the share of its expressions typed (not ``Any``), its errors."""

    typed_share: float | None
    any_expressions: int | None = None
    expressions: int | None = None
    mypy_errors: int | None = None
    mypy_error_codes: list[str] = field(default_factory=list)
    error: str | None = None  # why mypy gave no figures


@dataclass
class CodeSizeResults:
    sizes: dict[str, CodeSize] = field(default_factory=dict)  # by implementation
    shared: SharedCodeSize | None = None
    typing: dict[str, TypedShare] = field(default_factory=dict)  # by implementation; not in quick mode
