"""A firehouse deployment made of real processes, as an operator runs one on PostgreSQL.

`deployment()` creates a throwaway PostgreSQL database, then does what an operator does:
`firehouse db upgrade`, `firehouse config apply` and `firehouse token create`. The test then
starts `serve` and `worker` processes on it (`Deployment.serve`, `Deployment.worker`); each
writes its output to a log file, which the conftest hook shows when a test fails. Whatever
happens, every process is killed and the database dropped at the end: no test leaves an
orphan behind.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.databases import PostgresDatabase, postgres_url_or_skip

# Five processes importing the web stack at once take up to a minute on two busy cores.
STARTUP_SECONDS = 120.0
SERVING = re.compile(r"firehouse is serving on (http://\S+)")
DELIVERING = re.compile(r"firehouse worker (\S+) is delivering outbox events")

# The settings every process of a test deployment shares (see docs/settings.md).
BASE_ENVIRONMENT = {
    "PYTHONUNBUFFERED": "1",
    "FIREHOUSE_OUTBOX_POLL_SECONDS": "0.2",
    # Short, so a killed worker's deliveries are taken over within seconds, yet well above
    # the webhook timeout below and the time a batch of 20 takes on a loaded machine: a lease
    # that runs out under a live worker lets a second worker repeat its delivery.
    "FIREHOUSE_OUTBOX_LEASE_SECONDS": "5",
    "FIREHOUSE_WEBHOOK_TIMEOUT_SECONDS": "2.5",
    "FIREHOUSE_CHAT_TIMEOUT_SECONDS": "2.5",
    "FIREHOUSE_CHAT_POST_INTERVAL_SECONDS": "0",
}


@dataclass
class Process:
    """One `firehouse` process and the log file holding its stdout and stderr."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for(self, pattern: re.Pattern[str], timeout: float = STARTUP_SECONDS) -> str:
        """The first group of `pattern` once it appears in the output."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = pattern.search(self.output())
            if found:
                return found.group(1)
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.popen.returncode}")
            time.sleep(0.05)
        raise AssertionError(f"{self.name} did not print {pattern.pattern!r} in {timeout} s")

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def send_signal(self, signum: signal.Signals) -> None:
        self.popen.send_signal(signum)

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when a machine dies."""
        if self.alive:
            self.popen.kill()
        self.popen.wait(timeout=10)


@dataclass
class Server(Process):
    url: str = ""


@dataclass
class Worker(Process):
    worker_id: str = ""


@dataclass
class Deployment:
    database_url: str
    directory: Path
    environment: dict[str, str]
    token: str = ""
    processes: list[Process] = field(default_factory=list)

    def serve(self, **environment: str) -> Server:
        """`firehouse serve` on a port the kernel picks, without the dispatcher unless asked."""
        env = {"FIREHOUSE_DISPATCHER": "false", **environment}
        name = f"serve-{sum(isinstance(p, Server) for p in self.processes) + 1}"
        server = Server(name, *self._start(name, ["serve", "--port", "0"], env))
        self.processes.append(server)
        return server

    def worker(self, **environment: str) -> Worker:
        name = f"worker-{sum(isinstance(p, Worker) for p in self.processes) + 1}"
        worker = Worker(name, *self._start(name, ["worker"], environment))
        self.processes.append(worker)
        return worker

    def wait_until_ready(self) -> None:
        """Every server answers /readyz and every worker has announced itself."""
        for process in self.processes:
            if isinstance(process, Server) and not process.url:
                process.url = process.wait_for(SERVING)
                _wait_until_ready(process)
            elif isinstance(process, Worker) and not process.worker_id:
                process.worker_id = process.wait_for(DELIVERING)

    def cli(self, *args: str) -> str:
        """`firehouse ARGS…` in a process of its own; its stdout, after checking it succeeded."""
        done = subprocess.run(  # noqa: S603 -- our own interpreter and module
            [sys.executable, "-m", "firehouse.cli.main", *args],
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=STARTUP_SECONDS,
            check=False,
        )
        assert done.returncode == 0, f"firehouse {' '.join(args)}: {done.stderr}"
        return done.stdout

    def logs(self) -> dict[str, str]:
        return {process.name: process.output() for process in self.processes}

    def _start(
        self, name: str, args: list[str], environment: dict[str, str]
    ) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.directory / f"{name}.log"
        with log.open("wb") as sink:
            popen = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
                [sys.executable, "-m", "firehouse.cli.main", *args],
                env={**self.environment, **environment},
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        return popen, log

    def stop_everything(self) -> None:
        for process in self.processes:
            if process.alive:
                process.popen.kill()
        for process in self.processes:
            process.popen.wait(timeout=10)


@contextmanager
def deployment(directory: Path, config: str, **environment: str) -> Iterator[Deployment]:
    """A migrated, configured database with an admin token; processes are started by the test.
    Skipped (not failed) without PostgreSQL, like every PostgreSQL test outside CI."""
    database = PostgresDatabase(postgres_url_or_skip())
    database.create()
    env = {
        **os.environ,
        **BASE_ENVIRONMENT,
        "FIREHOUSE_DATABASE_URL": database.url,
        **environment,
    }
    running = Deployment(database.url, directory, env)
    LOG_DIRECTORIES.append(directory)
    try:
        (directory / "firehouse.yaml").write_text(config)
        running.cli("db", "upgrade")
        running.cli("config", "apply", str(directory / "firehouse.yaml"))
        running.token = running.cli("token", "create", "--name", "system", "--role", "admin")
        running.token = running.token.strip()
        yield running
    finally:
        running.stop_everything()
        database.drop()


# Where the current run's deployments keep their logs, for the failure report (conftest.py).
LOG_DIRECTORIES: list[Path] = []


def _wait_until_ready(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if not server.alive:
            raise AssertionError(f"{server.name} exited with {server.popen.returncode}")
        try:
            if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{server.name} never became ready at {server.url}/readyz")
