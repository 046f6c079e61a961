"""Errors every service raises; the HTTP entrypoint maps them to status codes."""


class OtgError(Exception):
    """`fields` maps field names to messages, like marshmallow's errors."""
    status = 500

    def __init__(self, message, fields=None):
        super().__init__(message)
        self.fields = fields or {}


class BadRequest(OtgError):
    status = 400


class Unauthorized(OtgError):
    status = 401


class Forbidden(OtgError):
    status = 403


class NotFound(OtgError):
    status = 404


class Conflict(OtgError):
    """409: the command does not fit the current state."""
    status = 409


class ConcurrencyError(Conflict):
    """A stream moved on since it was loaded (optimistic concurrency)."""
