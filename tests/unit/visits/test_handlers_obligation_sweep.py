"""Occasions entered late, the sweep run on demand, and escalations told apart (issue 19, 6)."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import timedelta

import pytest

from services.visits.api.obligations import ObligationOut
from services.visits.commands import SweepObligations
from services.visits.handlers import obligations as use
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.errors import Forbidden
from shared.kernel import FixedClock
from tests.support.builders import occasion_declared, policy_issued
from tests.unit.visits.fakes import NOW, TIMEZONE, TODAY, FakeVisitsUnitOfWork, staff
from tests.unit.visits.test_handlers_obligations import RULES

ON_DEMAND = SweepObligations("on_demand", escalate_after_days=7, batch_size=100)


async def test_a_policy_entered_after_its_date_gives_the_whole_window_from_the_day_entered(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    fake.roster.add_member(region_code="230302", sector_code="education")
    issued_40_days_ago = TODAY - timedelta(days=40)
    policy = policy_issued(occurred_at=NOW, issued_on=issued_40_days_ago, region_codes=["230300"])
    async with uow:
        await use.open_for_policy(policy, uow, rules=RULES, timezone=TIMEZONE)
        await uow.commit()
    [opened] = fake.obligations.rows.values()
    assert opened.due_on == TODAY + timedelta(days=30)
    # A contact made since the policy was issued still counts for it.
    assert fake.obligations.counts_from[opened.id] == issued_40_days_ago


async def test_history_loaded_with_its_own_contacts_runs_windows_from_the_occasions_date(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    # VISITS_DUE_FROM_ENTRY=false: a year loaded at once (the demo) keeps its own deadlines.
    fake.roster.add_member(region_code="230302", sector_code="education")
    issued_40_days_ago = TODAY - timedelta(days=40)
    policy = policy_issued(occurred_at=NOW, issued_on=issued_40_days_ago, region_codes=["230300"])
    history = replace(RULES, from_entry=False)
    async with uow:
        await use.open_for_policy(policy, uow, rules=history, timezone=TIMEZONE)
        await uow.commit()
    [opened] = fake.obligations.rows.values()
    assert opened.due_on == issued_40_days_ago + timedelta(days=30)


async def test_a_plenary_entered_after_it_happened_is_due_the_day_it_was_entered(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    fake.roster.add_member(region_code="230302")
    past = TODAY - timedelta(days=5)
    declared = occasion_declared(occurred_at=NOW, kind="plenary_upcoming", occurs_on=past)
    async with uow:
        await use.open_for_occasion(declared, uow, rules=RULES, timezone=TIMEZONE)
        await uow.commit()
    [opened] = fake.obligations.rows.values()
    assert opened.due_on == TODAY


async def test_a_late_entered_occasion_is_not_overdue_at_the_next_sweep(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    fake.roster.add_member(region_code="230302", sector_code="education")
    policy = policy_issued(
        occurred_at=NOW, issued_on=TODAY - timedelta(days=60), region_codes=["230300"]
    )
    async with uow:
        await use.open_for_policy(policy, uow, rules=RULES, timezone=TIMEZONE)
        await uow.commit()
    run = await use.sweep_obligations(
        ON_DEMAND, principal=staff(), uow_factory=lambda: uow, clock=clock, timezone=TIMEZONE
    )
    assert (run.overdue, run.escalated) == (0, 0)
    assert [o.status for o in fake.obligations.rows.values()] == ["open"]


async def test_a_city_office_runs_the_sweep_on_demand_and_its_run_is_recorded(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    member = fake.roster.add_member(special_committee_code="edu-cttee")
    fake.obligations.add(member, "policy_issued", due_on=TODAY - timedelta(days=1))
    fake.obligations.add(member, "policy_issued", due_on=TODAY - timedelta(days=20))
    run = await use.sweep_obligations(
        ON_DEMAND, principal=staff(), uow_factory=lambda: uow, clock=clock, timezone=TIMEZONE
    )
    assert (run.trigger, run.requested_by, run.overdue, run.escalated) == (
        "on_demand",
        staff().subject,
        2,
        1,
    )
    assert run.started_at == NOW
    assert fake.obligations.sweeps == {"on_demand": run}


async def test_the_scheduled_sweep_is_recorded_apart_from_the_on_demand_one(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    scheduled = SweepObligations("schedule", escalate_after_days=7, batch_size=100)
    await use.sweep_obligations(
        scheduled, principal=None, uow_factory=lambda: uow, clock=clock, timezone=TIMEZONE
    )
    await use.sweep_obligations(
        ON_DEMAND, principal=staff(), uow_factory=lambda: uow, clock=clock, timezone=TIMEZONE
    )
    assert set(fake.obligations.sweeps) == {"schedule", "on_demand"}
    assert fake.obligations.sweeps["schedule"].requested_by is None


@pytest.mark.parametrize("role_of", ["member", "county_admin"])
async def test_only_the_province_and_city_offices_run_the_sweep(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock, role_of: str
) -> None:
    member = fake.roster.add_member()
    late = fake.obligations.add(member, "policy_issued", due_on=TODAY - timedelta(days=1))
    principal = staff("230302")
    principal = type(principal)(principal.subject, type(principal.role)(role_of), "230302")
    with pytest.raises(Forbidden):
        await use.sweep_obligations(
            ON_DEMAND, principal=principal, uow_factory=lambda: uow, clock=clock, timezone=TIMEZONE
        )
    assert fake.obligations.rows[late.id].status == "open"
    assert fake.obligations.sweeps == {}


@pytest.mark.parametrize(
    ("status", "level", "escalation"),
    [
        ("escalated", 1, "open"),
        ("fulfilled", 1, "fulfilled_late"),
        ("withdrawn", 2, "withdrawn"),
        ("fulfilled", 0, "none"),
        ("overdue", 0, "none"),
    ],
)
def test_an_obligation_says_whether_its_escalation_is_still_open(
    fake: FakeVisitsUnitOfWork, status: str, level: int, escalation: str
) -> None:
    row = fake.obligations.add(
        fake.roster.add_member(), "policy_issued", due_on=TODAY, status=status
    )
    shown = ObligationOut.model_validate({**asdict(row), "escalation_level": level})
    assert shown.escalation == escalation
    assert shown.model_dump()["escalation"] == escalation
