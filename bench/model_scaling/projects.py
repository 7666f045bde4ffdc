"""Synthetic dbt projects of N models, to measure how each orchestrator's overhead grows with the DAG.

A synthetic project is a copy of the shipped ``dbt/`` project (so the real pipeline, its exports and
its quality report run unchanged) plus N generated models under ``models/synthetic/``, in one of the
shapes real projects have:

* ``chain``: each model reads the one before it (the longest path: N models deep);
* ``fan``: N - 1 models read the staging models side by side (fan-out), one model unions them all
  (fan-in): the widest DAG;
* ``layered``: staging (half of N) -> intermediate (three tenths) -> marts (the rest), each model of a
  layer reading two of the layer below, like a dbt project laid out by the dbt style guide.

Every generated model is cheap on purpose (one row: a count, then small arithmetic or a union of
one-row tables), so what grows with N is the orchestration, not the SQL. Every model has a YAML entry
with one ``not_null`` test: real projects have tests, and tests are nodes too. **N counts the
generated models; the synthetic part adds 2N dbt nodes (N models + N tests)** on top of the shipped
project's own nodes.

Implementations run a synthetic project with no code change: ``core.transform`` reads the project
folder from ``LC_DBT_PROJECT_DIR`` (:func:`project_environment`) when it is imported.

    python -m bench.model_scaling.projects --shape layered --models 50 --out /tmp/syn_layered_50
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.model_scaling.results import ManifestCounts
from core.transform import PROJECT_DIR_ENV, SHIPPED_DBT_PROJECT_DIR

SHAPES = ("chain", "fan", "layered")
SYNTHETIC_DIR = Path("models") / "synthetic"
# dbt's own output and anything a run left in the shipped folder: never copied.
_NOT_COPIED = shutil.ignore_patterns("target", "logs", "output", "dbt_packages", ".user.yml", "*.duckdb*")
# The shipped models every synthetic model ultimately reads (alternately), and the raw sources the
# layered shape's staging layer also reads.
_STAGING = ("stg_customers", "stg_accounts")
_SOURCES = (("raw", "customers"), ("raw", "accounts"))


@dataclass(frozen=True)
class SyntheticModel:
    """One generated model: its name, the synthetic models it reads, and what it reads at the root."""

    name: str
    parents: tuple[str, ...] = ()  # synthetic models (ref)
    root: str | None = None  # a shipped staging model (ref) when it has no synthetic parent
    source: tuple[str, str] | None = None  # or a raw source

    def sql(self) -> str:
        """One-row SQL: the cost of a model is dbt's and the orchestrator's, not DuckDB's."""
        if self.root:
            return f"select '{self.root}' as k, count(*) as n from {{{{ ref('{self.root}') }}}}\n"
        if self.source:
            return f"select '{self.source[1]}' as k, count(*) as n from {{{{ source('{self.source[0]}', '{self.source[1]}') }}}}\n"
        if len(self.parents) == 1:
            return f"select k, n + 1 as n from {{{{ ref('{self.parents[0]}') }}}}\n"
        union = "\n    union all\n".join(f"    select k, n from {{{{ ref('{p}') }}}}" for p in self.parents)
        return f"select k, sum(n) as n\nfrom (\n{union}\n) as parents\ngroup by k\n"


def plan(shape: str, models: int) -> list[SyntheticModel]:
    """The N models of a shape, deterministic for (shape, N)."""
    if models < 3:
        raise ValueError("a synthetic project needs at least 3 models (one per layer of the layered shape)")
    if shape == "chain":
        return _chain(models)
    if shape == "fan":
        return _fan(models)
    if shape == "layered":
        return _layered(models)
    raise ValueError(f"unknown shape {shape!r}; shapes are {', '.join(SHAPES)}")


def _chain(models: int) -> list[SyntheticModel]:
    names = [f"syn_chain_{i:04d}" for i in range(1, models + 1)]
    return [SyntheticModel(names[0], root=_STAGING[0])] + [
        SyntheticModel(name, parents=(names[i],)) for i, name in enumerate(names[1:])
    ]


def _fan(models: int) -> list[SyntheticModel]:
    leaves = [SyntheticModel(f"syn_fan_{i:04d}", root=_STAGING[i % 2]) for i in range(1, models)]
    return leaves + [SyntheticModel("syn_fan_sink", parents=tuple(leaf.name for leaf in leaves))]


def _layer_sizes(models: int) -> tuple[int, int, int]:
    """Staging half, intermediate three tenths, marts the rest; at least one model per layer."""
    intermediate = max(1, round(models * 0.3))
    staging = min(max(1, round(models * 0.5)), models - intermediate - 1)
    return staging, intermediate, models - staging - intermediate


def _reading_two(prefix: str, count: int, below: list[str]) -> list[SyntheticModel]:
    """Models each reading two neighbours of the layer below (one when that layer has one model)."""
    return [
        SyntheticModel(
            f"{prefix}_{i + 1:04d}", parents=tuple(dict.fromkeys((below[i % len(below)], below[(i + 1) % len(below)])))
        )
        for i in range(count)
    ]


def _layered(models: int) -> list[SyntheticModel]:
    n_stg, n_int, n_mart = _layer_sizes(models)
    staging = [
        SyntheticModel(f"syn_stg_{i + 1:04d}", source=_SOURCES[i % 2])
        if i % 4 == 3
        else SyntheticModel(f"syn_stg_{i + 1:04d}", root=_STAGING[i % 2])
        for i in range(n_stg)
    ]
    intermediate = _reading_two("syn_int", n_int, [m.name for m in staging])
    marts = _reading_two("syn_mart", n_mart, [m.name for m in intermediate])
    return staging + intermediate + marts


def _yaml(models: list[SyntheticModel], shape: str) -> str:
    """One schema file: a description and one cheap ``not_null`` test per model."""
    lines = ["version: 2", "", "models:"]
    for model in models:
        lines += [
            f"  - name: {model.name}",
            f"    description: Synthetic {shape} model (bench/model_scaling/projects.py), one row; reads "
            f"{', '.join(model.parents) or model.root or '.'.join(model.source or ())}.",
            "    columns:",
            "      - name: n",
            "        data_tests: [not_null]",
        ]
    return "\n".join(lines) + "\n"


def generate_project(destination: Path, shape: str, models: int) -> Path:
    """Write a fresh synthetic project into ``destination`` (replaced if it exists); return it."""
    planned = plan(shape, models)
    destination = destination.resolve()
    if destination == SHIPPED_DBT_PROJECT_DIR.resolve() or SHIPPED_DBT_PROJECT_DIR.resolve() in destination.parents:
        raise ValueError("never generate into the shipped dbt project")
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(SHIPPED_DBT_PROJECT_DIR, destination, ignore=_NOT_COPIED)
    folder = destination / SYNTHETIC_DIR
    folder.mkdir(parents=True)
    for model in planned:
        (folder / f"{model.name}.sql").write_text(model.sql(), encoding="utf-8")
    (folder / "_synthetic.yml").write_text(_yaml(planned, shape), encoding="utf-8")
    (destination / "synthetic.json").write_text(
        json.dumps({"shape": shape, "models": models, "edges": sum(len(m.parents) for m in planned)}) + "\n",
        encoding="utf-8",
    )
    return destination


def project_environment(project_dir: Path) -> dict[str, str]:
    """The environment under which every implementation runs ``project_dir`` instead of ``dbt/``."""
    return {PROJECT_DIR_ENV: str(project_dir.resolve())}


def check_manifest(manifest_path: Path, shape: str, models: int) -> ManifestCounts:
    """Compare a parsed manifest with the plan: every model, its parents and its test; return counts.

    Parsing proves every ``ref``/``source`` resolves; this proves the DAG has the intended shape.
    """
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    nodes = manifest["nodes"].values()
    by_name = {n["name"]: n for n in nodes if n["resource_type"] == "model"}
    tested = {n["attached_node"] for n in nodes if n["resource_type"] == "test" and n.get("attached_node")}
    problems = []
    for model in plan(shape, models):
        node = by_name.get(model.name)
        if node is None:
            problems.append(f"{model.name} missing")
            continue
        parents = {uid.rsplit(".", 1)[-1] for uid in node["depends_on"]["nodes"]}
        expected = (
            set(model.parents)
            | ({model.root} if model.root else set())
            | ({model.source[1]} if model.source else set())
        )
        if parents != expected:
            problems.append(f"{model.name} reads {sorted(parents)}, planned {sorted(expected)}")
        if node["unique_id"] not in tested:
            problems.append(f"{model.name} has no test")
    if problems:
        raise AssertionError(f"{manifest_path}: " + "; ".join(problems[:10]))
    return ManifestCounts(
        models=sum(1 for n in nodes if n["resource_type"] == "model"),
        tests=sum(1 for n in nodes if n["resource_type"] == "test"),
        synthetic_models=models,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.model_scaling.projects", description=__doc__.split("\n")[0])
    parser.add_argument("--shape", choices=SHAPES, required=True)
    parser.add_argument("--models", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    print(generate_project(args.out, args.shape, args.models))
    return 0


if __name__ == "__main__":
    sys.exit(main())
