"""The OpenID Connect protocol, without the network: what a sign-in sends the provider, the
signed cookie that remembers it, and the checks an ID token must pass before firehouse
believes who it names. The HTTP part lives in firehouse.integrations.oidc.

Every refusal is an `OidcRefused` with one line a person can read; none quotes a token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey

from firehouse.auth import signing
from firehouse.auth.roles import AccessRole
from firehouse.catalog.config_web import OidcConfig

PENDING_FOR = timedelta(minutes=10)
LEEWAY_SECONDS = 60
ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
_PURPOSE = "oidc-sign-in"


class OidcRefused(Exception):
    """`status` 400: the browser's request or the person's claims; 502: the provider."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Provider:
    """What discovery told us; only the endpoints firehouse uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    token_auth_methods: tuple[str, ...]
    id_token_algs: tuple[str, ...]


def parse_discovery(document: Any, issuer: str) -> Provider:
    """The issuer in the document must be the configured one (OpenID Connect Discovery 4.3),
    or a look-alike document could redirect sign-ins elsewhere."""
    if not isinstance(document, dict):
        raise OidcRefused("the provider's discovery document is not a JSON object", status=502)
    if str(document.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
        raise OidcRefused("the provider's discovery document names another issuer", status=502)
    endpoints = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(name)
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            raise OidcRefused(f"the provider's discovery document lacks {name}", status=502)
        endpoints[name] = value
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    algs = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    return Provider(
        issuer=issuer.rstrip("/"),
        token_auth_methods=tuple(str(m) for m in methods),
        id_token_algs=tuple(str(a) for a in algs),
        **endpoints,
    )


@dataclass(frozen=True)
class Pending:
    """One sign-in on its way through the provider: kept in the browser, signed."""

    state: str
    nonce: str
    verifier: str
    next: str
    expires: int  # Unix seconds


def begin(next_path: str, *, now: datetime) -> Pending:
    return Pending(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        verifier=secrets.token_urlsafe(48),
        next=next_path,
        expires=int((now + PENDING_FOR).timestamp()),
    )


def code_challenge(verifier: str) -> str:
    """PKCE S256 (RFC 7636 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def authorization_url(
    provider: Provider, config: OidcConfig, pending: Pending, redirect_uri: str
) -> str:
    query = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(config.scopes),
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": code_challenge(pending.verifier),
        "code_challenge_method": "S256",
    }
    separator = "&" if "?" in provider.authorization_endpoint else "?"
    return provider.authorization_endpoint + separator + urlencode(query)


def seal(key: bytes, pending: Pending) -> str:
    """The cookie value: the pending sign-in and a signature, so the browser cannot alter it."""
    body = base64.urlsafe_b64encode(json.dumps(pending.__dict__).encode()).decode().rstrip("=")
    return f"{body}.{signing.sign(key, _PURPOSE, body)}"


def unseal(key: bytes, cookie: str | None, state: str, *, now: datetime) -> Pending:
    """The pending sign-in this callback answers, if the cookie is ours, fresh and for `state`."""
    expired = OidcRefused("Sign-in expired, try again.")
    if not cookie or len(cookie) > 2000 or "." not in cookie:
        raise expired
    body, signature = cookie.rsplit(".", 1)
    if not signing.verify(key, _PURPOSE, body, signature):
        raise expired
    try:
        fields = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        pending = Pending(**fields)
    except (ValueError, TypeError):
        raise expired from None
    if pending.expires <= now.timestamp():
        raise expired
    if not state or not secrets.compare_digest(pending.state.encode(), state.encode()):
        raise expired
    return pending


def token_auth_method(provider: Provider) -> str:
    """client_secret_basic unless the provider only takes the secret in the form."""
    if "client_secret_basic" in provider.token_auth_methods:
        return "client_secret_basic"
    if "client_secret_post" in provider.token_auth_methods:
        return "client_secret_post"
    raise OidcRefused(
        "the provider accepts neither client_secret_basic nor client_secret_post", status=502
    )


def verify_id_token(
    id_token: str,
    *,
    jwks: Any,
    provider: Provider,
    client_id: str,
    client_secret: str,
    nonce: str,
    now: datetime,
) -> dict[str, Any]:
    """The claims of a token signed by the provider's keys, for us, now, for this sign-in.

    Asymmetric algorithms only; HS256 (signed with the client secret) only when the provider
    offers nothing else. `none` never."""
    offered = [alg for alg in provider.id_token_algs if alg in ASYMMETRIC]
    try:
        if offered:
            key: KeySet | OctKey = KeySet.import_key_set(jwks)
            algorithms = offered
        elif "HS256" in provider.id_token_algs and client_secret:
            key, algorithms = OctKey.import_key(client_secret), ["HS256"]
        else:
            raise OidcRefused("the provider signs ID tokens with no algorithm firehouse accepts")
        token = jwt.decode(id_token, key, algorithms=algorithms)
    except OidcRefused as refused:
        raise OidcRefused(refused.message, status=502) from None
    except JoseError:
        raise OidcRefused("the ID token's signature does not verify", status=502) from None
    except Exception:  # noqa: BLE001 - whatever a malformed key set or token makes joserfc raise
        raise OidcRefused(
            "the ID token or the provider's keys are unreadable", status=502
        ) from None
    claims = dict(token.claims)
    _check_claims(claims, provider=provider, client_id=client_id, nonce=nonce, now=now)
    return claims


def _check_claims(
    claims: dict[str, Any], *, provider: Provider, client_id: str, nonce: str, now: datetime
) -> None:
    def refuse(reason: str) -> OidcRefused:
        return OidcRefused(f"the ID token {reason}", status=502)

    if claims.get("iss") != provider.issuer:
        raise refuse("comes from another issuer")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise refuse("is meant for another client")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise refuse("is meant for another client")
    moment = now.timestamp()
    expires, issued = claims.get("exp"), claims.get("iat")
    if not isinstance(expires, int | float) or not isinstance(issued, int | float):
        raise refuse("lacks exp or iat")
    if expires + LEEWAY_SECONDS <= moment:
        raise refuse("has expired")
    if issued - LEEWAY_SECONDS > moment:
        raise refuse("was issued in the future")
    sent = claims.get("nonce")
    if not isinstance(sent, str) or not secrets.compare_digest(sent.encode(), nonce.encode()):
        raise refuse("was not issued for this sign-in")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise refuse("names no subject")


class ProviderClient(Protocol):
    """The HTTP side (firehouse.integrations.oidc); every failure is an OidcRefused."""

    def discover(self, issuer: str) -> Provider: ...

    def keys(self, provider: Provider) -> Any: ...

    def exchange(
        self,
        provider: Provider,
        *,
        code: str,
        verifier: str,
        redirect_uri: str,
        client_id: str,
        client_secret: str,
    ) -> dict[str, Any]: ...


def verified_identity(
    client: ProviderClient,
    config: OidcConfig,
    pending: Pending,
    *,
    code: str,
    redirect_uri: str,
    client_secret: str,
    now: datetime,
) -> Identity:
    """The callback's work after the state check: code for tokens, token checked, claims read."""
    provider = client.discover(config.issuer)
    answer = client.exchange(
        provider,
        code=code,
        verifier=pending.verifier,
        redirect_uri=redirect_uri,
        client_id=config.client_id,
        client_secret=client_secret,
    )
    claims = verify_id_token(
        answer["id_token"],
        jwks=client.keys(provider),
        provider=provider,
        client_id=config.client_id,
        client_secret=client_secret,
        nonce=pending.nonce,
        now=now,
    )
    return identity_of(claims, config)


@dataclass(frozen=True)
class Identity:
    """Who the provider vouches for, in firehouse's terms."""

    username: str
    name: str
    email: str | None
    role: AccessRole


def identity_of(claims: dict[str, Any], config: OidcConfig) -> Identity:
    raw = claims.get(config.username_claim)
    if not isinstance(raw, str) or not raw.strip():
        raise OidcRefused(
            f"The provider sent no '{config.username_claim}' claim, so firehouse cannot "
            "tell which account this is. Ask an administrator."
        )
    username = raw.strip().lower()
    name = claims.get("name")
    display = name.strip()[:200] if isinstance(name, str) and name.strip() else username
    email = claims.get("email")
    verified = claims.get("email_verified") is not False
    found = email.strip() if isinstance(email, str) and verified and email.strip() else None
    return Identity(username=username, name=display, email=found, role=_role(claims, config))


def _role(claims: dict[str, Any], config: OidcConfig) -> AccessRole:
    groups: set[str] = set()
    if config.roles_claim is not None:
        value = claims.get(config.roles_claim)
        if isinstance(value, str):
            groups = {value}
        elif isinstance(value, list):
            groups = {item for item in value if isinstance(item, str)}
    granted = [AccessRole(role) for role, names in config.roles.items() if groups & set(names)]
    for role in (AccessRole.ADMIN, AccessRole.RESPONDER, AccessRole.VIEWER):
        if role in granted:
            return role
    if config.default_role == "none":
        raise OidcRefused(
            "Your account at the sign-in provider is in no group that may use firehouse. "
            "Ask an administrator for access.",
            status=403,
        )
    return AccessRole(config.default_role)
