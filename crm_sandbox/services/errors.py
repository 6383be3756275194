"""Errors a service raises when it refuses an action; the message is shown to the user."""


class ServiceError(Exception):
    """An action refused for a reason the user can act on (the message says which)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ServiceError):
    """The object does not exist, or is not visible to the one asking."""
