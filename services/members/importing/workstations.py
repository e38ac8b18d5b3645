"""Importing member workstations (委员工作站) and workrooms (委员工作室) with their members.

Kind, region and locality are fixed once a workstation opens (as in the workstations API);
the name, head, guiding special committee and members may change. The file's member list is
the whole list: members missing from it are detached, unless they
still have duty rota entries there (detach those in the app first). A closed workstation is
kept for the record and refuses the import's changes like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from services.members import events
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
from services.members.importing.rows import WorkstationRow
from shared.contracts.base import IntegrationEvent
from shared.kernel import new_id

_FIELDS = (
    "id, kind, name, region_code, locality_code, head_name, guiding_special_committee_code, "
    "external_id, opened_at"
)
_STAGE = (
    ("id", "uuid"),
    ("kind", "text"),
    ("name", "text"),
    ("region_code", "text"),
    ("locality_code", "text"),
    ("head_name", "text"),
    ("guiding_special_committee_code", "text"),
    ("external_id", "text"),
    ("opened_at", "timestamptz"),
    ("version", "text"),
)
_EXISTING = f"""SELECT {_FIELDS}, status, md5(w::text) AS version,
       ARRAY(SELECT a.member_id FROM workstation_member a WHERE a.workstation_id = w.id)
           AS member_ids,
       ARRAY(SELECT DISTINCT d.member_id FROM duty_rota d WHERE d.workstation_id = w.id)
           AS on_duty
FROM workstation w WHERE external_id = ANY($1::text[])"""  # noqa: S608


@dataclass(frozen=True, slots=True)
class _Write:
    id: UUID
    row: WorkstationRow
    member_ids: tuple[UUID, ...]
    version: str | None


class WorkstationImporter:
    def __init__(self, ctx: ImportContext, table: Table) -> None:
        self.ctx, self.table = ctx, table
        self._writes: list[_Write] = []
        self._unchanged = 0

    async def check(self, rows: list[WorkstationRow], errors: list[RowError]) -> None:
        errors += duplicate_errors(self.table, rows, "external_id")
        conn = self.ctx.conn
        regions = await refs.regions(conn, [r.region_code for r in rows])
        specials = await refs.special_committees(
            conn,
            [r.guiding_special_committee_code for r in rows if r.guiding_special_committee_code],
        )
        members = await refs.members(conn, [m for r in rows for m in r.member_external_ids])
        existing = {
            e["external_id"]: e
            for e in await fetch_many(conn, _EXISTING, [r.external_id for r in rows])
        }
        for r in rows:
            self._check_row(r, regions, specials, members, existing.get(r.external_id), errors)

    def _check_row(
        self,
        r: WorkstationRow,
        regions: dict[str, str],
        specials: dict[str, tuple[str, str]],
        members: dict[str, refs.MemberRef],
        old: Any,
        errors: list[RowError],
    ) -> None:
        visible = self.ctx.principal.can_see_region
        problems: list[tuple[str, str]] = []
        if r.region_code not in regions:
            problems.append(("region_code", refs.UNKNOWN_REGION))
        elif not visible(r.region_code):
            problems.append(("region_code", refs.OUT_OF_SCOPE))
        guide = r.guiding_special_committee_code
        if guide and not visible(specials.get(guide, ("", ""))[1]):
            problems.append(("guiding_special_committee_code", "no such special committee"))
        attached = [members.get(m) for m in r.member_external_ids]
        if any(m is None or not visible(m.region_code) for m in attached):
            problems.append(("member_external_ids", "names a member not in your region scope"))
        member_ids = tuple(sorted(m.id for m in attached if m is not None))
        if old is not None:
            problems += self._against(old, r, member_ids)
        errors += [RowError(r.row, self.table.header(k), why) for k, why in problems]
        if problems:
            return
        if old is None:
            self._writes.append(_Write(new_id(), r, member_ids, None))
        elif _state(old) == _state_of(r, member_ids):
            self._unchanged += 1
        else:
            self._writes.append(_Write(old["id"], r, member_ids, old["version"]))

    def _against(self, old: Any, r: WorkstationRow, member_ids: tuple[UUID, ...]) -> list[Any]:
        if not self.ctx.principal.can_see_region(old["region_code"]):
            return [("external_id", refs.TAKEN)]
        if old["status"] != "open":
            return [("external_id", "the workstation is closed")]
        fixed = [k for k in ("kind", "region_code", "locality_code") if old[k] != getattr(r, k)]
        problems = [(k, "cannot change once the workstation has opened") for k in fixed]
        if set(old["on_duty"]) - set(member_ids):
            problems.append(("member_external_ids", "leaves out a member on the duty rota here"))
        return problems

    async def apply(self) -> Counts:
        conn = self.ctx.conn
        stage = Stage(conn, "import_workstation", _STAGE)
        attach = Stage(conn, "import_workstation_member", (("id", "uuid"), ("member_id", "uuid")))
        done = self._unchanged
        for part in chunks(self._writes, CHUNK_ROWS):
            await stage.add([self._record(w) for w in part])
            await attach.add([(w.id, m) for w in part for m in w.member_ids])
            await emit(conn, [self._event(w) for w in part])
            done += len(part)
            await self.ctx.progress(done)
        new = sum(1 for w in self._writes if w.version is None)
        inserted = await stage.fetch(
            f"""INSERT INTO workstation ({_FIELDS}) SELECT {_FIELDS} FROM import_workstation
                WHERE version IS NULL ON CONFLICT DO NOTHING RETURNING id"""  # noqa: S608
        )
        require_all(inserted, new)
        updated = await stage.fetch(
            """UPDATE workstation w SET name = s.name, head_name = s.head_name,
                   guiding_special_committee_code = s.guiding_special_committee_code
               FROM import_workstation s
               WHERE s.version IS NOT NULL AND w.id = s.id AND md5(w::text) = s.version
               RETURNING w.id"""
        )
        require_all(updated, len(self._writes) - new)
        await stage.fetch(
            """DELETE FROM workstation_member a USING import_workstation s
               WHERE a.workstation_id = s.id AND NOT EXISTS (SELECT 1
                   FROM import_workstation_member m
                   WHERE m.id = a.workstation_id AND m.member_id = a.member_id)"""
        )
        await attach.fetch(
            """INSERT INTO workstation_member (workstation_id, member_id)
               SELECT id, member_id FROM import_workstation_member ON CONFLICT DO NOTHING"""
        )
        return Counts(new, len(self._writes) - new, self._unchanged)

    def _record(self, w: _Write) -> tuple[object, ...]:
        r = w.row
        return (
            w.id,
            r.kind,
            r.name,
            r.region_code,
            r.locality_code,
            r.head_name,
            r.guiding_special_committee_code,
            r.external_id,
            self.ctx.now,
            w.version,
        )

    def _event(self, w: _Write) -> IntegrationEvent:
        r = w.row
        return events.workstation_imported(
            at=self.ctx.now,
            workstation_id=w.id,
            kind=r.kind,
            name=r.name,
            region_code=r.region_code,
            guiding_special_committee_code=r.guiding_special_committee_code,
            member_ids=w.member_ids,
            created=w.version is None,
        )


def _state(old: Any) -> tuple[Any, ...]:
    return (
        old["kind"],
        old["name"],
        old["region_code"],
        old["locality_code"],
        old["head_name"],
        old["guiding_special_committee_code"],
        tuple(sorted(old["member_ids"])),
    )


def _state_of(r: WorkstationRow, member_ids: tuple[UUID, ...]) -> tuple[Any, ...]:
    return (
        r.kind,
        r.name,
        r.region_code,
        r.locality_code,
        r.head_name,
        r.guiding_special_committee_code,
        member_ids,
    )
