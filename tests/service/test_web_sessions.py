"""Signed-in browsers: a cookie token stored only as its hash, sliding and absolute expiry."""

from __future__ import annotations

from sqlalchemy import select

from firehouse.auth import web_sessions
from firehouse.auth.model import User, WebSession
from firehouse.auth.tokens import hash_token
from firehouse.auth.users import create_user
from firehouse.clock import FakeClock
from firehouse.db import Database


def start_session(db: Database, clock: FakeClock) -> str:
    with db.write() as session:
        user = create_user(
            session,
            username="bob",
            name="Bob Ortiz",
            role="admin",
            password="a long enough secret",
            person="bob",
            now=clock.now(),
        )
        _row, token = web_sessions.start(session, user, now=clock.now())
    return token


def resume(db: Database, clock: FakeClock, token: str) -> web_sessions.SignedIn | None:
    with db.read() as session:
        return web_sessions.resume(session, token, now=clock.now())


def touch(db: Database, clock: FakeClock, token: str) -> None:
    found = resume(db, clock, token)
    assert found is not None
    with db.write() as session:
        web_sessions.touch(session, found.session_id, now=clock.now())


def test_only_the_hash_of_the_cookie_token_is_stored(seeded_db: Database, clock: FakeClock) -> None:
    token = start_session(seeded_db, clock)
    with seeded_db.read() as session:
        row = session.scalars(select(WebSession)).one()
    assert row.token_hash == hash_token(token)
    assert token not in (row.token_hash, row.csrf_token)
    assert len(token) >= 43  # 32 random bytes


def test_a_session_resumes_as_its_user_with_its_csrf_token(
    seeded_db: Database, clock: FakeClock
) -> None:
    token = start_session(seeded_db, clock)
    found = resume(seeded_db, clock, token)
    assert found is not None
    assert (found.username, found.name, found.role.value, found.actor) == (
        "bob",
        "Bob Ortiz",
        "admin",
        "bob",
    )
    with seeded_db.read() as session:
        assert found.csrf_token == session.scalars(select(WebSession.csrf_token)).one()


def test_an_unknown_token_resumes_nothing(seeded_db: Database, clock: FakeClock) -> None:
    start_session(seeded_db, clock)
    assert resume(seeded_db, clock, "not-a-token") is None


def test_a_session_ends_after_twelve_idle_hours(seeded_db: Database, clock: FakeClock) -> None:
    token = start_session(seeded_db, clock)
    clock.advance(hours=12, seconds=-1)
    assert resume(seeded_db, clock, token) is not None
    clock.advance(seconds=1)
    assert resume(seeded_db, clock, token) is None


def test_use_slides_the_idle_expiry(seeded_db: Database, clock: FakeClock) -> None:
    token = start_session(seeded_db, clock)
    clock.advance(hours=11)
    touch(seeded_db, clock, token)
    clock.advance(hours=11)
    assert resume(seeded_db, clock, token) is not None


def test_a_session_in_use_still_ends_seven_days_after_sign_in(
    seeded_db: Database, clock: FakeClock
) -> None:
    token = start_session(seeded_db, clock)
    for _ in range(15):  # 165 hours: just short of seven days
        clock.advance(hours=11)
        touch(seeded_db, clock, token)
    clock.advance(hours=2, minutes=59, seconds=59)  # 167:59:59 hours
    assert resume(seeded_db, clock, token) is not None
    clock.advance(seconds=1)
    assert resume(seeded_db, clock, token) is None


def test_a_touch_is_due_only_after_a_minute(seeded_db: Database, clock: FakeClock) -> None:
    token = start_session(seeded_db, clock)
    clock.advance(seconds=59)
    found = resume(seeded_db, clock, token)
    assert found is not None
    assert not found.touch_is_due
    clock.advance(seconds=1)
    found = resume(seeded_db, clock, token)
    assert found is not None
    assert found.touch_is_due


def test_an_ended_session_does_not_resume(seeded_db: Database, clock: FakeClock) -> None:
    token = start_session(seeded_db, clock)
    with seeded_db.write() as session:
        web_sessions.end(session, token, now=clock.now())
    assert resume(seeded_db, clock, token) is None


def test_a_disabled_accounts_session_does_not_resume(seeded_db: Database, clock: FakeClock) -> None:
    token = start_session(seeded_db, clock)
    with seeded_db.write() as session:
        session.scalars(select(User)).one().active = False
    assert resume(seeded_db, clock, token) is None
