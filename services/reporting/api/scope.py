"""Who may read which KPIs: staff their region, members only themselves, nobody else."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from shared.auth import STAFF_ROLES, Principal, Role
from shared.errors import NotFound
from shared.regions import scope_prefix
from shared.web.problems import Problem


@dataclass(frozen=True)
class KpiScope:
    region_code: str
    region_prefix: str
    member_id: UUID | None


def kpi_scope(principal: Principal, region_code: str | None) -> KpiScope:
    """The region asked for must lie in the caller's; anything else answers 404, not 403."""
    if principal.role not in STAFF_ROLES and principal.role is not Role.MEMBER:
        raise Problem(403, "Forbidden", f"role {principal.role.value} may not read KPIs")
    scope = region_code or principal.region_code
    if not principal.can_see_region(scope):
        raise NotFound("region not found")
    member_id = principal.member_id if principal.role is Role.MEMBER else None
    return KpiScope(scope, scope_prefix(scope), member_id)


def require_dossier_reader(principal: Principal) -> None:
    """Asked before the member is looked up: the same 403 whether the id exists or not."""
    if principal.role is not Role.MEMBER and principal.role not in STAFF_ROLES:
        raise Problem(403, "Forbidden", f"role {principal.role.value} may not read dossiers")


def may_read_dossier(principal: Principal, member_id: UUID, member_region: str | None) -> bool:
    require_dossier_reader(principal)
    if principal.role is Role.MEMBER:
        return principal.member_id == member_id
    return member_region is not None and principal.can_see_region(member_region)
