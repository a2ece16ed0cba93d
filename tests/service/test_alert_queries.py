"""Listing alerts on both databases: newest first, filtered, paged by cursor."""

from __future__ import annotations

from datetime import timedelta

import pytest

from firehouse.alerts.events import Action, Source
from firehouse.alerts.queries import AlertFilter, get_alert, list_alerts
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import InvalidInput, NotFound
from tests.service.alert_support import alert_event, deliver


def listed(db: Database, criteria: AlertFilter) -> tuple[list[str], str | None]:
    with db.read() as session:
        alerts, cursor = list_alerts(session, criteria)
        return [alert.fingerprint for alert in alerts], cursor


def test_alerts_are_listed_newest_first_a_page_at_a_time(
    seeded_db: Database, clock: FakeClock
) -> None:
    deliver(seeded_db, clock, *[alert_event(f"a{n}") for n in range(5)])
    first, cursor = listed(seeded_db, AlertFilter(limit=3))
    second, end = listed(seeded_db, AlertFilter(limit=3, cursor=cursor))
    assert (first, second, end) == (["a4", "a3", "a2"], ["a1", "a0"], None)


def test_alerts_are_filtered_by_status_source_service_and_since(
    seeded_db: Database, clock: FakeClock
) -> None:
    deliver(seeded_db, clock, alert_event("old"), alert_event("old", action=Action.RESOLVE))
    clock.advance(hours=1)
    deliver(seeded_db, clock, alert_event("og", source=Source.OPSGENIE, service="cms"))
    assert listed(seeded_db, AlertFilter(status="resolved"))[0] == ["old"]
    assert listed(seeded_db, AlertFilter(source="opsgenie"))[0] == ["og"]
    assert listed(seeded_db, AlertFilter(service="cms"))[0] == ["og"]
    since = clock.now() - timedelta(minutes=1)
    assert listed(seeded_db, AlertFilter(since=since))[0] == ["og"]


@pytest.mark.parametrize(
    ("criteria", "field"),
    [
        (AlertFilter(status="firing"), "status"),
        (AlertFilter(source="nagios"), "source"),
        (AlertFilter(limit=0), "limit"),
        (AlertFilter(cursor="abc"), "cursor"),
    ],
)
def test_bad_filters_name_their_field(
    seeded_db: Database, criteria: AlertFilter, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused, seeded_db.read() as session:
        list_alerts(session, criteria)
    assert refused.value.field == field


def test_an_unknown_alert_is_not_found(seeded_db: Database) -> None:
    with pytest.raises(NotFound), seeded_db.read() as session:
        get_alert(session, 999)
