"""The mail server section, shared by the status page (subscribers) and paging."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from pydantic.types import StringConstraints

from firehouse.catalog.config_types import Email, Section


class SmtpConfig(Section):
    """The mail server subscribers' mail goes through. The password is a secret: it comes
    from FIREHOUSE_SMTP_PASSWORD, never this file."""

    host: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
    port: Annotated[int, Field(ge=1, le=65535)] = 587
    from_: Email = Field(alias="from")
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: Annotated[str, StringConstraints(max_length=320)] | None = None
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 10.0
