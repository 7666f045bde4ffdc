"""What the UI section stores: per tool, what its UI showed and how long it took; Dagster's criteria.

A figure that could not be observed stays ``None``, with the reason in a note or the tool's error.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Criterion:
    """One of the ADR's validation criteria: met, not met or not measured, and what showed it."""

    status: str
    evidence: str


@dataclass(frozen=True)
class Newcomer:
    """What the README's one command stands for: the shell commands and the tool's own settings."""

    make_target: str
    commands: list[str]
    settings: list[str]  # environment variables, tool flags and config keys, counted alike (bench/ui/settings.py)
    telemetry_opt_outs: list[str] = field(default_factory=list)  # passed too, not counted: they only silence telemetry


@dataclass(frozen=True)
class HotReload:
    """A new step added to the code; how long until the tool lists it (None: not seen, see ``note``)."""

    seconds: float | None  # from the file save, the user's action (if any) taken at once
    how: str = ""
    note: str = ""
    action: str = ""  # what the user does after saving: "none", "click Reload in the UI", ...
    automatic: bool | None = None  # picked up with no user action (None: not asked)
    next_run_seconds: float | None = None  # Prefect: the run that showed the change
    next_run_ok: bool | None = None


@dataclass(frozen=True)
class Screenshot:
    file: str | None  # under the results folder
    ok: bool | None  # None: not attempted
    note: str


@dataclass(frozen=True)
class Stop:
    """SIGTERM to the UI's process group, then SIGKILL for what was left after the grace period."""

    seconds: float | None = None
    cleanly: bool | None = None
    killed_after_grace: int = 0


@dataclass
class ToolUi:
    """One tool's UI scenario, filled in as it goes: a scenario that fails keeps what it saw."""

    tool: str
    command: str
    newcomer: Newcomer
    ui_answers_seconds: float | None = None  # from the command to the UI answering HTTP
    pipeline_listed_seconds: float | None = None  # to our pipeline listed by the tool's API
    config_files: list[str] = field(default_factory=list)
    screenshot: Screenshot | None = None
    hot_reload: HotReload | None = None
    # Every start's and every edit's figures (the fields above hold one of them): the samples a verdict reads.
    listed_samples: list[float] = field(default_factory=list)
    hot_reloads: list[HotReload] = field(default_factory=list)
    run_seconds: float | None = None  # Dagster: a run launched through the UI's API; Prefect: the first flow run
    criteria: dict[str, Criterion] = field(default_factory=dict)  # Dagster: the ADR's validation criteria
    stop: Stop = field(default_factory=Stop)
    peak_rss_mib: int | None = None
    peak_rss_mib_at_ready: int | None = None
    log: str = ""
    error: str | None = None


@dataclass
class UiResults:
    mode: str = ""
    section_seconds: float | None = None
    browser: str = ""  # which browser took the screenshots, or why none were taken
    tools: dict[str, ToolUi] = field(default_factory=dict)

    @property
    def criteria(self) -> dict[str, Criterion]:
        dagster = self.tools.get("dagster")
        return dagster.criteria if dagster else {}

    def __bool__(self) -> bool:
        return bool(self.tools)
