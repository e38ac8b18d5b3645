"""The visits service's HTTP API."""

from __future__ import annotations

from fastapi import APIRouter

from services.visits import web
from services.visits.api import bridge, concerns, duty, obligations, visits

ROUTERS: list[APIRouter] = [
    visits.router,
    obligations.router,
    duty.router,
    concerns.router,
    bridge.router,
    web.router,
]
