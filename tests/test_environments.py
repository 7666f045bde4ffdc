"""One install per tool: each orchestrator runs in an environment that holds it and no other, the CLI
and harness find that environment, and the package installs and runs from its wheel alone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import core.implementations
from core.cli import main
from core.implementations import (
    ImplementationNotInstalled,
    implementation_names,
    installed_here,
    interpreter,
    requirement_names,
)
from core.outputs import output_differences
from testkit.prerequisites import require

REPO = Path(__file__).resolve().parent.parent
UV = REPO / ".tools" / "bin" / "uv"
# The implementations installed as an extra of their own (plain scripts needs none); each one's top-level
# module has the implementation's name (dagster, airflow, prefect).
ORCHESTRATORS = [name for name in implementation_names() if requirement_names(name)]


def _importable(python: Path, modules: list[str]) -> list[str]:
    """Which of ``modules`` the environment of ``python`` could import (found, not imported)."""
    probe = "import importlib.util, sys; print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m)))"
    done = subprocess.run([str(python), "-c", probe, *modules], capture_output=True, text=True, check=True)
    return done.stdout.split()


@pytest.mark.parametrize("implementation", ORCHESTRATORS)
def test_each_orchestrator_runs_in_an_environment_without_the_others(implementation: str) -> None:
    assert _importable(interpreter(implementation), ORCHESTRATORS) == [implementation]


def test_a_tool_installed_nowhere_names_the_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    missing = [name for name in ORCHESTRATORS if not installed_here(name)]
    monkeypatch.setattr(core.implementations, "TOOL_ENVIRONMENTS_DIR", tmp_path)
    assert missing, "this environment holds every orchestrator: make test runs this test in .venv"
    with pytest.raises(ImplementationNotInstalled, match=re.escape(f'pip install "lc-pipeline[{missing[0]}]"')):
        interpreter(missing[0])
    assert main(["run", "--impl", missing[0], "--output", str(tmp_path / "out")]) == 1
    assert "lc-pipeline[" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_cli_runs_an_orchestrator_of_another_environment_there(
    small_input: Path, scripts_reference: Path, tmp_path: Path
) -> None:
    """``lc-pipeline run --impl <tool>`` from the main environment: the README's command, whatever holds the tool."""
    elsewhere = [name for name in ORCHESTRATORS if not installed_here(name)]
    require(bool(elsewhere), "an orchestrator in an environment of its own (make setup-all)")
    output_dir = tmp_path / "out"
    command = [str(Path(sys.executable).with_name("lc-pipeline")), "run", "--impl", elsewhere[0], "-q"]
    done = subprocess.run(
        [*command, "--input", str(small_input), "--output", str(output_dir)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert output_differences(scripts_reference, output_dir) == []


@pytest.mark.dagster
def test_the_wheel_installs_with_the_dagster_extra_and_runs_without_the_checkout(
    small_input: Path, scripts_reference: Path, tmp_path: Path
) -> None:
    """What a team running the production path does: build, ``pip install "lc-pipeline[dagster]"`` into a
    new environment (the lock's versions), run from a folder outside the checkout."""
    require(UV.is_file(), f"uv in {UV.parent} (make setup)")
    uv_env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    uv_env.pop("VIRTUAL_ENV", None)

    def uv(*args: str) -> str:
        done = subprocess.run([str(UV), *args], cwd=REPO, env=uv_env, capture_output=True, text=True)
        assert done.returncode == 0, f"uv {' '.join(args)}: {done.stderr[-2000:]}"
        return done.stdout

    uv("build", "--wheel", "--out-dir", str(tmp_path / "dist"))
    [wheel] = (tmp_path / "dist").glob("lc_pipeline-*.whl")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        uv("export", "--frozen", "--no-dev", "--extra", "dagster", "--no-emit-project", "--no-hashes")
    )
    venv = tmp_path / "venv"
    uv("venv", "--python", sys.executable, str(venv))
    python = venv / "bin" / "python"
    uv("pip", "install", "--python", str(python), "-r", str(requirements))
    uv("pip", "install", "--python", str(python), "--no-deps", str(wheel))

    assert _importable(python, ["dagster", "airflow", "prefect", "pyspark"]) == ["dagster"]
    elsewhere = tmp_path / "elsewhere"  # no checkout on the path: the installed package alone
    elsewhere.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "DAGSTER_", "PYTHON", "VIRTUAL_ENV"))}
    done = subprocess.run(
        [str(venv / "bin" / "lc-pipeline"), "run", "-q", "--input", str(small_input), "--output", "out"],
        cwd=elsewhere,
        env={**clean, "PATH": f"{venv / 'bin'}{os.pathsep}{clean.get('PATH', '')}"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]  # 0: every data-quality check passed
    assert output_differences(scripts_reference, elsewhere / "out") == []
    site_packages = subprocess.run(
        [str(python), "-c", "import core.transform as t; print(t.SHIPPED_DBT_PROJECT_DIR)"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert site_packages.startswith(str(venv)) and site_packages.endswith("core/dbt_project")
    assert shutil.which("lc-pipeline", path=str(venv / "bin"))
