"""On failure, a system test's report ends with the tail of each process's log (the hook is
called through the item's own conftests, so it only ever sees tests of this folder)."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest

from tests.system.processes import LOG_DIRECTORIES

TAIL_LINES = 60


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    directory = _log_directory(item)
    if not report.failed or directory is None:
        return
    for log in sorted(directory.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-TAIL_LINES:]
        report.sections.append((f"log of {log.stem} (last {TAIL_LINES} lines)", "\n".join(tail)))


def _log_directory(item: pytest.Item) -> Path | None:
    """The deployment the test looked at (its outcome names it), else the latest one."""
    for value in getattr(item, "funcargs", {}).values():
        directory = getattr(value, "log_directory", None)
        if isinstance(directory, Path):
            return directory
    return LOG_DIRECTORIES[-1] if LOG_DIRECTORIES else None
