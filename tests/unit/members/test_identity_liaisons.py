"""A liaison's own account: linked by their member or office, then the liaison, signed in as a
constituent, reports their own circumstances (which opens the member's obligation)."""

from __future__ import annotations

import os
from uuid import UUID

import pytest

from services.members.domain.liaisons import personal_data
from services.members.domain.members import LiaisonQuota
from services.members.handlers.liaison_accounts import (
    LinkLiaisonAccount,
    ReportOwnCircumstance,
    link_liaison_account,
    own_liaison,
    report_own_circumstance,
)
from services.members.handlers.liaisons import LinkLiaison, link_liaison
from services.members.pii import PiiCipher
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal, Role
from shared.contracts.members import CircumstanceReportedV1
from shared.errors import Conflict, NotFound
from shared.kernel import FixedClock
from shared.regions import scope_prefix
from tests.unit.members.conftest import MISHAN, as_, member_in
from tests.unit.members.fakes import FakeLiaisons, FakeMembersUnitOfWork

CIPHER = PiiCipher(os.urandom(32))
ADMIN = as_(Role.CITY_ADMIN)
CITIZEN = Principal("kc-7f3a", Role.CONSTITUENT, MISHAN)


class FakeLiaisonAccounts:
    def __init__(self, liaisons: FakeLiaisons) -> None:
        self.subjects: dict[UUID, str] = {}
        self._liaisons = liaisons

    async def link_liaison(self, liaison_id: UUID, subject: str | None) -> None:
        if subject is None:
            self.subjects.pop(liaison_id, None)
            return
        if any(s == subject and i != liaison_id for i, s in self.subjects.items()):
            raise Conflict("this account already speaks for another liaison")
        self.subjects[liaison_id] = subject

    async def liaison_account(self, liaison_id: UUID) -> str | None:
        return self.subjects.get(liaison_id)

    async def liaison_of(self, subject: str, scope: str) -> UUID | None:
        for liaison_id, s in self.subjects.items():
            liaison = self._liaisons.rows[liaison_id]
            if s == subject and liaison.region_code.startswith(scope_prefix(scope)):
                return liaison_id
        return None


@pytest.fixture
async def linked(fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock) -> UUID:
    fake.accounts = FakeLiaisonAccounts(fake.liaisons)  # type: ignore[attr-defined]
    member = member_in(fake)
    personal = personal_data("李晓芳", "17012345678", "密山市第一中学", None)
    quota = LiaisonQuota(0, 10, 15)
    liaison, _ = await link_liaison(
        LinkLiaison(member.id, personal),
        principal=ADMIN,
        uow=uow,
        cipher=CIPHER,
        clock=clock,
        quota=quota,
    )
    fake.published.clear()
    return liaison.id


async def report(uow: MembersUnitOfWork, clock: FixedClock, who: Principal = CITIZEN) -> object:
    cmd = ReportOwnCircumstance("hardship", "家中老人住院，需要帮扶")
    return await report_own_circumstance(cmd, principal=who, uow=uow, cipher=CIPHER, clock=clock)


async def test_a_linked_liaison_reports_their_own_hardship_and_the_member_is_obliged(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock, linked: UUID
) -> None:
    await link_liaison_account(
        LinkLiaisonAccount(linked, CITIZEN.subject), principal=ADMIN, uow=uow, cipher=CIPHER
    )
    assert await own_liaison(principal=CITIZEN, uow=uow) == linked
    await report(uow, clock)
    [event] = fake.published
    assert isinstance(event, CircumstanceReportedV1)
    assert event.liaison_id == linked
    assert event.kind == "hardship"
    [kept] = fake.liaisons.circumstances
    assert kept.reported_by == CITIZEN.subject
    assert ("city_admin-230300", "update", linked, ("account",), "account linked") in (
        fake.audit.rows
    )


async def test_an_unlinked_constituent_has_no_liaison_to_speak_for(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock, linked: UUID
) -> None:
    with pytest.raises(NotFound):
        await report(uow, clock)
    assert fake.published == []
    assert fake.liaisons.circumstances == []


async def test_only_a_constituent_account_speaks_as_the_liaison(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock, linked: UUID
) -> None:
    await link_liaison_account(
        LinkLiaisonAccount(linked, CITIZEN.subject), principal=ADMIN, uow=uow, cipher=CIPHER
    )
    department = Principal(CITIZEN.subject, Role.DEPARTMENT, MISHAN)
    with pytest.raises(NotFound):
        await report(uow, clock, department)
    assert fake.published == []


async def test_a_department_cannot_link_a_liaisons_account(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, linked: UUID
) -> None:
    with pytest.raises(NotFound):
        await link_liaison_account(
            LinkLiaisonAccount(linked, "kc-x"),
            principal=as_(Role.DEPARTMENT),
            uow=uow,
            cipher=CIPHER,
        )
    assert fake.accounts.subjects == {}  # type: ignore[attr-defined]


async def test_once_unlinked_the_account_no_longer_reports_for_the_liaison(
    uow: MembersUnitOfWork, clock: FixedClock, linked: UUID
) -> None:
    for subject in (CITIZEN.subject, None):
        await link_liaison_account(
            LinkLiaisonAccount(linked, subject), principal=ADMIN, uow=uow, cipher=CIPHER
        )
    with pytest.raises(NotFound):
        await report(uow, clock)
