"""The worker's heartbeat file: touched after rounds, so a probe can tell a stuck worker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from firehouse.cli.admin import Heartbeat


def test_a_beat_creates_and_then_refreshes_the_file(tmp_path: Path) -> None:
    path = tmp_path / "worker.alive"
    heartbeat = Heartbeat(str(path))
    heartbeat.beat()
    assert path.exists()
    os.utime(path, (0, 0))
    heartbeat._last -= 2  # a second has passed since the last beat
    heartbeat.beat()
    assert path.stat().st_mtime > 0


def test_beats_are_throttled_to_one_a_second(tmp_path: Path) -> None:
    path = tmp_path / "worker.alive"
    heartbeat = Heartbeat(str(path))
    heartbeat.beat()
    os.utime(path, (0, 0))
    heartbeat.beat()
    assert path.stat().st_mtime == 0


def test_an_unwritable_heartbeat_is_logged_and_the_worker_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    Heartbeat(str(tmp_path / "missing-dir" / "worker.alive")).beat()
    assert "cannot touch heartbeat file" in caplog.text


def test_without_a_path_nothing_is_written(tmp_path: Path) -> None:
    Heartbeat(None).beat()
    assert list(tmp_path.iterdir()) == []
