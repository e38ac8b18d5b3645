"""Reads of sign-in accounts: whether a member's account is in step with the directory."""

from __future__ import annotations

from uuid import UUID

from services.members.domain.access import require_member_visible
from services.members.repository.accounts import AccountRow
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.errors import NotFound


async def member_account(
    member_id: UUID, *, principal: Principal, uow: MembersUnitOfWork
) -> AccountRow:
    """The member themselves, or offices in scope; 404 for everyone else and for none yet."""
    require_member_visible(principal, member_id)
    async with uow:
        member = await uow.members.get_in_scope(member_id, principal.region_code)
        row = await uow.accounts.get(member_id) if member is not None else None
    if row is None:
        raise NotFound("member not found")
    return row
