"""Running the CLI in-process, and a real firehouse server for the responder commands."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner, Result

from firehouse.cli.main import app

STARTUP_SECONDS = 10.0


def firehouse(*args: str) -> Result:
    """`firehouse ARGS…` as a user would type it; stdout and stderr are kept apart."""
    return CliRunner().invoke(app, list(args))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(web_app: FastAPI) -> Iterator[str]:
    """Serve `web_app` with uvicorn in a thread on a free port; yields its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))  # held from now on, so nothing else can take the port
    server = uvicorn.Server(uvicorn.Config(web_app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)
        listener.close()
