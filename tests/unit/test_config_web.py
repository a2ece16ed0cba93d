"""The `web:` section of firehouse.yaml: each mistake reported at its path."""

from __future__ import annotations

import textwrap

from firehouse.catalog.config import parse_config

BASE = "organisation:\n  name: Acme\n"


def problems_of(web: str) -> list[str]:
    _config, problems = parse_config(BASE + textwrap.dedent(web))
    return [str(problem) for problem in problems]


def test_a_complete_oidc_section_is_accepted() -> None:
    config, problems = parse_config(
        BASE
        + textwrap.dedent("""
        web:
          oidc:
            issuer: https://login.example.com/realms/acme/
            client_id: firehouse
            roles_claim: groups
            roles:
              admin: [sre-leads]
            default_role: none
        """)
    )
    assert problems == []
    assert config is not None
    assert config.web is not None
    assert config.web.oidc is not None
    assert config.web.oidc.issuer == "https://login.example.com/realms/acme"
    assert config.web.oidc.scopes == ["openid", "email", "profile"]


def test_an_http_issuer_needs_allow_http() -> None:
    found = problems_of("web:\n  oidc:\n    issuer: http://login.example.com\n    client_id: f\n")
    assert found == [
        "web.oidc.issuer: must use https (allow_http: true is only for a test provider)"
    ]


def test_an_http_issuer_is_accepted_with_allow_http() -> None:
    yaml = (
        "web:\n  oidc:\n    issuer: http://127.0.0.1:9000\n    client_id: f\n    allow_http: true\n"
    )
    assert problems_of(yaml) == []


def test_the_client_id_must_not_be_empty() -> None:
    found = problems_of("web:\n  oidc:\n    issuer: https://idp.example\n    client_id: ''\n")
    assert found == ["web.oidc.client_id: must not be empty"]


def test_scopes_must_include_openid() -> None:
    yaml = "web:\n  oidc:\n    issuer: https://idp.example\n    client_id: f\n    scopes: [email]\n"
    assert problems_of(yaml) == ["web.oidc.scopes: must include openid"]


def test_roles_keys_must_be_firehouse_roles() -> None:
    yaml = (
        "web:\n  oidc:\n    issuer: https://idp.example\n    client_id: f\n"
        "    roles:\n      owner: [root]\n"
    )
    [problem] = problems_of(yaml)
    assert problem.startswith("web.oidc.roles.owner: 'owner' is not one of")


def test_default_role_must_be_a_role_or_none() -> None:
    yaml = (
        "web:\n  oidc:\n    issuer: https://idp.example\n    client_id: f\n"
        "    default_role: superuser\n"
    )
    [problem] = problems_of(yaml)
    assert problem.startswith("web.oidc.default_role: expected one of")


def test_a_client_secret_in_the_file_is_refused() -> None:
    yaml = (
        "web:\n  oidc:\n    issuer: https://idp.example\n    client_id: f\n"
        "    client_secret: hunter2\n"
    )
    [problem] = problems_of(yaml)
    assert problem.startswith("web.oidc.client_secret: unknown key")
