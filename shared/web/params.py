"""Request parameters and answers that every service's endpoints share: days within a sane
window (the schema says so, the server checks the same), idempotency keys, created answers."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import Header, Response
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

# Every day a client may name: wide enough for any record the programme keeps, narrow enough
# that no range built from it overflows a date or inverts in the database.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
# Exactly the calendar days of 2000-2099 as YYYY-MM-DD (every 4th year is a leap year there,
# 2000 included), so the schema refuses what the server refuses and nothing else.
DAY_PATTERN = (
    r"^(?:20\d\d-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))"
    r"|20(?:[02468][048]|[13579][26])-02-29)$"
)
_DAY = re.compile(DAY_PATTERN)
_DAY_RULE = f"a day from {FIRST_DAY} to {LAST_DAY}, written YYYY-MM-DD"


def _written_as_a_day(value: object) -> object:
    # Lax parsing would take `0` for 1970-01-01 and `2026-1-1` for a day: only ISO days pass.
    if isinstance(value, date) or (isinstance(value, str) and _DAY.fullmatch(value)):
        return value
    raise ValueError(f"not {_DAY_RULE}")


def _within_window(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"not {_DAY_RULE}")
    return day


Day = Annotated[
    date,
    BeforeValidator(_written_as_a_day),
    AfterValidator(_within_window),
    WithJsonSchema(
        {"type": "string", "format": "date", "pattern": DAY_PATTERN, "description": _DAY_RULE}
    ),
]
"""A calendar day in a query parameter or body: ISO 8601, within FIRST_DAY..LAST_DAY."""

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


def _without_null(schema: dict[str, Any]) -> None:
    """`X | None` documented as X: the field may be left out, but not sent as null."""
    kinds = schema.pop("anyOf", None)
    if kinds is not None:
        (kind,) = [k for k in kinds if k != {"type": "null"}]
        schema.update(kind)
    schema.pop("default", None)


NotClearable = Field(
    default=None,
    json_schema_extra=_without_null,
    description="left out: unchanged; it cannot be cleared (null is refused)",
)
"""The default of an optional PATCH field that may change but not be cleared (the model's own
validator refuses null; this makes the document say so too)."""
