"""Who may use the admin pages: administrators only, and every change carries the form's
CSRF token. Shared by the admin routers so each route states its need in one word."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from firehouse.auth.roles import AccessRole
from firehouse.auth.web_sessions import SignedIn
from firehouse.web.deps import CsrfUser, require_role

_admin_only = require_role(AccessRole.ADMIN)


def admin_change(user: CsrfUser) -> SignedIn:
    """The CSRF check runs first (as a dependency), then the role: both refusals are 403."""
    return _admin_only(user)


AdminChange = Annotated[SignedIn, Depends(admin_change)]

ROLES = tuple(role.value for role in AccessRole)
