"""Reads of occasions: those that concern the caller's area (province-wide ones concern all)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from services.members.domain.access import OCCASION_READERS
from services.members.domain.occasions import Occasion
from services.members.repository.occasions import COLUMNS, CONCERNS_SCOPE, from_row
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.errors import Forbidden, NotFound
from shared.regions import scope_prefix


async def get_occasion(
    occasion_id: UUID, *, principal: Principal, uow: MembersUnitOfWork
) -> Occasion:
    if principal.role not in OCCASION_READERS:
        raise NotFound("occasion not found")
    async with uow:
        occasion = await uow.occasions.get_in_scope(occasion_id, principal.region_code)
    if occasion is None:
        raise NotFound("occasion not found")
    return occasion


async def list_occasions(
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    kind: str | None,
    sector_code: str | None,
    from_date: date | None,
    to_date: date | None,
    after: UUID | None,
    limit: int,
) -> list[Occasion]:
    if principal.role not in OCCASION_READERS:
        raise Forbidden(f"role {principal.role.value} may not list occasions")
    async with uow:
        rows = await uow.connection.fetch(
            f"""SELECT {COLUMNS} FROM occasion
                WHERE {CONCERNS_SCOPE}
                  AND ($3::text IS NULL OR kind = $3)
                  AND ($4::text IS NULL OR $4 = ANY(sector_codes))
                  AND ($5::date IS NULL OR occurs_on >= $5)
                  AND ($6::date IS NULL OR occurs_on <= $6)
                  AND ($7::uuid IS NULL OR id > $7)
                ORDER BY id LIMIT $8""",
            scope_prefix(principal.region_code),
            principal.region_code,
            kind,
            sector_code,
            from_date,
            to_date,
            after,
            limit,
        )
    return [from_row(r) for r in rows]
