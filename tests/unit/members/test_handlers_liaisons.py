"""Linking, changing and unlinking liaisons, reporting circumstances, revealing personal data."""

from __future__ import annotations

import os

import pytest

from services.members.domain.liaisons import LiaisonChanges, LiaisonStatus, Sight, personal_data
from services.members.domain.members import LiaisonQuota
from services.members.handlers.liaisons import (
    LinkLiaison,
    ReportCircumstance,
    UnlinkLiaison,
    UpdateLiaison,
    link_liaison,
    report_circumstance,
    unlink_liaison,
    update_liaison,
)
from services.members.pii import PiiCipher
from services.members.unit_of_work import MembersUnitOfWork
from services.members.views.liaisons import get_liaison
from shared.auth import Role
from shared.contracts.members import CircumstanceReportedV1, LiaisonLinkedV1
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.kernel import FixedClock
from tests.unit.members.conftest import HARBIN, MISHAN, as_, member_in
from tests.unit.members.fakes import FakeMembersUnitOfWork

ADMIN = as_(Role.CITY_ADMIN)
CIPHER = PiiCipher(os.urandom(32))
QUOTA = LiaisonQuota(minimum=1, target=2, maximum=2)


def _link(member_id: object, phone: str = "13812345678") -> LinkLiaison:
    personal = personal_data("李晓芳", phone, "密山市第一中学", None)
    return LinkLiaison(member_id, personal)  # type: ignore[arg-type]


async def _linked(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock, **kw: str
) -> LinkLiaison:
    member = member_in(fake)
    cmd = _link(member.id, **kw)
    await link_liaison(cmd, principal=ADMIN, uow=uow, cipher=CIPHER, clock=clock, quota=QUOTA)
    fake.published.clear()
    fake.audit.rows.clear()
    return cmd


async def test_linking_saves_the_liaison_audits_it_and_announces_a_masked_name(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    member = member_in(fake)
    liaison, created = await link_liaison(
        _link(member.id), principal=ADMIN, uow=uow, cipher=CIPHER, clock=clock, quota=QUOTA
    )
    assert created
    assert fake.liaisons.rows[liaison.id].personal.phone == "13812345678"
    assert [row[1] for row in fake.audit.rows] == ["create"]
    [event] = fake.published
    assert isinstance(event, LiaisonLinkedV1)
    assert event.display_name == "李*芳"


async def test_a_replayed_link_returns_the_first_liaison_without_a_second_event(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    member = member_in(fake)
    deps = {"principal": ADMIN, "uow": uow, "cipher": CIPHER, "clock": clock, "quota": QUOTA}
    first, _ = await link_liaison(_link(member.id), idempotency_key="k", **deps)  # type: ignore[arg-type]
    again, created = await link_liaison(_link(member.id), idempotency_key="k", **deps)  # type: ignore[arg-type]
    assert (again.id, created) == (first.id, False)
    assert len(fake.liaisons.rows) == 1
    assert len(fake.published) == 1


async def test_a_member_at_the_quota_links_no_more_and_nothing_is_committed(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    member = member_in(fake)
    for phone in ("13812345678", "13812345679"):
        await link_liaison(
            _link(member.id, phone),
            principal=ADMIN,
            uow=uow,
            cipher=CIPHER,
            clock=clock,
            quota=QUOTA,
        )
    commits = fake.commits
    with pytest.raises(Conflict):
        await link_liaison(
            _link(member.id, "13812345670"),
            principal=ADMIN,
            uow=uow,
            cipher=CIPHER,
            clock=clock,
            quota=QUOTA,
        )
    assert len(fake.liaisons.rows) == 2
    assert fake.commits == commits


async def test_committee_staff_see_the_roster_but_may_not_link(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    member = member_in(fake)
    with pytest.raises(Forbidden):
        await link_liaison(
            _link(member.id),
            principal=as_(Role.COMMITTEE_STAFF),
            uow=uow,
            cipher=CIPHER,
            clock=clock,
            quota=QUOTA,
        )
    assert fake.liaisons.rows == {}
    assert not fake.committed


async def test_a_member_outside_the_scope_is_not_found(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    member = member_in(fake, region=HARBIN)
    with pytest.raises(NotFound):
        await link_liaison(
            _link(member.id), principal=ADMIN, uow=uow, cipher=CIPHER, clock=clock, quota=QUOTA
        )
    assert not fake.committed


async def test_a_change_is_saved_audited_and_announced(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    await _linked(fake, uow, clock)
    [liaison_id] = fake.liaisons.rows
    cmd = UpdateLiaison(liaison_id, LiaisonChanges(phone="13987654321"))
    await update_liaison(cmd, principal=ADMIN, uow=uow, cipher=CIPHER, clock=clock)
    assert fake.liaisons.rows[liaison_id].personal.phone == "13987654321"
    assert [(row[1], row[3]) for row in fake.audit.rows] == [("update", ("phone",))]
    assert fake.published_types() == ["members.liaison.updated.v1"]


async def test_a_change_to_the_same_values_writes_nothing(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    await _linked(fake, uow, clock)
    [liaison_id] = fake.liaisons.rows
    commits = fake.commits
    cmd = UpdateLiaison(liaison_id, LiaisonChanges(phone="13812345678"))
    await update_liaison(cmd, principal=ADMIN, uow=uow, cipher=CIPHER, clock=clock)
    assert fake.published == []
    assert fake.audit.rows == []
    assert fake.commits == commits


async def test_unlinking_keeps_the_liaison_unlinked_and_announces_it(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    await _linked(fake, uow, clock)
    [liaison_id] = fake.liaisons.rows
    await unlink_liaison(
        UnlinkLiaison(liaison_id), principal=ADMIN, uow=uow, cipher=CIPHER, clock=clock
    )
    assert fake.liaisons.rows[liaison_id].status is LiaisonStatus.UNLINKED
    assert fake.published_types() == ["members.liaison.unlinked.v1"]


async def test_a_reported_circumstance_is_kept_and_announced_without_its_summary(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    await _linked(fake, uow, clock)
    [liaison_id] = fake.liaisons.rows
    cmd = ReportCircumstance(liaison_id, "hardship", "家中老人住院，需要帮扶")
    report = await report_circumstance(cmd, principal=ADMIN, uow=uow, cipher=CIPHER, clock=clock)
    assert fake.liaisons.circumstances == [report]
    [event] = fake.published
    assert isinstance(event, CircumstanceReportedV1)
    assert event.kind == "hardship"
    assert "住院" not in event.model_dump_json()


async def test_an_office_reveals_personal_data_only_with_a_reason_and_an_audit_row(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    await _linked(fake, uow, clock)
    [liaison_id] = fake.liaisons.rows
    masked = await get_liaison(liaison_id, principal=ADMIN, uow=uow, cipher=CIPHER)
    assert masked.sight is Sight.MASKED
    assert fake.audit.rows == []
    with pytest.raises(InvalidInput):
        await get_liaison(liaison_id, principal=ADMIN, uow=uow, cipher=CIPHER, reveal=True)
    shown = await get_liaison(
        liaison_id, principal=ADMIN, uow=uow, cipher=CIPHER, reveal=True, reason="核实困难帮扶"
    )
    assert shown.personal.phone == "13812345678"
    assert [(row[1], row[4]) for row in fake.audit.rows] == [("reveal", "核实困难帮扶")]


async def test_the_owning_member_reads_in_clear_and_is_audited(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    cmd = await _linked(fake, uow, clock)
    [liaison_id] = fake.liaisons.rows
    owner = as_(Role.MEMBER, MISHAN, member_id=cmd.member_id)
    view = await get_liaison(liaison_id, principal=owner, uow=uow, cipher=CIPHER)
    assert view.sight is Sight.FULL
    assert [row[1] for row in fake.audit.rows] == ["read"]
