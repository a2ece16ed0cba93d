"""Where the CPU went during a run: the server (or worker) processes, PostgreSQL, the machine.

Read from /proc, so it needs Linux and nothing installed. A group's figure is the CPU time
its processes used during the window divided by the window's length, in cores: 1.0 is one
core busy the whole time. The machine's figure counts every process on it (the load tool,
PostgreSQL, and whatever else runs), so a machine near 100% busy means CPU was the limit.

PostgreSQL's share is its backends connected to the benchmark's database plus its
background processes (WAL writer, checkpointer, ...). The latter serve every database on the
server, so other work on the same PostgreSQL shows up there too.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")

PidFinder = Callable[[], set[int]]
"""Lists the pids of one group now (they may change during a run)."""


def process_ticks(pid: int) -> int | None:
    """User plus system CPU time of one process, in clock ticks; None once it has gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the command name may hold spaces
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def _parent_of(pid: int) -> int | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def descendants(roots: set[int]) -> set[int]:
    """The roots and every process below them."""
    parents = {int(entry.name): _parent_of(int(entry.name)) for entry in _pid_dirs()}
    found = set(roots)
    grew = True
    while grew:
        children = {pid for pid, parent in parents.items() if parent in found}
        grew = not children <= found
        found |= children
    return found


def _pid_dirs() -> list[Path]:
    return [entry for entry in PROC.iterdir() if entry.name.isdigit()]


def processes_with(*words: str) -> set[int]:
    """Pids whose command line holds every one of `words` (as whole arguments)."""
    wanted = set(words)
    found = set()
    for entry in _pid_dirs():
        try:
            arguments = set((entry / "cmdline").read_bytes().decode(errors="replace").split("\0"))
        except OSError:
            continue
        if wanted <= arguments:
            found.add(int(entry.name))
    return found


def server_processes(port: int) -> PidFinder:
    """The uvicorn started on `port` and the worker processes it spawned."""
    return lambda: descendants(processes_with("firehouse.app:create_app", "--port", str(port)))


def postgres_processes(server_url: str, database: str) -> PidFinder:
    """Backends of `database` and PostgreSQL's background processes (needs a superuser)."""

    def find() -> set[int]:
        engine = create_engine(server_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = :db "
                        "OR (datname IS NULL AND backend_type <> 'client backend')"
                    ),
                    {"db": database},
                )
                return {int(row[0]) for row in rows}
        finally:
            engine.dispose()

    return find


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) ticks of all CPUs since boot, from the first line of /proc/stat."""
    values = [int(v) for v in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return sum(values[:8]) - idle, sum(values[:8])


@dataclass
class CpuSplit:
    """CPU use during one window; `cores` per group, `machine_busy` as a share of all CPUs."""

    seconds: float = 0.0
    cores: dict[str, float] = field(default_factory=dict)
    machine_busy: float = 0.0

    def ms_per(self, group: str, count: int) -> float:
        """CPU milliseconds the group spent per unit of work (request, delivery)."""
        return self.cores.get(group, 0.0) * self.seconds * 1000 / count if count else 0.0


def _snapshot(groups: dict[str, PidFinder]) -> dict[str, dict[int, int]]:
    taken: dict[str, dict[int, int]] = {}
    for name, finder in groups.items():
        ticks = {pid: process_ticks(pid) for pid in finder()}
        taken[name] = {pid: t for pid, t in ticks.items() if t is not None}
    return taken


@contextmanager
def measured(groups: dict[str, PidFinder]) -> Iterator[CpuSplit]:
    """Fills the yielded CpuSplit when the block ends.

    A process that starts during the window counts from zero; one that ends during it is
    lost (the pools keep their connections, so that is rare).
    """
    split = CpuSplit()
    before = _snapshot(groups)
    machine_before = _machine_ticks()
    started = time.monotonic()
    yield split
    split.seconds = time.monotonic() - started
    after = _snapshot(groups)
    busy, total = (now - then for now, then in zip(_machine_ticks(), machine_before, strict=True))
    split.machine_busy = busy / total if total else 0.0
    for name, ticks in after.items():
        used = sum(t - before[name].get(pid, 0) for pid, t in ticks.items())
        split.cores[name] = used / TICKS_PER_SECOND / split.seconds if split.seconds else 0.0
