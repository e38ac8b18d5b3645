"""The members service's HTTP API, one router per area."""

from __future__ import annotations

from fastapi import APIRouter

from services.members.api import (
    accounts,
    audit,
    departments,
    imports,
    liaisons,
    members,
    occasions,
    organisation,
    units,
    workstations,
)

ROUTERS: list[APIRouter] = [
    organisation.router,
    members.router,
    units.router,
    liaisons.router,
    workstations.router,
    occasions.router,
    imports.router,
    departments.router,
    audit.router,
    accounts.router,
]
