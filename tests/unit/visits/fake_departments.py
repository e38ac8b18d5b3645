"""The departments read model in memory; Jixi's education and water bureaus are known."""

from __future__ import annotations

from uuid import uuid4

from services.visits.repository.departments import DirectoryDepartment
from shared.contracts import members as ev


class FakeDepartments:
    def __init__(self) -> None:
        self.rows: dict[str, DirectoryDepartment] = {}
        self.add("jixi-education-bureau", "鸡西市教育局", "230300")
        self.add("jixi-water", "鸡西市水务局", "230300")

    def add(self, code: str, name: str, region_code: str) -> DirectoryDepartment:
        d = DirectoryDepartment(uuid4(), code, name, region_code, None)
        self.rows[code] = d
        return d

    async def upsert(self, e: ev.DepartmentRegisteredV1 | ev.DepartmentUpdatedV1) -> None:
        self.rows[e.code] = DirectoryDepartment(
            e.department_id, e.code, e.name, e.region_code, e.platform_id
        )

    async def by_code(self, code: str) -> DirectoryDepartment | None:
        return self.rows.get(code)
