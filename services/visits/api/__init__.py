"""The visits service's HTTP API."""

from __future__ import annotations

from fastapi import APIRouter

from services.visits.api import obligations, visits

ROUTERS: list[APIRouter] = [visits.router, obligations.router]
