"""Importing departments (承办单位): code and region are fixed once registered; the name, the
contact and the disposal platform's id may change. A city has tens of them, so rows are
written one statement each rather than staged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.members import events
from services.members.domain.departments import Department
from services.members.importing import references as refs
from services.members.importing.base import ImportContext, duplicate_errors, emit, fetch_many
from services.members.importing.errors import DirectoryChanged, RowError
from services.members.importing.files import Table
from services.members.importing.jobs import Counts
from services.members.importing.rows import DepartmentRow
from shared.kernel import new_id

COLUMNS = (
    "id, code, name, region_code, contact, platform_id, external_id, registered_at, updated_at"
)
CODE_TAKEN = "该单位代码已被其他承办单位使用"
FIXED_CODE = "单位代码登记后不能更改"
FIXED_REGION = "行政区划登记后不能更改"
PLATFORM_TAKEN = "该处置平台编号已被其他承办单位使用"


@dataclass(frozen=True, slots=True)
class _Write:
    department: Department
    new: bool


class DepartmentImporter:
    def __init__(self, ctx: ImportContext, table: Table) -> None:
        self.ctx, self.table = ctx, table
        self._writes: list[_Write] = []
        self._unchanged = 0

    async def check(self, rows: list[DepartmentRow], errors: list[RowError]) -> None:
        errors += duplicate_errors(self.table, rows, "external_id")
        errors += duplicate_errors(self.table, rows, "code", "单位代码")
        errors += duplicate_errors(
            self.table, [r for r in rows if r.platform_id], "platform_id", "处置平台编号"
        )
        conn = self.ctx.conn
        regions = await refs.regions(conn, [r.region_code for r in rows])
        sql = f"SELECT {COLUMNS} FROM department WHERE {{}} = ANY($1::text[])"  # noqa: S608
        by_external = {
            e["external_id"]: e
            for e in await fetch_many(
                conn, sql.format("external_id"), [r.external_id for r in rows]
            )
        }
        by_code = {
            e["code"]: e for e in await fetch_many(conn, sql.format("code"), [r.code for r in rows])
        }
        platform_ids = [r.platform_id for r in rows if r.platform_id]
        by_platform = {
            e["platform_id"]: e
            for e in await fetch_many(conn, sql.format("platform_id"), platform_ids)
        }
        for r in rows:
            problems = self._problems(r, regions, by_external, by_code, by_platform)
            errors += [RowError(r.row, self.table.header(k), why) for k, why in problems]
            if not problems:
                self._plan(r, by_external.get(r.external_id))

    def _problems(
        self,
        r: DepartmentRow,
        regions: dict[str, str],
        by_external: dict[str, Any],
        by_code: dict[str, Any],
        by_platform: dict[str, Any],
    ) -> list[tuple[str, str]]:
        visible = self.ctx.principal.can_see_region
        problems: list[tuple[str, str]] = []
        if r.region_code not in regions:
            problems.append(("region_code", "行政区划代码不存在"))
        elif not visible(r.region_code):
            problems.append(("region_code", "不在您的管辖范围内"))
        old = by_external.get(r.external_id)
        if old is not None and not visible(old["region_code"]):
            problems.append(("external_id", "该外部编号已被您管辖范围以外的单位使用"))
        elif old is not None:
            if old["code"] != r.code:
                problems.append(("code", FIXED_CODE))
            if old["region_code"] != r.region_code:
                problems.append(("region_code", FIXED_REGION))
        holder = by_code.get(r.code)
        if holder is not None and holder["external_id"] != r.external_id:
            problems.append(("code", CODE_TAKEN))
        same_platform = by_platform.get(r.platform_id) if r.platform_id else None
        if same_platform is not None and same_platform["external_id"] != r.external_id:
            problems.append(("platform_id", PLATFORM_TAKEN))
        return problems

    def _plan(self, r: DepartmentRow, old: Any) -> None:
        now = self.ctx.now
        if old is None:
            d = Department(
                new_id(),
                r.code,
                r.name,
                r.region_code,
                r.contact,
                r.platform_id,
                r.external_id,
                now,
                now,
            )
            self._writes.append(_Write(d, True))
            return
        current = Department(**dict(old))
        if (current.name, current.contact, current.platform_id) == (
            r.name,
            r.contact,
            r.platform_id,
        ):
            self._unchanged += 1
            return
        changed = Department(
            current.id,
            current.code,
            r.name,
            current.region_code,
            r.contact,
            r.platform_id,
            current.external_id,
            current.registered_at,
            now,
        )
        self._writes.append(_Write(changed, False))

    async def apply(self) -> Counts:
        conn = self.ctx.conn
        for w in self._writes:
            d = w.department
            if w.new:
                status = await conn.execute(
                    f"""INSERT INTO department ({COLUMNS})
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                        ON CONFLICT DO NOTHING""",  # noqa: S608
                    d.id,
                    d.code,
                    d.name,
                    d.region_code,
                    d.contact,
                    d.platform_id,
                    d.external_id,
                    d.registered_at,
                    d.updated_at,
                )
            else:
                status = await conn.execute(
                    """UPDATE department SET name = $2, contact = $3, platform_id = $4,
                           updated_at = $5 WHERE id = $1""",
                    d.id,
                    d.name,
                    d.contact,
                    d.platform_id,
                    d.updated_at,
                )
            if not status.endswith(" 1"):
                raise DirectoryChanged("a department changed during the import")
        await emit(conn, [_event(w) for w in self._writes])
        await self.ctx.progress(len(self._writes) + self._unchanged)
        new = sum(1 for w in self._writes if w.new)
        return Counts(new, len(self._writes) - new, self._unchanged)


def _event(w: _Write) -> Any:
    d = w.department
    return events.department_registered(d) if w.new else events.department_updated(d)
