"""Occasion use cases: declare (八必访 1, 2, 4), issue a policy (3), the festival calendar (8).

Events: a policy publishes `PolicyIssuedV1` (topic members.policy) and nothing else; every other
occasion publishes `OccasionDeclaredV1` (topic members.occasion). One fact, one event: a policy
is both an occasion and a notice that notifications also announce, so consumers that open
obligations (visits) read both topics, and nobody sees the same policy twice. Both carry the
occasion id, which a policy shares with its row in the occasion table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import cast
from uuid import UUID

from services.members.domain import occasions as domain
from services.members.domain.occasions import Declaration, Occasion, OccasionKind
from services.members.handlers.access import REGISTRARS
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import STAFF_ROLES, Principal, Role
from shared.contracts import members as contracts
from shared.contracts.base import IntegrationEvent
from shared.db.idempotency import request_fingerprint
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.kernel import Clock, new_id

UowFactory = Callable[[], MembersUnitOfWork]
READERS = STAFF_ROLES | {Role.MEMBER}


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
    declaration: Declaration,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    clock: Clock,
    idempotency_key: str | None = None,
) -> tuple[Occasion, bool]:
    """Declares 1-4 (a policy too); returns the occasion and whether it was declared now."""
    _require_declarer(principal, declaration.region_codes)
    async with uow:
        if idempotency_key:
            fingerprint = request_fingerprint({"occasion": declaration.__dict__})
            earlier = await uow.idempotency.claim(principal.subject, idempotency_key, fingerprint)
            if earlier is not None:
                return await _get(uow, principal, UUID(earlier)), False
        occasion = domain.declare(new_id(), declaration, by=principal.subject, at=clock.now())
        await _check_references(uow, occasion)
        await uow.occasions.add(occasion)
        if idempotency_key:
            await uow.idempotency.remember(principal.subject, idempotency_key, str(occasion.id))
        uow.record(_event(occasion))
        await uow.commit()
    return occasion, True


async def _get(uow: MembersUnitOfWork, principal: Principal, occasion_id: UUID) -> Occasion:
    occasion = await uow.occasions.get_in_scope(occasion_id, principal.region_code)
    if occasion is None:
        raise NotFound("occasion not found")
    return occasion


async def get_occasion(
    occasion_id: UUID, *, principal: Principal, uow: MembersUnitOfWork
) -> Occasion:
    if principal.role not in READERS:
        raise NotFound("occasion not found")
    async with uow:
        return await _get(uow, principal, occasion_id)


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
    """Occasions that concern the caller's area (province-wide ones concern every area)."""
    if principal.role not in READERS:
        raise Forbidden(f"role {principal.role.value} may not list occasions")
    async with uow:
        return await uow.occasions.list_in_scope(
            principal.region_code,
            kind=kind,
            sector_code=sector_code,
            from_date=from_date,
            to_date=to_date,
            after=after,
            limit=limit,
        )


async def declare_due_festivals(
    uow_factory: UowFactory, clock: Clock, lead_days: int
) -> list[Occasion]:
    """One pass of the festival calendar (八必访 no. 8): declares what falls due, once.

    Safe in every replica and across restarts: the festival key is unique, so of concurrent
    passes exactly one inserts each festival-year and only that one publishes.
    """
    now = clock.now()
    async with uow_factory() as uow:
        calendar = await uow.occasions.festival_calendar()
    declared = []
    for festival, occurs_on in domain.due_festivals(calendar, domain.local_date(now), lead_days):
        occasion = domain.festival_occasion(new_id(), festival, occurs_on, at=now)
        async with uow_factory() as uow:
            if await uow.occasions.add_festival(occasion):
                uow.record(_event(occasion))
                await uow.commit()
                declared.append(occasion)
    return declared


def _event(o: Occasion) -> IntegrationEvent:
    if o.kind is OccasionKind.POLICY_ISSUED:
        return contracts.PolicyIssuedV1(
            occurred_at=o.declared_at,
            region_code=o.region_code,
            occasion_id=o.id,
            title=o.title,
            issued_on=o.occurs_on,
            sector_codes=list(o.sector_codes),
            region_codes=list(o.region_codes),
        )
    return contracts.OccasionDeclaredV1(
        occurred_at=o.declared_at,
        region_code=o.region_code,
        occasion_id=o.id,
        # The domain's enum and the contract's literal list the same kinds (a unit test says so).
        kind=cast(contracts.OccasionKind, o.kind.value),
        title=o.title,
        occurs_on=o.occurs_on,
        sector_codes=list(o.sector_codes),
        region_codes=list(o.region_codes),
    )
