"""Clock-driven tasks: each runs when due, at its own pace, and a failing one harms no other."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from firehouse.clock import FakeClock
from firehouse.periodic import Periodic


def test_a_task_runs_at_once_then_only_when_its_interval_has_passed() -> None:
    clock = FakeClock()
    seen: list[datetime] = []
    periodic = Periodic(clock)
    periodic.add("record", timedelta(minutes=5), seen.append)
    periodic.run_due()
    clock.advance(minutes=4)
    periodic.run_due()
    clock.advance(minutes=1)
    periodic.run_due()
    assert seen == [clock.now() - timedelta(minutes=5), clock.now()]


def test_a_failing_task_is_logged_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(_now: datetime) -> None:
        raise RuntimeError("boom")

    seen: list[datetime] = []
    periodic = Periodic(FakeClock())
    periodic.add("broken", timedelta(seconds=30), broken)
    periodic.add("record", timedelta(seconds=30), seen.append)
    assert periodic.run_due() == ["broken", "record"]
    assert len(seen) == 1
    assert "periodic task broken failed" in caplog.text
