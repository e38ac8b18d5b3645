"""Opening must-visit obligations from occasions, and the overdue and escalation sweep."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.visits import events
from services.visits.domain.obligations import (
    CIRCUMSTANCE_OCCASIONS,
    CIRCUMSTANCE_TITLES,
    DueRules,
    next_escalation,
    scope_patterns,
)
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.contracts import members as ev
from shared.kernel import Clock


async def open_for_policy(
    event: ev.PolicyIssuedV1, uow: VisitsUnitOfWork, *, rules: DueRules, timezone: str
) -> int:
    """八必访 no. 3: every active member of the policy's sectors in its regions."""
    opened = await uow.obligations.open_for_sectors(
        kind="policy_issued",
        source_id=event.occasion_id,
        title=event.title,
        counts_from=min(event.issued_on, _local_date(event.occurred_at, timezone)),
        due_on=rules.due_on("policy_issued", event.issued_on),
        sector_codes=event.sector_codes,
        region_patterns=scope_patterns(event.region_codes),
        opened_at=event.occurred_at,
    )
    uow.record(*(events.obligation_opened(o) for o in opened))
    return len(opened)


async def open_for_occasion(
    event: ev.OccasionDeclaredV1, uow: VisitsUnitOfWork, *, rules: DueRules, timezone: str
) -> int:
    """八必访 nos. 1, 2, 4, 8 (and 3 if declared as an occasion rather than a policy)."""
    opened = await uow.obligations.open_for_sectors(
        kind=event.kind,
        source_id=event.occasion_id,
        title=event.title,
        counts_from=min(event.occurs_on, _local_date(event.occurred_at, timezone)),
        due_on=rules.due_on(event.kind, event.occurs_on),
        sector_codes=event.sector_codes,
        region_patterns=scope_patterns(event.region_codes),
        opened_at=event.occurred_at,
    )
    uow.record(*(events.obligation_opened(o) for o in opened))
    return len(opened)


async def open_for_circumstance(
    event: ev.CircumstanceReportedV1, uow: VisitsUnitOfWork, *, rules: DueRules, timezone: str
) -> int:
    """八必访 nos. 5-7: the liaison's own member must visit them."""
    kind = CIRCUMSTANCE_OCCASIONS[event.kind]
    reported_on = _local_date(event.occurred_at, timezone)
    opened = await uow.obligations.open_for_member(
        member_id=event.member_id,
        kind=kind,
        source_id=event.report_id,
        title=f"{CIRCUMSTANCE_TITLES[kind]}: {event.display_name}",
        counts_from=reported_on,
        due_on=rules.due_on(kind, reported_on),
        liaison_id=event.liaison_id,
        opened_at=event.occurred_at,
    )
    uow.record(*(events.obligation_opened(o) for o in opened))
    return len(opened)


def local_today(clock: Clock, timezone: str) -> date:
    return _local_date(clock.now(), timezone)


def _local_date(at: datetime, timezone: str) -> date:
    return at.astimezone(ZoneInfo(timezone)).date()


async def sweep_once(
    uow_factory: Callable[[], VisitsUnitOfWork],
    *,
    clock: Clock,
    timezone: str,
    escalate_after_days: int,
    batch_size: int,
) -> tuple[int, int]:
    """One pass: past-due obligations turn overdue, long-overdue ones climb the ladder.

    Each batch is its own transaction whose rows are locked SKIP LOCKED, so every replica can
    sweep at once and none marks or announces a row twice. Returns (overdue, escalated).
    """
    today = local_today(clock, timezone)
    now = clock.now()
    overdue = escalated = 0
    while True:
        async with uow_factory() as uow:
            rows = await uow.obligations.mark_overdue(today=today, limit=batch_size)
            uow.record(*(events.obligation_overdue(o, now) for o in rows))
            await uow.commit()
        overdue += len(rows)
        if len(rows) < batch_size:
            break
    while True:
        changed = await _escalate_batch(uow_factory, today, now, escalate_after_days, batch_size)
        escalated += changed
        if changed < batch_size:
            return overdue, escalated


async def _escalate_batch(
    uow_factory: Callable[[], VisitsUnitOfWork],
    today: date,
    now: datetime,
    after_days: int,
    batch_size: int,
) -> int:
    async with uow_factory() as uow:
        due = await uow.obligations.due_for_escalation(
            today=today, after_days=after_days, limit=batch_size
        )
        for o in due:
            step = next_escalation(
                level=o.escalation_level,
                due_on=o.due_on,
                today=today,
                after_days=after_days,
                special_committee_code=o.special_committee_code,
                region_code=o.region_code,
            )
            assert step is not None, "the query selects only rows due for a step"
            await uow.obligations.escalate(o.id, level=step.level, to=step.to)
            uow.record(events.obligation_escalated(o, now, level=step.level, to=step.to))
        await uow.commit()
    return len(due)
