"""The retry schedule: exponential back-off from 2 s to 15 min, with Retry-After as a floor."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from firehouse.outbox.retry import (
    BASE_DELAY,
    MAX_DELAY,
    MAX_RETRY_AFTER,
    is_exhausted,
    next_delay,
)

attempts = st.integers(min_value=1, max_value=10_000)
retry_afters = st.floats(min_value=0, max_value=10**9, allow_nan=False)


def test_the_delay_doubles_from_two_seconds() -> None:
    delays = [next_delay(n).total_seconds() for n in range(1, 7)]
    assert delays == [2, 4, 8, 16, 32, 64]


def test_the_delay_stops_growing_at_fifteen_minutes() -> None:
    assert next_delay(10) == MAX_DELAY
    assert next_delay(10_000) == MAX_DELAY


@given(attempts)
def test_the_delay_never_shrinks_as_attempts_grow(n: int) -> None:
    assert next_delay(n) <= next_delay(n + 1)


@given(attempts)
def test_the_delay_stays_between_the_base_and_the_cap(n: int) -> None:
    assert BASE_DELAY <= next_delay(n) <= MAX_DELAY


@given(attempts, retry_afters)
def test_retry_after_is_waited_for_up_to_an_hour(n: int, seconds: float) -> None:
    asked = min(timedelta(seconds=seconds), MAX_RETRY_AFTER)
    assert next_delay(n, seconds) >= asked


@given(attempts, retry_afters)
def test_retry_after_never_shortens_the_back_off(n: int, seconds: float) -> None:
    assert next_delay(n, seconds) >= next_delay(n)


@given(attempts, retry_afters)
def test_retry_after_never_delays_past_the_larger_cap(n: int, seconds: float) -> None:
    assert next_delay(n, seconds) <= max(MAX_DELAY, MAX_RETRY_AFTER)


def test_a_huge_or_infinite_retry_after_is_capped_at_an_hour() -> None:
    assert next_delay(1, float("inf")) == MAX_RETRY_AFTER
    assert next_delay(1, 10**12) == MAX_RETRY_AFTER


def test_a_negative_retry_after_falls_back_to_the_back_off() -> None:
    assert next_delay(3, -30) == timedelta(seconds=8)


def test_attempts_are_exhausted_at_the_maximum() -> None:
    assert not is_exhausted(9, 10)
    assert is_exhausted(10, 10)
