"""The notifications service's HTTP API."""

from __future__ import annotations

from fastapi import APIRouter

from services.notifications import web
from services.notifications.api import deliveries, inbox, preferences

ROUTERS: list[APIRouter] = [inbox.router, preferences.router, deliveries.router, web.router]
