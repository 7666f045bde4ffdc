"""Lines of code and framework APIs of each implementation, counted from the source, not by ``wc``.

A code line is a physical line holding at least one token that is not a comment, a docstring, or
layout (newlines, indentation). Docstrings are string statements at the start of a module, class
or function body; they are told apart with ``ast``, their lines with ``tokenize``.
"""

from __future__ import annotations

import ast
import io
import subprocess
import tokenize
from pathlib import Path

from bench.code_size.extras import EXTRA_FILES, EXTRAS
from bench.code_size.results import CodeSize, FileSize, SharedCodeSize
from bench.paths import REPO

LAYOUT_TOKENS = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
    tokenize.ENCODING,
}
CONFIG_SUFFIXES = {".yaml", ".yml", ".toml", ".cfg", ".ini", ".json"}

# Top-level packages whose imports count as a framework's API for each implementation.
FRAMEWORK_PACKAGES = {
    "dagster": ("dagster", "dagster_dbt", "dagster_webserver"),
    "airflow": ("airflow", "cosmos"),
    "prefect": ("prefect", "prefect_dbt"),
    "scripts": ("dbt",),
}


# How a developer declares lineage by hand, one table for every tool (each tool's names differ, so none
# counts for another): what a step reads (``deps=``, ``inlets=``, ``asset_deps=``, ...) and what it writes
# (an ``@asset``, a ``materialize(...)``, ``outlets=``). Each dependency written counts once: every item of
# a list written out, a comprehension or any other expression once. Constructors that only name data
# (``AssetKey``, ``AssetSpec``, ``Asset``) declare no edge, and what a tool derives by itself (dbt's
# graph, values passed between tasks) needs none of these.
LINEAGE_READS = frozenset({"deps", "additional_deps", "asset_deps", "inlets", "ins"})
LINEAGE_WRITE_KEYWORDS = frozenset({"outlets"})
LINEAGE_WRITE_CALLS = frozenset({"asset", "multi_asset", "materialize"})  # a decorator or a call: its assets
READS, WRITES = "reads", "writes"


def _items(value: ast.expr) -> int:
    """Dependencies written in one value: a list or tuple's items, anything else one."""
    return len(value.elts) if isinstance(value, ast.List | ast.Tuple) else 1


def _called(node: ast.expr) -> str:
    func = node.func if isinstance(node, ast.Call) else node
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def lineage_declarations(source: str, lines: set[int]) -> dict[str, int]:
    """The dependencies ``source`` declares by hand on ``lines``, as reads and writes (imports do not count)."""
    found = {READS: 0, WRITES: 0}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.value.lineno in lines:
            if node.arg in LINEAGE_READS:
                found[READS] += _items(node.value)
            elif node.arg in LINEAGE_WRITE_KEYWORDS:
                found[WRITES] += _items(node.value)
        elif isinstance(node, ast.Assign) and node.lineno in lines:
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr in LINEAGE_READS | LINEAGE_WRITE_KEYWORDS:
                    found[READS if target.attr in LINEAGE_READS else WRITES] += _items(node.value)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            # a bare decorator (``@asset``) is no call: the decorated function writes one asset
            found[WRITES] += sum(
                isinstance(d, ast.Name | ast.Attribute) and _called(d) in LINEAGE_WRITE_CALLS and d.lineno in lines
                for d in node.decorator_list
            )
        elif isinstance(node, ast.Call) and _called(node) in LINEAGE_WRITE_CALLS and node.lineno in lines:
            found[WRITES] += max(1, sum(_items(arg) for arg in node.args if not isinstance(arg, ast.Lambda)))
    return found


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                lines.update(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    return lines


def code_line_numbers(source: str) -> set[int]:
    """The numbers of the physical lines with real code in one Python source text."""
    docstrings = _docstring_lines(ast.parse(source))
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in LAYOUT_TOKENS:
            continue
        lines.update(range(token.start[0], token.end[0] + 1))
    return lines - docstrings


def code_lines(source: str) -> int:
    """Physical lines with real code in one Python source text."""
    return len(code_line_numbers(source))


def top_level_lines(source: str) -> dict[str, set[int]]:
    """Each top-level name a module defines (function, class, assignment) -> its lines, decorators included."""
    found: dict[str, set[int]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [node.name]
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names, first = [t.id for t in targets if isinstance(t, ast.Name)], node.lineno
        else:
            continue
        for name in names:
            found[name] = set(range(first, (node.end_lineno or node.lineno) + 1))
    return found


def framework_apis(source: str, packages: tuple[str, ...]) -> set[str]:
    """Distinct names imported from the framework's packages (``dagster.asset``, ``cosmos.DbtTaskGroup``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in packages:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] in packages)
    return found


def project_files(folder: Path) -> list[Path]:
    """The files of a folder that belong to the project (tracked, or new and not ignored by git)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", str(folder)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return sorted(path for path in (REPO / name for name in listed) if path.is_file())


def line_kinds(source: str, packages: tuple[str, ...], lines: set[int]) -> dict[str, int]:
    """Of ``lines``: how many name something imported from the tool's packages ("tool": they change
    if the tool is replaced), how many name only something imported from our core ("core"), and the
    rest ("other": plain Python). A proxy for migration cost: it reads names, not meaning."""
    tool_names, core_names = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {alias.asname or alias.name for alias in node.names}
            if node.module.split(".")[0] in packages:
                tool_names |= names
            elif node.module.split(".")[0] == "core":
                core_names |= names
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in packages:
                    tool_names.add((alias.asname or alias.name).split(".")[0])
    by_line: dict[int, set[str]] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME:
            by_line.setdefault(token.start[0], set()).add(token.string)
    kinds = {"tool": 0, "core": 0, "other": 0}
    for line in lines:
        names = by_line.get(line, set())
        kinds["tool" if names & (tool_names | set(packages)) else "core" if names & core_names else "other"] += 1
    return kinds


def is_launcher(relative: Path) -> bool:
    """Whether a file of an ``impl_*`` folder is its launcher: ``launch.py`` or anything in ``launch/``."""
    return relative.parts[0] in {"launch", "launch.py"}


def _config_lines(path: Path) -> int:
    return sum(1 for line in path.read_text().splitlines() if line.strip() and not line.strip().startswith("#"))


def _file_size(implementation: str, folder: Path, path: Path) -> FileSize:
    """One file's code lines: a launcher file's all launcher; else its extras' lines apart from the rest."""
    relative, source = path.relative_to(folder), path.read_text()
    lines = code_line_numbers(source)
    if is_launcher(relative):
        return FileSize(str(relative), "launcher", len(lines))
    extras = _named_in(EXTRAS, implementation, relative)
    defined = top_level_lines(source)
    unknown = sorted(set(extras) - set(defined))
    if unknown:
        raise LookupError(f"bench/code_size/extras.py names {unknown} that {relative} does not define")
    by_feature: dict[str, int] = {}
    extra_lines: set[int] = set()
    for name, feature in extras.items():
        by_feature[feature] = by_feature.get(feature, 0) + len(lines & defined[name])
        extra_lines |= lines & defined[name]
    kinds = line_kinds(source, FRAMEWORK_PACKAGES.get(implementation, ()), lines - extra_lines)
    declared = lineage_declarations(source, lines - extra_lines)
    return FileSize(
        str(relative),
        "definitions",
        len(lines) - len(extra_lines),
        by_feature,
        kinds["tool"],
        kinds["core"],
        declared[READS],
        declared[WRITES],
    )


def _named_in(table: dict[str, dict[tuple[str, str], str]], implementation: str, relative: Path) -> dict[str, str]:
    """The top-level names ``table`` lists for this file, with the reason it gives."""
    return {name: why for (file, name), why in table.get(implementation, {}).items() if file == str(relative)}


def measure_folder(implementation: str, folder: Path) -> CodeSize:
    """Count an ``impl_*`` folder: Python code lines (definitions, launcher and extras apart, per file),
    config files it ships, framework APIs imported."""
    files = project_files(folder)
    python = [p for p in files if p.suffix == ".py"]
    extra_files = EXTRA_FILES.get(implementation, {})
    missing = sorted(set(extra_files) - {str(p.relative_to(folder)) for p in files})
    if missing:
        raise LookupError(f"bench/code_size/extras.py names files {missing} that {folder.name} does not have")
    configs = [p for p in files if p.suffix in CONFIG_SUFFIXES and str(p.relative_to(folder)) not in extra_files]
    apis: set[str] = set()
    for path in python:
        apis |= framework_apis(path.read_text(), FRAMEWORK_PACKAGES.get(implementation, ()))
    sizes = [_file_size(implementation, folder, path) for path in python]
    launcher = sum(size.lines for size in sizes if size.role == "launcher")
    definitions = sum(size.lines for size in sizes if size.role == "definitions")
    return CodeSize(
        implementation=implementation,
        python_files=len(python),
        code_lines=sum(size.lines + sum(size.extras.values()) for size in sizes),
        launcher_lines=launcher,
        definition_lines=definitions,
        config_files=[str(p.relative_to(REPO)) for p in configs],
        config_lines=sum(_config_lines(p) for p in configs),
        framework_apis=sorted(apis),
        files=sizes,
    )


def shared_code_size() -> SharedCodeSize:
    """The shared core (Python) and the dbt project (SQL and YAML), reported once for all."""
    core = sum(code_lines(p.read_text()) for p in project_files(REPO / "core") if p.suffix == ".py")
    dbt_files = [p for p in project_files(REPO / "dbt") if p.suffix in {".sql", ".yml"}]
    sql_yaml = sum(
        sum(1 for line in p.read_text().splitlines() if line.strip() and not line.strip().startswith(("--", "#")))
        for p in dbt_files
    )
    return SharedCodeSize(core_python_lines=core, dbt_sql_yaml_lines=sql_yaml, dbt_files=len(dbt_files))
