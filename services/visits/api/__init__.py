"""The visits service's HTTP API."""

from __future__ import annotations

from fastapi import APIRouter

from services.visits import web
from services.visits.api import bridge, concerns, obligations, visits

ROUTERS: list[APIRouter] = [
    visits.router,
    obligations.router,
    concerns.router,
    bridge.router,
    web.router,
]
