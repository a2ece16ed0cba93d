"""Channel names: the configured pattern, made into names Slack accepts, and their suffixes."""

from __future__ import annotations

import itertools
import re

from hypothesis import given
from hypothesis import strategies as st

from firehouse.chat.naming import MAX_LENGTH, alternatives, channel_name, valid_name, with_suffix

SLACK_NAME = re.compile(r"^[a-z0-9_-]{1,80}$")


def test_the_default_pattern_gives_incident_and_number() -> None:
    assert channel_name("incident-{number}", number=12, service="website", priority="P2") == (
        "incident-12"
    )


def test_service_and_priority_placeholders_are_filled_in_and_lowercased() -> None:
    name = channel_name(
        "{priority}_{service}-{number}", number=3, service="Web Site", priority="P1"
    )
    assert name == "p1_web-site-3"


def test_characters_slack_does_not_allow_collapse_to_one_dash() -> None:
    assert valid_name("Checkout  fails!! (EU)") == "checkout-fails-eu"


def test_names_are_cut_to_eighty_characters() -> None:
    name = channel_name("incident-{number}-{service}", number=1, service="x" * 200, priority="P2")
    assert len(name) == MAX_LENGTH


def test_unknown_braces_stay_text_and_cannot_reach_attributes() -> None:
    name = channel_name("{number.__class__}-{number}", number=7, service="s", priority="P3")
    assert name == "number-__class__-7"


def test_a_pattern_that_cleans_to_nothing_falls_back_to_incident_and_number() -> None:
    assert channel_name("!!!", number=5, service="s", priority="P2") == "incident-5"


def test_taken_names_are_followed_by_numbered_alternatives() -> None:
    names = list(itertools.islice(alternatives("incident-12"), 5))
    assert names == [
        "incident-12",
        "incident-12-2",
        "incident-12-3",
        "incident-12-4",
        "incident-12-5",
    ]


def test_after_the_numbered_alternatives_come_unique_suffixes_forever() -> None:
    tokens = iter(["a1b2c3", "d4e5f6"])
    names = list(itertools.islice(alternatives("incident-12", unique=lambda: next(tokens)), 7))
    assert names[5:] == ["incident-12-a1b2c3", "incident-12-d4e5f6"]


def test_a_suffix_shortens_the_name_not_itself() -> None:
    assert with_suffix("a" * 80, "2") == "a" * 78 + "-2"


@given(
    pattern=st.text(max_size=90).map(lambda text: text + "{number}"),
    number=st.integers(min_value=1, max_value=10**9),
    service=st.text(max_size=100),
    priority=st.sampled_from(["P1", "P2", "P3", "P4", "P5"]),
)
def test_every_pattern_gives_a_valid_slack_name(
    pattern: str, number: int, service: str, priority: str
) -> None:
    name = channel_name(pattern, number=number, service=service, priority=priority)
    assert SLACK_NAME.match(name)


@given(base=st.text(max_size=120), suffix=st.text(max_size=20))
def test_every_alternative_is_a_valid_slack_name(base: str, suffix: str) -> None:
    name = valid_name(base)
    for candidate in itertools.islice(alternatives(name, unique=lambda: suffix), 7):
        assert SLACK_NAME.match(candidate)
