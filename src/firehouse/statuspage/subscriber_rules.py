"""What a subscriber may give us: checked hard, because the sign-up is public and anonymous.

Pure. An email address must be one a mail server accepts and must not smuggle header lines;
a webhook must be an https:// URL to a public host (no credentials in it, no private or
loopback address), or firehouse becomes a tool for probing the network it runs in.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

MAX_EMAIL = 254
MAX_URL = 2000
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"({_LOCAL})@((?:{_LABEL}\.)+[A-Za-z]{{2,63}})")
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


class RuleBroken(ValueError):
    """`str(error)` says what is wrong, in words fit for the field it names."""


def normal_email(value: str) -> str:
    """The address with its domain lower-cased, so one person is one subscriber."""
    text = value.strip()
    match = _EMAIL.fullmatch(text)
    if len(text) > MAX_EMAIL or match is None or len(match.group(1)) > 64:
        raise RuleBroken("is not an email address (like name@example.com)")
    return f"{match.group(1)}@{match.group(2).lower()}"


def check_webhook_url(value: str, *, allow_loopback: bool = False) -> str:
    """An https URL to a public host; plain http only to loopback, and only when allowed."""
    text = value.strip()
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        _ = parts.port  # a bad port raises here
    except ValueError:
        raise RuleBroken("is not a URL") from None
    if len(text) > MAX_URL or not host or any(c.isspace() or ord(c) < 32 for c in text):
        raise RuleBroken("is not an https:// URL")
    if parts.username is not None or parts.password is not None:
        raise RuleBroken("must not contain credentials; authenticate with the signature")
    loopback = _is_loopback(host)
    if loopback and not allow_loopback:
        raise RuleBroken("must point at a public host, not this machine")
    if _is_private(host):
        raise RuleBroken("must point at a public host, not a private address")
    if parts.scheme == "https" or (parts.scheme == "http" and loopback):
        return text
    raise RuleBroken("must be an https:// URL")


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    address = _address(host)
    return host in _LOOPBACK_NAMES or (address is not None and address.is_loopback)


def _is_private(host: str) -> bool:
    address = _address(host)
    if address is None:
        return host.endswith((".local", ".internal", ".localhost"))
    if address.is_loopback:
        return False  # decided by the loopback rule
    return not address.is_global or address.is_multicast
