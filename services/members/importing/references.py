"""Looking up what rows refer to (regions, sectors, committees, members) and saying why not.

A reference outside the caller's scope reads exactly like one that does not exist, so a file
cannot be used to find out what other cities hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from services.members.importing.base import fetch_many

OUT_OF_SCOPE = "outside your region scope"
UNKNOWN_REGION = "unknown region code"
TAKEN = "already used by a record outside your region scope"
NO_MEMBER = "no such member in your region scope"
RETIRED = "the member has retired"


@dataclass(frozen=True, slots=True)
class MemberRef:
    id: UUID
    region_code: str
    sector_code: str
    status: str


async def regions(conn: asyncpg.Connection, codes: Iterable[str]) -> dict[str, str]:
    """code → level, for the codes that exist."""
    rows = await conn.fetch(
        "SELECT code, level FROM region WHERE code = ANY($1::text[])", sorted(set(codes))
    )
    return {r["code"]: r["level"] for r in rows}


async def sectors(conn: asyncpg.Connection) -> set[str]:
    return {r["code"] for r in await conn.fetch("SELECT code FROM sector")}


async def committees(conn: asyncpg.Connection, codes: Iterable[str]) -> dict[str, str]:
    """code → region code."""
    rows = await conn.fetch(
        "SELECT code, region_code FROM committee WHERE code = ANY($1::text[])", sorted(set(codes))
    )
    return {r["code"]: r["region_code"] for r in rows}


async def special_committees(
    conn: asyncpg.Connection, codes: Iterable[str]
) -> dict[str, tuple[str, str]]:
    """code → (its committee's code, that committee's region code)."""
    rows = await conn.fetch(
        """SELECT s.code, s.committee_code, c.region_code FROM special_committee s
           JOIN committee c ON c.code = s.committee_code WHERE s.code = ANY($1::text[])""",
        sorted(set(codes)),
    )
    return {r["code"]: (r["committee_code"], r["region_code"]) for r in rows}


async def members(conn: asyncpg.Connection, external_ids: Iterable[str]) -> dict[str, MemberRef]:
    rows = await fetch_many(
        conn,
        """SELECT external_id, id, region_code, sector_code, status FROM member
           WHERE external_id = ANY($1::text[])""",
        sorted(set(external_ids)),
    )
    return {
        r["external_id"]: MemberRef(r["id"], r["region_code"], r["sector_code"], r["status"])
        for r in rows
    }
