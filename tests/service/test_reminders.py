"""The reminder pass on both databases: each nudge is queued once, at its time, and stops
when its duty is done; snoozes hold it back; several workers still queue it once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from firehouse.clock import FakeClock
from firehouse.db import Database, is_sqlite
from firehouse.errors import InvalidInput, NotFound
from firehouse.guidance.model import FollowUp, Postmortem, ReminderSent
from firehouse.guidance.policy import (
    FOLLOW_UPS_OPEN,
    NO_COMMANDER,
    POSTMORTEM_NOT_STARTED,
    PUBLIC_INCIDENT_OPEN,
    STATUS_UPDATE_DUE,
)
from firehouse.guidance.reminder_service import reminders_of, run_reminder_pass, snooze
from firehouse.incidents import roles, service
from firehouse.incidents.model import Incident, TimelineEntry
from firehouse.incidents.visibility import Sight
from firehouse.outbox.model import OutboxDelivery, OutboxEvent
from firehouse.statuspage.model import PublicIncident, PublicUpdate
from tests.factories import declare


def sent(db: Database) -> list[tuple[int, str]]:
    with db.read() as session:
        rows = session.execute(
            select(Incident.number, ReminderSent.reminder)
            .join(Incident, Incident.id == ReminderSent.incident_id)
            .order_by(ReminderSent.id)
        )
        return [(number, reminder) for number, reminder in rows]


def reminder_events(db: Database) -> list[dict[str, object]]:
    with db.read() as session:
        rows = session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.type == "guidance.reminder")
            .order_by(OutboxEvent.id)
        )
        return [dict(row.payload) for row in rows]


def assign_commander(db: Database, clock: FakeClock, number: int = 1) -> None:
    with db.write() as session:
        roles.assign_role(session, number, "commander", "bob", actor="alice", now=clock.now())


def publish(db: Database, clock: FakeClock, number: int = 1) -> None:
    with db.write() as session:
        incident_id = session.scalar(select(Incident.id).where(Incident.number == number))
        session.add(
            PublicIncident(
                id=f"pub{number}",
                name="Checkout trouble",
                status="investigating",
                impact="major",
                incident_id=incident_id,
                created_at=clock.now(),
                updated_at=clock.now(),
                published_at=clock.now(),
            )
        )


def post_update(db: Database, clock: FakeClock, update_id: str, number: int = 1) -> None:
    with db.write() as session:
        session.add(
            PublicUpdate(
                id=update_id,
                public_incident_id=f"pub{number}",
                status="identified",
                body="We found it",
                author="alice",
                created_at=clock.now(),
            )
        )


def resolve(db: Database, clock: FakeClock, number: int = 1) -> None:
    with db.write() as session:
        service.resolve(session, number, "Rolled back", actor="bob", now=clock.now())


def pass_at(db: Database, clock: FakeClock, **advance: float) -> int:
    clock.advance(**advance)
    return run_reminder_pass(db, clock.now())


# -- no commander ---------------------------------------------------------------------------


def test_no_commander_fires_once_five_minutes_after_declaring(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), priority="P1")
    assert pass_at(seeded_db, clock, minutes=4, seconds=59) == 0
    assert pass_at(seeded_db, clock, seconds=1) == 1
    assert pass_at(seeded_db, clock, seconds=30) == 0
    assert sent(seeded_db) == [(1, NO_COMMANDER)]


def test_the_queued_reminder_carries_what_delivery_needs(
    seeded_db: Database, clock: FakeClock
) -> None:
    start = clock.now()
    declare(seeded_db, start, priority="P1")
    pass_at(seeded_db, clock, minutes=5)
    [event] = reminder_events(seeded_db)
    assert event["reminder"] == NO_COMMANDER
    assert event["due_at"] == (start + timedelta(minutes=5)).isoformat()
    assert event["incident"]["number"] == 1  # type: ignore[index]
    assert event["commander"] is None
    with seeded_db.read() as session:
        subscriptions = list(session.scalars(select(OutboxDelivery.subscription)))
    assert subscriptions == ["reminders"]


def test_no_commander_repeats_at_its_cadence_while_nobody_leads(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), priority="P1")
    pass_at(seeded_db, clock, minutes=5)
    pass_at(seeded_db, clock, minutes=4)
    pass_at(seeded_db, clock, minutes=1)
    assert sent(seeded_db) == [(1, NO_COMMANDER), (1, NO_COMMANDER)]


def test_no_commander_stops_once_a_commander_is_assigned(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), priority="P1")
    pass_at(seeded_db, clock, minutes=5)
    assign_commander(seeded_db, clock)
    pass_at(seeded_db, clock, minutes=30)
    assert sent(seeded_db) == [(1, NO_COMMANDER)]


def test_a_p3_without_commander_is_not_nudged(seeded_db: Database, clock: FakeClock) -> None:
    declare(seeded_db, clock.now(), priority="P3")
    assert pass_at(seeded_db, clock, minutes=30) == 0


# -- status updates and the public incident ---------------------------------------------------


def test_an_overdue_status_update_repeats_each_cadence_until_an_update_is_posted(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), priority="P1", commander="bob")
    publish(seeded_db, clock)
    pass_at(seeded_db, clock, minutes=29)
    pass_at(seeded_db, clock, minutes=1)
    pass_at(seeded_db, clock, minutes=30)
    post_update(seeded_db, clock, "upd1")
    pass_at(seeded_db, clock, minutes=29)
    assert sent(seeded_db) == [(1, STATUS_UPDATE_DUE), (1, STATUS_UPDATE_DUE)]


def test_a_resolved_incident_with_its_public_incident_open_is_nudged(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), priority="P2", commander="bob")
    publish(seeded_db, clock)
    clock.advance(minutes=20)
    resolve(seeded_db, clock)
    assert pass_at(seeded_db, clock, minutes=14) == 0
    assert pass_at(seeded_db, clock, minutes=1) == 1
    assert sent(seeded_db) == [(1, PUBLIC_INCIDENT_OPEN)]


# -- postmortem and follow-ups -------------------------------------------------------------


def test_a_p1_postmortem_not_started_is_nudged_after_two_business_days(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), priority="P1", commander="bob")  # 2026-01-01, a Thursday
    resolve(seeded_db, clock)
    pass_at(seeded_db, clock, days=4, seconds=-1)  # Monday, a second before
    assert POSTMORTEM_NOT_STARTED not in {r for _, r in sent(seeded_db)}
    pass_at(seeded_db, clock, seconds=1)
    assert (1, POSTMORTEM_NOT_STARTED) in sent(seeded_db)


def test_a_started_postmortem_is_not_nudged(seeded_db: Database, clock: FakeClock) -> None:
    declare(seeded_db, clock.now(), priority="P1", commander="bob")
    resolve(seeded_db, clock)
    with seeded_db.write() as session:
        for postmortem in session.scalars(select(Postmortem)):
            postmortem.started_at = clock.now()
    pass_at(seeded_db, clock, days=10)
    assert POSTMORTEM_NOT_STARTED not in {r for _, r in sent(seeded_db)}


def test_follow_ups_open_for_fourteen_days_are_nudged_once(
    seeded_db: Database, clock: FakeClock
) -> None:
    incident = declare(seeded_db, clock.now(), priority="P4")
    with seeded_db.write() as session:
        session.add(
            FollowUp(
                incident_id=incident.id,
                title="Add an alert",
                request_key="fu-1",
                created_by="alice",
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    pass_at(seeded_db, clock, days=14, seconds=-1)
    pass_at(seeded_db, clock, seconds=1)
    pass_at(seeded_db, clock, days=1)
    assert sent(seeded_db) == [(1, FOLLOW_UPS_OPEN)]


# -- catch-up and many workers -----------------------------------------------------------------


def test_after_an_hour_with_no_worker_the_overdue_reminder_fires_once(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), priority="P2", commander="bob")
    publish(seeded_db, clock)
    assert pass_at(seeded_db, clock, minutes=70) == 1  # due at 60, missed the ticks between
    assert pass_at(seeded_db, clock, seconds=30) == 0
    assert sent(seeded_db) == [(1, STATUS_UPDATE_DUE)]


def test_two_workers_queue_each_due_reminder_once(seeded_db: Database, clock: FakeClock) -> None:
    declare(seeded_db, clock.now(), priority="P1")
    declare(seeded_db, clock.now(), priority="P2")
    clock.advance(minutes=5)
    if is_sqlite(seeded_db.engine):
        counts = [run_reminder_pass(seeded_db, clock.now()) for _ in range(2)]
    else:
        counts = _concurrently(seeded_db, clock, workers=2)
    assert sorted(counts) in ([0, 2], [1, 1])
    assert sorted(sent(seeded_db)) == [(1, NO_COMMANDER), (2, NO_COMMANDER)]
    assert len(reminder_events(seeded_db)) == 2


def _concurrently(db: Database, clock: FakeClock, *, workers: int) -> list[int]:
    start = threading.Barrier(workers)
    counts: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        worker_db = Database(db.url)  # a worker is another process: its own engine
        try:
            start.wait()
            counts.append(run_reminder_pass(worker_db, clock.now()))
        except BaseException as exc:  # noqa: BLE001 -- reported by the test below
            errors.append(exc)
        finally:
            worker_db.dispose()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    return counts


# -- snoozing -------------------------------------------------------------------------------


def test_a_snoozed_reminder_waits_for_the_snooze_to_end(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), priority="P1")
    clock.advance(minutes=4)
    with seeded_db.write() as session:
        snooze(session, 1, NO_COMMANDER, minutes=10, actor="alice", now=clock.now())
    assert pass_at(seeded_db, clock, minutes=9, seconds=59) == 0
    assert pass_at(seeded_db, clock, seconds=1) == 1
    assert pass_at(seeded_db, clock, minutes=4) == 0


def test_snoozing_is_recorded_on_the_timeline(seeded_db: Database, clock: FakeClock) -> None:
    declare(seeded_db, clock.now(), priority="P1")
    with seeded_db.write() as session:
        snooze(session, 1, NO_COMMANDER, minutes=30, actor="alice", now=clock.now())
    with seeded_db.read() as session:
        entry = session.scalars(
            select(TimelineEntry).where(TimelineEntry.kind == "guidance.reminder_snoozed")
        ).one()
    assert (entry.actor, entry.data["reminder"]) == ("alice", NO_COMMANDER)


@pytest.mark.parametrize(
    ("reminder", "minutes", "field"),
    [
        ("nagging", 10, "reminder"),
        (NO_COMMANDER, 0, "minutes"),
        (NO_COMMANDER, 60 * 24 * 8, "minutes"),
    ],
)
def test_a_bad_snooze_names_the_field(
    seeded_db: Database, clock: FakeClock, reminder: str, minutes: int, field: str
) -> None:
    declare(seeded_db, clock.now(), priority="P1")
    with pytest.raises(InvalidInput) as refused, seeded_db.write() as session:
        snooze(session, 1, reminder, minutes=minutes, actor="alice", now=clock.now())
    assert refused.value.field == field


def test_an_outsider_cannot_snooze_a_private_incidents_reminder(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), priority="P1", private=True, reporter="alice")
    outsider = Sight(person_id="dan")
    with pytest.raises(NotFound), seeded_db.write() as session:
        snooze(session, 1, NO_COMMANDER, minutes=5, actor="dan", now=clock.now(), sight=outsider)


def test_the_reminders_of_an_incident_show_what_is_due_snoozed_and_sent(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), priority="P1", commander="bob")
    publish(seeded_db, clock)
    pass_at(seeded_db, clock, minutes=30)
    with seeded_db.write() as session:
        snooze(session, 1, FOLLOW_UPS_OPEN, minutes=60, actor="bob", now=clock.now())
    clock.advance(minutes=30)
    with seeded_db.read() as session:
        states = {state.reminder: state for state in reminders_of(session, 1, now=clock.now())}
    assert states[STATUS_UPDATE_DUE].last_sent_at is not None
    assert states[STATUS_UPDATE_DUE].due_at == clock.now()
    assert states[FOLLOW_UPS_OPEN].snoozed_until is not None
    assert states[NO_COMMANDER].due_at is None
