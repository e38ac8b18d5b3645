"""Visits' repositories as dicts behind the methods the handlers call, and a unit of work over
them, so every visits use case runs in milliseconds (cosmicpython's fakes)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from services.visits.domain.concerns import Liaison
from services.visits.domain.obligations import OWED, SweepRun
from services.visits.domain.visits import ContactRecord, OwedObligation
from services.visits.repository.obligations import ObligationRow
from services.visits.repository.roster import RosterMember
from shared.auth import Principal, Role
from shared.contracts import members as ev
from tests.support.fakes import FakeUnitOfWork
from tests.unit.visits.fake_concerns import FakeConcerns, FakeDispatches
from tests.unit.visits.fake_departments import FakeDepartments

# 10:00 in Heilongjiang on 10 September 2026 (02:00 UTC): "today" is the 10th either way.
NOW = datetime(2026, 9, 10, 2, tzinfo=UTC)
TODAY = date(2026, 9, 10)
TIMEZONE = "Asia/Shanghai"


class FakeRoster:
    def __init__(self) -> None:
        self.members: dict[UUID, RosterMember] = {}
        self.updated: dict[UUID, datetime] = {}
        self.liaisons: dict[UUID, tuple[UUID, bool, Liaison]] = {}  # id → member, linked, card
        self.workstations: dict[UUID, tuple[str, bool]] = {}  # id → name, open

    def add_member(self, region_code: str = "230302", **values: Any) -> RosterMember:
        member = RosterMember(
            **{
                "member_id": uuid4(),
                "region_code": region_code,
                "sector_code": "education",
                "special_committee_code": None,
                "status": "active",
                "unit_id": None,
                "unit_name": None,
                **values,
            }
        )
        self.members[member.member_id] = member
        return member

    def add_liaison(self, member_id: UUID, *, consent: bool = False) -> UUID:
        liaison_id = uuid4()
        self.liaisons[liaison_id] = (member_id, True, Liaison(liaison_id, "李*芳", consent))
        return liaison_id

    async def upsert_member(self, e: ev.MemberRegisteredV1 | ev.MemberUpdatedV1) -> None:
        if e.member_id in self.updated and self.updated[e.member_id] > e.occurred_at:
            return  # an older event delivered late
        status = e.status if isinstance(e, ev.MemberUpdatedV1) else "active"
        known = self.members.get(e.member_id)
        self.members[e.member_id] = RosterMember(
            e.member_id,
            e.region_code,
            e.sector_code,
            e.special_committee_code,
            status,
            known.unit_id if known else None,
            known.unit_name if known else None,
        )
        self.updated[e.member_id] = e.occurred_at

    async def retire_member(self, member_id: UUID, at: datetime) -> None:
        self.members[member_id] = replace(self.members[member_id], status="retired")
        self.updated[member_id] = at

    async def link_unit(self, e: ev.UnitLinkedV1) -> None:
        member = self.members[e.member_id]
        self.members[e.member_id] = replace(member, unit_id=e.unit_id, unit_name=e.unit_name)

    async def member(self, member_id: UUID) -> RosterMember | None:
        return self.members.get(member_id)

    async def upsert_liaison(
        self, e: ev.LiaisonLinkedV1 | ev.LiaisonUpdatedV1 | ev.LiaisonUnlinkedV1
    ) -> None:
        known = self.liaisons.get(e.liaison_id)
        card = Liaison(
            e.liaison_id,
            getattr(e, "display_name", None) or (known[2].display_name if known else ""),
            getattr(e, "consent_to_departments", None) or False,
        )
        self.liaisons[e.liaison_id] = (e.member_id, not isinstance(e, ev.LiaisonUnlinkedV1), card)

    async def linked_liaisons(self, member_id: UUID) -> set[UUID]:
        return {i for i, (m, linked, _) in self.liaisons.items() if m == member_id and linked}

    async def upsert_workstation(
        self, e: ev.WorkstationOpenedV1 | ev.WorkstationChangedV1 | ev.WorkstationClosedV1
    ) -> None:
        if isinstance(e, ev.WorkstationClosedV1):
            name, _ = self.workstations[e.workstation_id]
            self.workstations[e.workstation_id] = (name, False)
        else:
            self.workstations[e.workstation_id] = (e.name, True)

    async def open_workstation_name(self, workstation_id: UUID) -> str | None:
        name, is_open = self.workstations.get(workstation_id, (None, False))
        return name if is_open else None


class FakeObligations:
    def __init__(self, roster: FakeRoster) -> None:
        self.roster = roster
        self.rows: dict[UUID, ObligationRow] = {}
        self.counts_from: dict[UUID, date] = {}
        self.sweeps: dict[str, SweepRun] = {}

    def add(self, member: RosterMember, kind: str, *, due_on: date, **values: Any) -> ObligationRow:
        """An obligation already owed (test set-up)."""
        row = self._row(member, kind, uuid4(), "t", due_on, datetime(2026, 1, 1, tzinfo=UTC))
        row = replace(row, **values)
        self.rows[row.id], self.counts_from[row.id] = row, due_on - timedelta(days=30)
        return row

    def _row(
        self,
        m: RosterMember,
        kind: str,
        source_id: UUID,
        title: str,
        due_on: date,
        opened_at: datetime,
        liaison_id: UUID | None = None,
    ) -> ObligationRow:
        return ObligationRow(
            uuid4(),
            m.member_id,
            m.region_code,
            m.sector_code,
            m.special_committee_code,
            kind,
            source_id,
            title,
            liaison_id,
            due_on,
            "open",
            0,
            None,
            None,
            None,
            opened_at,
        )

    def _open(
        self, members: list[RosterMember], counts_from: date, **values: Any
    ) -> list[ObligationRow]:
        taken = {(o.member_id, o.source_id) for o in self.rows.values()}
        opened = [
            self._row(m, **values)
            for m in members
            if (m.member_id, values["source_id"]) not in taken
        ]
        for o in opened:
            self.rows[o.id], self.counts_from[o.id] = o, counts_from
        return opened

    async def open_for_sectors(
        self,
        *,
        sector_codes: list[str],
        region_patterns: list[str],
        counts_from: date,
        **values: Any,
    ) -> list[ObligationRow]:
        prefixes = [p.removesuffix("%") for p in region_patterns]
        members = [
            m
            for m in self.roster.members.values()
            if m.status == "active"
            and m.sector_code in sector_codes
            and any(m.region_code.startswith(p) for p in prefixes)
        ]
        return self._open(members, counts_from, **values)

    async def open_for_member(
        self, *, member_id: UUID, counts_from: date, **values: Any
    ) -> list[ObligationRow]:
        m = self.roster.members.get(member_id)
        return self._open([m] if m and m.status == "active" else [], counts_from, **values)

    async def owed_by(self, member_id: UUID) -> list[OwedObligation]:
        owed = [o for o in self.rows.values() if o.member_id == member_id and o.status in OWED]
        return [self._owed(o) for o in sorted(owed, key=lambda o: (o.due_on, o.id))]

    def _owed(self, o: ObligationRow) -> OwedObligation:
        kind: Any = o.occasion_kind  # the row's text is one of the occasion kinds
        return OwedObligation(o.id, kind, o.liaison_id, self.counts_from[o.id], o.due_on)

    def _update(self, ids: list[UUID], **values: Any) -> list[ObligationRow]:
        for i in ids:
            self.rows[i] = replace(self.rows[i], **values)
        return [self.rows[i] for i in ids]

    async def fulfil(
        self, ids: list[UUID], *, visit_id: UUID, fulfilled_on: date, at: datetime
    ) -> list[ObligationRow]:
        owed = [i for i in ids if self.rows[i].status in OWED]
        return self._update(
            owed, status="fulfilled", fulfilled_by=visit_id, fulfilled_on=fulfilled_on
        )

    async def mark_overdue(self, *, today: date, limit: int) -> list[ObligationRow]:
        due = [o for o in self.rows.values() if o.status == "open" and o.due_on < today]
        return self._update(
            [o.id for o in sorted(due, key=lambda o: o.due_on)][:limit], status="overdue"
        )

    async def due_for_escalation(
        self, *, today: date, after_days: int, limit: int
    ) -> list[ObligationRow]:
        return [
            o
            for o in self.rows.values()
            if o.status in ("overdue", "escalated")
            and o.escalation_level < 2
            and o.due_on + timedelta(days=after_days * (o.escalation_level + 1)) < today
        ][:limit]

    async def escalate(self, obligation_id: UUID, *, level: int, to: str) -> None:
        self._update([obligation_id], status="escalated", escalation_level=level, escalated_to=to)

    async def record_sweep(self, run: SweepRun) -> None:
        self.sweeps[run.trigger] = run

    async def withdraw_for(self, member_id: UUID, *, at: datetime) -> list[ObligationRow]:
        owed = [o.id for o in self.rows.values() if o.member_id == member_id and o.status in OWED]
        return self._update(owed, status="withdrawn")


class FakeContactRecords:
    def __init__(self) -> None:
        self.saved: dict[UUID, ContactRecord] = {}

    async def add(self, r: ContactRecord) -> None:
        self.saved[r.id] = r

    async def get(self, record_id: UUID) -> ContactRecord | None:
        return self.saved.get(record_id)


class FakeVisitsUnitOfWork(FakeUnitOfWork):
    def __init__(self, now: datetime) -> None:
        super().__init__()
        self.roster = FakeRoster()
        self.obligations = FakeObligations(self.roster)
        self.visits = FakeContactRecords()
        self.concerns = FakeConcerns(self.roster)
        self.dispatches = FakeDispatches(now)
        self.departments = FakeDepartments()


def member_principal(member: RosterMember) -> Principal:
    return Principal(
        f"member-{member.member_id}", Role.MEMBER, member.region_code, member.member_id
    )


def staff(region_code: str = "230300") -> Principal:
    return Principal("staff-1", Role.CITY_ADMIN, region_code)


def constituent(region_code: str = "230302", subject: str = "citizen-1") -> Principal:
    return Principal(subject, Role.CONSTITUENT, region_code)


def department(code: str = "jixi-education-bureau", region_code: str = "230300") -> Principal:
    return Principal(code, Role.DEPARTMENT, region_code)
