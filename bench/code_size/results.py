"""What the code-size section stores: each implementation's size, the shared code's, mypy's figures."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FileSize:
    """One Python file of an implementation: what it is for, and its code lines."""

    path: str  # relative to the implementation's folder
    role: str  # "launcher" (what our CLI needs to start the tool) or "definitions" (what a team writes)
    lines: int  # code lines in that role, extras left out
    extras: dict[str, int] = field(default_factory=dict)  # feature only this tool's implementation has -> lines
    # Of ``lines`` (definitions only): lines naming something imported from the tool, and lines naming
    # only our core (``bench.code_size.count.line_kinds``); the rest is plain Python.
    tool_lines: int = 0
    core_lines: int = 0
    # Lineage declared by hand (bench.code_size.count.lineage_declarations): dependencies read, data written.
    lineage_reads: int = 0
    lineage_writes: int = 0


@dataclass(frozen=True)
class CodeSize:
    """What one implementation's orchestration layer costs to write and read."""

    implementation: str
    python_files: int
    code_lines: int
    # Of code_lines: what our CLI needs to start the tool (``launch.py`` or ``launch/``), what a team
    # writes to use the tool (its definitions), and the extras (features the others do not have).
    launcher_lines: int
    definition_lines: int
    config_files: list[str]
    config_lines: int
    framework_apis: list[str]
    files: list[FileSize] = field(default_factory=list)

    @property
    def tool_specific_share(self) -> float | None:
        """Of the definitions' lines, the share that names the tool: what moving off it rewrites."""
        return sum(f.tool_lines for f in self.files) / self.definition_lines if self.definition_lines else None

    @property
    def lineage_reads(self) -> int:
        return sum(f.lineage_reads for f in self.files)

    @property
    def lineage_writes(self) -> int:
        return sum(f.lineage_writes for f in self.files)

    @property
    def lineage_declarations(self) -> int:
        return self.lineage_reads + self.lineage_writes

    @property
    def extra_lines(self) -> dict[str, int]:
        """Lines per extra feature, over every file."""
        totals: dict[str, int] = {}
        for size in self.files:
            for feature, lines in size.extras.items():
                totals[feature] = totals.get(feature, 0) + lines
        return totals


@dataclass(frozen=True)
class SharedCodeSize:
    """The code every implementation calls, counted once: the core and the dbt project."""

    core_python_lines: int
    dbt_sql_yaml_lines: int
    dbt_files: int


DEFINITIONS, ALL_CODE = "definitions", "all code"  # the two scopes a typed share is read over


@dataclass(frozen=True)
class ModuleTyping:
    """mypy's figures for one module of an implementation."""

    any_expressions: int
    expressions: int
    errors: int = 0
    launcher: bool = False  # part of what our CLI needs to start the tool, not of the definitions


@dataclass(frozen=True)
class TypedShare:
    """mypy over one implementation: the share of its expressions typed (not ``Any``), its errors."""

    typed_share: float | None  # over every module, errors not counted (mypy's own coverage figure)
    any_expressions: int | None = None
    expressions: int | None = None
    mypy_errors: int | None = None
    mypy_error_codes: list[str] = field(default_factory=list)
    error: str | None = None  # why mypy gave no figures
    modules: dict[str, ModuleTyping] = field(default_factory=dict)  # by dotted module name

    def share(self, scope: str = DEFINITIONS) -> float | None:
        """The typed share over ``scope`` (the definitions, or all code), each expression mypy reports an
        error on counted as untyped (one per error: mypy reports errors per expression)."""
        chosen = [m for m in self.modules.values() if scope == ALL_CODE or not m.launcher]
        expressions = sum(m.expressions for m in chosen)
        if not expressions:
            return None
        untyped = sum(m.any_expressions + m.errors for m in chosen)
        return max(0.0, 1 - untyped / expressions)

    def errors(self, scope: str = DEFINITIONS) -> int:
        return sum(m.errors for m in self.modules.values() if scope == ALL_CODE or not m.launcher)


@dataclass
class CodeSizeResults:
    sizes: dict[str, CodeSize] = field(default_factory=dict)  # by implementation
    shared: SharedCodeSize | None = None
    typing: dict[str, TypedShare] = field(default_factory=dict)  # by implementation; not in quick mode
