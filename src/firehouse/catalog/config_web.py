"""The `web:` section: how people sign in to the web UI besides their firehouse password.

Only OpenID Connect so far. The client secret is a secret, so it comes from
FIREHOUSE_OIDC_CLIENT_SECRET and never from this file.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationInfo, field_validator
from pydantic.types import StringConstraints

from firehouse.catalog.config_types import Name, Section

ClaimName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Scope = Annotated[str, StringConstraints(pattern=r"^[\x21\x23-\x5b\x5d-\x7e]{1,100}$")]
GroupName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
SsoRole = Literal["viewer", "responder", "admin"]

DEFAULT_LABEL = "Sign in with single sign-on"


class OidcConfig(Section):
    """A provider people sign in with. `roles` maps a firehouse role to the provider groups
    that grant it (the highest role any of a person's groups grants wins); someone in no
    listed group gets `default_role`, and `none` turns them away."""

    # Declared before `issuer` so that the issuer's check can read it.
    allow_http: bool = False
    issuer: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
    client_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    label: Name = DEFAULT_LABEL
    scopes: list[Scope] = Field(default_factory=lambda: ["openid", "email", "profile"])
    username_claim: ClaimName = "preferred_username"
    roles_claim: ClaimName | None = None
    roles: dict[SsoRole, list[GroupName]] = Field(default_factory=dict)
    default_role: Literal["viewer", "responder", "admin", "none"] = "viewer"

    @field_validator("issuer")
    @classmethod
    def _issuer(cls, value: str, info: ValidationInfo) -> str:
        """Tokens are only as trustworthy as the channel discovery runs over."""
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("must be a URL such as https://login.example.com/realms/acme")
        if parts.query or parts.fragment:
            raise ValueError("must not carry a query or a fragment")
        if parts.scheme == "http" and not info.data.get("allow_http", False):
            raise ValueError("must use https (allow_http: true is only for a test provider)")
        return value.rstrip("/")

    @field_validator("scopes")
    @classmethod
    def _scopes(cls, value: list[str]) -> list[str]:
        if "openid" not in value:
            raise ValueError("must include openid")
        return list(dict.fromkeys(value))


class WebConfig(Section):
    oidc: OidcConfig | None = None
