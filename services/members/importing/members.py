"""Importing members (委员): new ones are registered, changed ones updated, the rest left alone.

The rules are the directory's own (`domain.members`): a retired member cannot be changed, and
"changed" means what `same_profile` says, so a re-import publishes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.members import events
from services.members.domain import members as domain
from services.members.domain.members import Member, MemberStatus
from services.members.importing import references as refs
from services.members.importing.base import (
    CHUNK_ROWS,
    ImportContext,
    Stage,
    chunks,
    duplicate_errors,
    emit,
    fetch_many,
    require_all,
)
from services.members.importing.errors import RowError
from services.members.importing.files import Table
from services.members.importing.jobs import Counts
from services.members.importing.rows import MemberRow
from shared.contracts.base import IntegrationEvent
from shared.errors import Conflict
from shared.kernel import new_id

_FIELDS = (
    "id, full_name, sector_code, committee_code, region_code, status, registered_at, "
    "special_committee_code, term, title, external_id, updated_at"
)
_STAGE = (
    ("id", "uuid"),
    ("full_name", "text"),
    ("sector_code", "text"),
    ("committee_code", "text"),
    ("region_code", "text"),
    ("status", "text"),
    ("registered_at", "timestamptz"),
    ("special_committee_code", "text"),
    ("term", "text"),
    ("title", "text"),
    ("external_id", "text"),
    ("updated_at", "timestamptz"),
    ("version", "text"),  # NULL: a new member; else the row's md5 when it was read
)


@dataclass(frozen=True, slots=True)
class _Write:
    member: Member
    version: str | None


class MemberImporter:
    def __init__(self, ctx: ImportContext, table: Table) -> None:
        self.ctx, self.table = ctx, table
        self._writes: list[_Write] = []
        self._unchanged = 0

    async def check(self, rows: list[MemberRow], errors: list[RowError]) -> None:
        errors += duplicate_errors(self.table, rows, "external_id")
        conn, profiles = self.ctx.conn, [r.profile for r in rows]
        known_sectors = await refs.sectors(conn)
        committees = await refs.committees(conn, [p.committee_code for p in profiles])
        specials = await refs.special_committees(
            conn, [p.special_committee_code for p in profiles if p.special_committee_code]
        )
        regions = await refs.regions(conn, [p.region_code for p in profiles])
        existing = await self._existing([r.external_id for r in rows])
        for r in rows:
            found = len(errors)
            errors += self._references(r, known_sectors, committees, specials, regions)
            if len(errors) == found:
                self._plan(r, existing.get(r.external_id), errors)

    def _references(
        self,
        r: MemberRow,
        known_sectors: set[str],
        committees: dict[str, str],
        specials: dict[str, tuple[str, str]],
        regions: dict[str, str],
    ) -> list[RowError]:
        p, visible = r.profile, self.ctx.principal.can_see_region
        problems: list[tuple[str, str]] = []
        if p.sector_code not in known_sectors:
            problems.append(("sector_code", "unknown sector code"))
        if not visible(committees.get(p.committee_code, "")):
            problems.append(("committee_code", "no such committee in your scope"))
        if p.special_committee_code:
            committee, region = specials.get(p.special_committee_code, ("", ""))
            if not visible(region):
                problems.append(("special_committee_code", "no such special committee"))
            elif committee != p.committee_code:
                problems.append(("special_committee_code", "belongs to another committee"))
        if p.region_code not in regions:
            problems.append(("region_code", refs.UNKNOWN_REGION))
        elif not visible(p.region_code):
            problems.append(("region_code", refs.OUT_OF_SCOPE))
        return [RowError(r.row, self.table.header(k), reason) for k, reason in problems]

    def _plan(
        self, r: MemberRow, existing: tuple[Member, str] | None, errors: list[RowError]
    ) -> None:
        now = self.ctx.now
        if existing is None:
            member = domain.register_member(new_id(), r.profile, at=now, external_id=r.external_id)
            self._writes.append(_Write(member, None))
            return
        member, version = existing
        if not self.ctx.principal.can_see_region(member.region_code):
            errors.append(RowError(r.row, self.table.header("external_id"), refs.TAKEN))
        elif domain.same_profile(member, r.profile):
            self._unchanged += 1
        else:
            try:
                changed = domain.update_member(member, r.profile, member.status, at=now)
            except Conflict as exc:
                errors.append(RowError(r.row, self.table.header("external_id"), exc.detail))
                return
            self._writes.append(_Write(changed, version))

    async def _existing(self, external_ids: list[str]) -> dict[str, tuple[Member, str]]:
        rows = await fetch_many(
            self.ctx.conn,
            f"SELECT {_FIELDS}, md5(m::text) AS version FROM member m "  # noqa: S608
            "WHERE external_id = ANY($1::text[])",
            external_ids,
        )
        found = {}
        for row in rows:
            values = dict(row)
            version = values.pop("version")
            member = Member(**{**values, "status": MemberStatus(values["status"])})
            found[member.external_id or ""] = (member, version)
        return found

    async def apply(self) -> Counts:
        stage = Stage(self.ctx.conn, "import_member", _STAGE)
        done = self._unchanged
        for part in chunks(self._writes, CHUNK_ROWS):
            await stage.add([_record(w) for w in part])
            await emit(self.ctx.conn, [self._event(w) for w in part])
            done += len(part)
            await self.ctx.progress(done)
        new = sum(1 for w in self._writes if w.version is None)
        inserted = await stage.fetch(
            f"""INSERT INTO member ({_FIELDS}) SELECT {_FIELDS} FROM import_member
                WHERE version IS NULL ON CONFLICT DO NOTHING RETURNING id"""  # noqa: S608
        )
        require_all(inserted, new)
        updated = await stage.fetch(
            """UPDATE member m SET full_name = s.full_name, sector_code = s.sector_code,
                   committee_code = s.committee_code, region_code = s.region_code,
                   special_committee_code = s.special_committee_code, term = s.term,
                   title = s.title, updated_at = s.updated_at
               FROM import_member s
               WHERE s.version IS NOT NULL AND m.id = s.id AND md5(m::text) = s.version
               RETURNING m.id"""
        )
        require_all(updated, len(self._writes) - new)
        return Counts(new, len(self._writes) - new, self._unchanged)

    def _event(self, w: _Write) -> IntegrationEvent:
        if w.version is None:
            return events.member_registered(w.member)
        return events.member_updated(w.member, self.ctx.now)


def _record(w: _Write) -> tuple[object, ...]:
    m = w.member
    return (
        m.id,
        m.full_name,
        m.sector_code,
        m.committee_code,
        m.region_code,
        m.status.value,
        m.registered_at,
        m.special_committee_code,
        m.term,
        m.title,
        m.external_id,
        m.updated_at,
        w.version,
    )
