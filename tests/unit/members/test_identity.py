"""Accounts follow the directory: the Keycloak adapter against a fake of Keycloak's admin API,
and the sync use case against an in-memory queue."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from uuid import UUID

import httpx
import pytest

from services.members.domain.accounts import (
    AccountWanted,
    latest_per_member,
    require_account_admin,
    retry_delay,
    username_of,
    wanted_from,
)
from services.members.handlers.accounts import (
    CreateOfficeAccount,
    SyncAccounts,
    create_office_account,
    sync_accounts,
)
from services.members.identity import (
    Account,
    IdentityRefused,
    IdentityUnavailable,
    KeycloakAccounts,
    admin_base,
)
from services.members.repository.accounts import AccountRow
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal, Role
from shared.contracts.members import MemberRegisteredV1, MemberRetiredV1
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.kernel import FixedClock
from shared.regions import scope_prefix
from tests.unit.members.keycloak_fake import ISSUER, FakeKeycloak

AT = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
MEMBER = UUID("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")


def directory(kc: FakeKeycloak) -> KeycloakAccounts:
    http = httpx.AsyncClient(transport=kc.transport())
    return KeycloakAccounts(http, issuer=ISSUER, client_id="members", client_secret="s")


def member_account(enabled: bool = True) -> Account:
    return Account(
        username=username_of(MEMBER),
        role="member",
        region_code="230382",
        enabled=enabled,
        first_name="陈委员",
        member_id=str(MEMBER),
    )


# --- the adapter ------------------------------------------------------------------------------


async def test_a_new_member_gets_an_account_with_role_member_id_and_region() -> None:
    kc = FakeKeycloak()
    user_id = await directory(kc).ensure(member_account())
    user = kc.users[user_id]
    assert user["username"] == username_of(MEMBER)
    assert user["enabled"] is True
    assert user["firstName"] == "陈委员"
    assert user["attributes"] == {"region": ["230382"], "member_id": [str(MEMBER)]}
    assert kc.roles[user_id] == {"member"}


async def test_syncing_twice_links_the_same_account_instead_of_making_another() -> None:
    kc = FakeKeycloak()
    accounts = directory(kc)
    first = await accounts.ensure(member_account())
    second = await accounts.ensure(member_account())
    assert first == second
    assert len(kc.users) == 1
    assert kc.tokens_issued == 1  # the provisioning token is reused until it nears expiry


async def test_an_account_an_admin_made_for_the_member_is_linked_and_keeps_its_email() -> None:
    kc = FakeKeycloak()
    kc.users["u1"] = {
        "id": "u1",
        "username": username_of(MEMBER),
        "email": "chen@example.cn",
        "enabled": True,
        "attributes": {"phone": ["17012345678"], "member_id": [str(MEMBER)]},
    }
    assert await directory(kc).ensure(member_account()) == "u1"
    user = kc.users["u1"]
    assert user["email"] == "chen@example.cn"
    assert user["attributes"]["phone"] == ["17012345678"]
    assert kc.roles["u1"] == {"member"}


async def test_someone_elses_account_under_the_members_user_name_is_never_taken_over() -> None:
    # A citizen who registered the member's user name first must not become the member.
    kc = FakeKeycloak()
    kc.users["c1"] = {"id": "c1", "username": username_of(MEMBER), "enabled": True,
                      "attributes": {"region": ["230000"]}}  # fmt: skip
    kc.roles["c1"] = {"constituent"}
    with pytest.raises(IdentityRefused, match="another account"):
        await directory(kc).ensure(member_account())
    assert kc.users["c1"]["attributes"] == {"region": ["230000"]}
    assert kc.roles["c1"] == {"constituent"}


async def test_a_retired_members_account_is_disabled_and_their_sessions_ended() -> None:
    kc = FakeKeycloak()
    accounts = directory(kc)
    user_id = await accounts.ensure(member_account())
    await accounts.ensure(member_account(enabled=False))
    assert kc.users[user_id]["enabled"] is False
    assert kc.logged_out == [user_id]


async def test_keycloak_away_is_reported_as_unavailable_for_a_later_retry() -> None:
    kc = FakeKeycloak(down=True)
    with pytest.raises(IdentityUnavailable):
        await directory(kc).ensure(member_account())


def test_the_admin_api_lives_beside_the_realms_issuer() -> None:
    assert admin_base("http://kc:8080/realms/cppcc/") == "http://kc:8080/admin/realms/cppcc"
    with pytest.raises(ValueError, match="not a Keycloak realm issuer"):
        admin_base("http://kc:8080/")


# --- which directory changes touch an account ----------------------------------------------------


def test_registered_and_retired_members_ask_for_an_enabled_then_a_disabled_account() -> None:
    registered = MemberRegisteredV1(
        occurred_at=AT,
        region_code="230382",
        member_id=MEMBER,
        full_name="陈委员",
        sector_code="education",
        committee_code="cppcc-230300",
    )
    retired = MemberRetiredV1(
        occurred_at=AT, region_code="230382", member_id=MEMBER, retired_on=AT.date()
    )
    wanted = list(wanted_from([registered, retired]))
    assert [w.enabled for w in wanted] == [True, False]
    [last] = latest_per_member(wanted)
    assert last == AccountWanted(MEMBER, "230382", "陈委员", enabled=False)


def test_user_names_come_from_the_random_end_of_time_ordered_ids() -> None:
    same_millisecond = UUID("0193a1b2-c3d4-7e5f-8a9b-000000000001")
    assert username_of(MEMBER) != username_of(same_millisecond)


def test_failed_syncs_back_off_exponentially_up_to_half_an_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [5, 10, 20]
    assert retry_delay(50) == timedelta(minutes=30)


# --- the sync use case ---------------------------------------------------------------------------


class FakeAccountQueue:
    def __init__(self, rows: list[AccountRow]) -> None:
        self.rows = {r.member_id: r for r in rows}

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[AccountRow]:
        due = [r for r in self.rows.values() if r.due and r.next_attempt_at <= now][:limit]
        for r in due:
            self.rows[r.member_id] = replace(r, next_attempt_at=lease_until)
        return due

    async def synced(self, row: AccountRow, user_id: str, at: datetime) -> None:
        now = self.rows[row.member_id]
        self.rows[row.member_id] = replace(
            now, synced_version=row.wanted_version, keycloak_user_id=user_id, attempts=0
        )

    async def failed(self, row: AccountRow, error: str, retry_at: datetime, at: datetime) -> None:
        now = self.rows[row.member_id]
        self.rows[row.member_id] = replace(
            now, attempts=now.attempts + 1, last_error=error, next_attempt_at=retry_at
        )


class FakeQueueUnitOfWork:
    def __init__(self, queue: FakeAccountQueue) -> None:
        self.accounts = queue

    async def __aenter__(self) -> FakeQueueUnitOfWork:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        return None


def queued(member_id: UUID = MEMBER, **fields: Any) -> AccountRow:
    values: dict[str, Any] = {
        "member_id": member_id,
        "region_code": "230382",
        "full_name": "陈委员",
        "username": username_of(member_id),
        "wanted_enabled": True,
        "wanted_version": 1,
        "synced_version": 0,
        "keycloak_user_id": None,
        "attempts": 0,
        "next_attempt_at": datetime.min.replace(tzinfo=UTC),
        "last_error": None,
        "synced_at": None,
        **fields,
    }
    return AccountRow(**values)


def unit(queue: FakeAccountQueue) -> Any:
    return lambda: cast(MembersUnitOfWork, FakeQueueUnitOfWork(queue))


class FakeDepartmentDirectory:
    """department code → region, searched within a scope as the repository does."""

    def __init__(self, regions: dict[str, str]) -> None:
        self.regions = regions

    async def region_of(self, code: str, scope: str) -> str | None:
        region = self.regions.get(code)
        return region if region and region.startswith(scope_prefix(scope)) else None


def offices(regions: dict[str, str] | None = None) -> MembersUnitOfWork:
    """The unit of work an office-account command reads departments through."""
    uow = FakeQueueUnitOfWork(FakeAccountQueue([]))
    uow.departments = FakeDepartmentDirectory(regions or {})  # type: ignore[attr-defined]
    return cast(MembersUnitOfWork, uow)


async def test_the_job_syncs_due_accounts_and_marks_them_in_step() -> None:
    kc, queue = FakeKeycloak(), FakeAccountQueue([queued()])
    outcome = await sync_accounts(
        SyncAccounts(), uow=unit(queue), directory=directory(kc), clock=FixedClock(AT)
    )
    assert outcome.synced == 1
    assert outcome.failed == []
    row = queue.rows[MEMBER]
    assert not row.due
    assert row.keycloak_user_id in kc.users


async def test_while_keycloak_is_down_rows_wait_with_backoff_and_sync_once_it_is_back() -> None:
    kc, queue = FakeKeycloak(down=True), FakeAccountQueue([queued()])
    accounts = directory(kc)
    outcome = await sync_accounts(
        SyncAccounts(), uow=unit(queue), directory=accounts, clock=FixedClock(AT)
    )
    assert outcome.failed == [str(MEMBER)]
    row = queue.rows[MEMBER]
    assert row.due
    assert row.attempts == 1
    assert row.next_attempt_at == AT + timedelta(seconds=5)
    assert "unreachable" in (row.last_error or "")
    kc.down = False
    too_soon = await sync_accounts(
        SyncAccounts(), uow=unit(queue), directory=accounts, clock=FixedClock(AT)
    )
    assert too_soon.synced == 0
    later = FixedClock(AT + timedelta(seconds=6))
    done = await sync_accounts(SyncAccounts(), uow=unit(queue), directory=accounts, clock=later)
    assert done.synced == 1
    assert not queue.rows[MEMBER].due


# --- accounts offices create ---------------------------------------------------------------------


def as_(role: Role, region: str) -> Principal:
    return Principal(f"{role.value}-{region}", role, region)


def test_a_city_creates_staff_and_department_accounts_in_its_area_only() -> None:
    city = as_(Role.CITY_ADMIN, "230300")
    require_account_admin(city, Role.COUNTY_ADMIN, "230382", None)
    require_account_admin(city, Role.DEPARTMENT, "230300", "jx-edu")
    with pytest.raises(Forbidden):
        require_account_admin(city, Role.CITY_ADMIN, "230100", None)  # Harbin
    with pytest.raises(Forbidden):
        require_account_admin(city, Role.PROVINCE_ADMIN, "230300", None)
    with pytest.raises(InvalidInput):
        require_account_admin(city, Role.MEMBER, "230300", None)
    with pytest.raises(InvalidInput):
        require_account_admin(city, Role.DEPARTMENT, "230300", None)
    with pytest.raises(Forbidden):
        require_account_admin(as_(Role.COMMITTEE_STAFF, "230300"), Role.DEPARTMENT, "230300", "x")


async def test_an_office_account_gets_its_role_and_a_one_time_password() -> None:
    kc = FakeKeycloak()
    cmd = CreateOfficeAccount("jx-clerk", "王文书", Role.COMMITTEE_STAFF, "230300")
    issued = await create_office_account(
        cmd, principal=as_(Role.CITY_ADMIN, "230300"), uow=offices(), directory=directory(kc)
    )
    user = kc.by_username("jx-clerk")
    assert user is not None
    assert kc.roles[user["id"]] == {"committee_staff"}
    assert kc.passwords[user["id"]] == (issued.temporary_password, True)
    assert len(issued.temporary_password) == 12


async def test_an_office_cannot_take_over_an_existing_account_by_its_user_name() -> None:
    # Creating staff must never move, re-enable or reset the password of someone else's account.
    kc = FakeKeycloak()
    kc.users["p1"] = {"id": "p1", "username": "demo-province", "enabled": False,
                      "attributes": {"region": ["230000"]}}  # fmt: skip
    kc.roles["p1"] = {"province_admin"}
    cmd = CreateOfficeAccount("demo-province", "冒名", Role.COMMITTEE_STAFF, "230382")
    with pytest.raises(Conflict, match="taken"):
        await create_office_account(
            cmd, principal=as_(Role.COUNTY_ADMIN, "230382"), uow=offices(), directory=directory(kc)
        )
    assert kc.users["p1"]["enabled"] is False
    assert kc.users["p1"]["attributes"] == {"region": ["230000"]}
    assert kc.roles["p1"] == {"province_admin"}
    assert "p1" not in kc.passwords


async def test_an_office_cannot_create_an_account_under_a_members_user_name() -> None:
    cmd = CreateOfficeAccount(username_of(MEMBER), "某人", Role.COMMITTEE_STAFF, "230300")
    with pytest.raises(InvalidInput, match="members' own"):
        await create_office_account(
            cmd,
            principal=as_(Role.CITY_ADMIN, "230300"),
            uow=offices(),
            directory=directory(FakeKeycloak()),
        )


async def test_without_a_sign_in_service_office_accounts_are_a_conflict_not_an_outage() -> None:
    # A 503 would tell clients to retry; no retry helps a deployment without sign-in.
    cmd = CreateOfficeAccount("jx-clerk", "王文书", Role.COMMITTEE_STAFF, "230300")
    with pytest.raises(Conflict, match="not provisioned"):
        await create_office_account(
            cmd, principal=as_(Role.CITY_ADMIN, "230300"), uow=offices(), directory=None
        )


@pytest.mark.parametrize(
    ("code", "region", "refusal"),
    [
        ("unknown-bureau", "230300", "not a department of your area"),
        ("hlj-education", "230300", "not a department of your area"),  # the province's
        ("jx-education", "230382", "its department's region"),  # Jixi's, made a Mishan one
    ],
)
async def test_a_department_account_speaks_only_for_a_department_of_the_offices_area(
    code: str, region: str, refusal: str
) -> None:
    # Else an office could make an account that answers concerns as another department.
    kc = FakeKeycloak()
    uow = offices({"jx-education": "230300", "hlj-education": "230000"})
    cmd = CreateOfficeAccount("officer", "承办人", Role.DEPARTMENT, region, code)
    with pytest.raises(InvalidInput, match=refusal):
        await create_office_account(
            cmd, principal=as_(Role.CITY_ADMIN, "230300"), uow=uow, directory=directory(kc)
        )
    assert kc.users == {}


async def test_a_department_account_of_the_offices_own_department_is_created() -> None:
    kc = FakeKeycloak()
    uow = offices({"jx-education": "230300"})
    cmd = CreateOfficeAccount("officer", "承办人", Role.DEPARTMENT, "230300", "jx-education")
    await create_office_account(
        cmd, principal=as_(Role.CITY_ADMIN, "230300"), uow=uow, directory=directory(kc)
    )
    user = kc.by_username("officer")
    assert user is not None
    assert user["attributes"]["department_code"] == ["jx-education"]
