"""Which events tell whom what: pure functions from an event (and read-model facts) to reactions.

Recipients come only from events and the local read model, never from another service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from services.notifications.domain.kinds import occasion_label
from services.notifications.domain.recipients import (
    constituent_key,
    department_key,
    liaison_key,
    member_key,
    office_key,
)
from shared.contracts import members as m
from shared.contracts import visits as v


@dataclass(frozen=True)
class SectorAudience:
    """Every active member of these sectors within these region scopes (a policy's readers)."""

    sector_codes: tuple[str, ...]
    region_codes: tuple[str, ...]


@dataclass(frozen=True)
class Reaction:
    kind: str
    region_code: str
    variables: dict[str, str]
    recipients: tuple[str, ...] = ()
    audience: SectorAudience | None = None


@dataclass(frozen=True)
class ConcernOrigin:
    source: str
    liaison_id: UUID | None = None
    department_code: str | None = None
    submitted_by: str | None = None


def concern_ref(concern_id: UUID) -> str:
    """A short reference a person can quote (the random tail of the id)."""
    return concern_id.hex[-8:].upper()


def obligation_opened(e: v.ObligationOpenedV1) -> list[Reaction]:
    variables = {
        "occasion": occasion_label(e.occasion_kind),
        "title": e.title,
        "due_on": e.due_on.isoformat(),
    }
    return [Reaction("obligation_opened", e.region_code, variables, (member_key(e.member_id),))]


def obligation_reminder(
    *, member_id: UUID, region_code: str, occasion_kind: str, due_on: date, today: date
) -> list[Reaction]:
    variables = {
        "occasion": occasion_label(occasion_kind),
        "due_on": due_on.isoformat(),
        "days_left": str((due_on - today).days),
    }
    return [Reaction("obligation_reminder", region_code, variables, (member_key(member_id),))]


def obligation_overdue(e: v.ObligationOverdueV1) -> list[Reaction]:
    variables = {"occasion": occasion_label(e.occasion_kind), "due_on": e.due_on.isoformat()}
    return [Reaction("obligation_overdue", e.region_code, variables, (member_key(e.member_id),))]


def obligation_escalated(e: v.ObligationEscalatedV1, member_name: str | None) -> list[Reaction]:
    """To whoever it reached: the guiding special committee (level 1) or the city office (2)."""
    variables = {
        "occasion": occasion_label(e.occasion_kind),
        "due_on": e.due_on.isoformat(),
        "member_name": member_name or "委员",
        "level": str(e.level),
    }
    to = (office_key(e.escalated_to),)
    return [Reaction("obligation_escalated", e.region_code, variables, to)]


def policy_issued(e: m.PolicyIssuedV1) -> list[Reaction]:
    audience = SectorAudience(tuple(e.sector_codes), tuple(e.region_codes))
    variables = {"title": e.title, "issued_on": e.issued_on.isoformat()}
    return [Reaction("policy_issued", e.region_code, variables, audience=audience)]


def circumstance_reported(e: m.CircumstanceReportedV1) -> list[Reaction]:
    """Hardship (urgent) and requests go to the liaison's member at once; life changes wait for
    the obligation visits opens."""
    if e.kind == "life_change":
        return []
    kind = "liaison_hardship" if e.kind == "hardship" else "liaison_request"
    variables = {"liaison_name": e.display_name}
    return [Reaction(kind, e.region_code, variables, (member_key(e.member_id),))]


def concern_assigned(e: v.ConcernAssignedV1) -> list[Reaction]:
    variables = {
        "concern_ref": concern_ref(e.concern_id),
        "due_on": e.due_on.isoformat(),
        "round": str(e.round),
    }
    to = (department_key(e.department_code),)
    return [Reaction("concern_assigned", e.region_code, variables, to)]


def concern_replied(e: v.ConcernRepliedV1, origin: ConcernOrigin | None) -> list[Reaction]:
    """The member always; an online submitter is asked to rate, in their own inbox (or their
    liaison's, for submissions that came without an account). A contact-record concern's
    submitter is reached through the member."""
    ref = concern_ref(e.concern_id)
    to_member = Reaction(
        "concern_replied",
        e.region_code,
        {"concern_ref": ref, "replied_on": e.replied_on.isoformat()},
        (member_key(e.member_id),),
    )
    if origin is None or origin.source != "online":
        return [to_member]
    if origin.submitted_by:
        submitter = constituent_key(origin.submitted_by)
    elif origin.liaison_id is not None:
        submitter = liaison_key(origin.liaison_id)
    else:
        return [to_member]
    to_submitter = Reaction(
        "concern_rate_request", e.region_code, {"concern_ref": ref}, (submitter,)
    )
    return [to_member, to_submitter]


def concern_reopened(e: v.ConcernReopenedV1, origin: ConcernOrigin | None) -> list[Reaction]:
    to = [member_key(e.member_id)]
    if origin is not None and origin.department_code:
        to.append(department_key(origin.department_code))
    return [
        Reaction(
            "concern_reopened", e.region_code, {"concern_ref": concern_ref(e.concern_id)}, tuple(to)
        )
    ]
