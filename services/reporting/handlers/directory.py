"""Member, liaison and workstation dimensions from members.member, .liaison and .workstation.

Each run is merged per id (the newest fact by its own timestamp wins) and written set-based.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from services.reporting.domain import local_day
from services.reporting.handlers.timeline import timeline_entry
from services.reporting.repository.directory import LiaisonChange, Profile, WorkstationState
from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts import members as m

MemberEvent = m.MemberRegisteredV1 | m.MemberUpdatedV1 | m.MemberRetiredV1
LiaisonEvent = m.LiaisonLinkedV1 | m.LiaisonUnlinkedV1
WorkstationEvent = m.WorkstationOpenedV1 | m.WorkstationChangedV1 | m.WorkstationClosedV1


async def apply_member_events(events: Sequence[MemberEvent], uow: ReportingUnitOfWork) -> None:
    profiles: dict[UUID, Profile] = {}
    for e in events:
        profiles[e.member_id] = _merge_profile(profiles.get(e.member_id), e)
    await uow.directory.save_profiles(list(profiles.values()))
    await uow.timeline.append_all(
        [timeline_entry(e, member_id=e.member_id, subject_id=None) for e in events]
    )


def _merge_profile(seen: Profile | None, e: MemberEvent) -> Profile:
    p = seen or Profile(e.member_id, e.region_code, None, None, None, None, None, None, None)
    if isinstance(e, m.MemberRetiredV1):
        status: tuple[str | None, object] = ("retired", e.occurred_at)
    elif isinstance(e, m.MemberUpdatedV1):
        status = (e.status, e.occurred_at)
    else:
        status = (None, None)
    if status[0] is not None and (p.status_at is None or p.status_at <= e.occurred_at):
        p = replace(p, status=status[0], status_at=e.occurred_at)
    if not isinstance(e, m.MemberRetiredV1) and (p.at is None or p.at <= e.occurred_at):
        p = Profile(
            e.member_id,
            e.region_code,
            e.occurred_at,
            e.full_name,
            e.sector_code,
            e.committee_code,
            e.special_committee_code,
            p.status,
            p.status_at,
        )
    return p


async def apply_liaison_events(events: Sequence[LiaisonEvent], uow: ReportingUnitOfWork) -> None:
    changes: dict[UUID, LiaisonChange] = {}
    for e in events:
        changes[e.liaison_id] = _merge_liaison(changes.get(e.liaison_id), e)
    await uow.directory.change_liaisons(list(changes.values()))


def _merge_liaison(seen: LiaisonChange | None, e: LiaisonEvent) -> LiaisonChange:
    day = local_day(e.occurred_at)
    c = seen or LiaisonChange(e.liaison_id, e.member_id, e.region_code, None, None, None)
    if isinstance(e, m.LiaisonUnlinkedV1):
        unlinked = day if c.unlinked_on is None else max(c.unlinked_on, day)
        return LiaisonChange(
            c.liaison_id, c.member_id, c.region_code, c.sector_code, c.linked_on, unlinked
        )
    if c.linked_on is not None and day < c.linked_on:
        return c
    return LiaisonChange(
        e.liaison_id, e.member_id, e.region_code, e.sector_code, day, c.unlinked_on
    )


async def apply_workstation_events(
    events: Sequence[WorkstationEvent], uow: ReportingUnitOfWork
) -> None:
    states: dict[UUID, WorkstationState] = {}
    for e in events:
        seen = states.get(e.workstation_id)
        if seen is None or seen.at <= e.occurred_at:
            states[e.workstation_id] = _workstation_state(e, seen)
    await uow.directory.save_workstations(list(states.values()))


def _workstation_state(e: WorkstationEvent, seen: WorkstationState | None) -> WorkstationState:
    if isinstance(e, m.WorkstationClosedV1):
        # A close carries no name or kind: keep what is known (the row keeps its own if any).
        kind, name = (seen.kind, seen.name) if seen else ("workstation", "")
        return WorkstationState(
            e.workstation_id, e.region_code, kind, name, e.occurred_at, True, ()
        )
    return WorkstationState(
        e.workstation_id,
        e.region_code,
        e.kind,
        e.name,
        e.occurred_at,
        False,
        tuple(e.member_ids),
    )
