"""Members SQL: liaisons and their circumstance reports.

Personal data is sealed here, on its way in and out: each value is encrypted bound to its row
and column, and only the masked name and phone are stored in clear (for lists and exports).
Row-level security scopes every statement by region; the queries scope themselves as well.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from services.members.domain.liaisons import (
    Circumstance,
    Liaison,
    LiaisonStatus,
    PersonalData,
)
from services.members.domain.masking import mask_name, mask_phone
from services.members.pii import PiiCipher
from shared.db.constraints import explain_violations
from shared.regions import scope_prefix

COLUMNS = (
    "id, member_id, region_code, external_id, name_enc, phone_enc, workplace_enc, "
    "id_number_enc, consent_to_departments, status, linked_at, unlinked_at, updated_at"
)
VIOLATIONS = {
    "liaison_member_fk": "unknown member",
    "liaison_external_id_key": "external_id is already used by another liaison",
}


class LiaisonRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def count_linked(self, member_id: UUID) -> int:
        """Liaisons currently linked to the member (row-level security applies)."""
        count: int = await self._conn.fetchval(
            "SELECT count(*) FROM liaison WHERE member_id = $1 AND status = 'linked'", member_id
        )
        return count

    async def add(self, liaison: Liaison, cipher: PiiCipher) -> None:
        with explain_violations(VIOLATIONS):
            await self._conn.execute(
                """INSERT INTO liaison (id, member_id, region_code, external_id, name_enc,
                       phone_enc, workplace_enc, id_number_enc, consent_to_departments, status,
                       linked_at, unlinked_at, updated_at, name_masked, phone_masked)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)""",
                *_values(liaison, cipher),
            )

    async def save(self, liaison: Liaison, cipher: PiiCipher) -> None:
        """Writes the whole row back; every sealed value gets a fresh nonce."""
        with explain_violations(VIOLATIONS):
            await self._conn.execute(
                """UPDATE liaison SET member_id = $2, region_code = $3, external_id = $4,
                       name_enc = $5, phone_enc = $6, workplace_enc = $7, id_number_enc = $8,
                       consent_to_departments = $9, status = $10, linked_at = $11,
                       unlinked_at = $12, updated_at = $13, name_masked = $14,
                       phone_masked = $15
                   WHERE id = $1""",
                *_values(liaison, cipher),
            )

    async def get(
        self, liaison_id: UUID, scope: str, cipher: PiiCipher, *, lock: bool = False
    ) -> Liaison | None:
        row = await self._conn.fetchrow(
            f"SELECT {COLUMNS} FROM liaison WHERE id = $1 AND region_code LIKE $2 || '%'"
            + (" FOR UPDATE" if lock else ""),
            liaison_id,
            scope_prefix(scope),
        )
        return from_row(row, cipher) if row else None

    async def add_circumstance(self, c: Circumstance) -> None:
        await self._conn.execute(
            """INSERT INTO liaison_circumstance
                   (id, liaison_id, member_id, kind, summary, reported_at, reported_by)
               VALUES ($1, $2, $3, $4, $5, $6, $7)""",
            c.id,
            c.liaison_id,
            c.member_id,
            c.kind,
            c.summary,
            c.reported_at,
            c.reported_by,
        )


def _values(liaison: Liaison, cipher: PiiCipher) -> tuple[object, ...]:
    p = liaison.personal

    def seal(field: str, value: str | None) -> bytes | None:
        return None if value is None else cipher.encrypt(liaison.id, field, value)

    return (
        liaison.id,
        liaison.member_id,
        liaison.region_code,
        liaison.external_id,
        seal("name", p.name),
        seal("phone", p.phone),
        seal("workplace", p.workplace),
        seal("id_number", p.id_number),
        liaison.consent_to_departments,
        liaison.status.value,
        liaison.linked_at,
        liaison.unlinked_at,
        liaison.updated_at,
        mask_name(p.name),
        mask_phone(p.phone),
    )


def from_row(row: asyncpg.Record, cipher: PiiCipher) -> Liaison:
    liaison_id: UUID = row["id"]

    def unseal(field: str) -> str | None:
        blob: bytes | None = row[f"{field}_enc"]
        return None if blob is None else cipher.decrypt(liaison_id, field, blob)

    return Liaison(
        id=liaison_id,
        member_id=row["member_id"],
        region_code=row["region_code"],
        personal=PersonalData(
            name=unseal("name") or "",
            phone=unseal("phone") or "",
            workplace=unseal("workplace"),
            id_number=unseal("id_number"),
        ),
        consent_to_departments=row["consent_to_departments"],
        status=LiaisonStatus(row["status"]),
        linked_at=row["linked_at"],
        external_id=row["external_id"],
        unlinked_at=row["unlinked_at"],
        updated_at=row["updated_at"],
    )
