"""Slack message permalinks, read without asking Slack.

`https://acme.slack.com/archives/C024BE91L/p1700000000123456` is the message with ts
`1700000000.123456`; a reply's permalink adds `?thread_ts=<root ts>&cid=<channel>`, and a
reply to it belongs in that root's thread.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from firehouse.chat.provider import Thread

_HOST = re.compile(r"^[a-z0-9][a-z0-9-]*(\.enterprise)?\.slack\.com$")
_PATH = re.compile(r"^/archives/([CGD][A-Z0-9]{2,})/p(\d{10})(\d{6})/?$")
_TS = re.compile(r"^\d{10}\.\d{6}$")


def thread_from_permalink(url: str) -> Thread | None:
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not _HOST.match((parts.hostname or "").lower()):
        return None
    match = _PATH.match(parts.path)
    if match is None:
        return None
    channel, seconds, micros = match.groups()
    root = parse_qs(parts.query).get("thread_ts", [""])[0]
    return Thread(channel, root if _TS.match(root) else f"{seconds}.{micros}")
