"""De-identification for the data-platform feed: keyed pseudonyms and the fact mappings (pure).

Only codes, dates, counts and pseudonyms are copied; anything that could name a person (names,
phones, titles, free text, liaison ids) is left behind by construction: each fact lists the
fields it keeps instead of dropping the ones it should not.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any
from uuid import UUID

from services.reporting.event_families import ConcernEvent, ObligationEvent
from shared.contracts import visits as v
from shared.contracts.base import IntegrationEvent
from shared.contracts.dataplatform import (
    DataPlatformConcernChangedV1,
    DataPlatformObligationChangedV1,
    DataPlatformVisitRecordedV1,
)
from shared.contracts.members import SectorCode

PSEUDONYM_HEX_CHARS = 32
# Feed events get ids derived from their source event, so a replay or rebuild republishes the
# same ids and the data platform can deduplicate them.
_FEED_NAMESPACE = uuid.UUID("9a0f7c2e-4c61-4d7e-9a55-2f0d6f4e8b31")


class Pseudonymizer:
    """HMAC-SHA256(key, id), hex, truncated: stable for one key, unlinkable without it."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key must be at least 16 bytes")
        self._key = key

    def __call__(self, value: UUID) -> str:
        digest = hmac.new(self._key, str(value).encode(), hashlib.sha256).hexdigest()
        return digest[:PSEUDONYM_HEX_CHARS]


def _common(event: IntegrationEvent, sector_code: SectorCode) -> dict[str, Any]:
    return {
        "event_id": uuid.uuid5(_FEED_NAMESPACE, str(event.event_id)),
        "occurred_at": event.occurred_at,
        "region_code": event.region_code,
        "sector_code": sector_code,
    }


def visit_fact(event: v.VisitRecordedV1, ref: Pseudonymizer) -> DataPlatformVisitRecordedV1:
    return DataPlatformVisitRecordedV1(
        **_common(event, event.sector_code),
        visit_ref=ref(event.visit_id),
        member_ref=ref(event.member_id),
        channel=event.channel,
        occasion=event.occasion,
        occurred_on=event.occurred_on,
        place_kind=event.place_kind,
        liaisons_contacted=len(set(event.liaison_ids)),
        people_reached=event.people_reached,
        heart_to_heart_talks=event.heart_to_heart_talks,
        obligations_fulfilled=len(event.fulfilled_obligation_ids),
    )


def obligation_fact(event: ObligationEvent, ref: Pseudonymizer) -> DataPlatformObligationChangedV1:
    facts: dict[str, Any] = {"fact": event.event_type_name.split(".")[2]}
    if isinstance(event, v.ObligationFulfilledV1):
        facts |= {"fulfilled_on": event.fulfilled_on, "on_time": event.on_time}
    elif isinstance(event, v.ObligationEscalatedV1):
        facts["escalation_level"] = event.level
    return DataPlatformObligationChangedV1(
        **_common(event, event.sector_code),
        **facts,
        obligation_ref=ref(event.obligation_id),
        member_ref=ref(event.member_id),
        occasion_kind=event.occasion_kind,
        due_on=event.due_on,
    )


def concern_fact(event: ConcernEvent, ref: Pseudonymizer) -> DataPlatformConcernChangedV1:
    return DataPlatformConcernChangedV1(
        **_common(event, event.sector_code),
        **_concern_facts(event, ref),
        fact=event.event_type_name.split(".")[2],  # type: ignore[arg-type]
        concern_ref=ref(event.concern_id),
        member_ref=ref(event.member_id),
    )


def _concern_facts(event: ConcernEvent, ref: Pseudonymizer) -> dict[str, Any]:
    match event:
        case v.ConcernSubmittedV1():
            return {"kind": event.kind, "source": event.source}
        case v.ConcernMergedV1():
            return {"merged_into_ref": ref(event.merged_into)}
        case v.ConcernAssignedV1():
            return {
                "department_code": event.department_code,
                "due_on": event.due_on,
                "round": event.round,
            }
        case v.ConcernRepliedV1():
            return {
                "department_code": event.department_code,
                "replied_on": event.replied_on,
                "on_time": event.on_time,
                "round": event.round,
            }
        case v.ConcernRatedV1():
            return {
                "satisfaction": event.satisfaction,
                "resolved": event.resolved,
                "round": event.round,
            }
        case v.ConcernClosedV1():
            return {"resolved": event.resolved}
        case v.ConcernUpgradedV1():
            return {"upgraded_to": event.upgraded_to}
        case _:
            return {}
