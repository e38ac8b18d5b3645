"""Contact records (走访记录): what makes one valid, and which obligations it fulfils."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from shared.contracts.visits import Channel, OccasionKind, PlaceKind, VisitOccasion
from shared.errors import InvalidInput


@dataclass(frozen=True)
class ContactRecord:
    id: UUID
    member_id: UUID
    region_code: str
    sector_code: str
    channel: Channel
    occasion: VisitOccasion
    occurred_on: date
    place_kind: PlaceKind
    place_id: UUID | None
    place_name: str | None
    liaison_ids: list[UUID]
    people_reached: int
    heart_to_heart_talks: int
    summary: str
    evidence: list[dict[str, str]]
    recorded_by: str
    recorded_by_role: str
    recorded_at: datetime
    fulfilled_obligation_ids: list[UUID] = field(default_factory=list)


@dataclass(frozen=True)
class OwedObligation:
    id: UUID
    occasion_kind: OccasionKind
    liaison_id: UUID | None
    counts_from: date
    due_on: date


def check_record(record: ContactRecord, *, today: date) -> None:
    if record.occurred_on > today:
        raise InvalidInput("occurred_on is in the future")
    if record.heart_to_heart_talks > record.people_reached:
        raise InvalidInput("heart_to_heart_talks cannot exceed people_reached")
    if len(set(record.liaison_ids)) != len(record.liaison_ids):
        raise InvalidInput("liaison_ids lists a liaison twice")


def obligations_fulfilled(
    record: ContactRecord, owed: list[OwedObligation], named: list[UUID] | None
) -> list[OwedObligation]:
    """What this record fulfils.

    Named obligations, when given, must all be owed by this member for the record's occasion.
    Otherwise: every owed obligation of the record's occasion that counts from on or before the
    visit's date; for a liaison's circumstance only if that liaison was among those contacted.
    """
    if record.occasion == "routine":
        if named:
            raise InvalidInput("a routine visit fulfils no obligation; name its occasion")
        return []
    matching = [
        o
        for o in owed
        if o.occasion_kind == record.occasion
        and o.counts_from <= record.occurred_on
        and (o.liaison_id is None or o.liaison_id in record.liaison_ids)
    ]
    if named is None:
        return matching
    by_id = {o.id: o for o in matching}
    missing = [str(i) for i in named if i not in by_id]
    if missing:
        raise InvalidInput(f"not owed for this occasion and visit: {', '.join(missing)}")
    return [by_id[i] for i in named]
