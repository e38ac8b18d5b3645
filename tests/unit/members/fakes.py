"""The members unit of work in memory: dicts behind the methods the command handlers call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from services.members.domain.liaisons import Circumstance, GrassrootsUnit, Liaison
from services.members.domain.members import Member, MemberStatus
from services.members.domain.occasions import Festival, Occasion
from services.members.domain.organisation import Committee, Region, SpecialCommittee
from services.members.domain.workstations import DutyShift, Workstation
from services.members.importing.errors import RowError
from services.members.importing.jobs import Counts, ImportJob, ImportStatus
from services.members.pii import PiiCipher
from shared.auth import Principal
from shared.errors import Conflict
from shared.regions import scope_prefix
from tests.support.fakes import FakeUnitOfWork


def _inside(region_code: str, scope: str) -> bool:
    return region_code.startswith(scope_prefix(scope))


class FakeMembers:
    def __init__(self) -> None:
        self.rows: dict[UUID, Member] = {}

    async def add(self, m: Member) -> None:
        self.rows[m.id] = m

    async def save(self, m: Member) -> None:
        self.rows[m.id] = m

    async def get_in_scope(
        self, member_id: UUID, scope: str, *, lock: bool = False
    ) -> Member | None:
        m = self.rows.get(member_id)
        return m if m is not None and _inside(m.region_code, scope) else None


class FakeLiaisons:
    def __init__(self) -> None:
        self.rows: dict[UUID, Liaison] = {}
        self.circumstances: list[Circumstance] = []

    async def count_linked(self, member_id: UUID) -> int:
        return sum(
            1 for x in self.rows.values() if x.member_id == member_id and x.unlinked_at is None
        )

    async def add(self, liaison: Liaison, cipher: PiiCipher) -> None:
        self.rows[liaison.id] = liaison

    async def save(self, liaison: Liaison, cipher: PiiCipher) -> None:
        self.rows[liaison.id] = liaison

    async def get(
        self, liaison_id: UUID, scope: str, cipher: PiiCipher, *, lock: bool = False
    ) -> Liaison | None:
        x = self.rows.get(liaison_id)
        return x if x is not None and _inside(x.region_code, scope) else None

    async def add_circumstance(self, c: Circumstance) -> None:
        self.circumstances.append(c)


class FakeUnits:
    def __init__(self) -> None:
        self.by_member: dict[UUID, GrassrootsUnit] = {}

    async def for_member(self, member_id: UUID) -> GrassrootsUnit | None:
        return self.by_member.get(member_id)

    async def add(self, unit: GrassrootsUnit) -> None:
        if unit.member_id in self.by_member:
            raise Conflict("the member already links a unit")
        self.by_member[unit.member_id] = unit

    async def save(self, unit: GrassrootsUnit) -> None:
        self.by_member[unit.member_id] = unit


@dataclass
class FakeOrganisation:
    regions: dict[str, Region] = field(default_factory=dict)
    sectors: dict[str, str] = field(default_factory=dict)
    festivals: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)
    committees: dict[str, Committee] = field(default_factory=dict)
    specials: dict[str, SpecialCommittee] = field(default_factory=dict)

    async def region(self, code: str) -> Region | None:
        return self.regions.get(code)

    async def add_region(self, region: Region) -> None:
        if region.code in self.regions:
            raise Conflict("the region already exists")
        self.regions[region.code] = region

    async def add_sector(self, code: str, name: str) -> None:
        if code in self.sectors:
            raise Conflict("the sector code is taken")
        self.sectors[code] = name

    async def set_festivals(self, sector_code: str, festivals: list[tuple[str, int, int]]) -> None:
        self.festivals[sector_code] = list(festivals)

    async def sector_exists(self, code: str) -> bool:
        return code in self.sectors

    async def committee(self, code: str) -> Committee | None:
        return self.committees.get(code)

    async def add_committee(self, c: Committee, *, external_id: str | None = None) -> None:
        self.committees[c.code] = c

    async def add_special_committee(self, s: SpecialCommittee) -> None:
        self.specials[s.code] = s


class FakeOccasions:
    def __init__(self, organisation: FakeOrganisation) -> None:
        self.rows: dict[UUID, Occasion] = {}
        self.calendar: list[Festival] = []
        self._organisation = organisation

    async def add(self, o: Occasion) -> None:
        self.rows[o.id] = o

    async def add_festival(self, o: Occasion) -> bool:
        if any(x.festival_key == o.festival_key for x in self.rows.values()):
            return False
        self.rows[o.id] = o
        return True

    async def get_in_scope(self, occasion_id: UUID, scope: str) -> Occasion | None:
        o = self.rows.get(occasion_id)
        concerns = o is not None and any(
            _inside(r, scope) or _inside(scope, r) for r in o.region_codes
        )
        return o if concerns else None

    async def festival_calendar(self) -> list[Festival]:
        return list(self.calendar)

    async def unknown_sectors(self, codes: Sequence[str]) -> list[str]:
        return sorted(c for c in set(codes) if c not in self._organisation.sectors)

    async def unknown_regions(self, codes: Sequence[str]) -> list[str]:
        return sorted(c for c in set(codes) if c not in self._organisation.regions)


class FakeWorkstations:
    def __init__(self, members: FakeMembers, organisation: FakeOrganisation) -> None:
        self.rows: dict[UUID, Workstation] = {}
        self.rotas: dict[UUID, list[DutyShift]] = {}
        self._members, self._organisation = members, organisation

    async def add(self, ws: Workstation) -> None:
        self.rows[ws.id] = ws

    async def save(self, ws: Workstation) -> None:
        self.rows[ws.id] = replace(ws, member_ids=self.rows[ws.id].member_ids)

    async def get(self, workstation_id: UUID, *, lock: bool = False) -> Workstation | None:
        return self.rows.get(workstation_id)

    async def attachable_members(self, member_ids: Sequence[UUID], region_prefix: str) -> set[UUID]:
        serving = {
            m.id
            for m in self._members.rows.values()
            if m.region_code.startswith(region_prefix) and m.status is not MemberStatus.RETIRED
        }
        return serving & set(member_ids)

    async def guiding_committee_region(self, special_committee_code: str) -> str | None:
        special = self._organisation.specials.get(special_committee_code)
        committee = special and self._organisation.committees.get(special.committee_code)
        return committee.region_code if committee else None

    async def replace_members(self, workstation_id: UUID, member_ids: Sequence[UUID]) -> None:
        self.rows[workstation_id] = replace(
            self.rows[workstation_id], member_ids=tuple(sorted(member_ids))
        )
        rota = self.rotas.get(workstation_id, [])
        self.rotas[workstation_id] = [e for e in rota if e.member_id in member_ids]

    async def replace_rota(self, workstation_id: UUID, rota: Sequence[DutyShift]) -> None:
        self.rotas[workstation_id] = list(rota)


class FakeAudit:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, UUID | None, tuple[str, ...], str]] = []

    async def record(
        self,
        principal: Principal,
        action: str,
        liaison_ids: Sequence[UUID | None],
        fields: Sequence[str],
        reason: str,
    ) -> None:
        for lid in liaison_ids:
            self.rows.append((principal.subject, action, lid, tuple(fields), reason))


class FakeImports:
    def __init__(self) -> None:
        self.jobs: dict[UUID, ImportJob] = {}
        self.outcomes: dict[UUID, tuple[ImportStatus, list[RowError], str | None]] = {}

    async def add(self, job: ImportJob) -> None:
        self.jobs[job.id] = job

    async def progress(self, job_id: UUID, status: ImportStatus, processed_rows: int) -> None:
        self.jobs[job_id] = replace(self.jobs[job_id], status=status, processed_rows=processed_rows)

    async def heartbeat(self, job_id: UUID) -> None:
        pass

    async def lock_imports(self) -> None:
        pass

    async def finish(
        self,
        job_id: UUID,
        status: ImportStatus,
        *,
        counts: Counts | None = None,
        errors: Sequence[RowError] = (),
        detail: str | None = None,
    ) -> None:
        self.jobs[job_id] = replace(self.jobs[job_id], status=status)
        self.outcomes[job_id] = (status, list(errors), detail)


class FakeMembersUnitOfWork(FakeUnitOfWork):
    """Every repository of `MembersUnitOfWork`, in memory; SQL-only paths (the importers, the
    views) are left to the integration tier."""

    def __init__(self) -> None:
        super().__init__()
        self.organisation = FakeOrganisation()
        self.members = FakeMembers()
        self.units = FakeUnits()
        self.liaisons = FakeLiaisons()
        self.occasions = FakeOccasions(self.organisation)
        self.workstations = FakeWorkstations(self.members, self.organisation)
        self.imports = FakeImports()
        self.audit = FakeAudit()

    @property
    def connection(self) -> Any:
        raise RuntimeError("no database in the fast tier")
