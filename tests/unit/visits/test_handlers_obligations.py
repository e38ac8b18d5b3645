"""Must-visit obligations (八必访): opened from occasions, swept overdue, escalated."""

from __future__ import annotations

from datetime import date, timedelta

from services.visits.commands import EscalateOverdue, MarkOverdue
from services.visits.domain.obligations import DueRules
from services.visits.handlers import obligations as use
from services.visits.jobs import sweep_once
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.contracts import visits as ev
from shared.kernel import FixedClock
from tests.support.builders import (
    circumstance_reported,
    liaison_linked,
    member_registered,
    occasion_declared,
    policy_issued,
)
from tests.unit.visits.fakes import NOW, TIMEZONE, TODAY, FakeVisitsUnitOfWork

RULES = DueRules(
    {
        "leader_speech": 30,
        "congress_closed": 30,
        "policy_issued": 30,
        "liaison_life_change": 15,
        "liaison_request": 7,
        "liaison_hardship": 3,
        "sector_festival": 7,
    }
)


async def test_a_policy_opens_one_obligation_per_active_member_of_its_sectors_and_regions(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    reached = fake.roster.add_member(region_code="230302", sector_code="education")
    fake.roster.add_member(region_code="230302", sector_code="agriculture")
    fake.roster.add_member(region_code="230102", sector_code="education")
    fake.roster.add_member(region_code="230302", sector_code="education", status="retired")
    policy = policy_issued(occurred_at=NOW, issued_on=TODAY, region_codes=["230300"])
    async with uow:
        assert await use.open_for_policy(policy, uow, rules=RULES, timezone=TIMEZONE) == 1
        assert await use.open_for_policy(policy, uow, rules=RULES, timezone=TIMEZONE) == 0
        await uow.commit()
    [opened] = fake.obligations.rows.values()
    assert (opened.member_id, opened.due_on) == (reached.member_id, TODAY + timedelta(days=30))
    assert fake.published_types() == [ev.ObligationOpenedV1.event_type_name]


async def test_a_plenary_is_due_on_its_own_date(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    fake.roster.add_member(region_code="230302")
    plenary = date(2026, 10, 1)
    declared = occasion_declared(occurred_at=NOW, kind="plenary_upcoming", occurs_on=plenary)
    async with uow:
        await use.open_for_occasion(declared, uow, rules=RULES, timezone=TIMEZONE)
        await uow.commit()
    [opened] = fake.obligations.rows.values()
    assert (opened.occasion_kind, opened.due_on) == ("plenary_upcoming", plenary)


async def test_a_liaisons_hardship_obliges_their_own_member_to_visit_them(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    member = fake.roster.add_member(region_code="230302")
    fake.roster.add_member(region_code="230302")
    registered = member_registered(member_id=member.member_id, region_code="230302")
    report = circumstance_reported(liaison_linked(registered), "hardship", occurred_at=NOW)
    async with uow:
        await use.open_for_circumstance(report, uow, rules=RULES, timezone=TIMEZONE)
        await uow.commit()
    [opened] = fake.obligations.rows.values()
    assert (opened.member_id, opened.liaison_id) == (member.member_id, report.liaison_id)
    assert opened.due_on == TODAY + timedelta(days=3)
    assert report.display_name in opened.title


async def test_past_due_obligations_turn_overdue_and_say_so(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    member = fake.roster.add_member()
    late = fake.obligations.add(member, "policy_issued", due_on=TODAY - timedelta(days=1))
    due_today = fake.obligations.add(member, "policy_issued", due_on=TODAY)
    marked = await use.mark_overdue(MarkOverdue(10), uow=uow, clock=clock, timezone=TIMEZONE)
    assert marked == 1
    assert fake.obligations.rows[late.id].status == "overdue"
    assert fake.obligations.rows[due_today.id].status == "open"
    assert fake.published_types() == [ev.ObligationOverdueV1.event_type_name]


async def test_long_overdue_obligations_climb_to_the_committee_then_the_city_office(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    guided = fake.roster.add_member(region_code="230302", special_committee_code="edu-cttee")
    unguided = fake.roster.add_member(region_code="230302")
    ten_days_late = TODAY - timedelta(days=10)
    first = fake.obligations.add(guided, "policy_issued", due_on=ten_days_late, status="overdue")
    second = fake.obligations.add(unguided, "policy_issued", due_on=ten_days_late, status="overdue")
    cmd = EscalateOverdue(after_days=7, limit=10)
    assert await use.escalate_overdue(cmd, uow=uow, clock=clock, timezone=TIMEZONE) == 2
    rows = fake.obligations.rows
    assert (rows[first.id].escalation_level, rows[first.id].escalated_to) == (1, "edu-cttee")
    assert (rows[second.id].escalation_level, rows[second.id].escalated_to) == (2, "230300")
    escalated = [e for e in fake.published if isinstance(e, ev.ObligationEscalatedV1)]
    assert sorted(e.level for e in escalated) == [1, 2]


async def test_a_sweep_works_through_every_batch(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    member = fake.roster.add_member(special_committee_code="edu-cttee")
    for days in (1, 2, 9):
        fake.obligations.add(member, "policy_issued", due_on=TODAY - timedelta(days=days))
    swept = await sweep_once(
        lambda: uow, clock=clock, timezone=TIMEZONE, escalate_after_days=7, batch_size=1
    )
    assert swept == (3, 1)
    assert sorted(o.status for o in fake.obligations.rows.values()) == [
        "escalated",
        "overdue",
        "overdue",
    ]
    assert fake.commits >= 5, "one transaction per batch"
