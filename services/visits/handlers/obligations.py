"""Opening must-visit obligations from occasions, and the overdue and escalation sweep."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.visits import events
from services.visits.commands import EscalateOverdue, MarkOverdue, SweepObligations
from services.visits.domain.obligations import (
    CIRCUMSTANCE_OCCASIONS,
    CIRCUMSTANCE_TITLES,
    DueRules,
    SweepRun,
    next_escalation,
    scope_patterns,
)
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.auth import Principal, Role
from shared.contracts import members as ev
from shared.errors import Forbidden
from shared.kernel import Clock, FixedClock

# Who may run the sweep on demand: the offices that answer for the escalations it raises.
SWEEP_OPERATORS = (Role.PROVINCE_ADMIN, Role.CITY_ADMIN)


async def open_for_policy(
    event: ev.PolicyIssuedV1, uow: VisitsUnitOfWork, *, rules: DueRules, timezone: str
) -> int:
    """八必访 no. 3: every active member of the policy's sectors in its regions."""
    opened = await uow.obligations.open_for_sectors(
        kind="policy_issued",
        source_id=event.occasion_id,
        title=event.title,
        counts_from=min(event.issued_on, _local_date(event.occurred_at, timezone)),
        due_on=rules.due_on(
            "policy_issued", event.issued_on, _local_date(event.occurred_at, timezone)
        ),
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
        due_on=rules.due_on(event.kind, event.occurs_on, _local_date(event.occurred_at, timezone)),
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


async def mark_overdue(
    cmd: MarkOverdue, *, uow: VisitsUnitOfWork, clock: Clock, timezone: str
) -> int:
    """One batch: open obligations past their due date turn overdue (and say so).

    Its rows are locked SKIP LOCKED, so every replica can sweep at once and none marks or
    announces a row twice. Returns how many turned overdue.
    """
    today, now = local_today(clock, timezone), clock.now()
    async with uow:
        rows = await uow.obligations.mark_overdue(today=today, limit=cmd.limit)
        uow.record(*(events.obligation_overdue(o, now) for o in rows))
        await uow.commit()
    return len(rows)


async def escalate_overdue(
    cmd: EscalateOverdue, *, uow: VisitsUnitOfWork, clock: Clock, timezone: str
) -> int:
    """One batch: long-overdue obligations climb the ladder one rung; returns how many did."""
    today, now = local_today(clock, timezone), clock.now()
    async with uow:
        due = await uow.obligations.due_for_escalation(
            today=today, after_days=cmd.after_days, limit=cmd.limit
        )
        for o in due:
            step = next_escalation(
                level=o.escalation_level,
                due_on=o.due_on,
                today=today,
                after_days=cmd.after_days,
                special_committee_code=o.special_committee_code,
                region_code=o.region_code,
            )
            assert step is not None, "the query selects only rows due for a step"
            await uow.obligations.escalate(o.id, level=step.level, to=step.to)
            uow.record(events.obligation_escalated(o, now, level=step.level, to=step.to))
        await uow.commit()
    return len(due)


async def sweep_obligations(
    cmd: SweepObligations,
    *,
    principal: Principal | None,
    uow_factory: Callable[[], VisitsUnitOfWork],
    clock: Clock,
    timezone: str,
) -> SweepRun:
    """One pass: past-due obligations turn overdue, long-overdue ones climb the ladder.

    Each batch is its own transaction; the pass is recorded as its trigger's last run. The
    schedule runs it without a principal; on demand, only the province and city offices may.
    """
    if principal is not None and principal.role not in SWEEP_OPERATORS:
        raise Forbidden("only the province and city offices run the sweep")
    # One instant for the whole pass: a pass that crosses midnight still sees one "today".
    started_at = clock.now()
    at = FixedClock(started_at)
    overdue = await _batches(
        lambda: mark_overdue(
            MarkOverdue(cmd.batch_size), uow=uow_factory(), clock=at, timezone=timezone
        ),
        cmd.batch_size,
    )
    escalate = EscalateOverdue(after_days=cmd.escalate_after_days, limit=cmd.batch_size)
    escalated = await _batches(
        lambda: escalate_overdue(escalate, uow=uow_factory(), clock=at, timezone=timezone),
        cmd.batch_size,
    )
    run = SweepRun(
        cmd.trigger,
        principal.subject if principal else None,
        started_at,
        clock.now(),
        overdue,
        escalated,
    )
    uow = uow_factory()
    async with uow:
        await uow.obligations.record_sweep(run)
        await uow.commit()
    return run


async def _batches(batch: Callable[[], Awaitable[int]], size: int) -> int:
    done = 0
    while True:
        n = await batch()
        done += n
        if n < size:
            return done
