"""Errors use cases raise; the web layer turns each into its problem+json status."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    title = "Bad Request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(DomainError):
    status = 422
    title = "Unprocessable Content"


class NotFound(DomainError):
    """Also what a caller gets for anything outside their scope: never a hint that it exists."""

    status = 404
    title = "Not Found"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
