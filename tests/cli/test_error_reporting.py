"""The root command group reports any failure as one line on stderr and exit status 1."""

from __future__ import annotations

import typer
from typer.testing import CliRunner, Result

from firehouse.cli.errors import ReportingGroup
from firehouse.errors import Conflict, Unavailable


def run_failing(failure: BaseException) -> Result:
    """A one-command app in the reporting group whose command raises `failure`."""
    app = typer.Typer(cls=ReportingGroup)

    @app.callback()
    def root() -> None:
        """Root."""

    @app.command()
    def fail() -> None:
        raise failure

    return CliRunner().invoke(app, ["fail"])


def test_a_domain_error_names_its_field() -> None:
    result = run_failing(Conflict("incident is already resolved", field="status"))
    assert result.exit_code == 1
    assert result.stderr == "error: status: incident is already resolved\n"


def test_a_multi_line_message_is_cut_to_its_first_line() -> None:
    result = run_failing(Unavailable("database unavailable: server closed\nDETAIL: restart"))
    assert result.stderr == "error: database unavailable: server closed\n"


def test_an_unexpected_exception_is_one_line_not_a_traceback() -> None:
    result = run_failing(RuntimeError("boom"))
    assert result.exit_code == 1
    assert result.stderr == (
        "error: unexpected RuntimeError: boom (a bug in firehouse; please report it)\n"
    )
    assert "Traceback" not in result.output


def test_an_explicit_exit_keeps_its_status() -> None:
    result = run_failing(typer.Exit(3))
    assert result.exit_code == 3
    assert result.stderr == ""
