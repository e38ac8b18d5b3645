"""Who may do what in the members service (roles from domain.md), in one place."""

from __future__ import annotations

from uuid import UUID

from shared.auth import STAFF_ROLES, Principal, Role
from shared.errors import Forbidden, NotFound

# The offices that onboard and keep their own area's directory.
REGISTRARS = frozenset({Role.PROVINCE_ADMIN, Role.CITY_ADMIN, Role.COUNTY_ADMIN})
DIRECTORY_READERS = STAFF_ROLES


def require_registrar(principal: Principal, region_code: str) -> None:
    if principal.role not in REGISTRARS:
        raise Forbidden(f"role {principal.role.value} may not change the directory")
    if not principal.can_see_region(region_code):
        raise Forbidden("region_code is outside your scope")


def require_directory_reader(principal: Principal) -> None:
    if principal.role not in DIRECTORY_READERS:
        raise Forbidden(f"role {principal.role.value} may not list the directory")


def require_member_visible(principal: Principal, member_id: UUID) -> None:
    """Members see only themselves; departments, constituents and the rest see no one (404)."""
    if principal.role is Role.MEMBER:
        if principal.member_id != member_id:
            raise NotFound("member not found")
    elif principal.role not in STAFF_ROLES:
        raise NotFound("member not found")
