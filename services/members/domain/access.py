"""Who may do what in the members service (roles from domain.md), in one place.

Pure rules on the caller's principal: the command handlers and the views both ask them.
"""

from __future__ import annotations

from uuid import UUID

from services.members.domain.workstations import Workstation
from shared.auth import STAFF_ROLES, Principal, Role
from shared.errors import Forbidden, NotFound

# The offices that onboard and keep their own area's directory.
REGISTRARS = frozenset({Role.PROVINCE_ADMIN, Role.CITY_ADMIN, Role.COUNTY_ADMIN})
DIRECTORY_READERS = STAFF_ROLES
OCCASION_READERS = STAFF_ROLES | {Role.MEMBER}


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


def require_importer(principal: Principal) -> None:
    if principal.role not in REGISTRARS:
        raise Forbidden(f"role {principal.role.value} may not import into the directory")


def require_auditor(principal: Principal) -> None:
    """Auditors only, and only province-wide ones.

    Offices and special committees get 403: the audit log is no secret to them, only not
    theirs to read. Members, departments, constituents and the data platform get the 404
    every path outside their world gives. The log has no region column yet, so an auditor
    scoped below a province would see other cities' rows: refused until it has one.
    """
    if principal.role in STAFF_ROLES:
        raise Forbidden("only the security auditor reads the audit log")
    if principal.role is not Role.AUDITOR:
        raise NotFound("not found")
    if not principal.region_code.endswith("0000"):
        raise Forbidden("the audit log is read province-wide: use a province-scoped token")


def workstation_visible(principal: Principal, ws: Workstation) -> bool:
    """Staff in the area see it; a member sees the ones they are attached to."""
    if principal.role is Role.MEMBER:
        return principal.member_id in ws.member_ids
    return principal.role in STAFF_ROLES and principal.can_see_region(ws.region_code)
