"""Domain errors. Surfaces translate them: the API into 4xx bodies, the CLI into one line."""

from __future__ import annotations


class DomainError(Exception):
    """A request the rules refuse. `field` names the input at fault, when there is one."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The change is not allowed from the current state, or the state moved underneath it."""

    status = 409


class Unavailable(DomainError):
    """A transient condition (database busy); the caller should retry."""

    status = 503
