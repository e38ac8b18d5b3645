"""Accounts follow the directory (登录账号随名录): what a member's sign-in account should be.

Pure rules: which directory events change an account, the user name a member signs in with,
and how long a failed sync waits before it is tried again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from shared.auth import Principal, Role
from shared.contracts.base import IntegrationEvent
from shared.contracts.members import MemberRegisteredV1, MemberRetiredV1, MemberUpdatedV1
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.regions import is_region_code

MEMBER_ROLE = "member"
RETRY_BASE = timedelta(seconds=5)
RETRY_CAP = timedelta(minutes=30)


@dataclass(frozen=True)
class AccountWanted:
    """What the directory now says a member's account should be (one per member event)."""

    member_id: UUID
    region_code: str
    full_name: str | None  # None: keep the name already noted (a retirement carries none)
    enabled: bool

    @property
    def username(self) -> str:
        return username_of(self.member_id)


# What `username_of` makes: reserved for members, so no office account can take one.
MEMBER_USERNAME = re.compile(r"m[0-9a-f]{12}")


def username_of(member_id: UUID) -> str:
    """The sign-in name the directory gives a member: stable, unique, never reused.

    Offices hand it out with the first password; people may also sign in by e-mail or phone
    where Keycloak has them.
    """
    return f"m{member_id.hex[-12:]}"  # ids are time-ordered: their random end, not their start


def wanted_from(events: Iterable[IntegrationEvent]) -> Iterator[AccountWanted]:
    """The account changes a batch of directory events asks for, in order."""
    for e in events:
        if isinstance(e, MemberRegisteredV1):
            yield AccountWanted(e.member_id, e.region_code, e.full_name, enabled=True)
        elif isinstance(e, MemberUpdatedV1):
            enabled = e.status != "retired"
            yield AccountWanted(e.member_id, e.region_code, e.full_name, enabled=enabled)
        elif isinstance(e, MemberRetiredV1):
            yield AccountWanted(e.member_id, e.region_code, None, enabled=False)


def latest_per_member(wanted: Iterable[AccountWanted]) -> list[AccountWanted]:
    """One change per member (the last), keeping a name an earlier one noted."""
    last: dict[UUID, AccountWanted] = {}
    for w in wanted:
        before = last.get(w.member_id)
        name = w.full_name if w.full_name is not None else (before and before.full_name)
        last[w.member_id] = AccountWanted(w.member_id, w.region_code, name or None, w.enabled)
    return list(last.values())


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the `attempts`-th failure: 5 s, 10 s, 20 s, … up to 30 min."""
    delay: timedelta = RETRY_BASE * 2 ** min(max(attempts - 1, 0), 16)
    return min(delay, RETRY_CAP)


# --- accounts offices create (staff, departments) and liaisons' own accounts ----------------

# Offices create the accounts of people who work in their area; members come from the
# directory, constituents register themselves, auditors and the data platform are the
# province's to configure in Keycloak.
OFFICE_ACCOUNT_ROLES = frozenset(
    {Role.PROVINCE_ADMIN, Role.CITY_ADMIN, Role.COUNTY_ADMIN, Role.COMMITTEE_STAFF, Role.DEPARTMENT}
)
ACCOUNT_ADMINS = frozenset({Role.PROVINCE_ADMIN, Role.CITY_ADMIN, Role.COUNTY_ADMIN})


def require_account_admin(
    principal: Principal, role: Role, region_code: str, department_code: str | None
) -> None:
    """An office creates accounts for its own area, never above itself."""
    if principal.role not in ACCOUNT_ADMINS:
        raise Forbidden(f"role {principal.role.value} may not create accounts")
    if role not in OFFICE_ACCOUNT_ROLES:
        raise InvalidInput(f"accounts of role {role.value} are not created here")
    if not is_region_code(region_code) or not principal.can_see_region(region_code):
        raise Forbidden("region_code is outside your scope")
    if role is Role.PROVINCE_ADMIN and principal.role is not Role.PROVINCE_ADMIN:
        raise Forbidden("only the province creates province accounts")
    if (role is Role.DEPARTMENT) != bool(department_code):
        raise InvalidInput("department_code is given for department accounts, and only them")


def require_own_liaison_voice(principal: Principal) -> None:
    """Only a constituent's account speaks as a liaison; for anyone else there is none."""
    if principal.role is not Role.CONSTITUENT:
        raise NotFound("no liaison is linked to this account")
