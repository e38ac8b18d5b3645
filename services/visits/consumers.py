"""Visits' consumer group: the members service's events keep the roster and open obligations.

Each use case takes one event; the group reads the topics those event types are published on.
"""

from __future__ import annotations

from functools import partial

from services.visits.domain.obligations import DueRules
from services.visits.handlers import departments, obligations, roster
from services.visits.settings import VisitsSettings
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.contracts import members as ev
from shared.messaging.handlers import each
from shared.runtime import ConsumerSpec

GROUP = "visits.members-events"


def due_rules(settings: VisitsSettings) -> DueRules:
    kinds = (
        "leader_speech",
        "congress_closed",
        "policy_issued",
        "liaison_life_change",
        "liaison_request",
        "liaison_hardship",
        "sector_festival",
    )
    days = {kind: getattr(settings, f"due_days_{kind}") for kind in kinds}
    return DueRules(days, from_entry=settings.due_from_entry)


def members_events(settings: VisitsSettings) -> ConsumerSpec[VisitsUnitOfWork]:
    """One group over every members topic: roster changes and occasions, each in key order."""
    rules, timezone = due_rules(settings), settings.timezone
    return ConsumerSpec(
        group=GROUP,
        handlers=[
            each(ev.MemberRegisteredV1, roster.member_registered_or_updated),
            each(ev.MemberUpdatedV1, roster.member_registered_or_updated),
            each(ev.MemberRetiredV1, roster.member_retired),
            each(ev.UnitLinkedV1, roster.unit_linked),
            each(ev.LiaisonLinkedV1, roster.liaison_changed),
            each(ev.LiaisonUpdatedV1, roster.liaison_changed),
            each(ev.LiaisonUnlinkedV1, roster.liaison_changed),
            each(ev.WorkstationOpenedV1, roster.workstation_changed),
            each(ev.WorkstationChangedV1, roster.workstation_changed),
            each(ev.WorkstationClosedV1, roster.workstation_changed),
            each(ev.DepartmentRegisteredV1, departments.department_changed),
            each(ev.DepartmentUpdatedV1, departments.department_changed),
            each(
                ev.PolicyIssuedV1,
                partial(obligations.open_for_policy, rules=rules, timezone=timezone),
            ),
            each(
                ev.OccasionDeclaredV1,
                partial(obligations.open_for_occasion, rules=rules, timezone=timezone),
            ),
            each(
                ev.CircumstanceReportedV1,
                partial(obligations.open_for_circumstance, rules=rules, timezone=timezone),
            ),
        ],
        uow_factory=VisitsUnitOfWork,
    )
