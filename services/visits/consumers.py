"""Visits' consumer group: the members service's events keep the roster and open obligations."""

from __future__ import annotations

from functools import partial

from services.visits.domain.obligations import DueRules
from services.visits.handlers import obligations, roster
from services.visits.settings import VisitsSettings
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.contracts import members as ev
from shared.contracts import topics
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
    return DueRules({kind: getattr(settings, f"due_days_{kind}") for kind in kinds})


def members_events(settings: VisitsSettings) -> ConsumerSpec:
    """One group over every members topic: roster changes and occasions, each in key order."""
    rules = due_rules(settings)
    return ConsumerSpec(
        group=GROUP,
        topics=[
            topics.MEMBERS_MEMBER.name,
            topics.MEMBERS_LIAISON.name,
            topics.MEMBERS_WORKSTATION.name,
            topics.MEMBERS_POLICY.name,
            topics.MEMBERS_OCCASION.name,
        ],
        handlers={
            ev.MemberRegisteredV1: roster.member_registered_or_updated,
            ev.MemberUpdatedV1: roster.member_registered_or_updated,
            ev.MemberRetiredV1: roster.member_retired,
            ev.UnitLinkedV1: roster.unit_linked,
            ev.LiaisonLinkedV1: roster.liaison_changed,
            ev.LiaisonUpdatedV1: roster.liaison_changed,
            ev.LiaisonUnlinkedV1: roster.liaison_changed,
            ev.WorkstationOpenedV1: roster.workstation_changed,
            ev.WorkstationChangedV1: roster.workstation_changed,
            ev.WorkstationClosedV1: roster.workstation_changed,
            ev.PolicyIssuedV1: partial(
                obligations.open_for_policy, rules=rules, timezone=settings.timezone
            ),
            ev.OccasionDeclaredV1: partial(
                obligations.open_for_occasion, rules=rules, timezone=settings.timezone
            ),
            ev.CircumstanceReportedV1: partial(
                obligations.open_for_circumstance, rules=rules, timezone=settings.timezone
            ),
        },
        uow_factory=VisitsUnitOfWork,
    )
