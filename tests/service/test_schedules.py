"""The schedules service on both databases: who is on call and until when, rendered shifts,
and overrides with their validation, author and cancellation."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.oncall import schedules
from firehouse.oncall.directory import on_call
from firehouse.oncall.schedules import OverrideRequest
from tests.service.schedule_support import FIRST_MONDAY, add_schedule

WEEK = timedelta(weeks=1)


@pytest.fixture
def schedule_db(seeded_db: Database) -> Database:
    add_schedule(seeded_db)
    add_schedule(seeded_db, "retired", "Retired", active=False)
    return seeded_db


def holders(db: Database, at: datetime) -> dict[str, tuple[str | None, datetime | None]]:
    with db.read() as session:
        return {
            f"{h.schedule.id}/{h.layer}": (h.person, h.end)
            for h in schedules.on_call_now(session, at)
        }


def create(db: Database, now: datetime, *, schedule: str = "engineering", **fields: object) -> int:
    request = {
        "layer": "primary",
        "person": "dan",
        "start": now + timedelta(hours=1),
        "end": now + timedelta(hours=5),
        "reason": "alice is at the dentist",
        **fields,
    }
    with db.write() as session:
        row = schedules.create_override(
            session,
            schedule,
            OverrideRequest(**request),
            author="alice",
            now=now,  # type: ignore[arg-type]
        )
        return row.id


def refused(db: Database, now: datetime, **fields: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        create(db, now, **fields)
    return caught.value


def test_each_active_schedule_shows_each_layer_and_when_it_hands_over(
    schedule_db: Database, clock: FakeClock
) -> None:
    assert holders(schedule_db, clock.now()) == {
        "engineering/primary": ("alice", FIRST_MONDAY + WEEK),
        "engineering/secondary": ("carol", FIRST_MONDAY + WEEK),
    }


def test_an_override_shows_its_person_until_it_ends(
    schedule_db: Database, clock: FakeClock
) -> None:
    now = clock.now()
    create(schedule_db, now)
    during = now + timedelta(hours=2)
    assert holders(schedule_db, during)["engineering/primary"] == ("dan", now + timedelta(hours=5))
    assert holders(schedule_db, now)["engineering/primary"] == ("alice", now + timedelta(hours=1))


def test_rendered_shifts_apply_overrides_layer_by_layer(
    schedule_db: Database, clock: FakeClock
) -> None:
    now = clock.now()
    create(schedule_db, now)
    with schedule_db.read() as session:
        schedule = schedules.get_schedule(session, "engineering")
        shifts = schedules.render_shifts(session, schedule, now, now + timedelta(days=10))
    assert [(s.layer, s.person) for s in shifts] == [
        ("primary", "alice"),
        ("primary", "dan"),
        ("primary", "alice"),
        ("primary", "bob"),
        ("secondary", "carol"),
        ("secondary", "dan"),
    ]


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(0, 0, "to"), (5, 1, "to"), (0, 24 * 367, "to")],
)
def test_a_shift_window_must_run_forwards_for_at_most_a_year(
    schedule_db: Database, clock: FakeClock, start: int, end: int, field: str
) -> None:
    begins, ends = clock.now() + timedelta(hours=start), clock.now() + timedelta(hours=end)
    with schedule_db.read() as session:
        schedule = schedules.get_schedule(session, "engineering")
        with pytest.raises(InvalidInput) as caught:
            schedules.render_shifts(session, schedule, begins, ends)
    assert caught.value.field == field


def test_an_inactive_or_unknown_schedule_is_not_found(schedule_db: Database) -> None:
    with schedule_db.read() as session:
        for missing in ("retired", "nope"):
            with pytest.raises(NotFound):
                schedules.get_schedule(session, missing)


def test_an_override_records_its_author_and_reason(schedule_db: Database, clock: FakeClock) -> None:
    override_id = create(schedule_db, clock.now())
    with schedule_db.read() as session:
        [row] = schedules.list_overrides(session, "engineering", now=clock.now())
    assert (row.id, row.author, row.reason) == (override_id, "alice", "alice is at the dentist")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"layer": "tertiary"}, "layer"),
        ({"person": "zed"}, "person"),
        ({"covers_for": "zed"}, "covers_for"),
        ({"covers_for": "dan"}, "covers_for"),
        ({"reason": "  "}, "reason"),
    ],
)
def test_an_override_names_the_field_it_refuses(
    schedule_db: Database, clock: FakeClock, fields: dict[str, object], field: str
) -> None:
    assert refused(schedule_db, clock.now(), **fields).field == field


def test_an_override_must_end_after_it_starts(schedule_db: Database, clock: FakeClock) -> None:
    now = clock.now()
    assert refused(schedule_db, now, start=now + WEEK, end=now + WEEK).field == "end"


def test_an_override_lasts_at_most_a_year(schedule_db: Database, clock: FakeClock) -> None:
    now = clock.now()
    assert refused(schedule_db, now, end=now + timedelta(days=400)).field == "end"


def test_an_override_for_an_inactive_person_is_refused(
    schedule_db: Database, clock: FakeClock
) -> None:
    from firehouse.catalog.model import Person  # noqa: PLC0415

    with schedule_db.write() as session:
        session.get_one(Person, "dan").active = False
    assert refused(schedule_db, clock.now()).field == "person"


def test_an_override_of_an_unknown_schedule_is_not_found(
    schedule_db: Database, clock: FakeClock
) -> None:
    with pytest.raises(NotFound):
        create(schedule_db, clock.now(), schedule="nope")


def test_a_cancelled_override_stops_applying_and_stays_listed(
    schedule_db: Database, clock: FakeClock
) -> None:
    now = clock.now()
    override_id = create(schedule_db, now)
    with schedule_db.write() as session:
        schedules.cancel_override(session, "engineering", override_id, actor="bob", now=now)
    assert holders(schedule_db, now + timedelta(hours=2))["engineering/primary"][0] == "alice"
    with schedule_db.read() as session:
        assert schedules.list_overrides(session, "engineering", now=now) == []
        [row] = schedules.list_overrides(session, "engineering", now=now, every=True)
    assert (row.cancelled_by, row.cancelled_at) == ("bob", now)


def test_cancelling_twice_is_a_conflict(schedule_db: Database, clock: FakeClock) -> None:
    now = clock.now()
    override_id = create(schedule_db, now)
    with schedule_db.write() as session:
        schedules.cancel_override(session, "engineering", override_id, actor="bob", now=now)
    with schedule_db.write() as session, pytest.raises(Conflict):
        schedules.cancel_override(session, "engineering", override_id, actor="bob", now=now)


def test_the_directory_agrees_with_the_service_about_who_is_on_call(
    schedule_db: Database, clock: FakeClock
) -> None:
    now = clock.now()
    create(schedule_db, now, covers_for="alice")
    at = now + timedelta(hours=3)
    with schedule_db.read() as session:
        found = on_call(session, schedules.list_schedules(session), at)
    assert [(h.layer, h.person) for h in found] == [("primary", "dan"), ("secondary", "carol")]


def test_a_person_has_their_shifts_from_every_schedule(
    schedule_db: Database, clock: FakeClock
) -> None:
    add_schedule(schedule_db, "support", "Support", timezone="UTC")
    now = clock.now()
    with schedule_db.read() as session:
        found = schedules.shifts_of_person(session, "carol", now, now + timedelta(days=14))
    assert {(f.schedule.id, f.shift.layer) for f in found} == {
        ("engineering", "primary"),
        ("engineering", "secondary"),
        ("support", "primary"),
        ("support", "secondary"),
    }
    assert all(f.shift.person == "carol" for f in found)
