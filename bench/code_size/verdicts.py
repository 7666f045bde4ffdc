"""The ADR rows judged from the code-size section's figures: Type Safety, Learning Curve."""

from __future__ import annotations

from bench.report.context import percent
from bench.store import Store
from bench.verdicts import NOT_MEASURABLE, Margin, Verdict, figure_cells, judge_figures

# Two percentage points of typed expressions: about what one helper function that passes JSON through
# as Any costs in an implementation of ~1,500 expressions; style, not the tool's typing.
TYPED_SHARE_MARGIN = Margin(0.02, text="2 percentage points")


def judge_type_safety(store: Store) -> Verdict:
    """Supported when mypy types a larger share of Dagster's orchestration code (expressions not ``Any``)
    than of the best other tool's, by more than two percentage points. Plain scripts is shown as the
    reference (plain Python over the core, no framework API to type) and not compared."""
    typing = store.code_size.typing
    verdict = judge_figures(
        "share of the orchestration code's expressions that mypy types (not Any)",
        {name: result.typed_share for name, result in typing.items()},
        higher_is_better=True,
        margin=TYPED_SHARE_MARGIN,
        show=percent,
        reference=("scripts",),
    )
    figures = {
        name: f"{cell}, {typing[name].mypy_errors} mypy error(s)"
        if name in typing and typing[name].typed_share is not None and name != "scripts"
        else cell
        for name, cell in verdict.figures.items()
    }
    return Verdict(verdict.verdict, verdict.evidence, verdict.measured, figures)


def judge_learning_curve(store: Store) -> Verdict:
    """Not measurable here: learning is not measured on one machine. The proxies are shown as proxies."""
    sizes = store.code_size.sizes
    return Verdict(
        NOT_MEASURABLE,
        "no measure of learning here; the figures are proxies only",
        "proxies: distinct framework APIs the implementation imports, its definitions' code lines, config files it ships",
        figure_cells(
            {
                name: f"{len(size.framework_apis)} APIs, {size.definition_lines} lines, "
                f"{len(size.config_files)} config files"
                for name, size in sizes.items()
            }
        ),
    )


# Five percentage points of the definitions: a few dozen lines in implementations of a few hundred.
TOOL_SHARE_MARGIN = Margin(0.05, text="5 percentage points")


def judge_migration(store: Store) -> Verdict:
    """The ADR's negative consequence "moving to another orchestrator later is harder": supported when
    a larger share of Dagster's definitions names the tool (lines that use a name imported from it:
    what moving off it rewrites) than of any other tool's, by more than five percentage points. A proxy:
    it reads names, not effort. Plain scripts names no tool and is shown as the reference."""
    verdict = judge_figures(
        "proxy: share of the definitions' code lines that name the tool (use a name imported from it)",
        {name: size.tool_specific_share for name, size in store.code_size.sizes.items()},
        higher_is_better=True,
        margin=TOOL_SHARE_MARGIN,
        show=percent,
        reference=("scripts",),
    )
    evidence = verdict.evidence.replace("best other", "most tool-bound other")
    return Verdict(verdict.verdict, evidence, verdict.measured, verdict.figures)
