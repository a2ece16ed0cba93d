"""Masking credentials in log text: the last line of defence, not the first.

Code should never log a secret in the first place (integrations redact URLs, the outbox's
console twin never logs payloads). This catches what slips through anyway: an exception
message quoting a request, a URL with a token in its query string, a header echoed back by a
provider. Two nets: the shapes credentials have (Slack and firehouse token prefixes, bearer
headers, `password=` style parameters, URL user-info), and the exact values of the secrets
this process was given in its environment, whatever their shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

MASK = "***"
MIN_SECRET_LENGTH = 8  # shorter values would mask ordinary words

_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    # Slack bot, user, app-level and refresh tokens; firehouse API tokens (auth/tokens.py).
    (re.compile(r"\b(?:xox[abposre]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]{6,}"), MASK),
    (re.compile(r"\bfh_[A-Za-z0-9_-]{16,}"), MASK),
    # Authorization headers: Bearer, Basic (Twilio), GenieKey (OpsGenie), Token token= (PagerDuty).
    # The value must hold a digit or symbol, or be long, so "Basic information" stays.
    (
        re.compile(
            r"(?i)\b(Bearer\s+|Basic\s+|GenieKey\s+|Token token=)"
            r"(?:(?=[A-Za-z]*[0-9._~+/=:-])[A-Za-z0-9._~+/=:-]{6,}|[A-Za-z]{16,})"
        ),
        rf"\1{MASK}",
    ),
    # key=value in query strings, form bodies and messages; "key": "value" in JSON text.
    (
        re.compile(
            r"(?i)\b((?:[a-z_]*_)?(?:password|passwd|secret|token|api_?key|routing_key|"
            r"integration_key|signature|auth))=([^\s&'\"<>]+)"
        ),
        rf"\1={MASK}",
    ),
    (
        re.compile(
            r"(?i)(\"(?:[a-z_]*_)?(?:password|passwd|secret|token|api_?key|routing_key|"
            r"integration_key|signature)\"\s*:\s*\")[^\"]*\""
        ),
        rf'\1{MASK}"',
    ),
    # user:password@ in a URL.
    (re.compile(r"(?i)([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@"), rf"\1{MASK}@"),
)

_SECRET_NAME = re.compile(r"(?i)(TOKEN|SECRET|PASSWORD|PASSWD|_KEY|APIKEY|CREDENTIAL)")


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        known = {value for value in secrets if len(value) >= MIN_SECRET_LENGTH}
        # Longest first, so a secret that contains another is masked whole.
        ordered = sorted(known, key=len, reverse=True)
        self._known = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, text: str) -> str:
        if self._known is not None:
            text = self._known.sub(MASK, text)
        for pattern, replacement in _SHAPES:
            text = pattern.sub(replacement, text)
        return text


def secrets_in(environ: Mapping[str, str]) -> list[str]:
    """Values of variables whose name says they hold a secret (FIREHOUSE_SLACK_BOT_TOKEN, the
    intake keys, each webhook's `secret_env`, FIREHOUSE_SMTP_PASSWORD, ...)."""
    return [
        value.strip()
        for name, value in environ.items()
        if _SECRET_NAME.search(name) and len(value.strip()) >= MIN_SECRET_LENGTH
    ]
