"""Turning a violated database constraint into the clear 4xx the client should see."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import asyncpg

from shared.errors import Conflict, InvalidInput


@contextmanager
def explain_violations(messages: Mapping[str, str]) -> Iterator[None]:
    """`messages` maps constraint names to what the client did wrong.

    Unknown references and failed checks are 422; duplicates are 409. A constraint not in the
    map is a bug, not bad input, and propagates as the 500 it is.
    """
    try:
        yield
    except (asyncpg.ForeignKeyViolationError, asyncpg.CheckViolationError) as exc:
        name = exc.constraint_name or ""
        if name not in messages:
            raise
        raise InvalidInput(messages[name]) from None
    except asyncpg.UniqueViolationError as exc:
        name = exc.constraint_name or ""
        if name not in messages:
            raise
        raise Conflict(messages[name]) from None
