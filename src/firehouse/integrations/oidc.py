"""Talking to the OpenID provider over HTTP: discovery (kept for an hour per process), its
keys, and the code exchange. Every failure becomes an `OidcRefused` with status 502 and a
reason that never quotes the code, the tokens or the client secret."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

from firehouse.auth.oidc import OidcRefused, Provider, parse_discovery, token_auth_method

DISCOVERY_TTL_SECONDS = 3600.0


class HttpOidcClient:
    def __init__(self, *, timeout: float = 10.0) -> None:
        self.timeout = timeout
        # One connection pool for the process: building a TLS context per call costs more
        # than the calls themselves.
        self._http = httpx.Client(timeout=timeout, follow_redirects=False)
        self._discovered: dict[str, tuple[float, Provider]] = {}
        self._lock = threading.Lock()

    def discover(self, issuer: str) -> Provider:
        with self._lock:
            cached = self._discovered.get(issuer)
        if cached is not None and time.monotonic() - cached[0] < DISCOVERY_TTL_SECONDS:
            return cached[1]
        document = self._get_json(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
        provider = parse_discovery(document, issuer)
        with self._lock:
            self._discovered[issuer] = (time.monotonic(), provider)
        return provider

    def keys(self, provider: Provider) -> Any:
        """Fetched per sign-in, so a provider's key rotation needs no restart here."""
        return self._get_json(provider.jwks_uri)

    def exchange(
        self,
        provider: Provider,
        *,
        code: str,
        verifier: str,
        redirect_uri: str,
        client_id: str,
        client_secret: str,
    ) -> dict[str, Any]:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        auth: httpx.BasicAuth | None = None
        if token_auth_method(provider) == "client_secret_basic":
            auth = httpx.BasicAuth(client_id, client_secret)
        else:
            form |= {"client_id": client_id, "client_secret": client_secret}
        answer = self._request("POST", provider.token_endpoint, data=form, auth=auth)
        if not isinstance(answer, dict) or not isinstance(answer.get("id_token"), str):
            raise OidcRefused("the provider's token answer holds no ID token", status=502)
        return answer

    def _get_json(self, url: str) -> Any:
        return self._request("GET", url)

    def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(
                method, url, headers={"Accept": "application/json"}, **kwargs
            )
        except httpx.TimeoutException:
            raise OidcRefused("the sign-in provider did not answer in time", status=502) from None
        except httpx.HTTPError:
            raise OidcRefused("the sign-in provider could not be reached", status=502) from None
        if response.status_code >= 400:
            raise OidcRefused(
                f"the sign-in provider refused the request (HTTP {response.status_code})",
                status=502,
            )
        try:
            return response.json()
        except ValueError:
            raise OidcRefused(
                "the sign-in provider answered something other than JSON", status=502
            ) from None
