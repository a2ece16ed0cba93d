"""Guard rails on the code's shape, so nobody has to remember them."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from pytest_socket import SocketConnectBlockedError

SOURCE = Path(__file__).resolve().parents[2] / "src" / "firehouse"
MAX_MODULE_LINES = 500


def test_no_module_grows_past_five_hundred_lines() -> None:
    oversized = {
        str(path.relative_to(SOURCE)): lines
        for path in SOURCE.rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert oversized == {}, "split these by responsibility"


def test_the_source_tree_is_where_this_check_looks() -> None:
    assert (SOURCE / "incidents" / "service.py").is_file()


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_tests_cannot_reach_beyond_loopback() -> None:
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
