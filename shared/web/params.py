"""Request parameters and answers that every service's create endpoints share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="retrying with the same key returns what the first request created",
    ),
]


def answer_created(response: Response, location: str, *, created: bool) -> None:
    """201 with its Location for a new resource; 200 when an idempotent retry found it."""
    response.status_code = 201 if created else 200
    response.headers["Location"] = location
