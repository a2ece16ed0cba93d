"""Input string types that every database accepts.

PostgreSQL refuses NUL characters and unpaired surrogates in text; rejecting them at the edge
turns what would be a database error (a 500) into a 422 that names the field.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


Id = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_storable)]
Title = Annotated[str, StringConstraints(max_length=300), AfterValidator(_storable)]
LongText = Annotated[str, StringConstraints(max_length=20000), AfterValidator(_storable)]
Url = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_storable)]
Tag = Annotated[str, StringConstraints(max_length=100), AfterValidator(_storable)]
