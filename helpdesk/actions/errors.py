from __future__ import annotations


class ActionError(Exception):
    """Base of the errors actions raise; `status` is the HTTP status an API maps it to."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ActionError):
    """The object does not exist, or the actor may not read it (we do not say which)."""

    status = 404


class Forbidden(ActionError):
    """The actor may read the object but not do this to it."""

    status = 403


class Conflict(ActionError):
    """Someone else changed the ticket since the actor loaded it."""

    status = 409


class Invalid(ActionError):
    status = 422
