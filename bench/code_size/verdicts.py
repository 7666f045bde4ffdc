"""The ADR rows judged from the code-size section's figures: Type Safety, Learning Curve."""

from __future__ import annotations

from bench.code_size.results import ALL_CODE, DEFINITIONS
from bench.report.context import percent
from bench.store import Store
from bench.verdicts import (
    AS_JUDGED,
    MARGIN_READINGS,
    NOT_MEASURABLE,
    SCRIPTS_OUT,
    Margin,
    Reading,
    Verdict,
    figure_cells,
    judge_figures,
    option,
)

# Two percentage points of typed expressions: about what one helper function that passes JSON through
# as Any costs in an implementation of ~1,500 expressions; style, not the tool's typing.
TYPED_SHARE_MARGIN = Margin(0.02, text="2 percentage points")
ALL_CODE_READING = option(ALL_CODE)
SCOPE_WORDS = {DEFINITIONS: "definitions'", ALL_CODE: "orchestration code's (launchers included)"}


def judge_type_safety(store: Store, reading: Reading = AS_JUDGED) -> Verdict:
    """Supported when mypy types a larger share of Dagster's definitions (the files the size rows count,
    launchers left out) than of the best other implementation's, plain scripts included, by more than
    two percentage points. An expression is typed when mypy types it as something other than ``Any``
    and reports no error on it (each mypy error counts as one untyped expression)."""
    scope = ALL_CODE if reading.option == ALL_CODE else DEFINITIONS
    typing = store.code_size.typing
    verdict = judge_figures(
        f"share of the {SCOPE_WORDS[scope]} expressions that mypy types (not Any, no error)",
        {name: result.share(scope) if result.modules else None for name, result in typing.items()},
        higher_is_better=True,
        margin=TYPED_SHARE_MARGIN,
        show=percent,
        reading=reading,
    )
    figures = {
        name: f"{cell}, {typing[name].errors(scope)} mypy error(s)" if name in typing and typing[name].modules else cell
        for name, cell in verdict.figures.items()
    }
    return Verdict(verdict.verdict, verdict.evidence, verdict.measured, figures)


TYPE_SAFETY_READINGS = (*MARGIN_READINGS, SCRIPTS_OUT, ALL_CODE_READING)


def judge_learning_curve(store: Store, reading: Reading = AS_JUDGED) -> Verdict:
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


def judge_migration(store: Store, reading: Reading = AS_JUDGED) -> Verdict:
    """The ADR's negative consequence "moving to another orchestrator later is harder": supported when
    a larger share of Dagster's definitions names the tool (lines that use a name imported from it:
    what moving off it rewrites) than of any other implementation's, by more than five percentage points.
    A proxy: it reads names, not effort. Plain scripts names no tool (0%), so it never is the most bound."""
    verdict = judge_figures(
        "proxy: share of the definitions' code lines that name the tool (use a name imported from it)",
        {name: size.tool_specific_share for name, size in store.code_size.sizes.items()},
        higher_is_better=True,
        margin=TOOL_SHARE_MARGIN,
        show=percent,
        reading=reading,
    )
    evidence = verdict.evidence.replace("best other", "most tool-bound other")
    return Verdict(verdict.verdict, evidence, verdict.measured, verdict.figures)


MIGRATION_READINGS = MARGIN_READINGS
