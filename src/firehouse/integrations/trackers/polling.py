"""Polling, the fallback when a tracker's webhook is not set up or a delivery was missed.

`poll_open_tickets` asks the tracker for the status of every open external follow-up and
applies what changed, exactly as a webhook would. It is meant for the scheduler (say every
15 minutes); a tracker that fails ends its own round, the others carry on.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

import httpx

from firehouse.db import Database
from firehouse.guidance import follow_ups
from firehouse.integrations.trackers.handler import Tracker, tracker_for
from firehouse.outbox.envelope import DeliveryFailed

log = logging.getLogger(__name__)


def poll_open_tickets(
    db: Database,
    client: httpx.Client,
    now: datetime,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Returns how many follow-ups it found closed."""
    with db.read() as session:
        settings = follow_ups.trackers_settings(session)
        todo = [(row.tracker, str(row.external_key)) for row in follow_ups.open_tickets(session)]
    changed = 0
    trackers: dict[str, Tracker | None] = {}
    for name, key in todo:
        if name not in trackers:
            trackers[name] = _tracker(name, client, settings, environ)
        tracker = trackers[name]
        if tracker is None:
            continue
        try:
            ticket = tracker.get(key)
        except DeliveryFailed as failure:
            log.warning("polling %s paused: %s", name, failure)
            trackers[name] = None
            continue
        with db.write() as session:
            row = follow_ups.sync_status(
                session, name, key, done=ticket.done, external_status=ticket.status, now=now
            )
            changed += row is not None and ticket.done
    return changed


def _tracker(
    name: str,
    client: httpx.Client,
    settings: Mapping[str, object],
    environ: Mapping[str, str] | None,
) -> Tracker | None:
    try:
        return tracker_for(name, client, settings, environ)
    except DeliveryFailed as failure:
        log.warning("not polling %s: %s", name, failure)
        return None
