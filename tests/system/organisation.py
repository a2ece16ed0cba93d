"""The firehouse.yaml the system tests apply, and the secrets its processes get."""

from __future__ import annotations

from tests.system.emulators import WEBHOOK_SECRET

INTAKE_KEY = "system-test-intake-key"
SIGNING_SECRET = "system-test-slack-signing-secret"
SERVICES = ("website", "payments", "search")

# The secrets, by the environment variables the config names (never written in the file).
SECRETS = {
    "FIREHOUSE_TEST_WEBHOOK_SECRET": WEBHOOK_SECRET,
    "FIREHOUSE_TEST_INTAKE_KEY": INTAKE_KEY,
}


def config(webhook_url: str, slack_api_url: str | None = None) -> str:
    """A team with three services, a webhook for every incident event, alert intake that
    records, and, given an emulator's URL, chat in Slack."""
    services = "\n".join(
        f"  - {{id: {service}, name: {service.title()}, team: platform}}" for service in SERVICES
    )
    chat = (
        f"""chat:
  provider: slack
  incidents_channel: "#incidents"
  slack: {{api_url: "{slack_api_url}"}}
"""
        if slack_api_url
        else ""
    )
    return f"""\
organisation: {{name: System Test}}
teams:
  - {{id: platform, name: Platform}}
services:
{services}
webhooks:
  - name: audit
    url: "{webhook_url}"
    secret_env: FIREHOUSE_TEST_WEBHOOK_SECRET
    events: ["incident.*"]
intake:
  keys:
    - {{name: default, key_env: FIREHOUSE_TEST_INTAKE_KEY}}
routing:
  default: record
{chat}"""
