"""An OpenID provider on 127.0.0.1: discovery, JWKS, an authorization endpoint that signs in
whoever the test names at once, and a token endpoint that checks PKCE and the client secret.

It misbehaves on cue: `fail_next("token", status=500)`, `token_delay` (a timeout), and
`tamper` to issue a bad ID token (another key, wrong aud or iss, expired, another nonce,
alg none).

    with OidcProvider(now=api.clock.now) as idp:
        idp.user = {"preferred_username": "erin", "groups": ["oncall"]}
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.fakes.loopback import Fault, Faults, JsonApiHandler, LoopbackServer

CLIENT_ID = "firehouse"
CLIENT_SECRET = "emulator-client-secret-0123456789"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class OidcProvider(LoopbackServer):
    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.key = RSAKey.generate_key(2048, parameters={"kid": "good"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "good"})
        self.user: dict[str, Any] = {"preferred_username": "erin", "sub": "u-erin"}
        self.tamper: str | None = None
        self.token_delay = 0.0
        self.auth_methods = ["client_secret_basic", "client_secret_post"]
        self.faults = Faults()
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, str]] = []
        self._lock = threading.Lock()
        provider = self

        class Handler(JsonApiHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server names it
                provider._get(self)

            def do_POST(self) -> None:  # noqa: N802 - http.server names it
                provider._post(self)

        self._serve(ThreadingHTTPServer(("127.0.0.1", 0), Handler))

    def fail_next(self, route: str, *, status: int, times: int = 1) -> None:
        self.faults.add(route, Fault(status=status), times)

    def config(self, **overrides: Any) -> dict[str, Any]:
        """The `web.oidc` setting pointing here, as apply stores it."""
        return {"issuer": self.origin, "client_id": CLIENT_ID, "allow_http": True, **overrides}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.origin,
            "authorization_endpoint": f"{self.origin}/authorize",
            "token_endpoint": f"{self.origin}/token",
            "jwks_uri": f"{self.origin}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": self.auth_methods,
            "code_challenge_methods_supported": ["S256"],
        }

    def _get(self, handler: JsonApiHandler) -> None:
        url = urlsplit(handler.path)
        if url.path == "/.well-known/openid-configuration":
            handler.send_json(200, self.discovery())
        elif url.path == "/jwks":
            handler.send_json(200, {"keys": [self.key.as_dict(private=False)]})
        elif url.path == "/authorize":
            self._authorize(handler, {k: v[-1] for k, v in parse_qs(url.query).items()})
        else:
            handler.send_json(404, {"error": "not_found"})

    def _authorize(self, handler: JsonApiHandler, query: dict[str, str]) -> None:
        if query.get("client_id") != CLIENT_ID or query.get("code_challenge_method") != "S256":
            handler.send_json(400, {"error": "invalid_request"})
            return
        code = secrets.token_urlsafe(16)
        with self._lock:
            self.codes[code] = {**query, "user": dict(self.user)}
        location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _post(self, handler: JsonApiHandler) -> None:
        length = int(handler.headers.get("Content-Length", "0"))
        form = dict(parse_qsl(handler.rfile.read(length).decode()))
        with self._lock:
            self.token_requests.append(form)
        fault = self.faults.take("token")
        if self.token_delay:
            time.sleep(self.token_delay)
        if fault is not None and fault.status is not None:
            handler.send_json(fault.status, {"error": "server_error"})
            return
        if not self._client_ok(handler, form):
            handler.send_json(401, {"error": "invalid_client"})
            return
        with self._lock:
            grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            handler.send_json(400, {"error": "invalid_grant"})
            return
        challenge = _b64(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
        if challenge != grant["code_challenge"]:
            handler.send_json(400, {"error": "invalid_grant"})
            return
        handler.send_json(
            200, {"access_token": "at", "token_type": "Bearer", "id_token": self._id_token(grant)}
        )

    def _client_ok(self, handler: JsonApiHandler, form: dict[str, str]) -> bool:
        header = handler.headers.get("Authorization", "")
        if header.startswith("Basic ") and "client_secret_basic" in self.auth_methods:
            return base64.b64decode(header[6:]).decode() == f"{CLIENT_ID}:{CLIENT_SECRET}"
        return form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET

    def _id_token(self, grant: dict[str, Any]) -> str:
        issued = int(self.now().timestamp())
        claims = {
            "iss": self.origin,
            "sub": "subject-1",
            "aud": CLIENT_ID,
            "iat": issued,
            "exp": issued + 300,
            "nonce": grant.get("nonce"),
            **grant["user"],
        }
        key = self.key
        if self.tamper == "other_key":
            key = self.other_key
        elif self.tamper == "audience":
            claims["aud"] = "someone-else"
        elif self.tamper == "issuer":
            claims["iss"] = "https://evil.example"
        elif self.tamper == "expired":
            claims |= {"iat": issued - 3600, "exp": issued - 1800}
        elif self.tamper == "nonce":
            claims["nonce"] = "another-nonce"
        elif self.tamper == "alg_none":
            header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
            return f"{header}.{_b64(json.dumps(claims).encode())}."
        return jwt.encode({"alg": "RS256", "kid": "good"}, claims, key)
