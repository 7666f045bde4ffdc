"""What a newcomer sets or passes to start each tool's UI on our pipeline, counted the same way for all.

Read from the README's make target (``make -n``: the commands it runs) and, for Airflow, whose target
runs a small launcher, from the environment that launcher sets (``impl_airflow.launch.ui``):

- environment variables the tool reads (leading ``NAME=value`` words, or the launcher's environment);
- command-line flags of the tool's own executable (``dagster dev -m ... -p ...``), each with its value;
- keys of configuration files the recipe writes (``printf '...' > dagster.yaml``), as dotted paths.

Our pipeline's own ``LC_*`` settings are not the tool's and are left out; so are opt-outs that only
silence telemetry (:data:`TELEMETRY_OPT_OUTS`), which every tool has and a newcomer may skip: the
report lists them apart.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable

import yaml

# Settings whose only effect is to send no usage data: the same choice for every tool, not setup.
TELEMETRY_OPT_OUTS = frozenset(
    {
        "DO_NOT_TRACK",
        "SCARF_NO_ANALYTICS",
        "DBT_SEND_ANONYMOUS_USAGE_STATS",
        "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY",
        "PREFECT_SERVER_ANALYTICS_ENABLED",
        "telemetry.enabled",  # dagster.yaml
    }
)
TOOL_EXECUTABLES = frozenset({"dagster", "dagster-webserver", "airflow", "prefect"})
_WRITTEN_CONFIG = re.compile(r"printf '((?:[^'\\]|\\.)*)' > (\S+)")


def env_assignments(command: str) -> list[str]:
    """Leading ``NAME=value`` words of a shell command: the settings it passes to the tool."""
    names = []
    for word in shlex.split(command):
        name = word.split("=", 1)[0]
        if "=" in word and name.isidentifier() and name.isupper():
            names.append(name)
        else:
            break
    return names


def tool_flags(command: str) -> list[str]:
    """The flags passed to a tool's own executable in ``command`` (``-p``, ``--host``), in order: only
    when the command runs the tool itself (its first word after the settings), not our launcher."""
    words = shlex.split(command)[len(env_assignments(command)) :]
    if not words or words[0].rsplit("/", 1)[-1] not in TOOL_EXECUTABLES:
        return []
    return [word.split("=", 1)[0] for word in words[1:] if word.startswith("-")]


def written_config_keys(command: str) -> list[str]:
    """Dotted keys of the YAML a command writes with ``printf '...' > file`` (``telemetry.enabled``)."""
    keys: list[str] = []
    for text, _ in _WRITTEN_CONFIG.findall(command):
        keys += _leaves(yaml.safe_load(text.encode().decode("unicode_escape")) or {})
    return keys


def _leaves(tree: object, path: str = "") -> list[str]:
    if not isinstance(tree, dict):
        return [path]
    return [leaf for key, value in tree.items() for leaf in _leaves(value, f"{path}.{key}" if path else str(key))]


def newcomer_settings(commands: list[str], launcher_environment: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(settings counted, telemetry opt-outs left out), each sorted; our ``LC_*`` settings are neither."""
    found = {
        *launcher_environment,
        *(name for command in commands for name in env_assignments(command)),
        *(flag for command in commands for flag in tool_flags(command)),
        *(key for command in commands for key in written_config_keys(command)),
    }
    found = {name for name in found if not name.startswith("LC_")}
    return sorted(found - TELEMETRY_OPT_OUTS), sorted(found & TELEMETRY_OPT_OUTS)
