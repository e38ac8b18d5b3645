"""Consumer handlers: the recipient read model, and reactions to obligations, concerns, policies
and liaison circumstances. Each runs inside the batch's transaction (see shared.messaging.batch).
"""

from __future__ import annotations

from services.notifications.domain import reactions as react
from services.notifications.domain.recipients import member_key
from services.notifications.handlers.notify import Notifier
from services.notifications.unit_of_work import NotificationsUnitOfWork as Uow
from shared.contracts import members as m
from shared.contracts import visits as v
from shared.messaging.handlers import Handles, each


async def remember_recipient(event: m.MemberRegisteredV1 | m.MemberUpdatedV1, uow: Uow) -> None:
    await uow.recipients.upsert(event)


async def retire_recipient(event: m.MemberRetiredV1, uow: Uow) -> None:
    await uow.recipients.retire(event)


def reaction_handlers(n: Notifier) -> list[Handles[Uow]]:
    """One handler per event type the reactions group applies."""

    async def opened(e: v.ObligationOpenedV1, uow: Uow) -> None:
        await uow.watch.watch(e)
        await n.notify(e, react.obligation_opened(e), uow)

    async def overdue(e: v.ObligationOverdueV1, uow: Uow) -> None:
        await n.notify(e, react.obligation_overdue(e), uow)

    async def escalated(e: v.ObligationEscalatedV1, uow: Uow) -> None:
        name = await uow.recipients.name_of(e.member_id)
        await n.notify(e, react.obligation_escalated(e, name), uow)

    async def policy(e: m.PolicyIssuedV1, uow: Uow) -> None:
        await n.notify(e, react.policy_issued(e), uow)

    async def circumstance(e: m.CircumstanceReportedV1, uow: Uow) -> None:
        await n.notify(e, react.circumstance_reported(e), uow)

    async def submitted(e: v.ConcernSubmittedV1, uow: Uow) -> None:
        await uow.concerns.remember(e.concern_id, e.source, e.liaison_id, e.submitted_by)

    async def assigned(e: v.ConcernAssignedV1, uow: Uow) -> None:
        await uow.concerns.assigned(e.concern_id, e.department_code)
        await n.notify(e, react.concern_assigned(e), uow)

    async def replied(e: v.ConcernRepliedV1, uow: Uow) -> None:
        origin = await uow.concerns.get(e.concern_id)
        await n.notify(e, react.concern_replied(e, origin), uow)

    async def reopened(e: v.ConcernReopenedV1, uow: Uow) -> None:
        origin = await uow.concerns.get(e.concern_id)
        await n.notify(e, react.concern_reopened(e, origin), uow)

    async def retired(e: m.MemberRetiredV1, uow: Uow) -> None:
        """Nothing more goes out to a member who left (the inbox keeps what it has)."""
        await uow.deliveries.cancel_pending(member_key(e.member_id), n.clock.now())

    async def settled(e: v.ObligationFulfilledV1 | v.ObligationWithdrawnV1, uow: Uow) -> None:
        await uow.watch.settle(e.obligation_id)

    return [
        each(v.ObligationOpenedV1, opened),
        each(v.ObligationFulfilledV1, settled),
        each(v.ObligationWithdrawnV1, settled),
        each(v.ObligationOverdueV1, overdue),
        each(v.ObligationEscalatedV1, escalated),
        each(m.PolicyIssuedV1, policy),
        each(m.CircumstanceReportedV1, circumstance),
        each(v.ConcernSubmittedV1, submitted),
        each(v.ConcernAssignedV1, assigned),
        each(v.ConcernRepliedV1, replied),
        each(v.ConcernReopenedV1, reopened),
        each(m.MemberRetiredV1, retired),
    ]
