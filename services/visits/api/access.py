"""Whose records a caller may read: members their own, staff their region, others nothing."""

from __future__ import annotations

from uuid import UUID

from shared.auth import STAFF_ROLES, Principal, Role
from shared.errors import Forbidden


def owner_filter(principal: Principal) -> UUID | None:
    """The member id to restrict reads to (a member's own), None for staff; others refused."""
    if principal.role is Role.MEMBER:
        return principal.member_id
    if principal.role in STAFF_ROLES:
        return None
    raise Forbidden(f"role {principal.role.value} may not read contact records or obligations")
