"""Local services the deployed stacks run on, started and stopped by our own code: a PostgreSQL
server on a free loopback port, its data folder under the output folder, and the tools' own
long-running processes (:class:`ServiceGroup`), each in its own process group, stopped in reverse
order of start.

Nothing system-wide is touched: no service is enabled, no system cluster is created, nothing is left
running. The server is the machine's own PostgreSQL (Debian's ``postgresql`` package), run by
``initdb`` and ``pg_ctl`` from its binary folder. PostgreSQL refuses to run as root; when we are
root (a container, CI), the server runs as the package's ``postgres`` user, which then owns the
data folder, and every folder above it must let that user through.

    with postgres_server(output_dir / "postgres") as server:
        server.create_database("dagster")
        url = server.url("dagster")  # postgresql+psycopg2://lc@127.0.0.1:<port>/dagster
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.landing import landing_dir

POSTGRES_PACKAGE = "postgresql"
POSTGRES_BIN_ENV = "LC_POSTGRES_BIN"  # the folder of initdb and pg_ctl, when not Debian's
DEBIAN_POSTGRES_ROOT = Path("/usr/lib/postgresql")
UNPRIVILEGED_USER = "postgres"
SUPERUSER = "lc"  # the server's own superuser role, created by initdb (trust on loopback only)
START_TIMEOUT_SECONDS = 60
PG_STOP_TIMEOUT_SECONDS = 60  # each of the fast and the immediate shutdown


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be started here; the message says what to install or change."""


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin_dir() -> Path:
    """The folder of ``initdb`` and ``pg_ctl``: ``LC_POSTGRES_BIN``, else Debian's newest version."""
    configured = os.environ.get(POSTGRES_BIN_ENV)
    candidates = (
        [Path(configured)]
        if configured
        else sorted(DEBIAN_POSTGRES_ROOT.glob("*/bin"), key=lambda path: int(path.parent.name), reverse=True)
        if DEBIAN_POSTGRES_ROOT.is_dir()
        else []
    )
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    where = configured or f"{DEBIAN_POSTGRES_ROOT}/<version>/bin"
    raise PostgresUnavailable(
        f"PostgreSQL's server programs (initdb, pg_ctl) are not in {where}: install the Debian package "
        f"'{POSTGRES_PACKAGE}' (apt-get install {POSTGRES_PACKAGE}), or set {POSTGRES_BIN_ENV} to their folder"
    )


@dataclass(frozen=True)
class PostgresServer:
    """A running server: where it listens and as whom to connect."""

    data_dir: Path
    port: int
    bin_dir: Path
    host: str = "127.0.0.1"
    user: str = SUPERUSER

    def url(self, database: str, driver: str = "postgresql+psycopg2") -> str:
        """A SQLAlchemy URL of one database (``driver``: the tool's own, e.g. ``postgresql+asyncpg``)."""
        return f"{driver}://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        """Create a database unless it exists (a second deployment on the same folder keeps its data)."""
        exists = self.sql(f"select 1 from pg_database where datname = '{name}'")
        if exists.strip() != "1":
            self.sql(f'create database "{name}"')

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run one statement with ``psql``; its output, unaligned and without headers."""
        command = [str(self.bin_dir / "psql"), "-h", self.host, "-p", str(self.port), "-U", self.user, "-d", database]
        return _run([*command, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", statement])


@contextmanager
def postgres_server(data_dir: Path, port: int | None = None) -> Iterator[PostgresServer]:
    """Start PostgreSQL on ``data_dir`` (created with ``initdb`` on first use) and stop it on exit.

    It listens on 127.0.0.1 only, on ``port`` (default: a free one), with its socket in the data
    folder (never in ``/var/run/postgresql``), and logs to ``<data_dir>/server.log``.
    """
    bin_dir = postgres_bin_dir()
    data_dir = data_dir.resolve()
    as_user = _unprivileged_user()
    _prepare_data_dir(data_dir, as_user)
    if not (data_dir / "PG_VERSION").exists():
        _run(_as(as_user, [str(bin_dir / "initdb"), "-D", str(data_dir), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8"]))
    server = PostgresServer(data_dir, port or free_port(), bin_dir)
    options = f"-p {server.port} -k {data_dir} -c listen_addresses={server.host}"
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data_dir)]
    log = data_dir / "server.log"
    _run(_as(as_user, [*pg_ctl, "-o", options, "-l", str(log), "-w", "-t", str(START_TIMEOUT_SECONDS), "start"]))
    try:
        yield server
    finally:
        _stop(as_user, pg_ctl, data_dir)


def _stop(as_user: str | None, pg_ctl: list[str], data_dir: Path) -> None:
    """A fast shutdown, then an immediate one if the server still runs; the server is gone once its
    PID file is (it removes the file as it exits). Raise, with the server's last words, if it stays."""
    answers = []
    for mode in ("fast", "immediate"):
        command = [*pg_ctl, "-m", mode, "-w", "-t", str(PG_STOP_TIMEOUT_SECONDS), "stop"]
        stop = subprocess.run(_as(as_user, command), capture_output=True, text=True, check=False)
        if not (data_dir / "postmaster.pid").exists():
            return
        answers.append(f"{mode}: {(stop.stderr or stop.stdout).strip() or f'exit status {stop.returncode}'}")
    log_tail = "\n".join((data_dir / "server.log").read_text(errors="replace").splitlines()[-10:])
    raise PostgresUnavailable(
        f"PostgreSQL in {data_dir} did not stop ({'; '.join(answers)}); its log ends:\n{log_tail}"
    )


def _unprivileged_user() -> str | None:
    """The user the server runs as when we are root (it refuses root); None when we are not root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root, and PostgreSQL refuses to: there is no '{UNPRIVILEGED_USER}' user to run it as "
            f"(the Debian package '{POSTGRES_PACKAGE}' creates one), or run as another user"
        ) from None
    return UNPRIVILEGED_USER


def _prepare_data_dir(data_dir: Path, as_user: str | None) -> None:
    """Create the data folder, owned by the server's user, and check that user can reach it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if as_user is None:
        return
    shutil.chown(data_dir, as_user, as_user)
    data_dir.chmod(0o700)
    blocked = [folder for folder in data_dir.parents if not os.stat(folder).st_mode & 0o001]
    if blocked:
        raise PostgresUnavailable(
            f"the '{as_user}' user that runs PostgreSQL cannot reach {data_dir}: {blocked[0]} is not "
            "searchable by other users (chmod o+x it, or put the output folder elsewhere)"
        )


def _as(user: str | None, command: Sequence[str]) -> list[str]:
    return list(command) if user is None else ["runuser", "-u", user, "--", *command]


def _run(command: Sequence[str]) -> str:
    """Run a PostgreSQL program; raise with its own message when it fails."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip() or f"exit status {done.returncode}"
        program = command[3] if command[0] == "runuser" else command[0]
        raise PostgresUnavailable(f"{Path(program).name}: {message}")
    return done.stdout


# --- the tools' processes ----------------------------------------------------------------------------

STOP_TIMEOUT_SECONDS = 30


class ServiceFailed(RuntimeError):
    """A service did not come up, or exited while the stack ran; the message has its log's last lines."""


@dataclass
class Service:
    """One long-running process of a stack, with its log file."""

    name: str
    command: list[str]
    log: Path
    process: subprocess.Popen | None = None
    crashed: bool = False  # killed on purpose (:meth:`ServiceGroup.crash`): its exit is expected

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()


class ServiceGroup:
    """Processes started one after the other, each waited for until ready; stopped in reverse order.

    Each runs in a process group of its own (a terminal's Ctrl-C reaches only us, and we stop the
    stack in order), with SIGINT and SIGTERM at their default disposition (a shell that started us in
    the background ignores SIGINT, and a child would inherit that), and its output in its log file.
    Stopping sends SIGTERM to the whole group, then SIGKILL after ``STOP_TIMEOUT_SECONDS``: nothing
    it started is left running.
    """

    def __init__(self, log_dir: Path, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> None:
        self.env, self.log_dir, self.cwd = dict(os.environ if env is None else env), log_dir, cwd
        self.services: list[Service] = []
        log_dir.mkdir(parents=True, exist_ok=True)

    def start(
        self, name: str, command: Sequence[str], ready: Callable[[], bool] | None = None, timeout: float = 120.0
    ) -> Service:
        """Start ``command``; wait until ``ready()`` is true (if given), or raise naming the service."""
        service = Service(name, list(command), self.log_dir / f"{name}.log")
        with service.log.open("ab") as log:
            service.process = subprocess.Popen(
                service.command,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                process_group=0,
                preexec_fn=_default_signals,
            )
        self.services.append(service)
        if ready is not None:
            self.wait_until(ready, f"{name} ready", timeout)
        return service

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float, every: float = 0.5) -> float:
        """Seconds until ``condition()``; raise if a service exits first or time runs out."""
        started = time.monotonic()
        while True:
            self.check()
            try:
                if condition():
                    return time.monotonic() - started
            except Exception:  # not answering yet
                pass
            if time.monotonic() - started > timeout:
                raise ServiceFailed(f"{what}: not within {timeout:.0f} s\n{self._tails()}")
            time.sleep(every)

    def check(self) -> None:
        """Raise if any service has exited."""
        for service in self.services:
            code = None if service.crashed else service.exited()
            if code is not None:
                raise ServiceFailed(f"{service.name} exited with status {code} (log: {service.log})\n{service.tail()}")

    def names(self) -> list[str]:
        return [service.name for service in self.services if not service.crashed]

    def crash(self, name: str) -> Service:
        """``kill -9`` the service's own process, not its group, as a crash would: what it started keeps
        running, orphaned (``stop`` still ends it). Returns the killed service; ``restart`` starts it again."""
        service = next(s for s in self.services if s.name == name and not s.crashed)
        assert service.process is not None
        service.process.send_signal(signal.SIGKILL)
        service.process.wait()
        service.crashed = True
        return service

    def restart(self, name: str, ready: Callable[[], bool] | None = None, timeout: float = 120.0) -> Service:
        """Start a crashed service again with the same command (its log continues)."""
        crashed = next(s for s in reversed(self.services) if s.name == name and s.crashed)
        return self.start(name, crashed.command, ready, timeout)

    def stop(self) -> None:
        """Stop every service, the last started first."""
        for service in reversed(self.services):
            _stop_group(service)
        self.services.clear()

    def _tails(self) -> str:
        return "\n".join(f"--- {s.name} ({s.log}):\n{s.tail()}" for s in self.services)


def _default_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _stop_group(service: Service) -> None:
    """SIGTERM to the service's process group, SIGKILL to what remains after the timeout."""
    process = service.process
    if process is None:
        return
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT_SECONDS), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and _group_alive(process.pid):
            process.poll()
            time.sleep(0.2)
        if not _group_alive(process.pid):
            break
    process.poll()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- a deployed stack -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeployedStack:
    """A running deployment of one tool: where its UI and API answer, where it keeps its state."""

    url: str
    home: Path  # the tool's own home (DAGSTER_HOME, AIRFLOW_HOME, PREFECT_HOME)
    output_dir: Path
    services: ServiceGroup

    @property
    def environment(self) -> dict[str, str]:
        return self.services.env

    @property
    def landing(self) -> Path:
        return landing_dir(self.output_dir)


@contextmanager
def tool_deployment(output_dir: Path, database: str, cwd: Path) -> Iterator[tuple[PostgresServer, ServiceGroup]]:
    """PostgreSQL on ``<output>/postgres`` with the tool's database, and an empty group for the tool's
    processes (logs in ``<output>/logs``); on exit the processes stop, the last started first, then
    PostgreSQL. The caller adds the tool's settings to ``services.env`` and starts its processes."""
    with postgres_server(output_dir / "postgres") as postgres:
        postgres.create_database(database)
        say(f"PostgreSQL on {postgres.host}:{postgres.port}, database {database} (data in {postgres.data_dir})")
        services = ServiceGroup(output_dir / "logs", cwd=cwd)
        try:
            yield postgres, services
        finally:
            say(f"stopping: {', '.join(reversed(services.names())) or 'nothing started'}, then PostgreSQL")
            services.stop()


def deploy_main(
    argv: list[str] | None, tool: str, default_output: Path, default_port: int, stack: Callable[[Path, int], Any]
) -> int:
    """``python -m impl_<tool>.launch.deploy [--output DIR] [--port N]``: the stack in the foreground."""
    module = f"impl_{tool}.launch.deploy"
    parser = argparse.ArgumentParser(prog=f"python -m {module}", description=f"make deploy-{tool}: {tool} deployed")
    parser.add_argument(
        "--output", type=Path, default=default_output, help=f"state and runs (default {default_output})"
    )
    parser.add_argument("--port", type=int, default=default_port, help=f"the UI's port (default {default_port})")
    args = parser.parse_args(argv)
    return serve_in_foreground(f"deploy-{tool}", lambda: stack(args.output, args.port))


# --- a stack in the foreground ------------------------------------------------------------------------


def say(message: str) -> None:
    """A launcher's progress line, with the time of day (a stack takes a minute or two to come up)."""
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def serve_in_foreground(name: str, stack: Callable[[], AbstractContextManager[Any]]) -> int:
    """Start ``stack()``, keep it up until Ctrl-C or SIGTERM, stop all of it; the exit status.

    The stack's context manager yields an object with a ``services`` ServiceGroup, checked every
    second: if one of the stack's processes dies, everything stops and the error names it.
    """
    # Ctrl-C stops the stack even when a shell started us in the background with SIGINT ignored, and
    # `kill` stops it as Ctrl-C does.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with stack() as running:
            while True:
                running.services.check()
                time.sleep(1)
    except KeyboardInterrupt:
        say("stopped")
        return 0
    except (ServiceFailed, PostgresUnavailable, RuntimeError) as error:
        print(f"{name}: {error}", file=sys.stderr)
        return 1


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
