"""Departments (承办单位): the government bodies a concern is assigned to. Pure rules.

A department serves one region; offices keep the departments of their own area. The code is
what the department's token names as its subject; people know it by its Chinese name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final
from uuid import UUID

from services.members.domain.access import require_registrar
from shared.auth import Principal


class _Keep:
    """A field a change leaves as it is (distinct from None, which clears it)."""


KEEP: Final = _Keep()


@dataclass(frozen=True)
class Department:
    id: UUID
    code: str
    name: str
    region_code: str
    contact: str | None
    platform_id: str | None
    external_id: str | None
    registered_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DepartmentChanges:
    name: str | _Keep = KEEP
    contact: str | _Keep | None = KEEP
    platform_id: str | _Keep | None = KEEP


def require_keeper(principal: Principal, department: Department) -> None:
    """Only an office whose area holds the department may change it."""
    require_registrar(principal, department.region_code)


def change(department: Department, changes: DepartmentChanges, at: datetime) -> Department | None:
    """The department with the changes applied, or None when nothing would change."""
    values = {
        field: value
        for field, value in vars(changes).items()
        if not isinstance(value, _Keep) and getattr(department, field) != value
    }
    if not values:
        return None
    return replace(department, **values, updated_at=at)
