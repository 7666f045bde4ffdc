"""What the UI section stores: per tool, what its UI showed and how long it took; Dagster's criteria.

A figure that could not be observed stays ``None``, with the reason in a note or the tool's error.
Each UI is started several times (the session's repeats, bench/ui/checks.py): a timing taken at every start is
a list of samples, one per start, and its single-figure name (``pipeline_listed_seconds``,
``hot_reload``) reads the median, so that a rule judging one figure and a rule judging the samples
read the same observations.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
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
    """A new step added to the code downstream of the pipeline's last step, the user's fastest
    documented action taken at once after the save, and a run of the pipeline with it.

    The end point is the same for every tool: the new step listed by the tool's own API *and* a run
    that includes it finished. ``seconds`` is the save to both (None: not reached, see ``note``).
    """

    seconds: float | None  # from the file save to the change listed and a run including it finished
    how: str = ""
    note: str = ""
    action: str = ""  # the user's action right after the save: "click Reload in the UI", ...
    automatic: bool | None = None  # picked up with no user action (None: not asked)
    listed_seconds: float | None = None  # from the save to the new step listed by the tool's API
    run_seconds: float | None = None  # the run including it, from its start (launched, triggered) to its end
    run_ok: bool | None = None  # that run succeeded, the new step included
    actions: tuple[str, ...] = ()  # every user action from the save to the run's end, in order: counted

    @property
    def ok(self) -> bool:
        """Listed, and a run including it succeeded."""
        return self.seconds is not None and self.run_ok is True


def median_or_none(samples: Sequence[float]) -> float | None:
    """The median of the samples taken (None when there are none): the figure a single-value reader sees."""
    return statistics.median(samples) if samples else None


class MedianOf:
    """A single figure read as the median of a list of samples (None when empty); setting it makes the
    value the one sample (None: none), so code written for one figure per tool keeps working."""

    def __init__(self, samples: str) -> None:
        self.samples = samples

    def __get__(self, owner: object, kind: type | None = None) -> float | None:
        return None if owner is None else median_or_none(getattr(owner, self.samples))

    def __set__(self, owner: object, value: float | None) -> None:
        setattr(owner, self.samples, [] if value is None else [value])


def median_reload(reloads: Sequence[HotReload]) -> HotReload | None:
    """The edit whose time is the (lower) median of those that reached their end point; the first
    edit when none did (its note says why), None when no edit was made."""
    timed = sorted((r for r in reloads if r.seconds is not None), key=lambda r: r.seconds or 0.0)
    if timed:
        return timed[(len(timed) - 1) // 2]
    return reloads[0] if reloads else None


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
    """One tool's UI scenario over all its starts, filled in as it goes: a scenario that fails keeps
    what it saw. Samples are per start, in start order; the screenshot, the config files, the memory,
    the first run and the criteria come from the first start."""

    tool: str
    command: str
    newcomer: Newcomer
    answers_samples: list[float] = field(default_factory=list)  # from the command to the UI answering HTTP
    listed_samples: list[float] = field(default_factory=list)  # to our pipeline listed by the tool's API
    config_files: list[str] = field(default_factory=list)
    screenshot: Screenshot | None = None
    hot_reloads: list[HotReload] = field(default_factory=list)  # one edit per start
    run_seconds: float | None = None  # Dagster: a run launched through the UI's API; Prefect: the first flow run
    criteria: dict[str, Criterion] = field(default_factory=dict)  # Dagster: the ADR's validation criteria
    stops: list[Stop] = field(default_factory=list)  # one per start
    peak_rss_mib: int | None = None
    peak_rss_mib_at_ready: int | None = None
    log: str = ""  # the first start's server log; later starts' logs lie beside it (<tool>-<start>.log)
    error: str | None = None
    starts: int = 0  # how many times the UI was started

    ui_answers_seconds = MedianOf("answers_samples")
    pipeline_listed_seconds = MedianOf("listed_samples")

    @property
    def hot_reload(self) -> HotReload | None:
        """The median edit (see :func:`median_reload`)."""
        return median_reload(self.hot_reloads)

    @hot_reload.setter
    def hot_reload(self, value: HotReload | None) -> None:
        self.hot_reloads = [] if value is None else [value]

    @property
    def stop(self) -> Stop:
        """The first start's stop (each start's is in ``stops``)."""
        return self.stops[0] if self.stops else Stop()

    @stop.setter
    def stop(self, value: Stop) -> None:
        self.stops = [value]


@dataclass
class UiResults:
    mode: str = ""
    section_seconds: float | None = None
    browser: str = ""  # which browser took the screenshots, or why none were taken
    tools: dict[str, ToolUi] = field(default_factory=dict)
    floors: dict[str, ToolUi] = field(default_factory=dict)  # each tool's hello world, started and edited alike

    @property
    def criteria(self) -> dict[str, Criterion]:
        dagster = self.tools.get("dagster")
        return dagster.criteria if dagster else {}

    def __bool__(self) -> bool:
        return bool(self.tools)
