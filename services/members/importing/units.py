"""Importing grassroots units (基层单元): one per member; each new or changed one is (re)linked.

A unit keeps its member: moving it to another member would leave the first without one in
the middle of a file, so that takes a new external id instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from services.members import events
from services.members.domain.liaisons import GrassrootsUnit, UnitKind
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
from services.members.importing.rows import UnitRow
from shared.contracts.members import UnitLinkedV1
from shared.kernel import new_id

_FIELDS = "id, member_id, name, kind, region_code, address, external_id, linked_at"
_STAGE = (
    ("id", "uuid"),
    ("member_id", "uuid"),
    ("name", "text"),
    ("kind", "text"),
    ("region_code", "text"),
    ("address", "text"),
    ("external_id", "text"),
    ("linked_at", "timestamptz"),
    ("version", "text"),
)


@dataclass(frozen=True, slots=True)
class _Write:
    id: UUID
    row: UnitRow
    member: refs.MemberRef
    version: str | None


class UnitImporter:
    def __init__(self, ctx: ImportContext, table: Table) -> None:
        self.ctx, self.table = ctx, table
        self._writes: list[_Write] = []
        self._unchanged = 0

    async def check(self, rows: list[UnitRow], errors: list[RowError]) -> None:
        errors += duplicate_errors(self.table, rows, "external_id")
        errors += duplicate_errors(
            self.table, rows, "member_external_id", "a member links one unit: this member"
        )
        conn = self.ctx.conn
        members = await refs.members(conn, [r.member_external_id for r in rows])
        regions = await refs.regions(conn, [r.region_code for r in rows])
        existing = {
            e["external_id"]: e
            for e in await fetch_many(
                conn,
                f"SELECT {_FIELDS}, md5(u::text) AS version FROM grassroots_unit u "  # noqa: S608
                "WHERE external_id = ANY($1::text[])",
                [r.external_id for r in rows],
            )
        }
        linked = {
            e["member_id"]: e["external_id"]
            for e in await fetch_many(
                conn,
                "SELECT member_id, external_id FROM grassroots_unit WHERE member_id = ANY($1)",
                [m.id for m in members.values()],
            )
        }
        for r in rows:
            self._check_row(r, members.get(r.member_external_id), regions, existing, linked, errors)

    def _check_row(
        self,
        r: UnitRow,
        member: refs.MemberRef | None,
        regions: dict[str, str],
        existing: dict[str, Any],
        linked: dict[UUID, str | None],
        errors: list[RowError],
    ) -> None:
        problems: list[tuple[str, str]] = []
        visible = self.ctx.principal.can_see_region
        if member is None or not visible(member.region_code):
            problems.append(("member_external_id", refs.NO_MEMBER))
        elif member.status == "retired":
            problems.append(("member_external_id", refs.RETIRED))
        if r.region_code not in regions:
            problems.append(("region_code", refs.UNKNOWN_REGION))
        elif not visible(r.region_code):
            problems.append(("region_code", refs.OUT_OF_SCOPE))
        old = existing.get(r.external_id)
        if old is not None and not visible(old["region_code"]):
            problems.append(("external_id", refs.TAKEN))
        elif old is not None and member is not None and old["member_id"] != member.id:
            problems.append(("member_external_id", "a unit cannot move to another member"))
        elif old is None and member is not None and member.id in linked:
            problems.append(("member_external_id", "the member already links another unit"))
        errors += [RowError(r.row, self.table.header(k), why) for k, why in problems]
        if problems or member is None:
            return
        if old is None:
            self._writes.append(_Write(new_id(), r, member, None))
        elif (old["name"], old["kind"], old["region_code"], old["address"]) == (
            r.name,
            r.kind,
            r.region_code,
            r.address,
        ):
            self._unchanged += 1
        else:
            self._writes.append(_Write(old["id"], r, member, old["version"]))

    async def apply(self) -> Counts:
        stage = Stage(self.ctx.conn, "import_unit", _STAGE)
        done = self._unchanged
        for part in chunks(self._writes, CHUNK_ROWS):
            await stage.add([self._record(w) for w in part])
            await emit(self.ctx.conn, [self._event(w) for w in part])
            done += len(part)
            await self.ctx.progress(done)
        new = sum(1 for w in self._writes if w.version is None)
        inserted = await stage.fetch(
            f"""INSERT INTO grassroots_unit ({_FIELDS}) SELECT {_FIELDS} FROM import_unit
                WHERE version IS NULL ON CONFLICT DO NOTHING RETURNING id"""  # noqa: S608
        )
        require_all(inserted, new)
        updated = await stage.fetch(
            """UPDATE grassroots_unit u SET name = s.name, kind = s.kind,
                   region_code = s.region_code, address = s.address
               FROM import_unit s
               WHERE s.version IS NOT NULL AND u.id = s.id AND md5(u::text) = s.version
               RETURNING u.id"""
        )
        require_all(updated, len(self._writes) - new)
        return Counts(new, len(self._writes) - new, self._unchanged)

    def _record(self, w: _Write) -> tuple[object, ...]:
        r = w.row
        fields = (w.id, w.member.id, r.name, r.kind, r.region_code, r.address, r.external_id)
        return (*fields, self.ctx.now, w.version)

    def _event(self, w: _Write) -> UnitLinkedV1:
        r = w.row
        unit = GrassrootsUnit(
            w.id,
            w.member.id,
            r.name,
            cast(UnitKind, r.kind),
            r.region_code,
            r.address,
            self.ctx.now,
        )
        return events.unit_linked(unit, w.member.region_code)
