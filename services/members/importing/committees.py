"""Importing committees (政协) and their special committees (专委会); they publish no events.

A row whose code already exists without an external id claims it (the province may have added
the city's committee by hand before the city's file arrived); any other reuse of a code is an
error. Special committees may name a committee from the same file.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.members.importing import references as refs
from services.members.importing.base import ImportContext, duplicate_errors
from services.members.importing.errors import RowError
from services.members.importing.files import Table
from services.members.importing.jobs import Counts
from services.members.importing.rows import CommitteeRow

_LEVELS = ("province", "city", "county")


@dataclass(frozen=True)
class _Existing:
    code: str
    name: str
    external_id: str | None
    region_code: str  # a special committee's: its committee's
    committee_code: str | None  # special committees only


class CommitteeImporter:
    def __init__(self, ctx: ImportContext, table: Table) -> None:
        self.ctx, self.table = ctx, table
        self._committees: list[tuple[CommitteeRow, str]] = []  # row, level
        self._specials: list[CommitteeRow] = []
        self._new: set[str] = set()  # codes to insert
        self._unchanged = 0

    async def check(self, rows: list[CommitteeRow], errors: list[RowError]) -> None:
        errors += duplicate_errors(self.table, rows, "external_id")
        errors += duplicate_errors(self.table, rows, "code")
        conn = self.ctx.conn
        levels = await refs.regions(conn, [r.region_code for r in rows if r.region_code])
        existing = await self._existing(rows, special=False)
        existing_specials = await self._existing(rows, special=True)
        in_file = {r.code: r.region_code for r in rows if r.type == "committee" and r.region_code}
        parents = in_file | await refs.committees(
            conn, [r.committee_code for r in rows if r.committee_code]
        )
        for r in rows:
            if r.type == "committee":
                region = r.region_code or ""
                if not self._region_ok(r, levels.get(region), errors):
                    continue
                if self._claim(r, existing, region, (r.name, region), errors):
                    self._committees.append((r, levels[region]))
                continue
            parent_region = parents.get(r.committee_code or "")
            if parent_region is None or not self.ctx.principal.can_see_region(parent_region):
                errors.append(self._error(r, "committee_code", "no such committee in your scope"))
            elif self._claim(r, existing_specials, parent_region, (r.name, None), errors):
                self._specials.append(r)

    def _region_ok(self, r: CommitteeRow, level: str | None, errors: list[RowError]) -> bool:
        reason = None
        if level is None:
            reason = refs.UNKNOWN_REGION
        elif not self.ctx.principal.can_see_region(r.region_code or ""):
            reason = refs.OUT_OF_SCOPE
        elif level not in _LEVELS:
            reason = "committees sit at province, city or county level"
        if reason:
            errors.append(self._error(r, "region_code", reason))
        return reason is None

    def _claim(
        self,
        r: CommitteeRow,
        existing: dict[str, _Existing],
        region: str,
        state: tuple[str, str | None],
        errors: list[RowError],
    ) -> bool:
        """Whether the row may be written; counts unchanged rows instead of keeping them."""
        by_id = existing.get(f"id:{r.external_id}")
        by_code = existing.get(f"code:{r.code}")
        if by_id is None and by_code is not None and by_code.external_id is None:
            by_id = by_code  # claimed: the committee exists without a key yet
        elif by_id is None and by_code is not None:
            errors.append(self._error(r, "code", "already used by another committee"))
            return False
        if by_id is None:
            self._new.add(r.code)
            return True
        if not self.ctx.principal.can_see_region(by_id.region_code):
            errors.append(self._error(r, "external_id", refs.TAKEN))
            return False
        if by_id.code != r.code:
            errors.append(self._error(r, "code", "an existing committee's code cannot change"))
            return False
        name, committee_region = state
        same = (
            by_id.name == name
            and by_id.external_id == r.external_id
            and by_id.committee_code == r.committee_code
            and (committee_region is None or by_id.region_code == committee_region)
        )
        self._unchanged += same
        return not same

    async def _existing(self, rows: list[CommitteeRow], *, special: bool) -> dict[str, _Existing]:
        kind = "special_committee" if special else "committee"
        picked = [r for r in rows if r.type == kind]
        sql = (
            """SELECT s.code, s.name, s.external_id, c.region_code, s.committee_code
               FROM special_committee s JOIN committee c ON c.code = s.committee_code
               WHERE s.external_id = ANY($1::text[]) OR s.code = ANY($2::text[])"""
            if special
            else """SELECT code, name, external_id, region_code, NULL AS committee_code
                    FROM committee WHERE external_id = ANY($1::text[]) OR code = ANY($2::text[])"""
        )
        found = await self.ctx.conn.fetch(
            sql, [r.external_id for r in picked], [r.code for r in picked]
        )
        index: dict[str, _Existing] = {}
        for record in found:
            e = _Existing(**dict(record))
            index[f"code:{e.code}"] = e
            if e.external_id:
                index[f"id:{e.external_id}"] = e
        return index

    def _error(self, r: CommitteeRow, key: str, reason: str) -> RowError:
        return RowError(r.row, self.table.header(key), reason)

    async def apply(self) -> Counts:
        conn = self.ctx.conn
        await conn.executemany(
            """INSERT INTO committee (code, name, level, region_code, external_id)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (code) DO UPDATE SET name = $2, level = $3, region_code = $4,
                   external_id = $5""",
            [
                (r.code, r.name, level, r.region_code, r.external_id)
                for r, level in self._committees
            ],
        )
        await conn.executemany(
            """INSERT INTO special_committee (code, name, committee_code, external_id)
               VALUES ($1, $2, $3, $4)
               ON CONFLICT (code) DO UPDATE SET name = $2, committee_code = $3,
                   external_id = $4""",
            [(r.code, r.name, r.committee_code, r.external_id) for r in self._specials],
        )
        await self.ctx.progress(len(self._committees) + len(self._specials) + self._unchanged)
        written = len(self._committees) + len(self._specials)
        return Counts(len(self._new), written - len(self._new), self._unchanged)
