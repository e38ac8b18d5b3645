"""Recipient keys: how an inbox is named (member, department, office, liaison).

The key is pseudonymous (ids and codes, never names) so it may travel in events.

Who reads which inbox (the token decides, never the request):
- `member`: `member:<member_id claim>`;
- `department`: `department:<token subject>` (the department code concerns are assigned to);
- `committee_staff`: `office:<token subject>` (the special committee code, as in escalations);
- `province_admin`, `city_admin`, `county_admin`: `office:<token region>` (a city office is
  `office:230300`, the code escalations use for the city level);
- `constituent`: `constituent:<token subject>` (the account that submitted online concerns);
- others (data platform, auditor): no inbox.
"""

from __future__ import annotations

from uuid import UUID

from shared.auth import Principal, Role

_OFFICE_BY_REGION = frozenset({Role.PROVINCE_ADMIN, Role.CITY_ADMIN, Role.COUNTY_ADMIN})


def member_key(member_id: UUID) -> str:
    return f"member:{member_id}"


def department_key(code: str) -> str:
    return f"department:{code}"


def office_key(code: str) -> str:
    """A special committee code or a city/county/province region code."""
    return f"office:{code}"


def constituent_key(subject: str) -> str:
    return f"constituent:{subject}"


def liaison_key(liaison_id: UUID) -> str:
    return f"liaison:{liaison_id}"


def member_of(key: str) -> UUID | None:
    kind, _, rest = key.partition(":")
    return UUID(rest) if kind == "member" else None


def inbox_key(principal: Principal) -> str | None:
    """The one inbox the caller reads; None: this role has none."""
    if principal.role is Role.MEMBER and principal.member_id is not None:
        return member_key(principal.member_id)
    if principal.role is Role.DEPARTMENT:
        return department_key(principal.subject)
    if principal.role is Role.COMMITTEE_STAFF:
        return office_key(principal.subject)
    if principal.role in _OFFICE_BY_REGION:
        return office_key(principal.region_code)
    if principal.role is Role.CONSTITUENT:
        return constituent_key(principal.subject)
    return None
