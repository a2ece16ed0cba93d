"""Passwords are stored as argon2id hashes at a cost that makes a stolen hash slow to guess,
and a hash made at a lower cost is upgraded at the next sign-in."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from firehouse.auth import passwords

pytestmark = pytest.mark.real_password_cost


def test_a_password_is_hashed_with_argon2id_at_the_recommended_cost() -> None:
    stored = passwords.hash_password("correct horse battery staple")
    parameters = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert parameters.time_cost >= 2
    assert parameters.memory_cost >= 19 * 1024  # OWASP's floor for argon2id, in KiB
    assert "correct horse" not in stored


def test_the_right_password_verifies_and_a_wrong_or_damaged_one_does_not() -> None:
    stored = passwords.hash_password("correct horse battery staple")
    assert passwords.verify_password(stored, "correct horse battery staple")
    assert not passwords.verify_password(stored, "Correct horse battery staple")
    assert not passwords.verify_password("not a hash", "correct horse battery staple")


def test_a_hash_made_at_a_lower_cost_needs_rehashing() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    assert passwords.needs_rehash(weak.hash("correct horse battery staple"))
    assert not passwords.needs_rehash(passwords.hash_password("correct horse battery staple"))
