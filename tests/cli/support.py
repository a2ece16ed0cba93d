"""Running the CLI in-process as a user would type it."""

from __future__ import annotations

import socket

from typer.testing import CliRunner, Result

from firehouse.cli.main import app


def firehouse(*args: str) -> Result:
    """`firehouse ARGS…` as a user would type it; stdout and stderr are kept apart."""
    return CliRunner().invoke(app, list(args))


def ok(*args: str) -> str:
    """Its output, after checking it succeeded."""
    result = firehouse(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def fails(*args: str) -> str:
    """Its error output, after checking it failed as a user error (exit 1)."""
    result = firehouse(*args)
    assert result.exit_code == 1, result.output
    return result.stderr


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
