"""The `firehouse` command.

Admin commands (serve, worker, db, config, token, outbox) work on the database that
FIREHOUSE_DATABASE_URL names; responder commands (declare, incidents, show, …) talk to a
running server over its HTTP API, as FIREHOUSE_URL and FIREHOUSE_TOKEN say.
"""

from __future__ import annotations

import typer

from firehouse.cli import (
    actions,
    admin,
    alerts,
    catalog,
    checklist,
    config,
    db,
    drill,
    followup,
    importers,
    incidents,
    oncall,
    outbox,
    paging,
    postmortem,
    reminders,
    report,
    statuspage,
    tokens,
    users,
)
from firehouse.cli.errors import ReportingGroup

app = typer.Typer(
    cls=ReportingGroup,
    no_args_is_help=True,
    help="firehouse: incident response from the command line.",
    pretty_exceptions_enable=False,
)


@app.callback()
def main() -> None:
    """Admin commands work on the database; responder commands talk to a server's API."""


app.add_typer(admin.commands)
app.add_typer(db.commands, name="db")
app.add_typer(config.commands, name="config")
app.add_typer(tokens.commands, name="token")
app.add_typer(users.commands, name="user")
app.add_typer(outbox.commands, name="outbox")
app.add_typer(incidents.commands)
app.add_typer(actions.commands)
app.add_typer(statuspage.commands, name="statuspage")
app.add_typer(alerts.commands, name="alerts")
app.add_typer(alerts.silence_commands, name="silence")
app.add_typer(catalog.commands)  # `services` and `service ID`
app.add_typer(oncall.commands, name="oncall")
app.add_typer(paging.commands)  # `page` and `pages`
app.add_typer(importers.commands, name="import")
# Guidance: each module names its own top-level commands (checklist, postmortem, followup,
# report, drill).
for guidance in (checklist, postmortem, followup, report, drill, reminders):
    app.add_typer(guidance.commands)

if __name__ == "__main__":
    app()
