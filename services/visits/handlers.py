"""Visits use cases."""

from __future__ import annotations

from services.visits.unit_of_work import VisitsUnitOfWork
from shared.contracts.members import MemberRegisteredV1


async def add_member_to_roster(event: MemberRegisteredV1, uow: VisitsUnitOfWork) -> None:
    await uow.roster.upsert(event)
