"""Web accounts: who may be created, and how signing in refuses, counts and locks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from firehouse.auth import web_sessions
from firehouse.auth.model import User
from firehouse.auth.passwords import dummy_hash, verify_password
from firehouse.auth.users import (
    LOCK_FOR,
    Outcome,
    authenticate,
    create_user,
    disable_user,
    list_users,
)
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import Conflict, InvalidInput, NotFound

PASSWORD = "correct horse battery"


def make_user(db: Database, clock: FakeClock, username: str = "alice", **extra: str) -> None:
    fields = {"name": "Alice Ng", "role": "responder", "password": PASSWORD, **extra}
    with db.write() as session:
        create_user(session, username=username, now=clock.now(), **fields)


def sign_in(db: Database, clock: FakeClock, password: str, username: str = "alice") -> Outcome:
    with db.write() as session:
        return authenticate(session, username, password, clock.now()).outcome


def test_a_new_account_keeps_an_argon2id_hash_and_never_the_password(
    seeded_db: Database, clock: FakeClock
) -> None:
    make_user(seeded_db, clock, person="alice")
    with seeded_db.read() as session:
        (user,) = list_users(session)
        assert user.password_hash is not None
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        assert verify_password(user.password_hash, PASSWORD)
        assert (user.role, user.person_id, user.active) == ("responder", "alice", True)


def test_usernames_are_stored_lowercase(seeded_db: Database, clock: FakeClock) -> None:
    make_user(seeded_db, clock, username="  Alice.Ng ")
    with seeded_db.read() as session:
        assert [u.username for u in list_users(session)] == ["alice.ng"]


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("username", {"username": "alice ng"}),
        ("username", {"username": "-alice"}),
        ("username", {"username": ""}),
        ("name", {"name": "  "}),
        ("role", {"role": "owner"}),
        ("password", {"password": "elevenchars"}),
        ("person", {"person": "nobody"}),
    ],
)
def test_bad_account_details_are_refused_naming_the_field(
    seeded_db: Database, clock: FakeClock, field: str, change: dict[str, str]
) -> None:
    fields = {"username": "alice", "name": "Alice", "role": "viewer", "password": PASSWORD}
    with pytest.raises(InvalidInput) as refused, seeded_db.write() as session:
        create_user(session, now=clock.now(), **{**fields, **change})
    assert refused.value.field == field


def test_a_username_can_be_taken_only_once(seeded_db: Database, clock: FakeClock) -> None:
    make_user(seeded_db, clock)
    with pytest.raises(Conflict) as refused:
        make_user(seeded_db, clock, username="ALICE")
    assert refused.value.field == "username"


def test_the_right_password_signs_in_and_records_when(
    seeded_db: Database, clock: FakeClock
) -> None:
    make_user(seeded_db, clock)
    clock.advance(minutes=5)
    assert sign_in(seeded_db, clock, PASSWORD, username="Alice") is Outcome.SIGNED_IN
    with seeded_db.read() as session:
        (user,) = list_users(session)
        assert user.last_sign_in_at is not None


def test_a_wrong_password_and_an_unknown_user_get_the_same_refusal(
    seeded_db: Database, clock: FakeClock
) -> None:
    make_user(seeded_db, clock)
    assert sign_in(seeded_db, clock, "not the password") is Outcome.REFUSED
    assert sign_in(seeded_db, clock, PASSWORD, username="mallory") is Outcome.REFUSED


def test_an_unknown_user_still_costs_one_password_verification(
    seeded_db: Database, clock: FakeClock
) -> None:
    dummy_hash()  # computed once per process; what matters is that it is used
    before = dummy_hash.cache_info().hits
    sign_in(seeded_db, clock, PASSWORD, username="mallory")
    assert dummy_hash.cache_info().hits == before + 1


def test_five_failures_in_a_row_lock_the_account_even_against_the_right_password(
    seeded_db: Database, clock: FakeClock
) -> None:
    make_user(seeded_db, clock)
    outcomes = [sign_in(seeded_db, clock, "wrong password!") for _ in range(5)]
    assert outcomes == [Outcome.REFUSED] * 4 + [Outcome.LOCKED]
    assert sign_in(seeded_db, clock, PASSWORD) is Outcome.LOCKED


def test_a_locked_account_opens_again_after_fifteen_minutes(
    seeded_db: Database, clock: FakeClock
) -> None:
    make_user(seeded_db, clock)
    for _ in range(5):
        sign_in(seeded_db, clock, "wrong password!")
    clock.advance(seconds=LOCK_FOR.total_seconds() - 1)
    assert sign_in(seeded_db, clock, PASSWORD) is Outcome.LOCKED
    clock.advance(seconds=1)
    assert sign_in(seeded_db, clock, PASSWORD) is Outcome.SIGNED_IN


def test_a_success_resets_the_count_of_failures(seeded_db: Database, clock: FakeClock) -> None:
    make_user(seeded_db, clock)
    for _ in range(4):
        sign_in(seeded_db, clock, "wrong password!")
    assert sign_in(seeded_db, clock, PASSWORD) is Outcome.SIGNED_IN
    for _ in range(4):
        assert sign_in(seeded_db, clock, "wrong password!") is Outcome.REFUSED
    assert sign_in(seeded_db, clock, PASSWORD) is Outcome.SIGNED_IN


def test_a_weaker_hash_is_upgraded_at_the_next_sign_in(
    seeded_db: Database, clock: FakeClock
) -> None:
    make_user(seeded_db, clock)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with seeded_db.write() as session:
        (user,) = list_users(session)
        user.password_hash = weak
    assert sign_in(seeded_db, clock, PASSWORD) is Outcome.SIGNED_IN
    with seeded_db.read() as session:
        (user,) = list_users(session)
        assert user.password_hash != weak
        assert user.password_hash is not None
        assert verify_password(user.password_hash, PASSWORD)


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(
    seeded_db: Database, clock: FakeClock
) -> None:
    make_user(seeded_db, clock)
    with seeded_db.write() as session:
        user = session.query(User).one()
        _row, token = web_sessions.start(session, user, now=clock.now())
    with seeded_db.write() as session:
        disable_user(session, "alice", now=clock.now())
    assert sign_in(seeded_db, clock, PASSWORD) is Outcome.REFUSED
    with seeded_db.read() as session:
        assert web_sessions.resume(session, token, now=clock.now() + timedelta(seconds=1)) is None


def test_disabling_an_unknown_user_names_the_username(
    seeded_db: Database, clock: FakeClock
) -> None:
    with pytest.raises(NotFound) as refused, seeded_db.write() as session:
        disable_user(session, "nobody", now=clock.now())
    assert refused.value.field == "username"
