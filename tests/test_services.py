"""The PostgreSQL server the deployed stacks run on: really started from the machine's package, as an
unprivileged user when the tests run as root, and really stopped (nothing left listening)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from core.services import POSTGRES_BIN_ENV, PostgresUnavailable, postgres_bin_dir, postgres_server
from testkit.prerequisites import require


def _postgres_installed() -> bool:
    try:
        postgres_bin_dir()
    except PostgresUnavailable:
        return False
    return True


@pytest.fixture
def reachable_dir(tmp_path: Path) -> Path:
    """A folder the server's user can reach: pytest makes its temporary folders for our user only."""
    require(_postgres_installed(), "the Debian package postgresql (initdb, pg_ctl)")
    if os.geteuid() == 0:
        for folder in (tmp_path, *tmp_path.parents):
            folder.chmod(folder.stat().st_mode | 0o001)
    return tmp_path


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_a_server_starts_keeps_its_databases_across_restarts_and_stops(reachable_dir: Path) -> None:
    data_dir = reachable_dir / "output" / "postgres"
    with postgres_server(data_dir) as server:
        assert _listening(server.port)
        server.create_database("dagster")
        server.create_database("dagster")  # a second deployment on the same folder: no error
        assert server.url("dagster") == f"postgresql+psycopg2://lc@127.0.0.1:{server.port}/dagster"
    assert not _listening(server.port)
    assert not (data_dir / "postmaster.pid").exists()

    with postgres_server(data_dir) as again:
        databases = again.sql("select datname from pg_database order by datname").split()
    assert "dagster" in databases


def test_a_missing_postgresql_names_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(POSTGRES_BIN_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(PostgresUnavailable, match=r"apt-get install postgresql"):
        with postgres_server(tmp_path / "postgres"):
            pass


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the server to another user")
def test_as_root_a_data_folder_the_server_user_cannot_reach_is_named(reachable_dir: Path) -> None:
    private = reachable_dir / "private"
    private.mkdir(mode=0o700)
    private.chmod(0o700)
    with pytest.raises(PostgresUnavailable, match=f"cannot reach .*: {private} is not searchable"):
        with postgres_server(private / "postgres"):
            pass


def test_a_crashed_service_leaves_its_children_running_until_the_group_stops(tmp_path: Path) -> None:
    """The harness's crash scenario: ``kill -9`` of one process, its children orphaned, then a restart."""
    from core.services import ServiceGroup

    services = ServiceGroup(tmp_path / "logs")
    child_pid_file = tmp_path / "child.pid"
    script = f"sleep 300 & echo $! > {child_pid_file}; wait"
    services.start("parent", ["sh", "-c", script], ready=child_pid_file.exists)
    child = int(child_pid_file.read_text())
    try:
        services.crash("parent")
        services.check()  # a crash on purpose is not a failure
        assert _alive(child), "the crashed process's child should be left running, orphaned"
        assert services.names() == []
        child_pid_file.unlink()
        services.restart("parent", ready=child_pid_file.exists)
        assert services.names() == ["parent"]
    finally:
        services.stop()
    assert not _alive(child), "stopping the group should end the orphan"
    with pytest.raises(StopIteration):
        services.crash("parent")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers: read its state
    state = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "Z"
    return state != "Z"
