"""Occasion use cases: declare (八必访 1, 2, 4), issue a policy (3), the festival calendar (8).

Events: a policy publishes `PolicyIssuedV1` (topic members.policy) and nothing else; every other
occasion publishes `OccasionDeclaredV1` (topic members.occasion). One fact, one event: a policy
is both an occasion and a notice that notifications also announce, so consumers that open
obligations (visits) read both topics, and nobody sees the same policy twice. Both carry the
occasion id, which a policy shares with its row in the occasion table.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.members import events
from services.members.domain import occasions as domain
from services.members.domain.access import REGISTRARS
from services.members.domain.occasions import Declaration, Occasion
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.db.idempotency import IdempotentRequest, create_once
from shared.errors import Forbidden, InvalidInput
from shared.kernel import Clock, new_id


@dataclass(frozen=True)
class DeclareOccasion:
    """Nos. 1, 2 and 4, or a policy (no. 3): the declaration says which."""

    declaration: Declaration


@dataclass(frozen=True)
class DeclareDueFestivals:
    """One pass of the festival calendar: what falls due within `lead_days`."""

    lead_days: int
    # The deployment's province (the `deployment_region` setting): festivals concern all of it.
    province: str


def _require_declarer(principal: Principal, region_codes: tuple[str, ...]) -> None:
    """The offices declare for their own area; province-wide (230000) is the province's."""
    if principal.role not in REGISTRARS:
        raise Forbidden(f"role {principal.role.value} may not declare occasions")
    outside = sorted(c for c in region_codes if not principal.can_see_region(c))
    if outside:
        raise Forbidden(f"outside your scope: {', '.join(outside)}")


async def _check_references(uow: MembersUnitOfWork, occasion: Occasion) -> None:
    sectors = await uow.occasions.unknown_sectors(occasion.sector_codes)
    if sectors:
        raise InvalidInput(f"unknown sector_codes: {', '.join(sectors)}")
    regions = await uow.occasions.unknown_regions(occasion.region_codes)
    if regions:
        raise InvalidInput(f"unknown region_codes: {', '.join(regions)}")


async def declare_occasion(
    cmd: DeclareOccasion,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    clock: Clock,
    idempotency_key: str | None = None,
) -> tuple[Occasion, bool]:
    """Declares 1-4 (a policy too); returns the occasion and whether it was declared now."""
    _require_declarer(principal, cmd.declaration.region_codes)

    async def create() -> Occasion:
        occasion = domain.declare(new_id(), cmd.declaration, by=principal.subject, at=clock.now())
        await _check_references(uow, occasion)
        await uow.occasions.add(occasion)
        uow.record(events.occasion_declared(occasion))
        return occasion

    async def earlier(occasion_id: UUID) -> Occasion | None:
        return await uow.occasions.get_in_scope(occasion_id, principal.region_code)

    async with uow:
        occasion, created = await create_once(
            uow.idempotency,
            IdempotentRequest.of(
                principal.subject, idempotency_key, {"occasion": cmd.declaration.__dict__}
            ),
            create=create,
            earlier=earlier,
            id_of=lambda o: o.id,
            not_found="occasion not found",
        )
        await uow.commit()
    return occasion, created


async def declare_due_festivals(
    cmd: DeclareDueFestivals, *, uow: MembersUnitOfWork, clock: Clock
) -> list[Occasion]:
    """One pass of the festival calendar (八必访 no. 8): declares what falls due, once.

    Safe in every replica and across restarts: the festival key is unique, so of concurrent
    passes exactly one inserts each festival-year and only that one publishes. Each festival
    commits on its own, so one that fails leaves the others declared.
    """
    now = clock.now()
    async with uow:
        calendar = await uow.occasions.festival_calendar()
    due = domain.due_festivals(calendar, domain.local_date(now), cmd.lead_days)
    declared = []
    for festival, occurs_on in due:
        occasion = domain.festival_occasion(
            new_id(), festival, occurs_on, at=now, province=cmd.province
        )
        async with uow:
            if await uow.occasions.add_festival(occasion):
                uow.record(events.occasion_declared(occasion))
                await uow.commit()
                declared.append(occasion)
    return declared
