"""The lineage and data-quality sections of the report, and the lineage chart."""

from __future__ import annotations

from bench.report.context import ReportContext, markdown_table, percent


def lineage_section(ctx: ReportContext) -> list[str]:
    store = ctx.store
    lines = ["", "## Lineage coverage", ""]
    truth = store.lineage.truth
    if truth is None:
        return lines + ["Not measured in this run."]
    lines += [
        f"True graph, read from the plain-scripts run (dbt's manifest, the input and output files, the tables the "
        f"quality report's SQL reads): {truth.nodes} nodes, {truth.edges} edges.",
        "",
        "Nodes stored as data objects are those the tool keeps as assets (Dagster, Prefect) or Assets (Airflow); "
        "a node it knows only through a task (a cosmos model task standing for its dbt model) is counted apart. "
        "Lineage declared by hand counts, the same way for every tool, each dependency the definitions write "
        "down: what a step reads (`deps=`, `inlets=`, `asset_deps=`, ...) and what it writes (`@asset`, "
        "`materialize`, `outlets=`), read + written (`lineage_declarations` in `bench/code_size/count.py`); "
        "what the tool derives by itself (dbt's graph) needs none. "
        "Extra edges are links the tool records between two data products that the true graph does not have "
        "(e.g. a task's declared inputs wider than what it reads).",
        "",
    ]
    rows = []
    for implementation in store.config.implementations:
        entry = store.lineage.known.get(implementation)
        if entry:
            known = entry.coverage
            missing = ", ".join(f"{a} → {b}" for a, b in known.missing_edges[:8])
            more = len(known.missing_edges) - 8
            rows.append(
                [
                    implementation,
                    percent(known.node_coverage),
                    f"{percent(entry.data_object_share)} ({entry.task_only_nodes} only as tasks)",
                    percent(known.edge_coverage),
                    f"{size.lineage_reads} + {size.lineage_writes}"
                    if (size := store.code_size.sizes.get(implementation))
                    else "?",
                    str(len(known.extra_edges)),
                    known.note,
                    missing + (f" (+{more} more)" if more > 0 else ""),
                ]
            )
    headers = (
        "implementation",
        "nodes known",
        "nodes stored as data objects",
        "edges known",
        "lineage declared by hand",
        "extra edges",
        "how it was read",
        "missing edges",
    )
    return lines + markdown_table(headers, rows)


def quality_section(ctx: ReportContext) -> list[str]:
    store = ctx.store
    lines = ["", "## Data quality surfaced", ""]
    if not store.lineage.checks:
        return lines + ["Not measured in this run."]
    rows = [
        [implementation, str(entry.queryable), str(entry.failed), entry.note]
        for implementation in store.config.implementations
        if (entry := store.lineage.checks.get(implementation))
    ]
    return lines + markdown_table(("implementation", "checks queryable from the tool's API", "failed", "how"), rows)


def lineage_chart(ctx: ReportContext) -> list[str]:
    """lineage.png: the share of the true graph's nodes and edges each tool knows."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    store, out = ctx.store, ctx.out_dir
    made: list[str] = []
    known = store.lineage.known
    covered = [i for i in store.config.implementations if i in known]
    if covered:
        fig, ax = plt.subplots(figsize=(7, 3.2))
        ax.bar(
            [x - 0.2 for x in range(len(covered))],
            [known[i].coverage.node_coverage for i in covered],
            width=0.4,
            label="nodes",
        )
        ax.bar(
            [x + 0.2 for x in range(len(covered))],
            [known[i].coverage.edge_coverage for i in covered],
            width=0.4,
            label="edges",
        )
        ax.set_xticks(range(len(covered)), covered)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("share of the true lineage graph")
        ax.set_title("Lineage the tool knows after a run")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "lineage.png", dpi=110)
        plt.close(fig)
        made.append("lineage.png")
    return made
