"""Input string types that every database accepts.

PostgreSQL refuses NUL characters and unpaired surrogates in text; rejecting them at the edge
turns what would be a database error (a 500) into a 422 that names the field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, StringConstraints

EARLIEST_YEAR = 1970


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def _iso_text(value: object) -> object:
    """Times come as ISO 8601 text, as documented; a bare number would silently be read as
    seconds since 1970."""
    if not isinstance(value, str | datetime):
        raise ValueError("must be an ISO 8601 time with a zone, e.g. 2026-11-26T03:00:00Z")
    return value


def _storable_moment(value: datetime) -> datetime:
    """In UTC and within years both databases store; far-off offsets would overflow later."""
    try:
        moment = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must be a time between 1970 and 9999") from None
    if moment.year < EARLIEST_YEAR:
        raise ValueError("must be a time between 1970 and 9999")
    return moment


Id = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_storable)]
Title = Annotated[str, StringConstraints(max_length=300), AfterValidator(_storable)]
LongText = Annotated[str, StringConstraints(max_length=20000), AfterValidator(_storable)]
Url = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_storable)]
Tag = Annotated[str, StringConstraints(max_length=100), AfterValidator(_storable)]
Moment = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_storable_moment)]
