"""Keeping visits' picture of the directory current, from members' events alone."""

from __future__ import annotations

from services.visits import events
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.contracts import members as ev


async def member_registered_or_updated(
    event: ev.MemberRegisteredV1 | ev.MemberUpdatedV1, uow: VisitsUnitOfWork
) -> None:
    await uow.roster.upsert_member(event)


async def member_retired(event: ev.MemberRetiredV1, uow: VisitsUnitOfWork) -> None:
    """A retired member owes nothing more: what was still owed is withdrawn (and said so)."""
    await uow.roster.retire_member(event.member_id, event.occurred_at)
    for obligation in await uow.obligations.withdraw_for(event.member_id, at=event.occurred_at):
        uow.record(events.obligation_withdrawn(obligation, event.occurred_at))


async def unit_linked(event: ev.UnitLinkedV1, uow: VisitsUnitOfWork) -> None:
    await uow.roster.link_unit(event)


async def liaison_changed(
    event: ev.LiaisonLinkedV1 | ev.LiaisonUpdatedV1 | ev.LiaisonUnlinkedV1,
    uow: VisitsUnitOfWork,
) -> None:
    await uow.roster.upsert_liaison(event)


async def workstation_changed(
    event: ev.WorkstationOpenedV1 | ev.WorkstationChangedV1 | ev.WorkstationClosedV1,
    uow: VisitsUnitOfWork,
) -> None:
    await uow.roster.upsert_workstation(event)
