"""Access roles, ordered: each one may do everything the one before it may."""

from __future__ import annotations

from enum import StrEnum


class AccessRole(StrEnum):
    VIEWER = "viewer"
    RESPONDER = "responder"
    ADMIN = "admin"

    def allows(self, needed: AccessRole) -> bool:
        order = list(AccessRole)
        return order.index(self) >= order.index(needed)
