"""SQLite writers from several processes queue on a file lock instead of SQLite's busy loop."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from firehouse.db import WriterLock


def hold_the_lock(url: str, started: multiprocessing.synchronize.Event, seconds: float) -> None:
    with WriterLock(url):
        started.set()
        time.sleep(seconds)


def test_a_writer_in_another_process_waits_until_the_holder_lets_go(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    context = multiprocessing.get_context("spawn")
    started = context.Event()
    holder = context.Process(target=hold_the_lock, args=(url, started, 0.5))
    holder.start()
    try:
        assert started.wait(timeout=30)
        began = time.monotonic()
        with WriterLock(url):
            waited = time.monotonic() - began
    finally:
        holder.join(timeout=30)
    assert waited > 0.2  # the lock was really held elsewhere
    assert holder.exitcode == 0


def test_the_lock_is_reentrant_within_a_thread(tmp_path: Path) -> None:
    lock = WriterLock(f"sqlite:///{tmp_path / 'f.db'}")
    with lock, lock:
        pass
    with lock:  # and released for good after the outer exit
        pass


def test_an_in_memory_database_needs_no_lock_file(tmp_path: Path) -> None:
    with WriterLock("sqlite://"):
        pass
    assert list(tmp_path.iterdir()) == []
